//! The school's push gateway as the app sees it (UnifiedPush): the
//! distributor's endpoint and the app's Web Push keys go to the gateway,
//! which answers with the token Mattermost will carry in the device id and
//! a secret that alone can delete the registration again.
//!
//! The gateway is found from the school's server address: the reverse
//! proxy in front of Mattermost serves it under [`GATEWAY_PATH`] (see the
//! README's "Push notifications"). A client can be pointed elsewhere with
//! `ClientBuilder::push_gateway`.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::registration::RegistrarError;
use crate::error::{Error, Result};
use crate::net::http::{classify_transport_error, read_body_capped};
use crate::net::ServerUrl;

/// Where the gateway lives below the school's server address.
pub const GATEWAY_PATH: &str = "pausenhof-push";

/// Gateway answers are a few hundred bytes.
const ANSWER_CAP: u64 = 16 * 1024;
/// A push endpoint longer than this is no push endpoint (the gateway's
/// own limit).
const MAX_ENDPOINT_LEN: usize = 2048;
/// Registration is a user action: a dead gateway must not keep the
/// consent screen waiting for the whole request timeout.
const GATEWAY_TIMEOUT: Duration = Duration::from_secs(20);

/// What a UnifiedPush distributor hands the app: the endpoint a push
/// service accepts messages at, and the app's Web Push public key
/// (`p256dh`, uncompressed P-256, base64url) and auth secret (16 bytes,
/// base64url) the gateway encrypts with (RFC 8291). The endpoint
/// addresses this device; it stays out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct UnifiedPushEndpoint {
    pub url: String,
    pub p256dh: String,
    pub auth: String,
}

impl std::fmt::Debug for UnifiedPushEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnifiedPushEndpoint")
            .field("url_len", &self.url.len())
            .finish_non_exhaustive()
    }
}

impl UnifiedPushEndpoint {
    /// Refuses what cannot be an endpoint before anything is sent; the
    /// gateway checks the rest (https, public address, key format).
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: &str| Error::InvalidInput {
            reason: format!("push endpoint {reason}"),
        };
        if self.url.len() > MAX_ENDPOINT_LEN {
            return Err(bad("is too long"));
        }
        Url::parse(&self.url).map_err(|_| bad("is not a URL"))?;
        let base64url = |s: &str| {
            !s.is_empty()
                && s.len() <= 256
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
        };
        if !base64url(&self.p256dh) || !base64url(&self.auth) {
            return Err(bad("keys are not base64url"));
        }
        Ok(())
    }

    /// Tells a distributor's repeated endpoint from a new one, without
    /// keeping the endpoint (hex SHA-256 of endpoint and keys).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for part in [&self.url, &self.p256dh, &self.auth] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A registration at the gateway. The secret deletes it; it never leaves
/// the device and stays out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayRegistration {
    /// The gateway's base URL the registration was made at.
    pub gateway: String,
    pub token: String,
    pub secret: String,
    /// [`UnifiedPushEndpoint::digest`] of what was registered.
    pub endpoint_digest: String,
}

impl std::fmt::Debug for GatewayRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayRegistration")
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

/// The gateway below the school's server address.
pub fn gateway_for(server: &ServerUrl) -> Url {
    server.join(&format!("{GATEWAY_PATH}/"))
}

/// Parses a gateway address given by configuration.
pub fn parse_gateway(address: &str) -> Result<Url> {
    let invalid = || Error::InvalidInput {
        reason: "the push gateway address is not an http(s) URL".into(),
    };
    let mut url = Url::parse(address.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(invalid());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn registrations_url(gateway: &Url) -> Url {
    gateway
        .join("api/v1/unifiedpush/registrations")
        .unwrap_or_else(|_| gateway.clone())
}

#[derive(Deserialize)]
struct Registered {
    token: String,
    secret: String,
}

#[derive(Deserialize)]
struct VapidKey {
    public_key: String,
}

#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    error: String,
}

/// The gateway's answers as the core decodes them, for the fuzz targets
/// (built with `--cfg fuzzing`; nothing else sees this).
#[cfg(fuzzing)]
pub fn decode_answers_for_fuzzing(answer: &[u8]) {
    if let Ok(registered) = serde_json::from_slice::<Registered>(answer) {
        let _ = (registered.token.len(), registered.secret.len());
    }
    if let Ok(key) = serde_json::from_slice::<VapidKey>(answer) {
        let _ = key.public_key.len();
    }
    let refusal: Refusal = serde_json::from_slice(answer).unwrap_or_default();
    let _ = refusal.error.len();
}

/// An iOS install's APNs device token, in hex as the gateway wants it.
/// It addresses this device: kept out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct ApnsToken(String);

impl std::fmt::Debug for ApnsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsToken")
            .field("len", &self.0.len())
            .finish()
    }
}

