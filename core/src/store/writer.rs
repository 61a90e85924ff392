use rusqlite::Transaction;

use super::changes::{ChangeSet, StoreChange};
use super::error::StoreResult;

/// An open write transaction plus the changes it recorded. Write helpers
/// for each table group are `impl Writer` blocks next to their table's
/// code; modules that add tables add their own blocks and use
/// [`Writer::conn`] and [`Writer::notify`].
pub struct Writer<'conn> {
    tx: Transaction<'conn>,
    changes: ChangeSet,
}

impl<'conn> Writer<'conn> {
    pub(super) fn new(tx: Transaction<'conn>) -> Self {
        Writer {
            tx,
            changes: ChangeSet::default(),
        }
    }

    /// The transaction's connection, for statements of other modules.
    pub fn conn(&self) -> &rusqlite::Connection {
        &self.tx
    }

    /// Records a change, broadcast once the transaction commits.
    pub fn notify(&mut self, change: StoreChange) {
        self.changes.insert(change);
    }

    pub(super) fn commit(self) -> StoreResult<ChangeSet> {
        self.tx.commit()?;
        Ok(self.changes)
    }
}
