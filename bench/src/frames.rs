//! A websocket server that speaks just enough of Mattermost's socket to
//! feed a client `posted` events as fast as it takes them: it answers the
//! authentication challenge and pings, says `hello`, then sends whatever
//! frames it is given and notes when each went out.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// One `posted` frame and the post id it carries.
#[derive(Debug, Clone)]
pub struct PostedFrame {
    pub post_id: String,
    pub text: String,
}

/// Renders a `posted` event the way the server sends it (the post as a
/// JSON string inside `data`).
pub fn posted_frame(
    seq: i64,
    post_id: &str,
    channel_id: &str,
    team_id: &str,
    user_id: &str,
    create_at: i64,
    message: &str,
) -> PostedFrame {
    let post = json!({
        "id": post_id, "create_at": create_at, "update_at": create_at, "edit_at": 0,
        "delete_at": 0, "is_pinned": false, "user_id": user_id, "channel_id": channel_id,
        "root_id": "", "original_id": "", "message": message, "type": "", "props": {},
        "hashtags": "", "pending_post_id": "", "reply_count": 0, "last_reply_at": 0,
        "metadata": {},
    });
    let frame = json!({
        "event": "posted",
        "data": {
            "channel_display_name": "", "channel_name": "", "channel_type": "O",
            "post": post.to_string(), "sender_name": "@bench", "set_online": true,
            "team_id": team_id,
        },
        "broadcast": {"omit_users": null, "user_id": "", "channel_id": channel_id, "team_id": ""},
        "seq": seq,
    });
    PostedFrame {
        post_id: post_id.to_owned(),
        text: frame.to_string(),
    }
}

/// A 26-character Mattermost-style id, unique per `n` within a run.
pub fn bench_id(run: u32, n: u64) -> String {
    format!("bench{run:05}{n:016}").chars().take(26).collect()
}

enum Command {
    Send {
        frames: Vec<PostedFrame>,
        done: oneshot::Sender<()>,
    },
}

/// The frame server; one client connection at a time.
pub struct FrameServer {
    addr: SocketAddr,
    commands: mpsc::UnboundedSender<Command>,
    sent_at: Arc<Mutex<std::collections::HashMap<String, Instant>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FrameServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FrameServer {
    pub async fn start() -> anyhow::Result<FrameServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (commands, mut rx) = mpsc::unbounded_channel::<Command>();
        let sent_at: Arc<Mutex<std::collections::HashMap<String, Instant>>> = Arc::default();
        let stamps = sent_at.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
                    continue;
                };
                if serve(socket, &mut rx, &stamps).await.is_err() {
                    continue;
                }
            }
        });
        Ok(FrameServer {
            addr,
            commands,
            sent_at,
            task,
        })
    }

    /// The base URL a client is configured with (`/api/v4/websocket` is
    /// appended by the client).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends the frames back to back; returns once all are written.
    pub async fn send(&self, frames: Vec<PostedFrame>) -> anyhow::Result<()> {
        let (done, finished) = oneshot::channel();
        self.commands
            .send(Command::Send { frames, done })
            .map_err(|_| anyhow::anyhow!("frame server stopped"))?;
        finished.await.context("frame server lost the connection")
    }

    /// When the frame with this post went out.
    pub fn sent_at(&self, post_id: &str) -> Option<Instant> {
        self.sent_at.lock().ok()?.get(post_id).copied()
    }
}

async fn serve(
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    sent_at: &Mutex<std::collections::HashMap<String, Instant>>,
) -> anyhow::Result<()> {
    let (mut out, mut incoming) = socket.split();
    let (replies_tx, mut replies) = mpsc::unbounded_channel::<String>();
    // Challenge and pings are answered "OK" with their seq.
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = incoming.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(action) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            if let Some(seq) = action.get("seq").and_then(Value::as_i64) {
                let reply = json!({"status": "OK", "seq_reply": seq, "data": {"text": "pong"}});
                if replies_tx.send(reply.to_string()).is_err() {
                    return;
                }
            }
        }
    });
    let hello = json!({
        "event": "hello",
        "data": {"connection_id": "benchconnection", "server_version": "10.11.0"},
        "broadcast": {"omit_users": null, "user_id": "", "channel_id": "", "team_id": ""},
        "seq": 0,
    });
    out.send(Message::text(hello.to_string())).await?;
    let result = loop {
        tokio::select! {
            reply = replies.recv() => {
                let Some(reply) = reply else { break Ok(()) };
                out.send(Message::text(reply)).await?;
            }
            command = commands.recv() => {
                let Some(Command::Send { frames, done }) = command else { break Ok(()) };
                for frame in frames {
                    let now = Instant::now();
                    if let Ok(mut stamps) = sent_at.lock() {
                        stamps.insert(frame.post_id, now);
                    }
                    out.feed(Message::text(frame.text)).await?;
                }
                out.flush().await?;
                let _ = done.send(());
            }
        }
    };
    reader.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use pausenhof_core::realtime::events::{decode_frame, Event, Frame};

    #[test]
    fn posted_frames_decode_as_the_client_decodes_them() {
        let frame = posted_frame(
            5,
            &bench_id(1, 42),
            "c1",
            "t1",
            "u1",
            1_700_000_000_000,
            "Hallo",
        );
        let Frame::Event(event) = decode_frame(&frame.text).unwrap() else {
            panic!("not an event");
        };
        assert_eq!(event.seq, Some(5));
        let Ok(Event::Posted { post, .. }) = event.event else {
            panic!("not a post: {:?}", event.event);
        };
        assert_eq!(post.id, frame.post_id);
        assert_eq!(post.channel_id, "c1");
        assert_eq!(post.message, "Hallo");
    }

    #[test]
    fn ids_are_26_characters_and_unique() {
        assert_eq!(bench_id(3, 7).len(), 26);
        assert_ne!(bench_id(3, 7), bench_id(3, 8));
        assert_ne!(bench_id(3, 7), bench_id(4, 7));
    }
}
