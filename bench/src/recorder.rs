//! A recording HTTP proxy on loopback: clients under test talk to it, it
//! forwards to the test server and notes every exchange with its timing
//! and size. Every client in a comparison (ours, the download floor, the
//! official JavaScript client) goes through it, so its cost is the same
//! for all of them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::body::Body;
use axum::extract::ws::{self, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderName, StatusCode};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

use crate::exchange::Exchange;

/// Largest request or response body the proxy passes on.
const MAX_BODY_BYTES: usize = 256 << 20;

/// Request headers kept in a recording (and replayed by the floor).
const REPLAYED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "x-requested-with",
];

pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
}

/// A running proxy. Dropping it stops it.
pub struct Recorder {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Starts a proxy on 127.0.0.1:0 in front of `upstream` (a base URL
    /// without trailing slash).
    pub async fn start(upstream: &str) -> anyhow::Result<Recorder> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(plain_tls_config()?)
            .build()
            .context("building the proxy's HTTP client")?;
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http,
            exchanges: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .route("/api/v4/websocket", axum::routing::get(bridge_websocket))
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Recorder { shared, addr, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Everything recorded since the last call, in the order answers were
    /// complete.
    pub fn take(&self) -> Vec<Exchange> {
        self.shared
            .exchanges
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default()
    }
}

/// Loopback needs no certificates, but reqwest wants a TLS setup: the
/// core's own.
pub fn plain_tls_config() -> anyhow::Result<rustls::ClientConfig> {
    let configs = pausenhof_core::net::build_tls_configs(&[])?;
    Ok((*configs.http).clone())
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    match try_forward(&shared, request).await {
        Ok(response) => response,
        Err(error) => bad_gateway(&format!("{error:#}")),
    }
}

async fn try_forward(shared: &Shared, request: Request) -> anyhow::Result<Response> {
    let started_us = now_us();
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await?;
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())?;
    let mut outgoing = shared
        .http
        .request(method, format!("{}{path}", shared.upstream));
    let mut replayed = Vec::new();
    for name in REPLAYED_HEADERS {
        for value in parts.headers.get_all(*name) {
            if let Ok(text) = value.to_str() {
                outgoing = outgoing.header(*name, text);
                replayed.push(((*name).to_owned(), text.to_owned()));
            }
        }
    }
    let answer = outgoing.body(body.clone()).send().await?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await?;
    shared
        .exchanges
        .lock()
        .map_err(|_| anyhow::anyhow!("recording lock poisoned"))?
        .push(Exchange {
            method: parts.method.as_str().to_owned(),
            path,
            headers: replayed,
            body: body.to_vec(),
            status,
            response_bytes: bytes.len() as u64,
            started_us,
            finished_us: now_us(),
        });
    let mut response = Response::builder().status(status);
    for (name, value) in &headers {
        if !is_hop_by_hop(name) {
            response = response.header(name.as_str(), value.as_bytes());
        }
    }
    Ok(response.body(Body::from(bytes))?)
}

/// The websocket goes through too (an app's catch-up is a socket and
/// requests), recorded as one exchange: its upgrade.
async fn bridge_websocket(
    State(shared): State<Arc<Shared>>,
    upgrade: WebSocketUpgrade,
    request: Request,
) -> Response {
    let started_us = now_us();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let upstream_url = format!("{}{path}", shared.upstream).replacen("http", "ws", 1);
    let mut upstream_request = match upstream_url.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => return bad_gateway(&e.to_string()),
    };
    if let Some(auth) = request.headers().get("authorization") {
        upstream_request
            .headers_mut()
            .insert("authorization", auth.clone());
    }
    let upstream = match tokio_tungstenite::connect_async(upstream_request).await {
        Ok((socket, _)) => socket,
        Err(tungstenite::Error::Http(answer)) => {
            return Response::builder()
                .status(answer.status().as_u16())
                .body(Body::empty())
                .unwrap_or_default()
        }
        Err(e) => return bad_gateway(&e.to_string()),
    };
    if let Ok(mut exchanges) = shared.exchanges.lock() {
        exchanges.push(Exchange {
            method: "GET".to_owned(),
            path,
            headers: Vec::new(),
            body: Vec::new(),
            status: 101,
            response_bytes: 0,
            started_us,
            finished_us: now_us(),
        });
    }
    upgrade.on_upgrade(move |client| pump_websocket(client, upstream))
}

