//! The scenarios: each drives real Pausenhof clients against a server under
//! test and checks what a user would see. They only use the public core API
//! and the seeded school, so the same code runs against our test server and
//! a real Mattermost server.

use std::sync::Arc;

use anyhow::{bail, ensure, Context, Result};
use pausenhof_core::reads::ChannelListItem;
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error};

use crate::sut::{Person, School, ServerUnderTest};

/// A signed-in client with its own data directory, as on one phone.
pub struct Device {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
}

impl Device {
    pub fn new() -> Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let secrets = Arc::new(MemorySecretStore::new());
        let client = Client::builder(data_dir.path())
            .secret_store(secrets.clone())
            .build()?;
        Ok(Self {
            client,
            data_dir,
            secrets,
        })
    }

    /// A device whose client finds the school's push gateway at `gateway`.
    pub fn with_push_gateway(gateway: &str) -> Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let secrets = Arc::new(MemorySecretStore::new());
        let client = Client::builder(data_dir.path())
            .secret_store(secrets.clone())
            .push_gateway(gateway)?
            .build()?;
        Ok(Self {
            client,
            data_dir,
            secrets,
        })
    }

    /// A new client over the same store and secrets, as after the app was
    /// killed and started again (for a push, say).
    pub fn restarted(&self) -> Result<Client> {
        Ok(Client::builder(self.data_dir.path())
            .secret_store(self.secrets.clone())
            .build()?)
    }

    pub async fn signed_in(server_url: &str, person: &Person) -> Result<Self> {
        let device = Self::new()?;
        device
            .client
            .sign_in_with_password(server_url, &person.username, &person.password, None)
            .await
            .with_context(|| format!("signing in as {}", person.username))?;
        Ok(device)
    }

    /// The channel `team/name` from the cached channel list.
    pub async fn channel(&self, team: &str, name: &str) -> Result<ChannelListItem> {
        let teams = self.client.teams().await?;
        let team = teams
            .iter()
            .find(|t| t.name == team)
            .with_context(|| format!("team {team} not in the channel list"))?;
        self.client
            .channel_list(&team.id)
            .await?
            .into_iter()
            .flat_map(|section| section.channels)
            .find(|channel| channel.name == name)
            .with_context(|| format!("channel {name} not in team {}", team.name))
    }
}

/// Sign-in by username and by email; a wrong password is its own error.
pub async fn sign_in(sut: &impl ServerUnderTest) -> Result<()> {
    let School { student, .. } = sut.school();
    let info = Device::new()?.client.probe_server(&sut.url()).await?;
    ensure!(
        info.sign_in.username || info.sign_in.email,
        "{}: no password sign-in offered",
        sut.name()
    );

    let by_name = Device::signed_in(&sut.url(), &student).await?;
    ensure!(by_name
        .client
        .current_user()
        .is_some_and(|u| u.id == student.id));

    let by_email = Device::new()?;
    by_email
        .client
        .sign_in_with_password(&sut.url(), &student.email, &student.password, None)
        .await?;

    let wrong = Device::new()?
        .client
        .sign_in_with_password(&sut.url(), &student.username, "not-the-password-1", None)
        .await;
    ensure!(
        matches!(wrong, Err(Error::InvalidCredentials)),
        "{}: wrong password gave {wrong:?}",
        sut.name()
    );
    Ok(())
}

/// The first sync brings the teams and the sidebar; after it, everything
/// reads back with no network.
pub async fn sync_then_read_offline(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let proxy = crate::proxy::CuttableProxy::start(sut.addr()).await?;
    let device = Device::signed_in(&proxy.url(), &school.student).await?;
    device.client.sync().await?;

    let teams = device.client.teams().await?;
    ensure!(
        teams.iter().any(|t| t.name == school.team),
        "{}: team {} missing after sync",
        sut.name(),
        school.team
    );
    let square = device.channel(&school.team, School::SHARED_CHANNEL).await?;
    let online = device.client.timeline(&square.id, 30).await?;

    proxy.cut();
    let offline = device.client.timeline(&square.id, 30).await?;
    ensure!(
        offline.posts == online.posts,
        "{}: offline timeline differs",
        sut.name()
    );
    let again = device.channel(&school.team, School::SHARED_CHANNEL).await?;
    ensure!(again.id == square.id);
    let sync_offline = device.client.sync().await;
    ensure!(
        sync_offline.as_ref().is_err_and(Error::is_transient),
        "{}: sync while offline gave {sync_offline:?}",
        sut.name()
    );
    Ok(())
}

/// Signing out erases the account's data directory.
pub async fn logout_erases_local_data(sut: &impl ServerUnderTest) -> Result<()> {
    let device = Device::signed_in(&sut.url(), &sut.school().student).await?;
    device.client.sync().await?;
    let account_dir = device.client.account_dir().context("no account dir")?;
    ensure!(account_dir.exists());
    device.client.sign_out().await?;
    ensure!(
        !account_dir.exists(),
        "{}: account data left after logout",
        sut.name()
    );
    ensure!(device.client.restore().await?.is_none());
    Ok(())
}

