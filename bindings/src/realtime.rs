//! The live part: websocket connection, lifecycle and network inputs,
//! sending through the outbox, typing and statuses.

use std::sync::Arc;
use std::time::SystemTime;

use pausenhof_core::realtime as core_realtime;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::{self, run};
use crate::task_handle::TaskHandle;

/// The websocket connection as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// The last attempt failed; the next one is at `at`.
    WaitingToReconnect {
        at: SystemTime,
        attempt: u32,
    },
    /// Deliberately not connected.
    Offline {
        reason: OfflineReason,
    },
    /// The server rejected the session: sign in again.
    SessionExpired,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OfflineReason {
    NoNetwork,
    Background,
}

/// What the app reports from its lifecycle and the network monitor; the
/// core decides what to do with the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LifecycleEvent {
    Foreground,
    Background,
    /// Keep the socket open in the background (a call, an upload).
    KeepBackgroundConnection {
        keep: bool,
    },
    NetworkUp,
    NetworkDown,
    /// Wi-Fi to mobile and the like: reconnect at once.
    NetworkChanged,
}

/// Receives the connection state: first the current one, then changes.
#[uniffi::export(with_foreign)]
pub trait ConnectionStateListener: Send + Sync {
    fn on_connection_state(&self, state: ConnectionState);
}

/// Receives who is typing in one channel or thread: first now, then on
/// every change.
#[uniffi::export(with_foreign)]
pub trait TypingListener: Send + Sync {
    fn on_typing(&self, user_ids: Vec<String>);
}

#[uniffi::export]
impl Client {
    /// Starts the websocket and the outbox for the signed-in account.
    pub fn start_realtime(&self) -> Result<()> {
        let _context = runtime::handle().enter();
        self.core.start_realtime()?;
        Ok(())
    }

    /// Stops the websocket and the outbox (queued sends stay queued).
    pub fn stop_realtime(&self) {
        let _context = runtime::handle().enter();
        self.core.stop_realtime();
    }

    /// Reports an app lifecycle or network change.
    pub fn lifecycle(&self, event: LifecycleEvent) -> Result<()> {
        let _context = runtime::handle().enter();
        Ok(self.core.lifecycle(event.into())?)
    }

    /// The connection state now, then every change.
    pub fn subscribe_connection_state(
        &self,
        listener: Arc<dyn ConnectionStateListener>,
    ) -> Result<Arc<TaskHandle>> {
        let _context = runtime::handle().enter();
        let mut states = self.core.connection_state()?;
        let task = runtime::handle().spawn(async move {
            loop {
                let state = ConnectionState::from(&*states.borrow_and_update());
                listener.on_connection_state(state);
                if states.changed().await.is_err() {
                    return;
                }
            }
        });
        Ok(Arc::new(TaskHandle::new(task.abort_handle())))
    }

    /// Queues a post; it shows at once and is sent when possible, exactly
    /// once. Returns its client key (the local echo's id). `root_id` is
    /// empty for a new thread.
    pub async fn send_post(
        &self,
        channel_id: String,
        root_id: String,
        message: String,
    ) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move { core.send_post(&channel_id, &root_id, &message).await }).await?)
    }

    /// `send_post` with files uploaded before by `upload_file`.
    pub async fn send_post_with_files(
        &self,
        channel_id: String,
        root_id: String,
        message: String,
        file_ids: Vec<String>,
    ) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move {
            core.send_post_with_files(&channel_id, &root_id, &message, file_ids)
                .await
        })
        .await?)
    }

    /// Queues an edit of one's own post.
    pub async fn edit_post(&self, post_id: String, message: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.edit_post(&post_id, &message).await }).await?)
    }

    /// Queues the deletion of a post.
    pub async fn delete_post(&self, post_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.delete_post(&post_id).await }).await?)
    }

    pub async fn add_reaction(&self, post_id: String, emoji_name: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.add_reaction(&post_id, &emoji_name).await }).await?)
    }

    pub async fn remove_reaction(&self, post_id: String, emoji_name: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.remove_reaction(&post_id, &emoji_name).await }).await?)
    }

    /// Queues "channel viewed" (clears its unread state everywhere).
    pub async fn mark_channel_viewed(&self, channel_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.mark_channel_viewed(&channel_id).await }).await?)
    }

    /// Tries a failed send again now.
    pub async fn retry_send(&self, client_key: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.retry_send(&client_key).await }).await?)
    }

    /// Drops a queued or failed send; false when it was already sent.
    pub async fn discard_send(&self, client_key: String) -> Result<bool> {
        let core = self.core.clone();
        Ok(run(async move { core.discard_send(&client_key).await }).await?)
    }

    /// Tells others the user is typing (throttled by the core).
    pub fn user_typing(&self, channel_id: String, root_id: String) -> Result<()> {
        let _context = runtime::handle().enter();
        Ok(self.core.user_typing(&channel_id, &root_id)?)
    }

    /// Who is typing in a channel (`root_id` empty) or thread now, then on
    /// every change.
    pub fn subscribe_typing(
        &self,
        channel_id: String,
        root_id: String,
        listener: Arc<dyn TypingListener>,
    ) -> Result<Arc<TaskHandle>> {
        let _context = runtime::handle().enter();
        let mut changes = self.core.typing_changes()?;
        let core = self.core.clone();
        let task = runtime::handle().spawn(async move {
            let mut last = None;
            loop {
                changes.borrow_and_update();
                match core.typing_users(&channel_id, &root_id) {
                    Ok(users) if last.as_ref() == Some(&users) => {}
                    Ok(users) => {
                        last = Some(users.clone());
                        listener.on_typing(users);
                    }
                    Err(_) => return,
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        });
        Ok(Arc::new(TaskHandle::new(task.abort_handle())))
    }

    /// A user's last known status (`online`, `away`, `dnd`, `offline`).
    pub fn user_status(&self, user_id: String) -> Result<Option<String>> {
        Ok(self.core.user_status(&user_id)?)
    }
}

impl From<&core_realtime::ConnectionState> for ConnectionState {
    fn from(state: &core_realtime::ConnectionState) -> Self {
        use core_realtime::ConnectionState as S;
        match state {
            S::Connecting => ConnectionState::Connecting,
            S::Connected => ConnectionState::Connected,
            S::WaitingToReconnect { at, attempt } => ConnectionState::WaitingToReconnect {
                at: *at,
                attempt: *attempt,
            },
            S::Offline(reason) => ConnectionState::Offline {
                reason: match reason {
                    core_realtime::OfflineReason::NoNetwork => OfflineReason::NoNetwork,
                    core_realtime::OfflineReason::Background => OfflineReason::Background,
                },
            },
            S::SessionExpired => ConnectionState::SessionExpired,
            S::Stopped => ConnectionState::Stopped,
        }
    }
}

impl From<LifecycleEvent> for core_realtime::LifecycleInput {
    fn from(event: LifecycleEvent) -> Self {
        use core_realtime::LifecycleInput as I;
        match event {
            LifecycleEvent::Foreground => I::Foreground,
            LifecycleEvent::Background => I::Background,
            LifecycleEvent::KeepBackgroundConnection { keep } => I::KeepBackgroundConnection(keep),
            LifecycleEvent::NetworkUp => I::NetworkUp,
            LifecycleEvent::NetworkDown => I::NetworkDown,
            LifecycleEvent::NetworkChanged => I::NetworkChanged,
        }
    }
}
