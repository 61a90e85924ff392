//! The websocket: connections with sequence numbers, dead queues for resume,
//! and the socket task that speaks Mattermost's client actions.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::events::{with_seq, Event};
use crate::ids::Id;
use crate::shared::Shared;

/// Events a connection remembers after it wrote them.
pub const DEAD_QUEUE_SIZE: usize = 128;
/// Events kept for a disconnected connection before it is given up.
pub const SEND_QUEUE_SIZE: usize = 256;
const PING_INTERVAL: Duration = Duration::from_secs(60);

enum Outgoing {
    Text(String),
    /// Cut the socket without a close frame.
    Kill,
}

struct Live {
    tx: mpsc::UnboundedSender<Outgoing>,
    socket: u64,
}

struct Connection {
    user_id: Id,
    next_seq: i64,
    dead_queue: VecDeque<(i64, String)>,
    /// Events (rendered without seq) that arrived while disconnected.
    missed: VecDeque<String>,
    overflowed: bool,
    live: Option<Live>,
    disconnected_at: Option<Instant>,
}

impl Connection {
    fn new(user_id: Id) -> Connection {
        Connection {
            user_id,
            next_seq: 0,
            dead_queue: VecDeque::new(),
            missed: VecDeque::new(),
            overflowed: false,
            live: None,
            disconnected_at: None,
        }
    }

    /// Numbers an event, remembers it and hands it to the socket.
    fn write(&mut self, rendered: &str) {
        let text = with_seq(rendered, self.next_seq);
        self.dead_queue.push_back((self.next_seq, text.clone()));
        if self.dead_queue.len() > DEAD_QUEUE_SIZE {
            self.dead_queue.pop_front();
        }
        self.next_seq += 1;
        if let Some(live) = &self.live {
            let _ = live.tx.send(Outgoing::Text(text));
        }
    }

    fn deliver(&mut self, rendered: String) {
        if self.live.is_some() {
            self.write(&rendered);
        } else if self.missed.len() < SEND_QUEUE_SIZE {
            self.missed.push_back(rendered);
        } else {
            self.overflowed = true;
        }
    }
}

struct HubInner {
    connections: HashMap<String, Connection>,
    next_socket: u64,
}

pub struct Hub {
    inner: Mutex<HubInner>,
    ttl: Duration,
}

/// What a new socket was registered as.
struct Registered {
    connection_id: String,
    socket: u64,
    rx: mpsc::UnboundedReceiver<Outgoing>,
}