const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Polls `check` until it yields a value (the store changes as events
/// arrive), failing after [`WAIT`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        ensure!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// How many copies of `message` the server holds in the channel.
async fn copies_on_server(device: &Device, channel_id: &str, message: &str) -> Result<usize> {
    use pausenhof_core::api::posts::{channel_posts, PostsPage};
    let page = PostsPage::Page {
        page: 0,
        per_page: 200,
    };
    let posts = channel_posts(&device.client.api()?, channel_id, &page, false).await?;
    Ok(posts
        .posts
        .values()
        .filter(|post| post.message == message && post.delete_at == 0)
        .count())
}

pub(crate) fn unique(text: &str) -> String {
    format!("{text} {}", uuid_like())
}

pub(crate) fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("#{nanos:x}")
}

/// A post by one student reaches a classmate's device over the websocket,
/// once.
pub async fn post_and_receive(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let sender = Device::signed_in(&sut.url(), &school.student).await?;
    let receiver = Device::signed_in(&sut.url(), &school.classmate).await?;
    for device in [&sender, &receiver] {
        device.client.sync().await?;
        device.client.start_realtime()?;
    }
    let square = sender.channel(&school.team, School::SHARED_CHANNEL).await?;
    let mut connected = receiver.client.connection_state()?;
    tokio::time::timeout(
        WAIT,
        connected.wait_for(|s| *s == pausenhof_core::realtime::ConnectionState::Connected),
    )
    .await
    .context("receiver never connected")??;

    let message = unique("Treffen wir uns in der Bibliothek?");
    sender.client.send_post(&square.id, "", &message).await?;
    let received = eventually("the post on the classmate's device", || async {
        let posts = receiver.client.timeline(&square.id, 30).await?.posts;
        Ok(posts.into_iter().find(|p| p.message == message))
    })
    .await?;
    ensure!(
        received.user_id == school.student.id,
        "{}: wrong author",
        sut.name()
    );
    let shown = receiver
        .client
        .timeline(&square.id, 60)
        .await?
        .posts
        .iter()
        .filter(|p| p.message == message)
        .count();
    ensure!(shown == 1, "{}: the post shows {shown} times", sut.name());
    Ok(())
}

/// A message written in the tunnel is kept, and delivered exactly once
/// when the network returns.
pub async fn offline_send_is_delivered_once(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let proxy = crate::proxy::CuttableProxy::start(sut.addr()).await?;
    let device = Device::signed_in(&proxy.url(), &school.student).await?;
    device.client.sync().await?;
    device.client.start_realtime()?;
    let square = device.channel(&school.team, School::SHARED_CHANNEL).await?;
    // The user opens the channel before writing: its newest page is cached.
    device.client.load_older(&square.id).await?;

    proxy.cut();
    device
        .client
        .lifecycle(pausenhof_core::realtime::LifecycleInput::NetworkDown)?;
    let message = unique("Sitze im Zug, komme zehn Minuten später");
    let key = device.client.send_post(&square.id, "", &message).await?;
    let echo = device.client.timeline(&square.id, 30).await?.posts;
    ensure!(
        echo.iter().any(|p| p.message == message),
        "{}: no local echo",
        sut.name()
    );
    ensure!(device
        .client
        .pending_sends()
        .await?
        .iter()
        .any(|e| e.client_key == key));

    proxy.restore();
    device
        .client
        .lifecycle(pausenhof_core::realtime::LifecycleInput::NetworkUp)?;
    eventually("delivery", || async {
        let pending = device.client.pending_sends().await?;
        Ok(pending.iter().all(|e| e.client_key != key).then_some(()))
    })
    .await?;
    let copies = copies_on_server(&device, &square.id, &message).await?;
    ensure!(
        copies == 1,
        "{}: the server has {copies} copies",
        sut.name()
    );
    Ok(())
}

/// Cached posts are found offline, with German case folding.
pub async fn search_offline_finds_umlauts(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let device = Device::signed_in(&sut.url(), &school.student).await?;
    device.client.sync().await?;
    device.client.start_realtime()?;
    let square = device.channel(&school.team, School::SHARED_CHANNEL).await?;
    let tag = uuid_like().trim_start_matches('#').to_string();
    let message = format!("Übungsblatt {tag} liegt im Sekretariat");
    let key = device.client.send_post(&square.id, "", &message).await?;
    eventually("delivery", || async {
        let pending = device.client.pending_sends().await?;
        Ok(pending.iter().all(|e| e.client_key != key).then_some(()))
    })
    .await?;
    let hits = device
        .client
        .search_offline(&format!("übungsblatt {tag}"), None, 10)
        .await?;
    ensure!(
        hits.iter().any(|h| h.post.message == message),
        "{}: not found",
        sut.name()
    );
    let hits = device
        .client
        .search_offline(&format!("ÜBUNGSBLATT {tag}"), None, 10)
        .await?;
    ensure!(
        hits.iter().any(|h| h.post.message == message),
        "{}: case folding",
        sut.name()
    );
    Ok(())
}

