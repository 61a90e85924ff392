//! Followed threads (collapsed reply threads) against the test server: the
//! Threads list with unread replies and mentions, live updates, marking a
//! thread read and unfollowing, here and on the user's other device.

mod common;

use std::time::Duration;

use common::{device, live_device};
use pausenhof_core::observe::Update;
use pausenhof_core::reads::{FollowedThread, FollowedThreads};
use pausenhof_core::{Client, Error};
use pausenhof_testserver::{Account, Role, ServerConfig, TestServer};

/// How long a change may take to reach a device.
const REACH: Duration = Duration::from_secs(20);

/// Polls the cached Threads list of `client` until `check` holds.
async fn until(client: &Client, team: &str, what: &str, check: impl Fn(&FollowedThreads) -> bool) {
    let deadline = tokio::time::Instant::now() + REACH;
    loop {
        let list = client.followed_threads(team).await.unwrap();
        if check(&list) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for: {what}; list: {list:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn classmate(server: &TestServer, team_name: &str) -> Account {
    let account = server.create_user("lena", "lena@schule.example", "Passwort-123!");
    server.add_to_team(&account.user_id, team_name).unwrap();
    account
}

fn id(post: &serde_json::Value) -> String {
    post["id"].as_str().unwrap().to_owned()
}

/// The thread of `root` in the list, if followed. (The seeded school
/// gives the student followed threads of their own too.)
fn thread<'a>(list: &'a FollowedThreads, root: &str) -> Option<&'a FollowedThread> {
    list.threads.iter().find(|t| t.root.id == root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_threads_list_follows_replies_reads_and_unfollows() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = live_device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let team = a.teams().await.unwrap().remove(0);
    let lena = classmate(&server, &team.name);
    let town_square = server.channel_by_name(&team.name, "town-square").unwrap();
    let channel = town_square["id"].as_str().unwrap();
    let before = a.load_followed_threads(&team.id).await.unwrap();

    let root = id(&server.post_as(&me.user_id, channel, "**Hausaufgaben** bis Freitag?"));
    server.reply_as(&lena.user_id, &root, "Seite 42").unwrap();
    server
        .reply_as(
            &lena.user_id,
            &root,
            &format!("@{} und Aufgabe 3", me.username),
        )
        .unwrap();
    // A thread the student never wrote in is not theirs.
    let other = id(&server.post_as(&lena.user_id, channel, "Wer kommt mit?"));
    server.reply_as(&lena.user_id, &other, "Ich").unwrap();

    let list = a.load_followed_threads(&team.id).await.unwrap();
    assert_eq!(list.threads.len(), before.threads.len() + 1, "{list:#?}");
    assert!(thread(&list, &other).is_none(), "{list:#?}");
    // The newest reply first.
    let first = &list.threads[0];
    assert_eq!(first.root.id, root);
    assert_eq!(first.preview, "Hausaufgaben bis Freitag?");
    assert_eq!(first.channel_name, "Town Square");
    assert_eq!(first.reply_count, 2);
    assert_eq!((first.unread_replies, first.unread_mentions), (2, 1));
    assert!(first
        .participants
        .iter()
        .any(|p| p.user_id == lena.user_id && p.name != lena.user_id));
    assert_eq!(
        (list.unread_threads, list.unread_mentions),
        (before.unread_threads + 1, before.unread_mentions + 1)
    );
    b.load_followed_threads(&team.id).await.unwrap();

    // A new reply arrives live, as a diff of the watched list.
    let mut watch = a.watch_followed_threads(&team.id).unwrap();
    let Some(Ok(Update::Snapshot(snapshot))) = watch.next().await else {
        panic!("no snapshot");
    };
    assert_eq!(thread(&snapshot, &root).unwrap().reply_count, 2);
    server
        .reply_as(&lena.user_id, &root, "Und Seite 43")
        .unwrap();
    let update = tokio::time::timeout(REACH, watch.next())
        .await
        .expect("a diff for the live reply");
    let Some(Ok(Update::Diff(diff))) = update else {
        panic!("expected a diff, got {update:?}");
    };
    assert_eq!(diff.unread_threads, before.unread_threads + 1);
    until(&a, &team.id, "the live reply counted", |l| {
        thread(l, &root).is_some_and(|t| t.reply_count == 3 && t.unread_replies == 3)
    })
    .await;

    // Read here: at once in this cache, and on the other device by event.
    a.mark_thread_read(&root).await.unwrap();
    let list = a.followed_threads(&team.id).await.unwrap();
    let read = thread(&list, &root).unwrap();
    assert_eq!((read.unread_replies, read.unread_mentions), (0, 0));
    assert_eq!(
        (list.unread_threads, list.unread_mentions),
        (before.unread_threads, before.unread_mentions)
    );
    until(&b, &team.id, "read on the other device", |l| {
        thread(l, &root).is_some_and(|t| t.unread_replies == 0)
    })
    .await;

    // Unfollowed: gone here at once, on the other device by event, and a
    // new reply does not bring it back.
    a.set_thread_following(&root, false).await.unwrap();
    assert!(thread(&a.followed_threads(&team.id).await.unwrap(), &root).is_none());
    until(&b, &team.id, "unfollowed on the other device", |l| {
        thread(l, &root).is_none()
    })
    .await;
    server.reply_as(&lena.user_id, &root, "Noch da?").unwrap();
    assert!(thread(&a.load_followed_threads(&team.id).await.unwrap(), &root).is_none());

    // Followed again: back with the server's counts.
    a.set_thread_following(&root, true).await.unwrap();
    let list = a.followed_threads(&team.id).await.unwrap();
    let again = thread(&list, &root).unwrap();
    assert_eq!(again.reply_count, 4);
    assert_eq!(again.unread_replies, 1);
    until(&b, &team.id, "followed again on the other device", |l| {
        thread(l, &root).is_some()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollowed_elsewhere_while_away_is_noticed_and_bad_ids_are_refused() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = device(&server, &me).await;
    let team = a.teams().await.unwrap().remove(0);
    let lena = classmate(&server, &team.name);
    let channel = server.channel_by_name(&team.name, "town-square").unwrap();
    let root = id(&server.post_as(&me.user_id, channel["id"].as_str().unwrap(), "Frage"));
    server.reply_as(&lena.user_id, &root, "Antwort").unwrap();

    assert!(thread(&a.load_followed_threads(&team.id).await.unwrap(), &root).is_some());
    // Device B unfollows while A does not listen: A's next load drops it.
    b.set_thread_following(&root, false).await.unwrap();
    assert!(thread(&a.followed_threads(&team.id).await.unwrap(), &root).is_some());
    assert!(thread(&a.load_followed_threads(&team.id).await.unwrap(), &root).is_none());

    assert!(matches!(
        a.set_thread_following("", true).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        a.mark_thread_read(" ").await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(a
        .mark_thread_read("nosuchpostnosuchpostnosuch")
        .await
        .is_err());

    // Offline, the cached list is shown.
    b.set_thread_following(&root, true).await.unwrap();
    let online = a.load_followed_threads(&team.id).await.unwrap();
    assert!(thread(&online, &root).is_some());
    server.faults().set_down(true);
    let offline = a.load_followed_threads(&team.id).await.unwrap();
    assert_eq!(offline, online);
    assert_eq!(thread(&offline, &root).unwrap().participants.len(), 2);
    server.faults().set_down(false);
}
