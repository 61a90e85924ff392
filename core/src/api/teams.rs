//! Teams of the signed-in user.

use super::ApiClient;
use crate::error::Result;
use crate::model::{Team, TeamMember, TeamUnread};

/// `GET /users/me/teams`.
pub async fn my_teams(api: &ApiClient) -> Result<Vec<Team>> {
    api.get("/users/me/teams", &[]).await
}

/// `GET /users/me/teams/members`.
pub async fn my_team_members(api: &ApiClient) -> Result<Vec<TeamMember>> {
    api.get("/users/me/teams/members", &[]).await
}

/// `GET /users/me/teams/unread`.
pub async fn my_team_unreads(api: &ApiClient) -> Result<Vec<TeamUnread>> {
    api.get("/users/me/teams/unread", &[]).await
}

/// `GET /teams/{team_id}`.
pub async fn team(api: &ApiClient, team_id: &str) -> Result<Team> {
    api.get(&format!("/teams/{}", super::seg(team_id)), &[])
        .await
}

/// `GET /teams?page=&per_page=`: for a user without the right to list
/// private teams, the teams open to anyone (`allow_open_invite`), whose
/// `allowed_domains` may still keep them out.
pub async fn open_teams(api: &ApiClient, page: u32, per_page: u32) -> Result<Vec<Team>> {
    api.get(
        "/teams",
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
    .await
}

#[derive(serde::Serialize)]
struct NewTeamMember<'a> {
    team_id: &'a str,
    user_id: &'a str,
}

/// `POST /teams/{team_id}/members {team_id, user_id}`: joining an open team
/// is adding oneself.
pub async fn join_team(api: &ApiClient, team_id: &str, user_id: &str) -> Result<TeamMember> {
    api.post(
        &format!("/teams/{}/members", super::seg(team_id)),
        &NewTeamMember { team_id, user_id },
    )
    .await
}

/// `DELETE /teams/{team_id}/members/{user_id}`.
pub async fn leave_team(api: &ApiClient, team_id: &str, user_id: &str) -> Result<()> {
    api.call::<()>(
        reqwest::Method::DELETE,
        &format!(
            "/teams/{}/members/{}",
            super::seg(team_id),
            super::seg(user_id)
        ),
        None,
    )
    .await
}
