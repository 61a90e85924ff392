//! `pausenhof-bench`: run by `cargo xtask bench` (release build). Without a
//! command it runs every measurement; the `child-*` commands are the
//! processes it starts for measurements that need a process of their own.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use pausenhof_bench::run::{run, Only, Options};
use pausenhof_bench::{child, gateway_child};

const USAGE: &str = "\
usage: pausenhof-bench [--out FILE] [--cdylib FILE [--cdylib-lite FILE]] [--official-client DIR] [--runs N] [--only gateway|push|first-sync|catch-up|scale] [--real-server URL --admin USER:PASSWORD]

  --out FILE             where results.json goes (default bench/results.json)
  --cdylib FILE          the mobile build of the FFI library to measure
  --cdylib-lite FILE     its light build (no default features), set against it
  --official-client DIR  bench/official-client after `npm ci`
  --runs N               repetitions of the process-level measurements (default 3)
  --only gateway         only the push gateway's load test; its rows replace
                         the same rows in FILE, the others are kept
  --only push            only the notification service extension's push
                         (on a synced account), merged the same way
  --only first-sync      only the first sync (and the official client, if
                         given), merged the same way
  --only catch-up        only the catch-ups (after one first sync), merged
                         the same way
  --only scale           only cold start, search and memory by cached posts
                         (10k to 1M), merged the same way
  --real-server URL      only the first sync and the catch-ups against this
                         real Mattermost server (it seeds a mid-size school
                         there), beside the official client; needs --admin
                         with a system administrator (cargo xtask real-server
                         --bench passes both)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pausenhof-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> anyhow::Result<()> {
    let path = |i: usize| -> anyhow::Result<PathBuf> {
        Ok(PathBuf::from(args.get(i).context("missing argument")?))
    };
    match args.first().map(String::as_str) {
        Some(child::COLD_START) => {
            child::cold_start(&path(1)?, args.get(2).context("missing open channel")?)
        }
        Some(child::SYNC) => child::sync(
            &path(1)?,
            args.get(2).is_some_and(|a| a == "--watch-channel-lists"),
        ),
        Some(child::FLOOR) => child::floor(&path(1)?, args.get(2).context("missing base URL")?),
        Some(child::PUSH) => child::push(&path(1)?, &path(2)?),
        Some(child::PREFETCH) => child::prefetch(&path(1)?),
        Some(child::LIVE_SYNC) => child::live_sync(&path(1)?),
        Some(gateway_child::GATEWAY) => gateway_child::run(&path(1)?),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            let options = parse_options(args)?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(run(&options))
                .map(|_| ())
        }
    }
}

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        out: PathBuf::from("bench/results.json"),
        cdylib: None,
        cdylib_lite: None,
        official_client: None,
        runs: 3,
        only: None,
        real_server: None,
    };
    let mut admin = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let mut value = || rest.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => options.out = PathBuf::from(value()?),
            "--cdylib" => options.cdylib = Some(PathBuf::from(value()?)),
            "--cdylib-lite" => options.cdylib_lite = Some(PathBuf::from(value()?)),
            "--official-client" => options.official_client = Some(PathBuf::from(value()?)),
            "--real-server" => {
                options.real_server = Some((value()?.clone(), String::new(), String::new()))
            }
            "--admin" => admin = Some(value()?.clone()),
            "--runs" => {
                options.runs = value()?.parse().context("--runs needs a number")?;
                if options.runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--only" => match value()?.as_str() {
                "gateway" => options.only = Some(Only::Gateway),
                "push" => options.only = Some(Only::Push),
                "first-sync" => options.only = Some(Only::FirstSync),
                "catch-up" => options.only = Some(Only::CatchUp),
                "scale" => options.only = Some(Only::Scale),
                other => bail!(
                    "--only knows `gateway`, `push`, `first-sync`, `catch-up` and `scale`, not `{other}`"
                ),
            },
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    if let Some((_, user, password)) = &mut options.real_server {
        let admin = admin.context("--real-server needs --admin USER:PASSWORD")?;
        let (name, secret) = admin.split_once(':').context("--admin is USER:PASSWORD")?;
        (*user, *password) = (name.to_owned(), secret.to_owned());
    }
    if options.cdylib_lite.is_some() && options.cdylib.is_none() {
        bail!("--cdylib-lite is measured against --cdylib");
    }
    Ok(options)
}
