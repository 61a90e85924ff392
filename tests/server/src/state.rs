//! All server data, in memory, indexed by id. One lock guards it (see
//! `Shared::state`); nothing here awaits.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::errors::ApiError;
use crate::events::Event;
use crate::ids::Id;
use crate::model::*;
use crate::sidebar::SidebarCategory;

/// A seeded or created account, as tests and the binary hand it out.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Account {
    pub user_id: String,
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_secret: Option<String>,
}

/// What a one-time SSO login code stands for.
pub struct LoginCode {
    pub token: String,
    /// The app's PKCE challenge: the exchange must bring its verifier.
    pub code_challenge: Option<String>,
    /// The app's `state`: the exchange must bring it back unchanged.
    pub state: Option<String>,
}

#[derive(Default)]
pub struct State {
    /// Last timestamp handed out; timestamps strictly increase so `since`
    /// queries never miss a change made in the same millisecond.
    pub clock: i64,
    pub users: HashMap<Id, User>,
    pub usernames: HashMap<String, Id>,
    pub emails: HashMap<String, Id>,
    pub teams: BTreeMap<Id, Team>,
    pub team_members: HashMap<Id, BTreeMap<Id, TeamMember>>,
    pub user_teams: HashMap<Id, BTreeSet<Id>>,
    pub channels: HashMap<Id, Channel>,
    pub channel_members: HashMap<Id, BTreeMap<Id, ChannelMember>>,
    pub user_channels: HashMap<Id, BTreeSet<Id>>,
    pub posts: HashMap<Id, Post>,
    /// Post ids of each channel in creation order (deleted ones included).
    pub channel_posts: HashMap<Id, Vec<Id>>,
    /// Reply ids of each root post in creation order.
    pub replies: HashMap<Id, Vec<Id>>,
    pub files: HashMap<Id, FileInfo>,
    /// Sessions by token.
    pub sessions: HashMap<String, Session>,
    /// Personal access tokens: token id -> (user, token).
    pub access_tokens: HashMap<Id, (Id, String)>,
    pub preferences: HashMap<Id, Vec<Preference>>,
    pub statuses: HashMap<Id, Status>,
    /// pending_post_id -> (post id, when it was first seen in ms).
    pub pending_posts: HashMap<String, (Id, i64)>,
    /// "Sent" verification mails: email -> token.
    pub verification_tokens: HashMap<String, String>,
    /// One-time SSO login codes.
    pub login_codes: HashMap<String, LoginCode>,
    pub accounts: Vec<Account>,
    /// Thread read state: (user, root) -> last_viewed_at.
    pub thread_views: HashMap<(Id, Id), i64>,
    /// Following chosen by hand: (user, root) -> following. Without an
    /// entry, everyone who wrote in a thread follows it.
    pub thread_follows: HashMap<(Id, Id), bool>,
    /// Sidebar categories a user changed, per (user, team), in display
    /// order; absent until the first change (then they are derived).
    pub sidebars: HashMap<(Id, Id), Vec<SidebarCategory>>,
    /// Synced drafts by (user, channel, root id or ""): the draft's JSON.
    pub drafts: BTreeMap<(Id, Id, String), serde_json::Value>,
    /// Every version of the custom terms of service, oldest first.
    pub terms_of_service: Vec<TermsOfService>,
    /// `SupportSettings.CustomTermsOfServiceEnabled`.
    pub custom_terms_enabled: bool,
    /// The terms each user accepted last: (terms id, when, ms).
    pub user_terms: HashMap<Id, (String, i64)>,
}

/// One version of the custom terms of service.
#[derive(Clone, Debug)]
pub struct TermsOfService {
    pub id: Id,
    pub create_at: i64,
    pub user_id: Id,
    pub text: String,
}

impl TermsOfService {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "create_at": self.create_at,
            "user_id": self.user_id,
            "text": self.text,
        })
    }
}

pub fn hash_password(salt: &[u8; 16], password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(password.as_bytes());
    h.finalize().into()
}

pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Who a new post should notify, for the push module.
#[derive(Clone, Debug)]
pub struct PushCandidate {
    pub device_ids: Vec<String>,
    pub badge: i64,
}

/// The effects of creating a post.
pub struct CreatedPost {
    pub post: Value,
    pub events: Vec<Event>,
    pub push: Vec<PushCandidate>,
    pub sender_name: String,
    pub channel_name: String,
    pub channel_type: ChannelType,
    pub team_id: Option<Id>,
    pub deduplicated: bool,
}

