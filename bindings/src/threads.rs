//! Followed threads (collapsed reply threads): a team's Threads list,
//! following, reading.

use std::sync::Arc;

use pausenhof_core::observe::{self, ListOp, Update};
use pausenhof_core::reads;

use crate::client::Client;
use crate::diffs::list_op;
use crate::error::{ClientError, Result};
use crate::runtime::run;
use crate::subscriptions::deliver;
use crate::task_handle::TaskHandle;
use crate::views::Post;

/// A team's Threads list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FollowedThreads {
    /// Newest reply first.
    pub threads: Vec<FollowedThread>,
    /// Threads with unread replies (the badge of the Threads entry).
    pub unread_threads: i64,
    pub unread_mentions: i64,
}

/// One followed thread, ready to draw as a row.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FollowedThread {
    pub root: Post,
    /// The root's text as one plain line, shortened.
    pub preview: String,
    /// As the channel list names the channel.
    pub channel_name: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub last_viewed_at: i64,
    pub unread_replies: i64,
    pub unread_mentions: i64,
    pub participants: Vec<ThreadParticipant>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ThreadParticipant {
    pub user_id: String,
    pub name: String,
}

/// One step of a Threads list diff.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum FollowedThreadOp {
    Remove {
        index: u32,
    },
    Insert {
        index: u32,
        thread: FollowedThread,
    },
    Move {
        from: u32,
        to: u32,
    },
    /// The thread at `index` changed (a reply, read, the root edited).
    Update {
        index: u32,
        thread: FollowedThread,
    },
}

/// How a Threads list changed since the last delivery.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FollowedThreadsDiff {
    pub threads: Vec<FollowedThreadOp>,
    pub unread_threads: i64,
    pub unread_mentions: i64,
}

/// Receives a team's Threads list: whole first, then a diff on every
/// change.
#[uniffi::export(with_foreign)]
pub trait FollowedThreadsListener: Send + Sync {
    fn on_followed_threads(&self, threads: FollowedThreads);
    fn on_followed_threads_diff(&self, diff: FollowedThreadsDiff);
    fn on_error(&self, error: ClientError);
}

#[uniffi::export]
impl Client {
    /// A team's followed threads as cached (offline too).
    pub async fn followed_threads(&self, team_id: String) -> Result<FollowedThreads> {
        let core = self.core.clone();
        Ok(run(async move { core.followed_threads(&team_id).await })
            .await?
            .into())
    }

    /// Fetches a team's followed threads from the server; offline, the
    /// cached ones.
    pub async fn load_followed_threads(&self, team_id: String) -> Result<FollowedThreads> {
        let core = self.core.clone();
        Ok(
            run(async move { core.load_followed_threads(&team_id).await })
                .await?
                .into(),
        )
    }

    /// Follows a thread, or stops following it.
    pub async fn set_thread_following(&self, root_id: String, following: bool) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.set_thread_following(&root_id, following).await }).await?)
    }

    /// Marks a thread read up to its newest reply.
    pub async fn mark_thread_read(&self, root_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.mark_thread_read(&root_id).await }).await?)
    }
}

#[uniffi::export]
impl Client {
    /// A team's Threads list now, then a diff after every change.
    pub fn subscribe_followed_threads(
        &self,
        team_id: String,
        listener: Arc<dyn FollowedThreadsListener>,
    ) -> Result<Arc<TaskHandle>> {
        let subscription = self.core.watch_followed_threads(&team_id)?;
        Ok(deliver(subscription, move |update| match update {
            Ok(Update::Snapshot(list)) => listener.on_followed_threads(list.into()),
            Ok(Update::Diff(diff)) => listener.on_followed_threads_diff(diff.into()),
            Err(error) => listener.on_error(error.into()),
        }))
    }
}

impl From<reads::FollowedThreads> for FollowedThreads {
    fn from(list: reads::FollowedThreads) -> Self {
        FollowedThreads {
            threads: list.threads.into_iter().map(Into::into).collect(),
            unread_threads: list.unread_threads,
            unread_mentions: list.unread_mentions,
        }
    }
}

impl From<reads::FollowedThread> for FollowedThread {
    fn from(t: reads::FollowedThread) -> Self {
        FollowedThread {
            root: t.root.into(),
            preview: t.preview,
            channel_name: t.channel_name,
            reply_count: t.reply_count,
            last_reply_at: t.last_reply_at,
            last_viewed_at: t.last_viewed_at,
            unread_replies: t.unread_replies,
            unread_mentions: t.unread_mentions,
            participants: t
                .participants
                .into_iter()
                .map(|p| ThreadParticipant {
                    user_id: p.user_id,
                    name: p.name,
                })
                .collect(),
        }
    }
}

impl From<observe::FollowedThreadsDiff> for FollowedThreadsDiff {
    fn from(diff: observe::FollowedThreadsDiff) -> Self {
        FollowedThreadsDiff {
            threads: diff.threads.into_iter().map(thread_op).collect(),
            unread_threads: diff.unread_threads,
            unread_mentions: diff.unread_mentions,
        }
    }
}

fn thread_op(op: ListOp<reads::FollowedThread>) -> FollowedThreadOp {
    list_op(
        op,
        |index| FollowedThreadOp::Remove { index },
        |index, thread| FollowedThreadOp::Insert {
            index,
            thread: thread.into(),
        },
        |from, to| FollowedThreadOp::Move { from, to },
        |index, thread| FollowedThreadOp::Update {
            index,
            thread: thread.into(),
        },
    )
}
