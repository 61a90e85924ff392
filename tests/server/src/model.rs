//! The records the server keeps, compact enough for 200,000 posts, and their
//! Mattermost JSON shapes.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::ids::{opt_str, Id};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Teacher,
    Admin,
}

pub struct User {
    pub id: Id,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub username: String,
    pub email: String,
    pub email_verified: bool,
    pub first_name: String,
    pub last_name: String,
    pub nickname: String,
    pub position: String,
    pub roles: &'static str,
    pub locale: &'static str,
    pub password_salt: [u8; 16],
    pub password_hash: [u8; 32],
    pub mfa_secret: Option<String>,
    pub last_password_update: i64,
    pub failed_attempts: u32,
    pub role: Role,
    pub notify_props: BTreeMap<String, String>,
    /// The IANA timezone the profile names ("" for none), as
    /// `timezone.automaticTimezone` with `useAutomaticTimezone`.
    pub timezone: String,
}

pub const SYSTEM_USER: &str = "system_user";
pub const SYSTEM_ADMIN: &str = "system_admin system_user";

pub fn default_user_notify_props() -> BTreeMap<String, String> {
    [
        ("channel", "true"),
        ("comments", "never"),
        ("desktop", "mention"),
        ("desktop_sound", "true"),
        ("email", "true"),
        ("first_name", "false"),
        ("mention_keys", ""),
        ("push", "mention"),
        ("push_status", "online"),
        ("push_threads", "all"),
        ("desktop_threads", "all"),
        ("email_threads", "all"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl User {
    /// The user as Mattermost shows it. `is_self` is the owner's own view
    /// (login, `/users/me`, sign-up); otherwise the sanitized profile every
    /// list of users carries (also for oneself, as in `POST /users/ids`).
    /// Empty optional fields are left out, as the server's `omitempty` does.
    pub fn to_json(&self, is_self: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "username": self.username,
            "auth_service": "",
            "email": self.email,
            "nickname": self.nickname,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "position": self.position,
            "roles": self.roles,
            "locale": self.locale,
            "timezone": {"automaticTimezone": self.timezone, "manualTimezone": "", "useAutomaticTimezone": "true"},
            "disable_welcome_email": false,
            "remote_id": "",
        });
        let m = v.as_object_mut().expect("object literal");
        if is_self {
            if self.email_verified {
                m.insert("email_verified".into(), Value::Bool(true));
            }
            m.insert(
                "notify_props".into(),
                serde_json::to_value(&self.notify_props).unwrap_or_default(),
            );
            m.insert(
                "last_password_update".into(),
                json!(self.last_password_update),
            );
            if self.mfa_secret.is_some() {
                m.insert("mfa_active".into(), Value::Bool(true));
            }
            if self.failed_attempts > 0 {
                m.insert("failed_attempts".into(), json!(self.failed_attempts));
            }
        } else {
            m.insert("auth_data".into(), json!(""));
        }
        v
    }

    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() {
            self.username.clone()
        } else {
            full.to_string()
        }
    }
}

pub struct Team {
    pub id: Id,
    pub create_at: i64,
    pub update_at: i64,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub open: bool,
    pub invite_id: Id,
    /// Email domains whose addresses may join (space or comma separated,
    /// `@` optional); empty for all.
    pub allowed_domains: String,
}

impl Team {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": 0,
            "display_name": self.display_name,
            "name": self.name,
            "description": self.description,
            "email": "",
            "type": if self.open { "O" } else { "I" },
            "company_name": "",
            "allowed_domains": self.allowed_domains,
            "invite_id": self.invite_id,
            "allow_open_invite": self.open,
            "scheme_id": null,
            "group_constrained": null,
            "policy_id": null,
            "cloud_limits_archived": false,
        })
    }
}

/// Mattermost's `model.IsValidTeamName`: 2 to 64 characters matching
/// `^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$` (so no single underscore).
pub fn is_valid_team_name(name: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let (Some(first), Some(last)) = (name.chars().next(), name.chars().last()) else {
        return false;
    };
    if !(2..=64).contains(&name.len()) || !alnum(first) || !alnum(last) {
        return false;
    }
    if name.chars().all(|c| alnum(c) || c == '-') {
        return true;
    }
    matches!(name.split_once("__"), Some((a, b))
        if !a.is_empty() && !b.is_empty() && a.chars().all(alnum) && b.chars().all(alnum))
}

pub struct TeamMember {
    pub admin: bool,
}

