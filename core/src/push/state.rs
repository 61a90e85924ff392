//! What a [`Client`](crate::Client) keeps about push between calls, and
//! the status it reports.

use std::sync::{Arc, RwLock};

use serde::Serialize;

use super::consent::{ConsentState, Delivery};
use super::registration::{PushPlatform, PushRegistrar};
use crate::locks::{LockExt, RwLockExt};

/// Push state of a [`Client`], shared by its clones.
#[derive(Default)]
pub(crate) struct PushState {
    pub(crate) registrar: RwLock<Option<Arc<dyn PushRegistrar>>>,
    /// Registration, withdrawal and their retries run one at a time, so a
    /// teardown never races an attach.
    pub(crate) lock: tokio::sync::Mutex<()>,
    /// Since when the app is in the background (`None`: foreground): new
    /// posts received since then become notifications.
    background_since: std::sync::Mutex<Option<std::time::Instant>>,
    /// When this client last recorded a consent decision: posts received
    /// before it were received under the old decision.
    consent_changed_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl PushState {
    pub(crate) fn registrar(&self) -> Option<Arc<dyn PushRegistrar>> {
        self.registrar.read_now().clone()
    }

    pub(crate) fn note_lifecycle(&self, input: crate::realtime::LifecycleInput) {
        use crate::realtime::LifecycleInput;
        let mut since = self.background_since.locked();
        match input {
            LifecycleInput::Background => {
                since.get_or_insert_with(std::time::Instant::now);
            }
            LifecycleInput::Foreground => *since = None,
            _ => {}
        }
    }

    pub(crate) fn note_consent_change(&self) {
        *self.consent_changed_at.locked() = Some(std::time::Instant::now());
    }

    /// Whether something received at `at` came after the last consent
    /// decision (so the current decision applies to it).
    pub(crate) fn consent_unchanged_since(&self, at: std::time::Instant) -> bool {
        self.consent_changed_at
            .locked()
            .map(|changed| changed)
            .is_none_or(|changed| changed < at)
    }

    /// Whether something received at `at` arrived while the app was (and
    /// still is) in the background.
    pub(crate) fn received_in_background(&self, at: std::time::Instant) -> bool {
        self.background_since
            .locked()
            .map(|since| since)
            .is_some_and(|since| since <= at)
    }
}

/// Where push stands for the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushStatus {
    pub consent: ConsentState,
    /// The registered device, without its token.
    pub registered: Option<RegisteredDevice>,
    /// Withdrawn or replaced registrations whose deletion (at the push
    /// service or on the server session) has not succeeded yet; retried by
    /// [`Client::sync_push_registration`].
    pub teardowns_pending: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredDevice {
    pub delivery: Delivery,
    pub platform: PushPlatform,
    /// Whether the server session carries it (false until the first
    /// successful attach, e.g. when registered offline).
    pub attached: bool,
}
