//! Delivery to Apple's push service (APNs) for the iOS app.
//!
//! Token-based authentication: every request carries a provider token, an
//! ES256 JWT signed with the app publisher's `.p8` key (RustCrypto p256).
//! Requests go over HTTP/2 (`/3/device/<device token>`) as alert pushes
//! with `mutable-content`, so the app's notification service extension
//! wakes, fetches the message from the school's server and shows it. The
//! payload holds the same ids as a Web Push, never text: what Apple
//! forwards is a neutral alert the extension replaces.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::DecodePrivateKey;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use url::Url;

use crate::config::{ApnsSettings, DeliverySettings};
use crate::payload::{OutgoingPush, PushKind};
use crate::store::ApnsTarget;
use crate::webpush::{backoff, retry_after, Delivery};

/// APNs refuses payloads above this (alert pushes, RFC-less Apple limit).
pub const MAX_PAYLOAD_BYTES: usize = 4096;

/// Apple refuses a provider token older than an hour and one refreshed
/// more often than every 20 minutes; renewing at 40 keeps clear of both.
pub const TOKEN_REFRESH_AFTER: Duration = Duration::from_secs(40 * 60);
/// Apple's lower bound: a younger token is never replaced, even when
/// APNs calls it expired (then the clock is wrong, and a new token would
/// only earn `TooManyProviderTokenUpdates`).
pub const TOKEN_MIN_AGE: Duration = Duration::from_secs(20 * 60);

/// APNs answers with `{"reason": "..."}`; more than this is not an answer.
const MAX_ANSWER_BYTES: usize = 4096;

/// The app's localised text for the alert iOS shows when the extension
/// cannot replace it (`Localizable.strings`).
pub const ALERT_LOC_KEY: &str = "notification_new_message";

#[derive(Debug, thiserror::Error)]
pub enum ApnsError {
    #[error("cannot read the APNs key {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the APNs key {0} is not a PKCS#8 PEM P-256 key (an AuthKey_<key id>.p8 file)")]
    Malformed(String),
    #[error("cannot set up the APNs HTTP client: {0}")]
    Client(String),
}

/// The signing key and the provider token currently in use. `Debug`
/// shows the ids only.
pub struct ProviderToken {
    key: SigningKey,
    key_id: String,
    team_id: String,
    current: Mutex<Option<(String, SystemTime)>>,
}

impl std::fmt::Debug for ProviderToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderToken")
            .field("key_id", &self.key_id)
            .field("team_id", &self.team_id)
            .finish_non_exhaustive()
    }
}

impl ProviderToken {
    /// Reads the publisher's `.p8` key.
    pub fn load(path: &Path, key_id: &str, team_id: &str) -> Result<ProviderToken, ApnsError> {
        let pem = std::fs::read_to_string(path).map_err(|source| ApnsError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .map_err(|_| ApnsError::Malformed(path.display().to_string()))?;
        Ok(ProviderToken::new(key, key_id, team_id))
    }

    pub fn new(key: SigningKey, key_id: &str, team_id: &str) -> ProviderToken {
        ProviderToken {
            key,
            key_id: key_id.to_owned(),
            team_id: team_id.to_owned(),
            current: Mutex::new(None),
        }
    }

    /// The token for a request at `now`: the one in use while it is
    /// younger than [`TOKEN_REFRESH_AFTER`], else a new one.
    pub fn at(&self, now: SystemTime) -> String {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, issued)) = current.as_ref() {
            // A clock that went back leaves the token in use.
            let age = now.duration_since(*issued).unwrap_or(Duration::ZERO);
            if age < TOKEN_REFRESH_AFTER {
                return token.clone();
            }
        }
        let issued = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        let token = self.sign(issued);
        *current = Some((token.clone(), UNIX_EPOCH + Duration::from_secs(issued)));
        token
    }

    /// APNs said `ExpiredProviderToken` for `token`: drop it unless it is
    /// younger than Apple lets us replace. True when a new one will come.
    pub fn expired(&self, token: &str, now: SystemTime) -> bool {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        match current.as_ref() {
            Some((in_use, issued)) if in_use == token => {
                let age = now.duration_since(*issued).unwrap_or(Duration::ZERO);
                if age >= TOKEN_MIN_AGE {
                    *current = None;
                    true
                } else {
                    false
                }
            }
            // Another request already replaced it.
            _ => true,
        }
    }

    /// `{"alg":"ES256","kid":...}.{"iss":...,"iat":...}`, signed: the
    /// claims Apple asks for and nothing else.
    fn sign(&self, issued_at: u64) -> String {
        let header = json!({ "alg": "ES256", "kid": self.key_id });
        let claims = json!({ "iss": self.team_id, "iat": issued_at });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        // JWS wants r || s (64 bytes), which is p256's fixed encoding.
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }
}

