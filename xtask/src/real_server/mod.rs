//! `cargo xtask real-server`: a real Mattermost server for our tests.
//!
//! Builds the pinned server (Team Edition code) from the Go module proxy,
//! starts it on loopback against a throwaway PostgreSQL with an SMTP sink
//! and a push-proxy sink, seeds a small school through the API, checks it
//! end to end, records its answers for the test server's differential test
//! and runs the scenario suite against it. Everything it starts is stopped
//! when it ends, also on failure and on Ctrl-C/SIGTERM.

mod api;
mod go_build;
mod mattermost;
pub(crate) mod postgres;
mod process;
mod record;
mod scenarios;
mod scrub;
mod seed;
mod sinks;
mod smoke;
mod ws;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: cargo xtask real-server [options]

  --record        rewrite tests/recordings/ from this run
  --check-recordings  fail when this run's answers differ from tests/recordings/
  --build-only    build (or find in the cache) the server and stop
  --no-scenarios  skip the scenario suite (the harness's own checks still run)
  --serve         keep the seeded server running until Ctrl-C
  --bench         then the bench's first sync and catch-ups against it,
                  beside the official client (rows real_server_* of
                  bench/results.json; seeds a mid-size school, minutes)

environment:
  PAUSENHOF_CACHE_DIR   cache root (default /var/cache/pausenhof); builds
                        and Go caches go to <root>/mattermost";

#[derive(Default, Debug)]
struct Options {
    record: bool,
    check_recordings: bool,
    build_only: bool,
    no_scenarios: bool,
    serve: bool,
    bench: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Option<Self>> {
        let mut options = Self::default();
        for arg in args {
            match arg.as_str() {
                "--record" => options.record = true,
                "--check-recordings" => options.check_recordings = true,
                "--build-only" => options.build_only = true,
                "--no-scenarios" => options.no_scenarios = true,
                "--serve" => options.serve = true,
                "--bench" => options.bench = true,
                "-h" | "--help" => return Ok(None),
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        Ok(Some(options))
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let Some(options) = Options::parse(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_until_signal(options))
}

/// Pausenhof's push gateway in this process, behind the push sink: the
/// real server's pushes for Pausenhof devices go through it to the
/// scenario suite's UnifiedPush distributor (plain http on loopback only).
async fn start_push_gateway(run_dir: &Path) -> Result<push_gateway::Gateway> {
    let dir = run_dir.join("push-gateway");
    std::fs::create_dir_all(&dir)?;
    let config = push_gateway::Config::loopback(&dir);
    push_gateway::Gateway::start(config)
        .await
        .context("starting the push gateway")
}

fn loopback_http() -> Result<reqwest::Client> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// Dropping the harness future drops its guards, which stop every process
/// it started; so a signal only has to win the race.
async fn run_until_signal(options: Options) -> Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        outcome = run_harness(options) => outcome,
        _ = interrupt.recv() => bail!("interrupted; everything the harness started was stopped"),
        _ = terminate.recv() => bail!("terminated; everything the harness started was stopped"),
    }
}

struct Paths {
    repo: PathBuf,
    target: PathBuf,
}

impl Paths {
    fn find() -> Self {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in the workspace")
            .to_path_buf();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo.join("target"));
        Self { repo, target }
    }
}

fn log_step(started: Instant, what: &str) {
    println!(
        "real-server: [{:>6.1}s] {what}",
        started.elapsed().as_secs_f64()
    );
}

async fn run_harness(options: Options) -> Result<()> {
    let started = Instant::now();
    let paths = Paths::find();
    let build = go_build::ensure_built(&go_build::BuildPaths {
        wrapper: paths.repo.join("tools/mattermost"),
        cache: go_build::cache_root(&paths.target),
    })
    .await?;
    log_step(
        started,
        &format!(
            "server {} {} in {} ({})",
            build.pseudo_version,
            if build.reused {
                "found in the cache"
            } else {
                "built"
            },
            format_duration(build.took),
            build.dir.display()
        ),
    );
    if options.build_only {
        return Ok(());
    }
    if !options.no_scenarios && !options.serve && scenarios::suite_exists(&paths.repo) {
        scenarios::build_scenario_suite(&paths.repo).await?;
        log_step(started, "scenario suite built");
    }

    // Removed on drop; dropped last, after every process using it stopped.
    let run_dir = tempfile::Builder::new().prefix("pausenhof-mm-").tempdir()?;
    // PostgreSQL runs as its own user and must be able to enter it.
    std::fs::set_permissions(run_dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let log_dir = paths.target.join("real-server/logs");
    let _ = std::fs::remove_dir_all(&log_dir);
    std::fs::create_dir_all(&log_dir)?;

    let smtp = sinks::SmtpSink::start(&run_dir.path().join("mail"))?;
    let gateway = start_push_gateway(run_dir.path()).await?;
    let push = sinks::PushSink::start(
        &run_dir.path().join("push"),
        Some(sinks::GatewayForward {
            url: gateway.url(),
            runtime: tokio::runtime::Handle::current(),
            http: loopback_http()?,
        }),
    )?;
    let start_began = Instant::now();
    let postgres = postgres::Postgres::start(&run_dir.path().join("pg"))?;
    let outcome = with_database(
        &options,
        &paths,
        &build,
        run_dir.path(),
        &log_dir,
        &smtp,
        &push,
        &postgres,
        start_began,
        started,
    )
    .await;
    let _ = std::fs::copy(postgres.log_file(), log_dir.join("postgres.log"));
    drop(postgres);
    println!("real-server: logs are in {}", log_dir.display());
    log_step(
        started,
        if outcome.is_ok() {
            "done"
        } else {
            "failed; everything stopped"
        },
    );
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn with_database(
    options: &Options,
    paths: &Paths,
    build: &go_build::ServerBuild,
    run_dir: &Path,
    log_dir: &Path,
    smtp: &sinks::SmtpSink,
    push: &sinks::PushSink,
    postgres: &postgres::Postgres,
    start_began: Instant,
    started: Instant,
) -> Result<()> {
    let database_url = postgres.create_database("mattermost")?;
    log_step(started, "PostgreSQL running");
    let mut server = mattermost::Server::start(&mattermost::ServerSetup {
        build,
        run_dir,
        log_dir,
        database_url,
        smtp_port: smtp.port(),
        push_url: push.url(),
    })?;
    let api = api::Api::new(&server.url)?;
    server.wait_ready(&api).await?;
    log_step(
        started,
        &format!(
            "Mattermost ready at {} (start took {})",
            server.url,
            format_duration(start_began.elapsed())
        ),
    );
    let outcome = with_server(options, paths, &server, &api, run_dir, smtp, push, started).await;
    if outcome.is_err() {
        eprintln!(
            "real-server: last server log lines:\n{}",
            mattermost::tail(&server.log_file, 15)
        );
    }
    server.stop();
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn with_server(
    options: &Options,
    paths: &Paths,
    server: &mattermost::Server,
    api: &api::Api,
    run_dir: &Path,
    smtp: &sinks::SmtpSink,
    push: &sinks::PushSink,
    started: Instant,
) -> Result<()> {
    let school = seed::seed(api, &server.local_socket)
        .await
        .context("seeding the school")?;
    let manifest = run_dir.join("seed.json");
    std::fs::write(&manifest, serde_json::to_vec_pretty(&school)?)?;
    log_step(started, "school seeded");

    let recordings = record::record_all(&record::RecordInputs {
        api,
        school: &school,
        push_dir: push.dir(),
    })
    .await
    .context("recording responses")?;
    let committed = paths.repo.join("tests/recordings");
    if options.record {
        record::write_recordings(&committed, &recordings)?;
        log_step(
            started,
            &format!(
                "{} recordings written to {}",
                recordings.len(),
                committed.display()
            ),
        );
    } else {
        let fresh = paths.target.join("real-server/recordings");
        record::write_recordings(&fresh, &recordings)?;
        let changed = record::compare_with(&committed, &recordings);
        log_step(
            started,
            &format!(
                "{} responses recorded to {}",
                recordings.len(),
                fresh.display()
            ),
        );
        if !changed.is_empty() {
            let list = changed.join(", ");
            if options.check_recordings {
                bail!("the real server's answers differ from tests/recordings (see {}; rerun with --record after checking): {list}", fresh.display());
            }
            println!(
                "real-server: note: these differ from tests/recordings (rerun with --record to update): {list}"
            );
        }
    }

    smoke::check(api, &school, smtp.dir(), push.dir())
        .await
        .context("smoke check")?;
    log_step(
        started,
        "smoke check passed (sign-up + mailed verification, websocket, push)",
    );

    let env = scenarios::ScenarioEnv {
        url: server.url.clone(),
        admin: format!("{}:{}", seed::ADMIN, seed::password_of(seed::ADMIN)),
        smtp_dir: smtp.dir().to_owned(),
        push_dir: push.dir().to_owned(),
        push_gateway: push.gateway_url().unwrap_or_default().to_owned(),
        seed_manifest: manifest,
    };
    if options.serve {
        println!("real-server: serving until Ctrl-C; for the scenario suite:");
        for (name, value) in env.vars() {
            println!("  export {name}='{value}'");
        }
        std::future::pending::<()>().await;
    }
    if !options.no_scenarios && scenarios::run_scenario_suite(&paths.repo, &env).await? {
        log_step(started, "scenario suite passed against the real server");
    }
    if options.bench {
        // Last: the bench's school would change what the scenarios see.
        tokio::task::block_in_place(|| crate::bench::on_real_server(&server.url, &env.admin))?;
        log_step(started, "bench rows against the real server written");
    }
    Ok(())
}

fn format_duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds >= 60.0 {
        format!(
            "{}m{:02}s",
            (seconds / 60.0).floor(),
            (seconds % 60.0).round()
        )
    } else {
        format!("{seconds:.1}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_reject_unknown_flags() {
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let options = Options::parse(&args(&["--record", "--no-scenarios"]))
            .unwrap()
            .unwrap();
        assert!(options.record && options.no_scenarios && !options.serve && !options.build_only);
        assert!(!options.bench);
        let bench = Options::parse(&args(&["--bench"])).unwrap().unwrap();
        assert!(bench.bench && !bench.no_scenarios);
        assert!(Options::parse(&args(&["--help"])).unwrap().is_none());
        assert!(Options::parse(&args(&["--recrod"])).is_err());
    }
}
