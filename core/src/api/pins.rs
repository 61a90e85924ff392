//! Pinned posts (per channel, seen by everyone in it) and saved posts
//! (the user's own `flagged_post` preferences).

use reqwest::Method;

use super::{seg, ApiClient};
use crate::error::Result;
use crate::model::PostList;

/// `POST /posts/{post_id}/pin` or `/unpin`.
pub async fn set_pinned(api: &ApiClient, post_id: &str, pinned: bool) -> Result<()> {
    let action = if pinned { "pin" } else { "unpin" };
    api.call::<()>(
        Method::POST,
        &format!("/posts/{}/{action}", seg(post_id)),
        None,
    )
    .await
}

/// `GET /channels/{channel_id}/pinned`.
pub async fn pinned_posts(api: &ApiClient, channel_id: &str) -> Result<PostList> {
    api.get(&format!("/channels/{}/pinned", seg(channel_id)), &[])
        .await
}

/// `GET /users/{user_id}/posts/flagged`: one page of the user's saved
/// posts, newest first.
pub async fn saved_posts(
    api: &ApiClient,
    user_id: &str,
    page: u32,
    per_page: u32,
) -> Result<PostList> {
    api.get(
        &format!("/users/{}/posts/flagged", seg(user_id)),
        &[
            ("page", page.to_string()),
            ("per_page", per_page.to_string()),
        ],
    )
    .await
}
