//! Server discovery: ping, client config, license.

use serde::Deserialize;

use super::{ApiClient, Body, RequestOptions};
use crate::error::Result;
use crate::model::ClientConfig;

/// Answer of `GET /system/ping`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Ping {
    #[serde(rename = "status")]
    pub status: String,
    #[serde(rename = "ActiveSearchBackend")]
    pub active_search_backend: String,
}

/// `GET /system/ping` (no auth).
pub async fn ping(api: &ApiClient) -> Result<(Ping, reqwest::header::HeaderMap)> {
    let raw = api
        .send(
            reqwest::Method::GET,
            "/system/ping",
            &[],
            Body::Empty,
            RequestOptions::anonymous(),
        )
        .await?;
    let ping = super::client::decode_json(&raw.body)?;
    Ok((ping, raw.headers))
}

/// `GET /config/client?format=old`. Without a token the server sends the
/// limited (pre-login) set.
pub async fn client_config(api: &ApiClient, authenticated: bool) -> Result<ClientConfig> {
    let options = RequestOptions {
        authenticated,
        ..RequestOptions::default()
    };
    let raw = api
        .send(
            reqwest::Method::GET,
            "/config/client",
            &[("format", "old".to_owned())],
            Body::Empty,
            options,
        )
        .await?;
    super::client::decode_json(&raw.body)
}

/// `GET /license/client?format=old` (string map; "IsLicensed" = "true"/"false").
pub async fn client_license(api: &ApiClient) -> Result<ClientConfig> {
    let raw = api
        .send(
            reqwest::Method::GET,
            "/license/client",
            &[("format", "old".to_owned())],
            Body::Empty,
            RequestOptions::anonymous(),
        )
        .await?;
    super::client::decode_json(&raw.body)
}
