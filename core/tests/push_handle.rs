//! Handling pushes in a fresh process (a new Client over the same data
//! directory and secret store, no realtime started): every push type, the
//! notification rules end to end, acknowledgements, reply and mark read.

mod push_support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::channels::{create_direct, set_muted};
use pausenhof_core::push::rules::{NotifyReason, SilentReason};
use pausenhof_core::push::{
    Delivery, NotificationChannelKind, PushAction, PushDevice, PushPlatform,
};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Account, Role, ServerConfig, TestServer};
use push_support::{client, RecordingRegistrar};
use serde_json::json;

struct World {
    server: TestServer,
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
    me: Account,
    teacher: Account,
    dm: String,
    town_square: String,
}

/// A student who consented and registered, then "killed the app".
async fn world() -> World {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let first = client(dir.path(), secrets.clone());
    first.set_push_registrar(Arc::new(RecordingRegistrar::default()));
    first
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    first
        .grant_push_consent(Delivery::UnifiedPush, "v1")
        .await
        .unwrap();
    first
        .register_push_device(PushDevice {
            delivery: Delivery::UnifiedPush,
            platform: PushPlatform::Android,
            token: "gw-token".into(),
        })
        .await
        .unwrap();
    let dm = create_direct(&first.api().unwrap(), &me.user_id, &teacher.user_id)
        .await
        .unwrap()
        .id;
    let town_square = server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(first);
    World {
        server,
        dir,
        secrets,
        me,
        teacher,
        dm,
        town_square,
    }
}

impl World {
    fn fresh(&self) -> Client {
        fresh_client(self.dir.path(), self.secrets.clone())
    }

    fn last_push(&self) -> Vec<u8> {
        let pushes = self.server.sent_pushes();
        serde_json::to_vec(pushes.last().expect("a push was sent")).unwrap()
    }
}

fn fresh_client(dir: &Path, secrets: Arc<MemorySecretStore>) -> Client {
    client(dir, secrets)
}

