//! Timeline items: a channel's or thread's timeline as the app draws it
//! (day separators, the new-messages line, grouped posts, system posts as
//! sentences, send states, Markdown), delivered as snapshot + diffs, with
//! backwards pagination. Records mirror `pausenhof_core::timeline`.

use std::sync::Arc;

use pausenhof_core as core;
use pausenhof_core::observe::{ListOp, Update};

use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::message_text::MessageText;
use crate::runtime::run;
use crate::subscriptions::deliver;
use crate::task_handle::TaskHandle;
use crate::views::{FileAttachment, OlderPosts, Reaction};

/// Whose timeline to open.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TimelineTarget {
    Channel { channel_id: String },
    Thread { root_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineOptions {
    /// IANA time zone (`Europe/Berlin`) for day separators and times;
    /// `None` for the device's.
    #[uniffi(default = None)]
    pub time_zone: Option<String>,
    /// The app's language (`de`, `de-AT`, `en`): texts core makes
    /// (system posts, "message deleted", day labels) follow it.
    #[uniffi(default = "en")]
    pub locale: String,
    /// Posts in the first snapshot and in each backwards page.
    #[uniffi(default = 50)]
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineItems {
    /// Oldest first.
    pub items: Vec<TimelineItem>,
    pub older: OlderPosts,
    pub newer_missing: bool,
    pub never_loaded: bool,
}

/// One row. `id` is stable across snapshots (use it as the list item's
/// stable id).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineItem {
    pub id: String,
    pub kind: TimelineItemKind,
}

// Crossing the FFI serialises every variant anyway; boxing would only add
// an allocation on the Rust side.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TimelineItemKind {
    DaySeparator {
        year: i32,
        month: u8,
        day: u8,
        /// "Today", "Yesterday" or the date, in the locale.
        label: String,
    },
    /// Posts below arrived since the last visit.
    NewMessages {
        label: String,
    },
    Post {
        post: PostItem,
    },
    /// A system post (joined, left, header changed, ...) as a sentence.
    System {
        item: SystemItem,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SystemItem {
    pub post_id: String,
    pub post_type: String,
    pub text: String,
    pub actor_id: String,
    pub create_at: i64,
    /// `HH:MM` in the time zone.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PostItem {
    pub post_id: String,
    pub root_id: String,
    pub user_id: String,
    pub author_name: String,
    pub author_username: String,
    pub create_at: i64,
    /// `HH:MM` in the time zone.
    pub time: String,
    pub mine: bool,
    /// Continues the author's previous post: no name or picture.
    pub grouped: bool,
    /// A `/me` post.
    pub emote: bool,
    pub text: MessageText,
    /// The same text without Markdown; the "message deleted" text for a
    /// deleted post.
    pub plain_text: String,
    pub mentions_me: bool,
    pub edited: bool,
    pub deleted: bool,
    pub pinned: bool,
    pub saved: bool,
    pub send_state: PostSendState,
    pub reactions: Vec<Reaction>,
    pub files: Vec<FileAttachment>,
    pub thread: Option<ThreadSummary>,
}

/// Where one of the user's own posts stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PostSendState {
    Sent,
    Pending,
    /// `explanation` is for the user; offer retry only when `can_retry`.
    Failed {
        reason: String,
        explanation: String,
        can_retry: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ThreadSummary {
    pub reply_count: i64,
    /// Who replied, latest first.
    pub participants: Vec<Participant>,
    pub last_reply_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Participant {
    pub user_id: String,
    pub name: String,
}

/// One step of a timeline items diff; apply in order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TimelineItemOp {
    Remove {
        index: u32,
    },
    Insert {
        index: u32,
        item: TimelineItem,
    },
    Move {
        from: u32,
        to: u32,
    },
    /// The item at `index` changed (edited, reacted to, sent, ...).
    Update {
        index: u32,
        item: TimelineItem,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineItemsDiff {
    pub items: Vec<TimelineItemOp>,
    pub older: OlderPosts,
    pub newer_missing: bool,
    pub never_loaded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaginationOutcome {
    pub fetched: u64,
    pub reached_start: bool,
}

/// Receives timeline items: whole first, then a diff on every change.
#[uniffi::export(with_foreign)]
pub trait TimelineItemsListener: Send + Sync {
    fn on_items(&self, items: TimelineItems);
    fn on_items_diff(&self, diff: TimelineItemsDiff);
    fn on_error(&self, error: ClientError);
}

/// An open timeline. Keep it while the screen shows it.
#[derive(uniffi::Object)]
pub struct Timeline {
    core: core::Timeline,
}

#[uniffi::export]
impl Client {
    /// Opens the timeline items of a channel or thread. The channel's last
    /// visit is taken now, for the new-messages line.
    pub async fn open_timeline(
        &self,
        target: TimelineTarget,
        options: TimelineOptions,
    ) -> Result<Arc<Timeline>> {
        let client = self.core.clone();
        let target = match target {
            TimelineTarget::Channel { channel_id } => {
                core::timeline::Target::Channel { channel_id }
            }
            TimelineTarget::Thread { root_id } => core::timeline::Target::Thread { root_id },
        };
        let options = core::timeline::TimelineOptions {
            time_zone: options.time_zone,
            locale: core::texts::Locale::from_tag(&options.locale),
            page_size: options.page_size.max(1) as usize,
        };
        let timeline = run(async move { client.open_timeline(target, options).await }).await?;
        Ok(Arc::new(Timeline { core: timeline }))
    }
}

#[uniffi::export]
impl Timeline {
    /// The items now, then a diff after every change and every page
    /// loaded backwards.
    pub fn subscribe(&self, listener: Arc<dyn TimelineItemsListener>) -> Result<Arc<TaskHandle>> {
        let subscription = self.core.subscribe()?;
        Ok(deliver(subscription, move |update| match update {
            Ok(Update::Snapshot(items)) => listener.on_items(items.into()),
            Ok(Update::Diff(diff)) => listener.on_items_diff(diff.into()),
            Err(error) => listener.on_error(error.into()),
        }))
    }

    /// The items now.
    pub async fn items(&self) -> Result<TimelineItems> {
        let timeline = self.core.clone();
        Ok(run(async move { timeline.items().await }).await?.into())
    }

    /// One page more of older posts (from the cache, else the server);
    /// subscribers get the new items as a diff.
    pub async fn paginate_backwards(&self) -> Result<PaginationOutcome> {
        let timeline = self.core.clone();
        let outcome = run(async move { timeline.paginate_backwards().await }).await?;
        Ok(PaginationOutcome {
            fetched: outcome.fetched as u64,
            reached_start: outcome.reached_start,
        })
    }
}

impl From<core::timeline::TimelineItems> for TimelineItems {
    fn from(items: core::timeline::TimelineItems) -> Self {
        TimelineItems {
            items: items.items.into_iter().map(Into::into).collect(),
            older: items.older.into(),
            newer_missing: items.newer_missing,
            never_loaded: items.never_loaded,
        }
    }
}

impl From<core::observe::TimelineItemsDiff> for TimelineItemsDiff {
    fn from(diff: core::observe::TimelineItemsDiff) -> Self {
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        TimelineItemsDiff {
            items: diff
                .items
                .into_iter()
                .map(|op| match op {
                    ListOp::Remove { index: i } => TimelineItemOp::Remove { index: index(i) },
                    ListOp::Insert { index: i, item } => TimelineItemOp::Insert {
                        index: index(i),
                        item: item.into(),
                    },
                    ListOp::Move { from, to } => TimelineItemOp::Move {
                        from: index(from),
                        to: index(to),
                    },
                    ListOp::Update { index: i, patch } => TimelineItemOp::Update {
                        index: index(i),
                        item: patch.into(),
                    },
                })
                .collect(),
            older: diff.older.into(),
            newer_missing: diff.newer_missing,
            never_loaded: diff.never_loaded,
        }
    }
}

impl From<core::timeline::TimelineItem> for TimelineItem {
    fn from(item: core::timeline::TimelineItem) -> Self {
        use core::timeline::TimelineItemKind as K;
        let kind = match item.kind {
            K::DaySeparator(day) => TimelineItemKind::DaySeparator {
                year: i32::from(day.year),
                month: day.month.clamp(1, 12) as u8,
                day: day.day.clamp(1, 31) as u8,
                label: day.label,
            },
            K::NewMessages { label } => TimelineItemKind::NewMessages { label },
            K::System(s) => TimelineItemKind::System {
                item: SystemItem {
                    post_id: s.post_id,
                    post_type: s.post_type,
                    text: s.text,
                    actor_id: s.actor_id,
                    create_at: s.create_at,
                    time: s.time,
                },
            },
            K::Post(post) => TimelineItemKind::Post {
                post: (*post).into(),
            },
        };
        TimelineItem { id: item.id, kind }
    }
}

impl From<core::timeline::PostItem> for PostItem {
    fn from(p: core::timeline::PostItem) -> Self {
        PostItem {
            post_id: p.post_id,
            root_id: p.root_id,
            user_id: p.user_id,
            author_name: p.author_name,
            author_username: p.author_username,
            create_at: p.create_at,
            time: p.time,
            mine: p.mine,
            grouped: p.grouped,
            emote: p.emote,
            text: p.text.into(),
            plain_text: p.plain_text,
            mentions_me: p.mentions_me,
            edited: p.edited,
            deleted: p.deleted,
            pinned: p.pinned,
            saved: p.saved,
            send_state: match p.send_state {
                core::timeline::SendStatus::Sent => PostSendState::Sent,
                core::timeline::SendStatus::Pending => PostSendState::Pending,
                core::timeline::SendStatus::Failed {
                    reason,
                    explanation,
                    can_retry,
                } => PostSendState::Failed {
                    reason,
                    explanation,
                    can_retry,
                },
            },
            reactions: p.reactions.into_iter().map(Into::into).collect(),
            files: p.files.into_iter().map(Into::into).collect(),
            thread: p.thread.map(|t| ThreadSummary {
                reply_count: t.reply_count,
                participants: t
                    .participants
                    .into_iter()
                    .map(|p| Participant {
                        user_id: p.user_id,
                        name: p.name,
                    })
                    .collect(),
                last_reply_at: t.last_reply_at,
            }),
        }
    }
}
