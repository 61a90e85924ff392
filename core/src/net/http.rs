//! The HTTP transport: one reqwest client per TLS setup, limits on time and
//! size, and turning transport failures into typed errors.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::tls::{tls_problem_in_chain, TlsConfigs};
use crate::error::{Error, NetworkProblem};

/// Time and size limits for requests. The defaults suit a phone on a slow
/// school network.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Time to establish TCP + TLS.
    pub connect_timeout: Duration,
    /// Whole-request limit for API calls (connect, send, read the body).
    pub request_timeout: Duration,
    /// Whole-request limit for file uploads and downloads.
    pub transfer_timeout: Duration,
    /// Largest API (JSON) response accepted.
    pub max_response_bytes: u64,
    /// Largest file download accepted.
    pub max_file_bytes: u64,
    /// How often a GET answered with 429 is retried before giving up.
    pub max_rate_limit_retries: u32,
    /// Longest Retry-After we wait for inside a call; longer waits are
    /// returned to the caller as `RateLimited`.
    pub max_rate_limit_wait: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            transfer_timeout: Duration::from_secs(300),
            max_response_bytes: 32 * 1024 * 1024,
            max_file_bytes: 200 * 1024 * 1024,
            max_rate_limit_retries: 3,
            max_rate_limit_wait: Duration::from_secs(10),
        }
    }
}

/// Builds the shared reqwest client: our rustls config, no cookie store
/// (cookies would win over the Bearer header and bring CSRF rules), no
/// redirects (an API answer is never a redirect; following one could leave
/// https), no system proxy discovery surprises.
pub fn build_http_client(tls: &TlsConfigs, limits: &HttpLimits) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .tls_backend_preconfigured((*tls.http).clone())
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Pausenhof/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::internal(format!("HTTP client setup failed: {e}")))
}

/// Maps a reqwest failure to the public error, naming TLS problems.
pub fn classify_transport_error(error: &reqwest::Error) -> Error {
    if let Some(problem) = tls_problem_in_chain(error) {
        return Error::Tls { problem };
    }
    if error.is_timeout() {
        return Error::Network {
            problem: NetworkProblem::Timeout,
        };
    }
    if error.is_connect() {
        return Error::Offline;
    }
    if error.is_body() || error.is_decode() || error.is_request() {
        return Error::Network {
            problem: NetworkProblem::ConnectionLost,
        };
    }
    Error::Network {
        problem: NetworkProblem::Other,
    }
}

/// Reads a response body, stopping with `ResponseTooLarge` as soon as it
/// passes `cap` (the declared length is checked first, so a hostile size
/// is refused before any download).
pub async fn read_body_capped(mut response: reqwest::Response, cap: u64) -> Result<Bytes, Error> {
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(Error::ResponseTooLarge { limit: cap });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| classify_transport_error(&e))?
    {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(Error::ResponseTooLarge { limit: cap });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses `Retry-After` (seconds; HTTP dates are rare for rate limits and
/// treated as unknown).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The path for logs: fixed API words kept, everything else (ids, names,
/// emoji, search terms) replaced by `{id}` so no user data reaches a log.
pub fn path_template(path: &str) -> String {
    const WORDS: &[&str] = &[
        "api",
        "v4",
        "users",
        "me",
        "teams",
        "channels",
        "members",
        "posts",
        "files",
        "thumbnail",
        "preview",
        "info",
        "link",
        "preferences",
        "system",
        "ping",
        "config",
        "client",
        "license",
        "login",
        "logout",
        "sso",
        "code-exchange",
        "email",
        "verify",
        "send",
        "patch",
        "ids",
        "usernames",
        "status",
        "unread",
        "thread",
        "threads",
        "read",
        "categories",
        "order",
        "view",
        "search",
        "reactions",
        "direct",
        "group",
        "notify_props",
        "commands",
        "execute",
        "sessions",
        "device",
        "pinned",
        "websocket",
        "image",
        "emoji",
        "name",
        "username",
        "mfa",
        "password",
        "reset",
        "autocomplete",
        "stats",
        "timezones",
        "scheme",
        "roles",
        "ack",
        "notifications",
        "set_unread",
        "follow",
        "following",
    ];
    let (path, _query) = path.split_once('?').unwrap_or((path, ""));
    path.split('/')
        .map(|segment| {
            if segment.is_empty() || WORDS.contains(&segment) {
                segment
            } else {
                "{id}"
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_template_hides_ids_and_names() {
        assert_eq!(
            path_template("/channels/8k3zh5jhd3g6pdf4u4b8r7hh3a/posts?before=x"),
            "/channels/{id}/posts"
        );
        assert_eq!(
            path_template("/users/me/posts/abc/reactions/thumbsup"),
            "/users/me/posts/{id}/reactions/{id}"
        );
        assert_eq!(
            path_template("/users/username/anna.schmidt"),
            "/users/username/{id}"
        );
        assert_eq!(path_template("/system/ping"), "/system/ping");
    }

    #[test]
    fn retry_after_parses_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
