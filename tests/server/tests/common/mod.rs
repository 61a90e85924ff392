//! Helpers for talking to the test server over raw HTTP and websockets.
#![allow(dead_code)]

use pausenhof_testserver::{Account, ServerConfig, TestServer};
use serde_json::{json, Value};

pub async fn start() -> TestServer {
    start_with(ServerConfig::default()).await
}

pub async fn start_with(config: ServerConfig) -> TestServer {
    TestServer::start(config).await.expect("server starts")
}

pub fn client() -> reqwest::Client {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Api {
    pub fn new(server: &TestServer) -> Api {
        Api {
            base: format!("{}/api/v4", server.url()),
            http: client(),
            token: None,
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let url = format!("{}{}", self.base, path);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }
}

/// Logs in and returns an authenticated client.
pub async fn login(server: &TestServer, account: &Account) -> Api {
    let mut api = Api::new(server);
    let r = api
        .post(
            "/users/login",
            json!({"login_id": account.username, "password": account.password}),
        )
        .await;
    assert_eq!(r.status, 200, "login failed: {}", r.text);
    api.token = Some(
        r.headers
            .get("Token")
            .expect("Token header")
            .to_str()
            .unwrap()
            .to_string(),
    );
    api
}

pub fn channel_id(server: &TestServer, team: &str, channel: &str) -> String {
    server
        .channel_by_name(team, channel)
        .expect("channel exists")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/api/v4/websocket` with an optional Bearer token and query.
pub async fn ws_connect(server: &TestServer, token: Option<&str>, query: &str) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!(
        "{}/api/v4/websocket{}",
        server.url().replace("http://", "ws://"),
        query
    );
    let mut request = url.into_client_request().unwrap();
    if let Some(t) = token {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {t}").parse().unwrap());
    }
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    socket
}

/// The next text frame as JSON; `None` when the socket ends.
pub async fn ws_next(socket: &mut Socket) -> Option<Value> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(t.as_str()).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// The next event (skipping action replies) with the given name.
pub async fn ws_event(socket: &mut Socket, name: &str) -> Value {
    loop {
        let v = ws_next(socket)
            .await
            .unwrap_or_else(|| panic!("socket ended before {name}"));
        if v["event"] == name {
            return v;
        }
    }
}

pub async fn ws_send(socket: &mut Socket, v: Value) {
    use futures_util::SinkExt;
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            v.to_string().into(),
        ))
        .await
        .unwrap();
}

pub fn token_of(api: &Api) -> String {
    api.token.clone().unwrap()
}
