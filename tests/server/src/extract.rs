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

#[cfg(test)]
mod tests {
    //! The failure paths, through the real router and middleware, so what is
    //! checked is what goes on the wire.

    use axum::body::Body;
    use axum::http::{HeaderMap, Request, StatusCode};
    use serde_json::Value;
    use tower::ServiceExt;

    use super::*;
    use crate::config::ServerConfig;
    use crate::state::State;

    struct School {
        shared: Arc<Shared>,
        anna: String,
    }

    impl School {
        fn new() -> School {
            let mut state = State::default();
            state.accounts = crate::seed_miniature::generate(&mut state);
            let anna = state.usernames["anna.schulz"];
            let anna = state.create_session(anna, "");
            School {
                shared: Arc::new(Shared::new(ServerConfig::default(), state)),
                anna,
            }
        }

        fn user(&self, name: &str) -> Id {
            self.shared.state().usernames[name]
        }

        fn team(&self, name: &str) -> Id {
            self.shared.state().team_by_name(name).unwrap().id
        }

        fn channel(&self, team: &str, name: &str) -> Id {
            let team = self.team(team);
            self.shared
                .state()
                .channel_by_name(Some(team), name)
                .unwrap()
                .id
        }

        /// A file `owner` uploaded to `channel`.
        fn file(&self, owner: &str, channel: Id) -> Id {
            let id = Id::random();
            let info = FileInfo {
                id,
                user_id: self.user(owner),
                channel_id: channel,
                post_id: None,
                create_at: 1,
                name: "a.txt".into(),
                mime_type: "text/plain".into(),
                data: bytes::Bytes::from_static(b"hello"),
                width: 0,
                height: 0,
            };
            self.shared.state().files.insert(id, info);
            id
        }

        async fn get(&self, path: &str, token: Option<&str>) -> Reply {
            let mut request = Request::get(format!("/api/v4{path}"));
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let response = crate::routes::router(self.shared.clone())
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            let text = String::from_utf8_lossy(&body).into_owned();
            Reply {
                status,
                json: serde_json::from_str(&text).unwrap_or(Value::Null),
                text,
                headers,
            }
        }

        async fn as_anna(&self, path: &str) -> Reply {
            self.get(path, Some(&self.anna.clone())).await
        }
    }

    struct Reply {
        status: StatusCode,
        headers: HeaderMap,
        json: Value,
        text: String,
    }

    impl Reply {
        /// A Mattermost error with this status, id and message.
        fn is_error(&self, status: u16, id: &str, message: &str) {
            assert_eq!(self.status.as_u16(), status, "{}", self.text);
            assert_eq!(self.json["id"], id, "{}", self.text);
            assert_eq!(self.json["message"], message, "{}", self.text);
            assert_eq!(self.json["status_code"], status, "{}", self.text);
        }

        fn is_forbidden(&self) {
            self.is_error(
                403,
                "api.context.permissions.app_error",
                "You do not have the appropriate permissions.",
            );
        }
    }

    #[tokio::test]
    async fn no_token_or_a_bad_one_is_401_before_any_path_check() {
        let school = School::new();
        let petra = school.user("petra.berger");
        let staff = school.team("gsm-kollegium");
        let paths = [
            format!("/users/{petra}/teams"),
            format!("/users/me/teams/{staff}/channels"),
            "/users/me/teams/bad!/channels".to_string(),
            "/posts/short".to_string(),
            "/channels/bad!/members".to_string(),
            format!("/files/{}/info", Id::random()),
        ];
        for path in &paths {
            for token in [None, Some("notarealsessiontoken")] {
                school.get(path, token).await.is_error(
                    401,
                    "api.context.session_expired.app_error",
                    "Invalid or expired session, please login again.",
                );
            }
        }
    }

    #[tokio::test]
    async fn me_is_only_the_caller() {
        let school = School::new();
        let anna = school.user("anna.schulz");
        let petra = school.user("petra.berger");
        assert_eq!(school.as_anna("/users/me/teams").await.status, 200);
        assert_eq!(
            school.as_anna(&format!("/users/{anna}/teams")).await.status,
            200
        );
        school
            .as_anna(&format!("/users/{petra}/teams"))
            .await
            .is_forbidden();
        school.as_anna("/users/short/teams").await.is_error(
            400,
            "api.context.invalid_url_param.app_error",
            "Invalid or missing user_id parameter in request URL.",
        );
        // Anyone may be looked at where any user is allowed.
        assert_eq!(school.as_anna(&format!("/users/{petra}")).await.status, 200);
    }