/// Private push end to end: after consent the student's phone registers
/// with the school's push gateway; a classmate's direct message reaches the
/// phone's UnifiedPush distributor encrypted, and decrypted it holds ids
/// only (the server sends full contents); after withdrawal the gateway
/// registration is gone and nothing more arrives.
pub async fn push_through_the_gateway(sut: &impl ServerUnderTest) -> Result<()> {
    use crate::push::{AppKeys, Distributor, IDS_ONLY_FIELDS};
    use pausenhof_core::api::channels::create_direct;
    use pausenhof_core::api::posts::{create_post, NewPost};
    use pausenhof_core::push::{Delivery, PushAction};

    let school = sut.school();
    let gateway = sut.push_gateway();
    let mut distributor = Distributor::start().await?;
    // The app registers the distributor's endpoint at the school's gateway
    // through the core, which keeps the secret that deletes it again.
    let student = Device::with_push_gateway(&gateway)?;
    student
        .client
        .sign_in_with_password(
            &sut.url(),
            &school.student.username,
            &school.student.password,
            None,
        )
        .await?;
    let classmate = Device::signed_in(&sut.url(), &school.classmate).await?;
    let phone_name = format!("phone-{}", uuid_like().trim_start_matches('#'));
    let keys = AppKeys::generate();
    let endpoint = keys.endpoint(&distributor.endpoint(&phone_name));

    let refused = student.client.register_unified_push(endpoint.clone()).await;
    ensure!(
        refused.is_err(),
        "{}: registered at the gateway before consent",
        sut.name()
    );
    // The user's sessions (this device's and, on a shared real server,
    // those of other scenarios) carry no token the gateway delivers to.
    for token in session_push_tokens(&student).await? {
        ensure!(
            gateway_answer_for(&gateway, &token).await? != "OK",
            "{}: a live gateway registration before consent",
            sut.name()
        );
    }
    student
        .client
        .grant_push_consent(Delivery::UnifiedPush, "scenario")
        .await?;
    let status = student.client.register_unified_push(endpoint).await?;
    ensure!(
        status.registered.is_some_and(|r| r.attached),
        "{}: the device id was not attached",
        sut.name()
    );
    let tokens = session_push_tokens(&student).await?;
    ensure!(!tokens.is_empty(), "no device id on the session");

    let api = classmate.client.api()?;
    let dm = create_direct(&api, &school.classmate.id, &school.student.id).await?;
    let message = unique("Hast du die Hausaufgaben in Bio?");
    create_post(
        &api,
        &NewPost {
            channel_id: dm.id.clone(),
            message: message.clone(),
            root_id: String::new(),
            file_ids: Vec::new(),
            props: Default::default(),
            pending_post_id: String::new(),
        },
    )
    .await?;
    let received = distributor.next(WAIT).await?;
    ensure!(received.device == phone_name, "push for the wrong device");
    let plain = keys.decrypt(&received)?;
    let payload: serde_json::Value = serde_json::from_slice(&plain)?;
    ensure!(
        payload["type"] == "message" && payload["channel_id"] == dm.id.as_str(),
        "{}: unexpected push {payload}",
        sut.name()
    );
    for key in payload.as_object().context("push is not an object")?.keys() {
        ensure!(
            IDS_ONLY_FIELDS.contains(&key.as_str()),
            "{}: the push carries {key}",
            sut.name()
        );
    }
    // The ids are enough: the app, started for the push, fetches the
    // message itself and shows it.
    let post_id = payload["post_id"]
        .as_str()
        .context("push without post_id")?;
    let outcome = student.restarted()?.handle_push(&plain).await?;
    let PushAction::Show { notification } = outcome.action else {
        bail!(
            "{}: the push shows nothing: {:?}",
            sut.name(),
            outcome.action
        );
    };
    ensure!(
        notification.id == post_id && notification.body == message,
        "{}: the notification shows {:?}",
        sut.name(),
        notification.body
    );
    // Nothing the push service saw names the message or the sender.
    let mut seen = received.as_seen();
    seen.extend(&plain);
    let seen = String::from_utf8_lossy(&seen);
    for secret in [
        message.as_str(),
        "Hausaufgaben",
        school.classmate.username.as_str(),
        school.classmate.id.as_str(),
    ] {
        ensure!(
            !seen.contains(secret),
            "{}: the push service saw {secret:?}",
            sut.name()
        );
    }

    // Withdrawal deletes the registration at the gateway at once, so no
    // later push can reach the distributor.
    let status = student.client.withdraw_push_consent().await?;
    ensure!(status.teardowns_pending == 0, "withdrawal left work undone");
    for token in &tokens {
        ensure!(
            gateway_answer_for(&gateway, token).await? == "REMOVE",
            "{}: the gateway still has the registration",
            sut.name()
        );
    }
    create_post(
        &api,
        &NewPost {
            channel_id: dm.id.clone(),
            message: unique("Nach dem Widerruf"),
            root_id: String::new(),
            file_ids: Vec::new(),
            props: Default::default(),
            pending_post_id: String::new(),
        },
    )
    .await?;
    ensure!(
        distributor.nothing_pending(),
        "{}: a push arrived after withdrawal",
        sut.name()
    );
    Ok(())
}

