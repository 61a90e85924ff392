//! The user's consent to notifications, per account, and the log that
//! proves it (GDPR Art. 7(1): the controller must be able to demonstrate
//! consent; Art. 7(3): withdrawing must be as easy as giving it).
//!
//! The state is never stored on its own: it is the newest entry of the
//! append-only log, so state and proof cannot disagree.

use rusqlite::Connection;
use serde::Serialize;

use crate::store::{consent_rows, newest_consent_row, ConsentRow, StoreError, StoreResult, Writer};

/// How notifications reach the device once the user agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Firebase Cloud Messaging or Apple Push Notification service.
    PlatformPush,
    /// A UnifiedPush distributor, fed by the school's push gateway.
    UnifiedPush,
    /// No push service: the app keeps its own connection open in the
    /// background (e.g. an Android foreground service).
    BackgroundConnection,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::PlatformPush => "platform_push",
            Delivery::UnifiedPush => "unified_push",
            Delivery::BackgroundConnection => "background_connection",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        match s {
            "platform_push" => Some(Delivery::PlatformPush),
            "unified_push" => Some(Delivery::UnifiedPush),
            "background_connection" => Some(Delivery::BackgroundConnection),
            _ => None,
        }
    }

    /// Whether this delivery registers the device with a push service
    /// (and the server session).
    pub fn uses_push_service(self) -> bool {
        !matches!(self, Delivery::BackgroundConnection)
    }
}

/// Where the user stands. Times are milliseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConsentState {
    /// The consent screen was never answered: nothing may be registered.
    NotAsked,
    Granted {
        delivery: Delivery,
        at: i64,
        /// Which wording of the consent text the user agreed to.
        consent_text_version: String,
    },
    Declined {
        at: i64,
    },
    Withdrawn {
        at: i64,
    },
}

impl ConsentState {
    /// The delivery the user agreed to, if any.
    pub fn granted_delivery(&self) -> Option<Delivery> {
        match self {
            ConsentState::Granted { delivery, .. } => Some(*delivery),
            _ => None,
        }
    }
}

/// One decision in the consent log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentRecord {
    /// Position in the log (increasing).
    pub seq: i64,
    /// The state this decision led to.
    pub decision: ConsentState,
}

/// A decision to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Granted {
        delivery: Delivery,
        consent_text_version: String,
    },
    Declined,
    Withdrawn,
}

impl Writer<'_> {
    /// Appends a decision taken at `at`; returns the new state.
    pub(crate) fn record_consent(
        &mut self,
        decision: &Decision,
        at: i64,
    ) -> StoreResult<ConsentState> {
        let (name, delivery, version) = match decision {
            Decision::Granted {
                delivery,
                consent_text_version,
            } => ("granted", delivery.as_str(), consent_text_version.as_str()),
            Decision::Declined => ("declined", "", ""),
            Decision::Withdrawn => ("withdrawn", "", ""),
        };
        self.append_consent_row(at, name, delivery, version)?;
        current_consent(self.conn())
    }
}

/// The current state: the newest decision, or `NotAsked`.
pub(crate) fn current_consent(conn: &Connection) -> StoreResult<ConsentState> {
    match newest_consent_row(conn)? {
        Some(row) => Ok(record_from_row(row)?.decision),
        None => Ok(ConsentState::NotAsked),
    }
}

/// Every decision, oldest first.
pub(crate) fn consent_log(conn: &Connection) -> StoreResult<Vec<ConsentRecord>> {
    consent_rows(conn)?
        .into_iter()
        .map(record_from_row)
        .collect()
}

