//! Subscriptions: a foreign listener gets the current state first, then
//! every change, until the returned `TaskHandle` is cancelled or dropped.

use std::future::Future;
use std::sync::Arc;

use pausenhof_core as core;
use pausenhof_core::store::{ChangeSet, StoreChange};
use tokio::sync::broadcast;

use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::runtime;
use crate::session::SessionState;
use crate::task_handle::TaskHandle;
use crate::views::{SidebarSection, Thread, TimelineWindow};

/// Receives the session state: signed out, signed in, expired.
#[uniffi::export(with_foreign)]
pub trait SessionStateListener: Send + Sync {
    fn on_session_state(&self, state: SessionState);
}

#[uniffi::export]
impl Client {
    /// The session state now, then every change.
    pub fn subscribe_session_state(
        &self,
        listener: Arc<dyn SessionStateListener>,
    ) -> Arc<TaskHandle> {
        let mut states = self.core.session_state();
        let task = runtime::handle().spawn(async move {
            loop {
                let state = SessionState::from(&*states.borrow_and_update());
                listener.on_session_state(state);
                if states.changed().await.is_err() {
                    return;
                }
            }
        });
        Arc::new(TaskHandle::new(task.abort_handle()))
    }
}

/// Receives a team's channel list: the cached list first, then the whole
/// new list whenever it changed.
#[uniffi::export(with_foreign)]
pub trait ChannelListListener: Send + Sync {
    fn on_channel_list(&self, sections: Vec<SidebarSection>);
    /// Reading the cache failed; the subscription keeps waiting for changes.
    fn on_error(&self, error: ClientError);
}

/// Receives the newest window of a channel's timeline: first, then on
/// every change (new, edited, deleted posts, reactions, names).
#[uniffi::export(with_foreign)]
pub trait TimelineListener: Send + Sync {
    fn on_timeline(&self, window: TimelineWindow);
    fn on_error(&self, error: ClientError);
}

/// Receives a thread: first, then on every change.
#[uniffi::export(with_foreign)]
pub trait ThreadListener: Send + Sync {
    fn on_thread(&self, thread: Thread);
    fn on_error(&self, error: ClientError);
}

#[uniffi::export]
impl Client {
    /// The channel list of `team_id` now, then after every change.
    pub fn subscribe_channel_list(
        &self,
        team_id: String,
        listener: Arc<dyn ChannelListListener>,
    ) -> Result<Arc<TaskHandle>> {
        let core = self.core.clone();
        let affected = team_id.clone();
        self.watch_store(
            move |changes| changes.affects_channel_list(&affected),
            move || {
                let (core, team_id) = (core.clone(), team_id.clone());
                async move { core.channel_list(&team_id).await }
            },
            move |update| match update {
                Ok(sections) => {
                    listener.on_channel_list(sections.into_iter().map(Into::into).collect())
                }
                Err(error) => listener.on_error(error.into()),
            },
        )
    }

    /// The newest `limit` posts of a channel now, then after every change.
    pub fn subscribe_timeline(
        &self,
        channel_id: String,
        limit: u32,
        listener: Arc<dyn TimelineListener>,
    ) -> Result<Arc<TaskHandle>> {
        let core = self.core.clone();
        let affected = channel_id.clone();
        self.watch_store(
            move |changes| changes.affects_timeline(&affected),
            move || {
                let (core, channel_id) = (core.clone(), channel_id.clone());
                async move { core.timeline(&channel_id, limit as usize).await }
            },
            move |update| match update {
                Ok(window) => listener.on_timeline(window.into()),
                Err(error) => listener.on_error(error.into()),
            },
        )
    }

    /// A thread now, then after every change.
    pub fn subscribe_thread(
        &self,
        root_id: String,
        listener: Arc<dyn ThreadListener>,
    ) -> Result<Arc<TaskHandle>> {
        let core = self.core.clone();
        let affected = root_id.clone();
        self.watch_store(
            // Replies change the thread; the root's edits and reactions are
            // posts of its channel, which the change set names by channel.
            move |changes| {
                changes.iter().any(|change| match change {
                    StoreChange::Thread { root_id } => *root_id == affected,
                    StoreChange::Posts { .. } | StoreChange::User { .. } | StoreChange::Rebuilt => {
                        true
                    }
                    _ => false,
                })
            },
            move || {
                let (core, root_id) = (core.clone(), root_id.clone());
                async move { core.thread(&root_id).await }
            },
            move |update| match update {
                Ok(thread) => listener.on_thread(thread.into()),
                Err(error) => listener.on_error(error.into()),
            },
        )
    }
}

impl Client {
    /// Reads once, then re-reads after every change set that `affects` the
    /// view, delivering only results that differ from the last one. The
    /// change feed is subscribed before the first read so no change between
    /// the two is missed; after a lag (changes dropped) it re-reads anyway.
    fn watch_store<V, Read, Fut, Deliver>(
        &self,
        affects: impl Fn(&ChangeSet) -> bool + Send + 'static,
        read: Read,
        deliver: Deliver,
    ) -> Result<Arc<TaskHandle>>
    where
        V: PartialEq + Clone + Send + 'static,
        Read: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = core::Result<V>> + Send,
        Deliver: Fn(core::Result<V>) + Send + 'static,
    {
        let mut changes = self.core.store_changes()?;
        let task = runtime::handle().spawn(async move {
            let mut last: Option<V> = None;
            loop {
                match read().await {
                    Ok(value) if last.as_ref() == Some(&value) => {}
                    Ok(value) => {
                        last = Some(value.clone());
                        deliver(Ok(value));
                    }
                    Err(error) => deliver(Err(error)),
                }
                loop {
                    match changes.recv().await {
                        Ok(set) if affects(&set) => break,
                        Ok(_) => {}
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        // The account's store is gone (logout).
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
        });
        Ok(Arc::new(TaskHandle::new(task.abort_handle())))
    }
}
