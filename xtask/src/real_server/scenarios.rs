//! Hands the running server to the scenario suite.

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
                "PAUSENHOF_REAL_SERVER_SEED",
                self.seed_manifest.to_string_lossy().into_owned(),
            ),
        ]
    }
}

/// Runs the scenario suite against the server; `Ok(false)` when the suite
/// has no real-server target yet.
pub async fn run_scenario_suite(repo_root: &Path, env: &ScenarioEnv) -> Result<bool> {
    if !repo_root.join(SCENARIO_TEST).is_file() {
        eprintln!(
            "real-server: {SCENARIO_TEST} does not exist yet; only the harness's own checks ran"
        );
        return Ok(false);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = tokio::process::Command::new(cargo)
        .args([
            "test",
            "-p",
            "pausenhof-scenarios",
            "--test",
            "real_server",
            "--",
            "--test-threads=1",
        ])
        .current_dir(repo_root)
        .envs(env.vars())
        .kill_on_drop(true)
        .status()
        .await
        .context("could not run the scenario suite")?;
    if !status.success() {
        bail!("the scenario suite failed against the real server ({status})");
    }
    Ok(true)
}
