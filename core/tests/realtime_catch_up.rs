//! A server restart loses the dead queue: the client gets a new `hello`,
//! runs the REST catch-up, and afterwards its store matches the server
//! channel by channel.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use pausenhof_core::api::posts::{channel_posts, PostsPage};
use pausenhof_core::realtime::{CatchUpFn, ConnectionState};
use pausenhof_core::sync::{sync, SyncOptions};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

fn sync_catch_up(session: &Session, store: &pausenhof_core::store::Store) -> CatchUpFn {
    let api = session.api.clone();
    let store = store.clone();
    Arc::new(move || {
        let api = api.clone();
        let store = store.clone();
        Box::pin(async move {
            sync(&api, &store, &SyncOptions::default())
                .await
                .map(|_| ())
                .map_err(pausenhof_core::Error::from)
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_triggers_a_catch_up_after_which_the_store_matches_the_server() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let session = sign_in(&server, &me, limits(Duration::from_secs(5))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(dir.path(), &session.user_id);
    sync(&session.api, &store, &SyncOptions::default())
        .await
        .expect("first sync");

    let teams = pausenhof_core::api::teams::my_teams(&session.api)
        .await
        .unwrap();
    let team = &teams[0].name;
    let town = server.channel_by_name(team, "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let off = server.channel_by_name(team, "off-topic").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = server
        .accounts()
        .into_iter()
        .filter(|a| a.user_id != session.user_id && a.mfa_secret.is_none())
        .find(|a| {
            server.try_post_as(&a.user_id, &town, "Hallo").is_ok()
                && server.try_post_as(&a.user_id, &off, "Hallo").is_ok()
        })
        .expect("another member of both channels");
    let other_session = sign_in(&server, &other, limits(Duration::from_secs(5))).await;

    let live = start_realtime(&session, &store, sync_catch_up(&session, &store), |_| {});
    live.wait_connected().await;
    // Catch-ups owed by the first hello are done before we start.
    let edited = server.post_as(&other.user_id, &town, "wird bearbeitet");
    let doomed = server.post_as(&other.user_id, &off, "wird geloescht");
    let (edited_id, doomed_id) = (
        edited["id"].as_str().unwrap().to_owned(),
        doomed["id"].as_str().unwrap().to_owned(),
    );
    let (e, d) = (edited_id.clone(), doomed_id.clone());
    eventually(&store, "posts before the restart", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM posts WHERE id IN ('{e}', '{d}')"),
        ) == 2
    })
    .await;
    let catch_ups_before = live.catch_ups();

    // Down; things happen; the restart forgets every dead queue.
    server.faults().set_down(true);
    live.handle
        .wait_for(|s| matches!(s, ConnectionState::WaitingToReconnect { .. }))
        .await;
    let mut new_ids = BTreeSet::new();
    for n in 0..5 {
        for channel in [&town, &off] {
            let p = server.post_as(&other.user_id, channel, &format!("verpasst {n}"));
            new_ids.insert(p["id"].as_str().unwrap().to_owned());
        }
    }
    server.faults().set_down(false);
    server.restart().await;
    // The REST changes by the other user happen while our socket is still
    // reconnecting or already back; either way they must end up stored.
    pausenhof_core::api::posts::patch_post(
        &other_session.api,
        &edited_id,
        &pausenhof_core::api::posts::PostPatch {
            message: Some("bearbeitet".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    pausenhof_core::api::posts::delete_post(&other_session.api, &doomed_id)
        .await
        .unwrap();

    within(Duration::from_secs(30), async {
        while live.catch_ups() == catch_ups_before {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    live.wait_connected().await;
    let ids: Vec<String> = new_ids.iter().cloned().collect();
    eventually(&store, "missed posts fetched by the catch-up", move |c| {
        ids.iter()
            .all(|id| count(c, &format!("SELECT count(*) FROM posts WHERE id = '{id}'")) == 1)
    })
    .await;
    let e = edited_id.clone();
    eventually(&store, "edit", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM posts WHERE id = '{e}' AND message = 'bearbeitet'"),
        ) == 1
    })
    .await;
    let d = doomed_id.clone();
    eventually(&store, "delete", move |c| {
        count(
            c,
            &format!("SELECT count(*) FROM posts WHERE id = '{d}' AND delete_at > 0"),
        ) == 1
    })
    .await;
    assert!(
        live.handle
            .counters()
            .new_connections
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 2,
        "the restart gave a new hello"
    );

    // Channel by channel: what the store shows equals what the server has.
    let channels: Vec<(String, i64, i64)> = store
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT id, total_msg_count, last_post_at FROM channels ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    assert!(channels.len() >= 2);
    for (channel_id, total, last_post_at) in channels {
        let server_channel = pausenhof_core::api::channels::channel(&session.api, &channel_id)
            .await
            .unwrap();
        assert_eq!(
            total, server_channel.total_msg_count,
            "total of {channel_id}"
        );
        assert_eq!(
            last_post_at, server_channel.last_post_at,
            "last post of {channel_id}"
        );
        let page = channel_posts(
            &session.api,
            &channel_id,
            &PostsPage::Page {
                page: 0,
                per_page: 200,
            },
            false,
        )
        .await
        .unwrap();
        let cid = channel_id.clone();
        let oldest: Option<i64> = store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT min(oldest_at) FROM timeline_ranges WHERE channel_id = ?1",
                    [&cid],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        let Some(oldest) = oldest else {
            continue;
        };
        let on_server: BTreeSet<(String, String)> = page
            .posts
            .values()
            .filter(|p| p.create_at >= oldest && p.delete_at == 0)
            .map(|p| (p.id.clone(), p.message.clone()))
            .collect();
        let cid = channel_id.clone();
        let in_store: BTreeSet<(String, String)> = store
            .read(move |c| {
                let mut stmt = c.prepare(
                    "SELECT id, message FROM posts
                     WHERE channel_id = ?1 AND create_at >= ?2 AND delete_at = 0",
                )?;
                let rows = stmt.query_map(rusqlite::params![cid, oldest], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
                Ok(rows.collect::<Result<BTreeSet<_>, _>>()?)
            })
            .await
            .unwrap();
        assert_eq!(in_store, on_server, "posts of channel {channel_id}");
    }
}
