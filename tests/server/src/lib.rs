//! A Mattermost-compatible test server for tests, demos and benchmarks. It
//! speaks the REST API v4 subset and the websocket a client uses, seeds a
//! deterministic school, and misbehaves on purpose when a test asks it to
//! (see [`Faults`]).

// The client config is one large `json!` literal.
#![recursion_limit = "256"]

use std::sync::Arc;

mod auth;
mod config;
mod errors;
mod events;
mod extract;
mod faults;
mod ids;
mod middleware;
mod model;
mod net;
mod push;
mod routes;
pub mod school_ca;
mod seed;
mod seed_miniature;
mod shared;
mod sidebar;
mod state;
mod ws;

pub use config::{Dataset, PushContents, ServerConfig};
pub use errors::ApiError;
pub use faults::{Corruption, Faults, ResponseHold};
pub use model::Role;
pub use shared::RequestRecord;
pub use state::Account;

use ids::Id;
use net::Net;
use shared::Shared;
use state::{NewPost, State};

/// A running server. Dropping it stops it.
pub struct TestServer {
    shared: Arc<Shared>,
    net: Arc<Net>,
}

fn user_id(s: &str) -> Result<Id, ApiError> {
    Id::parse(s).ok_or_else(|| ApiError::invalid_param("user_id"))
}

impl TestServer {
    /// Seeds the dataset and starts listening on `config.listen`.
    pub async fn start(config: ServerConfig) -> std::io::Result<TestServer> {
        let (dataset, seed) = (config.dataset, config.seed);
        let state = tokio::task::spawn_blocking(move || {
            let mut state = State::default();
            let accounts = match dataset {
                Dataset::Miniature => seed_miniature::generate(&mut state),
                _ => seed::generate(&mut state, dataset, seed),
            };
            state.accounts = accounts;
            state
        })
        .await
        .map_err(std::io::Error::other)?;
        let listen = config.listen;
        let tls = config.tls.clone();
        let shared = Arc::new(Shared::new(config, state));
        let router = routes::router(shared.clone());
        let net = Net::bind(listen, router, tls).await?;
        let _ = shared.site_url.set(net.url());
        Ok(TestServer { shared, net })
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS), without a trailing
    /// slash; the API is under `/api/v4`.
    pub fn url(&self) -> String {
        self.net.url()
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.net.addr()
    }

    /// The accounts of the seeded school (and those created since).
    pub fn accounts(&self) -> Vec<Account> {
        self.shared.state().accounts.clone()
    }

    /// The first account of `role` without MFA.
    ///
    /// # Panics
    /// When the dataset has no such account (only with `Dataset::Empty`).
    pub fn account(&self, role: Role) -> Account {
        self.accounts()
            .into_iter()
            .find(|a| a.role == role && a.mfa_secret.is_none())
            .unwrap_or_else(|| panic!("the dataset has no {role:?} account without MFA"))
    }

    /// Posts as another user, with the same events and pushes as a real post.
    pub fn try_post_as(
        &self,
        user_id: &str,
        channel_id: &str,
        message: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let user = self::user_id(user_id)?;
        let channel = Id::parse(channel_id).ok_or_else(|| ApiError::invalid_param("channel_id"))?;
        let (post, _) = routes::create_and_announce(
            &self.shared,
            NewPost {
                user_id: user,
                channel_id: channel,
                message: message.to_string(),
                root_id: None,
                props: None,
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: String::new(),
                create_at: None,
            },
        )?;
        Ok(post)
    }

    /// A post as another user at a given time (ms), e.g. yesterday's
    /// posts for day separators. Announced like any post.
    ///
    /// # Panics
    /// When the post is refused (unknown user or channel, not a member).
    pub fn post_as_at(
        &self,
        user_id: &str,
        channel_id: &str,
        message: &str,
        create_at: i64,
    ) -> serde_json::Value {
        let user = self::user_id(user_id).expect("a user id");
        let channel = Id::parse(channel_id).expect("a channel id");
        routes::create_and_announce(
            &self.shared,
            NewPost {
                user_id: user,
                channel_id: channel,
                message: message.to_string(),
                root_id: None,
                props: None,
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: String::new(),
                create_at: Some(create_at),
            },
        )
        .unwrap_or_else(|e| panic!("post_as_at failed: {} ({})", e.id, e.message))
        .0
    }

    /// [`TestServer::try_post_as`] for tests.
    ///
    /// # Panics
    /// When the post is refused (unknown user or channel, not a member).
    pub fn post_as(&self, user_id: &str, channel_id: &str, message: &str) -> serde_json::Value {
        self.try_post_as(user_id, channel_id, message)
            .unwrap_or_else(|e| panic!("post_as failed: {} ({})", e.id, e.message))
    }

    /// A reply in a thread, as another user.
    pub fn reply_as(
        &self,
        user_id: &str,
        root_id: &str,
        message: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let user = self::user_id(user_id)?;
        let root = Id::parse(root_id).ok_or_else(|| ApiError::invalid_param("root_id"))?;
        let channel = self.shared.state().post(root)?.channel_id;
        let (post, _) = routes::create_and_announce(
            &self.shared,
            NewPost {
                user_id: user,
                channel_id: channel,
                message: message.to_string(),
                root_id: Some(root),
                props: None,
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: String::new(),
                create_at: None,
            },
        )?;
        Ok(post)
    }

