//! The step "android targets": `cargo check` of the core and the FFI crate
//! for 64- and 32-bit ARM Android.
//!
//! There is no NDK here, and ring and SQLite have C parts that their build
//! scripts compile even for a check. `zig cc` (PyPI's ziglang) for the musl
//! triple of the same CPU stands in for the NDK's clang: it proves that the
//! Rust and C code compiles for the target, not that the library links or
//! runs on Android (the Gradle build with the NDK does that).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::bindings::target_dir;
use crate::steps::{cargo, run_command};

/// Rust's Android triple and the zig triple standing in for it.
const TARGETS: [(&str, &str); 2] = [
    ("aarch64-linux-android", "aarch64-linux-musl"),
    ("armv7-linux-androideabi", "arm-linux-musleabihf"),
];

/// Pinned like every tool of the check build: a new zig may warn anew.
const ZIGLANG: &str = "ziglang==0.17.0";

pub fn check() -> Result<()> {
    let rust_targets: Vec<&str> = TARGETS.iter().map(|(rust, _)| *rust).collect();
    // The toolchain running this xtask (rustup's proxy tells its children).
    run_command({
        let mut command = Command::new("rustup");
        command.args(["target", "add"]).args(&rust_targets);
        command
    })
    .context("installing the Android targets needs rustup")?;
    let python = ziglang()?;
    let wrappers = target_dir()?.join("android-cc");
    std::fs::create_dir_all(&wrappers)?;

    for (rust_triple, zig_triple) in TARGETS {
        let cc = wrappers.join(format!("{rust_triple}-cc"));
        write_executable(
            &cc,
            &wrapper_script(&python, &["cc", "-target", zig_triple]),
        )?;
        let ar = wrappers.join("ar");
        write_executable(&ar, &wrapper_script(&python, &["ar"]))?;
        let env_triple = rust_triple.replace('-', "_");
        let mut check = cargo(&[
            "check",
            "--locked",
            "--package",
            "pausenhof-ffi",
            "--target",
            rust_triple,
        ]);
        check
            .env(format!("CC_{env_triple}"), &cc)
            .env(format!("AR_{env_triple}"), &ar);
        run_command(check).with_context(|| format!("cargo check for {rust_triple}"))?;
        println!("{rust_triple}: core and bindings compile (C parts with zig cc for {zig_triple})");
    }
    Ok(())
}

/// A POSIX shell script that runs `python -m ziglang <args> "$@"`, with the
/// `--target=` that cc-rs gives a clang dropped (zig has no Android libc
/// headers; the leading arguments name the musl triple instead).
fn wrapper_script(python: &Path, args: &[&str]) -> String {
    format!(
        "#!/bin/sh\n\
         # Written by xtask/src/android_targets.rs.\n\
         for arg do\n  shift\n  case \"$arg\" in --target=*) ;; *) set -- \"$@\" \"$arg\" ;; esac\ndone\n\
         exec \"{}\" -m ziglang {} \"$@\"\n",
        python.display(),
        args.join(" ")
    )
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// The python of a virtualenv beside the build outputs that has ziglang.
fn ziglang() -> Result<PathBuf> {
    let venv = target_dir()?.join("ziglang-venv");
    let python = venv.join("bin/python3");
    let has_zig = |python: &Path| {
        Command::new(python)
            .args(["-m", "ziglang", "version"])
            .output()
            .is_ok_and(|output| output.status.success())
    };
    if has_zig(&python) {
        return Ok(python);
    }
    run_command({
        let mut command = Command::new("python3");
        command.arg("-m").arg("venv").arg(&venv);
        command
    })
    .context("making a virtualenv for ziglang (python3 with venv)")?;
    run_command({
        let mut command = Command::new(venv.join("bin/pip"));
        command.args(["install", "--quiet", ZIGLANG]);
        command
    })
    .with_context(|| format!("installing {ZIGLANG}"))?;
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the wrapper with `echo` in place of python, so the arguments it
    /// would hand to zig are printed.
    fn run_wrapper(args: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("cc");
        let text = wrapper_script(
            Path::new("/bin/echo"),
            &["cc", "-target", "aarch64-linux-musl"],
        );
        write_executable(&script, &text).unwrap();
        let output = Command::new(&script).args(args).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn the_wrapper_swaps_the_android_target_for_the_musl_one() {
        assert_eq!(
            run_wrapper(&["--target=aarch64-linux-android21", "-O2", "-c", "a file.c"]),
            "-m ziglang cc -target aarch64-linux-musl -O2 -c a file.c\n"
        );
    }
}
