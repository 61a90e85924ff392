//! The connection task: one websocket per account, kept alive, resumed and
//! fed into an [`EventSink`].
//!
//! The task owns the socket and reacts to three things: frames from the
//! server, a ping timer, and lifecycle inputs from the app. Events are
//! applied in batches (everything already received is taken together), each
//! batch together with the new resume point, so a restarted process resumes
//! exactly after the last applied event.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use url::Url;

use super::backoff::{Backoff, BackoffPolicy};
use super::events::{decode_frame, Broadcast, Event, EventFrame, Frame, Reply, MAX_MESSAGE_BYTES};
use super::presence::{TypingPlace, TypingThrottle};
use super::state::{ConnectionState, LifecycleInput, OfflineReason};
use crate::session::SessionToken;

/// Events taken into one batch at most.
const MAX_BATCH: usize = 256;

/// Where to resume: the server connection and the next sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    pub connection_id: String,
    pub next_seq: i64,
}

/// One decoded event with its routing.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    pub event: Event,
    pub broadcast: Broadcast,
}

/// Events received together, to apply in one transaction with `resume`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventBatch {
    pub events: Vec<ReceivedEvent>,
    pub resume: ResumePoint,
    /// The server started a new connection: events were lost and a
    /// catch-up is due. Persist this with `resume` so a crash before the
    /// catch-up finishes still catches up after the restart.
    pub catch_up_needed: bool,
}

/// Why a sink could not take what the connection delivered.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("catch-up: {0}")]
    CatchUp(#[source] crate::error::Error),
    /// The blocking task applying a batch ended without an answer.
    #[error("the apply task stopped")]
    TaskLost,
}

/// Where the connection delivers what it receives.
pub trait EventSink: Send + Sync + 'static {
    /// The persisted resume point and whether a catch-up is still owed.
    fn load(&self) -> BoxFuture<'_, Result<(Option<ResumePoint>, bool), SinkError>>;
    /// Applies events and stores the resume point, atomically.
    fn apply(&self, batch: EventBatch) -> BoxFuture<'_, Result<(), SinkError>>;
    /// Fetches over REST what was missed; clears the owed catch-up.
    fn catch_up(&self) -> BoxFuture<'_, Result<(), SinkError>>;
    /// The socket is (re)connected and authenticated.
    fn connected(&self) {}
}

/// How to reach the server and how patient to be.
#[derive(Clone)]
pub struct RealtimeConfig {
    /// The server's base URL (`https://chat.schule.de`, or `http://` for
    /// loopback only).
    pub server_url: Url,
    pub token: SessionToken,
    /// The same TLS configuration the REST client uses; needed for https.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    pub ping_interval: Duration,
    pub connect_timeout: Duration,
    /// How long the socket stays open after the app went to the background.
    pub background_grace: Duration,
    pub backoff: BackoffPolicy,
    /// Seed for the jitter (tests); random when `None`.
    pub rng_seed: Option<u64>,
}

impl std::fmt::Debug for RealtimeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeConfig")
            .field("server_url", &self.server_url.as_str())
            .field("ping_interval", &self.ping_interval)
            .field("background_grace", &self.background_grace)
            .finish_non_exhaustive()
    }
}

impl RealtimeConfig {
    pub fn new(server_url: Url, token: SessionToken) -> Self {
        RealtimeConfig {
            server_url,
            token,
            tls: None,
            ping_interval: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(15),
            background_grace: Duration::from_secs(60),
            backoff: BackoffPolicy::default(),
            rng_seed: None,
        }
    }
}

/// Why the websocket URL could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("websocket needs an https server URL (http only for loopback)")]
    InsecureScheme,
    #[error("server URL has no host")]
    NoHost,
}

/// `wss://host/.../api/v4/websocket`, with the resume parameters when
/// there is a connection to resume.
pub fn websocket_url(server: &Url, resume: Option<&ResumePoint>) -> Result<Url, UrlError> {
    let host = server.host().ok_or(UrlError::NoHost)?;
    let scheme = match server.scheme() {
        "https" => "wss",
        "http" if is_loopback(&host) => "ws",
        _ => return Err(UrlError::InsecureScheme),
    };
    let mut url = server.clone();
    url.set_scheme(scheme)
        .map_err(|_| UrlError::InsecureScheme)?;
    let base = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{base}/api/v4/websocket"));
    url.set_query(None);
    url.set_fragment(None);
    if let Some(r) = resume {
        url.query_pairs_mut()
            .append_pair("connection_id", &r.connection_id)
            .append_pair("sequence_number", &r.next_seq.to_string());
    }
    Ok(url)
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    }
}

