//! `cargo xtask bench`: builds the bench in release mode and the FFI
//! library with the `mobile` profile, installs the official JavaScript
//! client (`npm ci`), then runs every measurement. It fails only when a
//! benchmark is broken; a missed target shows in the table and
//! `bench/results.json`, not in the exit status.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::{library_file_name, target_dir};
use crate::steps::{cargo, run_command, workspace_root, Steps};

const BENCH_CRATE: &str = "pausenhof-bench";
const OFFICIAL_CLIENT_DIR: &str = "bench/official-client";
const RESULTS: &str = "bench/results.json";

pub fn bench(args: &[String]) -> Result<()> {
    let runs = parse_runs(args)?;
    let mut steps = Steps::default();
    let outcome = run_bench_steps(&mut steps, runs);
    steps.print_summary();
    outcome
}

/// `--runs N` is passed on; nothing else is accepted.
fn parse_runs(args: &[String]) -> Result<Option<String>> {
    match args {
        [] => Ok(None),
        [flag, n] if flag == "--runs" && n.parse::<u32>().is_ok_and(|n| n > 0) => {
            Ok(Some(n.clone()))
        }
        _ => bail!("usage: cargo xtask bench [--runs N]"),
    }
}

fn run_bench_steps(steps: &mut Steps, runs: Option<String>) -> Result<()> {
    let root = workspace_root();
    let target = target_dir()?;
    steps.run("build bench (release)", || {
        run_command(cargo(&["build", "--release", "--package", BENCH_CRATE]))
    })?;
    steps.run("build FFI (mobile profile)", || {
        run_command(cargo(&[
            "build",
            "--profile",
            "mobile",
            "--package",
            "pausenhof-ffi",
            "--lib",
        ]))
    })?;
    let official = root.join(OFFICIAL_CLIENT_DIR);
    steps.run("npm ci (official client)", || npm_ci(&official))?;
    steps.run("measure", || {
        let mut command = Command::new(bench_binary(&target));
        command
            .current_dir(&root)
            .arg("--out")
            .arg(root.join(RESULTS))
            .arg("--cdylib")
            .arg(target.join("mobile").join(library_file_name()))
            .arg("--official-client")
            .arg(&official);
        if let Some(runs) = &runs {
            command.args(["--runs", runs]);
        }
        run_command(command)
    })
}

fn bench_binary(target: &Path) -> PathBuf {
    target
        .join("release")
        .join(format!("{BENCH_CRATE}{}", std::env::consts::EXE_SUFFIX))
}

/// Installs exactly what package-lock.json says; needs only the npm
/// registry.
fn npm_ci(project: &Path) -> Result<()> {
    let mut npm = Command::new("npm");
    npm.current_dir(project)
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    run_command(npm).context("the official client needs Node.js 18+ and npm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_run_count_is_accepted() {
        assert_eq!(parse_runs(&[]).unwrap(), None);
        let args = ["--runs".to_owned(), "5".to_owned()];
        assert_eq!(parse_runs(&args).unwrap().as_deref(), Some("5"));
        assert!(parse_runs(&["--runs".to_owned(), "0".to_owned()]).is_err());
        assert!(parse_runs(&["--fast".to_owned()]).is_err());
    }

    #[test]
    fn the_official_client_is_locked() {
        let project = workspace_root().join(OFFICIAL_CLIENT_DIR);
        let lock = std::fs::read_to_string(project.join("package-lock.json")).unwrap();
        let lock: serde_json::Value = serde_json::from_str(&lock).unwrap();
        assert!(lock["packages"]["node_modules/@mattermost/client"]["integrity"].is_string());
        assert!(project.join("startup.mjs").is_file());
    }
}
