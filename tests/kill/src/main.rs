//! The kill test. The parent starts the test server, then runs this same
//! binary as a child that uses the core the way an app does (the `Client`:
//! sends, edits, deletes, reactions, marking read, sync, realtime) on one
//! data directory, and kills it with SIGKILL at a random moment, again and
//! again. A last child lets the outbox drain, and the parent checks the
//! server and the store against what every child reported before dying.
//!
//! `killtest [--kills N] [--seconds S] [--min-kills K] [--seed X]
//! [--max-delay-ms M]`: stops after N kills or S seconds, whichever comes
//! first, and fails when that was fewer than K kills.

mod check;
mod child;
mod journal;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use pausenhof_testserver::{Dataset, ServerConfig, TestServer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use journal::{Journal, Line};

/// The test user's password (a fresh account on the test server).
const PASSWORD: &str = "Kill-Test-Passwort1!";

struct Options {
    kills: u32,
    seconds: u64,
    min_kills: u32,
    seed: u64,
    max_delay_ms: u64,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("child") {
        return child::main(&args[1..]);
    }
    let options = parse_options(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(parent(options))
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        kills: 200,
        seconds: 60,
        min_kills: 0,
        seed: rand::rng().random(),
        max_delay_ms: 500,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || -> Result<u64> {
            args.next()
                .with_context(|| format!("{arg} needs a number"))?
                .parse()
                .with_context(|| format!("{arg} needs a whole number"))
        };
        match arg.as_str() {
            "--kills" => options.kills = u32::try_from(value()?)?,
            "--seconds" => options.seconds = value()?,
            "--min-kills" => options.min_kills = u32::try_from(value()?)?,
            "--seed" => options.seed = value()?,
            "--max-delay-ms" => options.max_delay_ms = value()?.max(1),
            other => bail!(
                "unknown argument `{other}`; usage: killtest [--kills N] [--seconds S] \
                 [--min-kills K] [--seed X] [--max-delay-ms M]"
            ),
        }
    }
    Ok(options)
}

async fn parent(options: Options) -> Result<()> {
    println!(
        "kill test: up to {} kills or {}s, seed {}",
        options.kills, options.seconds, options.seed
    );
    let server = TestServer::start(ServerConfig {
        dataset: Dataset::Miniature,
        ..ServerConfig::default()
    })
    .await?;
    let account = server.create_user("kill.test", "kill.test@schule.example", PASSWORD);
    server
        .join_every_channel(&account.user_id, false)
        .map_err(|e| anyhow::anyhow!("join: {}", e.id))?;
    let channel = |name: &str| -> Result<String> {
        let c = server
            .channel_by_name("gsm", name)
            .with_context(|| format!("no channel gsm/{name}"))?;
        Ok(c["id"].as_str().unwrap_or_default().to_owned())
    };
    let channels = [channel("town-square")?, channel("klasse-5a")?];
    // Kept when the run fails: the children's stderr and the database are
    // the evidence.
    let data = tempfile::tempdir()?;
    let outcome = run_and_check(&options, &server, &account, &channels, data.path()).await;
    if outcome.is_err() {
        let kept = data.keep();
        eprintln!("the data directory is kept in {}", kept.display());
    }
    outcome
}

async fn run_and_check(
    options: &Options,
    server: &TestServer,
    account: &pausenhof_testserver::Account,
    channels: &[String; 2],
    data: &Path,
) -> Result<()> {
    let journal = Arc::new(Mutex::new(Journal::default()));
    let base_args = vec![
        server.url(),
        data.display().to_string(),
        account.username.clone(),
        PASSWORD.to_owned(),
        channels[0].clone(),
        channels[1].clone(),
    ];

    // Setup (not killed): sign in, and make the archived channel that
    // sends must be refused for.
    let setup = run_child(&base_args, "setup", 0, options.seed, &journal)?;
    let status = setup.child.wait_with_output()?.status;
    setup.reader.join().ok();
    if !status.success() {
        bail!("the setup child failed: {}", stderr_tail(data));
    }

    let mut rng = StdRng::seed_from_u64(options.seed);
    let started = Instant::now();
    let mut kills = 0u32;
    while kills < options.kills && started.elapsed() < Duration::from_secs(options.seconds) {
        let run = kills + 1;
        let mut running = run_child(&base_args, "work", run, options.seed, &journal)?;
        let delay = Duration::from_millis(rng.random_range(0..options.max_delay_ms));
        tokio::time::sleep(delay).await;
        // A child that ended by itself failed: it only ends when killed.
        if let Some(status) = running.child.try_wait()? {
            running.reader.join().ok();
            bail!(
                "child {run} ended by itself ({status}): {}",
                stderr_tail(data)
            );
        }
        // `Child::kill` is SIGKILL on Unix: no destructor, no flush.
        running.child.kill()?;
        running.child.wait()?;
        running.reader.join().ok();
        kills += 1;
        if kills % 50 == 0 {
            println!("  {kills} kills in {:.0}s", started.elapsed().as_secs_f64());
        }
    }
    let killing = started.elapsed();
    if kills < options.min_kills {
        bail!(
            "only {kills} kills in {:.0}s, {} asked for: the machine is too slow for this bound",
            killing.as_secs_f64(),
            options.min_kills
        );
    }

    let settle = run_child(&base_args, "settle", kills + 1, options.seed, &journal)?;
    let status = settle.child.wait_with_output()?.status;
    settle.reader.join().ok();
    if !status.success() {
        bail!("the settling child failed: {}", stderr_tail(data));
    }
    let journal = journal.lock().expect("journal").clone();
    let figures = check::verify(server, &account.user_id, channels, &journal)?;
    println!(
        "kill test passed: {kills} kills in {:.1}s, {} intents tried, {} acknowledged, \
         {} cut off unacknowledged, {} refused; {} posts of the run on the server; \
         {} database rebuilds",
        killing.as_secs_f64(),
        figures.tried,
        figures.acknowledged,
        figures.unacknowledged,
        figures.refused,
        figures.posts_on_server,
        figures.rebuilds,
    );
    Ok(())
}

struct Running {
    child: std::process::Child,
    reader: std::thread::JoinHandle<()>,
}

/// Starts this binary as a child; its stdout lines go to `journal` as they
/// arrive (a line written before the kill is in the pipe and still read).
fn run_child(
    base: &[String],
    mode: &str,
    run: u32,
    seed: u64,
    journal: &Arc<Mutex<Journal>>,
) -> Result<Running> {
    let exe = std::env::current_exe()?;
    // Panics of every child, in one file next to the data (a pipe nobody
    // reads could fill and stall a child).
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(stderr_path(Path::new(&base[1])))?;
    let mut child = Command::new(exe)
        .arg("child")
        .arg(mode)
        .arg(run.to_string())
        .arg(seed.to_string())
        .args(base)
        // The error, not anyhow's backtrace of it, is what the tail shows.
        .env("RUST_LIB_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()?;
    let stdout = child.stdout.take().context("child stdout")?;
    let journal = journal.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(parsed) = Line::parse(run, &line) {
                journal.lock().expect("journal").push(parsed);
            }
        }
    });
    Ok(Running { child, reader })
}

fn stderr_path(data: &Path) -> PathBuf {
    data.join("children.log")
}

/// The last lines the children wrote to stderr.
fn stderr_tail(data: &Path) -> String {
    let text = std::fs::read_to_string(stderr_path(data)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