/// The app's handle on the connection task.
#[derive(Clone)]
pub struct RealtimeHandle {
    state: watch::Receiver<ConnectionState>,
    inputs: mpsc::UnboundedSender<LifecycleInput>,
    actions: mpsc::UnboundedSender<Value>,
    barriers: mpsc::UnboundedSender<oneshot::Sender<()>>,
    counters: Arc<Counters>,
    typing_throttle: Arc<TypingThrottle>,
    in_step: watch::Receiver<bool>,
}

/// Figures for tests and diagnostics.
#[derive(Debug, Default)]
pub struct Counters {
    pub connects: std::sync::atomic::AtomicU64,
    pub new_connections: std::sync::atomic::AtomicU64,
    pub events_applied: std::sync::atomic::AtomicU64,
    pub frames_skipped: std::sync::atomic::AtomicU64,
    pub gaps: std::sync::atomic::AtomicU64,
}

impl RealtimeHandle {
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    pub fn current_state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    pub fn input(&self, input: LifecycleInput) {
        let _ = self.inputs.send(input);
    }

    /// Sends a client action (`{action, data}`) if connected; dropped
    /// otherwise (actions are ephemeral: typing, status requests).
    pub fn send_action(&self, action: &str, data: Value) {
        let _ = self.actions.send(json!({"action": action, "data": data}));
    }

    /// Waits, at most `limit`, until the store is in step with the server
    /// as of this call: the socket is connected, and every event the server
    /// sent before it answered a ping of ours sent after this call (a
    /// resume's replay of missed events first) is applied. Whether events
    /// were lost on the way (a new connection instead of a resume) the
    /// store says itself: a catch-up is then owed. False when the
    /// connection is not there, or not in step within `limit`.
    pub async fn wait_in_step(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        if !self.wait_connected_and_applied(limit).await {
            return false;
        }
        let (answered, waiter) = oneshot::channel();
        if self.barriers.send(answered).is_err() {
            return false;
        }
        matches!(tokio::time::timeout_at(deadline, waiter).await, Ok(Ok(())))
    }

    /// The connection is authenticated and what came with the connect (a
    /// `hello`, or a resume's replay) is applied.
    async fn wait_connected_and_applied(&self, limit: Duration) -> bool {
        let mut in_step = self.in_step.clone();
        let mut state = self.state.clone();
        let waiting = async {
            loop {
                if *in_step.borrow_and_update() {
                    return true;
                }
                if !matches!(
                    *state.borrow_and_update(),
                    ConnectionState::Connecting | ConnectionState::Connected
                ) {
                    return false;
                }
                tokio::select! {
                    changed = in_step.changed() => if changed.is_err() { return false },
                    changed = state.changed() => if changed.is_err() { return false },
                }
            }
        };
        tokio::time::timeout(limit, waiting).await.unwrap_or(false)
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Tells the channel (or thread, `parent_id` = root post) that the
    /// user is typing; sent at most every few seconds per place.
    pub fn user_typing(&self, channel_id: &str, parent_id: &str) {
        let place = TypingPlace {
            channel_id: channel_id.to_owned(),
            parent_id: parent_id.to_owned(),
        };
        if self.typing_throttle.should_send(&place, Instant::now()) {
            self.send_action(
                "user_typing",
                json!({"channel_id": channel_id, "parent_id": parent_id}),
            );
        }
    }

    /// Waits until the state satisfies `pred`.
    pub async fn wait_for(&self, pred: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
        let mut rx = self.state.clone();
        let result = match rx.wait_for(|s| pred(s)).await {
            Ok(s) => s.clone(),
            Err(_) => ConnectionState::Stopped,
        };
        result
    }
}

/// Starts the connection task on the current runtime.
pub fn spawn(
    config: RealtimeConfig,
    sink: Arc<dyn EventSink>,
) -> (RealtimeHandle, tokio::task::JoinHandle<()>) {
    let (state_tx, state_rx) = watch::channel(ConnectionState::Connecting);
    let (in_step_tx, in_step_rx) = watch::channel(false);
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let (action_tx, action_rx) = mpsc::unbounded_channel();
    let (barrier_tx, barrier_rx) = mpsc::unbounded_channel();
    let counters = Arc::new(Counters::default());
    let rng = match config.rng_seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_rng(&mut rand::rng()),
    };
    let driver = Driver {
        backoff: Backoff::new(config.backoff),
        config,
        sink,
        state: state_tx,
        inputs: input_rx,
        actions: action_rx,
        barriers: barrier_rx,
        counters: counters.clone(),
        rng,
        life: Life::default(),
        next_action_seq: 1,
        in_step: in_step_tx,
    };
    let task = tokio::spawn(driver.run());
    (
        RealtimeHandle {
            state: state_rx,
            inputs: input_tx,
            actions: action_tx,
            barriers: barrier_tx,
            counters,
            typing_throttle: Arc::new(TypingThrottle::default()),
            in_step: in_step_rx,
        },
        task,
    )
}