fn record_from_row(row: ConsentRow) -> StoreResult<ConsentRecord> {
    let ConsentRow {
        seq,
        at,
        decision,
        delivery,
        consent_text_version,
    } = row;
    let state = match decision.as_str() {
        "granted" => match Delivery::parse(&delivery) {
            Some(delivery) => Ok(ConsentState::Granted {
                delivery,
                at,
                consent_text_version,
            }),
            None => Err(StoreError::Corrupt(format!(
                "consent log entry {seq} names an unknown delivery"
            ))),
        },
        "declined" => Ok(ConsentState::Declined { at }),
        "withdrawn" => Ok(ConsentState::Withdrawn { at }),
        _ => Err(StoreError::Corrupt(format!(
            "consent log entry {seq} has an unknown decision"
        ))),
    };
    state.map(|decision| ConsentRecord { seq, decision })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{OpenCheck, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_blocking(dir.path().join("s.sqlite"), OpenCheck::Header).unwrap();
        (dir, store)
    }

    fn granted(delivery: Delivery, version: &str) -> Decision {
        Decision::Granted {
            delivery,
            consent_text_version: version.into(),
        }
    }

    #[test]
    fn nothing_decided_is_not_asked() {
        let (_dir, store) = store();
        let state = store.read_blocking(current_consent).unwrap();
        assert_eq!(state, ConsentState::NotAsked);
        assert!(store.read_blocking(consent_log).unwrap().is_empty());
    }

    #[test]
    fn the_newest_decision_is_the_state_and_the_log_keeps_every_one() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.record_consent(&Decision::Declined, 10))
            .unwrap();
        let state = store
            .write_blocking(|w| w.record_consent(&granted(Delivery::UnifiedPush, "v2"), 20))
            .unwrap();
        assert_eq!(
            state,
            ConsentState::Granted {
                delivery: Delivery::UnifiedPush,
                at: 20,
                consent_text_version: "v2".into()
            }
        );
        store
            .write_blocking(|w| w.record_consent(&Decision::Withdrawn, 30))
            .unwrap();
        assert_eq!(
            store.read_blocking(current_consent).unwrap(),
            ConsentState::Withdrawn { at: 30 }
        );
        let log = store.read_blocking(consent_log).unwrap();
        let states: Vec<_> = log.iter().map(|r| r.decision.clone()).collect();
        assert_eq!(
            states,
            vec![
                ConsentState::Declined { at: 10 },
                ConsentState::Granted {
                    delivery: Delivery::UnifiedPush,
                    at: 20,
                    consent_text_version: "v2".into()
                },
                ConsentState::Withdrawn { at: 30 },
            ]
        );
        assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    }

    #[test]
    fn the_log_refuses_edits_and_deletions() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| w.record_consent(&granted(Delivery::PlatformPush, "v1"), 5))
            .unwrap();
        let update = store.write_blocking(|w| {
            w.conn()
                .execute("UPDATE push_consent_log SET decision = 'declined'", [])?;
            Ok(())
        });
        assert!(update.is_err());
        let delete = store.write_blocking(|w| {
            w.conn().execute("DELETE FROM push_consent_log", [])?;
            Ok(())
        });
        assert!(delete.is_err());
        assert_eq!(store.read_blocking(consent_log).unwrap().len(), 1);
    }

    #[test]
    fn a_damaged_entry_is_a_typed_error() {
        let (_dir, store) = store();
        store
            .write_blocking(|w| {
                w.conn().execute(
                    "INSERT INTO push_consent_log (at, decision, delivery) VALUES (1, 'granted', 'pigeon')",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let err = store.read_blocking(current_consent).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)));
    }

    #[test]
    fn deliveries_round_trip_through_their_names() {
        for d in [
            Delivery::PlatformPush,
            Delivery::UnifiedPush,
            Delivery::BackgroundConnection,
        ] {
            assert_eq!(Delivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(Delivery::parse("fcm"), None);
        assert!(!Delivery::BackgroundConnection.uses_push_service());
        assert!(Delivery::UnifiedPush.uses_push_service());
    }

    /// The log is a legal record: rebuilding the damaged cache, or finding
    /// the cache file zeroed at the next start, must not erase it.
    #[test]
    fn the_log_outlives_a_rebuild_of_the_cache() {
        let (dir, store) = store();
        store
            .write_blocking(|w| w.record_consent(&granted(Delivery::UnifiedPush, "v1"), 10))
            .unwrap();
        store.rebuild_blocking().unwrap();
        assert_eq!(store.read_blocking(consent_log).unwrap().len(), 1);
        drop(store);

        let path = dir.path().join("s.sqlite");
        std::fs::write(&path, vec![0u8; 8192]).unwrap();
        let reopened = Store::open_blocking(&path, OpenCheck::QuickCheck).unwrap();
        assert!(reopened.was_rebuilt());
        let log = reopened.read_blocking(consent_log).unwrap();
        assert_eq!(log.len(), 1);
        assert!(matches!(
            reopened.read_blocking(current_consent).unwrap(),
            ConsentState::Granted { at: 10, .. }
        ));
    }
}
