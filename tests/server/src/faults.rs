//! Fault injection: the rules a test sets and the handle it sets them with.
//!
//! Rules match a request by method (`"*"` for any) and path prefix. A prefix
//! may be given with or without the `/api/v4` part.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::net::Net;
use crate::shared::Shared;

/// How `corrupt_next` mangles a response body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// Headers announce the full length, then the connection ends halfway.
    Truncate,
    /// The body is replaced by bytes that are not JSON.
    Garbage,
}

#[derive(Clone, Debug)]
pub(crate) enum Action {
    Fail(u16),
    Corrupt(Corruption),
    RateLimit(u64),
    DropResponse,
    Hold(ResponseHold),
}

/// A response kept back after its handler ran (its effect is committed),
/// until the test releases it: orders what a client reads against what
/// happens meanwhile.
#[derive(Clone, Debug)]
pub struct ResponseHold {
    reached: Arc<tokio::sync::watch::Sender<bool>>,
    released: Arc<tokio::sync::watch::Sender<bool>>,
}

impl ResponseHold {
    fn new() -> ResponseHold {
        ResponseHold {
            reached: Arc::new(tokio::sync::watch::channel(false).0),
            released: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// Waits until a matching request's handler has run.
    pub async fn reached(&self) {
        let mut reached = self.reached.subscribe();
        // The sender lives in `self`: waiting cannot fail.
        let _ = reached.wait_for(|r| *r).await;
    }

    /// Lets the held response (and any later held one) go.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    /// Called by the middleware with the handler's response in hand.
    pub(crate) async fn hold(&self) {
        self.reached.send_replace(true);
        let mut released = self.released.subscribe();
        let _ = released.wait_for(|r| *r).await;
    }
}

#[derive(Clone, Debug)]
struct Rule {
    method: String,
    path_prefix: String,
    remaining: usize,
    action: Action,
}

impl Rule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method == "*" || self.method.eq_ignore_ascii_case(method);
        let path_ok = path.starts_with(&self.path_prefix)
            || path
                .strip_prefix("/api/v4")
                .is_some_and(|rest| rest.starts_with(&self.path_prefix));
        method_ok && path_ok && self.remaining > 0
    }
}

#[derive(Default)]
pub(crate) struct Rules {
    rules: Mutex<Vec<Rule>>,
    latency: Mutex<Duration>,
}

/// What the middleware must do to one request.
#[derive(Default, Debug)]
pub(crate) struct Plan {
    pub before: Option<Action>,
    pub after: Option<Action>,
}

impl Rules {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Rule>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, method: &str, path_prefix: &str, n: usize, action: Action) {
        if n == 0 {
            return;
        }
        self.lock().push(Rule {
            method: method.to_string(),
            path_prefix: path_prefix.to_string(),
            remaining: n,
            action,
        });
    }

    pub fn latency(&self) -> Duration {
        *self.latency.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Consumes the rules that apply to this request. Rules that stop the
    /// handler (rate limit, failure) win over rules that act on its response.
    pub fn plan(&self, method: &str, path: &str) -> Plan {
        let mut rules = self.lock();
        let mut plan = Plan::default();
        let stops_handler = |a: &Action| matches!(a, Action::Fail(_) | Action::RateLimit(_));
        if let Some(rule) = rules
            .iter_mut()
            .find(|r| r.matches(method, path) && stops_handler(&r.action))
        {
            rule.remaining -= 1;
            plan.before = Some(rule.action.clone());
        } else if let Some(rule) = rules
            .iter_mut()
            .find(|r| r.matches(method, path) && !stops_handler(&r.action))
        {
            rule.remaining -= 1;
            plan.after = Some(rule.action.clone());
        }
        rules.retain(|r| r.remaining > 0);
        plan
    }

    pub fn clear(&self) {
        self.lock().clear();
        *self.latency.lock().unwrap_or_else(|e| e.into_inner()) = Duration::ZERO;
    }
}

/// The test's handle for misbehaving on purpose. Cheap to clone.
#[derive(Clone)]
pub struct Faults {
    pub(crate) shared: Arc<Shared>,
    pub(crate) net: Arc<Net>,
}

