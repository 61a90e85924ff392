//! Counts for `/metrics`, in Prometheus text format. Counts only: nothing
//! here names a user, a device, a registration or a push service.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a push was answered FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedBecause {
    Unreachable,
    Rejected,
    RateLimited,
    TooLarge,
    Redirected,
    BadKeys,
    Forbidden,
    Storage,
    Busy,
    Timeout,
    /// An APNs registration on a gateway without `[apns]`.
    NotConfigured,
}

impl FailedBecause {
    const ALL: [FailedBecause; 11] = [
        FailedBecause::Unreachable,
        FailedBecause::Rejected,
        FailedBecause::RateLimited,
        FailedBecause::TooLarge,
        FailedBecause::Redirected,
        FailedBecause::BadKeys,
        FailedBecause::Forbidden,
        FailedBecause::Storage,
        FailedBecause::Busy,
        FailedBecause::Timeout,
        FailedBecause::NotConfigured,
    ];

    fn label(self) -> &'static str {
        match self {
            FailedBecause::Unreachable => "unreachable",
            FailedBecause::Rejected => "rejected",
            FailedBecause::RateLimited => "rate_limited",
            FailedBecause::TooLarge => "too_large",
            FailedBecause::Redirected => "redirected",
            FailedBecause::BadKeys => "bad_keys",
            FailedBecause::Forbidden => "forbidden",
            FailedBecause::Storage => "storage",
            FailedBecause::Busy => "busy",
            FailedBecause::Timeout => "timeout",
            FailedBecause::NotConfigured => "not_configured",
        }
    }
}

/// Why Mattermost was told REMOVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovedBecause {
    /// The push service said the subscription is gone.
    Gone,
    /// The device id names no registration here.
    Unknown,
}

/// Why a registration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedBecause {
    Rate,
    Endpoint,
    EndpointFull,
}

#[derive(Default)]
pub struct Metrics {
    deliveries: AtomicU64,
    failures: [AtomicU64; FailedBecause::ALL.len()],
    removed_gone: AtomicU64,
    removed_unknown: AtomicU64,
    registrations: AtomicU64,
    unregistrations: AtomicU64,
    refused_rate: AtomicU64,
    refused_endpoint: AtomicU64,
    refused_endpoint_full: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Metrics {
    pub fn count_delivery(&self) {
        bump(&self.deliveries);
    }

    pub fn count_failure(&self, reason: FailedBecause) {
        let index = FailedBecause::ALL
            .iter()
            .position(|r| *r == reason)
            .unwrap_or(0);
        bump(&self.failures[index]);
    }

    pub fn count_removal(&self, reason: RemovedBecause) {
        bump(match reason {
            RemovedBecause::Gone => &self.removed_gone,
            RemovedBecause::Unknown => &self.removed_unknown,
        });
    }

    pub fn count_registration(&self) {
        bump(&self.registrations);
    }

    pub fn count_unregistration(&self) {
        bump(&self.unregistrations);
    }

    pub fn count_refused_registration(&self, reason: RefusedBecause) {
        bump(match reason {
            RefusedBecause::Rate => &self.refused_rate,
            RefusedBecause::Endpoint => &self.refused_endpoint,
            RefusedBecause::EndpointFull => &self.refused_endpoint_full,
        });
    }

    /// The Prometheus text exposition (version 0.0.4); the queue depth is
    /// the dispatcher's.
    pub fn render(&self, queue_depth: usize) -> String {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, rows: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in rows {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        family(
            "push_gateway_deliveries_total",
            "counter",
            "Pushes a push service accepted.",
            &[("", load(&self.deliveries))],
        );
        let failures: Vec<(String, u64)> = FailedBecause::ALL
            .iter()
            .zip(&self.failures)
            .map(|(reason, count)| (format!("{{reason=\"{}\"}}", reason.label()), load(count)))
            .collect();
        let failure_rows: Vec<(&str, u64)> =
            failures.iter().map(|(l, v)| (l.as_str(), *v)).collect();
        family(
            "push_gateway_delivery_failures_total",
            "counter",
            "Pushes answered FAIL, by reason.",
            &failure_rows,
        );
        family(
            "push_gateway_removals_total",
            "counter",
            "Pushes answered REMOVE, by reason.",
            &[
                ("{reason=\"gone\"}", load(&self.removed_gone)),
                ("{reason=\"unknown\"}", load(&self.removed_unknown)),
            ],
        );
        family(
            "push_gateway_registrations_total",
            "counter",
            "Registrations created.",
            &[("", load(&self.registrations))],
        );
        family(
            "push_gateway_unregistrations_total",
            "counter",
            "Registrations deleted by their app.",
            &[("", load(&self.unregistrations))],
        );
        family(
            "push_gateway_registrations_refused_total",
            "counter",
            "Registrations refused, by reason.",
            &[
                ("{reason=\"rate\"}", load(&self.refused_rate)),
                ("{reason=\"endpoint\"}", load(&self.refused_endpoint)),
                (
                    "{reason=\"endpoint_full\"}",
                    load(&self.refused_endpoint_full),
                ),
            ],
        );
        family(
            "push_gateway_queue_depth",
            "gauge",
            "Pushes waiting for or in delivery.",
            &[("", queue_depth as u64)],
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, series: &str) -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{series} missing in\n{text}"))
            .parse()
            .unwrap()
    }

    #[test]
    fn counts_show_up_under_their_names_and_labels() {
        let metrics = Metrics::default();
        metrics.count_delivery();
        metrics.count_delivery();
        metrics.count_failure(FailedBecause::Timeout);
        metrics.count_failure(FailedBecause::Unreachable);
        metrics.count_failure(FailedBecause::Timeout);
        metrics.count_removal(RemovedBecause::Gone);
        metrics.count_refused_registration(RefusedBecause::EndpointFull);
        let text = metrics.render(0);
        assert_eq!(value(&text, "push_gateway_deliveries_total"), 2);
        assert_eq!(
            value(
                &text,
                "push_gateway_delivery_failures_total{reason=\"timeout\"}"
            ),
            2
        );
        assert_eq!(
            value(
                &text,
                "push_gateway_delivery_failures_total{reason=\"unreachable\"}"
            ),
            1
        );
        assert_eq!(
            value(
                &text,
                "push_gateway_delivery_failures_total{reason=\"busy\"}"
            ),
            0
        );
        assert_eq!(
            value(&text, "push_gateway_removals_total{reason=\"gone\"}"),
            1
        );
        assert_eq!(
            value(
                &text,
                "push_gateway_registrations_refused_total{reason=\"endpoint_full\"}"
            ),
            1
        );
        assert!(text.contains("# TYPE push_gateway_queue_depth gauge"));
        assert_eq!(value(&metrics.render(7), "push_gateway_queue_depth"), 7);
    }
}
