//! What a subscription hands its listener: the first value whole, then
//! only diffs against the value delivered before.

use super::views::Diffable;

/// One delivery of a subscription.
#[derive(Debug, Clone, PartialEq)]
pub enum Update<V: Diffable> {
    /// The whole value: the first delivery.
    Snapshot(V),
    /// What changed since the previous delivery.
    Diff(V::Diff),
}

/// Remembers the last delivered value of one subscription and turns each
/// fresh read into the update to deliver, if any.
#[derive(Debug, Clone)]
pub struct Snapshots<V> {
    last: Option<V>,
}

impl<V> Default for Snapshots<V> {
    fn default() -> Self {
        Snapshots { last: None }
    }
}

impl<V: Diffable> Snapshots<V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The update that brings a listener from the last delivered value to
    /// `fresh`: a snapshot the first time, later a diff, `None` when
    /// nothing changed.
    pub fn next(&mut self, fresh: V) -> Option<Update<V>> {
        let update = match &self.last {
            None => Update::Snapshot(fresh.clone()),
            Some(last) => Update::Diff(last.diff(&fresh)?),
        };
        self.last = Some(fresh);
        Some(update)
    }

    /// The value the listener has now.
    pub fn current(&self) -> Option<&V> {
        self.last.as_ref()
    }
}
