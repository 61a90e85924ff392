//! The gateway's TOML config file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use serde::Deserialize;

/// Everything the school's admin sets; see the README's "Push notifications".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where Mattermost and the apps reach the gateway.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Where registrations live: a SQLite file (created with mode 0600)
    /// for one instance, or a `postgres://` URL shared by several.
    pub database: Database,
    /// PEM (PKCS#8) P-256 key that signs VAPID headers; generated when missing.
    pub vapid_private_key: PathBuf,
    /// VAPID `sub`: how a push service can reach the operator
    /// (`mailto:` or `https:`), RFC 8292 section 2.1.
    pub vapid_subject: String,
    #[serde(default)]
    pub delivery: DeliverySettings,
    #[serde(default)]
    pub limits: LimitSettings,
    /// Delivery to the iOS app through APNs; without it the gateway
    /// refuses APNs registrations.
    #[serde(default)]
    pub apns: Option<ApnsSettings>,
    /// Accept `http://` push endpoints on loopback addresses. Only for tests
    /// and local distributors: a gateway that posts to arbitrary plain-http
    /// URLs could be aimed at services on its own host.
    #[serde(default)]
    pub allow_loopback_http_endpoints: bool,
    /// `text` (default) or `json` log lines.
    #[serde(default)]
    pub log_format: LogFormat,
}

/// The `database` setting.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum Database {
    Sqlite(PathBuf),
    /// A libpq URL (`postgres://user:password@host/db`).
    Postgres(String),
}

impl From<String> for Database {
    fn from(value: String) -> Database {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Database::Postgres(value)
        } else {
            Database::Sqlite(PathBuf::from(value))
        }
    }
}

/// Never shows a PostgreSQL URL, which may hold a password.
impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Database::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// How pushes go out to push services.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// RFC 8030 `TTL` for message pushes: how long a push service keeps a
    /// push for an offline device. Later pushes and the app's catch-up make
    /// old ones worthless, so a day is plenty.
    pub message_ttl_seconds: u32,
    /// `TTL` for clear and badge pushes, which are stale quickly.
    pub housekeeping_ttl_seconds: u32,
    /// Per request to a push service.
    pub request_timeout_seconds: u64,
    /// Attempts per push when the push service answers 429 or 5xx.
    pub max_attempts: u32,
    /// The longest a single `send_push` waits for a push service's
    /// `Retry-After`; Mattermost waits for our answer, so a longer pause is
    /// remembered for the registration and answered FAIL instead.
    pub max_retry_wait_seconds: u64,
    /// Every `send_push` is answered within this, FAIL if the push did not
    /// go out by then: Mattermost waits for the answer.
    pub answer_within_seconds: u64,
    /// Deliveries at once, to all push services together.
    pub max_in_flight: usize,
    /// Deliveries at once to one push service (one host).
    pub max_in_flight_per_push_service: usize,
    /// Pushes waiting or in delivery; beyond, FAIL "gateway busy" at once.
    pub max_queued: usize,
    /// The same for one push service; beyond, FAIL "push service busy".
    pub max_queued_per_push_service: usize,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            message_ttl_seconds: 24 * 60 * 60,
            housekeeping_ttl_seconds: 60 * 60,
            request_timeout_seconds: 10,
            max_attempts: 3,
            max_retry_wait_seconds: 5,
            answer_within_seconds: 8,
            max_in_flight: 256,
            max_in_flight_per_push_service: 64,
            max_queued: 4096,
            max_queued_per_push_service: 1024,
        }
    }
}

impl DeliverySettings {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds.max(1))
    }

    pub fn max_retry_wait(&self) -> Duration {
        Duration::from_secs(self.max_retry_wait_seconds)
    }

    pub fn answer_within(&self) -> Duration {
        Duration::from_secs(self.answer_within_seconds)
    }
}

/// The `[apns]` table: the app publisher's APNs key and where to send.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApnsSettings {
    /// The publisher's APNs auth key as Apple hands it out
    /// (`AuthKey_<key id>.p8`, a PKCS#8 PEM P-256 key).
    pub key: PathBuf,
    /// The key's ten-character id (the `kid` of every provider token).
    pub key_id: String,
    /// The publisher's ten-character Apple team id (the token's `iss`).
    pub team_id: String,
    /// The iOS app's bundle id (`apns-topic`).
    pub topic: String,
    #[serde(default)]
    pub environment: ApnsEnvironment,
    /// Instead of the environment's address: tests (plain HTTP/2 on
    /// loopback only) or a relay in front of Apple.
    #[serde(default, deserialize_with = "optional_url")]
    pub base_url: Option<url::Url>,
}