/// The JSON body for one push: `aps` for iOS, the ids beside it for the
/// app (the same fields as a Web Push, the badge included, so core
/// decodes both alike).
///
/// Messages (and session and test pushes) are alerts with
/// `mutable-content`, so the extension runs; the alert itself is the
/// app's localised "new message". Clear and badge pushes carry only the
/// badge: nothing to show, nothing to wake the extension for.
pub fn payload(push: &OutgoingPush) -> Option<Vec<u8>> {
    let mut aps = serde_json::Map::new();
    if wakes_extension(push.kind) {
        aps.insert("alert".into(), json!({ "loc-key": ALERT_LOC_KEY }));
        aps.insert("mutable-content".into(), json!(1));
        aps.insert("sound".into(), json!("default"));
    }
    if let Some(badge) = push.badge {
        aps.insert("badge".into(), json!(badge));
    }
    if aps.is_empty() {
        return None;
    }
    let mut body = match serde_json::to_value(push) {
        Ok(Value::Object(ids)) => ids,
        _ => serde_json::Map::new(),
    };
    body.insert("aps".into(), Value::Object(aps));
    serde_json::to_vec(&body).ok()
}

fn wakes_extension(kind: PushKind) -> bool {
    match kind {
        PushKind::Message | PushKind::Session | PushKind::Test => true,
        PushKind::Clear | PushKind::UpdateBadge => false,
    }
}

/// `apns-priority`: 10 delivers at once, 5 when it suits the device's
/// power budget (enough for a badge).
fn priority(kind: PushKind) -> &'static str {
    if wakes_extension(kind) {
        "10"
    } else {
        "5"
    }
}

/// Reads at most [`MAX_ANSWER_BYTES`] of an answer and its `reason`.
async fn reason(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            break;
        }
        body.extend_from_slice(&chunk);
    }
    let reason = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("reason")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    // Apple's reasons are short CamelCase words; anything else is not
    // logged as it came.
    if reason.len() <= 64 && reason.bytes().all(|b| b.is_ascii_alphanumeric()) {
        reason
    } else {
        String::new()
    }
}

pub struct ApnsSender {
    client: reqwest::Client,
    base: Url,
    host: String,
    topic: String,
    token: Arc<ProviderToken>,
    settings: DeliverySettings,
}

