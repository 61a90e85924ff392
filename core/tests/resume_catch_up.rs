//! The catch-up of an app that comes back: it starts the websocket and
//! syncs at once. When the socket resumes, the server replays what was
//! missed and the sync asks the server for nothing else; when it cannot
//! resume, the sync asks every cached channel. Either way the store ends
//! equal to the server.

mod common;

use std::time::Duration;

use common::*;
use pausenhof_core::api::posts::{add_reaction, delete_post, patch_post, PostPatch};
use pausenhof_core::realtime::ConnectionState;
use pausenhof_core::sync::SyncKind;
use pausenhof_core::Client;
use pausenhof_testserver::{Account, Role, ServerConfig, TestServer};

/// Town square and off-topic of the signed-in user's first team.
async fn two_channels(server: &TestServer, client: &Client) -> (String, String) {
    let teams = pausenhof_core::api::teams::my_teams(&client.api().unwrap())
        .await
        .unwrap();
    let team = &teams[0].name;
    let id = |name: &str| {
        server.channel_by_name(team, name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (id("town-square"), id("off-topic"))
}

fn classmate(server: &TestServer, me: &str, channels: &[&str]) -> Account {
    server
        .accounts()
        .into_iter()
        .filter(|a| a.user_id != me && a.mfa_secret.is_none())
        .find(|a| {
            channels
                .iter()
                .all(|c| server.try_post_as(&a.user_id, c, "Hallo").is_ok())
        })
        .expect("a classmate in both channels")
}

/// Starts the socket and waits until the catch-up owed by its first
/// `hello` is done (not only started): the store is then in step with the
/// server, and no request of that catch-up comes later.
async fn in_step(client: &Client) {
    let handle = client.start_realtime().unwrap();
    assert!(
        handle.wait_in_step(Duration::from_secs(20)).await,
        "the socket never got in step"
    );
    within(Duration::from_secs(20), async {
        loop {
            let settled = client
                .store()
                .unwrap()
                .read(pausenhof_core::realtime::events_catch_up_settled)
                .await
                .unwrap();
            if settled {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

/// A post as the timeline shows it: time, id, message, edited, reactions.
type Shown = (i64, String, String, bool, Vec<String>);

/// What the timeline of `channel_id` shows, oldest first.
async fn shown(client: &Client, channel_id: &str) -> Vec<Shown> {
    client
        .timeline(channel_id, 60)
        .await
        .unwrap()
        .posts
        .into_iter()
        .filter(|p| !p.deleted)
        .map(|p| {
            let mut reactions: Vec<String> = p
                .reactions
                .iter()
                .map(|r| format!("{}:{}", r.emoji_name, r.count))
                .collect();
            reactions.sort();
            (p.create_at, p.id, p.message, p.edited, reactions)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Changes of every kind in two channels while `client` is away; returns
/// nothing, the comparison with a fresh device tells what arrived.
async fn changes_while_away(
    server: &TestServer,
    other: &Session,
    channels: (&str, &str),
    before: (&str, &str, &str),
    round: usize,
) {
    let (edited, deleted, liked) = before;
    for n in 0..4 {
        server.post_as(
            &other.user_id,
            channels.0,
            &format!("Runde {round}: neu {n}"),
        );
    }
    server.post_as(
        &other.user_id,
        channels.1,
        &format!("Runde {round}: drüben"),
    );
    patch_post(
        &other.api,
        edited,
        &PostPatch {
            message: Some(format!("Runde {round}: Seite 14, nicht 12")),
            ..PostPatch::default()
        },
    )
    .await
    .unwrap();
    delete_post(&other.api, deleted).await.unwrap();
    add_reaction(&other.api, &other.user_id, liked, "tada")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_socket_replaces_the_rest_catch_up_and_a_lost_one_does_not() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let (town, off) = two_channels(&server, &client).await;
    let other = classmate(&server, &me.user_id, &[&town, &off]);
    let mut other_session = sign_in(&server, &other, limits(Duration::from_secs(5))).await;
    let post = |channel: &str, text: &str| {
        server.post_as(&other.user_id, channel, text)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    for round in 0..2 {
        let edited = post(&off, "Hausaufgabe: Seite 12");
        let deleted = post(&off, "falscher Kanal");
        let liked = post(&town, "Ausflug am Montag");
        in_step(&client).await;
        client.sync().await.unwrap();
        let cached = shown(&client, &off).await;
        assert!(
            cached.iter().any(|p| p.1 == edited) && cached.iter().any(|p| p.1 == deleted),
            "round {round}: the posts made before the socket started are not cached: {cached:?}"
        );

        // The app goes away (its socket closes), things happen, it comes
        // back and syncs while the socket connects.
        client.stop_realtime();
        if round == 1 {
            // Away too long: the server forgot the connection.
            server.restart().await;
            // The classmate's pooled connections died with the restart; the
            // changes below are not what this test is about.
            other_session = sign_in(&server, &other, limits(Duration::from_secs(5))).await;
        }
        changes_while_away(
            &server,
            &other_session,
            (&town, &off),
            (&edited, &deleted, &liked),
            round,
        )
        .await;
        server.reset_request_log();
        client.start_realtime().unwrap();
        let report = client.sync().await.unwrap();
        assert_eq!(report.kind, SyncKind::CatchUp);
        let rest: Vec<String> = server
            .request_log()
            .into_iter()
            .filter(|r| !r.path.ends_with("/websocket"))
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect();
        let asked_posts = rest.iter().filter(|r| r.contains("/posts")).count();
        if round == 0 {
            assert!(rest.is_empty(), "a resume needs no REST: {rest:?}");
        } else {
            // Every cached channel is asked what changed in it.
            assert!(asked_posts >= 2, "no channel was asked: {rest:?}");
        }

        // Whatever the way, the store now shows what a fresh device shows.
        let (_fresh_dir, fresh) = device(&server, &me).await;
        for channel in [&town, &off] {
            fresh.load_older(channel).await.unwrap();
            let cached = shown(&client, channel).await;
            let truth = shown(&fresh, channel).await;
            // Compared from the later of the two oldest posts on.
            let from = cached
                .first()
                .map_or(0, |p| p.0)
                .max(truth.first().map_or(0, |p| p.0));
            let since = |posts: &[Shown]| -> Vec<Shown> {
                posts.iter().filter(|p| p.0 >= from).cloned().collect()
            };
            assert!(!since(&truth).is_empty());
            assert_eq!(
                since(&cached),
                since(&truth),
                "round {round}: channel {channel} differs from the server"
            );
        }
        let state = client.connection_state().unwrap();
        assert_eq!(*state.borrow(), ConnectionState::Connected);
    }
}
