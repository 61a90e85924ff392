//! Diffs of the read views the UI subscribes to: a timeline window, a
//! thread and a team's sidebar. Lists are diffed by key (post id, channel
//! id, section); the few scalar fields around them are sent whole.

use super::list::{self, diff, diff_with, Keyed, ListOp, OutOfRange};
use crate::store::reads::{
    ChannelListItem, FollowedThread, FollowedThreads, OlderPosts, PostView, SectionKind,
    SidebarSection, ThreadView, TimelineWindow,
};
use crate::timeline::{TimelineItem, TimelineItems};

/// A value that can describe its changes as a diff.
pub trait Diffable: Clone {
    type Diff;
    /// What turns `self` into `new`; `None` when they are equal.
    fn diff(&self, new: &Self) -> Option<Self::Diff>;
    /// Applies a diff made by [`Diffable::diff`] from an equal value.
    fn apply(&mut self, diff: Self::Diff) -> Result<(), OutOfRange>;
}

impl Keyed for PostView {
    type Key = String;
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for ChannelListItem {
    type Key = String;
    fn key(&self) -> String {
        self.id.clone()
    }
}

/// A section is the same section across snapshots when kind and category
/// match (a renamed category stays the same section).
impl Keyed for SidebarSection {
    type Key = (SectionKind, Option<String>);
    fn key(&self) -> Self::Key {
        (self.kind, self.category_id.clone())
    }
}

/// How a timeline window changed.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineDiff {
    pub posts: Vec<ListOp<PostView>>,
    pub older: OlderPosts,
    pub newer_missing: bool,
    pub never_loaded: bool,
}

impl Diffable for TimelineWindow {
    type Diff = TimelineDiff;

    fn diff(&self, new: &Self) -> Option<TimelineDiff> {
        (self != new).then(|| TimelineDiff {
            posts: diff(&self.posts, &new.posts),
            older: new.older,
            newer_missing: new.newer_missing,
            never_loaded: new.never_loaded,
        })
    }

    fn apply(&mut self, diff: TimelineDiff) -> Result<(), OutOfRange> {
        list::apply(&mut self.posts, diff.posts)?;
        self.older = diff.older;
        self.newer_missing = diff.newer_missing;
        self.never_loaded = diff.never_loaded;
        Ok(())
    }
}

impl Keyed for TimelineItem {
    type Key = String;
    fn key(&self) -> String {
        self.id.clone()
    }
}

/// How a timeline's items changed: operations on the items (an item whose
/// content changed is replaced whole), and the fields around them now.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineItemsDiff {
    pub items: Vec<ListOp<TimelineItem>>,
    pub older: OlderPosts,
    pub newer_missing: bool,
    pub never_loaded: bool,
}

impl Diffable for TimelineItems {
    type Diff = TimelineItemsDiff;

    fn diff(&self, new: &Self) -> Option<TimelineItemsDiff> {
        (self != new).then(|| TimelineItemsDiff {
            items: diff(&self.items, &new.items),
            older: new.older,
            newer_missing: new.newer_missing,
            never_loaded: new.never_loaded,
        })
    }

    fn apply(&mut self, diff: TimelineItemsDiff) -> Result<(), OutOfRange> {
        list::apply(&mut self.items, diff.items)?;
        self.older = diff.older;
        self.newer_missing = diff.newer_missing;
        self.never_loaded = diff.never_loaded;
        Ok(())
    }
}

/// How a thread changed. The root is sent whole when it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadDiff {
    pub root: Option<RootChange>,
    pub replies: Vec<ListOp<PostView>>,
    pub complete: bool,
}

/// The thread's root post now: `None` when it is no longer cached.
#[derive(Debug, Clone, PartialEq)]
pub struct RootChange(pub Option<PostView>);

impl Diffable for ThreadView {
    type Diff = ThreadDiff;

    fn diff(&self, new: &Self) -> Option<ThreadDiff> {
        (self != new).then(|| ThreadDiff {
            root: (self.root != new.root).then(|| RootChange(new.root.clone())),
            replies: diff(&self.replies, &new.replies),
            complete: new.complete,
        })
    }

    fn apply(&mut self, diff: ThreadDiff) -> Result<(), OutOfRange> {
        if let Some(RootChange(root)) = diff.root {
            self.root = root;
        }
        list::apply(&mut self.replies, diff.replies)?;
        self.complete = diff.complete;
        Ok(())
    }
}

impl Keyed for FollowedThread {
    type Key = String;
    fn key(&self) -> String {
        self.root.id.clone()
    }
}

/// How a team's followed threads changed: operations on the threads (a
/// thread whose counts or root changed is replaced whole), and the totals.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowedThreadsDiff {
    pub threads: Vec<ListOp<FollowedThread>>,
    pub unread_threads: i64,
    pub unread_mentions: i64,
}

impl Diffable for FollowedThreads {
    type Diff = FollowedThreadsDiff;

    fn diff(&self, new: &Self) -> Option<FollowedThreadsDiff> {
        (self != new).then(|| FollowedThreadsDiff {
            threads: diff(&self.threads, &new.threads),
            unread_threads: new.unread_threads,
            unread_mentions: new.unread_mentions,
        })
    }

    fn apply(&mut self, diff: FollowedThreadsDiff) -> Result<(), OutOfRange> {
        list::apply(&mut self.threads, diff.threads)?;
        self.unread_threads = diff.unread_threads;
        self.unread_mentions = diff.unread_mentions;
        Ok(())
    }
}

/// A team's sidebar: sections, each with its channels.
pub type Sidebar = Vec<SidebarSection>;

/// How one section that is in both snapshots changed: its header fields
/// now, and the operations on its channels.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionPatch {
    pub name: String,
    pub collapsed: bool,
    pub channels: Vec<ListOp<ChannelListItem>>,
}

/// How a sidebar changed: operations on the sections, where an `Update`
/// carries the section's own channel operations (a nested list diff, as a
/// sectioned RecyclerView or a SwiftUI `List` with `Section`s applies it).
pub type SidebarDiff = Vec<ListOp<SidebarSection, SectionPatch>>;

impl Diffable for Sidebar {
    type Diff = SidebarDiff;

    fn diff(&self, new: &Self) -> Option<SidebarDiff> {
        (self != new).then(|| {
            diff_with(self, new, |before, after| {
                (before != after).then(|| SectionPatch {
                    name: after.name.clone(),
                    collapsed: after.collapsed,
                    channels: diff(&before.channels, &after.channels),
                })
            })
        })
    }

    fn apply(&mut self, diff: SidebarDiff) -> Result<(), OutOfRange> {
        let mut result = Ok(());
        list::apply_with(self, diff, |section, patch| {
            section.name = patch.name;
            section.collapsed = patch.collapsed;
            if let Err(error) = list::apply(&mut section.channels, patch.channels) {
                result = Err(error);
            }
        })?;
        result
    }
}
