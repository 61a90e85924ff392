//! Every REST call against the in-process test server: reads decode into
//! the model, writes take effect and read back.

use serde_json::json;

use super::*;
use crate::error::Error;
use crate::model::{ChannelType, Preference};
use crate::net::{build_tls_configs, http::build_http_client, HttpLimits, ServerUrl};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

struct Fixture {
    server: TestServer,
    api: ApiClient,
    me: crate::model::User,
}

async fn signed_in(role: Role) -> Fixture {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let limits = HttpLimits::default();
    let http = build_http_client(&build_tls_configs(&[]).unwrap(), &limits).unwrap();
    let api = ApiClient::new(ServerUrl::parse(&server.url()).unwrap(), http, limits);
    let account = server.account(role);
    let (me, token) = users::login(
        &api,
        &users::LoginRequest {
            login_id: &account.username,
            password: &account.password,
            token: "",
            device_id: "",
        },
    )
    .await
    .unwrap();
    api.set_token(Some(token));
    Fixture { server, api, me }
}

#[tokio::test]
async fn system_calls() {
    let f = signed_in(Role::Student).await;
    let (ping, _) = system::ping(&f.api).await.unwrap();
    assert_eq!(ping.status, "OK");
    let limited = system::client_config(&f.api, false).await.unwrap();
    assert!(!limited.version().is_empty());
    let full = system::client_config(&f.api, true).await.unwrap();
    assert!(!full.collapsed_threads().is_empty());
    let license = system::client_license(&f.api).await.unwrap();
    assert_eq!(license.get("IsLicensed"), Some("false"));
}

