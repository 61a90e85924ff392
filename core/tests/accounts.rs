//! Several accounts in one client: two students on two test servers,
//! signed in one after the other in one process. Pushes find their
//! account (also in a fresh process), switching keeps each account's data
//! apart, signing out of one leaves the other.

mod push_support;

use std::path::Path;
use std::sync::Arc;

use pausenhof_core::api::channels::create_direct;
use pausenhof_core::push::{Delivery, PushAction, PushDevice, PushPlatform};
use pausenhof_core::session::{MemorySecretStore, SecretStore, SessionState};
use pausenhof_core::{AccountSummary, Client, Error};
use pausenhof_testserver::{Account, Role, ServerConfig, TestServer};
use push_support::{client, RecordingRegistrar};
use serde_json::json;

/// One school: its server, the student signed in, a teacher who writes
/// to them, and their direct message channel.
struct School {
    server: TestServer,
    student: Account,
    teacher: Account,
    dm: String,
}

struct World {
    a: School,
    b: School,
    dir: tempfile::TempDir,
    secrets: Arc<MemorySecretStore>,
    client: Client,
}

/// Signs the student of `server` in on `client` (adding an account when
/// one is signed in already), with push consent and a registration.
async fn sign_in_school(client: &Client, server: TestServer) -> School {
    let student = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    client
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    client
        .grant_push_consent(Delivery::UnifiedPush, "v1")
        .await
        .unwrap();
    client
        .register_push_device(PushDevice {
            delivery: Delivery::UnifiedPush,
            platform: PushPlatform::Android,
            token: "gw-token".into(),
        })
        .await
        .unwrap();
    let dm = create_direct(&client.api().unwrap(), &student.user_id, &teacher.user_id)
        .await
        .unwrap()
        .id;
    School {
        server,
        student,
        teacher,
        dm,
    }
}

/// School A signed in first, then school B (now active).
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::new());
    let client = new_client(dir.path(), secrets.clone());
    let a = sign_in_school(
        &client,
        TestServer::start(ServerConfig::default()).await.unwrap(),
    )
    .await;
    let b = sign_in_school(
        &client,
        TestServer::start(ServerConfig::default()).await.unwrap(),
    )
    .await;
    World {
        a,
        b,
        dir,
        secrets,
        client,
    }
}

fn new_client(dir: &Path, secrets: Arc<MemorySecretStore>) -> Client {
    let client = client(dir, secrets);
    client.set_push_registrar(Arc::new(RecordingRegistrar::default()));
    client
}

impl World {
    fn fresh(&self) -> Client {
        new_client(self.dir.path(), self.secrets.clone())
    }
}

fn summary_of<'a>(accounts: &'a [AccountSummary], school: &School) -> &'a AccountSummary {
    accounts
        .iter()
        .find(|a| a.user_id == school.student.user_id && a.server_url == school.server.url())
        .expect("the school's account is listed")
}

fn key_of(client: &Client, school: &School) -> String {
    summary_of(&client.accounts().unwrap(), school).key.clone()
}

