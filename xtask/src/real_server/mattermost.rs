//! Runs the built Mattermost server with the test configuration.
//!
//! Settings go in as `MM_<SECTION>_<NAME>` environment variables, which win
//! over the config file; the config file only has to exist (the server fills
//! in its defaults).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use super::api::Api;
use super::go_build::ServerBuild;
use super::postgres::free_loopback_port;
use super::process::ProcessGroup;

/// The first start creates the whole schema; on 2 busy cores that is slow.
const READY_TIMEOUT: Duration = Duration::from_secs(300);

pub struct ServerSetup<'a> {
    pub build: &'a ServerBuild,
    pub run_dir: &'a Path,
    pub log_dir: &'a Path,
    pub database_url: String,
    pub smtp_port: u16,
    pub push_url: String,
}

pub struct Server {
    process: ProcessGroup,
    pub url: String,
    pub local_socket: PathBuf,
    pub log_file: PathBuf,
}

impl Server {
    pub fn start(setup: &ServerSetup<'_>) -> Result<Self> {
        let port = free_loopback_port()?;
        let url = format!("http://127.0.0.1:{port}");
        let data_dir = setup.run_dir.join("mattermost");
        std::fs::create_dir_all(data_dir.join("files"))?;
        std::fs::create_dir_all(setup.log_dir)?;
        let config = data_dir.join("config.json");
        std::fs::write(&config, "{}\n")?;
        let local_socket = setup.run_dir.join("mattermost.sock");
        let log_file = setup.log_dir.join("mattermost.out");
        let output = std::fs::File::create(&log_file)?;

        let mut command = Command::new(setup.build.binary());
        command
            .arg("--config")
            .arg(&config)
            .current_dir(&setup.build.dir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output);
        let settings = test_settings(&TestSettingsInput {
            url: &url,
            port,
            database_url: &setup.database_url,
            smtp_port: setup.smtp_port,
            push_url: &setup.push_url,
            files: &data_dir.join("files"),
            plugins: &data_dir.join("plugins"),
            log_dir: setup.log_dir,
            local_socket: &local_socket,
        });
        for (name, value) in settings {
            command.env(name, value);
        }
        let process = ProcessGroup::spawn("mattermost", command)?;
        Ok(Self {
            process,
            url,
            local_socket,
            log_file,
        })
    }

