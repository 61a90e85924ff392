//! Jumping to a post against the test server: its surroundings are loaded
//! as a range of their own, the window around it never crosses the gap to
//! the newest posts, and paging forwards closes the gap.

mod common;

use common::device;
use pausenhof_core::reads::{NewerPosts, OlderPosts, WindowAround};
use pausenhof_core::{Error, PageSide, PostJump};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

const START: i64 = 1_772_449_200_000;

fn numbers(window: &WindowAround) -> Vec<usize> {
    window
        .posts
        .iter()
        .map(|p| p.message.trim_start_matches("Nachricht ").parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_around_a_post_pages_until_it_meets_the_newest_posts() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap().remove(0);
    let channel = client
        .create_channel(&team.id, "Sprungbrett", false, "")
        .await
        .unwrap()
        .id;
    let ids: Vec<String> = (0..150)
        .map(|i| {
            server.post_as_at(
                &me.user_id,
                &channel,
                &format!("Nachricht {i}"),
                START + i as i64 * 1000,
            )["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();

    // The newest post first: the page before it is the newest range.
    let PostJump::Channel { window } = client.jump_to_post(&ids[149]).await.unwrap() else {
        panic!("a root post opens its channel");
    };
    assert_eq!(numbers(&window), (119..150).collect::<Vec<_>>());
    assert_eq!(window.newer, NewerPosts::Newest);

    // An old post: its pages form a range of their own.
    let PostJump::Channel { window } = client.jump_to_post(&ids[20]).await.unwrap() else {
        panic!("a root post opens its channel");
    };
    assert_eq!(window.focus_post_id, ids[20]);
    assert_eq!(numbers(&window), (0..51).collect::<Vec<_>>());
    assert_eq!(window.older, OlderPosts::None, "the channel starts here");
    assert_eq!(window.newer, NewerPosts::OnServer, "a gap, not continuity");
    let wide = client
        .posts_around(&channel, &ids[20], 500, 500)
        .await
        .unwrap();
    assert_eq!(
        numbers(&wide),
        (0..51).collect::<Vec<_>>(),
        "never across the gap"
    );

    // Paging forwards from the window's newest post closes the gap.
    let mut edge = 50;
    loop {
        client
            .load_posts_beside(&ids[edge], PageSide::Newer)
            .await
            .unwrap();
        let window = client
            .posts_around(&channel, &ids[20], 500, 500)
            .await
            .unwrap();
        let shown = numbers(&window);
        if window.newer == NewerPosts::Newest {
            assert_eq!(shown, (0..150).collect::<Vec<_>>());
            break;
        }
        assert!(*shown.last().unwrap() > edge, "paging made progress");
        edge = *shown.last().unwrap();
    }
    let window = client.posts_around(&channel, &ids[60], 5, 5).await.unwrap();
    assert_eq!(numbers(&window), (55..66).collect::<Vec<_>>());
    assert_eq!(
        (window.older, window.newer),
        (OlderPosts::Cached, NewerPosts::Cached)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_open_their_thread_and_offline_the_cache_answers() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap().remove(0);
    let channel = client
        .create_channel(&team.id, "Fäden", false, "")
        .await
        .unwrap()
        .id;
    let root = server.post_as(&me.user_id, &channel, "Frage")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = server.reply_as(&me.user_id, &root, "Antwort").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        client.jump_to_post(&reply).await.unwrap(),
        PostJump::Thread {
            root_id: root.clone(),
            post_id: reply.clone()
        }
    );
    let thread = client.thread(&root).await.unwrap();
    assert_eq!(thread.replies.len(), 1, "the thread is loaded");

    server.faults().set_down(true);
    let PostJump::Channel { window } = client.jump_to_post(&root).await.unwrap() else {
        panic!("a root post opens its channel");
    };
    assert_eq!(window.focus_post_id, root);
    assert!(window.posts.iter().any(|p| p.id == root));
    server.faults().set_down(false);

    let error = client.jump_to_post(&"a".repeat(26)).await.unwrap_err();
    assert!(
        matches!(error, Error::NotFound { .. } | Error::Forbidden { .. }),
        "{error:?}"
    );
    assert!(matches!(
        client.jump_to_post(" ").await.unwrap_err(),
        Error::InvalidInput { .. }
    ));
}
