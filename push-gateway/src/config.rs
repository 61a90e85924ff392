//! The gateway's TOML config file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Everything the school's admin sets; see the README's "Push notifications".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where Mattermost and the apps reach the gateway.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// SQLite file with the registrations (created with mode 0600).
    pub database: PathBuf,
    /// PEM (PKCS#8) P-256 key that signs VAPID headers; generated when missing.
    pub vapid_private_key: PathBuf,
    /// VAPID `sub`: how a push service can reach the operator
    /// (`mailto:` or `https:`), RFC 8292 section 2.1.
    pub vapid_subject: String,
    #[serde(default)]
    pub delivery: DeliverySettings,
    /// Accept `http://` push endpoints on loopback addresses. Only for tests
    /// and local distributors: a gateway that posts to arbitrary plain-http
    /// URLs could be aimed at services on its own host.
    #[serde(default)]
    pub allow_loopback_http_endpoints: bool,
    /// `text` (default) or `json` log lines.
    #[serde(default)]
    pub log_format: LogFormat,
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
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            message_ttl_seconds: 24 * 60 * 60,
            housekeeping_ttl_seconds: 60 * 60,
            request_timeout_seconds: 10,
            max_attempts: 3,
            max_retry_wait_seconds: 5,
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
            database: dir.join("registrations.sqlite"),
            vapid_private_key: dir.join("vapid.pem"),
            vapid_subject: "mailto:admin@pausenhof.test".into(),
            delivery: DeliverySettings::default(),
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
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
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
        Ok(())
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
        assert!(matches!(
            Config::from_toml(&typo),
            Err(ConfigError::Parse(_))
        ));
        let bad_subject = MINIMAL.replace("mailto:admin@schule.example", "admin@schule.example");
        assert!(matches!(
            Config::from_toml(&bad_subject),
            Err(ConfigError::Invalid(_))
        ));
        let zero_attempts = format!("{MINIMAL}\n[delivery]\nmax_attempts = 0\n");
        assert!(matches!(
            Config::from_toml(&zero_attempts),
            Err(ConfigError::Invalid(_))
        ));
        assert!(Config::from_toml("\u{0}\u{1}[[[").is_err());
        assert!(Config::from_toml("").is_err());
    }

    #[test]
    fn loopback_config_is_valid_and_local() {
        let config = Config::loopback(Path::new("/tmp/gw"));
        config.validate().unwrap();
        assert!(config.listen.ip().is_loopback());
        assert_eq!(config.listen.port(), 0);
        assert!(config.database.starts_with("/tmp/gw"));
        assert!(config.allow_loopback_http_endpoints);
    }

    #[test]
    fn missing_file_is_a_typed_error() {
        let err = Config::from_file(Path::new("/nonexistent/push-gateway.toml")).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }));
    }
}
