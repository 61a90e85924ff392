//! The app side: register a UnifiedPush endpoint or an APNs device token,
//! delete either, fetch the VAPID key or the APNs settings.
//!
//! Who can do what: the token goes to the Mattermost server inside the
//! device id, so the server (and anyone reading its database) knows it.
//! Knowing it must not allow deleting or redirecting the registration, so
//! deleting needs the separate secret that only the app ever sees.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use url::Url;
use web_push_native::p256::PublicKey;

use crate::app::AppState;
use crate::config::ApnsEnvironment;
use crate::limits::source_address;
use crate::metrics::RefusedBecause;
use crate::redact;
use crate::store::{ApnsTarget, Inserted, RegistrationStore, Target, WebPushTarget};

/// Longer endpoints are not push endpoints (real ones are ~100-200 chars).
const MAX_ENDPOINT_LEN: usize = 2048;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    endpoint: String,
    p256dh: String,
    auth: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("endpoint is not a valid URL")]
    EndpointUnparsable,
    #[error("endpoint is too long")]
    EndpointTooLong,
    #[error("endpoint must be https")]
    EndpointNotHttps,
    #[error("endpoint must not carry credentials or a fragment")]
    EndpointExtras,
    #[error("p256dh must be a base64url uncompressed P-256 public key")]
    BadPublicKey,
    #[error("auth must be 16 bytes, base64url")]
    BadAuthSecret,
}

fn decode_base64url(value: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).ok()
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A registration whose fields are well formed: endpoint, public key
/// bytes, auth secret. Where the endpoint's host points is checked
/// separately (it needs a DNS lookup).
pub type ValidRegistration = (Url, Vec<u8>, [u8; 16]);

pub fn validate(
    request: &RegistrationRequest,
    allow_loopback_http: bool,
) -> Result<ValidRegistration, RegistrationError> {
    if request.endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(RegistrationError::EndpointTooLong);
    }
    let endpoint =
        Url::parse(&request.endpoint).map_err(|_| RegistrationError::EndpointUnparsable)?;
    let scheme_ok = match endpoint.scheme() {
        "https" => endpoint.host().is_some(),
        "http" => allow_loopback_http && is_loopback(&endpoint),
        _ => false,
    };
    if !scheme_ok {
        return Err(RegistrationError::EndpointNotHttps);
    }
    if !endpoint.username().is_empty()
        || endpoint.password().is_some()
        || endpoint.fragment().is_some()
    {
        return Err(RegistrationError::EndpointExtras);
    }
    let p256dh = decode_base64url(&request.p256dh).ok_or(RegistrationError::BadPublicKey)?;
    // RFC 8291 section 3.4 uses the uncompressed form in the key derivation.
    if p256dh.len() != 65 || p256dh[0] != 0x04 || PublicKey::from_sec1_bytes(&p256dh).is_err() {
        return Err(RegistrationError::BadPublicKey);
    }
    let auth: [u8; 16] = decode_base64url(&request.auth)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(RegistrationError::BadAuthSecret)?;
    Ok((endpoint, p256dh, auth))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn body_error(rejection: &JsonRejection, expected: &str) -> Response {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    }
    error(StatusCode::BAD_REQUEST, expected)
}

/// Registers a push endpoint. Checked in order of cost: the body, the
/// caller's rate, the endpoint's DNS, then the per-endpoint count in the
/// insert itself.
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<RegistrationRequest>, JsonRejection>,
) -> Response {
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => return body_error(&rejection, "expected JSON {endpoint, p256dh, auth}"),
    };
    let (endpoint, p256dh, auth) =
        match validate(&request, state.config.allow_loopback_http_endpoints) {
            Ok(valid) => valid,
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
        };
    if let Some(refused) = rate_refusal(&state, peer, &headers) {
        return refused;
    }
    if let Err(e) = state
        .egress
        .check_endpoint(&endpoint, state.lookup.as_ref())
        .await
    {
        state
            .metrics
            .count_refused_registration(RefusedBecause::Endpoint);
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    let host = redact::endpoint_host(&endpoint);
    let target = Target::WebPush(WebPushTarget {
        endpoint,
        p256dh,
        auth,
    });
    insert(&state, target, &host).await
}

/// The refusal when the caller's address has used up its registrations.
fn rate_refusal(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Option<Response> {
    let limits = &state.config.limits;
    let source = source_address(peer, headers, &limits.trusted_proxies);
    let wait = state.registration_rate.take(source, Instant::now()).err()?;
    tracing::info!("registration rate exceeded");
    state
        .metrics
        .count_refused_registration(RefusedBecause::Rate);
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        "too many registrations from this address, try again later",
    );
    let seconds = wait.as_secs().max(1).to_string();
    if let Ok(value) = HeaderValue::from_str(&seconds) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    Some(response)
}