#[tokio::test]
async fn users_and_statuses() {
    let f = signed_in(Role::Student).await;
    let me = users::me(&f.api).await.unwrap();
    assert_eq!(me.id, f.me.id);
    assert_eq!(
        users::user(&f.api, &me.id).await.unwrap().username,
        me.username
    );
    let teacher = f.server.account(Role::Teacher);
    let by_ids = users::users_by_ids(&f.api, &[me.id.clone(), teacher.user_id.clone()])
        .await
        .unwrap();
    assert_eq!(by_ids.len(), 2);
    let by_names = users::users_by_usernames(&f.api, std::slice::from_ref(&teacher.username))
        .await
        .unwrap();
    assert_eq!(by_names[0].id, teacher.user_id);
    assert!(users::users_by_ids(&f.api, &[]).await.unwrap().is_empty());
    f.server.set_status(&teacher.user_id, "dnd");
    let statuses = users::statuses_by_ids(&f.api, std::slice::from_ref(&teacher.user_id))
        .await
        .unwrap();
    assert_eq!(statuses[0].status, "dnd");
    let patched = users::patch_me(
        &f.api,
        &users::UserPatch {
            nickname: Some("Spitzname".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(patched.nickname, "Spitzname");
    assert_eq!(
        patched.first_name, me.first_name,
        "patch leaves other fields"
    );
}

#[tokio::test]
async fn teams_channels_members_categories() {
    let f = signed_in(Role::Student).await;
    let teams = teams::my_teams(&f.api).await.unwrap();
    assert!(!teams.is_empty());
    let team = &teams[0];
    assert_eq!(teams::team(&f.api, &team.id).await.unwrap().name, team.name);
    assert_eq!(
        teams::my_team_members(&f.api).await.unwrap().len(),
        teams.len()
    );
    assert!(teams::my_team_unreads(&f.api).await.is_ok());

    let all = channels::my_channels(&f.api, 0, true).await.unwrap();
    let town_square = all
        .iter()
        .find(|c| c.team_id == team.id && c.name == "town-square")
        .expect("town-square");
    assert_eq!(town_square.channel_type, ChannelType::Open);
    let members = channels::my_channel_members(&f.api, 0, 200).await.unwrap();
    assert!(members.iter().any(|m| m.channel_id == town_square.id));
    let team_channels = channels::my_team_channels(&f.api, &team.id).await.unwrap();
    assert!(team_channels
        .iter()
        .all(|c| c.team_id == team.id || c.team_id.is_empty()));
    assert!(!channels::my_team_channel_members(&f.api, &team.id)
        .await
        .unwrap()
        .is_empty());
    let categories = channels::sidebar_categories(&f.api, &team.id)
        .await
        .unwrap();
    assert!(!categories.ordered().is_empty());
    assert_eq!(
        channels::channel(&f.api, &town_square.id).await.unwrap().id,
        town_square.id
    );

    let viewed = channels::view_channel(&f.api, &town_square.id, "")
        .await
        .unwrap();
    assert_eq!(viewed.status, "OK");
    channels::set_muted(&f.api, &town_square.id, true)
        .await
        .unwrap();
    let member = channels::my_channel_member(&f.api, &town_square.id)
        .await
        .unwrap();
    assert!(member.notify_props.is_muted());
    channels::set_muted(&f.api, &town_square.id, false)
        .await
        .unwrap();
    assert!(!channels::my_channel_member(&f.api, &town_square.id)
        .await
        .unwrap()
        .notify_props
        .is_muted());
}

#[tokio::test]
async fn channel_writes() {
    let f = signed_in(Role::Teacher).await;
    let team = teams::my_teams(&f.api).await.unwrap().remove(0);
    let created = channels::create_channel(
        &f.api,
        &channels::NewChannel {
            team_id: team.id.clone(),
            name: "mathe-ag".into(),
            display_name: "Mathe-AG".into(),
            channel_type: ChannelType::Private,
            purpose: String::new(),
            header: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.channel_type, ChannelType::Private);
    let student = f.server.account(Role::Student);
    // Only team members can join; the dataset spreads users over teams.
    let _ = f.server.add_to_team(&student.user_id, &team.name);
    let member = channels::add_member(&f.api, &created.id, &student.user_id)
        .await
        .unwrap();
    assert_eq!(member.user_id, student.user_id);
    let dm = channels::create_direct(&f.api, &f.me.id, &student.user_id)
        .await
        .unwrap();
    assert_eq!(dm.channel_type, ChannelType::Direct);
    let others: Vec<String> = f
        .server
        .accounts()
        .into_iter()
        .filter(|a| a.user_id != f.me.id)
        .take(2)
        .map(|a| a.user_id)
        .chain([f.me.id.clone()])
        .collect();
    let group = channels::create_group(&f.api, &others).await.unwrap();
    assert_eq!(group.channel_type, ChannelType::Group);
    channels::leave_channel(&f.api, &created.id).await.unwrap();
    assert!(channels::my_channel_member(&f.api, &created.id)
        .await
        .is_err());
}

#[tokio::test]
async fn posts_paging_threads_reactions_search() {
    let f = signed_in(Role::Student).await;
    let team = teams::my_teams(&f.api).await.unwrap().remove(0);
    let channel = channels::my_team_channels(&f.api, &team.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "town-square")
        .unwrap();

    let mut props = crate::model::JsonMap::new();
    props.insert("pausenhof_local_id".into(), json!("local-1"));
    let root = posts::create_post(
        &f.api,
        &posts::NewPost {
            channel_id: channel.id.clone(),
            message: "Hausaufgaben Seite 42".into(),
            props,
            pending_post_id: format!("{}:1", f.me.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(root.props["pausenhof_local_id"], "local-1");
    let reply = posts::create_post(
        &f.api,
        &posts::NewPost {
            channel_id: channel.id.clone(),
            message: "Danke".into(),
            root_id: root.id.clone(),
            pending_post_id: format!("{}:2", f.me.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let newest = posts::channel_posts(
        &f.api,
        &channel.id,
        &posts::PostsPage::Page {
            page: 0,
            per_page: 10,
        },
        false,
    )
    .await
    .unwrap();
    assert_eq!(newest.order.first(), Some(&reply.id));
    let before = posts::channel_posts(
        &f.api,
        &channel.id,
        &posts::PostsPage::Before {
            post_id: reply.id.clone(),
            per_page: 1,
        },
        false,
    )
    .await
    .unwrap();
    assert_eq!(before.order, vec![root.id.clone()]);
    let after = posts::channel_posts(
        &f.api,
        &channel.id,
        &posts::PostsPage::After {
            post_id: root.id.clone(),
            per_page: 10,
        },
        false,
    )
    .await
    .unwrap();
    assert_eq!(after.order, vec![reply.id.clone()]);
    let since = posts::channel_posts(
        &f.api,
        &channel.id,
        &posts::PostsPage::Since {
            since: root.create_at - 1,
        },
        false,
    )
    .await
    .unwrap();
    assert!(since.posts.contains_key(&root.id) && since.posts.contains_key(&reply.id));

    let thread = posts::thread(&f.api, &root.id).await.unwrap();
    assert_eq!(thread.posts.len(), 2);
    let by_ids = posts::posts_by_ids(&f.api, &[root.id.clone(), reply.id.clone()])
        .await
        .unwrap();
    assert_eq!(by_ids.len(), 2);
    assert!(posts::posts_around_unread(&f.api, &channel.id, 5, 5, false)
        .await
        .is_ok());
    assert!(
        posts::my_threads(&f.api, &team.id, &posts::ThreadsQuery::default())
            .await
            .is_ok()
    );

    let edited = posts::patch_post(
        &f.api,
        &root.id,
        &posts::PostPatch {
            message: Some("Hausaufgaben Seite 43".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.message, "Hausaufgaben Seite 43");
    assert!(edited.edit_at > 0);

    posts::add_reaction(&f.api, &f.me.id, &root.id, "+1")
        .await
        .unwrap();
    let reactions = posts::reactions(&f.api, &root.id).await.unwrap();
    assert_eq!(reactions[0].emoji_name, "+1");
    posts::remove_reaction(&f.api, &root.id, "+1")
        .await
        .unwrap();
    assert!(posts::reactions(&f.api, &root.id).await.unwrap().is_empty());

    let found = posts::search(
        &f.api,
        &team.id,
        &posts::SearchQuery {
            terms: "Hausaufgaben".into(),
            is_or_search: false,
            page: 0,
            per_page: 20,
            time_zone_offset: None,
            include_deleted_channels: false,
        },
    )
    .await
    .unwrap();
    assert!(found.list.posts.contains_key(&root.id));

    posts::delete_post(&f.api, &reply.id).await.unwrap();
    match posts::post(&f.api, &reply.id).await {
        Err(Error::NotFound { .. }) => {}
        Ok(post) => assert!(post.is_deleted()),
        Err(other) => panic!("unexpected {other:?}"),
    }

    let answer = posts::execute_command(&f.api, &channel.id, &team.id, "/away", "")
        .await
        .unwrap();
    let _ = answer.response_type;
}

#[tokio::test]
async fn preferences_files_push() {
    let f = signed_in(Role::Student).await;
    let preference = Preference {
        user_id: f.me.id.clone(),
        category: "display_settings".into(),
        name: "use_military_time".into(),
        value: "true".into(),
    };
    preferences::save_preferences(&f.api, std::slice::from_ref(&preference))
        .await
        .unwrap();
    assert!(preferences::my_preferences(&f.api)
        .await
        .unwrap()
        .contains(&preference));

    let channel = channels::my_channels(&f.api, 0, false)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "town-square")
        .unwrap();
    let data = b"Arbeitsblatt Inhalt".to_vec();
    let uploaded = files::upload(
        &f.api,
        &channel.id,
        "blatt.txt",
        "text/plain",
        data.clone(),
        "c1",
    )
    .await
    .unwrap();
    let info = &uploaded.file_infos[0];
    assert_eq!(info.name, "blatt.txt");
    let downloaded = files::download(&f.api, &info.id, files::FileRendition::Original)
        .await
        .unwrap();
    assert_eq!(downloaded.as_ref(), &data[..]);
    assert_eq!(
        files::info(&f.api, &info.id).await.unwrap().size,
        data.len() as i64
    );

    push::attach_device(&f.api, "android_rn:abc123")
        .await
        .unwrap();
    assert!(push::attach_device(&f.api, "no-platform").await.is_err());
    assert!(
        push::attach_device(&f.api, &format!("android_rn:{}", "x".repeat(600)))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let f = signed_in(Role::Student).await;
    users::logout(&f.api).await.unwrap();
    assert_eq!(users::me(&f.api).await.unwrap_err(), Error::SessionExpired);
}