/// What the app told us about its situation.
#[derive(Debug, Clone)]
struct Life {
    network_up: bool,
    foreground: bool,
    keep_in_background: bool,
    background_since: Option<Instant>,
    session_expired: bool,
    shutdown: bool,
}

impl Default for Life {
    fn default() -> Self {
        Life {
            network_up: true,
            foreground: true,
            keep_in_background: false,
            background_since: None,
            session_expired: false,
            shutdown: false,
        }
    }
}

/// What an input means for a running connection or a pending wait.
#[derive(Debug, PartialEq, Eq)]
enum InputEffect {
    /// Nothing changes.
    None,
    /// Drop the socket and reconnect at once (resuming).
    ReconnectNow,
    /// Re-evaluate whether a connection is wanted.
    Reevaluate,
}

impl Life {
    fn on(&mut self, input: LifecycleInput, now: Instant) -> InputEffect {
        match input {
            LifecycleInput::Foreground => {
                let was_background = !self.foreground;
                self.foreground = true;
                self.background_since = None;
                if was_background {
                    InputEffect::Reevaluate
                } else {
                    InputEffect::None
                }
            }
            LifecycleInput::Background => {
                if self.foreground {
                    self.foreground = false;
                    self.background_since = Some(now);
                }
                InputEffect::Reevaluate
            }
            LifecycleInput::KeepBackgroundConnection(keep) => {
                self.keep_in_background = keep;
                InputEffect::Reevaluate
            }
            LifecycleInput::NetworkUp => {
                let was_down = !self.network_up;
                self.network_up = true;
                if was_down {
                    InputEffect::ReconnectNow
                } else {
                    InputEffect::Reevaluate
                }
            }
            LifecycleInput::NetworkDown => {
                self.network_up = false;
                InputEffect::Reevaluate
            }
            LifecycleInput::NetworkChanged => {
                self.network_up = true;
                InputEffect::ReconnectNow
            }
            LifecycleInput::SessionExpired => {
                self.session_expired = true;
                InputEffect::Reevaluate
            }
            LifecycleInput::Shutdown => {
                self.shutdown = true;
                InputEffect::Reevaluate
            }
        }
    }

    /// When the background grace period ends (if it applies).
    fn grace_ends(&self, grace: Duration) -> Option<Instant> {
        if self.foreground || self.keep_in_background {
            return None;
        }
        self.background_since.map(|since| since + grace)
    }

