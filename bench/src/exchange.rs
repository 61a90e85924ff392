//! Recorded HTTP exchanges and what their timing says: how many sequential
//! round trips a client needed, and which earlier requests each request
//! waited for (so a replay can keep the same parallelism).

use serde::{Deserialize, Serialize};

/// One request as a client sent it and when its answer was complete.
/// Times are microseconds since the Unix epoch, so figures from different
/// processes on this machine line up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    /// Path and query, e.g. `/api/v4/users/me/teams?page=0`.
    pub path: String,
    /// Request headers worth replaying (authorization, content type).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub status: u16,
    pub response_bytes: u64,
    pub started_us: u64,
    pub finished_us: u64,
}

impl Exchange {
    /// Whether this exchange finished before `other` started: `other` may
    /// have depended on its answer.
    pub fn happened_before(&self, other: &Exchange) -> bool {
        self.finished_us <= other.started_us
    }
}

pub fn total_response_bytes(exchanges: &[Exchange]) -> u64 {
    exchanges.iter().map(|e| e.response_bytes).sum()
}

/// The longest chain of exchanges each of which started after the previous
/// one finished, among those that finished by `until_us`: the number of
/// sequential round trips the client needed to get that far.
pub fn sequential_round_trips(exchanges: &[Exchange], until_us: u64) -> usize {
    let spans: Vec<(u64, u64)> = exchanges
        .iter()
        .map(|e| (e.started_us, e.finished_us))
        .collect();
    sequential_round_trips_of(&spans, until_us)
}

/// [`sequential_round_trips`] of `(started_us, finished_us)` pairs.
pub fn sequential_round_trips_of(spans: &[(u64, u64)], until_us: u64) -> usize {
    let mut done: Vec<(u64, u64)> = spans
        .iter()
        .copied()
        .filter(|(_, finished)| *finished <= until_us)
        .collect();
    done.sort_by_key(|(started, _)| *started);
    let mut chain = vec![0usize; done.len()];
    let mut longest = 0;
    for i in 0..done.len() {
        let before = (0..i)
            .filter(|&j| done[j].1 <= done[i].0)
            .map(|j| chain[j])
            .max()
            .unwrap_or(0);
        chain[i] = before + 1;
        longest = longest.max(chain[i]);
    }
    longest
}

/// A replay plan: the exchanges in the order they finished, and for each
/// one how many of those (a prefix of that order) must be done before it
/// starts. Everything that finished before a request started in the
/// recording is waited for; everything that overlapped may overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayPlan {
    pub requests: Vec<PlannedRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Bytes the recorded answer had.
    pub response_bytes: u64,
    /// Start once this many requests of the plan (in plan order) are done.
    pub after_first: usize,
}

impl ReplayPlan {
    pub fn from_exchanges(exchanges: &[Exchange]) -> ReplayPlan {
        let mut by_finish: Vec<&Exchange> = exchanges.iter().collect();
        by_finish.sort_by_key(|e| (e.finished_us, e.started_us));
        let requests = by_finish
            .iter()
            .map(|e| PlannedRequest {
                method: e.method.clone(),
                path: e.path.clone(),
                headers: e.headers.clone(),
                body: e.body.clone(),
                response_bytes: e.response_bytes,
                after_first: by_finish
                    .iter()
                    .take_while(|f| f.finished_us <= e.started_us)
                    .count(),
            })
            .collect();
        ReplayPlan { requests }
    }

    pub fn response_bytes(&self) -> u64 {
        self.requests.iter().map(|r| r.response_bytes).sum()
    }

    /// Sequential steps the plan has (its dependency depth).
    pub fn depth(&self) -> usize {
        let mut depth: Vec<usize> = Vec::with_capacity(self.requests.len());
        for request in &self.requests {
            let before = depth[..request.after_first]
                .iter()
                .copied()
                .max()
                .unwrap_or(0);
            depth.push(before + 1);
        }
        depth.into_iter().max().unwrap_or(0)
    }
}

#[cfg(test)]
pub(crate) fn exchange(path: &str, started_us: u64, finished_us: u64, bytes: u64) -> Exchange {
    Exchange {
        method: "GET".into(),
        path: path.into(),
        headers: Vec::new(),
        body: Vec::new(),
        status: 200,
        response_bytes: bytes,
        started_us,
        finished_us,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Round 1: a, b in parallel; round 2: c after both; d overlaps c but
    /// started after a only; round 3: e after c.
    fn recording() -> Vec<Exchange> {
        vec![
            exchange("/a", 0, 10, 1),
            exchange("/b", 1, 20, 2),
            exchange("/d", 12, 40, 8),
            exchange("/c", 21, 30, 4),
            exchange("/e", 31, 35, 16),
        ]
    }

    #[test]
    fn counts_sequential_round_trips() {
        let recording = recording();
        assert_eq!(sequential_round_trips(&recording, u64::MAX), 3);
        // Up to the end of c only rounds 1 and 2 are done.
        assert_eq!(sequential_round_trips(&recording, 30), 2);
        assert_eq!(sequential_round_trips(&recording, 5), 0);
        // Fully parallel requests are one round trip.
        let parallel = vec![exchange("/x", 0, 10, 1), exchange("/y", 0, 12, 1)];
        assert_eq!(sequential_round_trips(&parallel, u64::MAX), 1);
        // Touching intervals count as sequential.
        let touching = vec![exchange("/x", 0, 10, 1), exchange("/y", 10, 12, 1)];
        assert_eq!(sequential_round_trips(&touching, u64::MAX), 2);
    }

    #[test]
    fn plan_waits_for_exactly_what_finished_before() {
        let plan = ReplayPlan::from_exchanges(&recording());
        let order: Vec<&str> = plan.requests.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(order, ["/a", "/b", "/c", "/e", "/d"]);
        let after: Vec<usize> = plan.requests.iter().map(|r| r.after_first).collect();
        // a, b: nothing; c: a and b; e: a, b, c; d: a only.
        assert_eq!(after, [0, 0, 2, 3, 1]);
        assert_eq!(plan.depth(), 3);
        assert_eq!(plan.response_bytes(), 31);
        assert_eq!(total_response_bytes(&recording()), 31);
    }

    #[test]
    fn empty_recordings_are_harmless() {
        assert_eq!(sequential_round_trips(&[], u64::MAX), 0);
        let plan = ReplayPlan::from_exchanges(&[]);
        assert_eq!(plan.depth(), 0);
        assert!(plan.requests.is_empty());
    }
}