impl Faults {
    /// Closes every websocket abruptly (no close frame). Dead queues are
    /// kept, so a client can resume.
    pub fn drop_websockets(&self) {
        self.shared.hub.drop_all();
    }

    /// `true`: the listener closes (new connections are refused) and open
    /// connections, websockets included, are cut. `false`: listens again on
    /// the same port.
    pub fn set_down(&self, down: bool) {
        if down {
            self.net.go_down();
            self.shared.hub.drop_all();
        } else if let Err(e) = self.net.go_up() {
            tracing::error!("test server could not listen again: {e}");
        }
    }

    pub fn is_down(&self) -> bool {
        self.net.is_down()
    }

    /// Delay added before every HTTP response.
    pub fn set_latency(&self, latency: Duration) {
        *self
            .shared
            .rules
            .latency
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = latency;
    }

    /// The next `n` matching requests fail with `status` and a
    /// Mattermost-shaped error body; the handler does not run.
    pub fn fail_next(&self, method: &str, path_prefix: &str, n: usize, status: u16) {
        self.shared
            .rules
            .add(method, path_prefix, n, Action::Fail(status));
    }

    /// The next `n` matching responses keep their status line but get a
    /// mangled body. The handler runs.
    pub fn corrupt_next(&self, method: &str, path_prefix: &str, n: usize, how: Corruption) {
        self.shared
            .rules
            .add(method, path_prefix, n, Action::Corrupt(how));
    }

    /// The next `n` requests to the prefix (any method) get the rate
    /// limiter's 429: plain text with `Retry-After`.
    pub fn rate_limit(&self, path_prefix: &str, n: usize, retry_after_secs: u64) {
        self.shared
            .rules
            .add("*", path_prefix, n, Action::RateLimit(retry_after_secs));
    }

    /// The handler of the next `n` matching requests runs (its effect is
    /// committed), then the connection is closed without a response.
    pub fn drop_response_next(&self, method: &str, path_prefix: &str, n: usize) {
        self.shared
            .rules
            .add(method, path_prefix, n, Action::DropResponse);
    }

    /// The handler of the next `n` matching requests runs, then its
    /// response waits until the returned hold is released.
    pub fn hold_response_next(&self, method: &str, path_prefix: &str, n: usize) -> ResponseHold {
        let hold = ResponseHold::new();
        self.shared
            .rules
            .add(method, path_prefix, n, Action::Hold(hold.clone()));
        hold
    }

    /// Removes every rule and the latency. Does not bring a down server up.
    pub fn clear(&self) {
        self.shared.rules.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_and_match_with_or_without_api_prefix() {
        let rules = Rules::default();
        rules.add("POST", "/posts", 2, Action::Fail(500));
        assert!(rules.plan("GET", "/api/v4/posts").before.is_none());
        assert!(matches!(
            rules.plan("post", "/api/v4/posts").before,
            Some(Action::Fail(500))
        ));
        assert!(rules.plan("POST", "/api/v4/posts/x").before.is_some());
        assert!(rules.plan("POST", "/api/v4/posts").before.is_none());
    }

    #[test]
    fn failing_rules_win_over_response_rules() {
        let rules = Rules::default();
        rules.add("*", "/api/v4/users", 1, Action::DropResponse);
        rules.add("*", "/api/v4/users", 1, Action::RateLimit(3));
        let plan = rules.plan("GET", "/api/v4/users/me");
        assert!(matches!(plan.before, Some(Action::RateLimit(3))));
        assert!(plan.after.is_none());
        // The drop rule was not consumed by the rate-limited request.
        assert!(matches!(
            rules.plan("GET", "/api/v4/users/me").after,
            Some(Action::DropResponse)
        ));
    }

    #[test]
    fn clear_removes_everything() {
        let rules = Rules::default();
        rules.add("*", "/", 5, Action::Fail(503));
        *rules.latency.lock().unwrap() = Duration::from_millis(5);
        rules.clear();
        assert!(rules.plan("GET", "/x").before.is_none());
        assert_eq!(rules.latency(), Duration::ZERO);
    }
}