    /// A channel by team name and channel name.
    pub fn channel_by_name(
        &self,
        team_name: &str,
        channel_name: &str,
    ) -> Option<serde_json::Value> {
        let state = self.shared.state();
        let team = state.team_by_name(team_name)?.id;
        state
            .channel_by_name(Some(team), channel_name)
            .map(|c| c.to_json())
    }

    /// A team by name.
    pub fn team_by_name(&self, team_name: &str) -> Option<serde_json::Value> {
        self.shared
            .state()
            .team_by_name(team_name)
            .map(|t| t.to_json())
    }

    /// Creates a verified student account, as an administrator would.
    pub fn try_create_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<Account, ApiError> {
        routes::sign_up(&self.shared, email, username, password, "", "", true)
    }

    /// [`TestServer::try_create_user`] for tests.
    ///
    /// # Panics
    /// When the user is refused (invalid or taken name or email).
    pub fn create_user(&self, username: &str, email: &str, password: &str) -> Account {
        self.try_create_user(username, email, password)
            .unwrap_or_else(|e| panic!("create_user failed: {} ({})", e.id, e.message))
    }

    /// Adds a user to a team and its default channels.
    pub fn add_to_team(&self, user_id: &str, team_name: &str) -> Result<(), ApiError> {
        let user = self::user_id(user_id)?;
        let mut state = self.shared.state();
        let team = state
            .team_by_name(team_name)
            .map(|t| t.id)
            .ok_or_else(ApiError::team_not_found)?;
        state.add_team_member(team, user, false);
        let now = state.now();
        for name in ["town-square", "off-topic"] {
            if let Some(c) = state.channel_by_name(Some(team), name).map(|c| c.id) {
                state.add_channel_member(c, user, false, now);
            }
        }
        Ok(())
    }

    /// Makes the user a member of every team and every channel of the
    /// school and returns how many memberships were added. Direct messages
    /// between two other people are joined only with
    /// `direct_messages_of_others` (no real account can be in one; the
    /// client names them oddly). The new memberships count as read, viewed
    /// before the channel the user viewed last. For benchmarks: one account
    /// then holds the whole large school (1,000 channels, 200,000 posts).
    pub fn join_every_channel(
        &self,
        user_id: &str,
        direct_messages_of_others: bool,
    ) -> Result<usize, ApiError> {
        let user = self::user_id(user_id)?;
        let mut state = self.shared.state();
        if !state.users.contains_key(&user) {
            return Err(ApiError::invalid_param("user_id"));
        }
        let now = state.now();
        // Viewed before the channel viewed last, so that one stays last.
        let viewed_last = state
            .channel_members
            .values()
            .filter_map(|m| m.get(&user))
            .map(|m| m.last_viewed_at)
            .max()
            .unwrap_or(now);
        let teams: Vec<Id> = state.teams.keys().copied().collect();
        for team in teams {
            if !state.is_team_member(team, user) {
                state.add_team_member(team, user, false);
            }
        }
        let channels: Vec<Id> = state
            .channels
            .values()
            .filter(|c| direct_messages_of_others || c.kind != model::ChannelType::Direct)
            .map(|c| c.id)
            .collect();
        let mut added = 0;
        for channel in channels {
            let member = state
                .channel_members
                .get(&channel)
                .is_some_and(|m| m.contains_key(&user));
            if !member {
                state.add_channel_member(channel, user, false, now);
                // A real new member has read nothing; the bench account
                // has read everything (as the seeded members mostly have).
                let (total, total_root, last_post) =
                    state.channels.get(&channel).map_or((0, 0, 0), |c| {
                        (c.total_msg_count, c.total_msg_count_root, c.last_post_at)
                    });
                if let Some(m) = state
                    .channel_members
                    .get_mut(&channel)
                    .and_then(|m| m.get_mut(&user))
                {
                    m.msg_count = total;
                    m.msg_count_root = total_root;
                    m.mention_count = 0;
                    m.mention_count_root = 0;
                    m.last_viewed_at = last_post.min(viewed_last - 1);
                }
                added += 1;
            }
        }
        Ok(added)
    }

    /// Every session of the user ends; its next request gets 401
    /// `api.context.session_expired.app_error`.
    pub fn expire_sessions(&self, user_id: &str) {
        let Ok(user) = self::user_id(user_id) else {
            return;
        };
        for s in self.shared.state().sessions.values_mut() {
            if s.user_id == user {
                s.expired = true;
            }
        }
    }

    /// A session token for the user without a login (as after SSO).
    pub fn mint_session(&self, user_id: &str) -> Option<String> {
        let user = self::user_id(user_id).ok()?;
        let mut state = self.shared.state();
        state.users.get(&user)?;
        Some(state.create_session(user, ""))
    }

