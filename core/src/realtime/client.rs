//! The realtime and outbox methods the app calls on [`Client`]: one
//! websocket and one outbox worker per signed-in account, started on first
//! use and stopped at logout.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{watch, Notify};

use super::{
    spawn, CatchUpFn, ConnectionState, LifecycleInput, RealtimeConfig, RealtimeHandle, Statuses,
    StoreSink, TypingPlace, TypingTracker,
};
use crate::api::ApiClient;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::outbox::{Entry, Outbox, OutboxConfig};
use crate::session::SessionState;
use crate::sync::{sync, SyncOptions};

/// New posts a slow background-notification listener may fall behind.
const POSTED_EVENTS_CAPACITY: usize = 256;

/// The live services of one account.
pub(crate) struct Running {
    user_id: String,
    realtime: RealtimeHandle,
    outbox: Outbox<ApiClient>,
    typing: Arc<TypingTracker>,
    statuses: Arc<Statuses>,
    /// New posts from the websocket, once stored.
    posted: tokio::sync::broadcast::Sender<Arc<super::PostedEvent>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub(crate) fn posted_events(
        &self,
    ) -> tokio::sync::broadcast::Receiver<Arc<super::PostedEvent>> {
        self.posted.subscribe()
    }

    pub(crate) fn status_of(&self, user_id: &str) -> Option<String> {
        self.statuses.get(user_id)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.realtime.input(LifecycleInput::Shutdown);
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Client {
    /// Starts the websocket and the outbox of the signed-in account (once;
    /// later calls return the running one). Needs a tokio runtime.
    pub fn start_realtime(&self) -> Result<RealtimeHandle> {
        Ok(self.running()?.realtime.clone())
    }

    pub(crate) fn running(&self) -> Result<Arc<Running>> {
        let account = self.account()?;
        let mut live = self
            .inner
            .live
            .lock()
            .map_err(|_| Error::internal("realtime lock poisoned"))?;
        if let Some(running) = live.as_ref().filter(|r| r.user_id == account.user_id) {
            return Ok(running.clone());
        }
        let token = account.api.token().ok_or(Error::Unauthorized)?;
        let store = account.store.clone();
        let api = account.api.clone();
        let catch_up: CatchUpFn = {
            let (api, store) = (api.clone(), store.clone());
            Arc::new(move || {
                let (api, store) = (api.clone(), store.clone());
                Box::pin(async move {
                    sync(&api, &store, &SyncOptions::default())
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            })
        };
        let typing = Arc::new(TypingTracker::new());
        let statuses = Arc::new(Statuses::default());
        let connected = Arc::new(Notify::new());
        let (posted, _) = tokio::sync::broadcast::channel(POSTED_EVENTS_CAPACITY);
        let sink = Arc::new(
            StoreSink::new(
                store.clone(),
                typing.clone(),
                statuses.clone(),
                catch_up,
                connected.clone(),
            )
            .with_posted_events(posted.clone()),
        );
        let authors_task = tokio::spawn(super::authors::fetch_authors_of_live_posts(
            api.clone(),
            store.clone(),
            posted.subscribe(),
        ));
        let server_url = url::Url::parse(account.server.as_str())
            .map_err(|_| Error::internal("server URL does not parse"))?;
        let mut config = RealtimeConfig::new(server_url, token);
        config.tls = Some(self.websocket_tls_config());
        let (realtime, realtime_task) = spawn(config, sink);
        let (outbox, outbox_task) = Outbox::start(
            Arc::new(api),
            store,
            account.user_id.clone(),
            OutboxConfig {
                settle: self.inner.limits.request_timeout,
                ..OutboxConfig::default()
            },
            Some(realtime.state()),
            connected,
        );
        // A 401 anywhere ends the socket's attempts too.
        let mut session = self.session_state();
        let handle = realtime.clone();
        let session_task = tokio::spawn(async move {
            if session
                .wait_for(|s| matches!(s, SessionState::Expired { .. }))
                .await
                .is_ok()
            {
                handle.input(LifecycleInput::SessionExpired);
            }
        });
        let running = Arc::new(Running {
            user_id: account.user_id.clone(),
            realtime,
            outbox,
            typing,
            statuses,
            posted,
            tasks: vec![realtime_task, outbox_task, session_task, authors_task],
        });
        *live = Some(running.clone());
        Ok(running)
    }

    /// Stops the websocket and the outbox worker (queued intents stay in
    /// the store and go out after the next start).
    pub fn stop_realtime(&self) {
        if let Ok(mut live) = self.inner.live.lock() {
            live.take();
        }
    }

    /// The websocket's state now and every change.
    pub fn connection_state(&self) -> Result<watch::Receiver<ConnectionState>> {
        Ok(self.running()?.realtime.state())
    }

    /// Foreground/background and network changes from the platform.
    pub fn lifecycle(&self, input: LifecycleInput) -> Result<()> {
        self.inner.push.note_lifecycle(input);
        let running = self.running()?;
        running.realtime.input(input);
        if matches!(
            input,
            LifecycleInput::NetworkUp | LifecycleInput::NetworkChanged
        ) {
            running.outbox.flush();
        }
        Ok(())
    }

    /// Queues a post (shown at once as a local echo); returns its client
    /// key, the echo's id until the server's copy replaces it.
    pub async fn send_post(
        &self,
        channel_id: &str,
        root_id: &str,
        message: &str,
    ) -> Result<String> {
        self.send_post_with_files(channel_id, root_id, message, Vec::new())
            .await
    }

    /// [`Client::send_post`] with attachments uploaded before (their file
    /// ids from `POST /files`).
    pub async fn send_post_with_files(
        &self,
        channel_id: &str,
        root_id: &str,
        message: &str,
        file_ids: Vec<String>,
    ) -> Result<String> {
        let outbox = self.running()?.outbox.clone();
        outbox
            .send_post(channel_id, root_id, message, file_ids)
            .await
    }

    pub async fn edit_post(&self, post_id: &str, message: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.edit_post(post_id, message).await
    }

    pub async fn delete_post(&self, post_id: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.delete_post(post_id).await
    }

    pub async fn add_reaction(&self, post_id: &str, emoji_name: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.add_reaction(post_id, emoji_name).await
    }

    pub async fn remove_reaction(&self, post_id: &str, emoji_name: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.remove_reaction(post_id, emoji_name).await
    }

    /// Marks a channel read (here at once, on the server soon).
    pub async fn mark_channel_viewed(&self, channel_id: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.mark_viewed(channel_id).await
    }

    /// Intents not yet confirmed by the server, with their state.
    pub async fn pending_sends(&self) -> Result<Vec<Entry>> {
        let outbox = self.running()?.outbox.clone();
        outbox.entries().await
    }

    /// Sends a failed intent again.
    pub async fn retry_send(&self, client_key: &str) -> Result<()> {
        let outbox = self.running()?.outbox.clone();
        outbox.retry(client_key).await
    }

    /// Drops a failed or unsent intent; false when it may already have
    /// reached the server (it is then settled by the outbox itself).
    pub async fn discard_send(&self, client_key: &str) -> Result<bool> {
        let outbox = self.running()?.outbox.clone();
        outbox.discard(client_key).await
    }

    /// The user types in a channel (or thread: `root_id`); throttled.
    pub fn user_typing(&self, channel_id: &str, root_id: &str) -> Result<()> {
        self.running()?.realtime.user_typing(channel_id, root_id);
        Ok(())
    }

    /// Who is typing in a channel (`root_id` empty) or thread right now.
    pub fn typing_users(&self, channel_id: &str, root_id: &str) -> Result<Vec<String>> {
        let running = self.running()?;
        running.typing.expire(Instant::now());
        Ok(running.typing.typing_at(
            &TypingPlace {
                channel_id: channel_id.to_owned(),
                parent_id: root_id.to_owned(),
            },
            Instant::now(),
        ))
    }

    /// Changes to who is typing (a counter; re-read on change).
    pub fn typing_changes(&self) -> Result<watch::Receiver<u64>> {
        Ok(self.running()?.typing.subscribe())
    }

    /// A user's status as last reported ("online", "away", "dnd", "offline").
    pub fn user_status(&self, user_id: &str) -> Result<Option<String>> {
        Ok(self.running()?.statuses.get(user_id))
    }
}