fn optional_url<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<url::Url>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    url::Url::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// Which APNs: App Store and TestFlight builds get production device
/// tokens, builds run from Xcode get sandbox ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApnsEnvironment {
    #[default]
    Production,
    Sandbox,
}

impl ApnsEnvironment {
    pub fn as_str(self) -> &'static str {
        match self {
            ApnsEnvironment::Production => "production",
            ApnsEnvironment::Sandbox => "sandbox",
        }
    }

    pub fn base_url(self) -> &'static str {
        match self {
            ApnsEnvironment::Production => "https://api.push.apple.com",
            ApnsEnvironment::Sandbox => "https://api.sandbox.push.apple.com",
        }
    }
}

impl ApnsSettings {
    /// Where requests go: `base_url`, else the environment's address.
    pub fn base(&self) -> url::Url {
        self.base_url.clone().unwrap_or_else(|| {
            url::Url::parse(self.environment.base_url()).expect("constant URL parses")
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let apple_id = |value: &str| {
            value.len() == 10
                && value
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        if !apple_id(&self.key_id) {
            return Err(ConfigError::Invalid(
                "apns.key_id must be the key's 10-character id (as in AuthKey_<key id>.p8)",
            ));
        }
        if !apple_id(&self.team_id) {
            return Err(ConfigError::Invalid(
                "apns.team_id must be the publisher's 10-character Apple team id",
            ));
        }
        let bundle_id = !self.topic.is_empty()
            && self.topic.len() <= 155
            && self
                .topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if !bundle_id {
            return Err(ConfigError::Invalid(
                "apns.topic must be the app's bundle id (letters, digits, '.', '-')",
            ));
        }
        if let Some(url) = &self.base_url {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            let scheme_ok = match url.scheme() {
                "https" => url.host().is_some(),
                "http" => loopback,
                _ => false,
            };
            if !scheme_ok || url.path() != "/" || url.query().is_some() {
                return Err(ConfigError::Invalid(
                    "apns.base_url must be an https origin (plain http only on loopback)",
                ));
            }
        }
        Ok(())
    }
}

/// What one stranger may do with the registration API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Live registrations for one push endpoint: one app install needs
    /// one, a few more cover reinstalls that lost their deletion secret.
    pub registrations_per_endpoint: u32,
    /// New registrations one source address may make at once...
    pub registration_burst: u32,
    /// ...and then per hour.
    pub registrations_per_hour: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the source address
    /// (CIDR); everyone else is counted by their own address.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            registrations_per_endpoint: 5,
            registration_burst: 10,
            registrations_per_hour: 60,
            trusted_proxies: vec![
                IpNet::from(std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST)),
                IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
            ],
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8066))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config: `{key}` (line {line}): {message}")]
    Key {
        key: String,
        line: usize,
        message: String,
    },
    #[error("invalid config: {0}")]
    Parse(String),
    #[error("invalid config: {0}")]
    Invalid(&'static str),
}

impl Config {
    /// A gateway on a free loopback port that keeps its database and VAPID
    /// key in `dir` and accepts plain-http loopback endpoints: for tests,
    /// the real-server harness and local demos, never for production.
    pub fn loopback(dir: &Path) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: Database::Sqlite(dir.join("registrations.sqlite")),
            vapid_private_key: dir.join("vapid.pem"),
            vapid_subject: "mailto:admin@pausenhof.test".into(),
            delivery: DeliverySettings::default(),
            // One loopback address stands for every test device here.
            limits: LimitSettings {
                registrations_per_endpoint: 100,
                registration_burst: 10_000,
                ..LimitSettings::default()
            },
            apns: None,
            allow_loopback_http_endpoints: true,
            log_format: LogFormat::Text,
        }
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text)
    }

    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Database::Postgres(url) = &self.database {
            if url.parse::<tokio_postgres::Config>().is_err() {
                return Err(ConfigError::Invalid(
                    "database: not a valid postgres:// URL",
                ));
            }
        }
        let subject = self.vapid_subject.trim();
        let has_contact = subject
            .strip_prefix("mailto:")
            .or_else(|| subject.strip_prefix("https://"))
            .is_some_and(|rest| !rest.is_empty());
        if !has_contact {
            return Err(ConfigError::Invalid(
                "vapid_subject must be a mailto: or https: contact (RFC 8292)",
            ));
        }
        if self.delivery.max_attempts == 0 {
            return Err(ConfigError::Invalid(
                "delivery.max_attempts must be at least 1",
            ));
        }
        let delivery = &self.delivery;
        for (value, message) in [
            (
                delivery.answer_within_seconds as usize,
                "delivery.answer_within_seconds must be at least 1",
            ),
            (
                delivery.max_in_flight,
                "delivery.max_in_flight must be at least 1",
            ),
            (
                delivery.max_in_flight_per_push_service,
                "delivery.max_in_flight_per_push_service must be at least 1",
            ),
            (
                delivery.max_queued,
                "delivery.max_queued must be at least 1",
            ),
            (
                delivery.max_queued_per_push_service,
                "delivery.max_queued_per_push_service must be at least 1",
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid(message));
            }
        }
        if self.limits.registrations_per_endpoint == 0 {
            return Err(ConfigError::Invalid(
                "limits.registrations_per_endpoint must be at least 1",
            ));
        }
        if self.limits.registration_burst == 0 {
            return Err(ConfigError::Invalid(
                "limits.registration_burst must be at least 1",
            ));
        }
        if let Some(apns) = &self.apns {
            apns.validate()?;
        }
        Ok(())
    }
}

