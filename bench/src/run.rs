//! One bench run: every measurement in order, then the table and
//! `results.json`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::memory::MIB;
use crate::report::{merge, render_table, to_json, Better, Figure};
use crate::scenarios::{self, School};

pub struct Options {
    pub out: PathBuf,
    /// The mobile cdylib to measure (xtask builds it).
    pub cdylib: Option<PathBuf>,
    /// Its light build, reported beside it.
    pub cdylib_lite: Option<PathBuf>,
    /// `bench/official-client` with its node_modules installed.
    pub official_client: Option<PathBuf>,
    /// Repetitions of the process-level measurements.
    pub runs: usize,
    /// Only one measurement, its rows merged into `out`.
    pub only: Option<Only>,
    /// A real Mattermost server (URL, administrator, password): only its
    /// rows, merged into `out`.
    pub real_server: Option<(String, String, String)>,
}

/// The measurements that can run alone (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// The push gateway's load test.
    Gateway,
    /// The notification service extension's push, on an account synced
    /// for it (not the whole history).
    Push,
    /// The first sync of the large account and, with an official client,
    /// its start-up beside it.
    FirstSync,
    /// The catch-ups, after one first sync.
    CatchUp,
    /// Cold start, search and memory by cached posts, up to a million.
    Scale,
}