impl TeamMember {
    pub fn to_json(&self, team_id: Id, user_id: Id) -> Value {
        json!({
            "team_id": team_id,
            "user_id": user_id,
            "roles": if self.admin { "team_user team_admin" } else { "team_user" },
            "delete_at": 0,
            "scheme_guest": false,
            "scheme_user": true,
            "scheme_admin": self.admin,
            "explicit_roles": "",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChannelType {
    Open,
    Private,
    Direct,
    Group,
}

impl ChannelType {
    pub fn code(self) -> &'static str {
        match self {
            ChannelType::Open => "O",
            ChannelType::Private => "P",
            ChannelType::Direct => "D",
            ChannelType::Group => "G",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelType> {
        Some(match s {
            "O" => ChannelType::Open,
            "P" => ChannelType::Private,
            "D" => ChannelType::Direct,
            "G" => ChannelType::Group,
            _ => return None,
        })
    }

    pub fn is_direct_or_group(self) -> bool {
        matches!(self, ChannelType::Direct | ChannelType::Group)
    }
}

pub struct Channel {
    pub id: Id,
    pub team_id: Option<Id>,
    pub kind: ChannelType,
    pub name: String,
    pub display_name: String,
    pub header: String,
    pub purpose: String,
    pub creator_id: Option<Id>,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub last_post_at: i64,
    pub last_root_post_at: i64,
    pub total_msg_count: i64,
    pub total_msg_count_root: i64,
}

impl Channel {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "team_id": opt_str(&self.team_id),
            "type": self.kind.code(),
            "display_name": self.display_name,
            "name": self.name,
            "header": self.header,
            "purpose": self.purpose,
            "last_post_at": self.last_post_at,
            "total_msg_count": self.total_msg_count,
            "extra_update_at": 0,
            "creator_id": opt_str(&self.creator_id),
            "scheme_id": null,
            "props": null,
            "group_constrained": null,
            // Direct and group channels say false, team channels null.
            "shared": if self.kind.is_direct_or_group() { json!(false) } else { Value::Null },
            "total_msg_count_root": self.total_msg_count_root,
            "policy_id": null,
            "last_root_post_at": self.last_root_post_at,
            "autotranslation": false,
            "banner_info": null,
            "default_category_name": "",
            "policy_enforced": false,
            "policy_is_active": false,
        })
    }
}

pub struct ChannelMember {
    pub admin: bool,
    pub last_viewed_at: i64,
    pub msg_count: i64,
    pub msg_count_root: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub last_update_at: i64,
    pub notify_props: BTreeMap<String, String>,
}

pub fn default_channel_notify_props() -> BTreeMap<String, String> {
    [
        ("desktop", "default"),
        ("email", "default"),
        ("ignore_channel_mentions", "default"),
        ("mark_unread", "all"),
        ("push", "default"),
        ("channel_auto_follow_threads", "off"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl ChannelMember {
    pub fn new(now: i64, admin: bool) -> ChannelMember {
        ChannelMember {
            admin,
            last_viewed_at: 0,
            msg_count: 0,
            msg_count_root: 0,
            mention_count: 0,
            mention_count_root: 0,
            last_update_at: now,
            notify_props: default_channel_notify_props(),
        }
    }

    pub fn to_json(&self, channel_id: Id, user_id: Id) -> Value {
        json!({
            "channel_id": channel_id,
            "user_id": user_id,
            "roles": if self.admin { "channel_user channel_admin" } else { "channel_user" },
            "last_viewed_at": self.last_viewed_at,
            "msg_count": self.msg_count,
            "mention_count": self.mention_count,
            "mention_count_root": self.mention_count_root,
            "urgent_mention_count": 0,
            "msg_count_root": self.msg_count_root,
            "notify_props": self.notify_props,
            "last_update_at": self.last_update_at,
            "scheme_guest": false,
            "scheme_user": true,
            "scheme_admin": self.admin,
            "explicit_roles": "",
        })
    }
}

pub struct Reaction {
    pub user_id: Id,
    pub emoji_name: Box<str>,
    pub create_at: i64,
}

impl Reaction {
    pub fn to_json(&self, post_id: Id, channel_id: Id) -> Value {
        json!({
            "user_id": self.user_id,
            "post_id": post_id,
            "emoji_name": self.emoji_name,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "remote_id": "",
            "channel_id": channel_id,
        })
    }
}

/// One post. Kept small: seeded posts have no props, files or reactions, so
/// those cost an empty Vec / None each.
pub struct Post {
    pub id: Id,
    pub channel_id: Id,
    pub user_id: Id,
    pub root_id: Option<Id>,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub message: Box<str>,
    pub kind: Box<str>,
    pub props: Option<Box<Map<String, Value>>>,
    pub file_ids: Vec<Id>,
    pub reactions: Vec<Reaction>,
}

/// What the JSON of a post needs from around the post.
pub struct PostContext<'a> {
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub files: Vec<Value>,
    pub pending_post_id: &'a str,
}

impl Post {
    pub fn hashtags(&self) -> String {
        self.message
            .split_whitespace()
            .filter(|w| w.len() > 1 && w.starts_with('#'))
            .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn to_json(&self, ctx: PostContext<'_>) -> Value {
        let mut v = json!({
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "edit_at": self.edit_at,
            "delete_at": self.delete_at,
            "is_pinned": self.is_pinned,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "root_id": opt_str(&self.root_id),
            "original_id": "",
            // Deletion is soft: the real server still sends the message.
            "message": &*self.message,
            "type": &*self.kind,
            "props": self.props.as_deref().cloned().unwrap_or_default(),
            "hashtags": self.hashtags(),
            "pending_post_id": ctx.pending_post_id,
            "reply_count": ctx.reply_count,
            "last_reply_at": ctx.last_reply_at,
            "participants": null,
            "file_ids": self.file_ids,
            "remote_id": "",
        });
        let m = v.as_object_mut().expect("object literal");
        let mut metadata = Map::new();
        if !self.file_ids.is_empty() {
            metadata.insert("files".into(), Value::Array(ctx.files));
        }
        if !self.reactions.is_empty() {
            m.insert("has_reactions".into(), Value::Bool(true));
            metadata.insert(
                "reactions".into(),
                Value::Array(
                    self.reactions
                        .iter()
                        .map(|r| r.to_json(self.id, self.channel_id))
                        .collect(),
                ),
            );
        }
        m.insert("metadata".into(), Value::Object(metadata));
        v
    }
}

#[derive(Clone)]
pub struct FileInfo {
    pub id: Id,
    pub user_id: Id,
    pub channel_id: Id,
    pub post_id: Option<Id>,
    pub create_at: i64,
    pub name: String,
    pub mime_type: String,
    pub data: bytes::Bytes,
    pub width: u32,
    pub height: u32,
}

impl FileInfo {
    pub fn extension(&self) -> String {
        self.name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default()
    }

    pub fn is_image(&self) -> bool {
        self.mime_type.starts_with("image/")
    }

    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "post_id": opt_str(&self.post_id),
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "name": self.name,
            "extension": self.extension(),
            "size": self.data.len(),
            "mime_type": self.mime_type,
            "has_preview_image": self.is_image(),
            "mini_preview": null,
            "remote_id": "",
            "archived": false,
        });
        if self.is_image() {
            let m = v.as_object_mut().expect("object literal");
            m.insert("width".into(), json!(self.width));
            m.insert("height".into(), json!(self.height));
        }
        v
    }
}

#[derive(Clone)]
pub struct Session {
    pub user_id: Id,
    pub device_id: String,
    pub expired: bool,
}

#[derive(Clone)]
pub struct Preference {
    pub category: String,
    pub name: String,
    pub value: String,
}

impl Preference {
    pub fn to_json(&self, user_id: Id) -> Value {
        json!({"user_id": user_id, "category": self.category, "name": self.name, "value": self.value})
    }
}

#[derive(Clone)]
pub struct Status {
    pub status: &'static str,
    pub manual: bool,
    pub last_activity_at: i64,
    /// End of do-not-disturb in seconds (rounded down to the minute, as
    /// the real server does); 0 for none.
    pub dnd_end_time: i64,
}

impl Status {
    pub fn to_json(&self, user_id: Id) -> Value {
        json!({
            "user_id": user_id,
            "status": self.status,
            "manual": self.manual,
            "last_activity_at": self.last_activity_at,
            "active_channel": "",
            "dnd_end_time": self.dnd_end_time,
        })
    }
}

pub fn parse_status(s: &str) -> Option<&'static str> {
    Some(match s {
        "online" => "online",
        "away" => "away",
        "dnd" => "dnd",
        "offline" => "offline",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_follow_the_real_servers_rule() {
        for ok in [
            "gsm",
            "gsm-kollegium",
            "koop-lehrer",
            "a1",
            "ab__cd",
            "x-y-z",
        ] {
            assert!(is_valid_team_name(ok), "{ok}");
        }
        for bad in [
            "gsm_kollegium",
            "g",
            "-gsm",
            "gsm-",
            "Gsm",
            "a__b-c",
            "a___b",
            "ä-team",
            "",
        ] {
            assert!(!is_valid_team_name(bad), "{bad}");
        }
        assert!(!is_valid_team_name(&"a".repeat(65)));
    }
}
