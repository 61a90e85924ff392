//! Where the gateway may connect: never into the school's own network.
//!
//! Anyone can register a push endpoint, so an endpoint is an address chosen
//! by a stranger that the gateway will post to. Every address a push
//! endpoint's host resolves to is checked when it registers, and again on
//! every delivery: the HTTP client resolves through [`CheckedResolver`],
//! which hands the connector only addresses that passed the check, so a
//! name that resolves to a public address at registration and to an
//! internal one later (DNS rebinding) cannot get through.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use ipnet::{Ipv4Net, Ipv6Net};
use url::{Host, Url};

/// IPv4 ranges that are not the public internet (IANA special-purpose
/// registry): this network, private, CGNAT, loopback, link local, IETF
/// protocol assignments, documentation, 6to4 relay, benchmarking,
/// multicast, reserved and broadcast.
const INTERNAL_V4: [Ipv4Net; 15] = [
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 2, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 88, 99, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 51, 100, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(203, 0, 113, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    // 240.0.0.0/4 reserved, 255.255.255.255 broadcast included.
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 ranges that are never a push service: unspecified and loopback
/// (inside ::/96, the deprecated IPv4-compatible block), local-use NAT64,
/// discard, IETF protocol assignments (Teredo included), documentation,
/// unique local, link local, site local and multicast.
const INTERNAL_V6: [Ipv6Net; 9] = [
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 96),
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// The IPv4 address an IPv6 address stands for, where it embeds one that a
/// router or the kernel would reach: v4-mapped, NAT64 (64:ff9b::/96) and
/// 6to4 (2002::/16).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = ip.segments();
    let from = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(from(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(from(s[1], s[2]));
    }
    None
}

/// True for every address that is not plainly on the public internet.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => INTERNAL_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_internal(IpAddr::V4(v4));
            }
            INTERNAL_V6.iter().any(|net| net.contains(&v6))
        }
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Which addresses the gateway may connect to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    /// Loopback is allowed too: tests and a distributor on the same host
    /// only (`allow_loopback_http_endpoints`, off by default).
    pub allow_loopback: bool,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("endpoint host does not resolve")]
    Unresolvable,
    #[error("endpoint must not be a private or local address")]
    Internal,
}

impl EgressPolicy {
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_internal(ip) || (self.allow_loopback && is_loopback(ip))
    }

    /// False for an IP-literal host the policy refuses; names are left to
    /// the resolver.
    pub fn permits_literal(&self, endpoint: &Url) -> bool {
        match endpoint.host() {
            Some(Host::Ipv4(ip)) => self.permits(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.permits(IpAddr::V6(ip)),
            Some(Host::Domain(_)) => true,
            None => false,
        }
    }

    /// Resolves the endpoint's host and accepts it only when every address
    /// it has is permitted: one internal address among public ones is
    /// enough to refuse, as the client might pick it.
    pub async fn check_endpoint(
        &self,
        endpoint: &Url,
        lookup: &dyn Lookup,
    ) -> Result<(), EgressError> {
        let addresses = match endpoint.host() {
            Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
            Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
            Some(Host::Domain(name)) => lookup
                .lookup(name.to_owned())
                .await
                .map_err(|_| EgressError::Unresolvable)?,
            None => return Err(EgressError::Unresolvable),
        };
        if addresses.is_empty() {
            return Err(EgressError::Unresolvable);
        }
        if addresses.iter().all(|ip| self.permits(*ip)) {
            Ok(())
        } else {
            Err(EgressError::Internal)
        }
    }
}

type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// A name to addresses; the system resolver in production, a fixed table in
/// tests (which is how rebinding is simulated).
pub trait Lookup: Send + Sync {
    fn lookup(&self, host: String) -> LookupFuture;
}

/// The operating system's resolver (getaddrinfo, off the async threads).
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: String) -> LookupFuture {
        Box::pin(async move {
            let addresses = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addresses.map(|a| a.ip()).collect())
        })
    }
}

/// The HTTP client's resolver: only permitted addresses reach the
/// connector, so the address connected to is always a checked one.
pub struct CheckedResolver {
    policy: EgressPolicy,
    lookup: Arc<dyn Lookup>,
}

