//! Project tasks, run as `cargo xtask <task>`.
//!
//! `test` is what CI runs: every step prints its name and duration, and the
//! first failing step fails the whole run with its exit status.

mod android;
mod android_targets;
mod apk;
mod bench;
mod bindings;
mod deny;
mod fdroid;
mod fuzz;
mod gateway_postgres;
mod ios;
mod layering;
mod real_server;
mod steps;

use std::process::ExitCode;

use anyhow::{bail, Result};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  test          fmt check, clippy, the dependency policy (cargo deny), all Rust tests,
                the fuzz smoke (each target 5s), the kill test (200 kills), the light build (clippy, core's unit
                tests), the push gateway on PostgreSQL,
                Kotlin and Android tests (with the check APK), cargo check for ARM
                Android, the iOS checks, F-Droid metadata, real-server suite
  bench         measure the figures we compete on (release build) into bench/results.json
                (`--only gateway`: the push gateway's load test alone)
  bindings      generate Kotlin and Swift bindings into build/bindings/
  android       the Android step alone: the app's Robolectric tests (API 34 and 21),
                the check APK (assembled, signed, verified, scanned), cargo check for
                ARM Android (zig cc standing in for the NDK), F-Droid metadata
                (`--no-tests`: the check APK from the last Maven build, and the metadata)
  ios           the iOS checks alone (no Swift toolchain needed): the generated C header
                compiles and matches the library's exports, every Swift file parses with
                tree-sitter-swift, the app's calls and names exist in the Swift bindings,
                its texts are complete in English and German
  real-server   build and start a real Mattermost server, run the scenario suite
  fuzz          build the libFuzzer targets in fuzz/ and run each
                (`--seconds N`, default 60; `--runs N`; `--only TARGET`; `--seed-corpus`)

environment:
  PAUSENHOF_SKIP_REAL_SERVER=1   leave the real-server step out of `test`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some((task, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    match task.as_str() {
        "test" => steps::test(rest),
        "bench" => bench::bench(rest),
        "real-server" => real_server::run(rest),
        "bindings" => bindings::bindings(rest),
        "android" => android::android(rest),
        "ios" => {
            if let Some(unknown) = rest.first() {
                bail!("`ios` takes no arguments, got `{unknown}`");
            }
            ios::checks()
        }
        "fuzz" => fuzz::fuzz(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}