pub struct NewPost {
    pub user_id: Id,
    pub channel_id: Id,
    pub message: String,
    pub root_id: Option<Id>,
    pub props: Option<Map<String, Value>>,
    pub file_ids: Vec<Id>,
    pub pending_post_id: String,
    pub kind: String,
    pub create_at: Option<i64>,
}

impl State {
    /// A new version of the terms (the same text again keeps the newest,
    /// as upstream).
    pub fn publish_terms_of_service(&mut self, author: Id, text: &str) -> TermsOfService {
        if let Some(newest) = self.terms_of_service.last().filter(|t| t.text == text) {
            return newest.clone();
        }
        let terms = TermsOfService {
            id: Id::random(),
            create_at: self.now(),
            user_id: author,
            text: text.to_string(),
        };
        self.terms_of_service.push(terms.clone());
        terms
    }

    pub fn now(&mut self) -> i64 {
        self.clock = system_now().max(self.clock + 1);
        self.clock
    }

    // ---- users ----

    pub fn user(&self, id: Id) -> Result<&User, ApiError> {
        self.users.get(&id).ok_or_else(ApiError::user_not_found)
    }

    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        let key = login.to_lowercase();
        self.usernames
            .get(&key)
            .or_else(|| self.emails.get(&key))
            .and_then(|id| self.users.get(id))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_user(
        &mut self,
        id: Id,
        username: &str,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        role: Role,
        salt: [u8; 16],
        create_at: i64,
    ) -> Id {
        let user = User {
            id,
            create_at,
            update_at: create_at,
            delete_at: 0,
            username: username.to_lowercase(),
            email: email.to_lowercase(),
            email_verified: true,
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            nickname: String::new(),
            position: match role {
                Role::Teacher => "Lehrkraft".into(),
                _ => String::new(),
            },
            roles: if role == Role::Admin {
                SYSTEM_ADMIN
            } else {
                SYSTEM_USER
            },
            locale: "de",
            password_salt: salt,
            password_hash: hash_password(&salt, password),
            mfa_secret: None,
            last_password_update: create_at,
            failed_attempts: 0,
            role,
            notify_props: default_user_notify_props(),
            timezone: String::new(),
        };
        self.usernames.insert(user.username.clone(), id);
        self.emails.insert(user.email.clone(), id);
        self.users.insert(id, user);
        self.statuses.insert(
            id,
            Status {
                status: "offline",
                manual: false,
                last_activity_at: create_at,
                dnd_end_time: 0,
            },
        );
        id
    }

    pub fn create_session(&mut self, user_id: Id, device_id: &str) -> String {
        // A mobile login revokes other sessions with the same device id.
        if !device_id.is_empty() {
            self.sessions
                .retain(|_, s| !(s.user_id == user_id && s.device_id == device_id));
        }
        let token = Id::random().to_string();
        self.sessions.insert(
            token.clone(),
            Session {
                user_id,
                device_id: device_id.to_string(),
                expired: false,
            },
        );
        token
    }

    pub fn set_status(&mut self, user_id: Id, status: &'static str, manual: bool) -> Option<Event> {
        let now = self.now();
        let entry = self.statuses.entry(user_id).or_insert(Status {
            status: "offline",
            manual: false,
            last_activity_at: now,
            dnd_end_time: 0,
        });
        // An automatic change never overrides a status the user set by hand.
        if !manual && entry.manual && entry.status != "online" {
            return None;
        }
        let changed = entry.status != status;
        entry.status = status;
        entry.manual = manual;
        if status != "dnd" {
            entry.dnd_end_time = 0;
        }
        entry.last_activity_at = now;
        if !changed {
            return None;
        }
        // Mattermost sends status changes to the user's own sockets only;
        // others poll statuses.
        Some(Event::to_user(
            "status_change",
            user_id,
            json!({"status": status, "user_id": user_id}),
        ))
    }

    // ---- teams ----

    pub fn team(&self, id: Id) -> Result<&Team, ApiError> {
        self.teams.get(&id).ok_or_else(ApiError::team_not_found)
    }

    pub fn team_by_name(&self, name: &str) -> Option<&Team> {
        self.teams.values().find(|t| t.name == name)
    }

    pub fn is_team_member(&self, team: Id, user: Id) -> bool {
        self.team_members
            .get(&team)
            .is_some_and(|m| m.contains_key(&user))
    }

