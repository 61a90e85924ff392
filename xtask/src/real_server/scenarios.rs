//! Hands the running server to the scenario suite.
//!
//! The suite runs as `cargo test -p pausenhof-scenarios --test real_server
//! -- --test-threads=1` with these variables set:
//!
//! - `PAUSENHOF_REAL_SERVER_URL`: `http://127.0.0.1:<port>`.
//! - `PAUSENHOF_REAL_SERVER_ADMIN`: `username:password` of the system admin.
//! - `PAUSENHOF_REAL_SERVER_SEED`: a JSON file: `accounts` (shaped and
//!   ordered like the test server's `Account` list: 4 students, the second
//!   with MFA (`mfa_secret`, base32 TOTP), the third without a full name;
//!   3 teachers, the second with MFA; the admin), `teams` (name → id),
//!   `channels` (`team/name` → id), `class_posts`, `thread_reply`,
//!   `direct_channel`.
//! - `PAUSENHOF_REAL_SERVER_SMTP_DIR`: every mail the server sent, one
//!   `mail-NNNN.json` each: `from`, `to` (list), `subject`, `data` (raw),
//!   `text` (quoted-printable decoded; the verification link has `token=`).
//! - `PAUSENHOF_REAL_SERVER_PUSH_DIR`: every `send_push` body the server
//!   sent to the push proxy, one `push-NNNN.json` each.
//! - `PAUSENHOF_REAL_SERVER_PUSH_GATEWAY`: the base URL of Pausenhof's push
//!   gateway; pushes for `-v2` device ids go through it (it accepts
//!   `http://127.0.0.1` UnifiedPush endpoints).
//!
//! Files appear atomically (written, then renamed); numbers give the
//! arrival order. The MFA code used to activate MFA during seeding cannot be
//! used again in the same 30-second window.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The scenario suite's test target for a real server.
const SCENARIO_TEST: &str = "tests/scenarios/tests/real_server.rs";

/// What the scenario suite reads to find the server.
pub struct ScenarioEnv {
    pub url: String,
    pub admin: String,
    pub smtp_dir: PathBuf,
    pub push_dir: PathBuf,
    pub push_gateway: String,
    pub seed_manifest: PathBuf,
}

impl ScenarioEnv {
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PAUSENHOF_REAL_SERVER_URL", self.url.clone()),
            ("PAUSENHOF_REAL_SERVER_ADMIN", self.admin.clone()),
            (
                "PAUSENHOF_REAL_SERVER_SMTP_DIR",
                self.smtp_dir.to_string_lossy().into_owned(),
            ),
            (
                "PAUSENHOF_REAL_SERVER_PUSH_DIR",
                self.push_dir.to_string_lossy().into_owned(),
            ),
            (
                "PAUSENHOF_REAL_SERVER_PUSH_GATEWAY",
                self.push_gateway.clone(),
            ),
            (
                "PAUSENHOF_REAL_SERVER_SEED",
                self.seed_manifest.to_string_lossy().into_owned(),
            ),
        ]
    }
}

const CARGO_TEST: [&str; 6] = [
    "test",
    "-p",
    "pausenhof-scenarios",
    "--test",
    "real_server",
    "--",
];

pub fn suite_exists(repo_root: &Path) -> bool {
    repo_root.join(SCENARIO_TEST).is_file()
}

fn cargo(repo_root: &Path) -> tokio::process::Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = tokio::process::Command::new(cargo);
    command.current_dir(repo_root).kill_on_drop(true);
    command
}

/// Compiles the suite before any server starts, so a compile error costs
/// no server time and the server does not idle through a long build.
pub async fn build_scenario_suite(repo_root: &Path) -> Result<()> {
    let status = cargo(repo_root)
        .args(&CARGO_TEST[..5])
        .arg("--no-run")
        .status()
        .await
        .context("could not build the scenario suite")?;
    if !status.success() {
        bail!("the scenario suite does not build ({status})");
    }
    Ok(())
}

/// Runs the scenario suite against the server; `Ok(false)` when the suite
/// has no real-server target yet.
pub async fn run_scenario_suite(repo_root: &Path, env: &ScenarioEnv) -> Result<bool> {
    if !suite_exists(repo_root) {
        eprintln!(
            "real-server: {SCENARIO_TEST} does not exist yet; only the harness's own checks ran"
        );
        return Ok(false);
    }
    let status = cargo(repo_root)
        .args(CARGO_TEST)
        .args(["--ignored", "--test-threads=1"])
        .envs(env.vars())
        .status()
        .await
        .context("could not run the scenario suite")?;
    if !status.success() {
        bail!("the scenario suite failed against the real server ({status})");
    }
    Ok(true)
}