fn last_push(server: &TestServer) -> Vec<u8> {
    let pushes = server.sent_pushes();
    serde_json::to_vec(pushes.last().expect("a push was sent")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_again_adds_an_account_and_makes_it_active() {
    let w = world().await;
    let accounts = w.client.accounts().unwrap();
    assert_eq!(accounts.len(), 2);
    let (a, b) = (summary_of(&accounts, &w.a), summary_of(&accounts, &w.b));
    assert!(b.active && !a.active);
    assert_ne!(a.key, b.key);
    assert_eq!(a.username, w.a.student.username);
    assert_eq!(w.client.active_account_key(), Some(b.key.clone()));
    assert_eq!(
        *w.client.session_state().borrow(),
        SessionState::SignedIn {
            user_id: w.b.student.user_id.clone()
        }
    );
    assert_eq!(w.client.server_url().unwrap().as_str(), w.b.server.url());
    // Both tokens are kept.
    for key in [&a.key, &b.key] {
        let secret = format!("pausenhof.session.{key}");
        assert!(w.secrets.get(&secret).unwrap().is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_find_their_account_in_the_same_and_a_fresh_process() {
    let w = world().await;
    let (key_a, key_b) = (key_of(&w.client, &w.a), key_of(&w.client, &w.b));
    w.a.server
        .post_as(&w.a.teacher.user_id, &w.a.dm, "Nachricht aus Schule A");
    w.b.server
        .post_as(&w.b.teacher.user_id, &w.b.dm, "Nachricht aus Schule B");
    let (push_a, push_b) = (last_push(&w.a.server), last_push(&w.b.server));

    for client in [w.client.clone(), w.fresh()] {
        let outcome = client.handle_push(&push_a).await.unwrap();
        assert_eq!(outcome.account_key, key_a);
        let PushAction::Show { notification } = outcome.action else {
            panic!("expected a notification, got {:?}", outcome.action);
        };
        assert_eq!(notification.channel_id, w.a.dm);
        assert_eq!(notification.body, "Nachricht aus Schule A");

        let outcome = client.handle_push(&push_b).await.unwrap();
        assert_eq!(outcome.account_key, key_b);
        let PushAction::Show { notification } = outcome.action else {
            panic!("expected a notification, got {:?}", outcome.action);
        };
        assert_eq!(notification.channel_id, w.b.dm);
        assert_eq!(notification.body, "Nachricht aus Schule B");
        // A push of the other account does not change what the app shows.
        assert_eq!(client.active_account_key(), Some(key_b.clone()));
    }
    // Each server was acknowledged by its own account.
    assert_eq!(w.a.server.push_acks().len(), 2);
    assert_eq!(w.b.server.push_acks().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateways_ids_only_push_routes_by_server_id_and_a_stranger_is_refused() {
    let w = world().await;
    let post =
        w.a.server
            .post_as(&w.a.teacher.user_id, &w.a.dm, "Nur Ids, bitte");
    let server_id = w.a.server.sent_pushes().last().unwrap()["server_id"].clone();
    let gateway = |server_id: serde_json::Value| {
        serde_json::to_vec(&json!({
            "type": "message", "version": "v2", "server_id": server_id,
            "post_id": post["id"], "channel_id": post["channel_id"], "badge": 1,
        }))
        .unwrap()
    };
    let client = w.fresh();
    let outcome = client.handle_push(&gateway(server_id)).await.unwrap();
    assert_eq!(outcome.account_key, key_of(&client, &w.a));
    let PushAction::Show { notification } = outcome.action else {
        panic!("expected a notification, got {:?}", outcome.action);
    };
    assert_eq!(notification.body, "Nur Ids, bitte");

    let stranger = client
        .handle_push(&gateway(json!("unknownserver00000000000000")))
        .await;
    assert!(matches!(stranger, Err(Error::Unauthorized)), "{stranger:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replying_from_a_notification_goes_out_from_the_channels_account() {
    let w = world().await;
    w.a.server
        .post_as(&w.a.teacher.user_id, &w.a.dm, "Kommst du morgen?");
    let client = w.fresh();
    client.handle_push(&last_push(&w.a.server)).await.unwrap();
    client
        .reply_from_notification(&w.a.dm, "", "Ja, bis morgen")
        .await
        .unwrap();
    // The reply reached school A's server (as the student's post) and
    // nothing was sent to school B's.
    let log = w.a.server.request_log();
    assert!(log
        .iter()
        .any(|r| r.method == "POST" && r.path == "/api/v4/posts"));
    assert!(!w
        .b
        .server
        .request_log()
        .iter()
        .any(|r| r.method == "POST" && r.path == "/api/v4/posts"));
    assert_eq!(client.active_account_key(), Some(key_of(&client, &w.b)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_keeps_each_accounts_data_apart() {
    let w = world().await;
    let (key_a, key_b) = (key_of(&w.client, &w.a), key_of(&w.client, &w.b));
    // The seeded data of two test servers is alike (ids included): each
    // school gets a team of its own name.
    for (school, name) in [(&w.a, "schule-a"), (&w.b, "schule-b")] {
        school.server.create_team(name, name, true, "");
        school
            .server
            .add_to_team(&school.student.user_id, name)
            .unwrap();
    }
    let team_names = |teams: Vec<pausenhof_core::reads::TeamView>| -> Vec<String> {
        teams.into_iter().map(|t| t.name).collect()
    };
    let shows = |names: &[String], name: &str| names.iter().any(|n| n == name);
    w.client.sync().await.unwrap();
    let names = team_names(w.client.teams().await.unwrap());
    assert!(
        shows(&names, "schule-b") && !shows(&names, "schule-a"),
        "{names:?}"
    );
    w.client.start_realtime().unwrap();

    let user = w.client.switch_account(&key_a).await.unwrap();
    assert_eq!(user.id, w.a.student.user_id);
    assert_eq!(w.client.active_account_key(), Some(key_a.clone()));
    assert_eq!(
        *w.client.session_state().borrow(),
        SessionState::SignedIn {
            user_id: w.a.student.user_id.clone()
        }
    );
    assert_eq!(w.client.server_url().unwrap().as_str(), w.a.server.url());
    assert_eq!(w.client.current_user().unwrap().id, w.a.student.user_id);
    // B's live services stopped with the switch; A's are not started.
    assert!(matches!(
        w.client.connection_state(),
        Err(Error::NotStarted)
    ));
    // A was never synced: none of B's teams show here.
    assert!(w.client.teams().await.unwrap().is_empty());
    w.client.sync().await.unwrap();
    let names = team_names(w.client.teams().await.unwrap());
    assert!(
        shows(&names, "schule-a") && !shows(&names, "schule-b"),
        "{names:?}"
    );

    w.client.switch_account(&key_b).await.unwrap();
    let names = team_names(w.client.teams().await.unwrap());
    assert!(
        shows(&names, "schule-b") && !shows(&names, "schule-a"),
        "{names:?}"
    );
    let unknown = w.client.switch_account("nobody").await;
    assert!(matches!(unknown, Err(Error::InvalidInput { .. })));
    assert_eq!(w.client.active_account_key(), Some(key_b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_process_restores_both_with_the_last_used_active() {
    let w = world().await;
    let key_a = key_of(&w.client, &w.a);
    let fresh = w.fresh();
    assert_eq!(
        fresh.restore().await.unwrap().unwrap().id,
        w.b.student.user_id
    );
    assert_eq!(fresh.accounts().unwrap().len(), 2);
    fresh.switch_account(&key_a).await.unwrap();
    assert_eq!(
        fresh.refresh_current_user().await.unwrap().id,
        w.a.student.user_id
    );
    drop(fresh);
    let again = w.fresh();
    assert_eq!(
        again.restore().await.unwrap().unwrap().id,
        w.a.student.user_id
    );
    assert!(summary_of(&again.accounts().unwrap(), &w.a).active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_of_one_account_leaves_the_other() {
    let w = world().await;
    let (key_a, key_b) = (key_of(&w.client, &w.a), key_of(&w.client, &w.b));
    let dir_of = |key: &str| w.dir.path().join("accounts").join(key);
    assert!(dir_of(&key_a).exists() && dir_of(&key_b).exists());

    // Not the active one: B stays active and untouched.
    w.client.sign_out_account(&key_a).await.unwrap();
    assert_eq!(w.client.active_account_key(), Some(key_b.clone()));
    assert_eq!(
        *w.client.session_state().borrow(),
        SessionState::SignedIn {
            user_id: w.b.student.user_id.clone()
        }
    );
    let left: Vec<String> = w
        .client
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(left, std::slice::from_ref(&key_b));
    assert!(!dir_of(&key_a).exists() && dir_of(&key_b).exists());
    let token = |key: &str| w.secrets.get(&format!("pausenhof.session.{key}")).unwrap();
    assert!(token(&key_a).is_none() && token(&key_b).is_some());
    assert_eq!(
        w.client.refresh_current_user().await.unwrap().id,
        w.b.student.user_id
    );
    // A's session ended on its server, B's did not.
    assert!(w
        .a
        .server
        .request_log()
        .iter()
        .any(|r| r.path == "/api/v4/users/logout"));
    assert!(!w
        .b
        .server
        .request_log()
        .iter()
        .any(|r| r.path == "/api/v4/users/logout"));
    // A fresh process finds only B.
    assert_eq!(
        w.fresh().restore().await.unwrap().unwrap().id,
        w.b.student.user_id
    );
    let sign_out_unknown = w.client.sign_out_account(&key_a).await;
    assert!(matches!(sign_out_unknown, Err(Error::InvalidInput { .. })));

    w.client.sign_out().await.unwrap();
    assert_eq!(*w.client.session_state().borrow(), SessionState::SignedOut);
    assert!(w.client.accounts().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_of_the_active_account_makes_the_other_active() {
    let w = world().await;
    let key_a = key_of(&w.client, &w.a);
    // Sent while B was signed in, handled after.
    w.b.server
        .post_as(&w.b.teacher.user_id, &w.b.dm, "Noch da?");
    let late_push = last_push(&w.b.server);
    w.client.sign_out().await.unwrap();
    assert_eq!(w.client.active_account_key(), Some(key_a));
    assert_eq!(
        *w.client.session_state().borrow(),
        SessionState::SignedIn {
            user_id: w.a.student.user_id.clone()
        }
    );
    assert_eq!(
        w.client.refresh_current_user().await.unwrap().id,
        w.a.student.user_id
    );
    // A push of the signed-out server finds no account any more.
    let refused = w.client.handle_push(&late_push).await;
    assert!(matches!(refused, Err(Error::Unauthorized)), "{refused:?}");
}