/// The push tokens on the user's server sessions (a device id is
/// `platform:token`), withdrawal placeholders left out.
async fn session_push_tokens(device: &Device) -> Result<Vec<String>> {
    use pausenhof_core::push::WITHDRAWN_TOKEN_PREFIX;
    let me = device.client.current_user().context("not signed in")?;
    let sessions: Vec<serde_json::Value> = device
        .client
        .api()?
        .get(&format!("/users/{}/sessions", me.id), &[])
        .await?;
    Ok(sessions
        .iter()
        .filter_map(|s| s["device_id"].as_str())
        .filter_map(|id| id.split_once(':').map(|(_, token)| token.to_owned()))
        .filter(|token| !token.is_empty() && !token.starts_with(WITHDRAWN_TOKEN_PREFIX))
        .collect())
}

/// What the gateway answers Mattermost for a push to `token`.
async fn gateway_answer_for(gateway: &str, token: &str) -> Result<String> {
    let answer: serde_json::Value = crate::push::loopback_http()?
        .post(format!("{gateway}/api/v1/send_push"))
        .json(&serde_json::json!({
            "platform": "android_rn", "server_id": "scenario", "device_id": token,
            "type": "message", "version": "v2", "ack_id": "scenario-ack",
            "post_id": "p", "channel_id": "c", "team_id": "t", "root_id": "",
        }))
        .send()
        .await?
        .json()
        .await?;
    Ok(answer["status"].as_str().unwrap_or_default().to_owned())
}

// ---- Two people talking: reconnect, channels, direct messages, threads,
// reactions, edits and deletes. Each checks what the other device shows.

pub(crate) async fn wait_connected(device: &Device) -> Result<()> {
    let mut state = device.client.connection_state()?;
    tokio::time::timeout(
        WAIT,
        state.wait_for(|s| *s == pausenhof_core::realtime::ConnectionState::Connected),
    )
    .await
    .context("the websocket never connected")??;
    Ok(())
}

/// Signs in, syncs and goes live.
pub(crate) async fn live_device(server_url: &str, person: &Person) -> Result<Device> {
    let device = Device::signed_in(server_url, person).await?;
    device.client.sync().await?;
    device.client.start_realtime()?;
    wait_connected(&device).await?;
    Ok(device)
}

/// A post made directly over the API (not through the outbox), so the
/// scenario knows its server id at once.
pub(crate) async fn post_now(
    device: &Device,
    channel_id: &str,
    root_id: &str,
    message: &str,
) -> Result<pausenhof_core::model::Post> {
    use pausenhof_core::api::posts::{create_post, NewPost};
    Ok(create_post(
        &device.client.api()?,
        &NewPost {
            channel_id: channel_id.to_owned(),
            message: message.to_owned(),
            root_id: root_id.to_owned(),
            file_ids: Vec::new(),
            props: Default::default(),
            pending_post_id: unique("pending").replace(' ', ""),
        },
    )
    .await?)
}

/// The post as `device` shows it in the channel's timeline, once `check`
/// holds for it.
async fn shown_post(
    device: &Device,
    channel_id: &str,
    post_id: &str,
    what: &str,
    check: impl Fn(&pausenhof_core::reads::PostView) -> bool,
) -> Result<pausenhof_core::reads::PostView> {
    eventually(what, || async {
        let posts = device.client.timeline(channel_id, 60).await?.posts;
        Ok(posts.into_iter().find(|p| p.id == post_id && check(p)))
    })
    .await
}

