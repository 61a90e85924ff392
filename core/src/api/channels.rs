//! Channels, memberships, sidebar categories, read state.

use reqwest::Method;
use serde::Serialize;

use super::{seg, ApiClient};
use crate::error::Result;
use crate::model::{
    Channel, ChannelMember, ChannelStats, ChannelType, ChannelUnreadAt, ChannelViewResponse,
    SidebarCategory, SidebarCategoryList, StringMap,
};

/// `GET /users/me/channels`: channels of all teams (and DMs/GMs) at once.
pub async fn my_channels(
    api: &ApiClient,
    last_delete_at: i64,
    include_deleted: bool,
) -> Result<Vec<Channel>> {
    api.get(
        "/users/me/channels",
        &[
            ("last_delete_at", last_delete_at.to_string()),
            ("include_deleted", include_deleted.to_string()),
        ],
    )
    .await
}

/// `GET /users/me/channel_members?page=&per_page=`: memberships of all teams.
pub async fn my_channel_members(
    api: &ApiClient,
    page: u32,
    per_page: u32,
) -> Result<Vec<ChannelMember>> {
    api.get(
        "/users/me/channel_members",
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
    .await
}

/// `GET /users/me/teams/{team_id}/channels`.
pub async fn my_team_channels(api: &ApiClient, team_id: &str) -> Result<Vec<Channel>> {
    api.get(&format!("/users/me/teams/{}/channels", seg(team_id)), &[])
        .await
}

/// `GET /users/me/teams/{team_id}/channels/members`.
pub async fn my_team_channel_members(api: &ApiClient, team_id: &str) -> Result<Vec<ChannelMember>> {
    api.get(
        &format!("/users/me/teams/{}/channels/members", seg(team_id)),
        &[],
    )
    .await
}

/// `GET /users/me/teams/{team_id}/channels/categories`.
pub async fn sidebar_categories(api: &ApiClient, team_id: &str) -> Result<SidebarCategoryList> {
    api.get(
        &format!("/users/me/teams/{}/channels/categories", seg(team_id)),
        &[],
    )
    .await
}

/// `GET /channels/{channel_id}`.
pub async fn channel(api: &ApiClient, channel_id: &str) -> Result<Channel> {
    api.get(&format!("/channels/{}", seg(channel_id)), &[])
        .await
}

/// `GET /channels/{channel_id}/members/me`.
pub async fn my_channel_member(api: &ApiClient, channel_id: &str) -> Result<ChannelMember> {
    api.get(&format!("/channels/{}/members/me", seg(channel_id)), &[])
        .await
}

#[derive(Serialize)]
struct ViewChannel<'a> {
    channel_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    prev_channel_id: &'a str,
}

/// `POST /channels/members/me/view`: marks a channel read.
pub async fn view_channel(
    api: &ApiClient,
    channel_id: &str,
    prev_channel_id: &str,
) -> Result<ChannelViewResponse> {
    api.post(
        "/channels/members/me/view",
        &ViewChannel {
            channel_id,
            prev_channel_id,
        },
    )
    .await
}

/// Body of `POST /channels`.
#[derive(Debug, Clone, Serialize)]
pub struct NewChannel {
    pub team_id: String,
    pub name: String,
    pub display_name: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub purpose: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub header: String,
}

/// `POST /channels`.
pub async fn create_channel(api: &ApiClient, channel: &NewChannel) -> Result<Channel> {
    api.post("/channels", channel).await
}

/// `POST /channels/direct [user_a, user_b]`.
pub async fn create_direct(api: &ApiClient, user_a: &str, user_b: &str) -> Result<Channel> {
    api.post("/channels/direct", &[user_a, user_b]).await
}

/// `POST /channels/group [ids]`.
pub async fn create_group(api: &ApiClient, user_ids: &[String]) -> Result<Channel> {
    api.post("/channels/group", user_ids).await
}

#[derive(Serialize)]
struct AddMember<'a> {
    user_id: &'a str,
}

/// `POST /channels/{id}/members {user_id}` (joining = adding oneself).
pub async fn add_member(api: &ApiClient, channel_id: &str, user_id: &str) -> Result<ChannelMember> {
    api.post(
        &format!("/channels/{}/members", seg(channel_id)),
        &AddMember { user_id },
    )
    .await
}

/// `DELETE /channels/{id}/members/me`: leave.
pub async fn leave_channel(api: &ApiClient, channel_id: &str) -> Result<()> {
    api.call::<()>(
        Method::DELETE,
        &format!("/channels/{}/members/me", seg(channel_id)),
        None,
    )
    .await
}