impl CheckedResolver {
    pub fn new(policy: EgressPolicy, lookup: Arc<dyn Lookup>) -> CheckedResolver {
        CheckedResolver { policy, lookup }
    }
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let found = self.lookup.lookup(name.as_str().to_owned());
        Box::pin(async move {
            let permitted: Vec<SocketAddr> = found
                .await?
                .into_iter()
                .filter(|ip| policy.permits(*ip))
                .map(|ip| SocketAddr::new(ip, 0))
                .collect();
            if permitted.is_empty() {
                return Err(Box::new(EgressError::Internal) as Box<_>);
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Answers from a table the test can change between calls.
    #[derive(Default)]
    pub(crate) struct FixedLookup(pub Mutex<HashMap<String, Vec<IpAddr>>>);

    impl FixedLookup {
        pub(crate) fn set(&self, host: &str, addresses: &[&str]) {
            let parsed = addresses.iter().map(|a| a.parse().unwrap()).collect();
            self.0.lock().unwrap().insert(host.to_owned(), parsed);
        }
    }

    impl Lookup for FixedLookup {
        fn lookup(&self, host: String) -> LookupFuture {
            let found = self.0.lock().unwrap().get(&host).cloned();
            Box::pin(async move {
                found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"))
            })
        }
    }

    #[test]
    fn internal_addresses_of_every_kind_are_recognised() {
        for ip in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.8.8.8",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.10",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.251",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2002:c0a8:0101::1",
            "2001::1",
            "2001:db8::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "100::1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn loopback_is_permitted_only_when_allowed_and_nothing_else_is() {
        let strict = EgressPolicy::default();
        let testing = EgressPolicy {
            allow_loopback: true,
        };
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!strict.permits(ip), "{ip}");
            assert!(testing.permits(ip), "{ip}");
        }
        for ip in ["10.0.0.1", "fd00::1", "169.254.169.254"] {
            assert!(!testing.permits(ip.parse().unwrap()), "{ip}");
        }
        assert!(strict.permits("8.8.8.8".parse().unwrap()));
    }

    #[tokio::test]
    async fn a_name_is_refused_when_any_of_its_addresses_is_internal() {
        let lookup = FixedLookup::default();
        lookup.set("push.example", &["8.8.8.8", "2606:4700:4700::1111"]);
        lookup.set("sneaky.example", &["8.8.8.8", "10.0.0.7"]);
        lookup.set("empty.example", &[]);
        let policy = EgressPolicy::default();
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            policy
                .check_endpoint(&url("https://push.example/up"), &lookup)
                .await,
            Ok(())
        );
        assert_eq!(
            policy
                .check_endpoint(&url("https://sneaky.example/up"), &lookup)
                .await,
            Err(EgressError::Internal)
        );
        assert_eq!(
            policy
                .check_endpoint(&url("https://empty.example/up"), &lookup)
                .await,
            Err(EgressError::Unresolvable)
        );
        assert_eq!(
            policy
                .check_endpoint(&url("https://unknown.example/up"), &lookup)
                .await,
            Err(EgressError::Unresolvable)
        );
        assert_eq!(
            policy
                .check_endpoint(&url("https://[::ffff:192.168.0.1]/up"), &lookup)
                .await,
            Err(EgressError::Internal)
        );
    }

    #[tokio::test]
    async fn the_system_resolver_is_checked_too() {
        let policy = EgressPolicy::default();
        let localhost = Url::parse("https://localhost/up").unwrap();
        assert_eq!(
            policy.check_endpoint(&localhost, &SystemLookup).await,
            Err(EgressError::Internal)
        );
    }

    /// The resolver itself refuses what the check at registration would
    /// have refused, so a name rebound to loopback after registering
    /// never gets a connection.
    #[tokio::test]
    async fn the_client_never_connects_to_a_rebound_name() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(Mutex::new(0u32));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *counter.lock().unwrap() += 1;
                drop(stream);
            }
        });
        let lookup = Arc::new(FixedLookup::default());
        lookup.set("rebinding.example", &["127.0.0.1"]);
        let client = |policy| {
            reqwest::Client::builder()
                .tls_backend_preconfigured(crate::webpush::tls_config().unwrap())
                .no_proxy()
                .dns_resolver(Arc::new(CheckedResolver::new(policy, lookup.clone())))
                .build()
                .unwrap()
        };
        let url = format!("http://rebinding.example:{port}/push");
        let refused = client(EgressPolicy::default()).post(&url).send().await;
        assert!(refused.is_err());
        assert_eq!(*accepted.lock().unwrap(), 0);
        // The same request with loopback allowed does connect, so the
        // refusal above came from the check and not from the listener.
        let allowed = client(EgressPolicy {
            allow_loopback: true,
        })
        .post(&url)
        .send()
        .await;
        assert!(allowed.is_err(), "the listener closes without answering");
        assert_eq!(*accepted.lock().unwrap(), 1);
    }
}
