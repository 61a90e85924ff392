//! `ApiClient`: the shared handle every REST call goes through (base URL,
//! reqwest client, token, limits), with error decoding, bounded 429 retries
//! for reads, session-expiry detection and one tracing span per request.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::watch;
use tracing::Instrument;

use super::errors::error_from_response;
use crate::error::{Error, Result};
use crate::net::http::{classify_transport_error, path_template, read_body_capped, retry_after};
use crate::net::{HttpLimits, ServerUrl};
use crate::session::{SessionState, SessionToken};

/// Cheap to clone; all clones share the token and session state.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    server: ServerUrl,
    http: reqwest::Client,
    limits: HttpLimits,
    token: RwLock<Option<SessionToken>>,
    /// Where a 401 on an authenticated call is reported. Only flips
    /// `SignedIn { user_id }` for the user this client is signed in as, so
    /// a late answer for a previous account cannot touch the current one.
    session: Option<(Arc<watch::Sender<SessionState>>, RwLock<String>)>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("server", &self.inner.server)
            .field("has_token", &self.has_token())
            .finish()
    }
}

/// A request body.
pub enum Body {
    Empty,
    Json(Vec<u8>),
    Multipart(reqwest::multipart::Form),
}

/// A successful answer before decoding.
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Per-request options.
#[derive(Debug, Clone, Copy)]
pub struct RequestOptions {
    /// Send the Bearer token (and treat a 401 as an ended session).
    pub authenticated: bool,
    /// Largest accepted body; `None` = the API default.
    pub max_bytes: Option<u64>,
    /// Use the long transfer timeout (uploads, downloads).
    pub transfer: bool,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            authenticated: true,
            max_bytes: None,
            transfer: false,
        }
    }
}

impl RequestOptions {
    pub fn anonymous() -> Self {
        RequestOptions {
            authenticated: false,
            ..Self::default()
        }
    }
}

impl ApiClient {
    pub fn new(server: ServerUrl, http: reqwest::Client, limits: HttpLimits) -> Self {
        ApiClient {
            inner: Arc::new(Inner {
                server,
                http,
                limits,
                token: RwLock::new(None),
                session: None,
            }),
        }
    }

    /// A client that reports ended sessions of `user_id` to `session`.
    pub fn with_session(
        server: ServerUrl,
        http: reqwest::Client,
        limits: HttpLimits,
        token: SessionToken,
        user_id: String,
        session: Arc<watch::Sender<SessionState>>,
    ) -> Self {
        ApiClient {
            inner: Arc::new(Inner {
                server,
                http,
                limits,
                token: RwLock::new(Some(token)),
                session: Some((session, RwLock::new(user_id))),
            }),
        }
    }

    pub fn server(&self) -> &ServerUrl {
        &self.inner.server
    }

    pub fn limits(&self) -> &HttpLimits {
        &self.inner.limits
    }

    pub fn has_token(&self) -> bool {
        self.inner
            .token
            .read()
            .map(|t| t.is_some())
            .unwrap_or(false)
    }

    pub(crate) fn token(&self) -> Option<SessionToken> {
        self.inner.token.read().ok().and_then(|t| t.clone())
    }

    pub(crate) fn set_token(&self, token: Option<SessionToken>) {
        if let Ok(mut slot) = self.inner.token.write() {
            *slot = token;
        }
    }

    fn report_session_ended(&self) {
        let Some((sender, user_id)) = &self.inner.session else {
            return;
        };
        let Ok(user_id) = user_id.read() else { return };
        sender.send_if_modified(|state| match state {
            SessionState::SignedIn { user_id: current } if *current == *user_id => {
                *state = SessionState::Expired {
                    user_id: current.clone(),
                };
                true
            }
            _ => false,
        });
    }

