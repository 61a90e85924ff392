//! Drafts kept on the server (when its `AllowSyncedDrafts` is on).

use reqwest::Method;

use super::{seg, ApiClient};
use crate::error::Result;
use crate::model::Draft;

/// The server's error id when synced drafts are switched off.
pub const DRAFTS_DISABLED: &str = "api.drafts.disabled.app_error";

/// `POST /drafts`: creates or replaces the draft of a channel (thread).
pub async fn upsert_draft(api: &ApiClient, draft: &Draft) -> Result<Draft> {
    api.post("/drafts", draft).await
}

/// `GET /users/{user_id}/teams/{team_id}/drafts`: the user's drafts in a
/// team's channels (direct and group messages included). The real server
/// answers `null`, not `[]`, when there are none.
pub async fn team_drafts(api: &ApiClient, user_id: &str, team_id: &str) -> Result<Vec<Draft>> {
    let drafts: Option<Vec<Draft>> = api
        .get(
            &format!("/users/{}/teams/{}/drafts", seg(user_id), seg(team_id)),
            &[],
        )
        .await?;
    Ok(drafts.unwrap_or_default())
}

/// `DELETE /users/{user_id}/channels/{channel_id}/drafts[/{root_id}]`.
pub async fn delete_draft(
    api: &ApiClient,
    user_id: &str,
    channel_id: &str,
    root_id: &str,
) -> Result<()> {
    let mut path = format!(
        "/users/{}/channels/{}/drafts",
        seg(user_id),
        seg(channel_id)
    );
    if !root_id.is_empty() {
        path.push('/');
        path.push_str(&seg(root_id));
    }
    api.call::<()>(Method::DELETE, &path, None).await
}