    /// Why no connection should exist now, if so.
    fn blocked(&self, grace: Duration, now: Instant) -> Option<ConnectionState> {
        if self.shutdown {
            return Some(ConnectionState::Stopped);
        }
        if self.session_expired {
            return Some(ConnectionState::SessionExpired);
        }
        if !self.network_up {
            return Some(ConnectionState::Offline(OfflineReason::NoNetwork));
        }
        match self.grace_ends(grace) {
            Some(end) if now >= end => Some(ConnectionState::Offline(OfflineReason::Background)),
            _ => None,
        }
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a connected session ended.
#[derive(Debug)]
enum SessionEnd {
    /// Lost (closed, error, missed pong, seq gap, sink failure): back off.
    Lost(String),
    /// Reconnect at once (network changed, came back).
    Reconnect,
    /// An input made the connection unwanted.
    Unwanted,
    /// The server refused the token.
    Unauthorized,
}

/// What a session tracks across batches. Owned by the session loop; the
/// batch handling reads and advances it.
struct SessionState {
    /// Where the applied events end; `None` until a hello names the
    /// connection.
    resume: Option<ResumePoint>,
    /// Our unanswered ping: a second tick with it still open ends the session.
    awaiting_pong: Option<i64>,
    /// The authentication challenge's action number, to spot its reply.
    challenge_seq: i64,
    /// Actions are only sent once the server accepted the token.
    authenticated: bool,
    /// The ping sent once authenticated, whose answer marks the store as
    /// in step with the server (see [`RealtimeHandle::wait_in_step`]).
    in_step_ping: InStepPing,
    /// Pings sent for [`RealtimeHandle::wait_in_step`], each with its waiter.
    barriers: Vec<(i64, oneshot::Sender<()>)>,
}

/// Where the ping that proves the store in step with the server stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InStepPing {
    /// Not authenticated yet.
    NotYet,
    /// Authenticated: to be sent after the batch being handled.
    Due,
    Sent(i64),
    Answered,
}

/// What one batch of received messages adds up to, collected before
/// anything is applied so the batch is stored in one go.
#[derive(Default)]
struct Batch {
    events: Vec<ReceivedEvent>,
    /// A new server connection: events since the last applied one are lost.
    catch_up_needed: bool,
    /// The resume point moved, so it must be stored even without events.
    progressed: bool,
    /// Why the session ends after this batch, if it does.
    end: Option<SessionEnd>,
    /// The in-step ping's answer is in this batch.
    in_step: bool,
    /// Waiters whose ping was answered in this batch.
    barriers: Vec<oneshot::Sender<()>>,
}

/// Where a numbered event stands against the resume point.
enum Sequence {
    /// No number or no resume point yet: nothing to check.
    Unnumbered,
    /// The expected next event; the resume point moved past it.
    Next,
    /// Already applied before.
    Replayed,
}

enum ConnectError {
    Unauthorized,
    Failed(String),
}

struct Driver {
    config: RealtimeConfig,
    sink: Arc<dyn EventSink>,
    state: watch::Sender<ConnectionState>,
    inputs: mpsc::UnboundedReceiver<LifecycleInput>,
    actions: mpsc::UnboundedReceiver<Value>,
    /// Waiters for "everything the server sent until now is applied".
    barriers: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    counters: Arc<Counters>,
    backoff: Backoff,
    rng: StdRng,
    life: Life,
    next_action_seq: i64,
    /// See [`RealtimeHandle::wait_in_step`].
    in_step: watch::Sender<bool>,
}

impl Driver {
    fn publish(&self, state: ConnectionState) {
        if state != ConnectionState::Connected {
            self.in_step.send_replace(false);
        }
        self.state.send_if_modified(|current| {
            if *current == state {
                false
            } else {
                *current = state;
                true
            }
        });
    }

    async fn run(mut self) {
        // A catch-up owed from before a restart runs first.
        match self.sink.load().await {
            Ok((_, true)) => self.spawn_catch_up(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "realtime: could not read the resume point"),
        }
        loop {
            let now = Instant::now();
            if let Some(blocked) = self.life.blocked(self.config.background_grace, now) {
                self.publish(blocked.clone());
                if matches!(blocked, ConnectionState::Stopped) {
                    return;
                }
                if !self.wait_for_input(None).await {
                    return;
                }
                continue;
            }
            self.publish(ConnectionState::Connecting);
            let end = match self.connect().await {
                Ok(Some(socket)) => {
                    self.counters
                        .connects
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let started = Instant::now();
                    let end = self.session(socket).await;
                    self.backoff.connection_ended(started.elapsed());
                    end
                }
                Ok(None) => SessionEnd::Unwanted,
                Err(ConnectError::Unauthorized) => SessionEnd::Unauthorized,
                Err(ConnectError::Failed(reason)) => SessionEnd::Lost(reason),
            };
            match end {
                SessionEnd::Unwanted => continue,
                SessionEnd::Reconnect => {
                    self.backoff.reset();
                    continue;
                }
                SessionEnd::Unauthorized => {
                    tracing::warn!("realtime: the server refused the session");
                    self.life.session_expired = true;
                    continue;
                }
                SessionEnd::Lost(reason) => {
                    tracing::info!(%reason, "realtime: connection lost");
                    let delay = self.backoff.next_delay(&mut self.rng);
                    self.publish(ConnectionState::WaitingToReconnect {
                        at: SystemTime::now() + delay,
                        attempt: self.backoff.failures(),
                    });
                    if !self.wait_for_input(Some(Instant::now() + delay)).await {
                        return;
                    }
                }
            }
        }
    }

