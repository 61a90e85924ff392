//! End to end on loopback: the test server (as Mattermost, with
//! `PushNotificationContents = full`) sends its pushes to the gateway; a
//! UnifiedPush distributor on loopback receives the Web Push and decrypts
//! it with the app's keys; the app side is the real core (consent,
//! registration, withdrawal), and each decrypted push goes to
//! `handle_push` in a fresh client (the app was killed) over the same
//! store and secret store.

use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::channels::{create_direct, update_notify_props};
use pausenhof_core::push::rules::NotifyReason;
use pausenhof_core::push::{Delivery, Notification, NotificationChannelKind, PushAction};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::Client;
use pausenhof_scenarios::push::{
    loopback_http, AppDevice, Distributor, GatewayRegistrar, Received, IDS_ONLY_FIELDS,
};
use pausenhof_testserver::{Account, PushContents, Role, ServerConfig, TestServer};
use push_gateway::{Config, Gateway, PushResponse, SendReport};
use serde_json::Value;
use tokio::sync::broadcast;

/// Only guards against a hang; nothing asserts on time.
const PATIENCE: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------- setup

struct World {
    server: TestServer,
    gateway: Gateway,
    reports: broadcast::Receiver<SendReport>,
    distributor: Distributor,
    http: reqwest::Client,
    me: Account,
    teacher: Account,
    client: Client,
    client_dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
    registrar: Arc<GatewayRegistrar>,
    _gateway_dir: tempfile::TempDir,
}