/// Names the key a TOML error is about, with its table (`limits.trusted_proxies`),
/// so an admin reading the journal knows what to fix. Errors without a
/// place (a missing key) already name the key in their message.
fn parse_error(text: &str, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim().to_owned();
    let Some(span) = error.span() else {
        return ConfigError::Parse(message);
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let mut table = String::new();
    let mut key = None;
    for (number, content) in text.lines().enumerate() {
        if number + 1 > line {
            break;
        }
        let content = content.trim();
        if let Some(header) = content.strip_prefix('[') {
            table = header.trim_end_matches(']').trim().to_owned();
            key = None;
        } else if let Some((name, _)) = content.split_once('=') {
            key = Some(name.trim().to_owned());
        }
    }
    match key {
        Some(key) if !key.is_empty() => {
            let key = if table.is_empty() {
                key
            } else {
                format!("{table}.{key}")
            };
            ConfigError::Key { key, line, message }
        }
        _ => ConfigError::Parse(format!("line {line}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        database = "/var/lib/push-gateway/registrations.sqlite"
        vapid_private_key = "/var/lib/push-gateway/vapid.pem"
        vapid_subject = "mailto:admin@schule.example"
    "#;

    #[test]
    fn minimal_config_gets_defaults() {
        let config = Config::from_toml(MINIMAL).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8066".parse().unwrap());
        assert_eq!(config.delivery.max_attempts, 3);
        assert_eq!(config.delivery.message_ttl_seconds, 86400);
        assert!(!config.allow_loopback_http_endpoints);
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.limits.registrations_per_endpoint, 5);
        assert_eq!(config.limits.trusted_proxies.len(), 2);
    }

    #[test]
    fn limits_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}\n[limits]\nregistrations_per_hour = 5\n\
             trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\"]\n"
        );
        let config = Config::from_toml(&text).unwrap();
        assert_eq!(config.limits.registrations_per_hour, 5);
        assert_eq!(config.limits.registration_burst, 10);
        assert!(config.limits.trusted_proxies[0]
            .contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        let bad_cidr = format!("{MINIMAL}\n[limits]\ntrusted_proxies = [\"10.0.0.0/99\"]\n");
        assert!(Config::from_toml(&bad_cidr)
            .unwrap_err()
            .to_string()
            .contains("trusted_proxies"));
        let zero = format!("{MINIMAL}\n[limits]\nregistrations_per_endpoint = 0\n");
        assert!(Config::from_toml(&zero)
            .unwrap_err()
            .to_string()
            .contains("limits.registrations_per_endpoint"));
    }

    #[test]
    fn full_config_is_read() {
        let text = format!(
            "{MINIMAL}\nlisten = \"0.0.0.0:9000\"\nlog_format = \"json\"\n\
             allow_loopback_http_endpoints = true\n\
             [delivery]\nmax_attempts = 5\nmax_retry_wait_seconds = 2\n"
        );
        let config = Config::from_toml(&text).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.log_format, LogFormat::Json);
        assert!(config.allow_loopback_http_endpoints);
        assert_eq!(config.delivery.max_attempts, 5);
        assert_eq!(config.delivery.max_retry_wait(), Duration::from_secs(2));
        assert_eq!(config.delivery.request_timeout_seconds, 10);
    }

    #[test]
    fn rejects_typos_bad_subjects_and_garbage() {
        let typo = format!("{MINIMAL}\nlistn = \"0.0.0.0:1\"\n");
        let typo_error = Config::from_toml(&typo).unwrap_err().to_string();
        assert!(typo_error.contains("listn"), "{typo_error}");
        let bad_subject = MINIMAL.replace("mailto:admin@schule.example", "admin@schule.example");
        assert!(matches!(
            Config::from_toml(&bad_subject),
            Err(ConfigError::Invalid(_))
        ));
        let zero_lane = format!("{MINIMAL}\n[delivery]\nmax_in_flight_per_push_service = 0\n");
        assert!(Config::from_toml(&zero_lane)
            .unwrap_err()
            .to_string()
            .contains("delivery.max_in_flight_per_push_service"));
        let zero_attempts = format!("{MINIMAL}\n[delivery]\nmax_attempts = 0\n");
        assert!(matches!(
            Config::from_toml(&zero_attempts),
            Err(ConfigError::Invalid(_))
        ));
        assert!(Config::from_toml("\u{0}\u{1}[[[").is_err());
        assert!(Config::from_toml("").is_err());
    }

    #[test]
    fn the_database_is_a_file_or_a_postgres_url() {
        let file = Config::from_toml(MINIMAL).unwrap();
        assert_eq!(
            file.database,
            Database::Sqlite(PathBuf::from("/var/lib/push-gateway/registrations.sqlite"))
        );
        let shared = MINIMAL.replace(
            "/var/lib/push-gateway/registrations.sqlite",
            "postgres://gateway:hunter2@db.schule.example/push",
        );
        let config = Config::from_toml(&shared).unwrap();
        assert!(matches!(config.database, Database::Postgres(_)));
        assert!(!format!("{config:?}").contains("hunter2"));
        let broken = MINIMAL.replace(
            "/var/lib/push-gateway/registrations.sqlite",
            "postgres://gateway@db:notaport/push",
        );
        let error = Config::from_toml(&broken).unwrap_err().to_string();
        assert!(error.contains("database"), "{error}");
    }

    #[test]
    fn errors_name_the_offending_key() {
        let wrong_type = "database = 5\n";
        assert_eq!(
            Config::from_toml(wrong_type).unwrap_err().to_string(),
            "invalid config: `database` (line 1): invalid type: integer `5`, expected a string"
        );
        let nested = format!("{MINIMAL}\n[delivery]\nmax_attempts = \"three\"\n");
        let error = Config::from_toml(&nested).unwrap_err().to_string();
        assert!(error.contains("`delivery.max_attempts`"), "{error}");
        let missing = "database = \"/x\"\n";
        let error = Config::from_toml(missing).unwrap_err().to_string();
        assert!(error.contains("vapid_private_key"), "{error}");
    }

    #[test]
    fn loopback_config_is_valid_and_local() {
        let config = Config::loopback(Path::new("/tmp/gw"));
        config.validate().unwrap();
        assert!(config.listen.ip().is_loopback());
        assert_eq!(config.listen.port(), 0);
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("/tmp/gw/registrations.sqlite"))
        );
        assert!(config.allow_loopback_http_endpoints);
    }

    #[test]
    fn apns_table_is_read_and_checked() {
        let apns = "\n[apns]\nkey = \"/etc/pausenhof/AuthKey_ABC123DEFG.p8\"\n\
                    key_id = \"ABC123DEFG\"\nteam_id = \"TEAM123456\"\n\
                    topic = \"de.pausenhof.app\"\n";
        let config = Config::from_toml(&format!("{MINIMAL}{apns}")).unwrap();
        let settings = config.apns.unwrap();
        assert_eq!(settings.environment, ApnsEnvironment::Production);
        assert_eq!(settings.base().as_str(), "https://api.push.apple.com/");
        let sandbox = format!("{MINIMAL}{apns}environment = \"sandbox\"\n");
        let settings = Config::from_toml(&sandbox).unwrap().apns.unwrap();
        assert_eq!(
            settings.base().as_str(),
            "https://api.sandbox.push.apple.com/"
        );
        assert!(Config::from_toml(MINIMAL).unwrap().apns.is_none());

        let local = format!("{MINIMAL}{apns}base_url = \"http://127.0.0.1:4443\"\n");
        assert!(Config::from_toml(&local).is_ok());
        for (bad, key) in [
            (
                apns.replace("ABC123DEFG\"\nteam", "abc\"\nteam"),
                "apns.key_id",
            ),
            (apns.replace("TEAM123456", "team"), "apns.team_id"),
            (
                apns.replace("de.pausenhof.app", "de pausenhof"),
                "apns.topic",
            ),
            (
                format!("{apns}base_url = \"http://push.example\"\n"),
                "apns.base_url",
            ),
            (format!("{apns}environment = \"staging\"\n"), "environment"),
            (format!("{apns}kye = 1\n"), "kye"),
        ] {
            let error = Config::from_toml(&format!("{MINIMAL}{bad}"))
                .unwrap_err()
                .to_string();
            assert!(error.contains(key), "{key}: {error}");
        }
    }

    #[test]
    fn missing_file_is_a_typed_error() {
        let err = Config::from_file(Path::new("/nonexistent/push-gateway.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
    }
}