    // ---- typed helpers --------------------------------------------------

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let raw = self
            .send(
                Method::GET,
                path,
                query,
                Body::Empty,
                RequestOptions::default(),
            )
            .await?;
        decode_json(&raw.body)
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let raw = self
            .send(
                Method::POST,
                path,
                &[],
                json_body(body)?,
                RequestOptions::default(),
            )
            .await?;
        decode_json(&raw.body)
    }

    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let raw = self
            .send(
                Method::PUT,
                path,
                &[],
                json_body(body)?,
                RequestOptions::default(),
            )
            .await?;
        decode_json(&raw.body)
    }

    /// POST/PUT/DELETE whose answer body does not matter (`{"status":"OK"}`).
    pub async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<()> {
        let body = match body {
            Some(b) => json_body(b)?,
            None => Body::Empty,
        };
        self.send(method, path, &[], body, RequestOptions::default())
            .await
            .map(|_| ())
    }

    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let raw = self
            .send(
                Method::DELETE,
                path,
                &[],
                Body::Empty,
                RequestOptions::default(),
            )
            .await?;
        decode_json(&raw.body)
    }

    /// Sends one request and returns the successful answer; error answers
    /// become typed errors. GETs answered with 429 are retried a bounded
    /// number of times after `Retry-After`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
        options: RequestOptions,
    ) -> Result<RawResponse> {
        let template = path_template(path);
        let span = tracing::debug_span!(
            "http",
            method = %method,
            path = %template,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            bytes = tracing::field::Empty,
        );
        self.send_inner(method, path, query, body, options)
            .instrument(span)
            .await
    }

    async fn send_inner(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
        options: RequestOptions,
    ) -> Result<RawResponse> {
        let mut url = self.inner.server.api_url(path);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        let cap = options
            .max_bytes
            .unwrap_or(self.inner.limits.max_response_bytes);
        let retryable = method == Method::GET;
        let mut body = Some(body);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let started = Instant::now();
            let this_body = if retryable {
                // GETs carry no body, so a retry needs nothing back.
                Body::Empty
            } else {
                body.take().unwrap_or(Body::Empty)
            };
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header("X-Requested-With", "XMLHttpRequest");
            if options.transfer {
                request = request.timeout(self.inner.limits.transfer_timeout);
            }
            if options.authenticated {
                let token = self.token().ok_or(Error::Unauthorized)?;
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| Error::Unauthorized)?;
                value.set_sensitive(true);
                request = request.header(AUTHORIZATION, value);
            }
            request = match this_body {
                Body::Empty => request,
                Body::Json(bytes) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes),
                Body::Multipart(form) => request.multipart(form),
            };

            let result = self.execute(request, cap).await;
            let span = tracing::Span::current();
            let elapsed = started.elapsed().as_millis() as u64;
            let (status, headers, bytes) = match result {
                Ok(parts) => parts,
                Err(error) => {
                    span.record("duration_ms", elapsed);
                    tracing::debug!(duration_ms = elapsed, error = %error, "http request failed");
                    return Err(error);
                }
            };
            span.record("status", status.as_u16());
            span.record("duration_ms", elapsed);
            span.record("bytes", bytes.len() as u64);
            tracing::debug!(
                status = status.as_u16(),
                duration_ms = elapsed,
                bytes = bytes.len() as u64,
                "http response"
            );

            if status.is_success() {
                return Ok(RawResponse {
                    status,
                    headers,
                    body: bytes,
                });
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = retry_after(&headers);
                let limits = &self.inner.limits;
                let wait_ok = wait.unwrap_or(Duration::from_secs(1)) <= limits.max_rate_limit_wait;
                if retryable && attempt <= limits.max_rate_limit_retries && wait_ok {
                    let pause = wait.unwrap_or(Duration::from_secs(1));
                    tracing::debug!(
                        attempt,
                        wait_ms = pause.as_millis() as u64,
                        "rate limited, retrying"
                    );
                    tokio::time::sleep(pause).await;
                    continue;
                }
                return Err(Error::RateLimited { retry_after: wait });
            }
            let error = error_from_response(status, &bytes, options.authenticated);
            if options.authenticated && matches!(error, Error::SessionExpired) {
                self.report_session_ended();
            }
            return Err(error);
        }
    }

    async fn execute(
        &self,
        request: reqwest::RequestBuilder,
        cap: u64,
    ) -> Result<(StatusCode, HeaderMap, Bytes)> {
        let response = request
            .send()
            .await
            .map_err(|e| classify_transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        // Error bodies are small; cap them tighter so a hostile error page
        // cannot use the full API allowance.
        let cap = if status.is_success() {
            cap
        } else {
            cap.min(64 * 1024)
        };
        let body = match read_body_capped(response, cap).await {
            Ok(body) => body,
            // A huge error page is still the error status we got.
            Err(Error::ResponseTooLarge { .. }) if !status.is_success() => Bytes::new(),
            Err(e) => return Err(e),
        };
        Ok((status, headers, body))
    }
}

pub(crate) fn json_body<B: Serialize + ?Sized>(body: &B) -> Result<Body> {
    serde_json::to_vec(body)
        .map(Body::Json)
        .map_err(|e| Error::internal(format!("request encoding failed: {e}")))
}

/// Decodes a JSON answer; malformed or truncated JSON is `InvalidResponse`
/// (the serde message names position and expectation, never the content).
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "unexpected JSON shape",
            serde_json::error::Category::Io => "read error",
        };
        Error::invalid_response(format!("{kind} at line {} column {}", e.line(), e.column()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_are_typed_and_contain_no_content() {
        let err = decode_json::<crate::model::User>(br#"{"id":"secretvalue""#).unwrap_err();
        assert!(matches!(err, Error::InvalidResponse { .. }));
        assert!(err.to_string().contains("truncated"));
        assert!(!err.to_string().contains("secretvalue"));
        let err = decode_json::<crate::model::User>(b"<html>").unwrap_err();
        assert!(err.to_string().contains("malformed"));
        let err = decode_json::<crate::model::User>(br#"{"id":5}"#).unwrap_err();
        assert!(err.to_string().contains("shape"));
    }
}