/// The websocket drops (a train tunnel, a server restart); posts made
/// meanwhile arrive once it is back, each once.
pub async fn reconnect_brings_what_was_missed(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let proxy = crate::proxy::CuttableProxy::start(sut.addr()).await?;
    let receiver = live_device(&proxy.url(), &school.classmate).await?;
    let sender = Device::signed_in(&sut.url(), &school.student).await?;
    sender.client.sync().await?;
    let square = sender.channel(&school.team, School::SHARED_CHANNEL).await?;

    proxy.cut();
    let mut state = receiver.client.connection_state()?;
    tokio::time::timeout(
        WAIT,
        state.wait_for(|s| *s != pausenhof_core::realtime::ConnectionState::Connected),
    )
    .await
    .context("the receiver did not notice the cut")??;
    let mut missed = Vec::new();
    for n in 1..=3 {
        let text = unique(&format!("Im Tunnel verpasst {n}"));
        post_now(&sender, &square.id, "", &text).await?;
        missed.push(text);
    }
    proxy.restore();
    receiver
        .client
        .lifecycle(pausenhof_core::realtime::LifecycleInput::NetworkUp)?;
    wait_connected(&receiver).await?;
    let shown = eventually("the missed posts after the reconnect", || async {
        let posts = receiver.client.timeline(&square.id, 60).await?.posts;
        let all = missed.iter().all(|m| posts.iter().any(|p| &p.message == m));
        Ok(all.then_some(posts))
    })
    .await?;
    for message in &missed {
        let copies = shown.iter().filter(|p| &p.message == message).count();
        ensure!(
            copies == 1,
            "{}: {message:?} shows {copies} times",
            sut.name()
        );
    }
    Ok(())
}

/// A classmate opens a public channel; the student joins it (it appears in
/// the channel list), reads it, and leaves it (it disappears).
pub async fn join_and_leave_a_channel(sut: &impl ServerUnderTest) -> Result<()> {
    use pausenhof_core::api::channels::{add_member, create_channel, leave_channel, NewChannel};
    let school = sut.school();
    let student = Device::signed_in(&sut.url(), &school.student).await?;
    let classmate = Device::signed_in(&sut.url(), &school.classmate).await?;
    for device in [&student, &classmate] {
        device.client.sync().await?;
    }
    let team = classmate
        .client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == school.team)
        .context("the school team")?;
    let tag = uuid_like().trim_start_matches('#').to_string();
    let name = format!("lerngruppe-{tag}");
    let channel = create_channel(
        &classmate.client.api()?,
        &NewChannel {
            team_id: team.id.clone(),
            name: name.clone(),
            display_name: format!("Lerngruppe {tag}"),
            channel_type: pausenhof_core::model::ChannelType::Open,
            purpose: String::new(),
            header: String::new(),
        },
    )
    .await?;
    let welcome = unique("Willkommen in der Lerngruppe");
    post_now(&classmate, &channel.id, "", &welcome).await?;
    ensure!(
        student.channel(&school.team, &name).await.is_err(),
        "{}: listed before joining",
        sut.name()
    );

    add_member(&student.client.api()?, &channel.id, &school.student.id).await?;
    student.client.sync().await?;
    let joined = student.channel(&school.team, &name).await?;
    ensure!(joined.id == channel.id);
    student.client.load_older(&channel.id).await?;
    let posts = student.client.timeline(&channel.id, 30).await?.posts;
    ensure!(
        posts.iter().any(|p| p.message == welcome),
        "{}: the joined channel's posts are not readable",
        sut.name()
    );

    leave_channel(&student.client.api()?, &channel.id).await?;
    student.client.sync().await?;
    ensure!(
        student.channel(&school.team, &name).await.is_err(),
        "{}: still listed after leaving",
        sut.name()
    );
    Ok(())
}

/// Someone added to a channel, and leaving it: the classmate's timeline
/// shows both as sentences naming the people (the server's props read
/// right), with every blank filled.
pub async fn system_posts_read_as_sentences(sut: &impl ServerUnderTest) -> Result<()> {
    use pausenhof_core::api::channels::{add_member, create_channel, leave_channel, NewChannel};
    use pausenhof_core::texts::Locale;
    use pausenhof_core::timeline::{Target, TimelineItemKind, TimelineOptions};
    let school = sut.school();
    let student = Device::signed_in(&sut.url(), &school.student).await?;
    let classmate = Device::signed_in(&sut.url(), &school.classmate).await?;
    for device in [&student, &classmate] {
        device.client.sync().await?;
    }
    let team = classmate
        .client
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == school.team)
        .context("the school team")?;
    let tag = uuid_like().trim_start_matches('#').to_string();
    let channel = create_channel(
        &classmate.client.api()?,
        &NewChannel {
            team_id: team.id.clone(),
            name: format!("ag-{tag}"),
            display_name: format!("AG {tag}"),
            channel_type: pausenhof_core::model::ChannelType::Open,
            purpose: String::new(),
            header: String::new(),
        },
    )
    .await?;
    add_member(&classmate.client.api()?, &channel.id, &school.student.id).await?;
    leave_channel(&student.client.api()?, &channel.id).await?;
    classmate.client.sync().await?;
    classmate.client.load_older(&channel.id).await?;

    let timeline = classmate
        .client
        .open_timeline(
            Target::Channel {
                channel_id: channel.id.clone(),
            },
            TimelineOptions {
                time_zone: Some("Europe/Berlin".into()),
                locale: Locale::English,
                page_size: 50,
            },
        )
        .await?;
    let items = timeline.items().await?;
    let sentences: Vec<String> = items
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::System(s) => Some(s.text.clone()),
            _ => None,
        })
        .collect();
    let student_named = |s: &str| {
        s.contains(&format!("@{}", school.student.username))
            || !s.contains('@') && !s.starts_with("Someone")
    };
    ensure!(
        sentences
            .iter()
            .any(|s| s.contains(" added ") && s.ends_with(" to the channel.") && student_named(s)),
        "{}: no sentence for adding the student: {sentences:?}",
        sut.name()
    );
    ensure!(
        sentences
            .iter()
            .any(|s| s.ends_with(" left the channel.") && student_named(s)),
        "{}: no sentence for the student leaving: {sentences:?}",
        sut.name()
    );
    ensure!(
        sentences.iter().all(|s| !s.contains('{')),
        "{}: a blank left unfilled: {sentences:?}",
        sut.name()
    );
    Ok(())
}

