//! The REST API v4 subset, one module per area.

use std::sync::Arc;

use axum::routing::{delete, get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::errors::{ApiError, ApiResult};
use crate::shared::Shared;

mod categories;
mod channels;
mod command_list;
mod command_people;
mod commands;
mod directory;
mod drafts;
mod files;
mod mailbox;
mod pins;
mod posts;
mod search_terms;
mod sso;
mod system;
mod teams;
mod terms;
mod user_autocomplete;
mod users;

pub use channels::join_channel;
pub use posts::create_and_announce;
pub use users::sign_up;

/// Parses a JSON body, failing like Mattermost's `SetInvalidParamWithErr`.
pub fn parse_body<T: DeserializeOwned>(body: &[u8], name: &str) -> ApiResult<T> {
    // The real server leaves `detailed_error` empty here.
    serde_json::from_slice(body).map_err(|e| {
        tracing::debug!("request body is not a valid {name}: {e}");
        ApiError::invalid_body_param(name)
    })
}

/// A JSON answer with an `ETag`, as the real server sends for the reads it
/// caches (users/me, channel pages, threads, a team's channels).
pub fn with_etag(body: serde_json::Value) -> axum::response::Response {
    use axum::response::IntoResponse;
    use sha2::{Digest, Sha256};
    let text = body.to_string();
    let digest = Sha256::digest(text.as_bytes());
    let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let mut response = axum::Json(body).into_response();
    if let Ok(value) = http::HeaderValue::from_str(&tag) {
        response.headers_mut().insert(http::header::ETAG, value);
    }
    response
}

/// Mattermost's `page`/`per_page` rules: bad values give the defaults,
/// `per_page` is capped at 200.
pub fn paging(
    page: Option<&str>,
    per_page: Option<&str>,
    default_per_page: usize,
) -> (usize, usize) {
    let page = page
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 0)
        .unwrap_or(0) as usize;
    let per_page = match per_page.and_then(|p| p.parse::<i64>().ok()) {
        Some(v) if v < 0 => default_per_page,
        Some(v) if v > 200 => 200,
        Some(v) => v as usize,
        None => default_per_page,
    };
    (page, per_page)
}

