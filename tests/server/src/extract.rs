//! Extractors for the path of a request: who `{user_id}` is, which team,
//! channel, post or file an id names, and whether the caller may see it.
//!
//! Every extractor here authenticates first (through [`Auth`], looked up once
//! per request), then reads its path segment, then checks it, and fails with
//! the error the handlers used to return from their own preambles. Handlers
//! take them in the order the real server checks: the session, then the path
//! segments left to right, then membership. Where a handler also parses a
//! query string, `Auth` comes first and the path extractors after the
//! `Query`, so a missing session still wins over a bad query and a bad query
//! over a wrong path id, as before. (One pairing of axum's own plain-text
//! 400s swapped: a path segment that is not UTF-8 used to be reported before
//! a query string that does not parse, and is now reported after it.)

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::auth::Auth;
use crate::errors::ApiError;
use crate::ids::Id;
use crate::model::FileInfo;
use crate::shared::Shared;

/// A path id as Mattermost's router and handlers check it: the route only
/// matches letters and digits (anything else is the router's 404), the
/// handler then wants exactly 26 of them.
pub fn parse_id(s: &str, name: &str) -> Result<Id, ApiError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::not_found_route());
    }
    Id::parse(s).ok_or_else(|| ApiError::invalid_url_param(name))
}

/// The caller, then the percent-decoded path segment `name`. Reading the
/// segments through `Path` keeps its rejection (400, "Invalid URL: ...") for
/// a segment that is not UTF-8.
async fn caller_and_segment(
    parts: &mut Parts,
    shared: &Arc<Shared>,
    name: &str,
) -> Result<(Auth, String), Response> {
    let auth = Auth::from_request_parts(parts, shared)
        .await
        .map_err(IntoResponse::into_response)?;
    let Path(mut segments) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
        .await
        .map_err(IntoResponse::into_response)?;
    let segment = segments.remove(name).ok_or_else(|| {
        // A route that lacks the segment is a bug in the router table.
        ApiError::internal(&format!("route has no {{{name}}}")).into_response()
    })?;
    Ok((auth, segment))
}

/// `{user_id}` when it must be the caller (`me` or their own id); anyone
/// else is 403, as for the real server's `edit_other_users` checks.
pub struct Me(pub Id);

impl FromRequestParts<Arc<Shared>> for Me {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Me, Response> {
        let (auth, user) = caller_and_segment(parts, shared, "user_id").await?;
        auth.require_self(&user)
            .map(Me)
            .map_err(IntoResponse::into_response)
    }
}

/// `{user_id}` naming any user; `me` is the caller.
pub struct PathUser(pub Id);

impl FromRequestParts<Arc<Shared>> for PathUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<PathUser, Response> {
        let (auth, user) = caller_and_segment(parts, shared, "user_id").await?;
        auth.resolve(&user)
            .map(PathUser)
            .map_err(IntoResponse::into_response)
    }
}

/// Path ids that are only parsed ([`parse_id`]); what they name is the
/// handler's to look up.
macro_rules! path_ids {
    ($($(#[$doc:meta])* $name:ident = $segment:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name(pub Id);

        impl FromRequestParts<Arc<Shared>> for $name {
            type Rejection = Response;

            async fn from_request_parts(
                parts: &mut Parts,
                shared: &Arc<Shared>,
            ) -> Result<$name, Response> {
                let (_, id) = caller_and_segment(parts, shared, $segment).await?;
                parse_id(&id, $segment)
                    .map($name)
                    .map_err(IntoResponse::into_response)
            }
        }
    )*};
}

path_ids! {
    /// `{team_id}`.
    TeamId = "team_id";
    /// `{channel_id}`.
    ChannelId = "channel_id";
    /// `{post_id}`.
    PostId = "post_id";
    /// `{thread_id}`: the root post of a thread.
    ThreadId = "thread_id";
}

/// `{team_id}` of a team the caller is a member of; any other team, existing
/// or not, is 403.
pub struct MyTeam(pub Id);

impl FromRequestParts<Arc<Shared>> for MyTeam {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<MyTeam, Response> {
        let TeamId(team) = TeamId::from_request_parts(parts, shared).await?;
        let auth = Auth::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        if !shared.state().is_team_member(team, auth.user_id) {
            return Err(ApiError::permission("view_team").into_response());
        }
        Ok(MyTeam(team))
    }
}

/// `{channel_id}` of a channel the caller may read (a member, or anyone in
/// the team for a public channel): 404 when there is no such channel, 403
/// when it is not theirs to read.
pub struct ReadableChannel(pub Id);

impl FromRequestParts<Arc<Shared>> for ReadableChannel {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<ReadableChannel, Response> {
        let ChannelId(channel) = ChannelId::from_request_parts(parts, shared).await?;
        let auth = Auth::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let state = shared.state();
        let c = state
            .channel(channel)
            .map_err(IntoResponse::into_response)?;
        if !state.can_read(c, auth.user_id) {
            return Err(ApiError::permission("read_channel").into_response());
        }
        Ok(ReadableChannel(channel))
    }
}

/// Whether `user` may read `post`: 404 for a post (or channel) that does not
/// exist, 403 when its channel is not theirs to read. Deleted posts pass;
/// what they answer is the handler's business.
pub fn readable_post(state: &crate::state::State, user: Id, post: Id) -> Result<(), ApiError> {
    let p = state.post(post)?;
    let c = state.channel(p.channel_id)?;
    if !state.can_read(c, user) {
        return Err(ApiError::permission("read_channel_content"));
    }
    Ok(())
}

/// `{post_id}` of a post the caller may read ([`readable_post`]).
pub struct ReadablePost(pub Id);

impl FromRequestParts<Arc<Shared>> for ReadablePost {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<ReadablePost, Response> {
        let PostId(post) = PostId::from_request_parts(parts, shared).await?;
        let auth = Auth::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        readable_post(&shared.state(), auth.user_id, post).map_err(IntoResponse::into_response)?;
        Ok(ReadablePost(post))
    }
}

/// The file `{file_id}` names, when the caller uploaded it or is in its
/// channel: 404 for an unknown file, 403 for someone else's.
pub struct ReadableFile(pub FileInfo);

impl FromRequestParts<Arc<Shared>> for ReadableFile {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<ReadableFile, Response> {
        let (auth, file) = caller_and_segment(parts, shared, "file_id").await?;
        let id = parse_id(&file, "file_id").map_err(IntoResponse::into_response)?;
        let state = shared.state();
        let info = state
            .files
            .get(&id)
            .ok_or_else(|| ApiError::file_not_found().into_response())?;
        if info.user_id != auth.user_id && !state.is_member(info.channel_id, auth.user_id) {
            return Err(ApiError::permission("read_channel").into_response());
        }
        Ok(ReadableFile(info.clone()))
    }
}