/// The student writes to a classmate by username; the classmate's device,
/// which never had this conversation, shows it in the channel list and the
/// message in its timeline.
pub async fn direct_message_by_username(sut: &impl ServerUnderTest) -> Result<()> {
    use pausenhof_core::api::channels::create_direct;
    use pausenhof_core::api::users::users_by_usernames;
    let school = sut.school();
    let receiver = live_device(&sut.url(), &school.classmate).await?;
    let sender = live_device(&sut.url(), &school.student).await?;
    let api = sender.client.api()?;
    let found = users_by_usernames(&api, std::slice::from_ref(&school.classmate.username)).await?;
    let other = found
        .first()
        .with_context(|| format!("@{} not found", school.classmate.username))?;
    ensure!(other.id == school.classmate.id);
    let direct = create_direct(&api, &school.student.id, &other.id).await?;
    let message = unique("Kannst du mir die Mathe-Hausaufgaben schicken?");
    sender.client.send_post(&direct.id, "", &message).await?;

    let received = eventually("the direct message on the classmate's device", || async {
        let posts = receiver.client.timeline(&direct.id, 30).await?.posts;
        Ok(posts.into_iter().find(|p| p.message == message))
    })
    .await?;
    ensure!(
        received.user_id == school.student.id,
        "{}: wrong author",
        sut.name()
    );
    eventually(
        "the conversation in the classmate's channel list",
        || async {
            let teams = receiver.client.teams().await?;
            for team in teams {
                let listed = receiver
                    .client
                    .channel_list(&team.id)
                    .await?
                    .into_iter()
                    .flat_map(|section| section.channels)
                    .any(|c| c.id == direct.id);
                if listed {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        },
    )
    .await?;
    Ok(())
}

/// A reply in a thread reaches the author of the root; the whole thread
/// reads back in order.
pub async fn thread_reply_and_read(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let author = live_device(&sut.url(), &school.student).await?;
    let replier = live_device(&sut.url(), &school.classmate).await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let question = unique("Wer hat das Arbeitsblatt von gestern?");
    let root = post_now(&author, &square.id, "", &question).await?;
    let answer = unique("Ich, ich schicke es dir");
    replier
        .client
        .send_post(&square.id, &root.id, &answer)
        .await?;

    let reply = eventually("the reply on the author's device", || async {
        let thread = author.client.thread(&root.id).await?;
        Ok(thread.replies.into_iter().find(|r| r.message == answer))
    })
    .await?;
    ensure!(
        reply.root_id == root.id,
        "{}: reply not in the thread",
        sut.name()
    );
    ensure!(reply.user_id == school.classmate.id);

    // A third device that never saw the thread loads it whole.
    let reader = Device::signed_in(&sut.url(), &school.classmate).await?;
    reader.client.sync().await?;
    let thread = reader.client.load_thread(&root.id).await?;
    ensure!(
        thread.root.as_ref().is_some_and(|r| r.message == question),
        "{}: thread root missing",
        sut.name()
    );
    let replies: Vec<&str> = thread.replies.iter().map(|r| r.message.as_str()).collect();
    ensure!(
        replies == [answer.as_str()],
        "{}: replies {replies:?}",
        sut.name()
    );
    ensure!(thread.complete, "{}: thread not complete", sut.name());
    Ok(())
}

/// A reaction added on one device shows under the post on the other, and
/// goes away when removed.
pub async fn reactions_come_and_go(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let author = live_device(&sut.url(), &school.student).await?;
    let reactor = live_device(&sut.url(), &school.classmate).await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let post = post_now(
        &author,
        &square.id,
        "",
        &unique("Klassenfahrt ist genehmigt!"),
    )
    .await?;
    shown_post(
        &reactor,
        &square.id,
        &post.id,
        "the post on the reactor",
        |_| true,
    )
    .await?;

    reactor.client.add_reaction(&post.id, "tada").await?;
    let shown = shown_post(&author, &square.id, &post.id, "the reaction", |p| {
        p.reactions.iter().any(|r| r.emoji_name == "tada")
    })
    .await?;
    let tada = shown
        .reactions
        .iter()
        .find(|r| r.emoji_name == "tada")
        .context("tada")?;
    ensure!(
        tada.count == 1 && tada.user_ids == [school.classmate.id.clone()],
        "{}: {tada:?}",
        sut.name()
    );

    reactor.client.remove_reaction(&post.id, "tada").await?;
    shown_post(&author, &square.id, &post.id, "the reaction removed", |p| {
        p.reactions.is_empty()
    })
    .await?;
    Ok(())
}

/// An edit shows on the other device as edited, with the new text.
pub async fn edits_reach_the_other_device(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let author = live_device(&sut.url(), &school.student).await?;
    let reader = live_device(&sut.url(), &school.classmate).await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let post = post_now(&author, &square.id, "", &unique("Treffen um 14 Uhr")).await?;
    shown_post(
        &reader,
        &square.id,
        &post.id,
        "the post on the reader",
        |_| true,
    )
    .await?;

    let corrected = unique("Treffen um 15 Uhr");
    author.client.edit_post(&post.id, &corrected).await?;
    let shown = shown_post(&reader, &square.id, &post.id, "the edit", |p| {
        p.message == corrected
    })
    .await?;
    ensure!(
        shown.edited && shown.edit_at > 0,
        "{}: not marked edited",
        sut.name()
    );
    Ok(())
}

/// A deleted post disappears from the other device, text included.
pub async fn deletes_reach_the_other_device(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let author = live_device(&sut.url(), &school.student).await?;
    let reader = live_device(&sut.url(), &school.classmate).await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let text = unique("Ups, falscher Kanal");
    let post = post_now(&author, &square.id, "", &text).await?;
    shown_post(
        &reader,
        &square.id,
        &post.id,
        "the post on the reader",
        |_| true,
    )
    .await?;

    author.client.delete_post(&post.id).await?;
    eventually("the post gone from the reader's timeline", || async {
        let posts = reader.client.timeline(&square.id, 60).await?.posts;
        let still = posts
            .iter()
            .any(|p| p.id == post.id && !p.deleted || p.message == text);
        Ok((!still).then_some(()))
    })
    .await?;
    Ok(())
}

/// Changes made while a device was offline, in a channel where nothing new
/// was posted since (an edit, a delete, a reaction: none moves the
/// channel's last post time), are there after its next sync, and the
/// device's cached posts then read as a fresh device's do.
pub async fn offline_changes_are_caught_up(sut: &impl ServerUnderTest) -> Result<()> {
    let school = sut.school();
    let author = Device::signed_in(&sut.url(), &school.student).await?;
    author.client.sync().await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let (corrected, deleted, liked) = three_posts_to_change(&author, &square.id).await?;

    let reader = Device::signed_in(&sut.url(), &school.classmate).await?;
    reader.client.sync().await?;
    reader.client.load_older(&square.id).await?;
    let before = reader.client.timeline(&square.id, 60).await?.posts;
    for post in [&corrected, &deleted, &liked] {
        ensure!(
            before.iter().any(|p| p.id == post.id),
            "{}: {:?} not cached before going offline",
            sut.name(),
            post.message
        );
    }

    // The reader is offline (no connection, no sync) while these happen.
    let text = change_three_posts(&author, &school.student, [&corrected, &deleted, &liked]).await?;

    reader.client.sync().await?;
    let after = reader.client.timeline(&square.id, 60).await?.posts;
    let find = |id: &str| after.iter().find(|p| p.id == id);
    ensure!(
        find(&corrected.id).is_some_and(|p| p.message == text && p.edited),
        "{}: the edit was not caught up: {:?}",
        sut.name(),
        find(&corrected.id)
    );
    ensure!(
        find(&deleted.id).is_none_or(|p| p.deleted && p.message.is_empty()),
        "{}: the deleted post still shows: {:?}",
        sut.name(),
        find(&deleted.id)
    );
    ensure!(
        find(&liked.id).is_some_and(|p| p.reactions.iter().any(|r| r.emoji_name == "tada")),
        "{}: the reaction was not caught up: {:?}",
        sut.name(),
        find(&liked.id)
    );

    // Everything the reader caches of the channel reads as a fresh device's copy.
    matches_a_fresh_device(sut, &school.classmate, &square.id, &after, "caught-up").await
}

/// The app goes away for a moment (its socket closes) while a post is
/// edited, one deleted, one liked and new ones arrive; it comes back,
/// starts the socket and syncs at once, as the apps do. The socket resumes
/// (no new connection) and its replay brings everything: the cached
/// channel then reads as a fresh device's copy.
pub async fn a_short_absence_is_replayed(sut: &impl ServerUnderTest) -> Result<()> {
    use std::sync::atomic::Ordering;
    let school = sut.school();
    let author = Device::signed_in(&sut.url(), &school.student).await?;
    author.client.sync().await?;
    let square = author.channel(&school.team, School::SHARED_CHANNEL).await?;
    let (corrected, deleted, liked) = three_posts_to_change(&author, &square.id).await?;

    let reader = live_device(&sut.url(), &school.classmate).await?;
    reader.client.load_older(&square.id).await?;
    // The first connection's catch-up (a new connection owes one) is done
    // before the reader goes away.
    let store = reader.client.store()?;
    eventually("the first connection's catch-up", || async {
        let settled = store
            .read(pausenhof_core::realtime::events_catch_up_settled)
            .await?;
        Ok(settled.then_some(()))
    })
    .await?;
    reader.client.stop_realtime();

    let text = change_three_posts(&author, &school.student, [&corrected, &deleted, &liked]).await?;
    let mut new_posts = Vec::new();
    for n in 1..=3 {
        new_posts.push(post_now(&author, &square.id, "", &unique(&format!("Nachtrag {n}"))).await?);
    }

    let socket = reader.client.start_realtime()?;
    reader.client.sync().await?;
    ensure!(
        socket.counters().new_connections.load(Ordering::SeqCst) == 0,
        "{}: the socket did not resume after a short absence",
        sut.name()
    );
    let after = eventually("the replayed changes", || async {
        let posts = reader.client.timeline(&square.id, 60).await?.posts;
        let find = |id: &str| posts.iter().find(|p| p.id == id);
        let done = find(&corrected.id).is_some_and(|p| p.message == text && p.edited)
            && find(&deleted.id).is_none_or(|p| p.deleted)
            && find(&liked.id).is_some_and(|p| p.reactions.iter().any(|r| r.emoji_name == "tada"))
            && new_posts.iter().all(|n| find(&n.id).is_some());
        Ok(done.then_some(posts))
    })
    .await?;

    matches_a_fresh_device(sut, &school.classmate, &square.id, &after, "replayed").await
}

/// Three posts of `author` in `channel_id`: one to correct, one to delete,
/// one to like.
async fn three_posts_to_change(
    author: &Device,
    channel_id: &str,
) -> Result<(
    pausenhof_core::model::Post,
    pausenhof_core::model::Post,
    pausenhof_core::model::Post,
)> {
    Ok((
        post_now(author, channel_id, "", &unique("Hausaufgabe S. 12")).await?,
        post_now(author, channel_id, "", &unique("Falscher Kanal")).await?,
        post_now(author, channel_id, "", &unique("Ausflug am Montag")).await?,
    ))
}

/// Over the API, as `author` (`person`): corrects the first post, deletes
/// the second, likes the third. Returns the corrected text.
async fn change_three_posts(
    author: &Device,
    person: &Person,
    [corrected, deleted, liked]: [&pausenhof_core::model::Post; 3],
) -> Result<String> {
    use pausenhof_core::api::posts::{add_reaction, delete_post, patch_post, PostPatch};
    let api = author.client.api()?;
    let text = unique("Hausaufgabe S. 14");
    patch_post(
        &api,
        &corrected.id,
        &PostPatch {
            message: Some(text.clone()),
            ..PostPatch::default()
        },
    )
    .await?;
    delete_post(&api, &deleted.id).await?;
    add_reaction(&api, &person.id, &liked.id, "tada").await?;
    Ok(text)
}

/// Checks that `cached` (a timeline of `channel_id`) reads as a fresh
/// device of `person` shows the channel, where both hold it: from the later
/// of their oldest posts on.
async fn matches_a_fresh_device(
    sut: &impl ServerUnderTest,
    person: &Person,
    channel_id: &str,
    cached: &[pausenhof_core::reads::PostView],
    what: &str,
) -> Result<()> {
    let fresh = Device::signed_in(&sut.url(), person).await?;
    fresh.client.sync().await?;
    fresh.client.load_older(channel_id).await?;
    let truth = fresh.client.timeline(channel_id, 60).await?.posts;
    let visible = |posts: &[pausenhof_core::reads::PostView], from: i64| -> Vec<_> {
        posts
            .iter()
            .filter(|p| !p.deleted && p.create_at >= from)
            .map(|p| {
                (
                    p.id.clone(),
                    p.message.clone(),
                    p.edited,
                    p.reactions.clone(),
                )
            })
            .collect()
    };
    let oldest = |posts: &[pausenhof_core::reads::PostView]| {
        posts.iter().map(|p| p.create_at).min().unwrap_or(0)
    };
    let from = oldest(cached).max(oldest(&truth));
    let (mine, theirs) = (visible(cached, from), visible(&truth, from));
    ensure!(
        mine == theirs,
        "{}: the {what} cache differs from the server:\n{mine:#?}\nvs\n{theirs:#?}",
        sut.name()
    );
    Ok(())
}
