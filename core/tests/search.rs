//! Search against the test server: the server's search with Mattermost's
//! modifiers, merged with the cache without duplicates; offline the cache
//! answers alone and says so.

mod common;

use common::device;
use pausenhof_core::{Error, SearchResults};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

fn messages(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|h| h.post.message.as_str())
        .collect()
}

/// 2026-03-02 12:00 in Berlin (11:00 UTC).
const MONDAY_NOON: i64 = 1_772_449_200_000;
const DAY: i64 = 86_400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_search_with_modifiers_merged_with_the_cache() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap().remove(0);
    let town = server.channel_by_name(&team.name, "town-square").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let off_topic = server.channel_by_name(&team.name, "off-topic").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let friend = server.create_user("freundin", "freundin@schule.example", "Passwort-123!");
    server.add_to_team(&friend.user_id, &team.name).unwrap();

    // Posted after the sync: only the server knows them.
    server.post_as_at(&me.user_id, &town, "Zebra eins: Übung", MONDAY_NOON - DAY);
    server.post_as_at(
        &friend.user_id,
        &town,
        "Zebra zwei nächste Woche",
        MONDAY_NOON,
    );
    server.post_as_at(
        &me.user_id,
        &off_topic,
        "Zebra drei im Garten",
        MONDAY_NOON + 1,
    );
    server.post_as_at(
        &friend.user_id,
        &off_topic,
        "Zebrastreifen",
        MONDAY_NOON + DAY,
    );

    let search = |terms: &'static str| {
        let client = client.clone();
        let team_id = team.id.clone();
        async move {
            client
                .search_posts(&team_id, terms, Some("Europe/Berlin"), 50)
                .await
                .unwrap()
        }
    };
    let all = search("zebra").await;
    assert!(all.from_server);
    assert_eq!(
        messages(&all),
        [
            "Zebra drei im Garten",
            "Zebra zwei nächste Woche",
            "Zebra eins: Übung"
        ],
        "newest first, whole words"
    );
    assert_eq!(messages(&search("zebra*").await).len(), 4, "a prefix");
    assert_eq!(
        messages(&search("zebra from:@freundin").await),
        ["Zebra zwei nächste Woche"]
    );
    assert_eq!(
        messages(&search("zebra in:off-topic").await),
        ["Zebra drei im Garten"]
    );
    assert_eq!(
        messages(&search("zebra -garten -übung").await),
        ["Zebra zwei nächste Woche"]
    );
    assert_eq!(
        messages(&search("\"zwei nächste Woche\"").await),
        ["Zebra zwei nächste Woche"]
    );
    assert_eq!(
        messages(&search("zebra on:2026-03-02").await),
        ["Zebra drei im Garten", "Zebra zwei nächste Woche"]
    );
    assert_eq!(
        messages(&search("zebra* after:2026-03-02").await),
        ["Zebrastreifen"]
    );
    assert_eq!(
        messages(&search("zebra before:2026-03-02").await),
        ["Zebra eins: Übung"]
    );

    // The hits are cached, with their authors: the cache finds them too,
    // and the merge shows each once.
    let offline = client
        .search_offline("zebra from:freundin", Some(&team.id), 10)
        .await
        .unwrap();
    // Offline search prefixes the last word as the user types.
    assert_eq!(offline.len(), 2);
    assert!(offline.iter().all(|h| h.post.author_name == "freundin"));
    let merged = search("zebra").await;
    assert_eq!(merged.hits.len(), 3, "no duplicates");

    // Offline: the cache answers alone, and says so.
    server.faults().set_down(true);
    let cached = search("zebra from:freundin").await;
    assert!(!cached.from_server);
    assert_eq!(messages(&cached), ["Zebra zwei nächste Woche"]);
    server.faults().set_down(false);

    // Bad input is a typed error; an empty query finds nothing.
    let error = client
        .search_posts(&team.id, "on:gestern", None, 10)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    let error = client
        .search_posts(&team.id, "zebra", Some("Mars/Olympus"), 10)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(search("  ").await.hits.is_empty());
}