/// The gateway's ids-only payload for a post.
fn ids_only(post: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "message",
        "post_id": post["id"],
        "channel_id": post["channel_id"],
        "badge": 2,
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_push_in_a_fresh_process_fetches_shows_and_acknowledges() {
    let w = world().await;
    w.server
        .post_as(&w.teacher.user_id, &w.dm, "Denk an die Hausaufgaben");
    let payload = w.last_push();
    let ack_id = w.server.sent_pushes()[0]["ack_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let client = w.fresh();
    let outcome = client.handle_push(&payload).await.unwrap();
    let PushAction::Show { notification } = outcome.action else {
        panic!("expected a notification, got {:?}", outcome.action);
    };
    assert_eq!(notification.body, "Denk an die Hausaufgaben");
    assert_eq!(notification.channel_id, w.dm);
    assert_eq!(notification.channel_kind, NotificationChannelKind::Direct);
    assert_eq!(notification.reason, NotifyReason::DirectMessage);
    assert_eq!(notification.sender_id, w.teacher.user_id);
    assert!(!notification.sender_name.is_empty());
    assert_eq!(notification.title, notification.sender_name);
    assert_eq!(notification.group_key, w.dm);
    assert!(notification.root_id.is_empty());
    assert!(notification.reply_allowed);

    let acks = w.server.push_acks();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["id"], ack_id);
    assert_eq!(acks[0]["type"], "message");
    assert_eq!(acks[0]["platform"], "android");
    assert_eq!(acks[0]["post_id"], notification.id);

    // The fetched post is in the store now: the same push again needs no
    // fetch of the post (the websocket-first path).
    w.server.reset_request_log();
    let again = client.handle_push(&payload).await.unwrap();
    assert!(matches!(again.action, PushAction::Show { .. }));
    let fetched_post = w
        .server
        .request_log()
        .iter()
        .any(|r| r.path.contains(&format!("/posts/{}", notification.id)));
    assert!(!fetched_post, "the cached post was fetched again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_decide_for_ids_only_pushes() {
    let w = world().await;
    let client = w.fresh();

    // A mention in a channel.
    let post = w.server.post_as(
        &w.teacher.user_id,
        &w.town_square,
        &format!("@{} bitte ins Sekretariat", w.me.username),
    );
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    assert_eq!(outcome.badge, Some(2));
    let PushAction::Show { notification } = outcome.action else {
        panic!("a mention notifies: {:?}", outcome.action);
    };
    assert_eq!(notification.reason, NotifyReason::Mention);
    assert_eq!(notification.channel_kind, NotificationChannelKind::Open);
    assert!(!notification.title.is_empty());

    // A push for a message the rules see no mention in (the server may
    // know better: a group mention, a followed thread) is still shown.
    let post = w
        .server
        .post_as(&w.teacher.user_id, &w.town_square, "@klasse-7b Wandertag");
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    let PushAction::Show { notification } = outcome.action else {
        panic!(
            "the server's push is trusted for mentions: {:?}",
            outcome.action
        );
    };
    assert_eq!(notification.reason, NotifyReason::ServerDecided);

    // Own posts never notify.
    let post = w.server.post_as(&w.me.user_id, &w.dm, "meine eigene");
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    assert_eq!(
        outcome.action,
        PushAction::Silent {
            reason: SilentReason::OwnPost
        }
    );

    // "Do not disturb" set after the server pushed: the server decided
    // with the status it had (it pushes nothing in DND), so the push is
    // shown without asking for the status again.
    w.server.set_status(&w.me.user_id, "dnd");
    w.server.reset_request_log();
    let post = w.server.post_as(&w.teacher.user_id, &w.dm, "kurz vor DND");
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    assert!(matches!(outcome.action, PushAction::Show { .. }));
    assert!(
        !w.server
            .request_log()
            .iter()
            .any(|r| r.path.contains("/status")),
        "the status was asked for"
    );
    w.server.set_status(&w.me.user_id, "offline");

    // The user's own level changed on another device: "all" now. The
    // cached level ("mention") lets the push through, so it is not asked
    // for: the server's push is trusted.
    let api = client.api().unwrap();
    let mut props = client.current_user().unwrap().notify_props;
    props.insert("push".into(), "all".into());
    let _: serde_json::Value = api
        .put("/users/me/patch", &json!({ "notify_props": props }))
        .await
        .unwrap();
    let post = w
        .server
        .post_as(&w.teacher.user_id, &w.town_square, "für alle");
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    let PushAction::Show { notification } = outcome.action else {
        panic!("the server pushed it: {:?}", outcome.action);
    };
    assert_eq!(notification.reason, NotifyReason::ServerDecided);
    let cached_level =
        |client: &Client| client.current_user().unwrap().notify_props["push"].clone();
    assert_ne!(cached_level(&client), "all", "the user was fetched");

    // A channel muted here (and on the server), even with a mention: the
    // cached settings silence it, and asked again they still do.
    client.set_channel_muted(&w.dm, true).await.unwrap();
    let post = w.server.post_as(
        &w.teacher.user_id,
        &w.dm,
        &format!("@{} gedämpft", w.me.username),
    );
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    assert_eq!(
        outcome.action,
        PushAction::Silent {
            reason: SilentReason::MutedChannel
        }
    );
    assert_eq!(
        cached_level(&client),
        "all",
        "the settings were asked again"
    );
    // Unmuted on another device: the cache still says muted, but a stale
    // cache must not hide a push. The next push shows again.
    set_muted(&client.api().unwrap(), &w.dm, false)
        .await
        .unwrap();
    let post = w.server.post_as(&w.teacher.user_id, &w.dm, "wieder laut");
    let outcome = client.handle_push(&ids_only(&post)).await.unwrap();
    assert!(matches!(outcome.action, PushAction::Show { .. }));
}

/// The usual push: the app synced before (the channel, the membership and
/// the sender are in its store), the message is new, and a new process
/// handles the gateway's ids-only push. The post is the one thing fetched;
/// the other request is the delivery receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_after_a_sync_fetches_only_the_post() {
    let w = world().await;
    let app = w.fresh();
    app.restore().await.unwrap();
    app.sync().await.unwrap();
    drop(app);
    w.server
        .post_as(&w.teacher.user_id, &w.dm, "Morgen fällt Sport aus");
    let sent = w.server.sent_pushes().last().cloned().unwrap();
    let payload = serde_json::to_vec(&json!({
        "type": "message",
        "ack_id": sent["ack_id"],
        "server_id": sent["server_id"],
        "post_id": sent["post_id"],
        "channel_id": sent["channel_id"],
    }))
    .unwrap();

    w.server.reset_request_log();
    let outcome = w.fresh().handle_push(&payload).await.unwrap();
    let PushAction::Show { notification } = outcome.action else {
        panic!("expected a notification, got {:?}", outcome.action);
    };
    assert_eq!(notification.body, "Morgen fällt Sport aus");
    assert!(!notification.title.is_empty());
    assert_eq!(notification.title, notification.sender_name);
    let mut requests: Vec<String> = w
        .server
        .request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    requests.sort();
    assert_eq!(
        requests,
        [
            format!("GET /api/v4/posts/{}", notification.id),
            "POST /api/v4/notifications/ack".to_owned(),
        ]
    );
}

/// The unread mentions of the direct channel in the client's store.
async fn dm_mentions(client: &Client, w: &World) -> i64 {
    let (dm, me) = (w.dm.clone(), w.me.user_id.clone());
    client
        .store()
        .unwrap()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT mention_count FROM channel_members WHERE channel_id = ?1 AND user_id = ?2",
                [dm, me],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_badge_test_and_session_pushes() {
    let w = world().await;
    let client = w.fresh();
    let push = |body: serde_json::Value| serde_json::to_vec(&body).unwrap();

    // An unread direct message, known to the store.
    w.server.post_as(&w.teacher.user_id, &w.dm, "ungelesen");
    client.restore().await.unwrap();
    client.sync().await.unwrap();
    assert!(dm_mentions(&client, &w).await > 0);
    let outcome = client
        .handle_push(&push(
            json!({"type":"clear","channel_id": w.dm, "badge": 0}),
        ))
        .await
        .unwrap();
    assert_eq!(
        dm_mentions(&client, &w).await,
        0,
        "read elsewhere, read here"
    );
    assert_eq!(
        outcome.action,
        PushAction::Clear {
            channel_id: w.dm.clone(),
            root_id: String::new()
        }
    );
    assert_eq!(outcome.badge, Some(0));

    let outcome = client
        .handle_push(&push(json!({"type":"update_badge","badge": 4})))
        .await
        .unwrap();
    assert_eq!(
        (outcome.action, outcome.badge),
        (PushAction::UpdateBadge, Some(4))
    );

    let outcome = client
        .handle_push(&push(json!({"type":"test","badge": -1})))
        .await
        .unwrap();
    assert_eq!((outcome.action, outcome.badge), (PushAction::Test, None));

    let outcome = client
        .handle_push(&push(json!({"type":"session"})))
        .await
        .unwrap();
    assert_eq!(outcome.action, PushAction::SessionValid);
    w.server.expire_sessions(&w.me.user_id);
    let outcome = client
        .handle_push(&push(json!({"type":"session"})))
        .await
        .unwrap();
    assert_eq!(outcome.action, PushAction::SessionEnded);
}

/// A thread read on another device clears its notification here, and its
/// unread replies with it: the Threads list must not keep counting them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_clear_push_marks_the_followed_thread_read() {
    let w = world().await;
    let root = w
        .server
        .post_as(&w.me.user_id, &w.town_square, "Wer hat die Folien?");
    let root_id = root["id"].as_str().unwrap().to_owned();
    w.server
        .reply_as(&w.teacher.user_id, &root_id, "Im Kursordner")
        .unwrap();
    w.server
        .reply_as(
            &w.teacher.user_id,
            &root_id,
            &format!("@{} siehe oben", w.me.username),
        )
        .unwrap();
    let client = w.fresh();
    client.restore().await.unwrap();
    client.sync().await.unwrap();
    let team = client.teams().await.unwrap().remove(0);
    let unread = |list: &pausenhof_core::reads::FollowedThreads| {
        let t = list.threads.iter().find(|t| t.root.id == root_id).unwrap();
        (t.unread_replies, t.unread_mentions)
    };
    let before = client.load_followed_threads(&team.id).await.unwrap();
    assert_eq!(unread(&before), (2, 1));

    let outcome = client
        .handle_push(
            &serde_json::to_vec(&json!({
                "type": "clear",
                "channel_id": w.town_square,
                "root_id": root_id,
                "badge": 0,
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome.action,
        PushAction::Clear {
            channel_id: w.town_square.clone(),
            root_id: root_id.clone()
        }
    );
    let after = client.followed_threads(&team.id).await.unwrap();
    assert_eq!(unread(&after), (0, 0), "read elsewhere, read here");
    assert_eq!(
        (after.unread_threads, after.unread_mentions),
        (before.unread_threads - 1, before.unread_mentions - 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_pushes_are_typed_errors_and_touch_nothing() {
    let w = world().await;
    let client = w.fresh();
    w.server.reset_request_log();
    for bad in [
        b"".to_vec(),
        b"{".to_vec(),
        b"[]".to_vec(),
        br#"{"type":"message"}"#.to_vec(),
        br#"{"type":"message","post_id":"a/b","channel_id":"c"}"#.to_vec(),
        vec![b' '; 64 * 1024],
    ] {
        let err = client.handle_push(&bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    assert_eq!(w.server.request_count(), 0);
    // A post id that does not exist: nothing to show.
    let outcome = client
        .handle_push(br#"{"type":"message","post_id":"nosuchpost0000000000000000","channel_id":"nosuchchannel0000000000000"}"#)
        .await
        .unwrap();
    assert_eq!(outcome.action, PushAction::Unavailable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_consent_nothing_is_shown_and_the_session_is_detached_again() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), Arc::new(MemorySecretStore::new()));
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    let dm = create_direct(&client.api().unwrap(), &me.user_id, &teacher.user_id)
        .await
        .unwrap();
    // The session carries a device id the store knows nothing of (e.g. the
    // store was rebuilt after the user withdrew).
    pausenhof_core::api::push::attach_device(&client.api().unwrap(), "android_rn-v2:stale")
        .await
        .unwrap();
    server.post_as(&teacher.user_id, &dm.id, "eins");
    let payload = serde_json::to_vec(server.sent_pushes().last().unwrap()).unwrap();
    let outcome = client.handle_push(&payload).await.unwrap();
    assert_eq!(outcome.action, PushAction::NotConsented);
    server.post_as(&teacher.user_id, &dm.id, "zwei");
    let last = server.sent_pushes().last().unwrap()["device_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(last.starts_with(pausenhof_core::push::WITHDRAWN_TOKEN_PREFIX));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_and_mark_read_from_a_notification_in_a_fresh_process() {
    let w = world().await;
    w.server
        .post_as(&w.teacher.user_id, &w.dm, "Kommst du morgen?");
    let client = w.fresh();
    let outcome = client.handle_push(&w.last_push()).await.unwrap();
    let PushAction::Show { notification } = outcome.action else {
        panic!("expected a notification");
    };
    let api = client.api().unwrap();
    let unread = pausenhof_core::api::channels::my_channel_member(&api, &w.dm)
        .await
        .unwrap();
    assert!(
        unread.mention_count > 0,
        "the direct message counts as unread"
    );

    // Mark read first: the outbox sends the view.
    client
        .mark_read_from_notification(&notification.channel_id)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let member = pausenhof_core::api::channels::my_channel_member(&api, &w.dm)
            .await
            .unwrap();
        if member.mention_count == 0 && member.last_viewed_at > unread.last_viewed_at {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never marked read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Then reply.
    client
        .reply_from_notification(
            &notification.channel_id,
            &notification.root_id,
            "Ja, bis morgen",
        )
        .await
        .unwrap();
    let (_teacher_dir, teacher) = client_as(&w.server, &w.teacher).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let posts = pausenhof_core::api::posts::channel_posts(
            &teacher,
            &w.dm,
            &pausenhof_core::api::posts::PostsPage::Since { since: 0 },
            false,
        )
        .await
        .unwrap();
        let replies = posts
            .posts
            .values()
            .filter(|p| p.message == "Ja, bis morgen" && p.user_id == w.me.user_id)
            .count();
        if replies == 1 {
            break;
        }
        assert_eq!(replies, 0, "the reply went out twice");
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reply never arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.stop_realtime();
}

async fn client_as(
    server: &TestServer,
    account: &Account,
) -> (tempfile::TempDir, pausenhof_core::api::ApiClient) {
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path(), Arc::new(MemorySecretStore::new()));
    c.sign_in_with_password(&server.url(), &account.username, &account.password, None)
        .await
        .unwrap();
    (dir, c.api().unwrap())
}