/// `PUT /channels/{id}/members/me/notify_props` with only the keys to
/// change, e.g. `{"mark_unread": "mention"}` to mute.
pub async fn update_notify_props(
    api: &ApiClient,
    channel_id: &str,
    props: &StringMap,
) -> Result<()> {
    api.call(
        Method::PUT,
        &format!("/channels/{}/members/me/notify_props", seg(channel_id)),
        Some(props),
    )
    .await
}

/// Mute (`mark_unread = mention`) or unmute (`all`) a channel.
pub async fn set_muted(api: &ApiClient, channel_id: &str, muted: bool) -> Result<()> {
    let mut props = StringMap::new();
    props.insert(
        "mark_unread".into(),
        if muted { "mention" } else { "all" }.into(),
    );
    update_notify_props(api, channel_id, &props).await
}

/// `GET /teams/{team_id}/channels?page=&per_page=`: the team's public
/// channels that are not archived, by display name.
pub async fn public_channels(
    api: &ApiClient,
    team_id: &str,
    page: u32,
    per_page: u32,
) -> Result<Vec<Channel>> {
    api.get(
        &format!("/teams/{}/channels", seg(team_id)),
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
    .await
}

#[derive(Serialize)]
struct ChannelSearch<'a> {
    term: &'a str,
}

/// `POST /teams/{team_id}/channels/search {term}`: public channels whose
/// name or display name starts a word with `term` (the server's rule).
pub async fn search_public_channels(
    api: &ApiClient,
    team_id: &str,
    term: &str,
) -> Result<Vec<Channel>> {
    api.post(
        &format!("/teams/{}/channels/search", seg(team_id)),
        &ChannelSearch { term },
    )
    .await
}

/// `GET /channels/{channel_id}/stats`.
pub async fn channel_stats(api: &ApiClient, channel_id: &str) -> Result<ChannelStats> {
    api.get(&format!("/channels/{}/stats", seg(channel_id)), &[])
        .await
}

/// `GET /channels/{channel_id}/members?page=&per_page=`.
pub async fn channel_members(
    api: &ApiClient,
    channel_id: &str,
    page: u32,
    per_page: u32,
) -> Result<Vec<ChannelMember>> {
    api.get(
        &format!("/channels/{}/members", seg(channel_id)),
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
    .await
}

/// `DELETE /channels/{id}/members/{user_id}`: leaving with the user's own
/// id (the server resolves `me` only for some routes).
pub async fn remove_member(api: &ApiClient, channel_id: &str, user_id: &str) -> Result<()> {
    api.call::<()>(
        Method::DELETE,
        &format!("/channels/{}/members/{}", seg(channel_id), seg(user_id)),
        None,
    )
    .await
}

/// `PUT /users/me/teams/{team_id}/channels/categories`: the changed
/// categories, whole. Moving a channel needs both the category it leaves
/// and the one it enters (the server empties every category named here
/// before filling it). Answers with the categories as stored.
pub async fn update_sidebar_categories(
    api: &ApiClient,
    team_id: &str,
    categories: &[SidebarCategory],
) -> Result<Vec<SidebarCategory>> {
    api.put(
        &format!("/users/me/teams/{}/channels/categories", seg(team_id)),
        categories,
    )
    .await
}

#[derive(Serialize)]
struct SetUnread {
    collapsed_threads_supported: bool,
}

/// `POST /users/{user_id}/posts/{post_id}/set_unread`: the channel reads
/// as unread from this post on. Answers with the channel's new read state.
pub async fn set_unread_from_post(
    api: &ApiClient,
    user_id: &str,
    post_id: &str,
) -> Result<ChannelUnreadAt> {
    api.post(
        &format!("/users/{}/posts/{}/set_unread", seg(user_id), seg(post_id)),
        &SetUnread {
            collapsed_threads_supported: true,
        },
    )
    .await
}

/// `GET /teams/{team_id}/channels/name/{channel_name}`.
pub async fn channel_by_name(
    api: &ApiClient,
    team_id: &str,
    channel_name: &str,
) -> Result<Channel> {
    api.get(
        &format!(
            "/teams/{}/channels/name/{}",
            seg(team_id),
            seg(channel_name)
        ),
        &[],
    )
    .await
}

/// `GET /teams/name/{team_name}/channels/name/{channel_name}`.
pub async fn channel_by_names(
    api: &ApiClient,
    team_name: &str,
    channel_name: &str,
) -> Result<Channel> {
    api.get(
        &format!(
            "/teams/name/{}/channels/name/{}",
            seg(team_name),
            seg(channel_name)
        ),
        &[],
    )
    .await
}
