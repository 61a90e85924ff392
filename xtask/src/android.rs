//! The "android tests" step of `cargo xtask test`: the app in `android/`,
//! built by Maven (aapt2 for the resources, Kotlin against Robolectric's
//! android-all jar) and tested under Robolectric with the real core.
//!
//! It runs after the Kotlin step and reuses what that step built: the
//! `pausenhof-ffi` library, the test server and the generated Kotlin of
//! `build/bindings/kotlin` (the Android flavour, as the app ships it).
//! The core flows run a second time on API 21 (the `sdk21` Maven profile).
//! Then the check APK of the `fdroid` flavour is made from the classes just
//! compiled (`apk.rs`).
//!
//! `cargo xtask android` runs this step alone: it builds what the Kotlin
//! step would have built first, and runs the steps "android targets" and
//! "f-droid metadata" after it.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::bindings::{kotlin_out_dir, library_file_name, target_dir};
use crate::steps::{run_command, workspace_root, Steps};

/// `cargo xtask android`; `--no-tests` makes the check APK from the last
/// Maven build and checks the F-Droid metadata, nothing else.
pub fn android(args: &[String]) -> Result<()> {
    let tests = match args {
        [] => true,
        [flag] if flag == "--no-tests" => false,
        _ => bail!(
            "`android` takes only `--no-tests`, got `{}`",
            args.join(" ")
        ),
    };
    let mut steps = Steps::default();
    let outcome = if tests {
        steps
            .run("test server and bindings", || {
                crate::bindings::build_for_foreign_tests().map(drop)
            })
            .and_then(|()| steps.run("android tests", android_tests))
            .and_then(|()| steps.run("android targets", crate::android_targets::check))
    } else {
        steps.run("check apk", || crate::apk::check_apk().map(drop))
    }
    .and_then(|()| steps.run("f-droid metadata", crate::fdroid::check));
    steps.print_summary();
    outcome
}

pub fn android_tests() -> Result<()> {
    let binaries = target_dir()?.join("debug");
    let library = binaries.join(library_file_name());
    let testserver = binaries.join(format!(
        "pausenhof-testserver{}",
        std::env::consts::EXE_SUFFIX
    ));
    let generated = kotlin_out_dir();
    for (what, path) in [
        ("the FFI library", &library),
        ("the test server", &testserver),
        ("the generated Kotlin", &generated),
    ] {
        if !path.exists() {
            bail!(
                "{what} is missing at {}: the Kotlin step builds it first",
                path.display()
            );
        }
    }
    if Command::new("aapt2").arg("version").output().is_err() {
        bail!("the Android tests need aapt2 (Debian package `aapt`)");
    }
    let maven = |args: &[&str]| {
        let mut command = Command::new("mvn");
        command
            .current_dir(workspace_root().join("android"))
            .args(["--batch-mode", "--no-transfer-progress"])
            .args(args)
            .arg(format!("-Dpausenhof.lib.dir={}", binaries.display()))
            .arg(format!("-Dpausenhof.testserver={}", testserver.display()))
            .arg(format!("-Dpausenhof.generated.dir={}", generated.display()));
        command
    };
    // The UnifiedPush connector's jar joins the classpath only once it is
    // unpacked (a profile activated by the file): a fresh tree unpacks
    // first.
    let connector = workspace_root().join("android/target/aar/connector/classes.jar");
    if !connector.exists() {
        run_command(maven(&["--quiet", "initialize"]))
            .context("the Android tests need Maven (`mvn`), a JDK 17 and aapt2")?;
    }
    run_command(maven(&["test"]))
        .context("the Android tests need Maven (`mvn`), a JDK 17 and aapt2")?;
    // The core flows again on Android 5 (API 21), with the classes just
    // compiled: the `sdk21` profile only swaps the Robolectric runtime.
    run_command(maven(&["-Psdk21", "initialize", "surefire:test"]))
        .context("the Android tests on API 21")?;
    crate::apk::check_apk().map(drop)
}
