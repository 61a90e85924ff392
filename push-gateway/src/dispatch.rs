//! How many pushes go out at once, and how many may wait.
//!
//! Mattermost waits for every `send_push` answer, so a push that cannot
//! start soon is answered FAIL at once rather than queued without bound:
//! the gateway holds at most `max_queued` pushes (waiting or in delivery),
//! and each push service gets a lane of its own with at most
//! `max_in_flight_per_push_service` deliveries and
//! `max_queued_per_push_service` pushes. A slow or dead push service fills
//! its own lane and is answered "busy" from then on, while pushes to every
//! other service go past it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::config::DeliverySettings;

/// Beyond this many known push services, idle lanes are dropped.
const MAX_IDLE_LANES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("gateway busy")]
    GatewayBusy,
    #[error("push service busy")]
    PushServiceBusy,
}

struct Lane {
    permits: Semaphore,
    queued: AtomicUsize,
}

pub struct Dispatcher {
    max_queued: usize,
    per_service: usize,
    max_queued_per_service: usize,
    in_flight: Semaphore,
    queued: AtomicUsize,
    lanes: Mutex<HashMap<String, Arc<Lane>>>,
}

/// A push admitted to the queue; counted until dropped.
pub struct Ticket<'a> {
    dispatcher: &'a Dispatcher,
    lane: Arc<Lane>,
}

impl Dispatcher {
    pub fn new(settings: &DeliverySettings) -> Dispatcher {
        Dispatcher {
            max_queued: settings.max_queued,
            per_service: settings.max_in_flight_per_push_service,
            max_queued_per_service: settings.max_queued_per_push_service,
            in_flight: Semaphore::new(settings.max_in_flight),
            queued: AtomicUsize::new(0),
            lanes: Mutex::new(HashMap::new()),
        }
    }

    /// Pushes waiting for or in delivery.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Takes a place in the queue for a push to `push_service` (a host
    /// name), or refuses when the gateway or that service's lane is full.
    pub fn admit(&self, push_service: &str) -> Result<Ticket<'_>, Refused> {
        let lane = self.lane(push_service);
        if !take_place(&lane.queued, self.max_queued_per_service) {
            return Err(Refused::PushServiceBusy);
        }
        if !take_place(&self.queued, self.max_queued) {
            lane.queued.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::GatewayBusy);
        }
        Ok(Ticket {
            dispatcher: self,
            lane,
        })
    }

    fn lane(&self, push_service: &str) -> Arc<Lane> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        if lanes.len() >= MAX_IDLE_LANES && !lanes.contains_key(push_service) {
            // Only the map and tickets hold a lane: a count of one is idle.
            lanes.retain(|_, lane| Arc::strong_count(lane) > 1);
        }
        lanes
            .entry(push_service.to_owned())
            .or_insert_with(|| {
                Arc::new(Lane {
                    permits: Semaphore::new(self.per_service),
                    queued: AtomicUsize::new(0),
                })
            })
            .clone()
    }
}

/// Increments `counter` unless it has reached `limit`.
fn take_place(counter: &AtomicUsize, limit: usize) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < limit).then_some(n + 1)
        })
        .is_ok()
}

impl Ticket<'_> {
    /// Waits for a delivery slot of the lane, then of the gateway (in that
    /// order, so a push stuck behind a slow service holds no gateway-wide
    /// slot), and runs `delivery` in it.
    pub async fn run<T>(self, delivery: impl Future<Output = T>) -> T {
        // Neither semaphore is ever closed, so acquiring cannot fail; a
        // closed one would only mean running without its limit.
        let _lane_slot = self.lane.permits.acquire().await.ok();
        let _gateway_slot = self.dispatcher.in_flight.acquire().await.ok();
        delivery.await
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.lane.queued.fetch_sub(1, Ordering::AcqRel);
        self.dispatcher.queued.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot;

    fn dispatcher(max_queued: usize, per_service: usize, queued_per_service: usize) -> Dispatcher {
        Dispatcher::new(&DeliverySettings {
            max_in_flight: 4,
            max_queued,
            max_in_flight_per_push_service: per_service,
            max_queued_per_push_service: queued_per_service,
            ..DeliverySettings::default()
        })
    }

    #[test]
    fn a_full_lane_refuses_only_its_own_service() {
        let d = dispatcher(100, 1, 2);
        let first = d.admit("slow.example").unwrap();
        let second = d.admit("slow.example").unwrap();
        assert_eq!(
            d.admit("slow.example").err(),
            Some(Refused::PushServiceBusy)
        );
        let other = d.admit("fast.example").unwrap();
        assert_eq!(d.queued(), 3);
        drop(first);
        assert!(d.admit("slow.example").is_ok());
        drop((second, other));
        assert_eq!(d.queued(), 0);
    }

    #[test]
    fn the_gateway_wide_queue_is_bounded() {
        let d = dispatcher(2, 8, 8);
        let _a = d.admit("a.example").unwrap();
        let _b = d.admit("b.example").unwrap();
        assert_eq!(d.admit("c.example").err(), Some(Refused::GatewayBusy));
        // The refused push left no place taken in its lane.
        assert_eq!(d.lane("c.example").queued.load(Ordering::Relaxed), 0);
        assert_eq!(d.queued(), 2);
    }

    #[tokio::test]
    async fn a_stuck_service_does_not_hold_back_another() {
        let d = Arc::new(dispatcher(100, 1, 10));
        let (release, stuck) = oneshot::channel::<()>();
        let blocker = {
            let d = d.clone();
            tokio::spawn(async move {
                let ticket = d.admit("dead.example").unwrap();
                ticket.run(async { stuck.await.ok() }).await
            })
        };
        // Wait until the stuck delivery holds the dead lane's only slot.
        while d.lane("dead.example").permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let fast = d.admit("fast.example").unwrap().run(async { "delivered" });
        assert_eq!(fast.await, "delivered");
        assert!(!blocker.is_finished());
        release.send(()).unwrap();
        blocker.await.unwrap();
        assert_eq!(d.queued(), 0);
    }

    #[test]
    fn idle_lanes_are_forgotten_when_there_are_many() {
        let d = dispatcher(10_000, 1, 1);
        let held = d.admit("busy.example").unwrap();
        for n in 0..MAX_IDLE_LANES {
            drop(d.admit(&format!("host-{n}.example")).unwrap());
        }
        d.admit("one-more.example").unwrap();
        let lanes = d.lanes.lock().unwrap();
        assert!(lanes.len() < MAX_IDLE_LANES);
        assert!(lanes.contains_key("busy.example"));
        drop(lanes);
        drop(held);
    }
}