    /// A one-time SSO `login_code` for `POST /users/login/sso/code-exchange`.
    pub fn mint_login_code(&self, user_id: &str) -> Option<String> {
        let token = self.mint_session(user_id)?;
        let code = Id::random().to_string();
        self.shared.state().login_codes.insert(
            code.clone(),
            state::LoginCode {
                token,
                code_challenge: None,
                state: None,
            },
        );
        Some(code)
    }

    /// The token of the verification mail sent to `email`, if any.
    pub fn verification_token(&self, email: &str) -> Option<String> {
        self.shared
            .state()
            .verification_tokens
            .get(&email.to_lowercase())
            .cloned()
    }

    /// Every push-proxy payload the server decided to send, oldest first.
    pub fn sent_pushes(&self) -> Vec<serde_json::Value> {
        self.shared
            .pushes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Every push acknowledgement (`POST /notifications/ack`) received.
    pub fn push_acks(&self) -> Vec<serde_json::Value> {
        self.shared
            .acks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Creates a team with its two default channels, as an administrator
    /// would: `open` lets anyone join (`allow_open_invite`), within
    /// `allowed_domains` (e.g. "kollegium.schule.example"; "" for all).
    /// Returns its id.
    pub fn create_team(
        &self,
        name: &str,
        display_name: &str,
        open: bool,
        allowed_domains: &str,
    ) -> String {
        let mut state = self.shared.state();
        state
            .create_team(name, display_name, open, allowed_domains)
            .to_string()
    }

    /// Deactivates an account, as an administrator would.
    pub fn deactivate_user(&self, user_id: &str) {
        let Ok(user) = self::user_id(user_id) else {
            return;
        };
        let mut state = self.shared.state();
        let now = state.now();
        if let Some(u) = state.users.get_mut(&user) {
            u.delete_at = now;
            u.update_at = now;
        }
    }

    /// Turns on custom terms of service with a new version `text`, as an
    /// administrator would; returns its id. Clients see the setting only
    /// when the server is licensed (`ServerConfig::licensed`), as upstream.
    pub fn require_terms_of_service(&self, text: &str) -> String {
        let mut state = self.shared.state();
        let author = state
            .users
            .values()
            .find(|u| u.role == crate::model::Role::Admin)
            .map(|u| u.id)
            .unwrap_or_else(crate::ids::Id::random);
        state.custom_terms_enabled = true;
        state.publish_terms_of_service(author, text).id.to_string()
    }

    /// Sets the IANA timezone a user's profile names.
    pub fn set_timezone(&self, user_id: &str, timezone: &str) {
        let Ok(user) = self::user_id(user_id) else {
            return;
        };
        let mut state = self.shared.state();
        let now = state.now();
        if let Some(u) = state.users.get_mut(&user) {
            u.timezone = timezone.to_string();
            u.update_at = now;
        }
    }

    /// Sets a user's status as if they had set it themselves.
    pub fn set_status(&self, user_id: &str, status: &str) {
        let (Ok(user), Some(status)) = (self::user_id(user_id), model::parse_status(status)) else {
            return;
        };
        let event = self.shared.state().set_status(user, status, true);
        self.shared.publish(event.into_iter().collect());
    }

    /// Every post of a channel as stored, deleted ones included, in the
    /// order they were created: what a test compares a client's view with.
    pub fn channel_posts_as_stored(&self, channel_id: &str) -> Vec<serde_json::Value> {
        let Some(channel) = Id::parse(channel_id) else {
            return Vec::new();
        };
        let state = self.shared.state();
        state
            .channel_posts
            .get(&channel)
            .into_iter()
            .flatten()
            .filter_map(|id| state.post_json_by_id(*id))
            .collect()
    }

    /// When `user_id` last viewed the channel, as the server keeps it.
    pub fn last_viewed_at(&self, user_id: &str, channel_id: &str) -> Option<i64> {
        let user = Id::parse(user_id)?;
        let channel = Id::parse(channel_id)?;
        let state = self.shared.state();
        let member = state.channel_members.get(&channel)?.get(&user)?;
        Some(member.last_viewed_at)
    }

    /// Number of open websockets.
    pub fn websocket_count(&self) -> usize {
        self.shared.hub.live_count()
    }

    /// HTTP requests served since start or the last reset (websocket frames
    /// are not requests; the upgrade request is).
    pub fn request_count(&self) -> u64 {
        self.shared
            .request_count
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.request_log()
    }

    pub fn reset_request_log(&self) {
        self.shared.reset_request_log()
    }

    pub fn faults(&self) -> Faults {
        Faults {
            shared: self.shared.clone(),
            net: self.net.clone(),
        }
    }

    /// A restart: data and sessions are kept; connections, websockets and
    /// their dead queues are lost. Same port.
    pub async fn restart(&self) {
        self.net.go_down();
        self.shared.hub.forget_all();
        tokio::task::yield_now().await;
        if let Err(e) = self.net.go_up() {
            tracing::error!("test server could not listen again after restart: {e}");
        }
    }

    /// Stops listening and cuts every connection.
    pub async fn stop(&self) {
        self.net.shutdown();
        self.shared.hub.forget_all();
        tokio::task::yield_now().await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.net.shutdown();
        self.shared.hub.forget_all();
    }
}