    /// Waits for an input (or `until`). Returns false when the input
    /// channel is gone (the handle was dropped): the task ends.
    async fn wait_for_input(&mut self, until: Option<Instant>) -> bool {
        let grace_end = self.life.grace_ends(self.config.background_grace);
        let deadline = match (until, grace_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => true,
            input = self.inputs.recv() => match input {
                Some(input) => {
                    if self.life.on(input, Instant::now()) == InputEffect::ReconnectNow {
                        self.backoff.reset();
                    }
                    true
                }
                None => {
                    self.life.shutdown = true;
                    self.publish(ConnectionState::Stopped);
                    false
                }
            },
        }
    }

    /// Opens and authenticates a socket; `Ok(None)` when an input made the
    /// connection unwanted meanwhile.
    async fn connect(&mut self) -> Result<Option<Socket>, ConnectError> {
        let resume = match self.sink.load().await {
            Ok((resume, _)) => resume,
            Err(e) => return Err(ConnectError::Failed(format!("store: {e}"))),
        };
        let url = websocket_url(&self.config.server_url, resume.as_ref())
            .map_err(|e| ConnectError::Failed(e.to_string()))?;
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| ConnectError::Failed(e.to_string()))?;
        let bearer = format!("Bearer {}", self.config.token.expose());
        let header = http_header_value(&bearer).ok_or(ConnectError::Unauthorized)?;
        request.headers_mut().insert("Authorization", header);
        let connector = match (url.scheme(), &self.config.tls) {
            ("wss", Some(tls)) => Connector::Rustls(tls.clone()),
            ("wss", None) => {
                return Err(ConnectError::Failed("no TLS configuration".into()));
            }
            _ => Connector::Plain,
        };
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let attempt = tokio::time::timeout(
            self.config.connect_timeout,
            tokio_tungstenite::connect_async_tls_with_config(
                request,
                Some(ws_config),
                true,
                Some(connector),
            ),
        );
        tokio::pin!(attempt);
        let opened = loop {
            tokio::select! {
                result = &mut attempt => break result,
                input = self.inputs.recv() => {
                    let Some(input) = input else {
                        self.life.shutdown = true;
                        return Ok(None);
                    };
                    let effect = self.life.on(input, Instant::now());
                    if self.life.blocked(self.config.background_grace, Instant::now()).is_some() {
                        return Ok(None);
                    }
                    if effect == InputEffect::ReconnectNow {
                        self.backoff.reset();
                    }
                }
            }
        };
        let mut socket = match opened {
            Err(_) => return Err(ConnectError::Failed("connect timed out".into())),
            Ok(Err(tungstenite::Error::Http(response))) if response.status().as_u16() == 401 => {
                return Err(ConnectError::Unauthorized)
            }
            Ok(Err(e)) => return Err(ConnectError::Failed(e.to_string())),
            Ok(Ok((socket, _response))) => socket,
        };
        // The challenge is the fallback for servers that ignore the header;
        // a server that took the header answers it with OK as well.
        let challenge = json!({
            "seq": self.take_action_seq(),
            "action": "authentication_challenge",
            "data": {"token": self.config.token.expose()},
        });
        if let Err(e) = socket.send(Message::text(challenge.to_string())).await {
            return Err(ConnectError::Failed(e.to_string()));
        }
        Ok(Some(socket))
    }

    fn take_action_seq(&mut self) -> i64 {
        let seq = self.next_action_seq;
        self.next_action_seq = self.next_action_seq.wrapping_add(1).max(1);
        seq
    }