impl ApnsToken {
    /// Device tokens are 32 bytes today; Apple says they may grow (the
    /// gateway's own bound).
    const HEX_LEN: std::ops::RangeInclusive<usize> = 64..=200;

    pub fn parse(hex: &str) -> Result<ApnsToken> {
        let hex = hex.trim();
        let valid = Self::HEX_LEN.contains(&hex.len())
            && hex.len() % 2 == 0
            && hex.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Err(Error::InvalidInput {
                reason: "the APNs device token is not hex of a device token".into(),
            });
        }
        Ok(ApnsToken(hex.to_ascii_lowercase()))
    }

    /// Tells a repeated token from a new one without keeping it.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(format!("apns\0{}", self.0).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// What is registered at the gateway: where it delivers to this device.
pub(crate) enum GatewayTarget<'a> {
    UnifiedPush(&'a UnifiedPushEndpoint),
    Apns(&'a ApnsToken),
}

impl GatewayTarget<'_> {
    fn url(&self, gateway: &Url) -> Url {
        match self {
            GatewayTarget::UnifiedPush(_) => registrations_url(gateway),
            GatewayTarget::Apns(_) => gateway
                .join("api/v1/apns/registrations")
                .unwrap_or_else(|_| gateway.clone()),
        }
    }

    fn body(&self) -> serde_json::Value {
        match self {
            GatewayTarget::UnifiedPush(endpoint) => serde_json::json!({
                "endpoint": endpoint.url,
                "p256dh": endpoint.p256dh,
                "auth": endpoint.auth,
            }),
            GatewayTarget::Apns(token) => serde_json::json!({ "device_token": token.0 }),
        }
    }

    pub(crate) fn digest(&self) -> String {
        match self {
            GatewayTarget::UnifiedPush(endpoint) => endpoint.digest(),
            GatewayTarget::Apns(token) => token.digest(),
        }
    }
}

/// Registers `target` at `gateway`.
pub(crate) async fn register(
    http: &reqwest::Client,
    gateway: &Url,
    target: &GatewayTarget<'_>,
) -> Result<GatewayRegistration> {
    let body = target.body();
    let response = http
        .post(target.url(gateway))
        .timeout(GATEWAY_TIMEOUT)
        .json(&body)
        .send()
        .await
        .map_err(|e| classify_transport_error(&e))?;
    let status = response.status();
    let answer = read_body_capped(response, ANSWER_CAP).await?;
    match status.as_u16() {
        200 | 201 => {
            let registered: Registered =
                serde_json::from_slice(&answer).map_err(|_| no_gateway(gateway))?;
            if registered.token.is_empty() || registered.secret.is_empty() {
                return Err(Error::invalid_response(
                    "the push gateway gave an empty token",
                ));
            }
            Ok(GatewayRegistration {
                gateway: gateway.to_string(),
                token: registered.token,
                secret: registered.secret,
                endpoint_digest: target.digest(),
            })
        }
        // 501: this gateway does not deliver to APNs.
        404 | 405 | 501 => Err(no_gateway(gateway)),
        400 | 422 => {
            let refusal: Refusal = serde_json::from_slice(&answer).unwrap_or_default();
            Err(Error::InvalidInput {
                reason: format!("the push gateway refused the endpoint: {}", refusal.error),
            })
        }
        429 => Err(Error::RateLimited { retry_after: None }),
        _ => Err(Error::Server {
            status: status.as_u16(),
            id: "pausenhof.push_gateway".into(),
            message: String::new(),
            request_id: String::new(),
        }),
    }
}

/// The gateway's VAPID public key, for distributors that want one.
pub(crate) async fn vapid_key(http: &reqwest::Client, gateway: &Url) -> Result<String> {
    let url = gateway
        .join("api/v1/unifiedpush/vapid")
        .map_err(|_| no_gateway(gateway))?;
    let response = http
        .get(url)
        .timeout(GATEWAY_TIMEOUT)
        .send()
        .await
        .map_err(|e| classify_transport_error(&e))?;
    if !response.status().is_success() {
        return Err(no_gateway(gateway));
    }
    let answer = read_body_capped(response, ANSWER_CAP).await?;
    let key: VapidKey = serde_json::from_slice(&answer).map_err(|_| no_gateway(gateway))?;
    Ok(key.public_key)
}

