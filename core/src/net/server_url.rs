//! Server addresses the way people type them.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// Why a typed server address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerUrlError {
    #[error("the address is empty")]
    Empty,
    #[error("the address is not a valid URL")]
    Malformed,
    #[error("only https:// addresses are supported (got {0}://)")]
    UnsupportedScheme(String),
    #[error("plain http:// is only allowed for this device (localhost); use https://")]
    InsecureHttp,
    #[error("the address must not contain a user name or password")]
    HasCredentials,
    #[error("the address must not contain ?query or #fragment parts")]
    HasQueryOrFragment,
}

impl From<ServerUrlError> for crate::Error {
    fn from(e: ServerUrlError) -> Self {
        crate::Error::InvalidServer {
            reason: e.to_string(),
        }
    }
}

/// A normalised server base URL: `https://host[:port][/sub/path]`, without
/// trailing slash. Plain `http` only for loopback hosts.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl {
    /// Always ends with '/', so `Url::join` keeps sub-paths.
    base: Url,
}

impl ServerUrl {
    /// Accepts `chat.schule.example`, `https://chat.schule.example/`,
    /// `https://example.org/mattermost/`, `http://127.0.0.1:8065`...
    pub fn parse(input: &str) -> Result<Self, ServerUrlError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ServerUrlError::Empty);
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let mut url = Url::parse(&with_scheme).map_err(|_| ServerUrlError::Malformed)?;
        let host = url.host().ok_or(ServerUrlError::Malformed)?;
        let loopback = is_loopback_host(&host);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(ServerUrlError::InsecureHttp),
            other => return Err(ServerUrlError::UnsupportedScheme(other.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ServerUrlError::HasCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ServerUrlError::HasQueryOrFragment);
        }
        // People paste API URLs too; the base is what comes before /api/v4.
        // Stripped until none is left, so that the stored form parses to
        // itself again (`/x/api/v4/api` must not keep an `/api/v4`).
        let mut path = url.path().trim_end_matches('/').to_owned();
        while let Some(stripped) = ["/api/v4", "/api"]
            .iter()
            .find_map(|suffix| path.strip_suffix(suffix))
        {
            path = stripped.trim_end_matches('/').to_owned();
        }
        url.set_path(&format!("{path}/"));
        Ok(ServerUrl { base: url })
    }

    /// The base URL without trailing slash, e.g. `https://example.org/mattermost`.
    pub fn as_str(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    pub fn host(&self) -> String {
        self.base.host_str().unwrap_or_default().to_owned()
    }

    /// Whether the host is this device (127.0.0.0/8, ::1, localhost).
    pub fn is_loopback(&self) -> bool {
        self.base.host().is_some_and(|h| is_loopback_host(&h))
    }

    /// `<base>/api/v4<path>`; `path` starts with '/'.
    pub fn api_url(&self, path: &str) -> Url {
        self.join(&format!("api/v4{path}"))
    }

    /// A URL under the server base (not the API), e.g. `oauth/gitlab/mobile_login`.
    pub fn join(&self, relative: &str) -> Url {
        let relative = relative.trim_start_matches('/');
        // Joining a relative path onto a base that ends with '/' cannot fail
        // for the paths this crate builds; fall back to the base otherwise.
        self.base
            .join(relative)
            .unwrap_or_else(|_| self.base.clone())
    }

    /// The websocket endpoint: `wss://…/api/v4/websocket` (`ws://` for loopback http).
    pub fn websocket_url(&self) -> Url {
        let mut url = self.api_url("/websocket");
        let scheme = if self.base.scheme() == "https" {
            "wss"
        } else {
            "ws"
        };
        // Switching between these special schemes is always accepted.
        let _ = url.set_scheme(scheme);
        url
    }

    /// A stable, file-name-safe form (host, port and path), for account keys.
    pub fn file_key(&self) -> String {
        let mut key = self
            .base
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(port) = self.base.port() {
            key.push('_');
            key.push_str(&port.to_string());
        }
        let path = self.base.path().trim_matches('/');
        if !path.is_empty() {
            key.push('_');
            key.push_str(path);
        }
        key.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

fn is_loopback_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost") || d.eq_ignore_ascii_case("localhost.")
        }
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({})", self.as_str())
    }
}