    /// Runs one connected socket until it ends.
    async fn session(&mut self, mut socket: Socket) -> SessionEnd {
        let (resume, _) = match self.sink.load().await {
            Ok(loaded) => loaded,
            Err(e) => return SessionEnd::Lost(format!("store: {e}")),
        };
        let mut state = SessionState {
            resume,
            awaiting_pong: None,
            challenge_seq: self.next_action_seq - 1,
            authenticated: false,
            in_step_ping: InStepPing::NotYet,
            barriers: Vec::new(),
        };
        let mut ping = tokio::time::interval(self.config.ping_interval);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        let end = loop {
            let grace_end = self.life.grace_ends(self.config.background_grace);
            let grace = async {
                match grace_end {
                    Some(d) => tokio::time::sleep_until(d.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                message = socket.next() => {
                    let Some(message) = message else {
                        break SessionEnd::Lost("closed by the server".into());
                    };
                    let mut messages = vec![message];
                    // Everything already received goes into the same batch.
                    while messages.len() < MAX_BATCH {
                        match socket.next().now_or_never() {
                            Some(Some(m)) => messages.push(m),
                            _ => break,
                        }
                    }
                    if let Err(end) = self.handle_messages(messages, &mut state).await {
                        break end;
                    }
                    if state.in_step_ping == InStepPing::Due {
                        // The server answers after everything it queued
                        // for this connection before (a resume's replay
                        // first): once the answer's batch is applied, the
                        // store holds all of it.
                        let seq = self.take_action_seq();
                        state.in_step_ping = InStepPing::Sent(seq);
                        let ping = json!({"seq": seq, "action": "ping"});
                        if let Err(e) = socket.send(Message::text(ping.to_string())).await {
                            break SessionEnd::Lost(e.to_string());
                        }
                    }
                }
                _ = ping.tick() => {
                    if state.awaiting_pong.is_some() {
                        break SessionEnd::Lost("no pong".into());
                    }
                    let seq = self.take_action_seq();
                    state.awaiting_pong = Some(seq);
                    let ping = json!({"seq": seq, "action": "ping"});
                    if let Err(e) = socket.send(Message::text(ping.to_string())).await {
                        break SessionEnd::Lost(e.to_string());
                    }
                }
                barrier = self.barriers.recv() => {
                    // Unanswered (dropped) when not authenticated: the
                    // waiter hears "not in step".
                    if let (Some(answered), true) = (barrier, state.authenticated) {
                        let seq = self.take_action_seq();
                        state.barriers.push((seq, answered));
                        let ping = json!({"seq": seq, "action": "ping"});
                        if let Err(e) = socket.send(Message::text(ping.to_string())).await {
                            break SessionEnd::Lost(e.to_string());
                        }
                    }
                }
                action = self.actions.recv() => {
                    if let Some(mut action) = action {
                        if state.authenticated {
                            action["seq"] = json!(self.take_action_seq());
                            if let Err(e) = socket.send(Message::text(action.to_string())).await {
                                break SessionEnd::Lost(e.to_string());
                            }
                        }
                    }
                }
                input = self.inputs.recv() => {
                    let Some(input) = input else {
                        self.life.shutdown = true;
                        break SessionEnd::Unwanted;
                    };
                    let effect = self.life.on(input, Instant::now());
                    if self.life.blocked(self.config.background_grace, Instant::now()).is_some() {
                        break SessionEnd::Unwanted;
                    }
                    if effect == InputEffect::ReconnectNow {
                        break SessionEnd::Reconnect;
                    }
                }
                _ = grace => {
                    break SessionEnd::Unwanted;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), socket.close(None)).await;
        end
    }

    /// Decodes and applies received messages. `Err` ends the session.
    async fn handle_messages(
        &mut self,
        messages: Vec<Result<Message, tungstenite::Error>>,
        state: &mut SessionState,
    ) -> Result<(), SessionEnd> {
        let mut batch = Batch::default();
        for message in messages {
            if let Err(end) = self.take_message(message, state, &mut batch) {
                // What came before the end is applied all the same.
                batch.end = Some(end);
                break;
            }
        }
        let end = batch.end.take();
        let catch_up_needed = batch.catch_up_needed;
        let in_step = batch.in_step;
        let barriers = std::mem::take(&mut batch.barriers);
        self.store_batch(batch, state.resume.clone()).await?;
        if in_step {
            self.in_step.send_replace(true);
        }
        for answered in barriers {
            // A waiter that gave up is fine.
            let _ = answered.send(());
        }
        if catch_up_needed {
            self.spawn_catch_up();
        }
        match end {
            Some(end) => Err(end),
            None => Ok(()),
        }
    }

    /// Takes one message into the batch. `Err` ends the session after the
    /// batch so far is applied.
    fn take_message(
        &mut self,
        message: Result<Message, tungstenite::Error>,
        state: &mut SessionState,
        batch: &mut Batch,
    ) -> Result<(), SessionEnd> {
        let text = match message {
            Ok(Message::Text(text)) => text,
            Ok(Message::Binary(_)) => {
                self.skipped("binary frame");
                return Ok(());
            }
            Ok(Message::Close(_)) => return Err(SessionEnd::Lost("close frame".into())),
            Ok(_) => return Ok(()),
            Err(e) => return Err(SessionEnd::Lost(e.to_string())),
        };
        match decode_frame(text.as_str()) {
            Ok(Frame::Reply(reply)) => self.take_reply(&reply, state, batch),
            Ok(Frame::Event(event)) => self.take_event(event, state, batch),
            Err(e) => {
                self.skipped(&e.to_string());
                Ok(())
            }
        }
    }

    /// Replies answer the authentication challenge or a ping.
    fn take_reply(
        &mut self,
        reply: &Reply,
        state: &mut SessionState,
        batch: &mut Batch,
    ) -> Result<(), SessionEnd> {
        if state.in_step_ping == InStepPing::Sent(reply.seq_reply) {
            state.in_step_ping = InStepPing::Answered;
            batch.in_step = true;
        }
        if let Some(at) = state
            .barriers
            .iter()
            .position(|(seq, _)| *seq == reply.seq_reply)
        {
            batch.barriers.push(state.barriers.swap_remove(at).1);
        }
        if reply.seq_reply == state.challenge_seq {
            if !reply.ok {
                return Err(SessionEnd::Unauthorized);
            }
            self.authenticated(state);
        }
        if Some(reply.seq_reply) == state.awaiting_pong {
            state.awaiting_pong = None;
        }
        Ok(())
    }

    fn take_event(
        &mut self,
        event: EventFrame,
        state: &mut SessionState,
        batch: &mut Batch,
    ) -> Result<(), SessionEnd> {
        // Any numbered event proves the socket is authenticated.
        if event.seq.is_some() {
            self.authenticated(state);
        }
        if let Ok(Event::Hello { connection_id, .. }) = &event.event {
            if self.hello(connection_id, event.seq, state) {
                batch.catch_up_needed = true;
            }
        }
        match self.sequence(event.seq, state)? {
            Sequence::Replayed => return Ok(()),
            Sequence::Next => batch.progressed = true,
            Sequence::Unnumbered => {}
        }
        match event.event {
            Ok(Event::Hello { .. }) | Ok(Event::Unknown) => {}
            Ok(e) => batch.events.push(ReceivedEvent {
                event: e,
                broadcast: event.broadcast,
            }),
            Err(e) => self.skipped(&e.to_string()),
        }
        Ok(())
    }

    /// Marks the session authenticated, announcing it only the first time.
    fn authenticated(&mut self, state: &mut SessionState) {
        if !state.authenticated {
            state.authenticated = true;
            state.in_step_ping = InStepPing::Due;
            self.on_authenticated();
        }
    }

    /// Resets the resume point when a hello names a different connection.
    /// Returns whether a catch-up is owed.
    fn hello(&self, connection_id: &str, seq: Option<i64>, state: &mut SessionState) -> bool {
        let same = state
            .resume
            .as_ref()
            .is_some_and(|r| r.connection_id == connection_id);
        if same {
            return false;
        }
        // A new connection: whatever happened since the last applied event
        // is lost to the socket.
        self.counters
            .new_connections
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        state.resume = Some(ResumePoint {
            connection_id: connection_id.to_owned(),
            next_seq: seq.unwrap_or(0),
        });
        true
    }

    /// Checks an event's number against the resume point and advances it.
    /// A gap ends the session: the missed events must come by resuming.
    fn sequence(&self, seq: Option<i64>, state: &mut SessionState) -> Result<Sequence, SessionEnd> {
        let (Some(seq), Some(point)) = (seq, state.resume.as_mut()) else {
            return Ok(Sequence::Unnumbered);
        };
        if seq < point.next_seq {
            // Already applied (a replay overlapping what we had).
            return Ok(Sequence::Replayed);
        }
        if seq > point.next_seq {
            self.counters
                .gaps
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Err(SessionEnd::Lost(format!(
                "sequence gap: expected {}, got {seq}",
                point.next_seq
            )));
        }
        point.next_seq = seq + 1;
        Ok(Sequence::Next)
    }

    /// Applies the batch together with its resume point, so that both are
    /// stored or neither is.
    async fn store_batch(
        &self,
        batch: Batch,
        resume: Option<ResumePoint>,
    ) -> Result<(), SessionEnd> {
        if !batch.progressed && !batch.catch_up_needed {
            return Ok(());
        }
        let Some(point) = resume else {
            return Ok(());
        };
        let count = batch.events.len() as u64;
        let result = self
            .sink
            .apply(EventBatch {
                events: batch.events,
                resume: point,
                catch_up_needed: batch.catch_up_needed,
            })
            .await;
        if let Err(e) = result {
            // The resume point was not stored either: reconnecting
            // resumes from the last stored one and gets these again.
            return Err(SessionEnd::Lost(format!("store: {e}")));
        }
        self.counters
            .events_applied
            .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn on_authenticated(&mut self) {
        self.publish(ConnectionState::Connected);
        self.sink.connected();
    }

    fn skipped(&self, reason: &str) {
        self.counters
            .frames_skipped
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::warn!(%reason, "realtime: frame skipped");
    }

    fn spawn_catch_up(&self) {
        let sink = self.sink.clone();
        tokio::spawn(async move {
            if let Err(e) = sink.catch_up().await {
                tracing::warn!(error = %e, "realtime: catch-up failed; it stays owed");
            }
        });
    }
}

fn http_header_value(value: &str) -> Option<tungstenite::http::HeaderValue> {
    let mut header = tungstenite::http::HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls() {
        let https = Url::parse("https://chat.schule.de/mm/").unwrap();
        assert_eq!(
            websocket_url(&https, None).unwrap().as_str(),
            "wss://chat.schule.de/mm/api/v4/websocket"
        );
        let resume = ResumePoint {
            connection_id: "abc".into(),
            next_seq: 7,
        };
        assert_eq!(
            websocket_url(&https, Some(&resume)).unwrap().as_str(),
            "wss://chat.schule.de/mm/api/v4/websocket?connection_id=abc&sequence_number=7"
        );
        let local = Url::parse("http://127.0.0.1:8065").unwrap();
        assert_eq!(
            websocket_url(&local, None).unwrap().as_str(),
            "ws://127.0.0.1:8065/api/v4/websocket"
        );
        let remote_http = Url::parse("http://chat.schule.de").unwrap();
        assert_eq!(
            websocket_url(&remote_http, None),
            Err(UrlError::InsecureScheme)
        );
    }

    #[test]
    fn token_is_never_printed() {
        let config = RealtimeConfig::new(
            Url::parse("https://x.example").unwrap(),
            SessionToken::new("sehr-geheim"),
        );
        assert!(!format!("{config:?}").contains("sehr-geheim"));
        assert!(!format!("{:?}", config.token).contains("sehr-geheim"));
    }

    #[test]
    fn lifecycle_decides_whether_to_connect() {
        let grace = Duration::from_secs(60);
        let now = Instant::now();
        let mut life = Life::default();
        assert_eq!(life.blocked(grace, now), None);
        assert_eq!(
            life.on(LifecycleInput::NetworkDown, now),
            InputEffect::Reevaluate
        );
        assert_eq!(
            life.blocked(grace, now),
            Some(ConnectionState::Offline(OfflineReason::NoNetwork))
        );
        assert_eq!(
            life.on(LifecycleInput::NetworkUp, now),
            InputEffect::ReconnectNow
        );
        assert_eq!(life.blocked(grace, now), None);

        life.on(LifecycleInput::Background, now);
        assert_eq!(life.blocked(grace, now + Duration::from_secs(59)), None);
        assert_eq!(
            life.blocked(grace, now + grace),
            Some(ConnectionState::Offline(OfflineReason::Background))
        );
        life.on(LifecycleInput::KeepBackgroundConnection(true), now);
        assert_eq!(life.blocked(grace, now + grace * 10), None);
        life.on(LifecycleInput::KeepBackgroundConnection(false), now);
        assert_eq!(life.grace_ends(grace), Some(now + grace));
        assert_eq!(
            life.on(LifecycleInput::Foreground, now),
            InputEffect::Reevaluate
        );
        assert_eq!(life.blocked(grace, now + grace * 10), None);
        assert_eq!(life.on(LifecycleInput::Foreground, now), InputEffect::None);

        life.on(LifecycleInput::SessionExpired, now);
        assert_eq!(
            life.blocked(grace, now),
            Some(ConnectionState::SessionExpired)
        );
        life.on(LifecycleInput::Shutdown, now);
        assert_eq!(life.blocked(grace, now), Some(ConnectionState::Stopped));
    }
}
