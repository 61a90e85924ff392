//! Observing the store: a subscription delivers the current snapshot
//! first, then diffs a UI list can apply directly.
//!
//! Diffs are computed here, in the core, from the previous and the new
//! snapshot, so every app (and every binding) gets the same, tested ones.

pub mod list;
mod updates;
mod views;
mod watch;

pub use list::{Keyed, ListOp, OutOfRange};
pub use updates::{Snapshots, Update};
pub use views::{
    Diffable, FollowedThreadsDiff, RootChange, SectionPatch, Sidebar, SidebarDiff, ThreadDiff,
    TimelineDiff, TimelineItemsDiff,
};
pub use watch::Subscription;

#[cfg(test)]
mod tests;
