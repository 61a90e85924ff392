//! Opening Mattermost links against the test server: permalinks, channel
//! and message links resolve to ids from the cache first, the server when
//! the cache lacks them; other servers' links and web links are told apart.

mod common;

use common::device;
use pausenhof_core::links::LinkTarget;
use pausenhof_core::{Error, LinkDestination};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

fn requests_to(server: &TestServer, path: &str) -> usize {
    server
        .request_log()
        .iter()
        .filter(|r| r.path == path)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_resolve_from_the_cache_then_the_server() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap().remove(0);
    let town = server.channel_by_name(&team.name, "town-square").unwrap();
    let town_id = town["id"].as_str().unwrap().to_owned();
    let base = server.url();

    // A post the cache has not seen: fetched once, then read from the cache.
    let root = server.post_as(&me.user_id, &town_id, "Wo ist das Arbeitsblatt?");
    let root_id = root["id"].as_str().unwrap().to_owned();
    let reply = server.reply_as(&me.user_id, &root_id, "Im Ordner").unwrap();
    let reply_id = reply["id"].as_str().unwrap().to_owned();
    let link = format!("{base}/{}/pl/{reply_id}", team.name);
    let expected = LinkDestination::Conversation {
        team_id: team.id.clone(),
        channel_id: town_id.clone(),
        post_id: Some(reply_id.clone()),
        root_id: root_id.clone(),
    };
    server.reset_request_log();
    assert_eq!(client.open_link(&link).await.unwrap(), expected);
    let post_path = format!("/api/v4/posts/{reply_id}");
    assert_eq!(requests_to(&server, &post_path), 1);
    assert_eq!(client.open_link(&link).await.unwrap(), expected);
    assert_eq!(
        requests_to(&server, &post_path),
        1,
        "the second time is cached"
    );

    // A channel link resolves from the cache without a request.
    server.reset_request_log();
    let channel_link = format!("{base}/{}/channels/town-square", team.name);
    assert_eq!(
        client.open_link(&channel_link).await.unwrap(),
        LinkDestination::Conversation {
            team_id: team.id.clone(),
            channel_id: town_id.clone(),
            post_id: None,
            root_id: String::new(),
        }
    );
    assert!(server.request_log().is_empty());

    // A direct message with someone new: the person and the channel come
    // from the server, and the channel is in the store afterwards.
    let friend = server.create_user("freundin", "freundin@schule.example", "Passwort-123!");
    server.add_to_team(&friend.user_id, &team.name).unwrap();
    let dm_link = format!("{base}/{}/messages/@Freundin", team.name);
    let LinkDestination::Conversation {
        team_id,
        channel_id,
        post_id,
        ..
    } = client.open_link(&dm_link).await.unwrap()
    else {
        panic!("a direct message link opens a conversation");
    };
    assert_eq!((team_id.as_str(), post_id), (team.id.as_str(), None));
    server.reset_request_log();
    assert_eq!(
        client.open_link(&dm_link).await.unwrap(),
        LinkDestination::Conversation {
            team_id: team.id.clone(),
            channel_id: channel_id.clone(),
            post_id: None,
            root_id: String::new(),
        }
    );
    assert!(server.request_log().is_empty(), "the second time is cached");

    // Another server's link and a web link are not resolved.
    let foreign = "https://chat.other.example/team/channels/town-square";
    assert_eq!(
        client.open_link(foreign).await.unwrap(),
        LinkDestination::OtherServer {
            url: foreign.into()
        }
    );
    assert_eq!(
        client.open_link("https://example.org/news").await.unwrap(),
        LinkDestination::External
    );
    assert_eq!(
        client
            .parse_link(&format!("/{}/channels/off-topic", team.name))
            .unwrap(),
        LinkTarget::Channel {
            team_name: team.name.clone(),
            channel_name: "off-topic".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_to_what_does_not_exist_are_typed_errors() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap().remove(0);
    let base = server.url();

    let missing_post = format!("{base}/{}/pl/{}", team.name, "a".repeat(26));
    let error = client.open_link(&missing_post).await.unwrap_err();
    assert!(
        matches!(error, Error::NotFound { .. } | Error::Forbidden { .. }),
        "{error:?}"
    );
    let missing_channel = format!("{base}/{}/channels/gibt-es-nicht", team.name);
    let error = client.open_link(&missing_channel).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let missing_person = format!("{base}/{}/messages/@niemand", team.name);
    let error = client.open_link(&missing_person).await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}