/// Stores the registration and answers with its token and secret.
async fn insert(state: &AppState, target: Target, push_service: &str) -> Response {
    let limits = &state.config.limits;
    match state
        .store
        .insert(target, limits.registrations_per_endpoint)
        .await
    {
        Ok(Inserted::Created(credentials)) => {
            tracing::info!(
                registration = %redact::fingerprint(&credentials.token),
                %push_service,
                "registered"
            );
            state.metrics.count_registration();
            (
                StatusCode::CREATED,
                Json(json!({ "token": credentials.token, "secret": credentials.secret })),
            )
                .into_response()
        }
        Ok(Inserted::EndpointFull) => {
            state
                .metrics
                .count_refused_registration(RefusedBecause::EndpointFull);
            error(
                StatusCode::CONFLICT,
                "this push endpoint has too many registrations; delete old ones first",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "registration failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
    }
}

/// What the iOS app sends: the device token APNs gave it, and which APNs
/// environment its build uses (so that a development build's token is
/// refused here rather than removed later as a bad token).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApnsRegistrationRequest {
    device_token: String,
    #[serde(default)]
    environment: Option<String>,
}

/// Device tokens are 32 bytes today; Apple says they may grow.
const APNS_TOKEN_HEX: std::ops::RangeInclusive<usize> = 64..=200;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApnsRegistrationError {
    #[error("device_token must be the APNs device token in hex")]
    BadDeviceToken,
    #[error("this gateway delivers to the {0} APNs environment")]
    WrongEnvironment(&'static str),
}

/// The device token in lowercase hex, checked against the gateway's
/// environment.
pub fn validate_apns(
    request: &ApnsRegistrationRequest,
    environment: ApnsEnvironment,
) -> Result<ApnsTarget, ApnsRegistrationError> {
    let token = request.device_token.trim();
    let hex = APNS_TOKEN_HEX.contains(&token.len())
        && token.len() % 2 == 0
        && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex {
        return Err(ApnsRegistrationError::BadDeviceToken);
    }
    if let Some(asked) = &request.environment {
        if asked != environment.as_str() {
            return Err(ApnsRegistrationError::WrongEnvironment(
                environment.as_str(),
            ));
        }
    }
    Ok(ApnsTarget {
        device_token: token.to_ascii_lowercase(),
    })
}

fn apns_not_configured() -> Response {
    error(
        StatusCode::NOT_IMPLEMENTED,
        "this gateway does not deliver to APNs",
    )
}

/// Registers an iOS install's APNs device token: the same checks as a
/// push endpoint, except that there is no host to look up (all go to
/// Apple).
pub async fn register_apns(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<ApnsRegistrationRequest>, JsonRejection>,
) -> Response {
    let (Some(settings), Some(apns)) = (&state.config.apns, &state.apns) else {
        return apns_not_configured();
    };
    let request = match body {
        Ok(Json(request)) => request,
        Err(rejection) => {
            return body_error(&rejection, "expected JSON {device_token, environment?}")
        }
    };
    let target = match validate_apns(&request, settings.environment) {
        Ok(target) => target,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    if let Some(refused) = rate_refusal(&state, peer, &headers) {
        return refused;
    }
    let host = apns.host().to_owned();
    insert(&state, Target::Apns(target), &host).await
}

/// Whether this gateway delivers to APNs, to which environment and topic:
/// the app checks before registering.
pub async fn apns_info(State(state): State<AppState>) -> Response {
    match &state.config.apns {
        Some(settings) => Json(json!({
            "environment": settings.environment.as_str(),
            "topic": settings.topic,
        }))
        .into_response(),
        None => apns_not_configured(),
    }
}

pub async fn unregister(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <secret> required",
        );
    };
    let fingerprint = redact::fingerprint(&token);
    match state.store.delete_with_secret(&token, secret).await {
        Ok(true) => {
            tracing::info!(registration = %fingerprint, "unregistered by the app");
            state.metrics.count_unregistration();
            StatusCode::NO_CONTENT.into_response()
        }
        // Unknown token and wrong secret look the same from outside.
        Ok(false) => error(StatusCode::NOT_FOUND, "no such registration"),
        Err(e) => {
            tracing::error!(error = %e, "unregistration failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
        }
    }
}

pub async fn vapid_key(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "public_key": state.vapid.public_key() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    use web_push_native::p256::SecretKey;

    fn key(compressed: bool) -> String {
        let mut rng = web_push_native::p256::elliptic_curve::rand_core::OsRng;
        let secret = SecretKey::random(&mut rng);
        URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(compressed).as_bytes())
    }

    fn request(endpoint: &str) -> RegistrationRequest {
        RegistrationRequest {
            endpoint: endpoint.into(),
            p256dh: key(false),
            auth: URL_SAFE_NO_PAD.encode([3u8; 16]),
        }
    }

    #[test]
    fn accepts_https_endpoints_with_valid_keys() {
        let (endpoint, p256dh, auth) =
            validate(&request("https://ntfy.schule.example/upXyZ?up=1"), false).unwrap();
        assert_eq!(endpoint.host_str(), Some("ntfy.schule.example"));
        assert_eq!(p256dh.len(), 65);
        assert_eq!(auth, [3; 16]);
        let mut padded = request("https://push.example/x");
        padded.auth = base64::engine::general_purpose::URL_SAFE.encode([3u8; 16]);
        assert!(validate(&padded, false).is_ok());
    }

    #[test]
    fn plain_http_only_on_loopback_and_only_when_allowed() {
        assert_eq!(
            validate(&request("http://127.0.0.1:9000/up"), false).unwrap_err(),
            RegistrationError::EndpointNotHttps
        );
        assert!(validate(&request("http://127.0.0.1:9000/up"), true).is_ok());
        assert!(validate(&request("http://[::1]:9000/up"), true).is_ok());
        assert_eq!(
            validate(&request("http://10.0.0.5/up"), true).unwrap_err(),
            RegistrationError::EndpointNotHttps
        );
        assert!(validate(&request("https://127.0.0.1:9000/up"), true).is_ok());
        assert_eq!(
            validate(&request("file:///etc/passwd"), true).unwrap_err(),
            RegistrationError::EndpointNotHttps
        );
    }

    #[test]
    fn apns_device_tokens_are_hex_of_the_gateways_environment() {
        let request = |token: &str, environment: Option<&str>| ApnsRegistrationRequest {
            device_token: token.into(),
            environment: environment.map(str::to_owned),
        };
        let token = "A0".repeat(32);
        let target = validate_apns(&request(&token, None), ApnsEnvironment::Production).unwrap();
        assert_eq!(target.device_token, "a0".repeat(32));
        assert!(validate_apns(&request(&token, Some("sandbox")), ApnsEnvironment::Sandbox).is_ok());
        assert_eq!(
            validate_apns(
                &request(&token, Some("sandbox")),
                ApnsEnvironment::Production
            ),
            Err(ApnsRegistrationError::WrongEnvironment("production"))
        );
        for bad in [
            "",
            "abc",
            &"a0".repeat(16),
            &"zz".repeat(32),
            &"a".repeat(65),
            &"a0".repeat(101),
        ] {
            assert_eq!(
                validate_apns(&request(bad, None), ApnsEnvironment::Production),
                Err(ApnsRegistrationError::BadDeviceToken),
                "{bad}"
            );
        }
        assert_eq!(
            validate_apns(
                &request("../../3/device/x", None),
                ApnsEnvironment::Production
            ),
            Err(ApnsRegistrationError::BadDeviceToken)
        );
    }

    #[test]
    fn refuses_hostile_endpoints_and_keys() {
        assert_eq!(
            validate(&request("not a url"), false).unwrap_err(),
            RegistrationError::EndpointUnparsable
        );
        let long = format!("https://push.example/{}", "a".repeat(3000));
        assert_eq!(
            validate(&request(&long), false).unwrap_err(),
            RegistrationError::EndpointTooLong
        );
        assert_eq!(
            validate(&request("https://user:pw@push.example/x"), false).unwrap_err(),
            RegistrationError::EndpointExtras
        );
        let mut compressed = request("https://push.example/x");
        compressed.p256dh = key(true);
        assert_eq!(
            validate(&compressed, false).unwrap_err(),
            RegistrationError::BadPublicKey
        );
        let mut not_on_curve = request("https://push.example/x");
        not_on_curve.p256dh = URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert_eq!(
            validate(&not_on_curve, false).unwrap_err(),
            RegistrationError::BadPublicKey
        );
        let mut short_auth = request("https://push.example/x");
        short_auth.auth = URL_SAFE_NO_PAD.encode([1u8; 8]);
        assert_eq!(
            validate(&short_auth, false).unwrap_err(),
            RegistrationError::BadAuthSecret
        );
        let mut garbage = request("https://push.example/x");
        garbage.auth = "!!!".into();
        assert_eq!(
            validate(&garbage, false).unwrap_err(),
            RegistrationError::BadAuthSecret
        );
    }
}
