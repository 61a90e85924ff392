//! Background-connection mode: new posts from the websocket become
//! notifications while the app is in the background, by the same rules
//! as pushes, and only with consent.

mod push_support;

use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::api::channels::create_direct;
use pausenhof_core::push::rules::NotifyReason;
use pausenhof_core::push::{Delivery, Notification};
use pausenhof_core::realtime::{ConnectionState, LifecycleInput};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::BackgroundNotifications;
use pausenhof_core::Client;
use pausenhof_testserver::{Role, ServerConfig, TestServer};
use push_support::client;

async fn next(notes: &mut BackgroundNotifications) -> Notification {
    tokio::time::timeout(Duration::from_secs(20), notes.next())
        .await
        .expect("a notification arrives")
        .expect("the stream is open")
}

/// Waits until the websocket stored the post with this text.
async fn stored(client: &Client, text: &'static str) {
    let store = client.store().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let n: i64 = store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM posts WHERE message = ?1",
                    [text],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        if n > 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never stored: {text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_notify_in_the_background_only_and_only_with_consent() {
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
        .unwrap()
        .id;
    let town_square = server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    client.sync().await.unwrap();
    client
        .grant_push_consent(Delivery::BackgroundConnection, "v1")
        .await
        .unwrap();
    client.start_realtime().unwrap();
    let mut notes = client.background_notifications().unwrap();
    let mut state = client.connection_state().unwrap();
    tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await
    .unwrap()
    .unwrap();

    // In the foreground: no notification.
    server.post_as(&teacher.user_id, &dm, "im Vordergrund");
    stored(&client, "im Vordergrund").await;

    client
        .lifecycle(LifecycleInput::KeepBackgroundConnection(true))
        .unwrap();
    client.lifecycle(LifecycleInput::Background).unwrap();
    // A plain channel message is silent; a direct message and a mention
    // notify.
    server.post_as(&teacher.user_id, &town_square, "ohne Erwähnung");
    server.post_as(&teacher.user_id, &dm, "im Hintergrund");
    let note = next(&mut notes).await;
    assert_eq!(note.body, "im Hintergrund");
    assert_eq!(note.reason, NotifyReason::DirectMessage);
    assert_eq!(note.channel_id, dm);
    server.post_as(
        &teacher.user_id,
        &town_square,
        &format!("@{} kommst du?", me.username),
    );
    let note = next(&mut notes).await;
    assert_eq!(note.reason, NotifyReason::Mention);
    // Own posts never notify.
    server.post_as(&me.user_id, &dm, "von mir");

    // Withdrawn: nothing, until consent is given again.
    client.withdraw_push_consent().await.unwrap();
    server.post_as(&teacher.user_id, &dm, "nach dem Widerruf");
    stored(&client, "nach dem Widerruf").await;
    client
        .grant_push_consent(Delivery::BackgroundConnection, "v1")
        .await
        .unwrap();
    server.post_as(&teacher.user_id, &dm, "wieder erlaubt");
    assert_eq!(next(&mut notes).await.body, "wieder erlaubt");

    // Back in the foreground: nothing again.
    client.lifecycle(LifecycleInput::Foreground).unwrap();
    server.post_as(&teacher.user_id, &dm, "wieder vorne");
    stored(&client, "wieder vorne").await;
    client.lifecycle(LifecycleInput::Background).unwrap();
    server.post_as(&teacher.user_id, &dm, "letzte");
    assert_eq!(next(&mut notes).await.body, "letzte");
    client.stop_realtime();
}