    /// Waits until `GET /api/v4/system/ping` answers 200.
    pub async fn wait_ready(&mut self, api: &Api) -> Result<Duration> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.process.exited()? {
                bail!(
                    "the Mattermost server exited during start-up ({status}); see {}\n{}",
                    self.log_file.display(),
                    tail(&self.log_file, 30)
                );
            }
            if let Ok(reply) = api.call(reqwest::Method::GET, "/system/ping", None).await {
                if reply.status == 200 && self.local_socket.exists() {
                    return Ok(started.elapsed());
                }
            }
            if started.elapsed() > READY_TIMEOUT {
                bail!(
                    "the Mattermost server was not ready after {READY_TIMEOUT:?}; see {}\n{}",
                    self.log_file.display(),
                    tail(&self.log_file, 30)
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    pub fn stop(&mut self) {
        self.process.stop();
    }
}

pub fn tail(file: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

struct TestSettingsInput<'a> {
    url: &'a str,
    port: u16,
    database_url: &'a str,
    smtp_port: u16,
    push_url: &'a str,
    files: &'a Path,
    plugins: &'a Path,
    log_dir: &'a Path,
    local_socket: &'a Path,
}

/// The test configuration: an open server with email sign-up and
/// verification, mail to the SMTP sink, pushes to the push sink, personal
/// access tokens and MFA on; nothing that calls out of the machine.
fn test_settings(input: &TestSettingsInput<'_>) -> Vec<(&'static str, String)> {
    let path = |path: &Path| path.to_string_lossy().into_owned();
    let on = || "true".to_owned();
    let off = || "false".to_owned();
    vec![
        ("MM_SQLSETTINGS_DRIVERNAME", "postgres".to_owned()),
        ("MM_SQLSETTINGS_DATASOURCE", input.database_url.to_owned()),
        ("MM_SERVICESETTINGS_SITEURL", input.url.to_owned()),
        (
            "MM_SERVICESETTINGS_LISTENADDRESS",
            format!("127.0.0.1:{}", input.port),
        ),
        ("MM_SERVICESETTINGS_ENABLELOCALMODE", on()),
        (
            "MM_SERVICESETTINGS_LOCALMODESOCKETLOCATION",
            path(input.local_socket),
        ),
        ("MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS", on()),
        ("MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION", on()),
        ("MM_SERVICESETTINGS_ENABLELINKPREVIEWS", off()),
        ("MM_SERVICESETTINGS_ENABLESECURITYFIXALERT", off()),
        ("MM_SERVICESETTINGS_WEBSERVERMODE", "disabled".to_owned()),
        (
            "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS",
            "127.0.0.1".to_owned(),
        ),
        ("MM_TEAMSETTINGS_ENABLEOPENSERVER", on()),
        ("MM_TEAMSETTINGS_ENABLEUSERCREATION", on()),
        // Users may deactivate their own account (GDPR Art. 17).
        ("MM_TEAMSETTINGS_ENABLEUSERDEACTIVATION", on()),
        ("MM_TEAMSETTINGS_SITENAME", "Pausenhof Test".to_owned()),
        ("MM_EMAILSETTINGS_ENABLESIGNUPWITHEMAIL", on()),
        ("MM_EMAILSETTINGS_ENABLESIGNINWITHEMAIL", on()),
        ("MM_EMAILSETTINGS_ENABLESIGNINWITHUSERNAME", on()),
        ("MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION", on()),
        ("MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS", on()),
        ("MM_EMAILSETTINGS_ENABLEEMAILBATCHING", off()),
        (
            "MM_EMAILSETTINGS_FEEDBACKEMAIL",
            "noreply@pausenhof.test".to_owned(),
        ),
        ("MM_EMAILSETTINGS_FEEDBACKNAME", "Pausenhof Test".to_owned()),
        ("MM_EMAILSETTINGS_SMTPSERVER", "127.0.0.1".to_owned()),
        ("MM_EMAILSETTINGS_SMTPPORT", input.smtp_port.to_string()),
        ("MM_EMAILSETTINGS_CONNECTIONSECURITY", String::new()),
        ("MM_EMAILSETTINGS_ENABLESMTPAUTH", off()),
        ("MM_EMAILSETTINGS_SKIPSERVERCERTIFICATEVERIFICATION", on()),
        ("MM_EMAILSETTINGS_SENDPUSHNOTIFICATIONS", on()),
        (
            "MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER",
            input.push_url.to_owned(),
        ),
        (
            "MM_EMAILSETTINGS_PUSHNOTIFICATIONCONTENTS",
            "full".to_owned(),
        ),
        ("MM_RATELIMITSETTINGS_ENABLE", off()),
        ("MM_PLUGINSETTINGS_ENABLE", off()),
        ("MM_PLUGINSETTINGS_ENABLEMARKETPLACE", off()),
        ("MM_PLUGINSETTINGS_ENABLEREMOTEMARKETPLACE", off()),
        ("MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS", off()),
        (
            "MM_PLUGINSETTINGS_DIRECTORY",
            path(&input.plugins.join("server")),
        ),
        (
            "MM_PLUGINSETTINGS_CLIENTDIRECTORY",
            path(&input.plugins.join("client")),
        ),
        (
            "MM_FILESETTINGS_DIRECTORY",
            format!("{}/", path(input.files)),
        ),
        ("MM_LOGSETTINGS_ENABLEDIAGNOSTICS", off()),
        ("MM_LOGSETTINGS_ENABLECONSOLE", on()),
        ("MM_LOGSETTINGS_CONSOLELEVEL", "INFO".to_owned()),
        ("MM_LOGSETTINGS_CONSOLEJSON", off()),
        ("MM_LOGSETTINGS_ENABLEFILE", on()),
        ("MM_LOGSETTINGS_FILELOCATION", path(input.log_dir)),
        ("MM_LOGSETTINGS_FILELEVEL", "DEBUG".to_owned()),
        ("MM_NOTIFICATIONLOGSETTINGS_ENABLEFILE", on()),
        (
            "MM_NOTIFICATIONLOGSETTINGS_FILELOCATION",
            path(input.log_dir),
        ),
        ("MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED", off()),
        ("MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED", off()),
        ("MM_METRICSSETTINGS_ENABLE", off()),
        ("MM_CLUSTERSETTINGS_ENABLE", off()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_configuration_stays_on_loopback_and_sinks() {
        let settings = test_settings(&TestSettingsInput {
            url: "http://127.0.0.1:8065",
            port: 8065,
            database_url: "postgres://postgres@127.0.0.1:5/mm",
            smtp_port: 2525,
            push_url: "http://127.0.0.1:9",
            files: Path::new("/run/files"),
            plugins: Path::new("/run/plugins"),
            log_dir: Path::new("/run/logs"),
            local_socket: Path::new("/run/mm.sock"),
        });
        let get = |name: &str| {
            settings
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.as_str())
                .unwrap_or_else(|| panic!("{name} is not set"))
        };
        assert_eq!(get("MM_SERVICESETTINGS_LISTENADDRESS"), "127.0.0.1:8065");
        assert_eq!(get("MM_EMAILSETTINGS_SMTPSERVER"), "127.0.0.1");
        assert_eq!(get("MM_EMAILSETTINGS_SMTPPORT"), "2525");
        assert_eq!(
            get("MM_EMAILSETTINGS_PUSHNOTIFICATIONSERVER"),
            "http://127.0.0.1:9"
        );
        assert_eq!(get("MM_LOGSETTINGS_ENABLEDIAGNOSTICS"), "false");
        assert_eq!(get("MM_RATELIMITSETTINGS_ENABLE"), "false");
        assert_eq!(get("MM_TEAMSETTINGS_ENABLEOPENSERVER"), "true");
        assert_eq!(get("MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION"), "true");
        let names: std::collections::HashSet<_> = settings.iter().map(|(key, _)| key).collect();
        assert_eq!(names.len(), settings.len(), "a setting is given twice");
    }
}
