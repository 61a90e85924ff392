//! Subscriptions: a foreign listener gets the current state first, then
//! every change (store views as core's diffs, states whole), until the
//! returned `TaskHandle` is cancelled or dropped.

use std::sync::Arc;

use pausenhof_core as core;
use pausenhof_core::observe::{Diffable, Subscription, Update};

use crate::client::Client;
use crate::diffs::{sidebar_ops, SidebarSectionOp, ThreadDiff, TimelineDiff};
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

/// Receives a team's sidebar: the cached sections first, then a diff
/// after every change (apply the operations in order).
#[uniffi::export(with_foreign)]
pub trait ChannelListListener: Send + Sync {
    fn on_channel_list(&self, sections: Vec<SidebarSection>);
    fn on_channel_list_diff(&self, operations: Vec<SidebarSectionOp>);
    /// Reading the cache failed; the subscription keeps waiting for
    /// changes, and the next diff is against the last delivered list.
    fn on_error(&self, error: ClientError);
}

/// Receives the newest window of a channel's timeline: whole first, then a
/// diff on every change (new, edited, deleted posts, reactions, names).
#[uniffi::export(with_foreign)]
pub trait TimelineListener: Send + Sync {
    fn on_timeline(&self, window: TimelineWindow);
    fn on_timeline_diff(&self, diff: TimelineDiff);
    fn on_error(&self, error: ClientError);
}

/// Receives a thread: whole first, then a diff on every change.
#[uniffi::export(with_foreign)]
pub trait ThreadListener: Send + Sync {
    fn on_thread(&self, thread: Thread);
    fn on_thread_diff(&self, diff: ThreadDiff);
    fn on_error(&self, error: ClientError);
}

#[uniffi::export]
impl Client {
    /// The channel list of `team_id` now, then a diff after every change.
    pub fn subscribe_channel_list(
        &self,
        team_id: String,
        listener: Arc<dyn ChannelListListener>,
    ) -> Result<Arc<TaskHandle>> {
        let subscription = self.core.watch_channel_list(&team_id)?;
        Ok(deliver(subscription, move |update| match update {
            Ok(Update::Snapshot(sections)) => {
                listener.on_channel_list(sections.into_iter().map(Into::into).collect())
            }
            Ok(Update::Diff(diff)) => listener.on_channel_list_diff(sidebar_ops(diff)),
            Err(error) => listener.on_error(error.into()),
        }))
    }

    /// The newest `limit` posts of a channel now, then a diff after every
    /// change.
    pub fn subscribe_timeline(
        &self,
        channel_id: String,
        limit: u32,
        listener: Arc<dyn TimelineListener>,
    ) -> Result<Arc<TaskHandle>> {
        let subscription = self.core.watch_timeline(&channel_id, limit as usize)?;
        Ok(deliver(subscription, move |update| match update {
            Ok(Update::Snapshot(window)) => listener.on_timeline(window.into()),
            Ok(Update::Diff(diff)) => listener.on_timeline_diff(diff.into()),
            Err(error) => listener.on_error(error.into()),
        }))
    }

    /// A thread now, then a diff after every change.
    pub fn subscribe_thread(
        &self,
        root_id: String,
        listener: Arc<dyn ThreadListener>,
    ) -> Result<Arc<TaskHandle>> {
        let subscription = self.core.watch_thread(&root_id)?;
        Ok(deliver(subscription, move |update| match update {
            Ok(Update::Snapshot(thread)) => listener.on_thread(thread.into()),
            Ok(Update::Diff(diff)) => listener.on_thread_diff(diff.into()),
            Err(error) => listener.on_error(error.into()),
        }))
    }
}

/// Hands every update of a core subscription to the listener, on the
/// core's runtime, until the handle is cancelled or the store is gone.
pub(crate) fn deliver<V>(
    mut subscription: Subscription<V>,
    deliver: impl Fn(core::Result<Update<V>>) + Send + 'static,
) -> Arc<TaskHandle>
where
    V: Diffable + Send + 'static,
{
    let task = runtime::handle().spawn(async move {
        while let Some(update) = subscription.next().await {
            deliver(update);
        }
    });
    Arc::new(TaskHandle::new(task.abort_handle()))
}
