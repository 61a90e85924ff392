//! Builders for store tests: model values with the fields that matter set.

use crate::model::{Channel, ChannelMember, ChannelType, Post, Team, TeamMember, User};
use crate::store::{AccountKey, OpenCheck, Store};

pub(crate) const ME: &str = "me";

/// A fresh store in a temporary directory, signed in as [`ME`].
pub(crate) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_blocking(dir.path().join("t.sqlite"), OpenCheck::Header).unwrap();
    store
        .write_blocking(|w| {
            w.set_account_value(AccountKey::UserId, ME)?;
            w.upsert_users(&[user(ME, "ich", "Ich", "Selbst")])
        })
        .unwrap();
    (dir, store)
}

pub(crate) fn user(id: &str, username: &str, first: &str, last: &str) -> User {
    User {
        id: id.into(),
        username: username.into(),
        first_name: first.into(),
        last_name: last.into(),
        update_at: 1,
        ..User::default()
    }
}

pub(crate) fn team(id: &str, display_name: &str) -> Team {
    Team {
        id: id.into(),
        name: id.into(),
        display_name: display_name.into(),
        ..Team::default()
    }
}

pub(crate) fn team_member(team_id: &str) -> TeamMember {
    TeamMember {
        team_id: team_id.into(),
        user_id: ME.into(),
        ..TeamMember::default()
    }
}

pub(crate) fn channel(id: &str, team_id: &str, kind: &str, name: &str, display: &str) -> Channel {
    Channel {
        id: id.into(),
        team_id: team_id.into(),
        channel_type: ChannelType::parse(kind),
        name: name.into(),
        display_name: display.into(),
        ..Channel::default()
    }
}

pub(crate) fn member(channel_id: &str, msg_count: i64, mentions: i64) -> ChannelMember {
    ChannelMember {
        channel_id: channel_id.into(),
        user_id: ME.into(),
        msg_count,
        msg_count_root: msg_count,
        mention_count: mentions,
        mention_count_root: mentions,
        ..ChannelMember::default()
    }
}

pub(crate) fn post(
    id: &str,
    channel_id: &str,
    user_id: &str,
    create_at: i64,
    message: &str,
) -> Post {
    Post {
        id: id.into(),
        channel_id: channel_id.into(),
        user_id: user_id.into(),
        create_at,
        update_at: create_at,
        message: message.into(),
        ..Post::default()
    }
}
