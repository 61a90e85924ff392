//! A subscription to one view of the store: the current value whole, then
//! a diff after every change set that affects it.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::{broadcast, watch};

use super::{Diffable, Snapshots, Update};
use crate::error::Result;
use crate::store::ChangeSet;

type Affects = Box<dyn Fn(&ChangeSet) -> bool + Send + Sync>;
type Read<V> = Box<dyn Fn() -> BoxFuture<'static, Result<V>> + Send + Sync>;

/// Pull the updates with [`Subscription::next`]; dropping it ends the
/// subscription.
pub struct Subscription<V> {
    changes: broadcast::Receiver<Arc<ChangeSet>>,
    affects: Affects,
    read: Read<V>,
    snapshots: Snapshots<V>,
    started: bool,
    /// Re-read on demand, not only on store changes (a timeline whose
    /// window grew when the user scrolled up).
    trigger: Option<watch::Receiver<u64>>,
}

impl<V: Diffable> Subscription<V> {
    /// `changes` must be subscribed before the first read, so no change
    /// between the two is missed.
    pub(crate) fn new<Fut>(
        changes: broadcast::Receiver<Arc<ChangeSet>>,
        affects: impl Fn(&ChangeSet) -> bool + Send + Sync + 'static,
        read: impl Fn() -> Fut + Send + Sync + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<V>> + Send + 'static,
    {
        Subscription {
            changes,
            affects: Box::new(affects),
            read: Box::new(move || Box::pin(read())),
            snapshots: Snapshots::new(),
            started: false,
            trigger: None,
        }
    }

    /// Also re-reads whenever `trigger` changes; its sender going away
    /// leaves only the store changes.
    pub(crate) fn with_trigger(mut self, trigger: watch::Receiver<u64>) -> Self {
        self.trigger = Some(trigger);
        self
    }

    /// The first value whole, then the diff against the last delivered
    /// one whenever it changed. A failed read is delivered as the error;
    /// the next diff is against the last value delivered. `None` once the
    /// store is gone (sign-out).
    pub async fn next(&mut self) -> Option<Result<Update<V>>> {
        loop {
            if self.started && !self.wait_for_change().await {
                return None;
            }
            self.started = true;
            match (self.read)().await {
                Ok(value) => {
                    if let Some(update) = self.snapshots.next(value) {
                        return Some(Ok(update));
                    }
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// False when the change feed closed.
    async fn wait_for_change(&mut self) -> bool {
        let Subscription {
            changes,
            affects,
            trigger,
            ..
        } = self;
        loop {
            let triggered = async {
                match trigger.as_mut() {
                    Some(trigger) => trigger.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                received = changes.recv() => match received {
                    Ok(set) if affects(&set) => return true,
                    Ok(_) => {}
                    // Changes were dropped: re-read to be sure.
                    Err(broadcast::error::RecvError::Lagged(_)) => return true,
                    Err(broadcast::error::RecvError::Closed) => return false,
                },
                alive = triggered => {
                    if alive {
                        return true;
                    }
                    *trigger = None;
                }
            }
        }
    }
}
