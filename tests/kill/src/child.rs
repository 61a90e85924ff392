//! The child: an app's use of the core, reporting each intent before and
//! after handing it over. `setup` signs in and makes an archived channel,
//! `work` acts at random until it is killed, `settle` lets the outbox drain
//! and reports the store.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use pausenhof_core::session::FileSecretStore;
use pausenhof_core::Client;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::journal::Op;

/// The account key file the archived channel's id is kept in between runs.
const ARCHIVED_FILE: &str = "archived-channel";
const EMOJI: [&str; 3] = ["+1", "smile", "heart"];

struct Args {
    mode: String,
    run: u32,
    seed: u64,
    server: String,
    dir: PathBuf,
    username: String,
    password: String,
    channels: [String; 2],
}

pub fn main(args: &[String]) -> Result<()> {
    let [mode, run, seed, server, dir, username, password, a, b] = args else {
        bail!("child: wrong arguments");
    };
    let args = Args {
        mode: mode.clone(),
        run: run.parse()?,
        seed: seed.parse()?,
        server: server.clone(),
        dir: PathBuf::from(dir),
        username: username.clone(),
        password: password.clone(),
        channels: [a.clone(), b.clone()],
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run_child(args))
}

/// One journal line, flushed at once: the parent reads what was written
/// before the kill.
fn report(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn run_child(args: Args) -> Result<()> {
    let client = Client::builder(&args.dir)
        .secret_store(Arc::new(FileSecretStore::new(args.dir.join("secrets"))))
        .runtime(tokio::runtime::Handle::current())
        .request_timeout(Duration::from_secs(5))
        .device_id("killtest")
        .build()?;
    let user = match client.restore().await? {
        Some(user) => user,
        None => {
            client
                .sign_in_with_password(&args.server, &args.username, &args.password, None)
                .await?
        }
    };
    let store = client.store()?;
    report(&format!("ready\t{}", u8::from(store.was_rebuilt())));
    match args.mode.as_str() {
        "setup" => setup(&client).await.map(|archived| {
            std::fs::write(args.dir.join(ARCHIVED_FILE), archived).map_err(Into::into)
        })?,
        "work" => work(&client, &args, &user.id).await,
        "settle" => settle(&client, &args, &user.id).await,
        other => bail!("child: unknown mode {other}"),
    }
}

async fn setup(client: &Client) -> Result<String> {
    client.sync().await?;
    let team_id = client
        .teams()
        .await?
        .into_iter()
        .next()
        .context("the user is in no team")?
        .id;
    let channel = client
        .create_channel(&team_id, "Kill Archiv", false, "")
        .await?;
    client.archive_channel(&channel.id).await?;
    Ok(channel.id)
}

/// One post of the user's, from the store.
struct Own {
    id: String,
    base: String,
    root_id: String,
}

async fn own_posts(client: &Client, channel: &str, me: &str) -> Result<Vec<Own>> {
    let (channel, me) = (channel.to_owned(), me.to_owned());
    let posts = client
        .store()?
        .read(move |c| {
            let mut statement = c.prepare(
                "SELECT id, message, root_id FROM posts \
                 WHERE channel_id = ?1 AND user_id = ?2 AND delete_at = 0 \
                 AND message LIKE 'k%'",
            )?;
            let rows = statement.query_map([&channel, &me], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut posts = Vec::new();
            for row in rows {
                let (id, message, root_id) = row?;
                let base = message.split(' ').next().unwrap_or_default().to_owned();
                posts.push(Own { id, base, root_id });
            }
            Ok(posts)
        })
        .await?;
    Ok(posts)
}

async fn my_reactions(client: &Client, post_id: &str, me: &str) -> Result<Vec<String>> {
    let (post_id, me) = (post_id.to_owned(), me.to_owned());
    Ok(client
        .store()?
        .read(move |c| {
            let mut statement = c.prepare(
                "SELECT emoji_name FROM reactions WHERE post_id = ?1 AND user_id = ?2 \
                 ORDER BY emoji_name",
            )?;
            let rows = statement.query_map([&post_id, &me], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Acts at random until killed. Every intent is reported as `try` before
/// the call and `ack`/`refused` after.
async fn work(client: &Client, args: &Args, me: &str) -> Result<()> {
    client.start_realtime()?;
    let archived = std::fs::read_to_string(args.dir.join(ARCHIVED_FILE))?;
    let mut rng = StdRng::seed_from_u64(args.seed ^ u64::from(args.run).wrapping_mul(0x9e37));
    let mut n = 0u32;
    loop {
        n += 1;
        let base = format!("k{}.{n}", args.run);
        let channel = args.channels[rng.random_range(0..2)].clone();
        let roll = rng.random_range(0..100);
        if roll >= 90 {
            if roll >= 97 {
                // Not an intent: sync is what the app does on start and resume.
                let _ = client.sync().await;
            } else {
                let op = Op::SendArchived {
                    channel: archived.clone(),
                    text: format!("{base} archiviert"),
                };
                attempt(
                    &op,
                    client.send_post(&archived, "", &format!("{base} archiviert")),
                )
                .await;
            }
            continue;
        }
        if roll < 40 {
            let roots: Vec<Own> = own_posts(client, &channel, me)
                .await?
                .into_iter()
                .filter(|p| p.root_id.is_empty())
                .collect();
            let root = (rng.random_bool(0.25) && !roots.is_empty())
                .then(|| &roots[rng.random_range(0..roots.len())]);
            let text = format!("{base} Nachricht");
            let op = Op::Send {
                channel: channel.clone(),
                root: root.map(|r| r.base.clone()),
                text: text.clone(),
            };
            let root_id = root.map(|r| r.id.clone()).unwrap_or_default();
            attempt(&op, client.send_post(&channel, &root_id, &text)).await;
            continue;
        }
        if roll < 50 {
            let op = Op::View {
                channel: channel.clone(),
                at: now_ms(),
            };
            attempt(&op, client.mark_channel_viewed(&channel)).await;
            continue;
        }
        let posts = own_posts(client, &channel, me).await?;
        if posts.is_empty() {
            continue;
        }
        let post = &posts[rng.random_range(0..posts.len())];
        if roll < 65 {
            let text = format!("{} bearbeitet {base}", post.base);
            let op = Op::Edit {
                base: post.base.clone(),
                text: text.clone(),
            };
            attempt(&op, client.edit_post(&post.id, &text)).await;
        } else if roll < 73 {
            let op = Op::Delete {
                base: post.base.clone(),
            };
            attempt(&op, client.delete_post(&post.id)).await;
        } else {
            let emoji = EMOJI[rng.random_range(0..EMOJI.len())];
            let add = !my_reactions(client, &post.id, me)
                .await?
                .iter()
                .any(|e| e == emoji);
            let op = Op::React {
                base: post.base.clone(),
                emoji: emoji.to_owned(),
                add,
            };
            if add {
                attempt(&op, client.add_reaction(&post.id, emoji)).await;
            } else {
                attempt(&op, client.remove_reaction(&post.id, emoji)).await;
            }
        }
        if rng.random_bool(0.3) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..20))).await;
        }
    }
}

async fn attempt<T>(op: &Op, call: impl std::future::Future<Output = pausenhof_core::Result<T>>) {
    report(&format!("try\t{}", op.to_fields()));
    match call.await {
        Ok(_) => report("ack"),
        Err(_) => report("refused"),
    }
}

/// Runs until the outbox is empty and a sync is done, then reports the
/// store's newest posts of both channels.
async fn settle(client: &Client, args: &Args, me: &str) -> Result<()> {
    client.start_realtime()?;
    let started = Instant::now();
    loop {
        let pending = client.pending_sends().await?;
        if pending.is_empty() {
            break;
        }
        if let Some(failed) = pending
            .iter()
            .find(|e| matches!(e.state, pausenhof_core::outbox::SendState::Failed { .. }))
        {
            bail!("an intent failed on the server: {failed:?}");
        }
        if started.elapsed() > Duration::from_secs(90) {
            bail!(
                "the outbox did not drain: {} left: {pending:?}",
                pending.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.sync().await?;
    // Let realtime events already on the wire land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for channel in &args.channels {
        let channel_id = channel.clone();
        let posts = client
            .store()?
            .read(move |c| {
                let mut statement = c.prepare(
                    "SELECT id, message FROM posts WHERE channel_id = ?1 AND delete_at = 0 \
                     ORDER BY create_at DESC LIMIT 60",
                )?;
                let rows = statement.query_map([&channel_id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await?;
        for (id, text) in posts {
            let reactions = my_reactions(client, &id, me).await?.join(",");
            let text = crate::check::escape(&text);
            report(&format!("stored\t{channel}\t{id}\t{text}\t{reactions}"));
        }
    }
    Ok(())
}
