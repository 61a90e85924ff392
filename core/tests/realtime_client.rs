//! The app-facing methods on `Client`: start the websocket, send through
//! the outbox, see the post arrive, mark a channel viewed, stop at logout.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{count, eventually, within};
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::Client;
use pausenhof_testserver::{Role, ServerConfig, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_sends_through_the_outbox_and_hears_back_over_the_websocket() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let client = Client::builder(data_dir.path())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .build()
        .unwrap();
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    client.sync().await.unwrap();
    let handle = client.start_realtime().unwrap();
    within(
        Duration::from_secs(20),
        handle.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await;

    let store = client.store().unwrap();
    let channel: String = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id
                 WHERE c.delete_at = 0 AND c.type = 'O' LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    let key = client
        .send_post(&channel, "", "Hallo aus dem Test")
        .await
        .unwrap();
    within(Duration::from_secs(20), async {
        while !client.pending_sends().await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let k = key.clone();
    eventually(&store, "the server copy replaced the echo", move |c| {
        count(c, &format!("SELECT count(*) FROM posts WHERE id = '{k}'")) == 0
            && count(
                c,
                "SELECT count(*) FROM posts WHERE message = 'Hallo aus dem Test'",
            ) == 1
    })
    .await;
    let post_id: String = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT id FROM posts WHERE message = 'Hallo aus dem Test'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    client.add_reaction(&post_id, "tada").await.unwrap();
    client
        .edit_post(&post_id, "Hallo, bearbeitet")
        .await
        .unwrap();
    client.mark_channel_viewed(&channel).await.unwrap();
    within(Duration::from_secs(20), async {
        while !client.pending_sends().await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let on_server = pausenhof_core::api::posts::post(&client.api().unwrap(), &post_id)
        .await
        .unwrap();
    assert_eq!(on_server.message, "Hallo, bearbeitet");
    assert_eq!(on_server.metadata.reactions.len(), 1);
    assert!(client.typing_users(&channel, "").unwrap().is_empty());

    client.sign_out().await.unwrap();
    within(Duration::from_secs(10), async {
        while server.websocket_count() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_post_by_someone_new_shows_their_name_not_their_id() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let data_dir = tempfile::tempdir().unwrap();
    let client = Client::builder(data_dir.path())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .build()
        .unwrap();
    client
        .sign_in_with_password(&server.url(), &me.username, &me.password, None)
        .await
        .unwrap();
    client.sync().await.unwrap();
    let handle = client.start_realtime().unwrap();
    within(
        Duration::from_secs(20),
        handle.wait_for(|s| *s == ConnectionState::Connected),
    )
    .await;
    // Someone the cache has never seen joins after the sync and posts.
    let newcomer = server.create_user(
        "neu.zugang",
        "neu.zugang@gsm.schule.test",
        "Neu-Zugang-Pw1!",
    );
    server.add_to_team(&newcomer.user_id, "gsm").unwrap();
    let square = server.channel_by_name("gsm", "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = server.post_as(&newcomer.user_id, &square, "Hallo, ich bin neu!");
    let post_id = post["id"].as_str().unwrap().to_owned();
    let store = client.store().unwrap();
    let author = newcomer.user_id.clone();
    eventually(&store, "the newcomer's profile", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM users WHERE id = '{author}'"),
        ) == 1
    })
    .await;
    let shown = client
        .timeline(&square, 30)
        .await
        .unwrap()
        .posts
        .into_iter()
        .find(|p| p.id == post_id)
        .expect("the live post in the timeline");
    assert_eq!(shown.author_username, "neu.zugang");
    assert_ne!(shown.author_name, newcomer.user_id);
}