pub fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/system/ping", get(system::ping))
        .route("/config/client", get(system::client_config))
        .route("/license/client", get(system::client_license))
        .route("/users/login", post(users::login))
        .route(
            "/users/login/sso/code-exchange",
            post(users::sso_code_exchange),
        )
        .route("/users/logout", post(users::logout))
        .route("/users", post(users::create_user).get(users::list_users))
        .route("/users/email/verify", post(users::verify_email))
        .route("/users/email/verify/send", post(users::send_verification))
        .route("/users/ids", post(users::by_ids))
        .route("/users/usernames", post(users::by_usernames))
        .route("/users/status/ids", post(users::statuses_by_ids))
        .route("/users/sessions/device", put(users::attach_device))
        .route(
            "/users/{user_id}",
            get(users::get_user).delete(users::deactivate),
        )
        .route(
            "/users/{user_id}/terms_of_service",
            get(terms::of_user).post(terms::answer),
        )
        .route("/terms_of_service", get(terms::latest).post(terms::create))
        .route("/users/{user_id}/patch", put(users::patch_user))
        .route("/users/{user_id}/sessions", get(users::own_sessions))
        .route(
            "/users/{user_id}/status",
            get(users::get_status).put(users::set_status),
        )
        .route("/users/{user_id}/tokens", post(users::create_access_token))
        .route(
            "/users/{user_id}/preferences",
            get(users::get_preferences).put(users::put_preferences),
        )
        .route(
            "/users/{user_id}/preferences/delete",
            post(users::delete_preferences),
        )
        .route("/users/{user_id}/teams", get(teams::my_teams))
        .route(
            "/users/{user_id}/teams/members",
            get(teams::my_team_members),
        )
        .route("/users/{user_id}/teams/unread", get(teams::my_team_unreads))
        .route(
            "/users/{user_id}/teams/{team_id}/channels",
            get(channels::my_team_channels),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/channels/members",
            get(channels::my_team_channel_members),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/channels/categories",
            get(categories::categories).put(categories::update_categories),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/threads",
            get(posts::user_threads),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/threads/{thread_id}",
            get(posts::user_thread),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}",
            put(posts::read_thread),
        )
        .route(
            "/users/{user_id}/teams/{team_id}/threads/{thread_id}/following",
            put(posts::follow_thread).delete(posts::follow_thread),
        )
        .route("/users/{user_id}/channels", get(channels::my_channels))
        .route(
            "/users/{user_id}/channel_members",
            get(channels::my_channel_members),
        )
        .route(
            "/users/{user_id}/channels/{channel_id}/posts/unread",
            get(posts::posts_around_unread),
        )
        .route(
            "/users/{user_id}/posts/{post_id}/reactions/{emoji_name}",
            delete(posts::delete_reaction),
        )
        .route("/teams", get(teams::list_teams).post(teams::create_team))
        .route("/teams/{team_id}", get(teams::get_team))
        .route("/teams/{team_id}/patch", put(teams::patch_team))
        .route("/teams/name/{team_name}", get(teams::get_team_by_name))
        .route(
            "/teams/{team_id}/members",
            get(teams::team_members).post(teams::join_team),
        )
        .route(
            "/teams/{team_id}/channels",
            get(channels::public_team_channels),
        )
        .route(
            "/teams/{team_id}/channels/name/{channel_name}",
            get(channels::channel_by_name),
        )
        .route("/teams/{team_id}/posts/search", post(posts::search))
        .route(
            "/teams/{team_id}/channels/search",
            post(directory::search_channels),
        )
        .route(
            "/teams/{team_id}/members/{user_id}",
            delete(teams::leave_team),
        )
        .route(
            "/channels/{channel_id}/stats",
            get(directory::channel_stats),
        )
        .route(
            "/users/{user_id}/posts/{post_id}/set_unread",
            post(directory::set_unread),
        )
        .route("/users/search", post(directory::search_users))
        .route("/users/autocomplete", get(user_autocomplete::autocomplete))
        .route("/channels", post(channels::create_channel))
        .route("/channels/direct", post(channels::create_direct))
        .route("/channels/group", post(channels::create_group))
        .route(
            "/channels/members/{user_id}/view",
            post(channels::view_channel),
        )
        .route(
            "/channels/{channel_id}",
            get(channels::get_channel).delete(channels::delete_channel),
        )
        .route("/channels/{channel_id}/patch", put(channels::patch_channel))
        .route(
            "/channels/{channel_id}/members",
            get(channels::channel_members).post(channels::add_member),
        )
        .route(
            "/channels/{channel_id}/members/{user_id}",
            get(channels::get_member).delete(channels::remove_member),
        )
        .route(
            "/channels/{channel_id}/members/{user_id}/notify_props",
            put(channels::update_notify_props),
        )
        .route("/channels/{channel_id}/posts", get(posts::channel_posts))
        .route("/posts", post(posts::create_post))
        .route("/posts/ids", post(posts::posts_by_ids))
        .route(
            "/posts/{post_id}",
            get(posts::get_post).delete(posts::delete_post),
        )
        .route("/posts/{post_id}/patch", put(posts::patch_post))
        .route("/posts/{post_id}/thread", get(posts::get_thread))
        .route("/posts/{post_id}/reactions", get(posts::post_reactions))
        .route("/reactions", post(posts::add_reaction))
        .route("/files", post(files::upload))
        .route("/files/{file_id}", get(files::download))
        .route("/files/{file_id}/thumbnail", get(files::thumbnail))
        .route("/files/{file_id}/preview", get(files::preview))
        .route("/files/{file_id}/info", get(files::info))
        .route("/commands/execute", post(commands::execute))
        .route("/commands", get(command_list::list))
        .route(
            "/teams/{team_id}/commands/autocomplete_suggestions",
            get(command_list::suggestions),
        )
        .route("/drafts", post(drafts::upsert))
        .route(
            "/users/{user_id}/teams/{team_id}/drafts",
            get(drafts::team_drafts),
        )
        .route(
            "/users/{user_id}/channels/{channel_id}/drafts",
            delete(drafts::delete),
        )
        .route(
            "/users/{user_id}/channels/{channel_id}/drafts/{thread_id}",
            delete(drafts::delete_in_thread),
        )
        .route("/posts/{post_id}/pin", post(pins::pin))
        .route("/posts/{post_id}/unpin", post(pins::unpin))
        .route("/channels/{channel_id}/pinned", get(pins::pinned))
        .route("/users/{user_id}/posts/flagged", get(pins::flagged))
        .route(
            "/teams/name/{team_name}/channels/name/{channel_name}",
            get(channels::channel_by_team_and_name),
        )
        .route("/notifications/ack", post(system::push_ack))
        .route("/websocket", get(crate::ws::upgrade))
        .fallback(system::not_found);

    Router::new()
        .nest("/api/v4", api)
        .route(
            "/oauth/{service}/mobile_login",
            get(sso::form).post(sso::sign_in),
        )
        .route("/login/sso/saml", get(sso::form).post(sso::sign_in))
        .route("/_mailbox/{email}", get(mailbox::verification_link))
        .fallback(system::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::middleware::layer,
        ))
        .with_state(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_follows_mattermost_defaults_and_caps() {
        assert_eq!(paging(None, None, 60), (0, 60));
        assert_eq!(paging(Some("2"), Some("500"), 60), (2, 200));
        assert_eq!(paging(Some("-1"), Some("abc"), 60), (0, 60));
        assert_eq!(paging(Some("1"), Some("-5"), 60), (1, 60));
    }
}
