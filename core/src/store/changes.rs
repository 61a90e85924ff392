//! Typed change notifications, sent after a write transaction commits.
//!
//! The observe layer turns them into fresh snapshots and diffs; a change set
//! names *what* to re-read, never the new data itself, so a listener that
//! lags behind only re-reads more.

use std::collections::BTreeSet;

use serde::Serialize;

/// One thing that changed in the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreChange {
    /// Teams or team memberships.
    Teams,
    /// A user's profile.
    User { user_id: String },
    /// The channel list of a team changed (a channel, a membership, an unread
    /// count, a category). `team_id` is empty for direct and group channels,
    /// which appear in every team's list.
    ChannelList { team_id: String },
    /// Posts, reactions, files or the cached ranges of a channel's timeline.
    Posts { channel_id: String },
    /// Replies of a thread.
    Thread { root_id: String },
    /// The followed threads: which, their counts and read state.
    FollowedThreads,
    /// Preferences of the signed-in user.
    Preferences,
    /// Drafts of the composer.
    Drafts,
    /// Sync cursors (first sync done, last sync time).
    SyncState,
    /// The database was deleted and recreated: re-read everything.
    Rebuilt,
}

/// The changes of one committed transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeSet {
    changes: BTreeSet<StoreChange>,
}

impl ChangeSet {
    pub fn insert(&mut self, change: StoreChange) {
        self.changes.insert(change);
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn contains(&self, change: &StoreChange) -> bool {
        self.changes.contains(change)
    }

    pub fn iter(&self) -> impl Iterator<Item = &StoreChange> {
        self.changes.iter()
    }

    /// True when the channel list of `team_id` must be re-read: a change to
    /// that team's channels, to direct/group channels, or a rebuild.
    pub fn affects_channel_list(&self, team_id: &str) -> bool {
        self.changes.iter().any(|c| match c {
            StoreChange::ChannelList { team_id: t } => t == team_id || t.is_empty(),
            // Direct and group messages are named after people.
            StoreChange::Preferences | StoreChange::User { .. } | StoreChange::Rebuilt => true,
            _ => false,
        })
    }

    /// True when the thread of `root_id` must be re-read: its replies, and
    /// the root's edits and reactions (named by channel, so any channel's
    /// posts count), and the names of its authors.
    pub fn affects_thread(&self, root_id: &str) -> bool {
        self.changes.iter().any(|c| match c {
            StoreChange::Thread { root_id: r } => r == root_id,
            StoreChange::Posts { .. } | StoreChange::User { .. } | StoreChange::Rebuilt => true,
            _ => false,
        })
    }

    /// True when a team's followed threads must be re-read: the list, and
    /// the roots (edits, deletes), people and channels it names.
    pub fn affects_followed_threads(&self) -> bool {
        self.changes.iter().any(|c| {
            matches!(
                c,
                StoreChange::FollowedThreads
                    | StoreChange::Thread { .. }
                    | StoreChange::Posts { .. }
                    | StoreChange::User { .. }
                    | StoreChange::ChannelList { .. }
                    | StoreChange::Rebuilt
            )
        })
    }

    /// True when the timeline of `channel_id` must be re-read.
    pub fn affects_timeline(&self, channel_id: &str) -> bool {
        self.changes.iter().any(|c| match c {
            StoreChange::Posts { channel_id: ch } => ch == channel_id,
            StoreChange::User { .. } | StoreChange::Rebuilt => true,
            _ => false,
        })
    }
}

impl<'a> IntoIterator for &'a ChangeSet {
    type Item = &'a StoreChange;
    type IntoIter = std::collections::btree_set::Iter<'a, StoreChange>;
    fn into_iter(self) -> Self::IntoIter {
        self.changes.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_channel_changes_affect_every_team_list() {
        let mut set = ChangeSet::default();
        set.insert(StoreChange::ChannelList {
            team_id: String::new(),
        });
        assert!(set.affects_channel_list("team-a"));
        assert!(set.affects_channel_list("team-b"));
    }

    #[test]
    fn team_channel_changes_affect_only_that_team() {
        let mut set = ChangeSet::default();
        set.insert(StoreChange::ChannelList {
            team_id: "team-a".into(),
        });
        set.insert(StoreChange::ChannelList {
            team_id: "team-a".into(),
        });
        assert_eq!(set.len(), 1);
        assert!(set.affects_channel_list("team-a"));
        assert!(!set.affects_channel_list("team-b"));
        assert!(!set.affects_timeline("anything"));
    }

    #[test]
    fn post_changes_affect_only_their_timeline() {
        let mut set = ChangeSet::default();
        set.insert(StoreChange::Posts {
            channel_id: "c1".into(),
        });
        assert!(set.affects_timeline("c1"));
        assert!(!set.affects_timeline("c2"));
        assert!(!set.affects_channel_list("t"));
    }
}
