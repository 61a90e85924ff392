//! Ephemeral presence kept in memory only: who is typing where, and user
//! statuses. Neither is worth a disk write; both are rebuilt by the server
//! after a reconnect.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// How long a `typing` event keeps a user shown as typing (the official
/// apps use about five seconds; the server repeats the event while the
/// user keeps typing).
pub const TYPING_SHOWN_FOR: Duration = Duration::from_secs(5);

/// Minimum time between two `user_typing` actions for the same place.
pub const TYPING_SEND_INTERVAL: Duration = Duration::from_secs(3);

/// Where someone types: a channel, or a thread in it (`parent_id` = root).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypingPlace {
    pub channel_id: String,
    pub parent_id: String,
}

/// Who types where, expiring by itself.
#[derive(Debug)]
pub struct TypingTracker {
    typing: Mutex<HashMap<TypingPlace, BTreeMap<String, Instant>>>,
    version: watch::Sender<u64>,
}

impl Default for TypingTracker {
    fn default() -> Self {
        TypingTracker {
            typing: Mutex::new(HashMap::new()),
            version: watch::channel(0).0,
        }
    }
}

impl TypingTracker {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TypingPlace, BTreeMap<String, Instant>>> {
        self.typing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a `typing` event received at `now`.
    pub fn user_typing(&self, place: TypingPlace, user_id: String, now: Instant) {
        self.lock()
            .entry(place)
            .or_default()
            .insert(user_id, now + TYPING_SHOWN_FOR);
        self.bump();
    }

    /// A user who posted has stopped typing there.
    pub fn user_posted(&self, place: &TypingPlace, user_id: &str) {
        let removed = self
            .lock()
            .get_mut(place)
            .is_some_and(|users| users.remove(user_id).is_some());
        if removed {
            self.bump();
        }
    }

    /// The users typing at `place` at `now`, sorted by id.
    pub fn typing_at(&self, place: &TypingPlace, now: Instant) -> Vec<String> {
        self.lock()
            .get(place)
            .map(|users| {
                users
                    .iter()
                    .filter(|(_, until)| **until > now)
                    .map(|(u, _)| u.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Forgets expired entries; returns true when any was removed (the UI
    /// should re-read).
    pub fn expire(&self, now: Instant) -> bool {
        let mut map = self.lock();
        let before: usize = map.values().map(BTreeMap::len).sum();
        map.retain(|_, users| {
            users.retain(|_, until| *until > now);
            !users.is_empty()
        });
        let after: usize = map.values().map(BTreeMap::len).sum();
        drop(map);
        if after != before {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The earliest moment something expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.lock()
            .values()
            .flat_map(|users| users.values().copied())
            .min()
    }

    /// A counter bumped on every change, for listeners.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    fn bump(&self) {
        self.version.send_modify(|v| *v = v.wrapping_add(1));
    }
}

/// Decides whether a `user_typing` action may go out now.
#[derive(Debug, Default)]
pub struct TypingThrottle {
    last_sent: Mutex<HashMap<TypingPlace, Instant>>,
}

impl TypingThrottle {
    /// True (and remembered) when nothing was sent for `place` within
    /// [`TYPING_SEND_INTERVAL`] before `now`.
    pub fn should_send(&self, place: &TypingPlace, now: Instant) -> bool {
        let mut last = self
            .last_sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match last.get(place) {
            Some(at) if now.saturating_duration_since(*at) < TYPING_SEND_INTERVAL => false,
            _ => {
                last.retain(|_, at| now.saturating_duration_since(*at) < TYPING_SEND_INTERVAL);
                last.insert(place.clone(), now);
                true
            }
        }
    }
}

/// User statuses ("online", "away", "dnd", "offline") by user id.
#[derive(Debug)]
pub struct Statuses {
    map: Mutex<HashMap<String, String>>,
    version: watch::Sender<u64>,
}

impl Default for Statuses {
    fn default() -> Self {
        Statuses {
            map: Mutex::new(HashMap::new()),
            version: watch::channel(0).0,
        }
    }
}

impl Statuses {
    pub fn set(&self, user_id: String, status: String) {
        let changed = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(user_id, status.clone())
            .as_ref()
            != Some(&status);
        if changed {
            self.version.send_modify(|v| *v = v.wrapping_add(1));
        }
    }

    pub fn get(&self, user_id: &str) -> Option<String> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(user_id)
            .cloned()
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(c: &str, p: &str) -> TypingPlace {
        TypingPlace {
            channel_id: c.into(),
            parent_id: p.into(),
        }
    }

    #[test]
    fn typing_expires_and_is_kept_apart_per_thread() {
        let t = TypingTracker::new();
        let start = Instant::now();
        t.user_typing(place("c1", ""), "u2".into(), start);
        t.user_typing(place("c1", "root"), "u3".into(), start);
        assert_eq!(t.typing_at(&place("c1", ""), start), ["u2"]);
        assert_eq!(t.typing_at(&place("c1", "root"), start), ["u3"]);
        assert!(t.typing_at(&place("c2", ""), start).is_empty());
        assert_eq!(t.next_expiry(), Some(start + TYPING_SHOWN_FOR));
        let later = start + TYPING_SHOWN_FOR + Duration::from_millis(1);
        assert!(t.typing_at(&place("c1", ""), later).is_empty());
        assert!(t.expire(later));
        assert!(!t.expire(later));
        assert_eq!(t.next_expiry(), None);
    }

    #[test]
    fn posting_ends_typing_and_listeners_hear_of_it() {
        let t = TypingTracker::new();
        let mut rx = t.subscribe();
        let now = Instant::now();
        t.user_typing(place("c1", ""), "u2".into(), now);
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        t.user_posted(&place("c1", ""), "u2");
        assert!(rx.has_changed().unwrap());
        assert!(t.typing_at(&place("c1", ""), now).is_empty());
    }

    #[test]
    fn typing_is_sent_at_most_every_interval_per_place() {
        let throttle = TypingThrottle::default();
        let now = Instant::now();
        assert!(throttle.should_send(&place("c1", ""), now));
        assert!(!throttle.should_send(&place("c1", ""), now + Duration::from_secs(1)));
        assert!(throttle.should_send(&place("c1", "r"), now + Duration::from_secs(1)));
        assert!(throttle.should_send(&place("c1", ""), now + TYPING_SEND_INTERVAL));
    }

    #[test]
    fn statuses_notify_only_on_change() {
        let s = Statuses::default();
        let mut rx = s.subscribe();
        s.set("u1".into(), "online".into());
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        s.set("u1".into(), "online".into());
        assert!(!rx.has_changed().unwrap());
        assert_eq!(s.get("u1").as_deref(), Some("online"));
    }
}
