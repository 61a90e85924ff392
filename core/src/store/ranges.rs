//! Contiguous ranges of a channel's timeline.
//!
//! A range `[oldest_at, newest_at]` says: every post of the channel created
//! in that span is in the store. Ranges of a channel never overlap; a page
//! that touches or overlaps existing ranges merges with them. Between two
//! ranges lies a known gap, which reads report instead of showing the
//! timeline as complete.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimelineRange {
    pub oldest_at: i64,
    pub newest_at: i64,
    /// Nothing older exists on the server.
    pub reaches_start: bool,
}

impl Writer<'_> {
    /// Records that all posts of `channel_id` created in
    /// `[oldest_at, newest_at]` are stored, merging with ranges it overlaps.
    /// `reaches_start`: the fetch showed that nothing older exists.
    pub fn record_range(
        &mut self,
        channel_id: &str,
        oldest_at: i64,
        newest_at: i64,
        reaches_start: bool,
    ) -> StoreResult<TimelineRange> {
        let (mut lo, mut hi) = (oldest_at.min(newest_at), oldest_at.max(newest_at));
        let mut start = reaches_start;
        let conn = self.conn();
        let overlapping: Vec<TimelineRange> = {
            let mut stmt = conn.prepare_cached(
                "SELECT oldest_at, newest_at, reaches_start FROM timeline_ranges
                 WHERE channel_id = ?1 AND oldest_at <= ?3 AND newest_at >= ?2",
            )?;
            let rows = stmt.query_map(rusqlite::params![channel_id, lo, hi], range_from_row)?;
            rows.collect::<Result<_, _>>()?
        };
        for r in &overlapping {
            if r.oldest_at <= lo {
                // The older end comes from this range, and so does its flag.
                start = if r.oldest_at < lo {
                    r.reaches_start
                } else {
                    start || r.reaches_start
                };
                lo = r.oldest_at;
            }
            hi = hi.max(r.newest_at);
        }
        conn.prepare_cached(
            "DELETE FROM timeline_ranges WHERE channel_id = ?1 AND oldest_at <= ?3
                 AND newest_at >= ?2",
        )?
        .execute(rusqlite::params![channel_id, lo, hi])?;
        conn.prepare_cached(
            "INSERT INTO timeline_ranges (channel_id, oldest_at, newest_at, reaches_start)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![channel_id, lo, hi, start])?;
        self.notify(StoreChange::Posts {
            channel_id: channel_id.to_owned(),
        });
        Ok(TimelineRange {
            oldest_at: lo,
            newest_at: hi,
            reaches_start: start,
        })
    }

    /// Extends the newest range up to `newest_at`: for posts that arrived
    /// over an unbroken realtime connection (nothing can be missing between
    /// the range's end and them). Without a range nothing is recorded.
    pub fn extend_newest_range(&mut self, channel_id: &str, newest_at: i64) -> StoreResult<()> {
        let updated = self
            .conn()
            .prepare_cached(
                "UPDATE timeline_ranges SET newest_at = ?2
                 WHERE channel_id = ?1 AND newest_at < ?2 AND oldest_at =
                     (SELECT max(oldest_at) FROM timeline_ranges WHERE channel_id = ?1)",
            )?
            .execute(rusqlite::params![channel_id, newest_at])?;
        if updated > 0 {
            self.notify(StoreChange::Posts {
                channel_id: channel_id.to_owned(),
            });
        }
        Ok(())
    }
}

fn range_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TimelineRange> {
    Ok(TimelineRange {
        oldest_at: row.get(0)?,
        newest_at: row.get(1)?,
        reaches_start: row.get(2)?,
    })
}

/// The newest range of a channel (the one a timeline shows).
pub fn newest_range(conn: &Connection, channel_id: &str) -> StoreResult<Option<TimelineRange>> {
    Ok(conn
        .prepare_cached(
            "SELECT oldest_at, newest_at, reaches_start FROM timeline_ranges
             WHERE channel_id = ?1 ORDER BY oldest_at DESC LIMIT 1",
        )?
        .query_row([channel_id], range_from_row)
        .optional()?)
}

/// All ranges of a channel, newest first.
pub fn ranges(conn: &Connection, channel_id: &str) -> StoreResult<Vec<TimelineRange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT oldest_at, newest_at, reaches_start FROM timeline_ranges
         WHERE channel_id = ?1 ORDER BY oldest_at DESC",
    )?;
    let rows = stmt.query_map([channel_id], range_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::super::{OpenCheck, Store};
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
        (dir, store)
    }

    fn all(store: &Store, channel: &str) -> Vec<TimelineRange> {
        let channel = channel.to_owned();
        store.read_blocking(move |c| ranges(c, &channel)).unwrap()
    }

    fn r(oldest_at: i64, newest_at: i64, reaches_start: bool) -> TimelineRange {
        TimelineRange {
            oldest_at,
            newest_at,
            reaches_start,
        }
    }

    #[test]
    fn disjoint_pages_leave_a_gap() {
        let (_d, store) = store();
        store
            .write_blocking(|w| {
                w.record_range("c", 100, 200, false)?;
                w.record_range("c", 500, 600, false)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(all(&store, "c"), [r(500, 600, false), r(100, 200, false)]);
    }

    #[test]
    fn older_page_touching_the_anchor_merges_and_keeps_its_start_flag() {
        let (_d, store) = store();
        store
            .write_blocking(|w| {
                w.record_range("c", 500, 600, false)?;
                // A `before=<oldest post>` page: ends at the anchor's time.
                w.record_range("c", 300, 500, true)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(all(&store, "c"), [r(300, 600, true)]);
    }

    #[test]
    fn a_page_bridging_a_gap_merges_all_three() {
        let (_d, store) = store();
        store
            .write_blocking(|w| {
                w.record_range("c", 0, 100, true)?;
                w.record_range("c", 500, 600, false)?;
                w.record_range("c", 100, 500, false)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(all(&store, "c"), [r(0, 600, true)]);
    }

    #[test]
    fn newer_page_keeps_the_older_ranges_start_flag() {
        let (_d, store) = store();
        store
            .write_blocking(|w| {
                w.record_range("c", 0, 100, true)?;
                w.record_range("c", 100, 900, false)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(all(&store, "c"), [r(0, 900, true)]);
    }

    #[test]
    fn channels_do_not_mix_and_extend_touches_only_the_newest() {
        let (_d, store) = store();
        store
            .write_blocking(|w| {
                w.record_range("a", 0, 10, false)?;
                w.record_range("a", 50, 60, false)?;
                w.record_range("b", 5, 15, false)?;
                w.extend_newest_range("a", 70)?;
                w.extend_newest_range("a", 65)?;
                w.extend_newest_range("none", 65)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(all(&store, "a"), [r(50, 70, false), r(0, 10, false)]);
        assert_eq!(all(&store, "b"), [r(5, 15, false)]);
        let newest = store
            .read_blocking(|c| newest_range(c, "a"))
            .unwrap()
            .unwrap();
        assert_eq!(newest, r(50, 70, false));
        assert!(store
            .read_blocking(|c| newest_range(c, "none"))
            .unwrap()
            .is_none());
    }
}