pub async fn run(options: &Options) -> anyhow::Result<Vec<Figure>> {
    let work = tempfile::Builder::new()
        .prefix("pausenhof-bench")
        .tempdir()?;
    let step = |name: &str, started: Instant| {
        eprintln!(
            "bench: {name} done in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    };
    let mut figures = Vec::new();
    if let Some((url, admin, password)) = &options.real_server {
        let started = Instant::now();
        figures.extend(
            crate::real_server::measure(&crate::real_server::RealServer {
                url: url.clone(),
                admin: (admin.clone(), password.clone()),
                official_client: options.official_client.clone(),
                work: work.path().to_path_buf(),
                runs: options.runs,
            })
            .await?,
        );
        step("first sync and catch-up on the real server", started);
        return write_merged(options, figures);
    }
    if let Some(only) = options.only {
        let started = Instant::now();
        match only {
            Only::Gateway => {
                figures.extend(
                    scenarios::gateway::measure(work.path(), scenarios::gateway::PLAN).await?,
                );
                step("push gateway under load", started);
            }
            Only::Push => {
                let school = School::start(work.path().to_path_buf()).await?;
                step("seeding the large school", started);
                let started = Instant::now();
                let synced = scenarios::push_extension::synced_archive(&school).await?;
                step("syncing the archive account (setup)", started);
                let started = Instant::now();
                figures.extend(
                    scenarios::push_extension::measure(
                        &school,
                        &synced.dir,
                        synced.posts,
                        options.runs * 3,
                    )
                    .await?,
                );
                step("push in the notification service extension", started);
            }
            Only::FirstSync => {
                let school = School::start(work.path().to_path_buf()).await?;
                step("seeding the large school", started);
                figures.extend(first_sync_and_official(&school, options).await?.figures);
            }
            Only::CatchUp => {
                let school = School::start(work.path().to_path_buf()).await?;
                step("seeding the large school", started);
                let started = Instant::now();
                let first = scenarios::first_sync::measure(&school, 1).await?;
                step("first sync (setup)", started);
                let started = Instant::now();
                figures.extend(
                    scenarios::catch_up::measure(&school, &first.synced_dir, options.runs).await?,
                );
                step("catch-up", started);
            }
            Only::Scale => {
                let school = School::start(work.path().to_path_buf()).await?;
                step("seeding the large school", started);
                let started = Instant::now();
                let history = scenarios::history::fill(&school).await?;
                step("loading the whole history (setup)", started);
                let started = Instant::now();
                figures.extend(scale(work.path(), &history, options.runs).await?);
                step("cold start and search by cached posts", started);
            }
        }
        return write_merged(options, figures);
    }

    let started = Instant::now();
    let school = School::start(work.path().to_path_buf()).await?;
    step("seeding the large school", started);

    let first = first_sync_and_official(&school, options).await?;
    figures.extend(first.figures.iter().cloned());

    let started = Instant::now();
    figures.extend(scenarios::offline::measure(&school, &first.synced_dir).await?);
    step("offline prefetch", started);

    let started = Instant::now();
    figures.extend(scenarios::catch_up::measure(&school, &first.synced_dir, options.runs).await?);
    step("catch-up", started);

    let started = Instant::now();
    figures.extend(scenarios::ingest::measure(&first.synced_dir, work.path()).await?);
    step("event ingest", started);

    let started = Instant::now();
    let history = scenarios::history::fill(&school).await?;
    step("loading the whole history (setup)", started);

    let started = Instant::now();
    let cold =
        scenarios::cold_start::measure(&history.dir, history.posts, options.runs * 3).await?;
    figures.extend(cold.figures.iter().cloned());
    step("cold start", started);

    let started = Instant::now();
    figures.extend(scenarios::search::measure(&history.dir, history.posts, 500).await?);
    step("offline search", started);

    let started = Instant::now();
    figures.extend(scale(work.path(), &history, options.runs).await?);
    step(
        "cold start and search by cached posts, up to 1,000,000",
        started,
    );

    // Last on the archive account: it consents to push and takes new posts.
    let started = Instant::now();
    figures.extend(
        scenarios::push_extension::measure(&school, &history.dir, history.posts, options.runs * 3)
            .await?,
    );
    step("push in the notification service extension", started);

    let peak = cold.peak_rss_bytes.max(first.peak_rss_bytes);
    figures.push(
        Figure::new("peak_rss", peak as f64 / MIB, "MiB", Better::Lower)
            .target(40.0)
            .compared_to(format!(
                "highest VmHWM of the client processes: cold start {:.1} MiB, first sync {:.1} MiB",
                cold.peak_rss_bytes as f64 / MIB,
                first.peak_rss_bytes as f64 / MIB
            )),
    );
    if let Some(cdylib) = &options.cdylib {
        figures.push(scenarios::size::measure(cdylib)?);
        if let Some(lite) = &options.cdylib_lite {
            figures.push(scenarios::size::measure_lite(lite, cdylib)?);
        }
    }
    drop(school);

    let started = Instant::now();
    figures.extend(scenarios::gateway::measure(work.path(), scenarios::gateway::PLAN).await?);
    step("push gateway under load", started);

    // The real-server rows come from their own run (`cargo xtask
    // real-server --bench`) and stay.
    let real_server_rows: Vec<Figure> = read_existing(&options.out)?
        .into_iter()
        .filter(|f| f.name.starts_with("real_server_"))
        .collect();
    print!("\n{}", render_table(&figures));
    write(&options.out, &[figures.clone(), real_server_rows].concat())?;
    Ok(figures)
}

async fn scale(
    work: &std::path::Path,
    history: &scenarios::history::FullHistory,
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    scenarios::scale::measure(
        work,
        &history.synced_dir,
        &history.dir,
        history.posts,
        runs * 3,
    )
    .await
}

/// Prints `figures` and replaces their rows in `out`, keeping the others.
fn write_merged(options: &Options, figures: Vec<Figure>) -> anyhow::Result<Vec<Figure>> {
    print!("\n{}", render_table(&figures));
    write(&options.out, &merge(read_existing(&options.out)?, &figures))?;
    Ok(figures)
}

/// The rows of an earlier run, none when there is no file yet.
fn read_existing(out: &std::path::Path) -> anyhow::Result<Vec<Figure>> {
    match std::fs::read_to_string(out) {
        Ok(text) => {
            serde_json::from_str(&text).with_context(|| format!("reading {}", out.display()))
        }
        Err(_) => Ok(Vec::new()),
    }
}

/// The first sync, then the official client (when given) beside it: the
/// official client reuses the account the first sync signed in.
async fn first_sync_and_official(
    school: &School,
    options: &Options,
) -> anyhow::Result<scenarios::first_sync::FirstSync> {
    let started = Instant::now();
    let mut first = scenarios::first_sync::measure(school, options.runs).await?;
    eprintln!(
        "bench: first sync done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(project) = &options.official_client {
        let started = Instant::now();
        let ours = scenarios::official::Ours {
            sync_ms: first.sync_ms,
            lists_final_ms: first.lists_final_ms,
            requests: first.requests,
        };
        first.figures.extend(
            scenarios::official::measure(school, project, &ours, options.runs)
                .await
                .context("official client")?,
        );
        eprintln!(
            "bench: official client done in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(first)
}

fn write(out: &std::path::Path, figures: &[Figure]) -> anyhow::Result<()> {
    std::fs::write(out, to_json(figures)?).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}
