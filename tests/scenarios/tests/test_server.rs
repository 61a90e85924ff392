//! The scenario suite against our in-process test server.

use pausenhof_scenarios::sut::OurTestServer;
use pausenhof_scenarios::{composer, people, scenarios, search};

macro_rules! on_test_server {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sut = OurTestServer::start().await.unwrap();
            scenarios::$name(&sut).await.unwrap();
        }
    )*};
}

macro_rules! on_test_server_composer {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sut = OurTestServer::start().await.unwrap();
            composer::$name(&sut).await.unwrap();
        }
    )*};
}

on_test_server!(
    sign_in,
    sync_then_read_offline,
    logout_erases_local_data,
    post_and_receive,
    offline_send_is_delivered_once,
    search_offline_finds_umlauts,
    push_through_the_gateway,
    reconnect_brings_what_was_missed,
    join_and_leave_a_channel,
    system_posts_read_as_sentences,
    direct_message_by_username,
    thread_reply_and_read,
    reactions_come_and_go,
    edits_reach_the_other_device,
    deletes_reach_the_other_device,
    offline_changes_are_caught_up,
    a_short_absence_is_replayed,
);

on_test_server_composer!(
    slash_mute_and_leave,
    slash_away_and_header,
    slash_msg_reaches_the_classmate,
    save_and_pin_a_post,
    drafts_follow_the_user,
);

macro_rules! on_test_server_people {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sut = OurTestServer::start().await.unwrap();
            people::$name(&sut).await.unwrap();
        }
    )*};
}

on_test_server_people!(
    join_a_team_by_email_domain,
    create_join_leave_and_archive_a_channel,
    direct_and_group_messages_reach_the_other_side,
    favorite_and_mute_reach_the_other_device,
    do_not_disturb_with_an_end_time,
    directory_marks_deactivated_people,
    profile_edit_reaches_the_other_device,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_side_by_side() {
    let sut = OurTestServer::start().await.unwrap();
    pausenhof_scenarios::accounts::two_users_side_by_side(&sut)
        .await
        .unwrap();
}

macro_rules! on_test_server_search {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sut = OurTestServer::start().await.unwrap();
            search::$name(&sut).await.unwrap();
        }
    )*};
}

on_test_server_search!(
    server_search_with_modifiers,
    permalink_opens_the_post,
    jump_to_a_post,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_threads_read_and_unfollow() {
    let sut = OurTestServer::start().await.unwrap();
    pausenhof_scenarios::threads::followed_threads_read_and_unfollow(&sut)
        .await
        .unwrap();
}