/// Passes frames both ways until either side closes.
async fn pump_websocket(
    client: WebSocket,
    upstream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) {
    let (mut to_client, mut from_client) = client.split();
    let (mut to_upstream, mut from_upstream) = upstream.split();
    let up = async {
        while let Some(Ok(message)) = from_client.next().await {
            let message = match message {
                ws::Message::Text(t) => tungstenite::Message::text(t.as_str()),
                ws::Message::Binary(b) => tungstenite::Message::binary(b),
                ws::Message::Ping(b) => tungstenite::Message::Ping(b),
                ws::Message::Pong(b) => tungstenite::Message::Pong(b),
                ws::Message::Close(_) => break,
            };
            if to_upstream.send(message).await.is_err() {
                break;
            }
        }
        let _ = to_upstream.close().await;
    };
    let down = async {
        while let Some(Ok(message)) = from_upstream.next().await {
            let message = match message {
                tungstenite::Message::Text(t) => ws::Message::text(t.as_str()),
                tungstenite::Message::Binary(b) => ws::Message::Binary(b),
                tungstenite::Message::Ping(b) => ws::Message::Ping(b),
                tungstenite::Message::Pong(b) => ws::Message::Pong(b),
                tungstenite::Message::Close(_) | tungstenite::Message::Frame(_) => break,
            };
            if to_client.send(message).await.is_err() {
                break;
            }
        }
        let _ = to_client.close().await;
    };
    // Either side ending ends both.
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

fn bad_gateway(reason: &str) -> Response {
    Response::builder()
        .status(StatusCode::BAD_GATEWAY)
        .body(Body::from(format!("bench proxy: {reason}")))
        .unwrap_or_default()
}

fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "transfer-encoding" | "content-length" | "keep-alive" | "upgrade"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};

    async fn upstream() -> (String, tokio::task::JoinHandle<()>) {
        let app = axum::Router::new()
            .route("/big", get(|| async { "x".repeat(100_000) }))
            .route(
                "/echo",
                post(|headers: http::HeaderMap, body: String| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    (StatusCode::CREATED, format!("{auth}|{body}"))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (url, task)
    }

    #[tokio::test]
    async fn forwards_and_records_sizes_headers_and_times() {
        let (upstream_url, _server) = upstream().await;
        let recorder = Recorder::start(&upstream_url).await.unwrap();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(plain_tls_config().unwrap())
            .build()
            .unwrap();
        let big = client
            .get(format!("{}/big?page=1", recorder.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(big.status(), 200);
        assert_eq!(big.bytes().await.unwrap().len(), 100_000);
        let echo = client
            .post(format!("{}/echo", recorder.url()))
            .header("authorization", "Bearer t0k")
            .body("[\"id1\"]")
            .send()
            .await
            .unwrap();
        assert_eq!(echo.status(), 201);
        assert_eq!(echo.text().await.unwrap(), "Bearer t0k|[\"id1\"]");

        let recorded = recorder.take();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0].path, "/big?page=1");
        assert_eq!(recorded[0].response_bytes, 100_000);
        assert!(recorded[0].started_us <= recorded[0].finished_us);
        assert!(recorded[0].happened_before(&recorded[1]));
        assert_eq!(recorded[1].method, "POST");
        assert_eq!(recorded[1].status, 201);
        assert_eq!(recorded[1].body, b"[\"id1\"]");
        assert!(recorded[1]
            .headers
            .contains(&("authorization".to_owned(), "Bearer t0k".to_owned())));
        assert!(recorder.take().is_empty());
    }

    #[tokio::test]
    async fn an_unreachable_upstream_is_a_bad_gateway() {
        let recorder = Recorder::start("http://127.0.0.1:1").await.unwrap();
        let answer = reqwest::Client::builder()
            .tls_backend_preconfigured(plain_tls_config().unwrap())
            .build()
            .unwrap()
            .get(format!("{}/x", recorder.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 502);
        assert!(recorder.take().is_empty());
    }
}
