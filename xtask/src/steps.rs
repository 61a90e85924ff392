//! Running named, timed steps: each prints a header, its duration, and a
//! summary table at the end so a CI log shows at a glance where time went.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The workspace root: xtask lives one level below it.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// A `cargo` command run from the workspace root with the same toolchain that
/// runs xtask.
pub fn cargo(args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command.args(args).current_dir(workspace_root());
    command
}

/// Runs `command` to completion with inherited output; a non-zero exit is an
/// error that names the command.
pub fn run_command(mut command: Command) -> Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

/// Collects step timings and prints them as a table.
#[derive(Default)]
pub struct Steps {
    finished: Vec<(String, Duration, bool)>,
}

impl Steps {
    pub fn run(&mut self, name: &str, step: impl FnOnce() -> Result<()>) -> Result<()> {
        println!("\n==> {name}");
        let started = Instant::now();
        let outcome = step();
        let elapsed = started.elapsed();
        let ok = outcome.is_ok();
        println!(
            "<== {name}: {} in {}",
            if ok { "ok" } else { "FAILED" },
            format_duration(elapsed)
        );
        self.finished.push((name.to_string(), elapsed, ok));
        outcome.with_context(|| format!("step `{name}` failed"))
    }

    pub fn print_summary(&self) {
        println!("\nstep                          result  duration");
        for (name, elapsed, ok) in &self.finished {
            println!(
                "{name:<30}{:<8}{}",
                if *ok { "ok" } else { "FAILED" },
                format_duration(*elapsed)
            );
        }
    }
}

fn format_duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds >= 60.0 {
        format!("{}m{:04.1}s", (seconds / 60.0).floor(), seconds % 60.0)
    } else {
        format!("{seconds:.1}s")
    }
}

/// `cargo xtask test`: the whole check that CI runs.
pub fn test(args: &[String]) -> Result<()> {
    if let Some(unknown) = args.first() {
        bail!("`test` takes no arguments, got `{unknown}`");
    }
    let mut steps = Steps::default();
    let outcome = run_test_steps(&mut steps);
    steps.print_summary();
    outcome
}

fn run_test_steps(steps: &mut Steps) -> Result<()> {
    steps.run("fmt", || {
        run_command(cargo(&["fmt", "--all", "--", "--check"]))
    })?;
    steps.run("clippy", || {
        run_command(cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.run("dependency policy", crate::deny::check)?;
    steps.run("rust tests", || {
        run_command(cargo(&["test", "--workspace", "--no-fail-fast"]))
    })?;
    steps.run("fuzz smoke", crate::fuzz::smoke)?;
    steps.run("kill test", kill_test)?;
    steps.run("lite", light_build)?;
    steps.run("push gateway on PostgreSQL", crate::gateway_postgres::run)?;
    steps.run("kotlin tests", crate::bindings::kotlin_tests)?;
    steps.run("android tests", crate::android::android_tests)?;
    steps.run("android targets", crate::android_targets::check)?;
    steps.run("ios checks", crate::ios::checks)?;
    steps.run("f-droid metadata", crate::fdroid::check)?;
    if std::env::var_os("PAUSENHOF_SKIP_REAL_SERVER").is_some() {
        println!("\n==> real-server suite: skipped (PAUSENHOF_SKIP_REAL_SERVER is set)");
    } else {
        steps.run("real-server suite", || crate::real_server::run(&[]))?;
    }
    Ok(())
}

/// 200 SIGKILLs of a process using the core (`tests/kill/`; about a minute,
/// and fewer than 200 within 150 s fail the step); a fresh random seed each
/// run, printed so a failure can be rerun. The debug build reuses the
/// dependencies the test step compiled.
fn kill_test() -> Result<()> {
    run_command(cargo(&[
        "run",
        "--quiet",
        "--package",
        "pausenhof-killtest",
        "--",
        "--kills",
        "200",
        "--min-kills",
        "200",
        "--seconds",
        "150",
    ]))
}

/// The light build (core and FFI without default features, see
/// ARCHITECTURE.md): clippy of both crates, then core's unit tests, which
/// cover what the light build swaps in. Dependencies are those the steps
/// before built; only the two crates compile again.
fn light_build() -> Result<()> {
    run_command(cargo(&[
        "clippy",
        "--package",
        "pausenhof-core",
        "--package",
        "pausenhof-ffi",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run_command(cargo(&[
        "test",
        "--package",
        "pausenhof-core",
        "--no-default-features",
        "--lib",
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2m05.0s");
    }

    #[test]
    fn a_failing_step_fails_and_is_recorded() {
        let mut steps = Steps::default();
        let outcome = steps.run("broken", || bail!("boom"));
        assert!(outcome.is_err());
        assert_eq!(steps.finished.len(), 1);
        assert!(!steps.finished[0].2);
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }
}