/// Deletes a registration. Gone already (404) counts as deleted.
pub(crate) async fn unregister(
    http: &reqwest::Client,
    registration: &GatewayRegistration,
) -> Result<(), RegistrarError> {
    let failed = |reason: String| RegistrarError { reason };
    let gateway = Url::parse(&registration.gateway)
        .map_err(|_| failed("the stored gateway address is invalid".into()))?;
    let mut url = registrations_url(&gateway);
    url.path_segments_mut()
        .map_err(|_| failed("the stored gateway address is invalid".into()))?
        .push(&registration.token);
    let status = http
        .delete(url)
        .timeout(GATEWAY_TIMEOUT)
        .bearer_auth(&registration.secret)
        .send()
        .await
        .map_err(|e| {
            failed(format!(
                "gateway unreachable: {}",
                classify_transport_error(&e)
            ))
        })?
        .status();
    if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
        Ok(())
    } else {
        Err(failed(format!("gateway answered {}", status.as_u16())))
    }
}

fn no_gateway(gateway: &Url) -> Error {
    Error::PushGatewayMissing {
        address: gateway.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str, p256dh: &str, auth: &str) -> UnifiedPushEndpoint {
        UnifiedPushEndpoint {
            url: url.into(),
            p256dh: p256dh.into(),
            auth: auth.into(),
        }
    }

    #[test]
    fn apns_tokens_are_hex_kept_lowercase_and_out_of_logs() {
        let token = ApnsToken::parse(&"AB".repeat(32)).unwrap();
        assert_eq!(token.0, "ab".repeat(32));
        assert!(!format!("{token:?}").contains("ab"));
        assert_eq!(
            token.digest(),
            ApnsToken::parse(&"ab".repeat(32)).unwrap().digest()
        );
        assert_ne!(
            token.digest(),
            ApnsToken::parse(&"ac".repeat(32)).unwrap().digest()
        );
        for bad in [
            "",
            "ab",
            &"g0".repeat(32),
            &"a".repeat(65),
            &"ab".repeat(101),
        ] {
            assert!(ApnsToken::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_gateway_sits_below_the_server_address() {
        let plain = ServerUrl::parse("chat.schule.example").unwrap();
        assert_eq!(
            gateway_for(&plain).as_str(),
            "https://chat.schule.example/pausenhof-push/"
        );
        let below = ServerUrl::parse("https://schule.example/mattermost/").unwrap();
        assert_eq!(
            registrations_url(&gateway_for(&below)).as_str(),
            "https://schule.example/mattermost/pausenhof-push/api/v1/unifiedpush/registrations"
        );
    }

    #[test]
    fn a_configured_gateway_keeps_its_path() {
        let url = parse_gateway("https://push.schule.example/gw").unwrap();
        assert_eq!(
            registrations_url(&url).as_str(),
            "https://push.schule.example/gw/api/v1/unifiedpush/registrations"
        );
        for bad in ["", "push.schule.example", "ftp://x.example/", "https://"] {
            assert!(parse_gateway(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn endpoints_that_cannot_be_sent_are_refused() {
        let key = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
        assert!(
            endpoint("https://up.example/x", key, "tBHItJI5svbpez7KI4CCXg")
                .validate()
                .is_ok()
        );
        let long = format!("https://up.example/{}", "a".repeat(3000));
        for bad in [
            endpoint(&long, key, "tBHItJI5svbpez7KI4CCXg"),
            endpoint("not a url", key, "tBHItJI5svbpez7KI4CCXg"),
            endpoint("https://up.example/x", "", "tBHItJI5svbpez7KI4CCXg"),
            endpoint("https://up.example/x", key, "a b"),
        ] {
            assert!(matches!(bad.validate(), Err(Error::InvalidInput { .. })));
        }
    }

    #[test]
    fn secrets_and_endpoints_stay_out_of_debug() {
        let registration = GatewayRegistration {
            gateway: "https://gw.example/".into(),
            token: "tok-123".into(),
            secret: "s3cret".into(),
            endpoint_digest: String::new(),
        };
        let shown = format!("{registration:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("tok-123"));
        let shown = format!("{:?}", endpoint("https://up.example/device-42", "k", "a"));
        assert!(!shown.contains("device-42"));
    }
}