impl Hub {
    pub fn new(ttl: Duration) -> Hub {
        Hub {
            inner: Mutex::new(HubInner {
                connections: HashMap::new(),
                next_socket: 1,
            }),
            ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn prune(&self, inner: &mut HubInner) {
        let ttl = self.ttl;
        inner
            .connections
            .retain(|_, c| c.live.is_some() || c.disconnected_at.is_none_or(|t| t.elapsed() < ttl));
    }

    pub fn publish(&self, event: &Event) {
        let rendered = event.render_without_seq();
        let mut inner = self.lock();
        self.prune(&mut inner);
        for conn in inner.connections.values_mut() {
            if event.should_reach(conn.user_id) {
                conn.deliver(rendered.clone());
            }
        }
    }

    /// Registers a socket: resumes `connection_id` at `sequence` when the
    /// events from there on are still known, else starts a new connection
    /// with a `hello`.
    fn register(
        &self,
        user_id: Id,
        resume: Option<(String, i64)>,
        server_version: &str,
    ) -> Registered {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        self.prune(&mut inner);
        let socket = inner.next_socket;
        inner.next_socket += 1;
        let live = Live { tx, socket };

        if let Some((id, seq)) = resume {
            if let Some(conn) = inner.connections.get_mut(&id) {
                if conn.user_id == user_id && !conn.overflowed {
                    if let Some(old) = conn.live.take() {
                        let _ = old.tx.send(Outgoing::Kill);
                    }
                    let replay_from_dead_queue: Option<Vec<String>> = if seq == conn.next_seq {
                        Some(Vec::new())
                    } else if conn.dead_queue.iter().any(|(s, _)| *s == seq) {
                        Some(
                            conn.dead_queue
                                .iter()
                                .filter(|(s, _)| *s >= seq)
                                .map(|(_, t)| t.clone())
                                .collect(),
                        )
                    } else {
                        None
                    };
                    if let Some(replay) = replay_from_dead_queue {
                        for text in replay {
                            let _ = live.tx.send(Outgoing::Text(text));
                        }
                        conn.live = Some(live);
                        conn.disconnected_at = None;
                        let missed: Vec<String> = conn.missed.drain(..).collect();
                        for rendered in missed {
                            conn.write(&rendered);
                        }
                        return Registered {
                            connection_id: id,
                            socket,
                            rx,
                        };
                    }
                }
                // The sequence is gone: the client lost events.
                if conn.user_id == user_id {
                    inner.connections.remove(&id);
                }
            }
        }

        let connection_id = Id::random().to_string();
        let mut conn = Connection::new(user_id);
        conn.live = Some(live);
        let hello = Event::to_user(
            "hello",
            user_id,
            json!({"connection_id": connection_id, "server_version": server_version, "server_hostname": "pausenhof-testserver"}),
        );
        conn.write(&hello.render_without_seq());
        inner.connections.insert(connection_id.clone(), conn);
        Registered {
            connection_id,
            socket,
            rx,
        }
    }

    fn unregister(&self, connection_id: &str, socket: u64) {
        let mut inner = self.lock();
        if let Some(conn) = inner.connections.get_mut(connection_id) {
            if conn.live.as_ref().is_some_and(|l| l.socket == socket) {
                conn.live = None;
                conn.disconnected_at = Some(Instant::now());
            }
        }
    }

    /// Cuts every socket; the connections (and dead queues) stay.
    pub fn drop_all(&self) {
        let mut inner = self.lock();
        for conn in inner.connections.values_mut() {
            if let Some(live) = conn.live.take() {
                let _ = live.tx.send(Outgoing::Kill);
                conn.disconnected_at = Some(Instant::now());
            }
        }
    }

    /// Cuts every socket and forgets every connection, as a restart does.
    pub fn forget_all(&self) {
        self.drop_all();
        self.lock().connections.clear();
    }

    /// Number of sockets currently open.
    pub fn live_count(&self) -> usize {
        self.lock()
            .connections
            .values()
            .filter(|c| c.live.is_some())
            .count()
    }
}

#[derive(serde::Deserialize)]
pub struct WsParams {
    connection_id: Option<String>,
    sequence_number: Option<i64>,
}

pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let header_user = crate::auth::bearer_token(&headers)
        .and_then(|token| crate::auth::session_user(&shared, &token));
    let resume = match (params.connection_id, params.sequence_number) {
        (Some(id), Some(seq)) if !id.is_empty() => Some((id, seq)),
        _ => None,
    };
    ws.max_message_size(1 << 20)
        .on_upgrade(move |socket| run_socket(shared, socket, header_user, resume))
}

fn reply(seq: i64, ok: bool, data: Option<Value>) -> String {
    let mut v = json!({"status": if ok { "OK" } else { "FAIL" }, "seq_reply": seq});
    if let Some(d) = data {
        v["data"] = d;
    }
    if !ok {
        v["error"] = json!({"id": "api.web_socket_router.bad_action.app_error", "message": "Invalid action."});
    }
    v.to_string()
}

async fn run_socket(
    shared: Arc<Shared>,
    mut socket: WebSocket,
    header_user: Option<Id>,
    resume: Option<(String, i64)>,
) {
    let (user_id, challenge_seq) = match header_user {
        Some(u) => (u, None),
        None => match wait_for_challenge(&shared, &mut socket).await {
            Some((u, seq)) => (u, Some(seq)),
            None => return,
        },
    };
    let Registered {
        connection_id,
        socket: socket_no,
        mut rx,
    } = shared.hub.register(user_id, resume, &shared.config.version);
    // The real server sends `hello` (or the replayed events) before it
    // answers anything: its writer drains the dead queue first.
    while let Ok(out) = rx.try_recv() {
        let Outgoing::Text(text) = out else { return };
        if socket.send(Message::Text(text.into())).await.is_err() {
            shared.hub.unregister(&connection_id, socket_no);
            return;
        }
    }
    if let Some(seq) = challenge_seq {
        if socket
            .send(Message::Text(reply(seq, true, None).into()))
            .await
            .is_err()
        {
            shared.hub.unregister(&connection_id, socket_no);
            return;
        }
    }
    {
        let mut state = shared.state();
        // Connecting makes the user online (silently: status changes are
        // polled by other users).
        let _ = state.set_status(user_id, "online", false);
    }
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.tick().await;
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                // Dropping the socket cuts the TCP connection.
                Some(Outgoing::Kill) | None => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(answer) = handle_action(&shared, user_id, text.as_str()) {
                        if socket.send(Message::Text(answer.into())).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    shared.hub.unregister(&connection_id, socket_no);
}

/// Waits for a valid `authentication_challenge`; returns the user and the
/// challenge's seq (its OK is sent once the connection is registered).
async fn wait_for_challenge(shared: &Arc<Shared>, socket: &mut WebSocket) -> Option<(Id, i64)> {
    let deadline = tokio::time::sleep(shared.config.websocket_auth_timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return None,
            incoming = socket.recv() => {
                let Some(Ok(Message::Text(text))) = incoming else {
                    match incoming {
                        Some(Ok(_)) => continue,
                        _ => return None,
                    }
                };
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                let seq = v["seq"].as_i64().unwrap_or(0);
                if v["action"] != "authentication_challenge" {
                    continue;
                }
                let user = v["data"]["token"]
                    .as_str()
                    .and_then(|t| crate::auth::session_user(shared, t));
                match user {
                    Some(u) => return Some((u, seq)),
                    None => {
                        let _ = socket.send(Message::Text(reply(seq, false, None).into())).await;
                    }
                }
            }
        }
    }
}

/// Answers one client action; `None` when there is nothing to answer.
fn handle_action(shared: &Arc<Shared>, user_id: Id, text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    // Frames that are not requests are ignored, like undecodable ones.
    let action = v.get("action")?.as_str()?;
    let seq = v["seq"].as_i64().unwrap_or(0);
    let data = &v["data"];
    match action {
        "user_typing" => {
            let channel = data["channel_id"].as_str().and_then(Id::parse)?;
            let parent = data["parent_id"].as_str().unwrap_or("").to_string();
            let event = {
                let state = shared.state();
                if !state.is_member(channel, user_id) {
                    return Some(reply(seq, false, None));
                }
                Event::to_channel(
                    "typing",
                    channel,
                    state.channel_member_ids(channel),
                    json!({"parent_id": parent, "user_id": user_id}),
                )
                .omit(user_id)
            };
            shared.hub.publish(&event);
            Some(reply(seq, true, None))
        }
        "get_statuses" => {
            let state = shared.state();
            let map: serde_json::Map<String, Value> = state
                .statuses
                .iter()
                .filter(|(_, s)| s.status != "offline")
                .map(|(id, s)| (id.to_string(), json!(s.status)))
                .collect();
            Some(reply(seq, true, Some(Value::Object(map))))
        }
        "get_statuses_by_ids" => {
            let state = shared.state();
            let ids = data["user_ids"].as_array().cloned().unwrap_or_default();
            let map: serde_json::Map<String, Value> = ids
                .iter()
                .filter_map(|i| i.as_str().and_then(Id::parse))
                .map(|id| {
                    let s = state
                        .statuses
                        .get(&id)
                        .map(|s| s.status)
                        .unwrap_or("offline");
                    (id.to_string(), json!(s))
                })
                .collect();
            Some(reply(seq, true, Some(Value::Object(map))))
        }
        "ping" => Some(reply(
            seq,
            true,
            Some(
                json!({"text": "pong", "version": shared.config.version, "server_time": crate::state::system_now(), "node_id": ""}),
            ),
        )),
        "authentication_challenge" => Some(reply(seq, true, None)),
        _ => Some(reply(seq, false, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_for(user: Id, n: i64) -> Event {
        Event::to_user("posted", user, json!({"n": n}))
    }

    #[test]
    fn resume_replays_from_the_dead_queue_without_hello() {
        let hub = Hub::new(Duration::from_secs(300));
        let user = Id::random();
        let mut first = hub.register(user, None, "10");
        for n in 0..3 {
            hub.publish(&event_for(user, n));
        }
        hub.unregister(&first.connection_id, first.socket);
        hub.publish(&event_for(user, 3));
        let mut texts = Vec::new();
        while let Ok(Outgoing::Text(t)) = first.rx.try_recv() {
            texts.push(t);
        }
        assert_eq!(texts.len(), 4, "hello + 3 events");
        let mut second = hub.register(user, Some((first.connection_id.clone(), 2)), "10");
        assert_eq!(second.connection_id, first.connection_id);
        let mut seqs = Vec::new();
        while let Ok(Outgoing::Text(t)) = second.rx.try_recv() {
            let v: Value = serde_json::from_str(&t).unwrap();
            assert_ne!(v["event"], "hello");
            seqs.push(v["seq"].as_i64().unwrap());
        }
        assert_eq!(seqs, vec![2, 3, 4]);
    }

    #[test]
    fn unknown_sequence_gives_a_new_hello_and_connection_id() {
        let hub = Hub::new(Duration::from_secs(300));
        let user = Id::random();
        let first = hub.register(user, None, "10");
        for n in 0..(DEAD_QUEUE_SIZE as i64 + 10) {
            hub.publish(&event_for(user, n));
        }
        hub.unregister(&first.connection_id, first.socket);
        let mut second = hub.register(user, Some((first.connection_id.clone(), 1)), "10");
        assert_ne!(second.connection_id, first.connection_id);
        let Ok(Outgoing::Text(t)) = second.rx.try_recv() else {
            panic!("expected hello")
        };
        let v: Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["event"], "hello");
        assert_eq!(v["seq"], 0);
    }

    #[test]
    fn dead_queues_expire() {
        let hub = Hub::new(Duration::ZERO);
        let user = Id::random();
        let first = hub.register(user, None, "10");
        hub.unregister(&first.connection_id, first.socket);
        let mut second = hub.register(user, Some((first.connection_id.clone(), 1)), "10");
        assert_ne!(second.connection_id, first.connection_id);
        assert!(matches!(second.rx.try_recv(), Ok(Outgoing::Text(_))));
    }
}
