//! What the logs may say about secrets: a fingerprint, never the value.
//!
//! A registration token lets anyone trigger pushes to a device, an endpoint
//! URL is the distributor's capability for that device, and keys are keys:
//! none of them may appear in full in a log line.

use sha2::{Digest, Sha256};
use url::Url;

/// The first 8 hex digits of the value's SHA-256: enough to correlate log
/// lines about one registration, useless for reconstructing it.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// The push service an endpoint belongs to, without the path that
/// identifies the device.
pub fn endpoint_host(endpoint: &Url) -> String {
    match (endpoint.host_str(), endpoint.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => "(no host)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_short_stable_and_hides_the_value() {
        let token = "q5X0m1xS6c8h3YbqM1aQ9xK2vT7nJ4pL0wRzE8uF6dA";
        let fp = fingerprint(token);
        assert_eq!(fp.len(), 8);
        assert_eq!(fp, fingerprint(token));
        assert_ne!(fp, fingerprint("another-token"));
        assert!(!token.contains(&fp));
    }

    #[test]
    fn endpoint_host_drops_path_and_query() {
        let url = Url::parse("https://ntfy.schule.example/upAbCdEf123?up=1").unwrap();
        assert_eq!(endpoint_host(&url), "ntfy.schule.example");
        let url = Url::parse("http://127.0.0.1:8080/push/secret-id").unwrap();
        assert_eq!(endpoint_host(&url), "127.0.0.1:8080");
    }
}
