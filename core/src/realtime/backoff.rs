//! Reconnect delays: exponential growth with full jitter, capped, and reset
//! once a connection has proven stable.
//!
//! Full jitter (a uniform delay between zero and the exponential ceiling)
//! spreads the reconnects of a whole school's phones after a server restart
//! instead of having them all knock at the same instants.

use std::time::Duration;

use rand::Rng;

/// Shape of the delays. The defaults follow the issue: about 1 s growing to
/// at most 60 s, forgotten after 30 s of a stable connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub base: Duration,
    pub cap: Duration,
    /// A connection that stayed up this long resets the failure count.
    pub stable_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            stable_after: Duration::from_secs(30),
        }
    }
}

impl BackoffPolicy {
    /// The largest delay after `failures` consecutive failures (1 = the first
    /// failure): `base * 2^(failures-1)`, never above `cap`.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(31);
        let factor = 1u64 << exponent;
        let base_ms = self.base.as_millis().min(u128::from(u64::MAX)) as u64;
        let ceiling_ms = base_ms.saturating_mul(factor);
        Duration::from_millis(ceiling_ms).min(self.cap)
    }

    /// A random delay for the given failure count, see
    /// [`BackoffPolicy::delay_from_unit`].
    pub fn delay(&self, failures: u32, rng: &mut impl Rng) -> Duration {
        self.delay_from_unit(failures, rng.random::<f64>())
    }

    /// The delay for a random draw `unit` in `[0, 1)`: full jitter over
    /// `[0, ceiling]`, but never below a tenth of `base`, so a burst of
    /// failures cannot spin in a tight loop.
    pub fn delay_from_unit(&self, failures: u32, unit: f64) -> Duration {
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            1.0
        };
        let ceiling = self.ceiling(failures);
        let floor = self.base / 10;
        ceiling.mul_f64(unit).max(floor).min(self.cap)
    }
}

/// Failure count of one connection loop.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    policy: BackoffPolicy,
    failures: u32,
}

impl Backoff {
    pub fn new(policy: BackoffPolicy) -> Self {
        Backoff {
            policy,
            failures: 0,
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Records a failed attempt (or a connection that did not last) and
    /// returns how long to wait before the next one.
    pub fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.policy.delay(self.failures, rng)
    }

    /// A connection ended after having been up for `uptime`: a stable one
    /// forgets earlier failures.
    pub fn connection_ended(&mut self, uptime: Duration) {
        if uptime >= self.policy.stable_after {
            self.failures = 0;
        }
    }

    /// Forget all failures (the network came back: try at once).
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn ceiling_doubles_up_to_the_cap() {
        let p = BackoffPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_secs(1));
        assert_eq!(p.ceiling(2), Duration::from_secs(2));
        assert_eq!(p.ceiling(3), Duration::from_secs(4));
        assert_eq!(p.ceiling(6), Duration::from_secs(32));
        assert_eq!(p.ceiling(7), Duration::from_secs(60));
        assert_eq!(p.ceiling(1000), Duration::from_secs(60));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn jitter_spans_zero_to_ceiling_with_a_small_floor() {
        let p = BackoffPolicy::default();
        assert_eq!(p.delay_from_unit(3, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay_from_unit(3, 0.5), Duration::from_secs(2));
        assert_eq!(p.delay_from_unit(3, 1.0), Duration::from_secs(4));
        assert_eq!(p.delay_from_unit(20, 1.0), Duration::from_secs(60));
        // Nonsense draws stay inside the bounds.
        assert_eq!(p.delay_from_unit(2, f64::NAN), Duration::from_secs(2));
        assert_eq!(p.delay_from_unit(2, -3.0), Duration::from_millis(100));
        assert_eq!(p.delay_from_unit(2, 7.0), Duration::from_secs(2));
    }

    #[test]
    fn random_delays_stay_within_the_ceiling() {
        let p = BackoffPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        let mut backoff = Backoff::new(p);
        let mut max_seen = Duration::ZERO;
        for _ in 0..200 {
            let failures_before = backoff.failures();
            let d = backoff.next_delay(&mut rng);
            assert!(d <= p.ceiling(failures_before + 1), "{d:?}");
            assert!(d >= Duration::from_millis(100));
            max_seen = max_seen.max(d);
        }
        assert!(max_seen > Duration::from_secs(30), "jitter reaches high");
        assert_eq!(backoff.failures(), 200);
    }

    #[test]
    fn only_a_stable_connection_resets_the_failures() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut backoff = Backoff::new(BackoffPolicy::default());
        for _ in 0..5 {
            backoff.next_delay(&mut rng);
        }
        backoff.connection_ended(Duration::from_secs(3));
        assert_eq!(backoff.failures(), 5);
        backoff.connection_ended(Duration::from_secs(30));
        assert_eq!(backoff.failures(), 0);
        backoff.next_delay(&mut rng);
        backoff.reset();
        assert_eq!(backoff.failures(), 0);
    }
}
