//! How a test server is set up.

use std::net::SocketAddr;
use std::time::Duration;

/// Which seeded school to start with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// No data at all: the first account to sign up becomes system admin.
    Empty,
    /// One class: ~4 teams, ~30 users, ~20 channels, a few hundred posts.
    Small,
    /// A large school: 10 teams, 1,000 channels, 2,000 users, 200,000 posts.
    Large,
    /// The school `cargo xtask real-server` seeds on a real Mattermost
    /// server (fixed names such as `anna.schulz` and `gsm/klasse-5a`), so
    /// recorded real-server answers can be replayed against this server.
    Miniature,
}

/// Mattermost's `EmailSettings.PushNotificationContents`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushContents {
    GenericNoChannel,
    Generic,
    Full,
    /// Needs an Enterprise license; without `ServerConfig::licensed` the
    /// server falls back to `Generic`, as the real one does.
    IdLoaded,
}

impl PushContents {
    pub fn as_str(self) -> &'static str {
        match self {
            PushContents::GenericNoChannel => "generic_no_channel",
            PushContents::Generic => "generic",
            PushContents::Full => "full",
            PushContents::IdLoaded => "id_loaded",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    pub dataset: Dataset,
    pub seed: u64,
    /// How long a repeated `pending_post_id` returns the first post.
    pub dedupe_window: Duration,
    /// Base URL of a push proxy; the server posts to `{url}/api/v1/send_push`.
    pub push_proxy_url: Option<String>,
    pub push_contents: PushContents,
    pub site_name: String,
    /// Reported as `Version` in the client config and `server_version` in `hello`.
    pub version: String,
    /// `EmailSettings.RequireEmailVerification`.
    pub require_email_verification: bool,
    /// `TeamSettings.EnableOpenServer`: whether anyone may sign up.
    pub open_server: bool,
    /// Whether GitLab and OpenID sign-in are enabled. Changes the client
    /// config flags and, as on the real server, masks failed password logins
    /// as `api.user.login.invalid_credentials_sso`.
    pub enable_sso: bool,
    /// Whether the server claims an Enterprise license.
    pub licensed: bool,
    /// `TeamSettings.EnableUserDeactivation`: users may deactivate their
    /// own account (on, as `cargo xtask real-server` configures Mattermost).
    pub enable_user_deactivation: bool,
    /// How long a disconnected websocket's dead queue is kept.
    pub dead_queue_ttl: Duration,
    /// Unauthenticated websockets are closed after this long.
    pub websocket_auth_timeout: Duration,
    /// Serve HTTPS with this configuration (e.g. a school CA's, see
    /// `school_ca`) instead of plain HTTP.
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dataset: Dataset::Small,
            seed: 1,
            dedupe_window: Duration::from_secs(30),
            push_proxy_url: None,
            push_contents: PushContents::Full,
            site_name: "Pausenhof Testschule".to_string(),
            version: "10.11.0".to_string(),
            require_email_verification: false,
            open_server: true,
            enable_sso: false,
            licensed: false,
            enable_user_deactivation: true,
            dead_queue_ttl: Duration::from_secs(300),
            websocket_auth_timeout: Duration::from_secs(5),
            tls: None,
        }
    }
}
