//! The realtime and outbox methods the app calls on [`Client`].
//!
//! Only [`Client::start_realtime`] starts the websocket and the outbox
//! worker; every other call here works without them (intents queue in the
//! store, presence reads as unknown) or says [`Error::NotStarted`].

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::watch;

use super::Client;
use crate::api::ApiClient;
use crate::error::{Error, Result};
use crate::live::{LiveServices, LiveSetup};
use crate::locks::LockExt;
use crate::outbox::{Entry, Outbox};
use crate::realtime::{ConnectionState, LifecycleInput, RealtimeHandle, TypingPlace};

impl Client {
    /// Starts the websocket and the outbox worker of the signed-in account
    /// (once; later calls return the running one).
    pub fn start_realtime(&self) -> Result<RealtimeHandle> {
        Ok(self.start_live()?.realtime.clone())
    }

    pub(crate) fn start_live(&self) -> Result<Arc<LiveServices>> {
        let account = self.account()?;
        if let Some(running) = self.live_of(&account.user_id) {
            return Ok(running);
        }
        let server_url = url::Url::parse(account.server.as_str())
            .map_err(|_| Error::internal("server URL does not parse"))?;
        // Built outside the lock: starting spawns tasks, and nothing that
        // can fail or panic runs while the slot is held.
        let started = Arc::new(LiveServices::start(
            LiveSetup {
                api: account.api.clone(),
                store: account.store.clone(),
                outbox: account.outbox.clone(),
                user_id: account.user_id.clone(),
                server_url,
                websocket_tls: self.websocket_tls_config(),
                session: self.session_state(),
            },
            &self.inner.runtime,
        )?);
        let mut slot = self.inner.live.locked();
        match slot.as_ref().filter(|r| r.user_id == account.user_id) {
            // Another call won the race; ours stops when dropped.
            Some(running) => Ok(running.clone()),
            None => {
                let replaced = slot.replace(started.clone());
                drop(slot);
                drop(replaced);
                Ok(started)
            }
        }
    }

    /// The live services of `user_id`, when started.
    pub(super) fn live_of(&self, user_id: &str) -> Option<Arc<LiveServices>> {
        self.inner
            .live
            .locked()
            .as_ref()
            .filter(|r| r.user_id == user_id)
            .cloned()
    }

    /// The live services of the signed-in account, when started.
    pub(crate) fn live(&self) -> Result<Option<Arc<LiveServices>>> {
        let account = self.account()?;
        Ok(self.live_of(&account.user_id))
    }

    fn live_or_not_started(&self) -> Result<Arc<LiveServices>> {
        self.live()?.ok_or(Error::NotStarted)
    }

    /// Stops the websocket and the outbox worker (queued intents stay in
    /// the store and go out after the next start).
    pub fn stop_realtime(&self) {
        let stopped = self.inner.live.locked().take();
        // Dropped outside the lock: stopping runs the services' `Drop`.
        drop(stopped);
    }

    /// The websocket's state now and every change. Needs
    /// [`Client::start_realtime`] first.
    pub fn connection_state(&self) -> Result<watch::Receiver<ConnectionState>> {
        Ok(self.live_or_not_started()?.realtime.state())
    }

    /// Foreground/background and network changes from the platform. Before
    /// the start they are remembered for notifications only.
    pub fn lifecycle(&self, input: LifecycleInput) -> Result<()> {
        self.inner.push.note_lifecycle(input);
        let Some(running) = self.live()? else {
            return Ok(());
        };
        running.realtime.input(input);
        if matches!(
            input,
            LifecycleInput::NetworkUp | LifecycleInput::NetworkChanged
        ) {
            self.outbox()?.flush();
        }
        Ok(())
    }

    /// The durable outbox of the signed-in account. Intents queued before
    /// [`Client::start_realtime`] wait in the store and go out once it runs.
    pub fn outbox(&self) -> Result<Outbox<ApiClient>> {
        Ok(self.account()?.outbox.clone())
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
        self.refuse_archived(channel_id).await?;
        self.outbox()?
            .send_post(channel_id, root_id, message, file_ids)
            .await
    }

    pub async fn edit_post(&self, post_id: &str, message: &str) -> Result<()> {
        self.outbox()?.edit_post(post_id, message).await
    }

    pub async fn delete_post(&self, post_id: &str) -> Result<()> {
        self.outbox()?.delete_post(post_id).await
    }

    pub async fn add_reaction(&self, post_id: &str, emoji_name: &str) -> Result<()> {
        self.outbox()?.add_reaction(post_id, emoji_name).await
    }

    pub async fn remove_reaction(&self, post_id: &str, emoji_name: &str) -> Result<()> {
        self.outbox()?.remove_reaction(post_id, emoji_name).await
    }

    /// Marks a channel read (here at once, on the server soon).
    pub async fn mark_channel_viewed(&self, channel_id: &str) -> Result<()> {
        self.outbox()?.mark_viewed(channel_id).await
    }

    /// Intents not yet confirmed by the server, with their state.
    pub async fn pending_sends(&self) -> Result<Vec<Entry>> {
        self.outbox()?.entries().await
    }

    /// Sends a failed intent again.
    pub async fn retry_send(&self, client_key: &str) -> Result<()> {
        self.outbox()?.retry(client_key).await
    }

    /// Drops a failed or unsent intent; false when it may already have
    /// reached the server (it is then settled by the outbox itself).
    pub async fn discard_send(&self, client_key: &str) -> Result<bool> {
        self.outbox()?.discard(client_key).await
    }

    /// The user types in a channel (or thread: `root_id`); throttled. A
    /// no-op while the websocket is not started.
    pub fn user_typing(&self, channel_id: &str, root_id: &str) -> Result<()> {
        if let Some(running) = self.live()? {
            running.realtime.user_typing(channel_id, root_id);
        }
        Ok(())
    }

    /// Who is typing in a channel (`root_id` empty) or thread right now
    /// (nobody known while the websocket is not started).
    pub fn typing_users(&self, channel_id: &str, root_id: &str) -> Result<Vec<String>> {
        let Some(running) = self.live()? else {
            return Ok(Vec::new());
        };
        running.typing.expire(Instant::now());
        Ok(running.typing.typing_at(
            &TypingPlace {
                channel_id: channel_id.to_owned(),
                parent_id: root_id.to_owned(),
            },
            Instant::now(),
        ))
    }

    /// Changes to who is typing (a counter; re-read on change). Needs
    /// [`Client::start_realtime`] first.
    pub fn typing_changes(&self) -> Result<watch::Receiver<u64>> {
        Ok(self.live_or_not_started()?.typing.subscribe())
    }

    /// A user's status as last reported ("online", "away", "dnd",
    /// "offline"); unknown while the websocket is not started.
    pub fn user_status(&self, user_id: &str) -> Result<Option<String>> {
        Ok(self
            .live()?
            .and_then(|running| running.statuses.get(user_id)))
    }
}