impl std::fmt::Debug for ApnsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApnsSender")
            .field("host", &self.host)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl ApnsSender {
    /// Reads the key the settings name and builds the HTTP/2 client.
    pub fn from_settings(
        apns: &ApnsSettings,
        delivery: DeliverySettings,
    ) -> Result<ApnsSender, ApnsError> {
        let token = ProviderToken::load(&apns.key, &apns.key_id, &apns.team_id)?;
        ApnsSender::new(apns.base(), &apns.topic, Arc::new(token), delivery)
    }

    /// A sender to `base` (an origin). The address is the admin's choice,
    /// not a registration's, so it is not put through the egress check.
    pub fn new(
        base: Url,
        topic: &str,
        token: Arc<ProviderToken>,
        settings: DeliverySettings,
    ) -> Result<ApnsSender, ApnsError> {
        let mut tls = crate::webpush::tls_config().map_err(|e| ApnsError::Client(e.to_string()))?;
        tls.alpn_protocols = vec![b"h2".to_vec()];
        // APNs speaks HTTP/2 only; one connection carries many streams, so
        // the lane's in-flight limit is what bounds concurrency.
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .http2_prior_knowledge()
            .no_proxy()
            .connect_timeout(settings.request_timeout())
            .timeout(settings.request_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "pausenhof-push-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ApnsError::Client(e.to_string()))?;
        let host = crate::redact::endpoint_host(&base);
        Ok(ApnsSender {
            client,
            base,
            host,
            topic: topic.to_owned(),
            token,
            settings,
        })
    }

    /// The lane every APNs delivery shares (one host for all devices).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Posts `push` to the device, retrying 429 and 5xx within the
    /// configured budget and once with a new provider token when APNs
    /// calls the current one expired.
    pub async fn deliver(
        &self,
        device: &ApnsTarget,
        push: &OutgoingPush,
        ttl: Duration,
    ) -> Delivery {
        let Some(body) = payload(push) else {
            // A clear or badge push without a badge changes nothing on iOS.
            tracing::debug!(kind = push.kind.as_str(), "nothing for APNs to show");
            return Delivery::Accepted;
        };
        if body.len() > MAX_PAYLOAD_BYTES {
            tracing::warn!(bytes = body.len(), "APNs push too large, not sent");
            return Delivery::TooLarge;
        }
        let Ok(url) = self.base.join(&format!("3/device/{}", device.device_token)) else {
            return Delivery::BadKeys;
        };
        let expiration = SystemTime::now()
            .checked_add(ttl)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        let mut renewed_token = false;
        loop {
            let token = self.token.at(SystemTime::now());
            let sent = self
                .client
                .post(url.clone())
                .header(AUTHORIZATION, format!("bearer {token}"))
                .header("apns-push-type", "alert")
                .header("apns-topic", &self.topic)
                .header("apns-priority", priority(push.kind))
                .header("apns-expiration", expiration.to_string())
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) => {
                    tracing::warn!(
                        push_service = %self.host,
                        timeout = e.is_timeout(),
                        connect = e.is_connect(),
                        "APNs unreachable"
                    );
                    return Delivery::Unreachable;
                }
            };
            let status = response.status();
            let now = SystemTime::now();
            let asked_pause = retry_after(response.headers(), now);
            if status.is_success() {
                return Delivery::Accepted;
            }
            let reason = reason(response).await;
            match status {
                StatusCode::GONE => return Delivery::Gone,
                StatusCode::BAD_REQUEST if reason == "BadDeviceToken" => return Delivery::Gone,
                StatusCode::PAYLOAD_TOO_LARGE => return Delivery::TooLarge,
                StatusCode::FORBIDDEN
                    if reason == "ExpiredProviderToken"
                        && !renewed_token
                        && self.token.expired(&token, now) =>
                {
                    tracing::info!(push_service = %self.host, "APNs provider token expired, renewing");
                    renewed_token = true;
                }
                s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                    let pause = asked_pause.unwrap_or_else(|| backoff(attempt));
                    let out_of_budget = attempt >= self.settings.max_attempts
                        || waited + pause > self.settings.max_retry_wait();
                    if out_of_budget {
                        tracing::warn!(
                            push_service = %self.host,
                            status = s.as_u16(),
                            %reason,
                            attempts = attempt,
                            "APNs still refusing, giving up for now"
                        );
                        return if s == StatusCode::TOO_MANY_REQUESTS {
                            Delivery::RateLimited { until: now + pause }
                        } else {
                            Delivery::Rejected { status: s.as_u16() }
                        };
                    }
                    tracing::debug!(push_service = %self.host, status = s.as_u16(), ?pause, "retrying");
                    tokio::time::sleep(pause).await;
                    waited += pause;
                    attempt += 1;
                }
                s => {
                    // The reasons that are the gateway's fault (a wrong
                    // key id, team or topic) must reach the admin.
                    tracing::error!(
                        push_service = %self.host,
                        status = s.as_u16(),
                        %reason,
                        "APNs refused the push"
                    );
                    return Delivery::Rejected { status: s.as_u16() };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::IncomingPush;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;
    use p256::elliptic_curve::rand_core::OsRng;
    use p256::pkcs8::{EncodePrivateKey, LineEnding};

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn push(kind: &str, badge: Option<i64>) -> OutgoingPush {
        IncomingPush {
            kind: kind.into(),
            server_id: "93mykbogbjfrbbdqphx3zhze5c".into(),
            device_id: "x".repeat(43),
            post_id: "p1p1p1p1p1p1p1p1p1p1p1p1p1".into(),
            channel_id: "c1c1c1c1c1c1c1c1c1c1c1c1c1".into(),
            badge,
            ..IncomingPush::default()
        }
        .minimise()
        .unwrap()
    }

    #[test]
    fn provider_token_is_an_es256_jwt_of_the_p8_key() {
        let key = SigningKey::random(&mut OsRng);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AuthKey_ABC123DEFG.p8");
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        std::fs::write(&path, pem.as_bytes()).unwrap();
        let provider = ProviderToken::load(&path, "ABC123DEFG", "TEAM123456").unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let token = provider.at(now);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode(parts[0]),
            json!({"alg": "ES256", "kid": "ABC123DEFG"})
        );
        assert_eq!(
            decode(parts[1]),
            json!({"iss": "TEAM123456", "iat": 1_800_000_000})
        );
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let public = VerifyingKey::from(&key);
        let signed = format!("{}.{}", parts[0], parts[1]);
        public.verify(signed.as_bytes(), &signature).unwrap();
        let other = VerifyingKey::from(&SigningKey::random(&mut OsRng));
        assert!(other.verify(signed.as_bytes(), &signature).is_err());
        assert!(!format!("{provider:?}").contains("PRIVATE"));
    }

    #[test]
    fn provider_token_is_renewed_between_twenty_and_sixty_minutes() {
        let provider = ProviderToken::new(SigningKey::random(&mut OsRng), "ABC123DEFG", "T1");
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let first = provider.at(start);
        assert_eq!(provider.at(start + Duration::from_secs(39 * 60)), first);
        let renewed = provider.at(start + TOKEN_REFRESH_AFTER);
        assert_ne!(renewed, first);
        assert!(TOKEN_REFRESH_AFTER >= TOKEN_MIN_AGE);
        assert!(TOKEN_REFRESH_AFTER < Duration::from_secs(60 * 60));
        // A clock that went back keeps the token.
        assert_eq!(provider.at(start), renewed);
    }

    #[test]
    fn an_expired_token_is_replaced_only_when_apple_allows() {
        let provider = ProviderToken::new(SigningKey::random(&mut OsRng), "ABC123DEFG", "T1");
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let token = provider.at(start);
        assert!(!provider.expired(&token, start + Duration::from_secs(60)));
        assert_eq!(provider.at(start + Duration::from_secs(61)), token);
        let later = start + TOKEN_MIN_AGE;
        assert!(provider.expired(&token, later));
        assert_ne!(provider.at(later), token);
    }

    #[test]
    fn message_payload_is_a_mutable_alert_with_ids_only() {
        let body = payload(&push("message", Some(3))).unwrap();
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            value,
            json!({
                "aps": {
                    "alert": {"loc-key": ALERT_LOC_KEY},
                    "mutable-content": 1,
                    "sound": "default",
                    "badge": 3
                },
                "type": "message",
                "server_id": "93mykbogbjfrbbdqphx3zhze5c",
                "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
                "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
                "badge": 3
            })
        );
        assert_eq!(priority(PushKind::Message), "10");
    }

    #[test]
    fn clear_and_badge_pushes_carry_the_badge_only() {
        let value: Value =
            serde_json::from_slice(&payload(&push("clear", Some(0))).unwrap()).unwrap();
        assert_eq!(value["aps"], json!({"badge": 0}));
        assert_eq!(value["channel_id"], "c1c1c1c1c1c1c1c1c1c1c1c1c1");
        assert_eq!(priority(PushKind::Clear), "5");
        assert_eq!(payload(&push("update_badge", None)), None);
    }

    #[test]
    fn a_garbage_key_file_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("AuthKey.p8");
        std::fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        assert!(matches!(
            ProviderToken::load(&path, "ABC123DEFG", "TEAM123456"),
            Err(ApnsError::Malformed(_))
        ));
        assert!(matches!(
            ProviderToken::load(&dir.path().join("missing.p8"), "A", "B"),
            Err(ApnsError::Io { .. })
        ));
    }
}
