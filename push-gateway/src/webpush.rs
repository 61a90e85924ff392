//! Delivery to a push service: RFC 8030 request, RFC 8291 encryption
//! (web-push-native, RustCrypto underneath), RFC 8292 VAPID, and the
//! UnifiedPush server rules for answers.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use web_push_native::p256::PublicKey;
use web_push_native::Auth;

use crate::config::DeliverySettings;
use crate::egress::{CheckedResolver, EgressPolicy, Lookup};
use crate::redact;
use crate::store::WebPushTarget;
use crate::vapid::VapidKey;

/// UnifiedPush servers must accept at least this many bytes of (encrypted)
/// body; we never send more.
pub const MAX_ENCRYPTED_BYTES: usize = 4096;

/// RFC 8030 section 5.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    High,
}

impl Urgency {
    fn header_value(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// What happened to one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// 2xx: the push service took it.
    Accepted,
    /// 404/410: the subscription is gone for good.
    Gone,
    /// 413 from the push service, or the body would exceed 4096 bytes.
    TooLarge,
    /// 429 that outlasted our retry budget; stay away until then.
    RateLimited { until: SystemTime },
    /// A 3xx: never followed (the endpoint is the app's, not the push
    /// service's choice to change).
    Redirected { status: u16 },
    /// Any other answer, after retries where retrying makes sense.
    Rejected { status: u16 },
    /// No answer: connection refused, timeout, TLS failure.
    Unreachable,
    /// The stored keys cannot be used for encryption.
    BadKeys,
    /// The endpoint is an internal address (stored before the policy
    /// changed, or written into the database by hand).
    Forbidden,
}

pub struct WebPushSender {
    client: reqwest::Client,
    policy: EgressPolicy,
    vapid: Arc<VapidKey>,
    settings: DeliverySettings,
}

pub(crate) fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientSetupError(String);

/// Waits before retry `attempt` (1-based) when the push service gave no
/// `Retry-After`.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.saturating_sub(1).min(10)))
}

/// `Retry-After` as seconds or an HTTP date (RFC 9110 section 10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

