//! A small Mattermost REST client for seeding, checking and recording.
//! Tokens are kept out of every error message and of `Debug` output.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .field("authenticated", &self.token.is_some())
            .finish()
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The JSON body; a non-JSON body as a string; no body as null.
    pub body: Value,
}

impl Reply {
    /// The Mattermost error id of an error reply, for messages.
    fn describe(&self) -> String {
        match self.body.get("id").and_then(Value::as_str) {
            Some(id) => format!("{} {id}", self.status),
            None => format!("{} {}", self.status, self.body),
        }
    }
}

impl Api {
    pub fn new(base: &str) -> Result<Self> {
        // reqwest is built without a bundled TLS provider; the harness only
        // speaks plain HTTP on loopback, but the client wants one installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("could not build the HTTP client")?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub fn anonymous(&self) -> Self {
        Self {
            token: None,
            ..self.clone()
        }
    }

    /// Sends a request to `/api/v4{path}` and returns whatever came back.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Reply> {
        let url = format!("{}/api/v4{path}", self.base);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path} failed to get an answer"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("{method} {path}: reading the body failed"))?;
        Ok(Reply {
            status,
            headers,
            body: parse_body(&bytes),
        })
    }

    /// Like [`Api::call`], failing unless the status is `expected`.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        expected: u16,
    ) -> Result<Value> {
        let reply = self.call(method.clone(), path, body).await?;
        if reply.status != expected {
            bail!(
                "{method} {path}: expected {expected}, got {}",
                reply.describe()
            );
        }
        Ok(reply.body)
    }

    pub async fn get(&self, path: &str) -> Result<Value> {
        self.expect(Method::GET, path, None, 200).await
    }

    pub async fn post(&self, path: &str, body: Value, expected: u16) -> Result<Value> {
        self.expect(Method::POST, path, Some(&body), expected).await
    }

    /// Logs in and returns a client carrying the session token plus the user.
    pub async fn login(&self, login_id: &str, password: &str) -> Result<(Api, Value)> {
        let reply = self
            .call(
                Method::POST,
                "/users/login",
                Some(&json!({"login_id": login_id, "password": password})),
            )
            .await?;
        if reply.status != 200 {
            bail!("login as {login_id} failed: {}", reply.describe());
        }
        let token = reply
            .headers
            .get("token")
            .and_then(|value| value.to_str().ok())
            .context("login answered without a Token header")?;
        Ok((self.with_token(token), reply.body))
    }
}

fn parse_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// One request over the server's local-mode socket, where the caller acts
/// as the system (used once, to create the first admin verified).
/// HTTP/1.0 keeps the answer unchunked and the connection one-shot.
pub fn local_mode_request(
    socket: &Path,
    method: &str,
    path: &str,
    body: &Value,
) -> Result<(u16, Value)> {
    let mut stream = UnixStream::connect(socket)
        .with_context(|| format!("could not connect to {}", socket.display()))?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    let body = serde_json::to_vec(body)?;
    write!(
        stream,
        "{method} /api/v4{path} HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    let mut answer = Vec::new();
    stream.take(16 * 1024 * 1024).read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .context("local-mode answer without a header end")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .context("local-mode answer without a status")?;
    Ok((status, parse_body(body.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn local_mode_requests_parse_status_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("mm.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = vec![0; 4096];
            let read = stream.read(&mut request).unwrap();
            let request = String::from_utf8_lossy(&request[..read]).into_owned();
            stream
                .write_all(b"HTTP/1.0 201 Created\r\nContent-Type: application/json\r\n\r\n{\"id\":\"u1\"}")
                .unwrap();
            request
        });
        let (status, body) =
            local_mode_request(&socket, "POST", "/users", &json!({"username": "a"})).unwrap();
        assert_eq!(status, 201);
        assert_eq!(body["id"], "u1");
        let request = server.join().unwrap();
        assert!(
            request.starts_with("POST /api/v4/users HTTP/1.0\r\n"),
            "{request}"
        );
        assert!(request.ends_with("{\"username\":\"a\"}"), "{request}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let api = Api::new("http://127.0.0.1:1")
            .unwrap()
            .with_token("secret-token-value");
        let shown = format!("{api:?}");
        assert!(!shown.contains("secret-token-value"), "{shown}");
    }

    #[test]
    fn bodies_that_are_not_json_are_kept_as_text() {
        assert_eq!(parse_body(b""), Value::Null);
        assert_eq!(parse_body(b"{\"a\":1}"), json!({"a": 1}));
        assert_eq!(
            parse_body(b"404 page not found"),
            json!("404 page not found")
        );
    }
}