    /// A team with its two default channels; `open`: anyone may join
    /// (within `allowed_domains`).
    pub fn create_team(
        &mut self,
        name: &str,
        display_name: &str,
        open: bool,
        allowed_domains: &str,
    ) -> Id {
        let now = self.now();
        let id = Id::random();
        self.teams.insert(
            id,
            crate::model::Team {
                id,
                create_at: now,
                update_at: now,
                name: name.to_string(),
                display_name: display_name.to_string(),
                description: String::new(),
                open,
                invite_id: Id::random(),
                allowed_domains: allowed_domains.to_string(),
            },
        );
        for (channel, display) in [("town-square", "Town Square"), ("off-topic", "Off-Topic")] {
            self.insert_channel(
                Id::random(),
                Some(id),
                crate::model::ChannelType::Open,
                channel,
                display,
                None,
                now,
            );
        }
        id
    }

    pub fn add_team_member(&mut self, team: Id, user: Id, admin: bool) {
        self.team_members
            .entry(team)
            .or_default()
            .insert(user, TeamMember { admin });
        self.user_teams.entry(user).or_default().insert(team);
    }

    // ---- channels ----

    pub fn channel(&self, id: Id) -> Result<&Channel, ApiError> {
        self.channels
            .get(&id)
            .ok_or_else(ApiError::channel_not_found)
    }

    pub fn channel_by_name(&self, team: Option<Id>, name: &str) -> Option<&Channel> {
        self.channels
            .values()
            .find(|c| c.team_id == team && c.name == name)
    }

    pub fn member(&self, channel: Id, user: Id) -> Option<&ChannelMember> {
        self.channel_members
            .get(&channel)
            .and_then(|m| m.get(&user))
    }

    pub fn is_member(&self, channel: Id, user: Id) -> bool {
        self.member(channel, user).is_some()
    }