impl WebPushSender {
    /// Every name is resolved through `lookup` and only addresses `policy`
    /// permits are connected to; proxies from the environment are ignored,
    /// as they would resolve names where the check cannot see.
    pub fn new(
        vapid: Arc<VapidKey>,
        settings: DeliverySettings,
        policy: EgressPolicy,
        lookup: Arc<dyn Lookup>,
    ) -> Result<WebPushSender, ClientSetupError> {
        let tls = tls_config().map_err(|e| ClientSetupError(e.to_string()))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver::new(policy, lookup)))
            .connect_timeout(settings.request_timeout())
            .timeout(settings.request_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "pausenhof-push-gateway/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ClientSetupError(e.to_string()))?;
        Ok(WebPushSender {
            client,
            policy,
            vapid,
            settings,
        })
    }

    /// Encrypts `payload` for the registration and posts it, retrying 429
    /// and 5xx answers within the configured budget.
    pub async fn deliver(
        &self,
        registration: &WebPushTarget,
        payload: &[u8],
        ttl: Duration,
        urgency: Urgency,
    ) -> Delivery {
        // IP literals never reach the resolver, so they are checked here.
        if !self.policy.permits_literal(&registration.endpoint) {
            return Delivery::Forbidden;
        }
        let Ok(public_key) = PublicKey::from_sec1_bytes(&registration.p256dh) else {
            return Delivery::BadKeys;
        };
        let auth = Auth::clone_from_slice(&registration.auth);
        let Ok(body) = web_push_native::encrypt(payload.to_vec(), &public_key, &auth) else {
            return Delivery::BadKeys;
        };
        if body.len() > MAX_ENCRYPTED_BYTES {
            tracing::warn!(bytes = body.len(), "push too large, not sent");
            return Delivery::TooLarge;
        }
        let Ok(authorization) = self
            .vapid
            .authorization(&registration.endpoint, Duration::from_secs(12 * 60 * 60))
        else {
            return Delivery::BadKeys;
        };
        let host = redact::endpoint_host(&registration.endpoint);
        let mut waited = Duration::ZERO;
        let mut attempt = 1;
        loop {
            let sent = self
                .client
                .post(registration.endpoint.clone())
                .header("TTL", ttl.as_secs().to_string())
                .header("Urgency", urgency.header_value())
                .header(CONTENT_ENCODING, "aes128gcm")
                .header(CONTENT_TYPE, "application/octet-stream")
                .header(AUTHORIZATION, &authorization)
                .body(body.clone())
                .send()
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) => {
                    tracing::warn!(
                        push_service = %host,
                        timeout = e.is_timeout(),
                        connect = e.is_connect(),
                        "push service unreachable"
                    );
                    return Delivery::Unreachable;
                }
            };
            let status = response.status();
            let now = SystemTime::now();
            let asked_pause = retry_after(response.headers(), now);
            drop(response);
            match status {
                s if s.is_success() => return Delivery::Accepted,
                StatusCode::NOT_FOUND | StatusCode::GONE => return Delivery::Gone,
                StatusCode::PAYLOAD_TOO_LARGE => {
                    tracing::error!(push_service = %host, "push service says the push is too large");
                    return Delivery::TooLarge;
                }
                s if s.is_redirection() => {
                    tracing::warn!(push_service = %host, status = s.as_u16(), "redirect not followed");
                    return Delivery::Redirected { status: s.as_u16() };
                }
                s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                    let pause = asked_pause.unwrap_or_else(|| backoff(attempt));
                    let out_of_budget = attempt >= self.settings.max_attempts
                        || waited + pause > self.settings.max_retry_wait();
                    if out_of_budget {
                        tracing::warn!(
                            push_service = %host,
                            status = s.as_u16(),
                            attempts = attempt,
                            "push service still refusing, giving up for now"
                        );
                        return if s == StatusCode::TOO_MANY_REQUESTS {
                            Delivery::RateLimited { until: now + pause }
                        } else {
                            Delivery::Rejected { status: s.as_u16() }
                        };
                    }
                    tracing::debug!(push_service = %host, status = s.as_u16(), ?pause, "retrying");
                    tokio::time::sleep(pause).await;
                    waited += pause;
                    attempt += 1;
                }
                s => {
                    tracing::warn!(push_service = %host, status = s.as_u16(), "push refused");
                    return Delivery::Rejected { status: s.as_u16() };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    use axum::extract::State;
    use axum::http::{HeaderMap as AxumHeaders, StatusCode as AxumStatus};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::Router;
    use url::Url;
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    use web_push_native::p256::SecretKey;

    type Answer = (u16, Vec<(&'static str, String)>);
    type SeenRequest = (AxumHeaders, Vec<u8>);

    /// A push service that answers from a script and records requests.
    #[derive(Clone, Default)]
    struct Script {
        answers: Arc<Mutex<Vec<Answer>>>,
        seen: Arc<Mutex<Vec<SeenRequest>>>,
        redirect_target_hits: Arc<Mutex<u32>>,
    }

    async fn push(
        State(script): State<Script>,
        headers: AxumHeaders,
        body: axum::body::Bytes,
    ) -> Response {
        script.seen.lock().unwrap().push((headers, body.to_vec()));
        let next = {
            let mut answers = script.answers.lock().unwrap();
            if answers.is_empty() {
                (201, vec![])
            } else {
                answers.remove(0)
            }
        };
        let mut response = AxumStatus::from_u16(next.0).unwrap().into_response();
        for (name, value) in next.1 {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        response
    }

    async fn redirect_target(State(script): State<Script>) -> AxumStatus {
        *script.redirect_target_hits.lock().unwrap() += 1;
        AxumStatus::CREATED
    }

    struct Fixture {
        script: Script,
        base: String,
        secret: SecretKey,
        auth: [u8; 16],
        vapid: Arc<VapidKey>,
    }

    async fn fixture() -> Fixture {
        let script = Script::default();
        let app = Router::new()
            .route("/push/{id}", post(push))
            .route("/elsewhere", post(redirect_target))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut rng = web_push_native::p256::elliptic_curve::rand_core::OsRng;
        Fixture {
            script,
            base,
            secret: SecretKey::random(&mut rng),
            auth: *b"sixteen byte key",
            vapid: Arc::new(VapidKey::generate("mailto:admin@schule.example")),
        }
    }

    /// An empty JSON push, normal urgency, one minute TTL.
    async fn deliver_empty(sender: &WebPushSender, registration: &WebPushTarget) -> Delivery {
        sender
            .deliver(
                registration,
                b"{}",
                Duration::from_secs(60),
                Urgency::Normal,
            )
            .await
    }

    impl Fixture {
        fn registration(&self) -> WebPushTarget {
            WebPushTarget {
                endpoint: Url::parse(&format!("{}/push/device-1", self.base)).unwrap(),
                p256dh: self
                    .secret
                    .public_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
                auth: self.auth,
            }
        }

        fn sender(&self, max_attempts: u32, max_retry_wait_seconds: u64) -> WebPushSender {
            WebPushSender::new(
                self.vapid.clone(),
                DeliverySettings {
                    max_attempts,
                    max_retry_wait_seconds,
                    ..DeliverySettings::default()
                },
                EgressPolicy {
                    allow_loopback: true,
                },
                Arc::new(crate::egress::SystemLookup),
            )
            .unwrap()
        }

        fn answer(&self, status: u16, headers: Vec<(&'static str, String)>) {
            self.script.answers.lock().unwrap().push((status, headers));
        }

        fn requests(&self) -> usize {
            self.script.seen.lock().unwrap().len()
        }
    }

    #[tokio::test]
    async fn accepted_push_is_encrypted_with_rfc8030_headers() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        let outcome = sender
            .deliver(
                &f.registration(),
                br#"{"type":"message"}"#,
                Duration::from_secs(600),
                Urgency::High,
            )
            .await;
        assert_eq!(outcome, Delivery::Accepted);
        let (headers, body) = f.script.seen.lock().unwrap()[0].clone();
        assert_eq!(headers["ttl"], "600");
        assert_eq!(headers["urgency"], "high");
        assert_eq!(headers["content-encoding"], "aes128gcm");
        let authorization = headers["authorization"].to_str().unwrap();
        assert!(authorization.starts_with("vapid t="));
        assert!(authorization.ends_with(f.vapid.public_key()));
        assert!(!String::from_utf8_lossy(&body).contains("message"));
        let auth = Auth::clone_from_slice(&f.auth);
        let plain = web_push_native::decrypt(body, &f.secret, &auth).unwrap();
        assert_eq!(plain, br#"{"type":"message"}"#);
    }

    #[tokio::test]
    async fn gone_and_not_found_mean_gone() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        for status in [404, 410] {
            f.answer(status, vec![]);
            let outcome = deliver_empty(&sender, &f.registration()).await;
            assert_eq!(outcome, Delivery::Gone);
        }
        assert_eq!(f.requests(), 2);
    }

    #[tokio::test]
    async fn too_large_is_never_sent_and_413_is_reported() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        let outcome = sender
            .deliver(
                &f.registration(),
                &[b'x'; 4000],
                Duration::from_secs(60),
                Urgency::Normal,
            )
            .await;
        assert_eq!(outcome, Delivery::TooLarge);
        assert_eq!(f.requests(), 0);
        f.answer(413, vec![]);
        let outcome = deliver_empty(&sender, &f.registration()).await;
        assert_eq!(outcome, Delivery::TooLarge);
    }

    #[tokio::test]
    async fn rate_limit_within_budget_is_retried() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        f.answer(429, vec![("retry-after", "0".into())]);
        f.answer(503, vec![("retry-after", "0".into())]);
        let outcome = deliver_empty(&sender, &f.registration()).await;
        assert_eq!(outcome, Delivery::Accepted);
        assert_eq!(f.requests(), 3);
    }

    #[tokio::test]
    async fn long_retry_after_is_not_waited_for() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        f.answer(429, vec![("retry-after", "3600".into())]);
        let before = SystemTime::now();
        let outcome = deliver_empty(&sender, &f.registration()).await;
        let Delivery::RateLimited { until } = outcome else {
            panic!("expected RateLimited, got {outcome:?}");
        };
        assert!(until >= before + Duration::from_secs(3600));
        assert_eq!(f.requests(), 1);
    }

    #[tokio::test]
    async fn attempts_are_bounded() {
        let f = fixture().await;
        let sender = f.sender(2, 5);
        for _ in 0..3 {
            f.answer(500, vec![("retry-after", "0".into())]);
        }
        let outcome = deliver_empty(&sender, &f.registration()).await;
        assert_eq!(outcome, Delivery::Rejected { status: 500 });
        assert_eq!(f.requests(), 2);
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        f.answer(308, vec![("location", format!("{}/elsewhere", f.base))]);
        let outcome = deliver_empty(&sender, &f.registration()).await;
        assert_eq!(outcome, Delivery::Redirected { status: 308 });
        assert_eq!(*f.script.redirect_target_hits.lock().unwrap(), 0);
    }

    #[tokio::test]
    async fn refused_connection_and_bad_keys_are_typed() {
        let f = fixture().await;
        let sender = f.sender(3, 5);
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = closed.local_addr().unwrap();
        drop(closed);
        let mut registration = f.registration();
        registration.endpoint = Url::parse(&format!("http://{addr}/push/x")).unwrap();
        let outcome = deliver_empty(&sender, &registration).await;
        assert_eq!(outcome, Delivery::Unreachable);
        let mut registration = f.registration();
        registration.p256dh = vec![4; 65];
        let outcome = deliver_empty(&sender, &registration).await;
        assert_eq!(outcome, Delivery::BadKeys);
    }

    #[tokio::test]
    async fn internal_ip_literals_are_never_posted_to() {
        let f = fixture().await;
        let strict = WebPushSender::new(
            f.vapid.clone(),
            DeliverySettings::default(),
            EgressPolicy::default(),
            Arc::new(crate::egress::SystemLookup),
        )
        .unwrap();
        let outcome = deliver_empty(&strict, &f.registration()).await;
        assert_eq!(outcome, Delivery::Forbidden);
        assert_eq!(f.requests(), 0);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(120)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert(RETRY_AFTER, later.parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers, now), None);
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(3), Duration::from_secs(1));
    }
}
