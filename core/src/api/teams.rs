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
