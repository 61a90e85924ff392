//! A minimal websocket reader for the smoke check and the recordings.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// No single event may take longer than this to arrive.
const FRAME_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    /// Connects to `/api/v4/websocket`, authenticated by the Bearer header
    /// when a token is given.
    pub async fn connect(base: &str, token: Option<&str>) -> Result<Self> {
        let url = format!("{}/api/v4/websocket", base.replacen("http", "ws", 1));
        let mut request = url.as_str().into_client_request()?;
        if let Some(token) = token {
            request
                .headers_mut()
                .insert("Authorization", format!("Bearer {token}").parse()?);
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .context("websocket connect failed")?;
        Ok(Self { stream })
    }

    pub async fn send(&mut self, message: &Value) -> Result<()> {
        self.stream
            .send(Message::text(message.to_string()))
            .await
            .context("websocket send failed")
    }

    /// The next JSON text frame.
    pub async fn next_json(&mut self) -> Result<Value> {
        loop {
            let frame = tokio::time::timeout(FRAME_TIMEOUT, self.stream.next())
                .await
                .context("no websocket frame arrived in time")?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .context("websocket frame is not JSON")
                }
                Some(Ok(Message::Close(_))) | None => bail!("the server closed the websocket"),
                Some(Ok(_)) => continue,
                Some(Err(error)) => return Err(error).context("websocket read failed"),
            }
        }
    }

    /// Skips frames until an event with this name arrives.
    pub async fn next_event(&mut self, name: &str) -> Result<Value> {
        loop {
            let frame = self.next_json().await?;
            if frame["event"] == name {
                return Ok(frame);
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
