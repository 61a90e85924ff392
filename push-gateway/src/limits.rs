//! Registration limits per source address: who is asking, and how often
//! they may ask.
//!
//! Registering needs no account (the gateway never sees Mattermost
//! credentials), so the source address is the only handle on a stranger
//! who registers in a loop. Counts live in memory, per instance: behind a
//! load balancer with N instances an address gets up to N times the rate,
//! which still bounds it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Beyond this many tracked addresses, the ones back at a full allowance
/// are forgotten (they would be allowed anyway).
const MAX_TRACKED_ADDRESSES: usize = 100_000;

/// The address a request comes from. A request from a trusted reverse
/// proxy is attributed to the last address in `X-Forwarded-For` that is
/// not itself a trusted proxy (earlier entries are whatever the client
/// wrote); any other request to its peer address.
pub fn source_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer_ip = canonical(peer.ip());
    if !is_trusted(&peer_ip) {
        return peer_ip;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut source = peer_ip;
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>().map(canonical) else {
            break;
        };
        source = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    source
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// One IPv6 host usually has a whole /64, so that is what is counted.
fn rate_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

struct Allowance {
    remaining: f64,
    at: Instant,
}

/// A token bucket per source address: `burst` registrations at once, then
/// `per_hour` spread over the hour.
pub struct RegistrationRate {
    burst: f64,
    per_second: f64,
    allowances: Mutex<HashMap<IpAddr, Allowance>>,
}

impl RegistrationRate {
    pub fn new(burst: u32, per_hour: u32) -> RegistrationRate {
        RegistrationRate {
            burst: f64::from(burst),
            per_second: f64::from(per_hour) / 3600.0,
            allowances: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one registration from `source`'s allowance, or says how long
    /// until the next one is allowed.
    pub fn take(&self, source: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut allowances = self.allowances.lock().unwrap_or_else(|e| e.into_inner());
        if allowances.len() >= MAX_TRACKED_ADDRESSES {
            allowances.retain(|_, a| self.refilled(a, now) < self.burst);
            if allowances.len() >= MAX_TRACKED_ADDRESSES {
                allowances.clear();
            }
        }
        let allowance = allowances.entry(rate_key(source)).or_insert(Allowance {
            remaining: self.burst,
            at: now,
        });
        allowance.remaining = self.refilled(allowance, now);
        allowance.at = now;
        if allowance.remaining >= 1.0 {
            allowance.remaining -= 1.0;
            return Ok(());
        }
        if self.per_second <= 0.0 {
            return Err(Duration::from_secs(3600));
        }
        let wait = (1.0 - allowance.remaining) / self.per_second;
        Err(Duration::from_secs_f64(wait.min(86_400.0)).max(Duration::from_secs(1)))
    }

    fn refilled(&self, allowance: &Allowance, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(allowance.at).as_secs_f64();
        (allowance.remaining + elapsed * self.per_second).min(self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn loopback_proxy() -> Vec<IpNet> {
        vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let spoofed = headers(&["198.51.100.1"]);
        assert_eq!(
            source_address(stranger, &spoofed, &loopback_proxy()),
            stranger.ip()
        );
        assert_eq!(
            source_address(proxy, &spoofed, &loopback_proxy()),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(source_address(proxy, &spoofed, &[]), proxy.ip());
    }

    #[test]
    fn the_client_cannot_choose_its_address_by_prepending() {
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        // The client wrote "1.2.3.4"; the proxy appended what it saw.
        let forwarded = headers(&["1.2.3.4, 198.51.100.7", "127.0.0.2"]);
        assert_eq!(
            source_address(proxy, &forwarded, &loopback_proxy()),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let garbage = headers(&["not-an-address"]);
        assert_eq!(
            source_address(proxy, &garbage, &loopback_proxy()),
            proxy.ip()
        );
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:1".parse().unwrap();
        assert_eq!(
            source_address(mapped, &headers(&["198.51.100.8"]), &loopback_proxy()),
            "198.51.100.8".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn a_burst_is_allowed_then_the_hourly_rate() {
        let rate = RegistrationRate::new(3, 60);
        let start = Instant::now();
        let one: IpAddr = "198.51.100.1".parse().unwrap();
        let other: IpAddr = "198.51.100.2".parse().unwrap();
        for _ in 0..3 {
            rate.take(one, start).unwrap();
        }
        let wait = rate.take(one, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(60));
        rate.take(other, start).unwrap();
        rate.take(one, start + Duration::from_secs(61)).unwrap();
        assert!(rate.take(one, start + Duration::from_secs(61)).is_err());
    }

    #[test]
    fn one_ipv6_host_is_one_slash_64() {
        let rate = RegistrationRate::new(1, 0);
        let now = Instant::now();
        rate.take("2001:db8:1:2::1".parse().unwrap(), now).unwrap();
        assert!(rate
            .take("2001:db8:1:2::ffff".parse().unwrap(), now)
            .is_err());
        rate.take("2001:db8:1:3::1".parse().unwrap(), now).unwrap();
    }
}
