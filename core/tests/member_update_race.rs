//! A member update (here `/mute` from another device) that arrives for a
//! channel the cache does not have yet, while the fetch that brings the
//! channel has already read the membership from before the update. The
//! device must end up muted, not keep the older copy until a full refresh.

mod common;

use std::time::Duration;

use common::{count, device, live_device};
use pausenhof_core::reads::SidebarSection;
use pausenhof_testserver::{Role, ServerConfig, TestServer};

/// How long a change may take to reach the other device.
const REACH: Duration = Duration::from_secs(20);

fn muted(sections: &[SidebarSection], channel_id: &str) -> Option<bool> {
    sections
        .iter()
        .flat_map(|s| &s.channels)
        .find(|c| c.id == channel_id)
        .map(|c| c.muted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mute_racing_the_new_channels_fetch_is_not_lost() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_a_dir, a) = device(&server, &me).await;
    let (_b_dir, b) = live_device(&server, &me).await;
    let team = a.teams().await.unwrap()[0].id.clone();

    // B's first catch-up (after connecting) is over once it lists a
    // channel made after it: the held fetch below is the new channel's.
    let warm_up = a.create_channel(&team, "Ruhe", false, "").await.unwrap().id;
    let deadline = tokio::time::Instant::now() + REACH;
    while muted(&b.channel_list(&team).await.unwrap(), &warm_up).is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "B never lists a new channel"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Device B's fetch for the new channel reads the memberships, and its
    // answer is kept back until the mute has happened and reached B.
    let hold = server
        .faults()
        .hold_response_next("GET", "/users/me/channel_members", 1);
    let channel = a.create_channel(&team, "Lärm", false, "").await.unwrap().id;
    tokio::time::timeout(REACH, hold.reached())
        .await
        .expect("device B fetches the memberships");
    a.run_command(&channel, "", "/mute").await.unwrap();
    let store = b.store().unwrap();
    let muted_member = format!(
        "SELECT count(*) FROM channel_members WHERE channel_id = '{channel}' AND mark_unread = 'mention'"
    );
    let deadline = tokio::time::Instant::now() + REACH;
    loop {
        let sql = muted_member.clone();
        if store.read(move |c| Ok(count(c, &sql))).await.unwrap() == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the member update never reached device B"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Now the older membership arrives.
    hold.release();

    let deadline = tokio::time::Instant::now() + REACH;
    loop {
        let list = b.channel_list(&team).await.unwrap();
        if muted(&list, &channel) == Some(true) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "device B shows the channel unmuted: {:?}",
            muted(&list, &channel)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
