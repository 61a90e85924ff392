//! The diffs core computes, as FFI records: one list-operation enum per
//! item type (UniFFI has no generics). Every index refers to the list as it
//! is after the operations before it, so applying them in order (or
//! calling RecyclerView's `notifyItem*` in order) gives the new list.

use pausenhof_core::observe::{self, ListOp};
use pausenhof_core::reads;

use crate::views::{ChannelListItem, OlderPosts, Post, SidebarSection};

/// One step of a post list diff (timeline, thread replies).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PostListOp {
    Remove {
        index: u32,
    },
    Insert {
        index: u32,
        post: Post,
    },
    /// Take the post at `from` out; put it back so it ends up at `to`.
    Move {
        from: u32,
        to: u32,
    },
    /// The post at `index` changed (edited, deleted, reacted to, ...).
    Update {
        index: u32,
        post: Post,
    },
}

/// One step of the channel list diff of one sidebar section.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ChannelListOp {
    Remove {
        index: u32,
    },
    Insert {
        index: u32,
        channel: ChannelListItem,
    },
    Move {
        from: u32,
        to: u32,
    },
    Update {
        index: u32,
        channel: ChannelListItem,
    },
}

/// One step of a sidebar diff. A section that stays carries its own
/// channel operations in `Update`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SidebarSectionOp {
    Remove {
        index: u32,
    },
    Insert {
        index: u32,
        section: SidebarSection,
    },
    Move {
        from: u32,
        to: u32,
    },
    Update {
        index: u32,
        name: String,
        collapsed: bool,
        channels: Vec<ChannelListOp>,
    },
}

/// How a timeline window changed since the last delivery.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineDiff {
    pub posts: Vec<PostListOp>,
    pub older: OlderPosts,
    pub newer_missing: bool,
    pub never_loaded: bool,
}

/// How a thread changed since the last delivery.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ThreadDiff {
    /// When true, `root` is the root post now (None: no longer cached);
    /// when false the root is unchanged and `root` is None.
    pub root_changed: bool,
    pub root: Option<Post>,
    pub replies: Vec<PostListOp>,
    pub complete: bool,
}

/// Indices of on-screen lists fit in u32; a larger one cannot occur
/// (the reads are limited), so saturating is only a guard.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub(crate) fn list_op<T, U, P>(
    op: ListOp<T, P>,
    remove: impl Fn(u32) -> U,
    insert: impl Fn(u32, T) -> U,
    moved: impl Fn(u32, u32) -> U,
    update: impl Fn(u32, P) -> U,
) -> U {
    match op {
        ListOp::Remove { index: i } => remove(index(i)),
        ListOp::Insert { index: i, item } => insert(index(i), item),
        ListOp::Move { from, to } => moved(index(from), index(to)),
        ListOp::Update { index: i, patch } => update(index(i), patch),
    }
}

pub(crate) fn post_ops(ops: Vec<ListOp<reads::PostView>>) -> Vec<PostListOp> {
    ops.into_iter()
        .map(|op| {
            list_op(
                op,
                |index| PostListOp::Remove { index },
                |index, post| PostListOp::Insert {
                    index,
                    post: post.into(),
                },
                |from, to| PostListOp::Move { from, to },
                |index, post| PostListOp::Update {
                    index,
                    post: post.into(),
                },
            )
        })
        .collect()
}

fn channel_ops(ops: Vec<ListOp<reads::ChannelListItem>>) -> Vec<ChannelListOp> {
    ops.into_iter()
        .map(|op| {
            list_op(
                op,
                |index| ChannelListOp::Remove { index },
                |index, channel| ChannelListOp::Insert {
                    index,
                    channel: channel.into(),
                },
                |from, to| ChannelListOp::Move { from, to },
                |index, channel| ChannelListOp::Update {
                    index,
                    channel: channel.into(),
                },
            )
        })
        .collect()
}

pub(crate) fn sidebar_ops(diff: observe::SidebarDiff) -> Vec<SidebarSectionOp> {
    diff.into_iter()
        .map(|op| {
            list_op(
                op,
                |index| SidebarSectionOp::Remove { index },
                |index, section| SidebarSectionOp::Insert {
                    index,
                    section: section.into(),
                },
                |from, to| SidebarSectionOp::Move { from, to },
                |index, patch: observe::SectionPatch| SidebarSectionOp::Update {
                    index,
                    name: patch.name,
                    collapsed: patch.collapsed,
                    channels: channel_ops(patch.channels),
                },
            )
        })
        .collect()
}

impl From<observe::TimelineDiff> for TimelineDiff {
    fn from(diff: observe::TimelineDiff) -> Self {
        TimelineDiff {
            posts: post_ops(diff.posts),
            older: diff.older.into(),
            newer_missing: diff.newer_missing,
            never_loaded: diff.never_loaded,
        }
    }
}

impl From<observe::ThreadDiff> for ThreadDiff {
    fn from(diff: observe::ThreadDiff) -> Self {
        let (root_changed, root) = match diff.root {
            Some(observe::RootChange(root)) => (true, root.map(Into::into)),
            None => (false, None),
        };
        ThreadDiff {
            root_changed,
            root,
            replies: post_ops(diff.replies),
            complete: diff.complete,
        }
    }
}
