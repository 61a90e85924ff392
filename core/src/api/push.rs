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
