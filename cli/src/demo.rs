//! `pausenhof demo`: a live tour on the embedded test server. It needs no
//! network and no arguments: a small school is generated in memory, a
//! student signs in, a classmate (driven by the demo) answers over the
//! websocket, and a message survives a dropped network exactly once.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::observe::{Diffable, Update};
use pausenhof_core::realtime::{ConnectionState, LifecycleInput};
use pausenhof_core::store::StoreChange;
use pausenhof_core::Client;
use pausenhof_testserver::{Dataset, Role, ServerConfig, TestServer};
use tokio::io::AsyncBufReadExt;

use crate::commands::live::wait_for_delivery;
use crate::commands::reads::{post_line, timeline_loaded};
use crate::context;
use crate::output::{Output, Style};

const TEAM: &str = "gsm";
const CHANNEL: &str = "town-square";
const WAIT: Duration = Duration::from_secs(20);

pub async fn run(output: Output) -> Result<()> {
    let tour = Tour::start(output).await?;
    tour.run().await?;
    if std::io::stdin().is_terminal() {
        tour.interactive().await?;
    }
    tour.server.stop().await;
    Ok(())
}

struct Tour {
    server: TestServer,
    client: Client,
    output: Output,
    // Kept so the demo's data directory lives as long as the tour.
    _data_dir: tempfile::TempDir,
}

impl Tour {
    async fn start(output: Output) -> Result<Tour> {
        let server = TestServer::start(ServerConfig {
            dataset: Dataset::Small,
            seed: 1,
            ..ServerConfig::default()
        })
        .await
        .context("starting the embedded test server")?;
        let data_dir = tempfile::tempdir()?;
        let client = context::open_client(data_dir.path())?;
        Ok(Tour {
            server,
            client,
            output,
            _data_dir: data_dir,
        })
    }

    fn step(&self, text: &str) {
        self.output.line("");
        self.output
            .line(self.output.paint(Style::Heading, &format!("▸ {text}")));
    }

    fn say(&self, text: impl AsRef<str>) {
        self.output.line(format!("  {}", text.as_ref()));
    }

    async fn run(&self) -> Result<()> {
        let (client, output) = (&self.client, self.output);
        self.step(&format!(
            "A test school is running at {}",
            self.server.url()
        ));
        let student = self.server.account(Role::Student);
        let info = client.probe_server(&self.server.url()).await?;
        self.say(format!("{} — Mattermost {}", info.site_name, info.version));
        client
            .sign_in_with_password(
                &self.server.url(),
                &student.username,
                &student.password,
                None,
            )
            .await?;
        self.say(format!("Signed in as {}", student.username));

        self.step("First sync: teams and channels");
        client.sync().await?;
        for team in client.teams().await? {
            let marker = if team.has_unread { " •" } else { "" };
            self.say(format!("{} ({}){marker}", team.display_name, team.name));
        }
        let team = client
            .teams()
            .await?
            .into_iter()
            .find(|t| t.name == TEAM)
            .context("the demo school has no gsm team")?;
        self.step(&format!(
            "Channels of {}, with unread counts",
            team.display_name
        ));
        let mut square = None;
        for section in client.channel_list(&team.id).await? {
            if section.channels.is_empty() {
                continue;
            }
            self.say(output.paint(Style::Dim, &section.name.to_uppercase()));
            for channel in section.channels.iter().take(6) {
                let unread = if channel.mention_count > 0 {
                    output.paint(Style::Mention, &format!(" @{}", channel.mention_count))
                } else if channel.unread_count > 0 {
                    format!(" ({} new)", channel.unread_count)
                } else {
                    String::new()
                };
                self.say(format!("  {}{unread}", channel.display_name));
            }
            if let Some(found) = section.channels.iter().find(|c| c.name == CHANNEL) {
                square = Some(found.clone());
            }
        }
        let square = square.context("the demo school has no town square")?;

        self.step(&format!("Reading {}", square.display_name));
        for post in timeline_loaded(client, &square.id, 5).await?.posts {
            self.output.line(post_line(&post, output));
        }

        self.step("Going live: websocket and outbox");
        client.start_realtime()?;
        let mut connection = client.connection_state()?;
        wait_state(&mut connection, |s| *s == ConnectionState::Connected).await?;
        self.say(output.paint(Style::Good, "connected"));
        let hello = "Hallo zusammen! Wer hat die Mathe-Hausaufgaben? 📐";
        let key = client.send_post(&square.id, "", hello).await?;
        if !wait_for_delivery(client, &key, WAIT).await? {
            bail!("the first message was not delivered");
        }
        self.say(format!("sent: {hello}"));

        self.step("A classmate answers; the reply arrives over the websocket");
        let classmate = self
            .server
            .accounts()
            .into_iter()
            .filter(|a| a.role == Role::Student && a.mfa_secret.is_none())
            .nth(1)
            .context("the demo school has a second student")?;
        let mut changes = client.store_changes()?;
        let reply = "Ja, Seite 42, Aufgaben 3 bis 5. Übung macht den Meister!";
        self.server.post_as(&classmate.user_id, &square.id, reply);
        let arrived = wait_for_post(client, &mut changes, &square.id, reply).await?;
        self.output.line(post_line(&arrived, output));

        self.step("The train enters a tunnel: the network drops");
        self.server.faults().set_down(true);
        client.lifecycle(LifecycleInput::NetworkDown)?;
        let offline_text = "Bin gleich da, sitze noch im Zug 🚆";
        let key = client.send_post(&square.id, "", offline_text).await?;
        let queued = client.pending_sends().await?.len();
        self.say(format!(
            "queued while offline ({queued} waiting): {offline_text}"
        ));

        self.step("Out of the tunnel: the network returns");
        self.server.faults().set_down(false);
        client.lifecycle(LifecycleInput::NetworkUp)?;
        if !wait_for_delivery(client, &key, WAIT).await? {
            bail!("the queued message was not delivered after the network returned");
        }
        let copies = copies_on_server(client, &square.id, offline_text).await?;
        self.say(output.paint(
            Style::Good,
            &format!("delivered; the server has it {copies} time(s)"),
        ));
        if copies != 1 {
            bail!("the queued message reached the server {copies} times");
        }
        self.output.line("");
        self.output.line("Tour complete.");
        Ok(())
    }

