//! Consent and registration against the test server: nothing reaches the
//! server before consent, the device id follows token changes and new
//! sign-ins, and after withdrawal no push reaches any push service.

mod push_support;

use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::channels::create_direct;
use pausenhof_core::push::{ConsentState, Delivery, PushDevice, PushPlatform};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_testserver::{Role, ServerConfig, TestServer};
use push_support::{client, start_proxy, RecordingRegistrar};

fn gateway_device(token: &str) -> PushDevice {
    PushDevice {
        delivery: Delivery::UnifiedPush,
        platform: PushPlatform::Android,
        token: token.into(),
    }
}

/// Tokens of the pushes the server decided to send, in order.
fn pushed_tokens(server: &TestServer) -> Vec<String> {
    server
        .sent_pushes()
        .iter()
        .map(|p| p["device_id"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check() {
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_registration_token_change_relogin_and_withdrawal() {
    let (proxy_url, proxy) = start_proxy().await;
    let server = TestServer::start(ServerConfig {
        push_proxy_url: Some(proxy_url),
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let client = client(dir.path(), secrets.clone());
    let registrar = Arc::new(RecordingRegistrar::default());
    client.set_push_registrar(registrar.clone());
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    let dm = create_direct(&client.api().unwrap(), &me.user_id, &teacher.user_id)
        .await
        .unwrap();

    // Before consent: registering is refused and the server has nothing.
    assert_eq!(client.push_consent().await.unwrap(), ConsentState::NotAsked);
    assert!(client
        .register_push_device(gateway_device("gw-1"))
        .await
        .is_err());
    server.post_as(&teacher.user_id, &dm.id, "vor der Einwilligung");
    assert!(server.sent_pushes().is_empty());

    // Consent for one delivery does not cover another.
    client
        .grant_push_consent(Delivery::UnifiedPush, "2026-11")
        .await
        .unwrap();
    let platform = PushDevice {
        delivery: Delivery::PlatformPush,
        ..gateway_device("fcm-1")
    };
    assert!(client.register_push_device(platform).await.is_err());

    proxy
        .live
        .lock()
        .unwrap()
        .extend(["gw-1".to_owned(), "gw-2".to_owned()]);
    let status = client
        .register_push_device(gateway_device("gw-1"))
        .await
        .unwrap();
    assert!(status.registered.as_ref().unwrap().attached);
    server.post_as(&teacher.user_id, &dm.id, "erste");
    assert_eq!(pushed_tokens(&server), ["gw-1"]);
    assert_eq!(server.sent_pushes()[0]["platform"], "android_rn-v2");

    // A new token replaces the old one on the session; the old one is
    // deleted at the gateway.
    client
        .register_push_device(gateway_device("gw-2"))
        .await
        .unwrap();
    assert_eq!(*registrar.deleted.lock().unwrap(), ["gw-1"]);
    server.post_as(&teacher.user_id, &dm.id, "zweite");
    assert_eq!(pushed_tokens(&server), ["gw-1", "gw-2"]);

    // A new sign-in (the old session ended) gets the device id again.
    server.expire_sessions(&me.user_id);
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    server.post_as(&teacher.user_id, &dm.id, "nach neuer Anmeldung");
    assert_eq!(pushed_tokens(&server), ["gw-1", "gw-2", "gw-2"]);

    // Withdrawal: the gateway registration is deleted and the session's
    // device id replaced by a dead placeholder at once.
    let status = client.withdraw_push_consent().await.unwrap();
    assert!(matches!(status.consent, ConsentState::Withdrawn { .. }));
    assert_eq!(status.teardowns_pending, 0);
    assert!(status.registered.is_none());
    assert_eq!(*registrar.deleted.lock().unwrap(), ["gw-1", "gw-2"]);
    proxy.live.lock().unwrap().clear();

    // The next post still reaches the proxy once, for the placeholder,
    // which it cannot deliver: it answers REMOVE and the server forgets
    // the device id.
    server.post_as(&teacher.user_id, &dm.id, "nach dem Widerruf");
    let tokens = pushed_tokens(&server);
    assert_eq!(tokens.len(), 4);
    assert!(tokens[3].starts_with(pausenhof_core::push::WITHDRAWN_TOKEN_PREFIX));
    eventually("the proxy saw the placeholder", || {
        proxy.received.lock().unwrap().len() == 4
    })
    .await;
    // Wait until the server processed the REMOVE: then no push at all.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let before = server.sent_pushes().len();
        server.post_as(&teacher.user_id, &dm.id, "noch eine");
        if server.sent_pushes().len() == before {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "pushes kept coming");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let real_after_withdrawal = pushed_tokens(&server)
        .into_iter()
        .skip(3)
        .filter(|t| !t.starts_with(pausenhof_core::push::WITHDRAWN_TOKEN_PREFIX))
        .count();
    assert_eq!(real_after_withdrawal, 0);

    // The log proves every decision.
    let log = client.push_consent_log().await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(matches!(
        &log[0].decision,
        ConsentState::Granted { delivery: Delivery::UnifiedPush, consent_text_version, .. }
            if consent_text_version == "2026-11"
    ));
    assert!(matches!(log[1].decision, ConsentState::Withdrawn { .. }));
    // Registering again needs consent again.
    assert!(client
        .register_push_device(gateway_device("gw-3"))
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_made_offline_completes_when_the_network_returns() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), Arc::new(MemorySecretStore::new()));
    let registrar = Arc::new(RecordingRegistrar::default());
    client.set_push_registrar(registrar.clone());
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    let dm = create_direct(&client.api().unwrap(), &me.user_id, &teacher.user_id)
        .await
        .unwrap();
    client
        .grant_push_consent(Delivery::UnifiedPush, "v1")
        .await
        .unwrap();
    client
        .register_push_device(gateway_device("gw-offline"))
        .await
        .unwrap();

    registrar
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    server.faults().set_down(true);
    let status = client.withdraw_push_consent().await.unwrap();
    assert!(matches!(status.consent, ConsentState::Withdrawn { .. }));
    assert_eq!(status.teardowns_pending, 1);

    server.faults().set_down(false);
    registrar
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let status = client.sync_push_registration().await.unwrap();
    assert_eq!(status.teardowns_pending, 0);
    assert_eq!(*registrar.deleted.lock().unwrap(), ["gw-offline"]);
    server.post_as(&teacher.user_id, &dm.id, "nach dem Widerruf");
    assert!(pushed_tokens(&server).iter().all(|t| t != "gw-offline"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_deletes_the_registration_at_its_push_service() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    let client = client(dir.path(), Arc::new(MemorySecretStore::new()));
    let registrar = Arc::new(RecordingRegistrar::default());
    client.set_push_registrar(registrar.clone());
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    client
        .grant_push_consent(Delivery::UnifiedPush, "v1")
        .await
        .unwrap();
    client
        .register_push_device(gateway_device("gw-logout"))
        .await
        .unwrap();
    client.sign_out().await.unwrap();
    assert_eq!(*registrar.deleted.lock().unwrap(), ["gw-logout"]);
}

/// The consent log is a legal record (GDPR Art. 7(1)): a cache rebuilt
/// after corruption keeps it, the data export carries it, and only erasing
/// the account removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_log_outlives_a_rebuilt_cache_is_exported_and_ends_with_the_account() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let student = server.account(Role::Student);
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let first = client(dir.path(), secrets.clone());
    first
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    first
        .grant_push_consent(Delivery::BackgroundConnection, "v3")
        .await
        .unwrap();
    first.withdraw_push_consent().await.unwrap();
    let logged = first.push_consent_log().await.unwrap();
    assert_eq!(logged.len(), 2);
    let account_dir = first.account_dir().unwrap();
    drop(first);

    // The cache is zeroed while the app is closed (a torn write, a bad
    // sector): the next start rebuilds it.
    let cache = account_dir.join("store.sqlite");
    let size = std::fs::metadata(&cache).unwrap().len() as usize;
    std::fs::write(&cache, vec![0u8; size.max(4096)]).unwrap();
    let again = client(dir.path(), secrets.clone());
    again.restore().await.unwrap().expect("still signed in");
    assert_eq!(again.push_consent_log().await.unwrap(), logged);
    assert!(matches!(
        again.push_consent().await.unwrap(),
        ConsentState::Withdrawn { .. }
    ));

    let export = serde_json::to_value(again.export_my_data().await.unwrap()).unwrap();
    let exported = export["notification_consent"].as_array().unwrap();
    assert_eq!(exported.len(), 2, "{export}");
    assert_eq!(exported[0]["decision"]["state"], "granted");
    assert_eq!(exported[0]["decision"]["consent_text_version"], "v3");
    assert_eq!(exported[1]["decision"]["state"], "withdrawn");

    // Signing out erases the account, its records with it.
    again.sign_out().await.unwrap();
    assert!(!account_dir.exists(), "the account's folder is left");
    let back = client(dir.path(), secrets);
    back.sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    assert!(back.push_consent_log().await.unwrap().is_empty());
}
