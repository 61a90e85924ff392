//! A channel's or thread's timeline as items ready to draw: day
//! separators in the user's time zone, the "new messages" line, posts
//! grouped by author, system posts as sentences, send states from the
//! outbox, Markdown trees. Built from the store's timeline window
//! ([`crate::store::reads`]); delivered as snapshot + diffs by
//! `Client::timeline_items` (`observe` diffs them by item id).

mod build;
mod read;
mod system;

use serde::Serialize;

pub use build::{build_items, ItemContext, SourcePost, GROUP_WINDOW_MS};
pub use read::{last_viewed_at, read_items, StoreLookup, Target};
pub use system::system_sentence;

use crate::markdown::Document;
use crate::store::reads::{FileView, OlderPosts, ReactionView};
use crate::texts::Locale;

/// The items of a timeline and what lies around them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineItems {
    /// Oldest first.
    pub items: Vec<TimelineItem>,
    /// What lies before the oldest item (see
    /// [`crate::store::reads::OlderPosts`]); `paginate_backwards` loads it.
    pub older: OlderPosts,
    /// Newer posts exist than the cached ones: a sync is due.
    pub newer_missing: bool,
    pub never_loaded: bool,
}

/// One row of the timeline. `id` is stable across snapshots (the post id;
/// `day:YYYY-MM-DD` for a separator; `new-messages` for the line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineItem {
    pub id: String,
    pub kind: TimelineItemKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineItemKind {
    DaySeparator(DaySeparator),
    /// Posts below arrived since the user's last visit.
    NewMessages {
        label: String,
    },
    Post(Box<PostItem>),
    System(SystemItem),
}

/// The start of a day in the user's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaySeparator {
    pub year: i16,
    pub month: i8,
    pub day: i8,
    /// "Today", "Yesterday" or the full date, in the locale.
    pub label: String,
}

/// A system post (join, leave, header change, ...) as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemItem {
    pub post_id: String,
    /// Mattermost's type, e.g. `system_join_channel`.
    pub post_type: String,
    pub text: String,
    /// Who did it (empty when unknown).
    pub actor_id: String,
    pub create_at: i64,
    /// `HH:MM` in the user's time zone.
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostItem {
    pub post_id: String,
    /// Empty for a root post.
    pub root_id: String,
    pub user_id: String,
    pub author_name: String,
    pub author_username: String,
    pub create_at: i64,
    /// `HH:MM` in the user's time zone.
    pub time: String,
    /// Written by the signed-in user.
    pub mine: bool,
    /// Continues the previous post of the same author within
    /// [`GROUP_WINDOW_MS`]: draw without name and picture.
    pub grouped: bool,
    /// A `/me` post: draw as an action of the author.
    pub emote: bool,
    /// The message as a Markdown tree (empty for a deleted post).
    pub text: Document,
    /// The same as plain text; for a deleted post the "message deleted"
    /// text of the locale.
    pub plain_text: String,
    /// The text mentions the signed-in user (name or mention key).
    pub mentions_me: bool,
    pub edited: bool,
    pub deleted: bool,
    pub pinned: bool,
    /// Saved ("flagged") by the signed-in user.
    pub saved: bool,
    pub send_state: SendStatus,
    pub reactions: Vec<ReactionView>,
    pub files: Vec<FileView>,
    /// For a thread's root with replies.
    pub thread: Option<ThreadSummary>,
}

/// Where one of the user's own posts stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SendStatus {
    /// On the server (every post of others is).
    Sent,
    /// In the outbox, waiting or under way.
    Pending,
    /// The server refused it. `explanation` says why in the locale;
    /// `can_retry` is false when sending it again cannot work as it is
    /// (no permission, channel gone, too long): offer discard or edit.
    Failed {
        reason: String,
        explanation: String,
        can_retry: bool,
    },
}

/// Replies under a root post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadSummary {
    pub reply_count: i64,
    /// People who replied (cached replies), the latest first.
    pub participants: Vec<Participant>,
    /// The newest cached reply's time (0 when none is cached).
    pub last_reply_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub user_id: String,
    pub name: String,
}

/// How the app wants its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineOptions {
    /// IANA name (`Europe/Berlin`) for day separators and times; `None`
    /// uses the system's.
    pub time_zone: Option<String>,
    pub locale: Locale,
    /// Posts in the first snapshot, and added by each backwards page.
    pub page_size: usize,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            time_zone: None,
            locale: Locale::English,
            page_size: 50,
        }
    }
}

#[cfg(test)]
mod tests;