    pub fn channel_member_ids(&self, channel: Id) -> Vec<Id> {
        self.channel_members
            .get(&channel)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Whether `user` may read `channel`: members always, anyone in the team
    /// for public channels.
    pub fn can_read(&self, channel: &Channel, user: Id) -> bool {
        if self.is_member(channel.id, user) {
            return true;
        }
        channel.kind == ChannelType::Open
            && channel
                .team_id
                .is_some_and(|t| self.is_team_member(t, user))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_channel(
        &mut self,
        id: Id,
        team_id: Option<Id>,
        kind: ChannelType,
        name: &str,
        display_name: &str,
        creator: Option<Id>,
        create_at: i64,
    ) -> Id {
        self.channels.insert(
            id,
            Channel {
                id,
                team_id,
                kind,
                name: name.to_string(),
                display_name: display_name.to_string(),
                header: String::new(),
                purpose: String::new(),
                creator_id: creator,
                create_at,
                update_at: create_at,
                delete_at: 0,
                last_post_at: create_at,
                last_root_post_at: create_at,
                total_msg_count: 0,
                total_msg_count_root: 0,
            },
        );
        self.channel_members.entry(id).or_default();
        self.channel_posts.entry(id).or_default();
        id
    }

    /// Adds a member. As on the real server, a new member has viewed
    /// nothing yet (`msg_count` and `last_viewed_at` 0): what the channel
    /// holds is unread until the client marks it viewed.
    pub fn add_channel_member(&mut self, channel: Id, user: Id, admin: bool, now: i64) {
        if !self.channels.contains_key(&channel) {
            return;
        }
        let member = ChannelMember::new(now, admin);
        self.channel_members
            .entry(channel)
            .or_default()
            .insert(user, member);
        self.user_channels.entry(user).or_default().insert(channel);
    }

    pub fn remove_channel_member(&mut self, channel: Id, user: Id) -> bool {
        let removed = self
            .channel_members
            .get_mut(&channel)
            .and_then(|m| m.remove(&user))
            .is_some();
        if let Some(set) = self.user_channels.get_mut(&user) {
            set.remove(&channel);
        }
        removed
    }

    pub fn direct_channel_name(a: Id, b: Id) -> String {
        let (x, y) = if a < b { (a, b) } else { (b, a) };
        format!("{x}__{y}")
    }

    /// Finds or creates the direct channel of two users.
    pub fn direct_channel(&mut self, a: Id, b: Id) -> (Id, bool) {
        let name = State::direct_channel_name(a, b);
        if let Some(c) = self.channel_by_name(None, &name) {
            return (c.id, false);
        }
        let now = self.now();
        let id = self.insert_channel(
            Id::random(),
            None,
            ChannelType::Direct,
            &name,
            "",
            Some(a),
            now,
        );
        self.add_channel_member(id, a, false, now);
        if a != b {
            self.add_channel_member(id, b, false, now);
        }
        (id, true)
    }

    /// Mattermost names a group channel by a hash of its sorted member ids.
    pub fn group_channel_name(members: &[Id]) -> String {
        let mut ids: Vec<&str> = members.iter().map(Id::as_str).collect();
        ids.sort_unstable();
        let mut h = Sha256::new();
        h.update(ids.join(",").as_bytes());
        let digest = h.finalize();
        digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
    }

    pub fn group_channel(&mut self, members: &[Id]) -> (Id, bool) {
        let name = State::group_channel_name(members);
        if let Some(c) = self.channel_by_name(None, &name) {
            return (c.id, false);
        }
        let now = self.now();
        let mut names: Vec<String> = members
            .iter()
            .filter_map(|m| self.users.get(m).map(|u| u.username.clone()))
            .collect();
        names.sort();
        let id = self.insert_channel(
            Id::random(),
            None,
            ChannelType::Group,
            &name,
            &names.join(", "),
            members.first().copied(),
            now,
        );
        for m in members {
            self.add_channel_member(id, *m, false, now);
        }
        (id, true)
    }

    // ---- posts ----

    pub fn post(&self, id: Id) -> Result<&Post, ApiError> {
        self.posts.get(&id).ok_or_else(ApiError::post_not_found)
    }

    pub fn post_json(&self, post: &Post, pending_post_id: &str) -> Value {
        let root = post.root_id.unwrap_or(post.id);
        let (reply_count, last_reply_at) = self.thread_stats(root);
        let files = post
            .file_ids
            .iter()
            .filter_map(|f| self.files.get(f).map(FileInfo::to_json))
            .collect();
        post.to_json(PostContext {
            reply_count,
            last_reply_at: if post.root_id.is_none() {
                last_reply_at
            } else {
                0
            },
            files,
            pending_post_id,
        })
    }

    pub fn post_json_by_id(&self, id: Id) -> Option<Value> {
        self.posts.get(&id).map(|p| self.post_json(p, ""))
    }

    /// Live reply count and newest reply time of a thread.
    pub fn thread_stats(&self, root: Id) -> (i64, i64) {
        let Some(replies) = self.replies.get(&root) else {
            return (0, 0);
        };
        let mut count = 0;
        let mut last = 0;
        for r in replies {
            if let Some(p) = self.posts.get(r) {
                if p.delete_at == 0 {
                    count += 1;
                    last = last.max(p.create_at);
                }
            }
        }
        (count, last)
    }

    /// Inserts a post and updates counters, without events or checks. Used by
    /// the seeder and by [`State::create_post`].
    pub fn insert_post(&mut self, post: Post) {
        let id = post.id;
        let channel_id = post.channel_id;
        let create_at = post.create_at;
        let is_root = post.root_id.is_none();
        let counted = !is_join_leave(&post.kind);
        if let Some(root) = post.root_id {
            self.replies.entry(root).or_default().push(id);
        }
        for f in &post.file_ids {
            if let Some(file) = self.files.get_mut(f) {
                file.post_id = Some(id);
            }
        }
        if let Some(c) = self.channels.get_mut(&channel_id) {
            c.last_post_at = c.last_post_at.max(create_at);
            if counted {
                c.total_msg_count += 1;
            }
            if is_root && counted {
                c.total_msg_count_root += 1;
                c.last_root_post_at = c.last_root_post_at.max(create_at);
            }
        }
        let list = self.channel_posts.entry(channel_id).or_default();
        // Posts arrive in time order except when a caller sets create_at.
        let pos = match list.last().and_then(|l| self.posts.get(l)) {
            Some(last) if last.create_at > create_at => list
                .partition_point(|p| self.posts.get(p).is_some_and(|x| x.create_at <= create_at)),
            _ => list.len(),
        };
        list.insert(pos, id);
        self.posts.insert(id, post);
    }

    /// Users a message mentions among `members`.
    pub fn mentioned(
        &self,
        message: &str,
        members: &[Id],
        author: Id,
        kind: ChannelType,
    ) -> Vec<Id> {
        let lower = message.to_lowercase();
        let everyone = ["@channel", "@all", "@here"]
            .iter()
            .any(|k| contains_word(&lower, k));
        members
            .iter()
            .copied()
            .filter(|m| *m != author)
            .filter(|m| {
                kind == ChannelType::Direct
                    || everyone
                    || self
                        .users
                        .get(m)
                        .is_some_and(|u| contains_word(&lower, &format!("@{}", u.username)))
            })
            .collect()
    }

    pub fn create_post(
        &mut self,
        new: NewPost,
        dedupe_window_ms: i64,
    ) -> Result<CreatedPost, ApiError> {
        let channel = self.channel(new.channel_id)?;
        let channel_type = channel.kind;
        let team_id = channel.team_id;
        let channel_name = channel.display_name.clone();
        if channel.delete_at > 0 {
            return Err(ApiError::new(
                400,
                "api.post.create_post.can_not_post_to_deleted.error",
                "Can not post to deleted channel.",
            ));
        }
        if !self.is_member(new.channel_id, new.user_id) {
            return Err(ApiError::permission("create_post"));
        }
        // The real server names the sender by TeammateNameDisplay, whose
        // default ("username") shows as `@username`.
        let sender_name = format!("@{}", self.user(new.user_id)?.username);
        let now = self.now();
        if !new.pending_post_id.is_empty() {
            self.pending_posts
                .retain(|_, (_, seen)| now - *seen < dedupe_window_ms);
            if let Some((existing, _)) = self.pending_posts.get(&new.pending_post_id) {
                if let Some(post) = self.posts.get(existing) {
                    let mut first = self.post_json(post, "");
                    // The real server answers a repeat with the stored post,
                    // which has no metadata yet.
                    if let Some(fields) = first.as_object_mut() {
                        fields.remove("metadata");
                    }
                    return Ok(CreatedPost {
                        post: first,
                        events: Vec::new(),
                        push: Vec::new(),
                        sender_name,
                        channel_name,
                        channel_type,
                        team_id,
                        deduplicated: true,
                    });
                }
            }
        }
        if let Some(root_id) = new.root_id {
            let root = self.posts.get(&root_id).ok_or_else(|| {
                ApiError::new(
                    400,
                    "api.post.create_post.root_id.app_error",
                    "Invalid RootId parameter.",
                )
            })?;
            if root.channel_id != new.channel_id || root.root_id.is_some() || root.delete_at > 0 {
                return Err(ApiError::new(
                    400,
                    "api.post.create_post.root_id.app_error",
                    "Invalid RootId parameter.",
                ));
            }
        }
        for f in &new.file_ids {
            let ok = self
                .files
                .get(f)
                .is_some_and(|file| file.user_id == new.user_id && file.post_id.is_none());
            if !ok {
                return Err(ApiError::new(
                    400,
                    "api.post.create_post.file_ids.app_error",
                    "Invalid file ids.",
                ));
            }
        }
        let create_at = new.create_at.unwrap_or(now);
        let id = Id::random();
        let post = Post {
            id,
            channel_id: new.channel_id,
            user_id: new.user_id,
            root_id: new.root_id,
            create_at,
            update_at: create_at,
            edit_at: 0,
            delete_at: 0,
            is_pinned: false,
            message: new.message.clone().into_boxed_str(),
            kind: new.kind.clone().into_boxed_str(),
            props: new.props.map(Box::new),
            file_ids: new.file_ids,
            reactions: Vec::new(),
        };
        self.insert_post(post);
        if let Some(root) = new.root_id.and_then(|r| self.posts.get_mut(&r)) {
            // A reply changes its root (the real server bumps its update_at),
            // so `since` reports the root again.
            root.update_at = root.update_at.max(create_at);
        }
        if !new.pending_post_id.is_empty() {
            self.pending_posts
                .insert(new.pending_post_id.clone(), (id, now));
        }

        let members = self.channel_member_ids(new.channel_id);
        let mentioned = if new.kind.is_empty() {
            self.mentioned(&new.message, &members, new.user_id, channel_type)
        } else if new.kind == "system_add_to_channel" {
            // The real server counts "added to the channel" as a mention of
            // the added user (notification.go), though the post itself is
            // not counted as a message.
            new_added_user(&post_props_of(self, id))
        } else {
            Vec::new()
        };
        let is_root = new.root_id.is_none();
        for m in &mentioned {
            if let Some(member) = self
                .channel_members
                .get_mut(&new.channel_id)
                .and_then(|ms| ms.get_mut(m))
            {
                member.mention_count += 1;
                if is_root {
                    member.mention_count_root += 1;
                }
            }
        }
        // Posting a root post marks the channel read for the author, as the
        // real server does (with collapsed threads, replies leave it alone).
        let (total, total_root) = self
            .channels
            .get(&new.channel_id)
            .map(|c| (c.total_msg_count, c.total_msg_count_root))
            .unwrap_or((0, 0));
        if let Some(member) = self
            .channel_members
            .get_mut(&new.channel_id)
            .and_then(|ms| ms.get_mut(&new.user_id))
            .filter(|_| is_root)
        {
            member.msg_count = total;
            member.msg_count_root = total_root;
            member.last_viewed_at = create_at;
            member.last_update_at = create_at;
            member.mention_count = 0;
            member.mention_count_root = 0;
        }

        let post_json = {
            let p = self.posts.get(&id).expect("just inserted");
            self.post_json(p, &new.pending_post_id)
        };
        let mut data = json!({
            "channel_display_name": channel_name,
            "channel_name": self.channels.get(&new.channel_id).map(|c| c.name.clone()).unwrap_or_default(),
            "channel_type": channel_type.code(),
            "post": post_json.to_string(),
            "sender_name": format!("@{}", self.users.get(&new.user_id).map(|u| u.username.as_str()).unwrap_or("")),
            "set_online": true,
            "team_id": team_id.map(|t| t.to_string()).unwrap_or_default(),
        });
        if !mentioned.is_empty() {
            data["mentions"] = Value::String(
                serde_json::to_string(&mentioned.iter().map(Id::to_string).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
        }
        let mut events = vec![Event::to_channel(
            "posted",
            new.channel_id,
            members.clone(),
            data,
        )];
        if let Some(root) = new.root_id {
            // Writing in a thread follows it again, as on the real server.
            self.thread_follows.insert((new.user_id, root), true);
            // Each follower learns the thread's new counts, as they see them.
            for follower in self.thread_followers(root) {
                if follower == new.user_id {
                    continue;
                }
                if let Some((_, thread)) = self.thread_json(follower, root) {
                    events.push(Event::to_user(
                        "thread_updated",
                        follower,
                        json!({"thread": thread.to_string()}),
                    ));
                }
            }
        }

        let push = self.push_candidates(new.channel_id, new.user_id, &mentioned, channel_type);
        Ok(CreatedPost {
            post: post_json,
            events,
            push,
            sender_name,
            channel_name,
            channel_type,
            team_id,
            deduplicated: false,
        })
    }

    /// Who follows `root`'s thread: everyone who wrote in it, unless they
    /// stopped following, and everyone who chose to follow it.
    pub fn thread_followers(&self, root: Id) -> Vec<Id> {
        let mut users: BTreeSet<Id> = self.thread_participants(root).into_iter().collect();
        for ((user, thread), following) in &self.thread_follows {
            if *thread == root {
                if *following {
                    users.insert(*user);
                } else {
                    users.remove(user);
                }
            }
        }
        users.into_iter().collect()
    }

    /// A thread as `/users/{id}/teams/{id}/threads` shows it to `user`, with
    /// its last reply time for sorting.
    pub fn thread_json(&self, user: Id, root: Id) -> Option<(i64, Value)> {
        let root_post = self.posts.get(&root)?;
        let replies = self.replies.get(&root)?;
        let (reply_count, last_reply_at) = self.thread_stats(root);
        let last_viewed = self.thread_views.get(&(user, root)).copied().unwrap_or(0);
        let mention = self
            .users
            .get(&user)
            .map(|u| format!("@{}", u.username))
            .unwrap_or_default();
        let unread: Vec<&Post> = replies
            .iter()
            .filter_map(|r| self.posts.get(r))
            .filter(|p| p.delete_at == 0 && p.create_at > last_viewed && p.user_id != user)
            .collect();
        let unread_mentions = unread
            .iter()
            .filter(|p| !mention.is_empty() && p.message.contains(mention.as_str()))
            .count();
        let people: Vec<Value> = self
            .thread_participants(root)
            .iter()
            .filter_map(|u| self.users.get(u))
            .map(|u| u.to_json(false))
            .collect();
        Some((
            last_reply_at,
            json!({
                "id": root,
                "reply_count": reply_count,
                "last_reply_at": last_reply_at,
                "last_viewed_at": last_viewed,
                "participants": people,
                "post": self.post_json(root_post, ""),
                "unread_replies": unread.len(),
                "unread_mentions": unread_mentions,
                "is_urgent": false,
                "delete_at": root_post.delete_at,
            }),
        ))
    }

    pub fn thread_participants(&self, root: Id) -> Vec<Id> {
        let mut users: BTreeSet<Id> = BTreeSet::new();
        if let Some(p) = self.posts.get(&root) {
            users.insert(p.user_id);
        }
        for r in self.replies.get(&root).into_iter().flatten() {
            if let Some(p) = self.posts.get(r) {
                users.insert(p.user_id);
            }
        }
        users.into_iter().collect()
    }

    /// Members with a registered device whom this post should notify:
    /// direct messages and mentions by default (group messages too), every
    /// message when the channel's or the user's push setting says "all",
    /// never when muted or set to "none"; and only when the user is not
    /// active (online).
    fn push_candidates(
        &self,
        channel: Id,
        author: Id,
        mentioned: &[Id],
        kind: ChannelType,
    ) -> Vec<PushCandidate> {
        let Some(members) = self.channel_members.get(&channel) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (user_id, member) in members {
            if *user_id == author {
                continue;
            }
            let devices: Vec<String> = self
                .sessions
                .values()
                .filter(|s| s.user_id == *user_id && !s.expired && !s.device_id.is_empty())
                .map(|s| s.device_id.clone())
                .collect();
            if devices.is_empty() {
                continue;
            }
            let Some(user) = self.users.get(user_id) else {
                continue;
            };
            let user_push = user
                .notify_props
                .get("push")
                .map(String::as_str)
                .unwrap_or("mention");
            let channel_push = member
                .notify_props
                .get("push")
                .map(String::as_str)
                .unwrap_or("default");
            // As the real server (doesNotifyPropsAllowPushNotification):
            // a group message at the user's level "mention" counts as "all",
            // and a muted channel never pushes, not even for a mention.
            let effective = match channel_push {
                "default" if kind == ChannelType::Group && user_push == "mention" => "all",
                "default" => user_push,
                explicit => explicit,
            };
            let muted =
                member.notify_props.get("mark_unread").map(String::as_str) == Some("mention");
            let is_mention = mentioned.contains(user_id);
            let wants = match effective {
                "all" => true,
                "none" => false,
                _ => is_mention || kind == ChannelType::Direct,
            } && !muted;
            if !wants {
                continue;
            }
            let status = self
                .statuses
                .get(user_id)
                .map(|s| s.status)
                .unwrap_or("offline");
            let push_status = user
                .notify_props
                .get("push_status")
                .map(String::as_str)
                .unwrap_or("away");
            let active_enough = match push_status {
                "online" => true,
                "offline" => status == "offline",
                _ => status != "online",
            };
            if !active_enough || status == "dnd" {
                continue;
            }
            let badge = self.badge(*user_id);
            out.push(PushCandidate {
                device_ids: devices,
                badge,
            });
        }
        out
    }

    /// Mentions plus unread direct messages, the badge a phone shows.
    pub fn badge(&self, user: Id) -> i64 {
        self.user_channels
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|c| self.member(*c, user))
            .map(|m| m.mention_count)
            .sum()
    }

    /// Marks channels viewed; returns channel -> last_viewed_at.
    pub fn view_channels(&mut self, user: Id, channels: &[Id]) -> BTreeMap<Id, i64> {
        let mut times = BTreeMap::new();
        let now = self.now();
        for c in channels {
            let Some(ch) = self.channels.get(c) else {
                continue;
            };
            let (total, total_root, last_post_at) =
                (ch.total_msg_count, ch.total_msg_count_root, ch.last_post_at);
            if let Some(m) = self
                .channel_members
                .get_mut(c)
                .and_then(|ms| ms.get_mut(&user))
            {
                m.msg_count = total;
                m.msg_count_root = total_root;
                m.mention_count = 0;
                m.mention_count_root = 0;
                m.last_viewed_at = last_post_at;
                m.last_update_at = now;
                times.insert(*c, last_post_at);
            }
        }
        times
    }

    /// Every post of a channel, newest first, deleted ones left out.
    pub fn live_posts_desc(&self, channel: Id) -> impl Iterator<Item = &Post> {
        self.channel_posts
            .get(&channel)
            .into_iter()
            .flat_map(|v| v.iter().rev())
            .filter_map(|id| self.posts.get(id))
            .filter(|p| p.delete_at == 0)
    }

    pub fn unread_for_team(&self, user: Id, team: Id) -> Value {
        let mut msg = 0;
        let mut mention = 0;
        let mut msg_root = 0;
        let mut mention_root = 0;
        for c in self.user_channels.get(&user).into_iter().flatten() {
            let Some(ch) = self.channels.get(c) else {
                continue;
            };
            if ch.team_id != Some(team) {
                continue;
            }
            let Some(m) = self.member(*c, user) else {
                continue;
            };
            if m.notify_props.get("mark_unread").map(String::as_str) != Some("mention") {
                msg += (ch.total_msg_count - m.msg_count).max(0);
                msg_root += (ch.total_msg_count_root - m.msg_count_root).max(0);
            }
            mention += m.mention_count;
            mention_root += m.mention_count_root;
        }
        json!({
            "team_id": team,
            "msg_count": msg,
            "mention_count": mention,
            "msg_count_root": msg_root,
            "mention_count_root": mention_root,
            "thread_count": 0,
            "thread_mention_count": 0,
            "thread_urgent_mention_count": 0,
        })
    }

    pub fn preferences_of(&self, user: Id) -> Vec<Value> {
        self.preferences
            .get(&user)
            .into_iter()
            .flatten()
            .map(|p| p.to_json(user))
            .collect()
    }

    pub fn set_preference(&mut self, user: Id, pref: Preference) {
        let list = self.preferences.entry(user).or_default();
        if let Some(existing) = list
            .iter_mut()
            .find(|p| p.category == pref.category && p.name == pref.name)
        {
            *existing = pref;
        } else {
            list.push(pref);
        }
    }
}

/// Mattermost's `Post.IsJoinLeaveMessage`: these system messages are not
/// counted in a channel's `total_msg_count`.
pub fn is_join_leave(kind: &str) -> bool {
    matches!(
        kind,
        "system_join_leave"
            | "system_add_remove"
            | "system_join_channel"
            | "system_leave_channel"
            | "system_join_team"
            | "system_leave_team"
            | "system_add_to_channel"
            | "system_remove_from_channel"
            | "system_add_to_team"
            | "system_remove_from_team"
    )
}

fn post_props_of(state: &State, post: Id) -> Map<String, Value> {
    state
        .posts
        .get(&post)
        .and_then(|p| p.props.as_deref().cloned())
        .unwrap_or_default()
}

fn new_added_user(props: &Map<String, Value>) -> Vec<Id> {
    props
        .get("addedUserId")
        .and_then(Value::as_str)
        .and_then(Id::parse)
        .into_iter()
        .collect()
}

/// `needle` occurs in `haystack` not followed by a username character.
pub fn contains_word(haystack: &str, needle: &str) -> bool {
    let mut start = 0;
    while let Some(pos) = haystack[start..].find(needle) {
        let end = start + pos + needle.len();
        let next = haystack[end..].chars().next();
        if !next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
            return true;
        }
        start = end;
    }
    false
}

impl State {
    /// Posts a system message (join, leave, header change, ...) and returns
    /// its events. System messages never push.
    pub fn system_post(
        &mut self,
        channel: Id,
        user: Id,
        kind: &str,
        message: String,
        props: Map<String, Value>,
    ) -> Vec<Event> {
        self.create_post(
            NewPost {
                user_id: user,
                channel_id: channel,
                message,
                root_id: None,
                props: Some(props),
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: kind.to_string(),
                create_at: None,
            },
            0,
        )
        .map(|c| c.events)
        .unwrap_or_default()
    }

    pub fn username(&self, user: Id) -> String {
        self.users
            .get(&user)
            .map(|u| u.username.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_word_boundaries() {
        assert!(contains_word("hallo @anna!", "@anna"));
        assert!(!contains_word("hallo @annabell", "@anna"));
        assert!(contains_word("@anna", "@anna"));
    }

    #[test]
    fn clock_strictly_increases() {
        let mut s = State::default();
        let a = s.now();
        let b = s.now();
        assert!(b > a);
    }

    #[test]
    fn group_names_ignore_member_order() {
        let a = Id::random();
        let b = Id::random();
        let c = Id::random();
        assert_eq!(
            State::group_channel_name(&[a, b, c]),
            State::group_channel_name(&[c, a, b])
        );
        assert_eq!(State::group_channel_name(&[a, b, c]).len(), 40);
    }
}