    /// Type to post in the town square; new posts appear as they arrive.
    async fn interactive(&self) -> Result<()> {
        let (client, output) = (&self.client, self.output);
        let team = client.teams().await?.into_iter().find(|t| t.name == TEAM);
        let Some(team) = team else { return Ok(()) };
        let Some(square) = client
            .channel_list(&team.id)
            .await?
            .into_iter()
            .flat_map(|s| s.channels)
            .find(|c| c.name == CHANNEL)
        else {
            return Ok(());
        };
        output.line("");
        output.line("Interactive: type a message and press Enter to post it; Ctrl-C ends.");
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        // The same stream the apps get: the window whole, then diffs.
        let mut timeline = client.watch_timeline(&square.id, 60)?;
        let mut window = match timeline.next().await {
            Some(Ok(Update::Snapshot(window))) => window,
            Some(Err(error)) => return Err(error.into()),
            _ => return Ok(()),
        };
        let mut shown: std::collections::HashSet<String> =
            window.posts.iter().map(sent_as).collect();
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(()),
                line = lines.next_line() => {
                    match line? {
                        Some(text) if !text.trim().is_empty() => {
                            client.send_post(&square.id, "", text.trim()).await?;
                        }
                        Some(_) => {}
                        None => return Ok(()),
                    }
                }
                update = timeline.next() => {
                    match update {
                        Some(Ok(Update::Diff(diff))) => {
                            if window.apply(diff).is_err() {
                                window = client.timeline(&square.id, 60).await?;
                            }
                        }
                        Some(Ok(Update::Snapshot(fresh))) => window = fresh,
                        Some(Err(error)) => return Err(error.into()),
                        None => return Ok(()),
                    }
                    for post in &window.posts {
                        if shown.insert(sent_as(post)) {
                            output.line(post_line(post, output));
                        }
                    }
                }
            }
        }
    }
}

/// One identity for a post from its local echo to the server's copy,
/// which carries the echo's client key, so each prints once.
fn sent_as(post: &pausenhof_core::reads::PostView) -> String {
    post.props
        .get(pausenhof_core::outbox::CLIENT_KEY_PROP)
        .and_then(|key| key.as_str())
        .unwrap_or(&post.id)
        .to_owned()
}

async fn wait_state(
    state: &mut tokio::sync::watch::Receiver<ConnectionState>,
    wanted: impl Fn(&ConnectionState) -> bool,
) -> Result<()> {
    tokio::time::timeout(WAIT, state.wait_for(|s| wanted(s)))
        .await
        .context("timed out waiting for the connection")?
        .context("the connection ended")?;
    Ok(())
}

async fn wait_for_post(
    client: &Client,
    changes: &mut tokio::sync::broadcast::Receiver<
        std::sync::Arc<pausenhof_core::store::ChangeSet>,
    >,
    channel_id: &str,
    message: &str,
) -> Result<pausenhof_core::reads::PostView> {
    let wanted = StoreChange::Posts {
        channel_id: channel_id.to_string(),
    };
    tokio::time::timeout(WAIT, async {
        loop {
            let found = client
                .timeline(channel_id, 10)
                .await?
                .posts
                .into_iter()
                .find(|p| p.message == message);
            if let Some(post) = found {
                return Ok(post);
            }
            // Wait for the store to change in that channel, then look again.
            while let Ok(change) = changes.recv().await {
                if change.contains(&wanted) {
                    break;
                }
            }
        }
    })
    .await
    .context("the classmate's reply did not arrive")?
}

/// How often `message` exists in the channel on the server.
async fn copies_on_server(client: &Client, channel_id: &str, message: &str) -> Result<usize> {
    let page = PostsPage::Page {
        page: 0,
        per_page: 200,
    };
    let posts = channel_posts(&client.api()?, channel_id, &page, false).await?;
    Ok(posts
        .posts
        .values()
        .filter(|p| p.message == message && p.delete_at == 0)
        .count())
}