impl std::str::FromStr for ServerUrl {
    type Err = ServerUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        ServerUrl::parse(input).unwrap().as_str().to_owned()
    }

    /// Found by the `addresses` fuzz target: the normal form of an
    /// address ending in `/api/v4/api`, or in `//api/v4`, was changed
    /// again when read back, so an account's server changed between two
    /// starts.
    #[test]
    fn the_normal_form_parses_to_itself() {
        for input in [
            "https://chat.schule.example/api/v4/api",
            "https://chat.schule.example/mm/api/api/v4/",
            "https://chat.schule.example/api//api",
            "https://chat.schule.example/mm//api/v4",
        ] {
            let once = ServerUrl::parse(input).unwrap();
            assert_eq!(ServerUrl::parse(once.as_str()).unwrap(), once, "{input}");
        }
        assert_eq!(
            ok("https://chat.schule.example/api/v4/api"),
            "https://chat.schule.example"
        );
        assert_eq!(
            ok("https://example.org/mm/api/v4"),
            "https://example.org/mm"
        );
    }

    #[test]
    fn bare_host_becomes_https() {
        assert_eq!(ok("chat.schule.example"), "https://chat.schule.example");
        assert_eq!(ok("  Chat.Schule.Example/ "), "https://chat.schule.example");
        assert_eq!(
            ok("chat.schule.example:8443"),
            "https://chat.schule.example:8443"
        );
    }

    #[test]
    fn trailing_slashes_and_sub_paths() {
        assert_eq!(
            ok("https://chat.schule.example///"),
            "https://chat.schule.example"
        );
        assert_eq!(
            ok("https://example.org/mattermost/"),
            "https://example.org/mattermost"
        );
        assert_eq!(
            ok("example.org/mattermost"),
            "https://example.org/mattermost"
        );
        assert_eq!(
            ok("https://example.org/mm/api/v4/"),
            "https://example.org/mm"
        );
        let url = ServerUrl::parse("https://example.org/mattermost").unwrap();
        assert_eq!(
            url.api_url("/system/ping").as_str(),
            "https://example.org/mattermost/api/v4/system/ping"
        );
        assert_eq!(
            url.join("/oauth/gitlab/mobile_login").as_str(),
            "https://example.org/mattermost/oauth/gitlab/mobile_login"
        );
        assert_eq!(
            url.websocket_url().as_str(),
            "wss://example.org/mattermost/api/v4/websocket"
        );
    }

    #[test]
    fn http_only_for_loopback() {
        assert_eq!(ok("http://127.0.0.1:8065"), "http://127.0.0.1:8065");
        assert_eq!(ok("http://127.1.2.3"), "http://127.1.2.3");
        assert_eq!(ok("http://[::1]:80/x"), "http://[::1]/x");
        assert_eq!(ok("http://localhost:9000"), "http://localhost:9000");
        assert!(ServerUrl::parse("http://localhost:9000")
            .unwrap()
            .is_loopback());
        assert_eq!(
            ServerUrl::parse("http://chat.schule.example"),
            Err(ServerUrlError::InsecureHttp)
        );
        assert_eq!(
            ServerUrl::parse("http://10.0.0.1"),
            Err(ServerUrlError::InsecureHttp)
        );
        assert_eq!(
            ServerUrl::parse("http://localhost.evil.example"),
            Err(ServerUrlError::InsecureHttp)
        );
        let ws = ServerUrl::parse("http://127.0.0.1:1")
            .unwrap()
            .websocket_url();
        assert_eq!(ws.as_str(), "ws://127.0.0.1:1/api/v4/websocket");
    }

    #[test]
    fn refuses_other_schemes_and_junk() {
        assert_eq!(ServerUrl::parse("   "), Err(ServerUrlError::Empty));
        assert!(matches!(
            ServerUrl::parse("ftp://x.example"),
            Err(ServerUrlError::UnsupportedScheme(s)) if s == "ftp"
        ));
        assert_eq!(
            ServerUrl::parse("https://user:pw@x.example"),
            Err(ServerUrlError::HasCredentials)
        );
        assert_eq!(
            ServerUrl::parse("https://x.example/?a=b"),
            Err(ServerUrlError::HasQueryOrFragment)
        );
        assert_eq!(ServerUrl::parse("https://"), Err(ServerUrlError::Malformed));
        assert_eq!(ServerUrl::parse("exa mple"), Err(ServerUrlError::Malformed));
    }

    #[test]
    fn file_key_is_safe_and_distinct() {
        let a = ServerUrl::parse("https://example.org/mattermost").unwrap();
        let b = ServerUrl::parse("https://example.org:8443").unwrap();
        assert_eq!(a.file_key(), "example.org_mattermost");
        assert_eq!(b.file_key(), "example.org_8443");
        assert!(a
            .file_key()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    }
}