async fn world() -> World {
    let gateway_dir = tempfile::tempdir().unwrap();
    let config = Config::from_toml(&format!(
        "listen = \"127.0.0.1:0\"\ndatabase = \"{}\"\nvapid_private_key = \"{}\"\n\
         vapid_subject = \"mailto:admin@schule.example\"\nallow_loopback_http_endpoints = true\n",
        gateway_dir.path().join("registrations.sqlite").display(),
        gateway_dir.path().join("vapid.pem").display(),
    ))
    .unwrap();
    let gateway = Gateway::start(config).await.unwrap();
    let reports = gateway.reports();
    let distributor = Distributor::start().await.unwrap();
    let server = TestServer::start(ServerConfig {
        push_proxy_url: Some(gateway.url()),
        push_contents: PushContents::Full,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let http = loopback_http().unwrap();
    let registrar = GatewayRegistrar::new(http.clone(), &gateway.url());
    let client_dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let client = Client::builder(client_dir.path())
        .secret_store(secrets.clone())
        .build()
        .unwrap();
    client.set_push_registrar(registrar.clone());
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    World {
        server,
        gateway,
        reports,
        distributor,
        http,
        me,
        teacher,
        client,
        client_dir,
        secrets,
        registrar,
        _gateway_dir: gateway_dir,
    }
}

impl World {
    /// The decrypted push, handled as the app does after being woken in a
    /// fresh process: the notification it shows.
    async fn show(&self, push: &[u8]) -> Notification {
        let fresh = Client::builder(self.client_dir.path())
            .secret_store(self.secrets.clone())
            .build()
            .unwrap();
        let outcome = fresh.handle_push(push).await.unwrap();
        match outcome.action {
            PushAction::Show { notification } => notification,
            other => panic!("expected a notification, got {other:?}"),
        }
    }

    /// Consent, gateway registration, device id on the session: what the
    /// app does after the consent screen.
    async fn consent_and_register(&self, device_name: &str) -> AppDevice {
        self.client
            .grant_push_consent(Delivery::UnifiedPush, "2026-11")
            .await
            .unwrap();
        let endpoint = self.distributor.endpoint(device_name);
        let device = AppDevice::register(&self.http, &self.gateway.url(), &endpoint)
            .await
            .unwrap();
        self.registrar.remember(&device);
        let status = self
            .client
            .register_push_device(device.push_device())
            .await
            .unwrap();
        assert!(status.registered.unwrap().attached);
        device
    }

    async fn next_report(&mut self) -> PushResponse {
        tokio::time::timeout(PATIENCE, self.reports.recv())
            .await
            .expect("the gateway answered no send_push")
            .expect("report channel open")
            .response
    }

    /// Posts as `author` and says whether the server decided to push.
    fn post(&self, author: &Account, channel_id: &str, message: &str) -> (String, bool) {
        let before = self.server.sent_pushes().len();
        let post = self.server.post_as(&author.user_id, channel_id, message);
        let pushed = self.server.sent_pushes().len() > before;
        (post["id"].as_str().unwrap().to_string(), pushed)
    }

    fn channel_id(&self, name: &str) -> String {
        self.server.channel_by_name("gsm", name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The decrypted push for a message: ids and the type only.
fn assert_ids_only(payload: &Value, post_id: &str, channel_id: &str) {
    assert_eq!(payload["type"], "message");
    assert_eq!(payload["post_id"], post_id);
    assert_eq!(payload["channel_id"], channel_id);
    for key in payload.as_object().unwrap().keys() {
        assert!(
            IDS_ONLY_FIELDS.contains(&key.as_str()),
            "unexpected field {key}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_reach_the_app_as_ids_only_and_stop_after_withdrawal() {
    let mut w = world().await;
    let device = w.consent_and_register("phone-1").await;
    let api = w.client.api().unwrap();
    let dm = create_direct(&api, &w.me.user_id, &w.teacher.user_id)
        .await
        .unwrap();
    let mut everything_the_distributor_saw: Vec<u8> = Vec::new();
    let mut keep = |received: &Received, plain: &[u8]| {
        everything_the_distributor_saw.extend(received.as_seen());
        everything_the_distributor_saw.extend(plain);
    };

    // A direct message: pushed, encrypted, ids only.
    let (dm_post, pushed) = w.post(
        &w.teacher,
        &dm.id,
        "Die Mathearbeit wird auf Donnerstag verschoben",
    );
    assert!(pushed);
    assert_eq!(w.next_report().await, PushResponse::Ok);
    let received = w.distributor.next(PATIENCE).await.unwrap();
    assert_eq!(received.device, "phone-1");
    assert_eq!(received.headers["content-encoding"], "aes128gcm");
    assert_eq!(received.headers["urgency"], "high");
    assert!(received.headers["authorization"]
        .to_str()
        .unwrap()
        .starts_with("vapid t="));
    let plain = device.decrypt(&received).unwrap();
    keep(&received, &plain);
    let payload: Value = serde_json::from_slice(&plain).unwrap();
    assert_ids_only(&payload, &dm_post, &dm.id);
    // The app shows the message it fetched itself, and acknowledges the
    // push with the ack id the gateway passed on.
    let first_push = plain.clone();
    let shown = w.show(&plain).await;
    assert_eq!(shown.id, dm_post);
    assert_eq!(shown.body, "Die Mathearbeit wird auf Donnerstag verschoben");
    assert_eq!(shown.channel_kind, NotificationChannelKind::Direct);
    assert_eq!(shown.reason, NotifyReason::DirectMessage);
    assert_eq!(shown.sender_id, w.teacher.user_id);
    assert!(w
        .server
        .push_acks()
        .iter()
        .any(|ack| ack["id"] == payload["ack_id"] && ack["post_id"] == dm_post.as_str()));

    // A muted channel, even with push set to "all": the server sends nothing.
    let off_topic = w.channel_id("off-topic");
    let mut props = pausenhof_core::model::StringMap::new();
    props.insert("push".into(), "all".into());
    props.insert("mark_unread".into(), "mention".into());
    update_notify_props(&api, &off_topic, &props).await.unwrap();
    let (_, pushed) = w.post(&w.teacher, &off_topic, "Wer kommt mit zum Sportfest?");
    assert!(!pushed, "a muted channel must not push");

    // A mention in an ordinary channel: pushed.
    let town = w.channel_id("town-square");
    let (plain_post, pushed) = w.post(&w.teacher, &town, "Erinnerung an alle: Wandertag");
    assert!(!pushed, "no mention, default push setting: no push");
    let mention = format!("@{} bitte im Sekretariat melden", w.me.username);
    let (mention_post, pushed) = w.post(&w.teacher, &town, &mention);
    assert!(pushed);
    assert_eq!(w.next_report().await, PushResponse::Ok);
    let received = w.distributor.next(PATIENCE).await.unwrap();
    let plain = device.decrypt(&received).unwrap();
    keep(&received, &plain);
    let payload: Value = serde_json::from_slice(&plain).unwrap();
    // The next push is the mention: neither the muted nor the plain post
    // came in between.
    assert_ids_only(&payload, &mention_post, &town);
    assert_ne!(payload["post_id"], plain_post.as_str());
    let shown = w.show(&plain).await;
    assert_eq!(shown.body, mention);
    assert_eq!(shown.reason, NotifyReason::Mention);
    assert_eq!(shown.channel_id, town);

    // Own posts never push.
    let (_, pushed) = w.post(&w.me, &dm.id, "Danke für die Info!");
    assert!(!pushed, "own posts must not push");

    // Do not disturb: no push.
    w.server.set_status(&w.me.user_id, "dnd");
    let (_, pushed) = w.post(&w.teacher, &dm.id, "Noch eine Frage zur Arbeit");
    assert!(!pushed, "do not disturb must not push");
    w.server.set_status(&w.me.user_id, "offline");

    // And everything is back: the next push is this one, nothing else
    // slipped through.
    let (barrier, pushed) = w.post(&w.teacher, &dm.id, "Bitte Taschenrechner mitbringen");
    assert!(pushed);
    assert_eq!(w.next_report().await, PushResponse::Ok);
    let received = w.distributor.next(PATIENCE).await.unwrap();
    let plain = device.decrypt(&received).unwrap();
    keep(&received, &plain);
    assert_ids_only(&serde_json::from_slice(&plain).unwrap(), &barrier, &dm.id);
    assert!(w.distributor.nothing_pending());

    // The distributor never saw text or names: not the messages, not what
    // the server put in message/sender_name/channel_name, not the
    // teacher's or the channel's names.
    let teacher = pausenhof_core::api::users::user(&api, &w.teacher.user_id)
        .await
        .unwrap();
    let mut forbidden: Vec<String> = vec![
        "Mathearbeit".into(),
        "Donnerstag".into(),
        "Sekretariat".into(),
        "Taschenrechner".into(),
        "Town Square".into(),
        w.teacher.username.clone(),
        w.teacher.user_id.clone(),
    ];
    forbidden.extend(
        [teacher.first_name, teacher.last_name, teacher.nickname]
            .into_iter()
            .filter(|n| n.len() >= 3),
    );
    for sent in w.server.sent_pushes() {
        for field in ["message", "sender_name", "channel_name", "sender_id"] {
            if let Some(text) = sent[field].as_str().filter(|t| t.len() >= 3) {
                forbidden.push(text.to_string());
            }
        }
    }
    assert!(forbidden.iter().any(|f| f.contains("Mathearbeit")));
    let seen = String::from_utf8_lossy(&everything_the_distributor_saw);
    for text in &forbidden {
        assert!(
            !seen.contains(text.as_str()),
            "the distributor saw {text:?}"
        );
    }

    // Withdrawal: the gateway registration is deleted by the app, and no
    // further push reaches the distributor.
    let status = w.client.withdraw_push_consent().await.unwrap();
    assert_eq!(status.teardowns_pending, 0);
    let (_, pushed) = w.post(&w.teacher, &dm.id, "Nach dem Widerruf");
    if pushed {
        // The session still carries a (placeholder) device id: the gateway
        // does not know it and tells the server to forget it.
        assert_eq!(w.next_report().await, PushResponse::Remove);
    }
    assert!(w.distributor.nothing_pending());
    // And a push that was still in flight shows nothing any more.
    let fresh = Client::builder(w.client_dir.path())
        .secret_store(w.secrets.clone())
        .build()
        .unwrap();
    let late = fresh.handle_push(&first_push).await.unwrap();
    assert_eq!(late.action, PushAction::NotConsented);
    assert!(!device
        .gateway_still_had(&w.http, &w.gateway.url())
        .await
        .unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_ends_in_remove_and_the_registration_is_deleted() {
    let mut w = world().await;
    let device = w.consent_and_register("old-phone").await;
    let api = w.client.api().unwrap();
    let dm = create_direct(&api, &w.me.user_id, &w.teacher.user_id)
        .await
        .unwrap();
    // The distributor was uninstalled: its push service answers 410.
    w.distributor.uninstall("old-phone");

    let (_, pushed) = w.post(&w.teacher, &dm.id, "Hallo?");
    assert!(pushed);
    assert_eq!(w.next_report().await, PushResponse::Remove);
    assert!(w.distributor.nothing_pending());
    assert!(!device
        .gateway_still_had(&w.http, &w.gateway.url())
        .await
        .unwrap());

    // The server forgot the device id: soon no push is sent at all.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, pushed) = w.post(&w.teacher, &dm.id, "Noch da?");
        if !pushed {
            break;
        }
        assert_eq!(w.next_report().await, PushResponse::Remove);
        assert!(tokio::time::Instant::now() < deadline, "pushes kept coming");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
