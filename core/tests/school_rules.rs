//! The school's rules through `Client` against the test server: terms of
//! service to accept or decline, editing one's own profile, deactivating
//! one's own account.

mod common;

use std::time::Duration;

use common::{device, live_device};
use pausenhof_core::markdown::Block;
use pausenhof_core::session::SessionState;
use pausenhof_core::{Client, Error, ProfileChanges};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

/// How long a change may take to reach the other device.
const REACH: Duration = Duration::from_secs(20);

const TERMS: &str = "# Schulordnung\n\nSei **freundlich**.";

async fn licensed_server() -> TestServer {
    TestServer::start(ServerConfig {
        licensed: true,
        ..ServerConfig::default()
    })
    .await
    .unwrap()
}

fn signed_in(client: &Client) -> bool {
    matches!(
        *client.session_state().borrow(),
        SessionState::SignedIn { .. }
    )
}

/// Polls a read of `client` until `check` holds.
async fn until<T, F, Fut>(what: &str, read: F, check: impl Fn(&T) -> bool)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = tokio::time::Instant::now() + REACH;
    loop {
        if check(&read().await) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terms_of_service_are_shown_until_accepted_and_again_when_new() {
    let server = licensed_server().await;
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    assert_eq!(client.pending_terms_of_service().await.unwrap(), None);

    let first = server.require_terms_of_service(TERMS);
    let pending = client
        .pending_terms_of_service()
        .await
        .unwrap()
        .expect("terms to accept");
    assert_eq!(pending.id, first);
    assert_eq!(pending.text, TERMS);
    assert!(matches!(pending.document.blocks[0], Block::Heading { .. }));

    client.accept_terms_of_service(&pending.id).await.unwrap();
    assert_eq!(client.pending_terms_of_service().await.unwrap(), None);
    assert_eq!(client.current_user().unwrap().terms_of_service_id, first);
    // Another device of the user sees them accepted.
    let (_other_dir, other) = device(&server, &me).await;
    assert_eq!(other.pending_terms_of_service().await.unwrap(), None);

    // A new version has to be accepted again.
    let second = server.require_terms_of_service("Neue Schulordnung.");
    let pending = client.pending_terms_of_service().await.unwrap().unwrap();
    assert_eq!(pending.id, second);

    assert!(matches!(
        client.accept_terms_of_service(" ").await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        client
            .accept_terms_of_service("nosuchtermsxxxxxxxxxxxxxxx")
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_the_terms_signs_out_and_erases_the_account_here() {
    let server = licensed_server().await;
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let terms = server.require_terms_of_service(TERMS);
    let account_dir = client.account_dir().unwrap();
    assert!(account_dir.exists());

    client.decline_terms_of_service(&terms).await.unwrap();
    assert!(!signed_in(&client));
    assert!(!account_dir.exists());
    assert_eq!(client.restore().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlicensed_server_requires_no_terms() {
    // As Mattermost's Team Edition: the setting never reaches clients.
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    server.require_terms_of_service(TERMS);
    assert_eq!(client.pending_terms_of_service().await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_edit_is_stored_at_once_and_reaches_the_other_device() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Teacher);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let user_id = a.current_user().unwrap().id;

    let changed = a
        .edit_profile(ProfileChanges {
            nickname: Some(" Frau M. ".into()),
            position: Some("Klassenlehrerin 7b".into()),
            ..ProfileChanges::default()
        })
        .await
        .unwrap();
    assert_eq!(changed.nickname, "Frau M.");
    assert_eq!(a.current_user().unwrap().position, "Klassenlehrerin 7b");
    let stored = a.user(&user_id).await.unwrap().expect("cached");
    assert_eq!(stored.nickname, "Frau M.");
    assert_eq!(stored.position, "Klassenlehrerin 7b");

    until(
        "the new position on device B",
        || b.user(&user_id),
        |u| {
            u.as_ref()
                .ok()
                .and_then(Option::as_ref)
                .is_some_and(|u| u.position == "Klassenlehrerin 7b")
        },
    )
    .await;

    assert!(matches!(
        a.edit_profile(ProfileChanges {
            first_name: Some(String::new()),
            ..ProfileChanges::default()
        })
        .await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_ones_own_account_erases_it_here() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let who = server.create_user("lea.weg", "lea.weg@schule.example", "Geheim-1234!");
    let (_dir, client) = device(&server, &who).await;
    assert!(client.account_deactivation_allowed().await.unwrap());
    let account_dir = client.account_dir().unwrap();

    client.deactivate_account().await.unwrap();
    assert!(!signed_in(&client));
    assert!(!account_dir.exists());
    // The account is gone on the server too: signing in again fails.
    let again = client
        .sign_in_with_password(&server.url(), &who.username, &who.password, None)
        .await;
    assert!(again.is_err(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_forbids_deactivation_says_so_and_keeps_the_session() {
    let server = TestServer::start(ServerConfig {
        enable_user_deactivation: false,
        ..ServerConfig::default()
    })
    .await
    .unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    assert!(!client.account_deactivation_allowed().await.unwrap());
    assert_eq!(
        client.deactivate_account().await,
        Err(Error::DeactivationDisabled)
    );
    assert!(signed_in(&client));
    assert!(client.account_dir().unwrap().exists());
    client.refresh_current_user().await.unwrap();
}
