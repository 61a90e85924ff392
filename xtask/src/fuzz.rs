//! `cargo xtask fuzz`: the libFuzzer targets in `fuzz/`, built and run
//! without cargo-fuzz or a nightly toolchain.
//!
//! libfuzzer-sys only needs the code compiled with LLVM's SanitizerCoverage
//! pass, which stable rustc reaches through `-C passes` and `-C llvm-args`.
//! What nightly would add is AddressSanitizer, which safe Rust does not need
//! to find panics, overflows, runaway recursion or memory use. So CI builds
//! the targets with the toolchain it already has, and installs nothing but
//! the crates.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::steps::workspace_root;

/// Every target in `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: &[&str] = &[
    "realtime_frame",
    "rest_responses",
    "push_payload",
    "addresses",
    "markdown",
];

/// What cargo-fuzz passes, less the nightly-only sanitizer flag.
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
];

const USAGE: &str = "\
usage: cargo xtask fuzz [--seconds N] [--runs N] [--only TARGET] [--seed-corpus]

  --seconds N     run each target N seconds (default 60)
  --runs N        stop a target after N executions, if that comes first
  --only TARGET   run one target
  --seed-corpus   rewrite fuzz/corpus/*/rec-* from tests/recordings/ and stop";

/// The figures of one target's run.
pub struct Run {
    pub target: String,
    pub executions: u64,
    pub seconds: f64,
    pub corpus: u64,
}

/// How long each target runs: whichever bound comes first.
#[derive(Clone, Copy)]
struct Budget {
    seconds: u64,
    runs: Option<u64>,
}

pub fn fuzz(args: &[String]) -> Result<()> {
    let mut seconds = 60u64;
    let mut runs: Option<u64> = None;
    let mut only: Option<String> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .context("--seconds needs a number")?
                    .parse()
                    .context("--seconds needs a whole number")?;
            }
            "--runs" => {
                runs = Some(
                    args.next()
                        .context("--runs needs a number")?
                        .parse()
                        .context("--runs needs a whole number")?,
                );
            }
            "--only" => only = Some(args.next().context("--only needs a target")?.clone()),
            "--seed-corpus" => return seed_corpus(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let targets: Vec<&str> = match &only {
        Some(name) if TARGETS.contains(&name.as_str()) => vec![name.as_str()],
        Some(name) => bail!("no fuzz target `{name}`; there are {}", TARGETS.join(", ")),
        None => TARGETS.to_vec(),
    };
    let results = run_targets(&targets, Budget { seconds, runs })?;
    print_runs(&results);
    Ok(())
}

/// The CI step: every target a few seconds, from the committed seeds.
pub fn smoke() -> Result<()> {
    let runs = run_targets(
        TARGETS,
        Budget {
            seconds: 5,
            runs: None,
        },
    )?;
    print_runs(&runs);
    Ok(())
}

fn print_runs(runs: &[Run]) {
    println!("\ntarget            executions    exec/s  corpus");
    for run in runs {
        println!(
            "{:<16}{:>12}{:>10.0}{:>8}",
            run.target,
            run.executions,
            run.executions as f64 / run.seconds.max(0.001),
            run.corpus
        );
    }
}

fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// The fuzz build's own target directory: its flags differ from the main
/// build's, so sharing one would rebuild everything both ways.
fn target_dir() -> PathBuf {
    let main = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    main.join("fuzz")
}

fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc).arg("-vV").output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

fn build(host: &str) -> Result<()> {
    let fuzz = fuzz_dir();
    crate::steps::run_command({
        let mut command = crate::steps::cargo(&["fmt", "--check", "--manifest-path"]);
        command.arg(fuzz.join("Cargo.toml"));
        command
    })?;
    let mut command = crate::steps::cargo(&["build", "--release", "--bins", "--target", host]);
    command
        .arg("--manifest-path")
        .arg(fuzz.join("Cargo.toml"))
        // `--target` keeps the instrumentation off build scripts and proc
        // macros, which run on the host and do not link libFuzzer.
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\u{1f}"))
        .env_remove("RUSTFLAGS");
    crate::steps::run_command(command)
}

fn run_targets(targets: &[&str], budget: Budget) -> Result<Vec<Run>> {
    let host = host_triple()?;
    build(&host)?;
    let binaries = target_dir().join(&host).join("release");
    let mut runs = Vec::new();
    for target in targets {
        runs.push(run_one(&binaries.join(target), target, budget)?);
    }
    Ok(runs)
}

fn run_one(binary: &Path, target: &str, budget: Budget) -> Result<Run> {
    let seeds = fuzz_dir().join("corpus").join(target);
    // New inputs go to a working corpus outside the repository; the
    // committed seeds stay a small, reviewed set.
    let work = target_dir().join("corpus").join(target);
    let artifacts = target_dir().join("artifacts").join(target);
    std::fs::create_dir_all(&work)?;
    std::fs::create_dir_all(&artifacts)?;
    let log_path = target_dir().join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path)?;
    let Budget { seconds, runs } = budget;
    match runs {
        Some(runs) => println!(
            "fuzzing {target} for {runs} executions or {seconds}s (log: {})",
            log_path.display()
        ),
        None => println!(
            "fuzzing {target} for {seconds}s (log: {})",
            log_path.display()
        ),
    }
    let started = Instant::now();
    let mut command = Command::new(binary);
    if let Some(runs) = runs {
        command.arg(format!("-runs={runs}"));
    }
    let status = command
        .arg(format!("-max_total_time={seconds}"))
        // A single input taking seconds is a finding (runaway parsing).
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(&work)
        .arg(&seeds)
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    if !status.success() {
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        for line in tail.into_iter().rev() {
            eprintln!("{line}");
        }
        bail!(
            "fuzz target {target} failed ({status}); the input is in {}",
            artifacts.display()
        );
    }
    Ok(Run {
        target: (*target).to_owned(),
        executions: final_stat(&text, "number_of_executed_units").unwrap_or(0),
        seconds: elapsed,
        corpus: count_files(&work) as u64,
    })
}

/// A `stat::NAME: VALUE` line of libFuzzer's final statistics.
fn final_stat(log: &str, name: &str) -> Option<u64> {
    let prefix = format!("stat::{name}:");
    log.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Writes the seeds taken from the recordings (`rec-*`); hand-written seeds
/// (`hand-*`) are left alone.
fn seed_corpus() -> Result<()> {
    let recordings = workspace_root().join("tests").join("recordings");
    let corpus = fuzz_dir().join("corpus");
    for target in TARGETS {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if name.starts_with("rec-") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    let mut names: Vec<PathBuf> = std::fs::read_dir(&recordings)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    let mut written = 0;
    for path in names {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let recording: serde_json::Value =
            serde_json::from_str(&with_ids(&std::fs::read_to_string(&path)?))?;
        let mut write = |target: &str, n: usize, bytes: Vec<u8>| -> Result<()> {
            std::fs::write(corpus.join(target).join(format!("rec-{stem}-{n}")), bytes)?;
            written += 1;
            Ok(())
        };
        if let Some(body) = recording.pointer("/response/body") {
            if !body.is_null() {
                write("rest_responses", 0, serde_json::to_vec(body)?)?;
            }
            let mut texts = Vec::new();
            collect_messages(body, &mut texts);
            for (n, text) in texts.into_iter().enumerate() {
                write("markdown", n, text.into_bytes())?;
            }
        }
        let frames = recording.get("frames").and_then(|f| f.as_array());
        for (n, frame) in frames.into_iter().flatten().enumerate() {
            let target = if stem.starts_with("push") {
                "push_payload"
            } else {
                "realtime_frame"
            };
            write(target, n, serde_json::to_vec(frame)?)?;
        }
    }
    println!("{written} seeds written under {}", corpus.display());
    Ok(())
}

/// The recordings' placeholders (`<post:gsm/klasse-5a/1>`, `<id:3>`) made
/// into ids of the real shape (26 lowercase letters and digits), the same
/// placeholder always the same id, so decoders that check ids accept them.
fn with_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('>').map(|e| e + 1);
        match end {
            Some(end) if is_placeholder(&after[1..end - 1]) => {
                let digest = Sha256::digest(&after.as_bytes()[..end]);
                let id: String = digest
                    .iter()
                    .flat_map(|b| [b >> 4, b & 15])
                    .take(26)
                    .map(|n| char::from_digit(u32::from(n), 16).unwrap_or('0'))
                    .collect();
                out.push_str(&id);
                rest = &after[end..];
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_placeholder(inner: &str) -> bool {
    let (kind, _) = inner.split_once(':').unwrap_or((inner, ""));
    matches!(kind, "user" | "team" | "channel" | "post" | "id")
}

/// Every `message` string of posts in an answer, for the Markdown target.
fn collect_messages(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match value {
                    serde_json::Value::String(s) if key == "message" && !s.is_empty() => {
                        if !out.contains(s) {
                            out.push(s.clone());
                        }
                    }
                    _ => collect_messages(value, out),
                }
            }
        }
        serde_json::Value::Array(list) => list.iter().for_each(|v| collect_messages(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_stable_ids() {
        let text =
            with_ids(r#"{"id":"<post:gsm/klasse-5a/1>","a":"<post:gsm/klasse-5a/1>","t":"a<b>c"}"#);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let id = value["id"].as_str().unwrap();
        assert_eq!(id.len(), 26);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(value["a"], value["id"]);
        assert_eq!(value["t"], "a<b>c");
    }

    #[test]
    fn final_stats_are_read() {
        let log = "#2 INITED\nstat::number_of_executed_units: 12345\nstat::peak_rss_mb: 40\n";
        assert_eq!(final_stat(log, "number_of_executed_units"), Some(12345));
        assert_eq!(final_stat(log, "missing"), None);
    }

    #[test]
    fn every_target_has_a_source_and_seeds() {
        let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target}"
            );
            assert!(
                count_files(&fuzz_dir().join("corpus").join(target)) > 0,
                "{target}"
            );
        }
    }
}
