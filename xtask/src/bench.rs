//! `cargo xtask bench`: builds the bench in release mode and the FFI
//! library with the `mobile` profile (the light build, then the full one),
//! installs the official JavaScript
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

const USAGE: &str =
    "usage: cargo xtask bench [--runs N] [--only gateway|push|first-sync|catch-up|scale]";

pub fn bench(args: &[String]) -> Result<()> {
    let options = parse_options(args)?;
    let mut steps = Steps::default();
    let outcome = run_bench_steps(&mut steps, &options);
    steps.print_summary();
    outcome
}

#[derive(Debug, Default, PartialEq, Eq)]
struct BenchOptions {
    /// `--runs N`, passed on.
    runs: Option<String>,
    /// `--only gateway` (the push gateway's rows only, without the FFI
    /// build, the official client and the large school) or `--only push`
    /// (the notification service extension's push on the large school),
    /// `--only first-sync` (the first sync and the official client),
    /// `--only catch-up` (the catch-ups after one first sync) or
    /// `--only scale` (cold start, search and memory by cached posts).
    only: Option<&'static str>,
}

fn parse_options(args: &[String]) -> Result<BenchOptions> {
    let mut options = BenchOptions::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match (flag.as_str(), rest.next()) {
            ("--runs", Some(n)) if n.parse::<u32>().is_ok_and(|n| n > 0) => {
                options.runs = Some(n.clone());
            }
            ("--only", Some(what)) => {
                options.only = Some(match what.as_str() {
                    "gateway" => "gateway",
                    "push" => "push",
                    "first-sync" => "first-sync",
                    "catch-up" => "catch-up",
                    "scale" => "scale",
                    _ => bail!(USAGE),
                });
            }
            _ => bail!(USAGE),
        }
    }
    Ok(options)
}

fn run_bench_steps(steps: &mut Steps, options: &BenchOptions) -> Result<()> {
    let root = workspace_root();
    let target = target_dir()?;
    steps.run("build bench (release)", || {
        run_command(cargo(&["build", "--release", "--package", BENCH_CRATE]))
    })?;
    let official = root.join(OFFICIAL_CLIENT_DIR);
    if let Some(only) = options.only {
        // The official client runs beside the first sync.
        let with_official = only == "first-sync";
        if with_official {
            steps.run("npm ci (official client)", || npm_ci(&official))?;
        }
        return steps.run(&format!("measure ({only})"), || {
            let mut command = Command::new(bench_binary(&target));
            command
                .current_dir(&root)
                .arg("--out")
                .arg(root.join(RESULTS))
                .args(["--only", only]);
            if with_official {
                command.arg("--official-client").arg(&official);
            }
            if let Some(runs) = &options.runs {
                command.args(["--runs", runs]);
            }
            run_command(command)
        });
    }
    // Both builds write the same file: the light one is built first and
    // copied aside, so the full one stays where `cargo build` leaves it.
    let lite = target.join("mobile").join("lite").join(library_file_name());
    steps.run("build FFI light (mobile profile)", || {
        run_command(cargo(&mobile_build_args(&["--no-default-features"])))?;
        std::fs::create_dir_all(lite.parent().expect("inside target/mobile"))?;
        std::fs::copy(target.join("mobile").join(library_file_name()), &lite)
            .context("copying the light library aside")?;
        Ok(())
    })?;
    steps.run("build FFI (mobile profile)", || {
        run_command(cargo(&mobile_build_args(&[])))
    })?;
    steps.run("npm ci (official client)", || npm_ci(&official))?;
    steps.run("measure", || {
        let mut command = Command::new(bench_binary(&target));
        command
            .current_dir(&root)
            .arg("--out")
            .arg(root.join(RESULTS))
            .arg("--cdylib")
            .arg(target.join("mobile").join(library_file_name()))
            .arg("--cdylib-lite")
            .arg(&lite)
            .arg("--official-client")
            .arg(&official);
        if let Some(runs) = &options.runs {
            command.args(["--runs", runs]);
        }
        run_command(command)
    })
}

/// `cargo xtask real-server --bench`: the bench's real-server rows against
/// the server at `url`, merged into bench/results.json.
pub fn on_real_server(url: &str, admin: &str) -> Result<()> {
    let root = workspace_root();
    let target = target_dir()?;
    run_command(cargo(&["build", "--release", "--package", BENCH_CRATE]))?;
    let official = root.join(OFFICIAL_CLIENT_DIR);
    npm_ci(&official)?;
    let mut command = Command::new(bench_binary(&target));
    command
        .current_dir(&root)
        .arg("--out")
        .arg(root.join(RESULTS))
        .args(["--real-server", url, "--admin", admin])
        .arg("--official-client")
        .arg(&official);
    run_command(command)
}

/// `cargo build` of the FFI library with the `mobile` profile, as the
/// Gradle build makes it for a phone (there with cargo-ndk).
fn mobile_build_args<'a>(features: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "build",
        "--profile",
        "mobile",
        "--package",
        "pausenhof-ffi",
        "--lib",
    ];
    args.extend_from_slice(features);
    args
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

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn only_a_positive_run_count_is_accepted() {
        assert_eq!(parse_options(&[]).unwrap(), BenchOptions::default());
        let five = parse_options(&args(&["--runs", "5"])).unwrap();
        assert_eq!(five.runs.as_deref(), Some("5"));
        assert!(parse_options(&args(&["--runs", "0"])).is_err());
        assert!(parse_options(&args(&["--fast"])).is_err());
    }

    #[test]
    fn only_known_measurements_can_be_picked() {
        let gateway = parse_options(&args(&["--only", "gateway", "--runs", "2"])).unwrap();
        assert_eq!(gateway.only, Some("gateway"));
        assert_eq!(gateway.runs.as_deref(), Some("2"));
        let push = parse_options(&args(&["--only", "push"])).unwrap();
        assert_eq!(push.only, Some("push"));
        let catch_up = parse_options(&args(&["--only", "catch-up"])).unwrap();
        assert_eq!(catch_up.only, Some("catch-up"));
        let first = parse_options(&args(&["--only", "first-sync"])).unwrap();
        assert_eq!(first.only, Some("first-sync"));
        assert!(parse_options(&args(&["--only", "sync"])).is_err());
        assert!(parse_options(&args(&["--only"])).is_err());
    }

    #[test]
    fn both_libraries_are_built_with_the_mobile_profile() {
        let full = mobile_build_args(&[]);
        let lite = mobile_build_args(&["--no-default-features"]);
        for args in [&full, &lite] {
            assert!(args.windows(2).any(|w| w == ["--profile", "mobile"]));
            assert!(args.windows(2).any(|w| w == ["--package", "pausenhof-ffi"]));
        }
        assert!(!full.contains(&"--no-default-features"));
        assert_eq!(lite.last(), Some(&"--no-default-features"));
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
