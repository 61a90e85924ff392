//! Push device registration.

use reqwest::Method;
use serde::Serialize;

use super::ApiClient;
use crate::error::{Error, Result};

/// Longest device id the server accepts.
pub const MAX_DEVICE_ID_LEN: usize = 512;

#[derive(Serialize)]
struct AttachDevice<'a> {
    device_id: &'a str,
}

/// `PUT /users/sessions/device {device_id}` where `device_id` is
/// `"<platform>:<token>"`.
pub async fn attach_device(api: &ApiClient, device_id: &str) -> Result<()> {
    if device_id.is_empty() || device_id.len() > MAX_DEVICE_ID_LEN || !device_id.contains(':') {
        return Err(Error::internal(
            "device id must be <platform>:<token>, at most 512 bytes",
        ));
    }
    api.call(
        Method::PUT,
        "/users/sessions/device",
        Some(&AttachDevice { device_id }),
    )
    .await
}

/// Body of `POST /notifications/ack`: the app confirms a push arrived.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PushAck {
    /// The push's `ack_id`.
    pub id: String,
    pub received_at: i64,
    pub platform: String,
    #[serde(rename = "type")]
    pub push_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub post_id: String,
    pub is_id_loaded: bool,
}

/// `POST /notifications/ack`.
pub async fn ack_notification(api: &ApiClient, ack: &PushAck) -> Result<()> {
    api.call(Method::POST, "/notifications/ack", Some(ack))
        .await
}