    #[tokio::test]
    async fn malformed_path_ids_fail_like_the_router_and_the_handlers() {
        let school = School::new();
        // Not letters and digits: the router's 404, without a version header.
        let r = school.as_anna("/teams/bad!").await;
        r.is_error(
            404,
            "api.context.404.app_error",
            "Sorry, we could not find the page.",
        );
        assert!(r.headers.get("x-version-id").is_none());
        assert!(r.json["detailed_error"]
            .as_str()
            .unwrap()
            .contains("/api/v4/teams/bad!"));
        // Letters and digits of the wrong length: the handler's 400.
        for (path, name) in [
            ("/teams/short", "team_id"),
            ("/channels/short", "channel_id"),
            ("/posts/short", "post_id"),
            ("/files/short/info", "file_id"),
        ] {
            school.as_anna(path).await.is_error(
                400,
                "api.context.invalid_url_param.app_error",
                &format!("Invalid or missing {name} parameter in request URL."),
            );
        }
        // Not UTF-8 once decoded: axum's own rejection, as before.
        let r = school.as_anna("/posts/%FF").await;
        assert_eq!(r.status, 400);
        assert_eq!(r.text, "Invalid URL: Invalid UTF-8 in `post_id`");
    }

    #[tokio::test]
    async fn my_team_needs_membership() {
        let school = School::new();
        let own = school.team("gsm");
        let staff = school.team("gsm-kollegium");
        let path = |team: Id| format!("/users/me/teams/{team}/channels/categories");
        assert_eq!(school.as_anna(&path(own)).await.status, 200);
        school.as_anna(&path(staff)).await.is_forbidden();
        // A team that does not exist is no different from someone else's.
        school.as_anna(&path(Id::random())).await.is_forbidden();
        school
            .as_anna(&format!("/teams/{staff}/channels"))
            .await
            .is_forbidden();
    }

    #[tokio::test]
    async fn channels_posts_and_files_must_be_readable() {
        let school = School::new();
        let open_not_joined = school.channel("gsm", "klasse-5b");
        let private = school.channel("gsm", "deutsch-5b");
        let staff = school.channel("gsm-kollegium", "fachschaft-mathe");
        // An open channel of one's team is readable without joining it.
        let r = school
            .as_anna(&format!("/channels/{open_not_joined}/members"))
            .await;
        assert_eq!(r.status, 200);
        for channel in [private, staff] {
            school
                .as_anna(&format!("/channels/{channel}/posts"))
                .await
                .is_forbidden();
        }
        school
            .as_anna(&format!("/channels/{}/members", Id::random()))
            .await
            .is_error(
                404,
                "app.channel.get.existing.app_error",
                "Unable to find the existing channel.",
            );

        let private_post = school.shared.state().channel_posts[&private][0];
        school
            .as_anna(&format!("/posts/{private_post}"))
            .await
            .is_forbidden();
        school
            .as_anna(&format!("/posts/{}/thread", Id::random()))
            .await
            .is_error(404, "app.post.get.app_error", "Unable to get the post.");

        let mine = school.file("anna.schulz", school.channel("gsm", "klasse-5a"));
        let theirs = school.file("petra.berger", staff);
        assert_eq!(school.as_anna(&format!("/files/{mine}")).await.status, 200);
        school
            .as_anna(&format!("/files/{theirs}/info"))
            .await
            .is_forbidden();
        school
            .as_anna(&format!("/files/{}/preview", Id::random()))
            .await
            .is_error(
                404,
                "app.file_info.get.app_error",
                "Unable to get the file info.",
            );
    }

    #[tokio::test]
    async fn the_session_wins_over_a_bad_query_and_a_bad_query_over_the_path() {
        let school = School::new();
        let petra = school.user("petra.berger");
        let path = format!("/users/{petra}/channels?include_deleted=maybe");
        school.get(&path, None).await.is_error(
            401,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        );
        let r = school.as_anna(&path).await;
        assert_eq!(r.status, 400);
        assert!(r.text.starts_with("Failed to deserialize query string"));
        school
            .as_anna(&format!("/users/{petra}/channels"))
            .await
            .is_forbidden();
    }
}
