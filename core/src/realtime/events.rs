//! Decoding websocket frames into typed events.
//!
//! Decoding happens in two steps so that one bad payload costs exactly one
//! event and never the connection: first the envelope (`event`, `seq`,
//! `broadcast`), whose `seq` counts even when the payload turns out to be
//! malformed; then the payload, where several fields are JSON inside a
//! string (`posted.data.post`, `reaction_added.data.reaction`, ...).
//! Nothing here panics on any input; errors carry no message content.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::model::{
    Channel, ChannelMember, Draft, Emoji, Post, Preference, Reaction, SidebarCategory, Team,
    Thread, User,
};

/// Largest websocket message or frame accepted from the server. Mattermost
/// caps posts at 16k characters; the biggest legitimate events (a post with
/// metadata, a long preference list) stay far below this.
pub const MAX_MESSAGE_BYTES: usize = 4 << 20;

/// Largest post message kept from an event (Mattermost's limit is 16,383
/// characters, at most 4 bytes each).
pub const MAX_POST_MESSAGE_BYTES: usize = 16_383 * 4;

/// Largest plain string field of an event payload (ids, statuses, names):
/// Mattermost ids are 26 characters, none of these is legitimately long.
pub const MAX_FIELD_BYTES: usize = 1024;

/// Why a frame or payload was skipped. Never contains frame content.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("frame is not valid JSON ({0})")]
    NotJson(String),
    #[error("frame is not a JSON object")]
    NotAnObject,
    #[error("frame is neither an event nor a reply")]
    Unrecognised,
    #[error("event {event}: field `{field}` missing or of the wrong type")]
    Field { event: String, field: &'static str },
    #[error("event {event}: field `{field}` does not decode ({reason})")]
    Payload {
        event: String,
        field: &'static str,
        reason: String,
    },
    #[error("event {event}: field `{field}` is too large")]
    TooLarge { event: String, field: &'static str },
}

/// The routing part of an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Broadcast {
    pub user_id: String,
    pub channel_id: String,
    pub team_id: String,
}

/// A server frame: an event, or the reply to one of our actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Event(EventFrame),
    Reply(Reply),
}

/// An event frame. `seq` is present for numbered events; `event` is the
/// decoded payload or why it could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFrame {
    pub name: String,
    pub seq: Option<i64>,
    pub broadcast: Broadcast,
    pub event: Result<Event, DecodeError>,
}

/// Answer to a client action (`seq_reply` echoes the action's `seq`).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub seq_reply: i64,
    pub ok: bool,
    pub data: Value,
}

/// Every event the client acts on, with its payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Hello {
        connection_id: String,
        server_version: String,
    },
    Posted {
        post: Box<Post>,
        /// User ids mentioned by the post (from `data.mentions`).
        mentions: Vec<String>,
    },
    PostEdited {
        post: Box<Post>,
    },
    PostDeleted {
        post: Box<Post>,
    },
    /// The user marked a post unread on some device.
    PostUnread {
        channel_id: String,
        msg_count: i64,
        msg_count_root: i64,
        mention_count: i64,
        mention_count_root: i64,
        urgent_mention_count: i64,
        last_viewed_at: i64,
    },
    Typing {
        channel_id: String,
        parent_id: String,
        user_id: String,
    },
    ReactionAdded(Reaction),
    ReactionRemoved(Reaction),
    /// The user viewed channels on some device: `channel id -> viewed at`
    /// (0 when the server did not say when).
    ChannelsViewed(BTreeMap<String, i64>),
    ChannelCreated {
        channel_id: String,
        team_id: String,
    },
    ChannelUpdated(Box<Channel>),
    ChannelDeleted {
        channel_id: String,
        delete_at: i64,
    },
    ChannelRestored {
        channel_id: String,
    },
    ChannelConverted {
        channel_id: String,
    },
    ChannelMemberUpdated(Box<ChannelMember>),
    DirectAdded {
        channel_id: String,
        teammate_id: String,
    },
    GroupAdded {
        channel_id: String,
        teammate_ids: Vec<String>,
    },
    UserAdded {
        channel_id: String,
        user_id: String,
        team_id: String,
    },
    UserRemoved {
        channel_id: String,
        user_id: String,
        remover_id: String,
    },
    UserUpdated(Box<User>),
    AddedToTeam {
        team_id: String,
        user_id: String,
    },
    LeaveTeam {
        team_id: String,
        user_id: String,
    },
    UpdateTeam(Box<Team>),
    DeleteTeam(Box<Team>),
    StatusChange {
        user_id: String,
        status: String,
    },
    PreferencesChanged(Vec<Preference>),
    PreferencesDeleted(Vec<Preference>),
    /// A draft was saved on another device (`draft_created`,
    /// `draft_updated`).
    DraftSaved(Box<Draft>),
    /// A draft was deleted (sent or emptied) on another device.
    DraftDeleted(Box<Draft>),
    /// Sidebar categories changed; `categories` holds them whole, or is
    /// empty when the server did not say which (after a preference
    /// change). `team_id` is empty when all teams may be affected.
    SidebarCategoriesUpdated {
        team_id: String,
        categories: Vec<SidebarCategory>,
    },
    SidebarCategoryCreated {
        team_id: String,
        category_id: String,
    },
    SidebarCategoryDeleted {
        team_id: String,
        category_id: String,
    },
    /// The categories' display order, as ids.
    SidebarCategoryOrderUpdated {
        team_id: String,
        order: Vec<String>,
    },
    ThreadUpdated(Box<Thread>),
    ThreadReadChanged {
        thread_id: String,
        timestamp: i64,
        unread_mentions: i64,
        unread_replies: i64,
    },
    /// The user followed or unfollowed a thread (here or elsewhere).
    ThreadFollowChanged {
        thread_id: String,
        following: bool,
        reply_count: i64,
    },
    EphemeralMessage(Box<Post>),
    EmojiAdded(Box<Emoji>),
    ConfigChanged,
    LicenseChanged,
    /// An event this client does not know; ignored.
    Unknown,
}

#[derive(Deserialize)]
struct RawBroadcast {
    #[serde(default, deserialize_with = "lenient_string")]
    user_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    channel_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    team_id: String,
}

/// A string field that is tolerated when absent, null or of another type
/// (routing hints only; the payload is checked strictly).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        _ => String::new(),
    })
}

/// Decodes one text frame. `Err` means the frame carries nothing usable,
/// not even a sequence number.
pub fn decode_frame(text: &str) -> Result<Frame, DecodeError> {
    let value: Value = serde_json::from_slice(text.as_bytes())
        .map_err(|e| DecodeError::NotJson(e.classify_name()))?;
    let Value::Object(mut object) = value else {
        return Err(DecodeError::NotAnObject);
    };
    if let Some(seq_reply) = object.get("seq_reply").and_then(Value::as_i64) {
        let ok = object.get("status").and_then(Value::as_str) == Some("OK");
        let data = object.remove("data").unwrap_or(Value::Null);
        return Ok(Frame::Reply(Reply {
            seq_reply,
            ok,
            data,
        }));
    }
    let seq = object.get("seq").and_then(Value::as_i64);
    let name = match object.get("event") {
        Some(Value::String(name)) => name.clone(),
        _ if seq.is_some() => String::new(),
        _ => return Err(DecodeError::Unrecognised),
    };
    let broadcast = object
        .remove("broadcast")
        .and_then(|b| serde_json::from_value::<RawBroadcast>(b).ok())
        .map(|b| {
            let bounded = |s: String| {
                if s.len() <= MAX_FIELD_BYTES {
                    s
                } else {
                    String::new()
                }
            };
            Broadcast {
                user_id: bounded(b.user_id),
                channel_id: bounded(b.channel_id),
                team_id: bounded(b.team_id),
            }
        })
        .unwrap_or_default();
    let data = match object.remove("data") {
        Some(Value::Object(data)) => data,
        _ => Map::new(),
    };
    let event = decode_event(&name, &data, &broadcast);
    Ok(Frame::Event(EventFrame {
        name,
        seq,
        broadcast,
        event,
    }))
}

trait ClassifyName {
    fn classify_name(&self) -> String;
}

impl ClassifyName for serde_json::Error {
    /// The error's category and position, never the input text.
    fn classify_name(&self) -> String {
        format!("{:?} at {}:{}", self.classify(), self.line(), self.column())
    }
}

/// Reads payload fields of one event.
struct Fields<'a> {
    event: &'a str,
    data: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::Field {
            event: self.event.to_owned(),
            field,
        }
    }

    /// A required string field.
    fn string(&self, field: &'static str) -> Result<String, DecodeError> {
        match self.data.get(field) {
            Some(Value::String(s)) if s.len() <= MAX_FIELD_BYTES => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.too_large(field)),
            _ => Err(self.missing(field)),
        }
    }

    fn too_large(&self, field: &'static str) -> DecodeError {
        DecodeError::TooLarge {
            event: self.event.to_owned(),
            field,
        }
    }

    /// An optional string field: absent or null is empty, another type is
    /// an error.
    fn opt_string(&self, field: &'static str) -> Result<String, DecodeError> {
        match self.data.get(field) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) if s.len() <= MAX_FIELD_BYTES => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.too_large(field)),
            Some(_) => Err(self.missing(field)),
        }
    }

    /// A required boolean field.
    fn bool(&self, field: &'static str) -> Result<bool, DecodeError> {
        match self.data.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(self.missing(field)),
        }
    }

    /// An optional integer field (Mattermost sends some as floats).
    fn opt_i64(&self, field: &'static str) -> Result<i64, DecodeError> {
        match self.data.get(field) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                .ok_or_else(|| self.missing(field)),
            Some(_) => Err(self.missing(field)),
        }
    }

    /// A value that Mattermost sends as JSON inside a string (some servers
    /// and versions send the object itself; both are accepted).
    fn embedded<T: DeserializeOwned>(&self, field: &'static str) -> Result<T, DecodeError> {
        let payload = |e: serde_json::Error| DecodeError::Payload {
            event: self.event.to_owned(),
            field,
            reason: e.classify_name(),
        };
        match self.data.get(field) {
            // Both arms parse bytes, as the REST client does: each type then
            // has one JSON deserializer in the library, not one per source
            // (a `&str`, a `Value` and bytes would each instantiate
            // serde's code for every model type).
            Some(Value::String(s)) => serde_json::from_slice(s.as_bytes()).map_err(payload),
            Some(v @ (Value::Object(_) | Value::Array(_))) => {
                serde_json::from_slice(&serde_json::to_vec(v).map_err(payload)?).map_err(payload)
            }
            _ => Err(self.missing(field)),
        }
    }

    fn post(&self, field: &'static str) -> Result<Box<Post>, DecodeError> {
        let post: Post = self.embedded(field)?;
        if post.id.is_empty() || post.channel_id.is_empty() {
            return Err(self.missing(field));
        }
        if post.message.len() > MAX_POST_MESSAGE_BYTES
            || !ids_fit(&[&post.id, &post.channel_id, &post.root_id, &post.user_id])
        {
            return Err(DecodeError::TooLarge {
                event: self.event.to_owned(),
                field,
            });
        }
        Ok(Box::new(post))
    }
}

/// Decodes one family of events; `Ok(None)` means the name is not of it.
type Family = fn(&Fields<'_>, &Broadcast) -> Result<Option<Event>, DecodeError>;

fn decode_event(
    name: &str,
    data: &Map<String, Value>,
    broadcast: &Broadcast,
) -> Result<Event, DecodeError> {
    let f = Fields { event: name, data };
    // Event names are unique across families, so the order is irrelevant.
    let families: [Family; 8] = [
        server_event,
        post_event,
        channel_event,
        membership_event,
        user_team_event,
        presence_event,
        preference_thread_event,
        sidebar_event,
    ];
    for family in families {
        if let Some(event) = family(&f, broadcast)? {
            return Ok(event);
        }
    }
    Ok(Event::Unknown)
}

/// A field that several events leave empty when the id is already in the
/// broadcast.
fn or_broadcast(
    f: &Fields<'_>,
    field: &'static str,
    fallback: &str,
) -> Result<String, DecodeError> {
    let own = f.opt_string(field)?;
    let id = if own.is_empty() {
        fallback.to_owned()
    } else {
        own
    };
    if id.is_empty() {
        Err(f.missing(field))
    } else {
        Ok(id)
    }
}

/// The connection itself and server-wide changes.
fn server_event(f: &Fields<'_>, _: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "hello" => Event::Hello {
            connection_id: f.string("connection_id")?,
            server_version: f.opt_string("server_version")?,
        },
        "emoji_added" => Event::EmojiAdded(Box::new(f.embedded("emoji")?)),
        "config_changed" => Event::ConfigChanged,
        "license_changed" => Event::LicenseChanged,
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Posts, their reactions and their unread marks.
fn post_event(f: &Fields<'_>, broadcast: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "posted" => Event::Posted {
            post: f.post("post")?,
            mentions: match f.data.get("mentions") {
                None | Some(Value::Null) => Vec::new(),
                Some(_) => f.embedded("mentions")?,
            },
        },
        "post_edited" => Event::PostEdited {
            post: f.post("post")?,
        },
        "post_deleted" => Event::PostDeleted {
            post: f.post("post")?,
        },
        "post_unread" => Event::PostUnread {
            channel_id: or_broadcast(f, "channel_id", &broadcast.channel_id)?,
            msg_count: f.opt_i64("msg_count")?,
            msg_count_root: f.opt_i64("msg_count_root")?,
            mention_count: f.opt_i64("mention_count")?,
            mention_count_root: f.opt_i64("mention_count_root")?,
            urgent_mention_count: f.opt_i64("urgent_mention_count")?,
            last_viewed_at: f.opt_i64("last_viewed_at")?,
        },
        "reaction_added" => Event::ReactionAdded(reaction(f)?),
        "reaction_removed" => Event::ReactionRemoved(reaction(f)?),
        "ephemeral_message" => Event::EphemeralMessage(f.post("post")?),
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Channels themselves and the user's view of them.
fn channel_event(f: &Fields<'_>, _: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "channel_viewed" => {
            let channel_id = f.string("channel_id")?;
            Event::ChannelsViewed(BTreeMap::from([(channel_id, 0)]))
        }
        "multiple_channels_viewed" => {
            let times: BTreeMap<String, i64> = match f.data.get("channel_times") {
                Some(v @ Value::Object(_)) => {
                    BTreeMap::deserialize(v).map_err(|e| DecodeError::Payload {
                        event: f.event.to_owned(),
                        field: "channel_times",
                        reason: e.classify_name(),
                    })?
                }
                _ => return Err(f.missing("channel_times")),
            };
            Event::ChannelsViewed(times)
        }
        "channel_created" => Event::ChannelCreated {
            channel_id: f.string("channel_id")?,
            team_id: f.opt_string("team_id")?,
        },
        "channel_updated" => {
            let channel: Channel = f.embedded("channel")?;
            if channel.id.is_empty() {
                return Err(f.missing("channel"));
            }
            Event::ChannelUpdated(Box::new(channel))
        }
        "channel_deleted" => Event::ChannelDeleted {
            channel_id: f.string("channel_id")?,
            delete_at: f.opt_i64("delete_at")?,
        },
        "channel_restored" => Event::ChannelRestored {
            channel_id: f.string("channel_id")?,
        },
        "channel_converted" => Event::ChannelConverted {
            channel_id: f.string("channel_id")?,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Who is in which channel, direct and group messages included.
fn membership_event(f: &Fields<'_>, broadcast: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let channel_id = || or_broadcast(f, "channel_id", &broadcast.channel_id);
    let event = match f.event {
        "channel_member_updated" => {
            let member: ChannelMember = f.embedded("channelMember")?;
            if member.channel_id.is_empty() || member.user_id.is_empty() {
                return Err(f.missing("channelMember"));
            }
            Event::ChannelMemberUpdated(Box::new(member))
        }
        "direct_added" => Event::DirectAdded {
            channel_id: channel_id()?,
            teammate_id: f.opt_string("teammate_id")?,
        },
        "group_added" => Event::GroupAdded {
            channel_id: channel_id()?,
            teammate_ids: match f.data.get("teammate_ids") {
                None | Some(Value::Null) => Vec::new(),
                Some(_) => f.embedded("teammate_ids")?,
            },
        },
        "user_added" => Event::UserAdded {
            channel_id: channel_id()?,
            user_id: f.string("user_id")?,
            team_id: f.opt_string("team_id")?,
        },
        "user_removed" => Event::UserRemoved {
            channel_id: channel_id()?,
            user_id: {
                let u = f.opt_string("user_id")?;
                if u.is_empty() {
                    broadcast.user_id.clone()
                } else {
                    u
                }
            },
            remover_id: f.opt_string("remover_id")?,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// User profiles, teams and team membership.
fn user_team_event(f: &Fields<'_>, broadcast: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "user_updated" => {
            let user: User = f.embedded("user")?;
            if user.id.is_empty() {
                return Err(f.missing("user"));
            }
            Event::UserUpdated(Box::new(user))
        }
        "added_to_team" => Event::AddedToTeam {
            team_id: or_broadcast(f, "team_id", &broadcast.team_id)?,
            user_id: f.string("user_id")?,
        },
        "leave_team" => Event::LeaveTeam {
            team_id: or_broadcast(f, "team_id", &broadcast.team_id)?,
            user_id: f.string("user_id")?,
        },
        "update_team" => Event::UpdateTeam(team(f)?),
        "delete_team" => Event::DeleteTeam(team(f)?),
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Ephemeral signals about people: status and typing.
fn presence_event(f: &Fields<'_>, broadcast: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "status_change" => Event::StatusChange {
            user_id: f.string("user_id")?,
            status: f.string("status")?,
        },
        "typing" => Event::Typing {
            channel_id: or_broadcast(f, "channel_id", &broadcast.channel_id)?,
            parent_id: f.opt_string("parent_id")?,
            user_id: f.string("user_id")?,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// The user's own settings that sync across devices: preferences and
/// followed threads.
fn preference_thread_event(f: &Fields<'_>, _: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let event = match f.event {
        "preference_changed" => Event::PreferencesChanged(vec![f.embedded("preference")?]),
        "preferences_changed" => Event::PreferencesChanged(f.embedded("preferences")?),
        "preferences_deleted" => Event::PreferencesDeleted(f.embedded("preferences")?),
        "draft_created" | "draft_updated" | "draft_deleted" => {
            let draft: Draft = f.embedded("draft")?;
            if draft.channel_id.is_empty() {
                return Err(f.missing("draft"));
            }
            if f.event == "draft_deleted" {
                Event::DraftDeleted(Box::new(draft))
            } else {
                Event::DraftSaved(Box::new(draft))
            }
        }
        "thread_updated" => {
            let thread: Thread = f.embedded("thread")?;
            if thread.id.is_empty() {
                return Err(f.missing("thread"));
            }
            Event::ThreadUpdated(Box::new(thread))
        }
        "thread_read_changed" => Event::ThreadReadChanged {
            thread_id: f.opt_string("thread_id")?,
            timestamp: f.opt_i64("timestamp")?,
            unread_mentions: f.opt_i64("unread_mentions")?,
            unread_replies: f.opt_i64("unread_replies")?,
        },
        "thread_follow_changed" => Event::ThreadFollowChanged {
            thread_id: f.string("thread_id")?,
            following: f.bool("state")?,
            reply_count: f.opt_i64("reply_count")?,
        },
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// The user's sidebar categories (favorites, custom categories, order).
fn sidebar_event(f: &Fields<'_>, broadcast: &Broadcast) -> Result<Option<Event>, DecodeError> {
    let team_id = broadcast.team_id.clone();
    let event = match f.event {
        "sidebar_category_updated" => Event::SidebarCategoriesUpdated {
            team_id,
            categories: match f.data.get("updatedCategories") {
                None | Some(Value::Null) => Vec::new(),
                Some(_) => {
                    let categories: Vec<SidebarCategory> = f.embedded("updatedCategories")?;
                    let fits = categories.iter().all(|c| {
                        ids_fit(&[&c.id, &c.team_id])
                            && c.channel_ids.iter().all(|id| id.len() <= MAX_FIELD_BYTES)
                    });
                    if !fits {
                        return Err(f.too_large("updatedCategories"));
                    }
                    categories
                }
            },
        },
        "sidebar_category_created" => Event::SidebarCategoryCreated {
            team_id,
            category_id: f.string("category_id")?,
        },
        "sidebar_category_deleted" => Event::SidebarCategoryDeleted {
            team_id,
            category_id: f.string("category_id")?,
        },
        "sidebar_category_order_updated" => {
            let order: Vec<String> = f.embedded("order")?;
            if !order.iter().all(|id| id.len() <= MAX_FIELD_BYTES) {
                return Err(f.too_large("order"));
            }
            Event::SidebarCategoryOrderUpdated { team_id, order }
        }
        _ => return Ok(None),
    };
    Ok(Some(event))
}

/// Ids of sane length (a hostile server must not fill memory or the store
/// with megabyte-long keys).
fn ids_fit(ids: &[&str]) -> bool {
    ids.iter().all(|id| id.len() <= MAX_FIELD_BYTES)
}

fn reaction(f: &Fields<'_>) -> Result<Reaction, DecodeError> {
    let reaction: Reaction = f.embedded("reaction")?;
    if !ids_fit(&[&reaction.post_id, &reaction.user_id, &reaction.emoji_name]) {
        return Err(f.too_large("reaction"));
    }
    if reaction.post_id.is_empty() || reaction.user_id.is_empty() || reaction.emoji_name.is_empty()
    {
        return Err(f.missing("reaction"));
    }
    Ok(reaction)
}

fn team(f: &Fields<'_>) -> Result<Box<Team>, DecodeError> {
    let team: Team = f.embedded("team")?;
    if team.id.is_empty() {
        return Err(f.missing("team"));
    }
    Ok(Box::new(team))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(text: &str) -> EventFrame {
        match decode_frame(text).expect("frame decodes") {
            Frame::Event(e) => e,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    fn frame(name: &str, data: Value, seq: i64) -> String {
        json!({"event": name, "data": data, "seq": seq,
               "broadcast": {"omit_users": null, "user_id": "", "channel_id": "c1", "team_id": "t1"}})
        .to_string()
    }

    #[test]
    fn hello_gives_the_connection_id() {
        let e = event(&frame(
            "hello",
            json!({"connection_id": "abc", "server_version": "10.11"}),
            0,
        ));
        assert_eq!(e.seq, Some(0));
        assert_eq!(
            e.event,
            Ok(Event::Hello {
                connection_id: "abc".into(),
                server_version: "10.11".into()
            })
        );
    }

    #[test]
    fn posted_decodes_the_post_inside_a_string() {
        let post = json!({"id": "p1", "channel_id": "c1", "message": "Hallo", "create_at": 5,
                          "props": {"pausenhof_client_key": "k1"}});
        let e = event(&frame(
            "posted",
            json!({"post": post.to_string(), "mentions": "[\"u1\"]", "channel_type": "O"}),
            4,
        ));
        let Ok(Event::Posted { post, mentions }) = e.event else {
            panic!("{:?}", e.event)
        };
        assert_eq!(post.id, "p1");
        assert_eq!(post.props["pausenhof_client_key"], "k1");
        assert_eq!(mentions, ["u1"]);
    }

    #[test]
    fn posted_decodes_the_post_sent_as_an_object_like_the_string() {
        let post = json!({"id": "p1", "channel_id": "c1", "message": "Hallo", "create_at": 5,
                          "props": {"pausenhof_client_key": "k1", "n": 1.5}, "file_ids": ["f1"]});
        let as_string = event(&frame("posted", json!({"post": post.to_string()}), 4));
        let as_object = event(&frame("posted", json!({"post": post}), 4));
        assert!(matches!(as_object.event, Ok(Event::Posted { .. })));
        assert_eq!(as_object.event, as_string.event);
        let e = event(&frame("posted", json!({"post": {"id": 12}}), 5));
        assert!(matches!(e.event, Err(DecodeError::Payload { .. })));
    }

    #[test]
    fn a_bad_payload_keeps_its_sequence_number() {
        let e = event(&frame("posted", json!({"post": "{\"id\": 12"}), 9));
        assert_eq!(e.seq, Some(9));
        assert!(matches!(e.event, Err(DecodeError::Payload { .. })));
        let e = event(&frame("posted", json!({"post": 12}), 10));
        assert!(matches!(e.event, Err(DecodeError::Field { .. })));
        let e = event(&frame("reaction_added", json!({"reaction": "{}"}), 11));
        assert!(e.event.is_err());
        let e = event(&frame("typing", json!({"user_id": ["x"]}), 12));
        assert!(e.event.is_err());
    }

    #[test]
    fn huge_messages_are_refused() {
        let post = json!({"id": "p1", "channel_id": "c1", "message": "x".repeat(MAX_POST_MESSAGE_BYTES + 1)});
        let e = event(&frame("posted", json!({"post": post.to_string()}), 1));
        assert!(matches!(e.event, Err(DecodeError::TooLarge { .. })));
    }

    #[test]
    fn long_ids_are_refused() {
        let e = event(&frame(
            "typing",
            json!({"user_id": "u".repeat(MAX_FIELD_BYTES + 1)}),
            2,
        ));
        assert!(matches!(e.event, Err(DecodeError::TooLarge { .. })));
        let e = event(&frame(
            "typing",
            json!({"user_id": "u2", "parent_id": "p".repeat(MAX_FIELD_BYTES + 1)}),
            2,
        ));
        assert!(matches!(e.event, Err(DecodeError::TooLarge { .. })));
    }

    #[test]
    fn channel_ids_fall_back_to_the_broadcast() {
        let e = event(&frame(
            "typing",
            json!({"user_id": "u2", "parent_id": "r1"}),
            3,
        ));
        assert_eq!(
            e.event,
            Ok(Event::Typing {
                channel_id: "c1".into(),
                parent_id: "r1".into(),
                user_id: "u2".into()
            })
        );
        let e = event(&frame(
            "group_added",
            json!({"teammate_ids": "[\"a\",\"b\"]"}),
            3,
        ));
        assert_eq!(
            e.event,
            Ok(Event::GroupAdded {
                channel_id: "c1".into(),
                teammate_ids: vec!["a".into(), "b".into()]
            })
        );
    }

    #[test]
    fn every_listed_event_decodes() {
        let post = json!({"id": "p1", "channel_id": "c1"}).to_string();
        let reaction = json!({"post_id": "p1", "user_id": "u1", "emoji_name": "+1"}).to_string();
        let cases: Vec<(&str, Value)> = vec![
            ("post_edited", json!({"post": post})),
            ("post_deleted", json!({"post": post})),
            (
                "post_unread",
                json!({"msg_count": 3, "mention_count": 1.0, "last_viewed_at": 7}),
            ),
            ("reaction_added", json!({"reaction": reaction})),
            ("reaction_removed", json!({"reaction": reaction})),
            ("channel_viewed", json!({"channel_id": "c1"})),
            (
                "multiple_channels_viewed",
                json!({"channel_times": {"c1": 5, "c2": 6}}),
            ),
            (
                "channel_created",
                json!({"channel_id": "c9", "team_id": "t1"}),
            ),
            (
                "channel_updated",
                json!({"channel": json!({"id": "c1", "type": "O"}).to_string()}),
            ),
            (
                "channel_deleted",
                json!({"channel_id": "c1", "delete_at": 99}),
            ),
            ("channel_restored", json!({"channel_id": "c1"})),
            ("channel_converted", json!({"channel_id": "c1"})),
            (
                "channel_member_updated",
                json!({"channelMember": json!({"channel_id": "c1", "user_id": "u1"}).to_string()}),
            ),
            ("direct_added", json!({"teammate_id": "u2"})),
            ("group_added", json!({"teammate_ids": "[\"u2\"]"})),
            ("user_added", json!({"user_id": "u2", "team_id": "t1"})),
            ("user_removed", json!({"user_id": "u2", "remover_id": "u3"})),
            (
                "user_updated",
                json!({"user": {"id": "u2", "username": "bert"}}),
            ),
            ("added_to_team", json!({"team_id": "t1", "user_id": "u1"})),
            ("leave_team", json!({"team_id": "t1", "user_id": "u1"})),
            (
                "update_team",
                json!({"team": json!({"id": "t1"}).to_string()}),
            ),
            (
                "delete_team",
                json!({"team": json!({"id": "t1"}).to_string()}),
            ),
            ("status_change", json!({"user_id": "u2", "status": "away"})),
            (
                "preference_changed",
                json!({"preference": json!({"category": "a", "name": "b", "value": "c"}).to_string()}),
            ),
            (
                "preferences_changed",
                json!({"preferences": json!([{"category": "a", "name": "b", "value": "c"}]).to_string()}),
            ),
            (
                "preferences_deleted",
                json!({"preferences": json!([{"category": "a", "name": "b"}]).to_string()}),
            ),
            (
                "thread_updated",
                json!({"thread": json!({"id": "p1", "reply_count": 2}).to_string()}),
            ),
            (
                "thread_read_changed",
                json!({"thread_id": "p1", "timestamp": 5}),
            ),
            (
                "thread_follow_changed",
                json!({"thread_id": "p1", "state": false, "reply_count": 3}),
            ),
            ("ephemeral_message", json!({"post": post})),
            (
                "emoji_added",
                json!({"emoji": json!({"id": "e1", "name": "schule"}).to_string()}),
            ),
            ("config_changed", json!({"config": {}})),
            ("sidebar_category_updated", json!({})),
            (
                "sidebar_category_updated",
                json!({"updatedCategories": json!([{"id": "k1", "type": "favorites", "channel_ids": ["c1"]}]).to_string()}),
            ),
            ("sidebar_category_created", json!({"category_id": "k2"})),
            ("sidebar_category_deleted", json!({"category_id": "k2"})),
            (
                "sidebar_category_order_updated",
                json!({"order": ["k1", "k2"]}),
            ),
            ("license_changed", json!({})),
            (
                "draft_created",
                json!({"draft": json!({"channel_id": "c1", "message": "Hal"}).to_string()}),
            ),
            (
                "draft_deleted",
                json!({"draft": json!({"channel_id": "c1", "root_id": "p1"}).to_string()}),
            ),
        ];
        for (name, data) in cases {
            let e = event(&frame(name, data, 1));
            match e.event {
                Ok(Event::Unknown) | Err(_) => panic!("{name}: {:?}", e.event),
                Ok(_) => {}
            }
        }
    }

    #[test]
    fn thread_follow_changes_need_the_thread_and_the_state() {
        let e = event(&frame(
            "thread_follow_changed",
            json!({"thread_id": "p1", "state": true, "reply_count": 2}),
            1,
        ));
        assert!(matches!(
            e.event,
            Ok(Event::ThreadFollowChanged { ref thread_id, following: true, reply_count: 2 })
                if thread_id == "p1"
        ));
        for data in [
            json!({"thread_id": "p1"}),
            json!({"thread_id": "p1", "state": "true"}),
            json!({"state": false}),
        ] {
            let e = event(&frame("thread_follow_changed", data, 2));
            assert!(e.event.is_err(), "{:?}", e.event);
        }
    }

    #[test]
    fn sidebar_events_carry_the_team_and_the_categories() {
        let cats = json!([{"id": "favorites_u1_t1", "type": "favorites", "team_id": "t1",
                           "channel_ids": ["c1", "c2"]},
                          {"id": "channels_u1_t1", "type": "channels", "channel_ids": null}]);
        let e = event(&frame(
            "sidebar_category_updated",
            json!({"updatedCategories": cats.to_string()}),
            4,
        ));
        let Ok(Event::SidebarCategoriesUpdated {
            team_id,
            categories,
        }) = e.event
        else {
            panic!("{:?}", e.event)
        };
        assert_eq!(team_id, "t1");
        assert_eq!(categories[0].channel_ids, ["c1", "c2"]);
        assert!(categories[1].channel_ids.is_empty());
        let e = event(&frame(
            "sidebar_category_order_updated",
            json!({"order": "not a list"}),
            5,
        ));
        assert!(e.event.is_err());
        let huge = json!([{"id": "k", "channel_ids": ["x".repeat(MAX_FIELD_BYTES + 1)]}]);
        let e = event(&frame(
            "sidebar_category_updated",
            json!({"updatedCategories": huge.to_string()}),
            6,
        ));
        assert!(matches!(e.event, Err(DecodeError::TooLarge { .. })));
    }

    #[test]
    fn unknown_events_are_recognised_as_such() {
        let e = event(&frame("plugin_statuses_changed", json!({"x": 1}), 2));
        assert_eq!(e.event, Ok(Event::Unknown));
    }

    #[test]
    fn replies_and_garbage() {
        assert_eq!(
            decode_frame(r#"{"status":"OK","seq_reply":3,"data":{"text":"pong"}}"#),
            Ok(Frame::Reply(Reply {
                seq_reply: 3,
                ok: true,
                data: json!({"text": "pong"})
            }))
        );
        assert!(matches!(
            decode_frame("{\"event\":"),
            Err(DecodeError::NotJson(_))
        ));
        assert_eq!(decode_frame("[1,2]"), Err(DecodeError::NotAnObject));
        assert_eq!(
            decode_frame("{\"seq\":\"1\"}"),
            Err(DecodeError::Unrecognised)
        );
        // A numbered frame without a name still counts its sequence number.
        let e = event(r#"{"seq":5,"event":7}"#);
        assert_eq!(e.seq, Some(5));
        assert_eq!(e.event, Ok(Event::Unknown));
        // The broadcast of another type is ignored, not fatal.
        let e = event(r#"{"seq":6,"event":"hello","broadcast":"x","data":{"connection_id":"c"}}"#);
        assert!(e.event.is_ok());
    }

    #[test]
    fn errors_never_repeat_the_input() {
        let secret = "geheimer-text-123";
        let err = decode_frame(&format!("{{\"event\": \"{secret}")).unwrap_err();
        assert!(!err.to_string().contains(secret));
        let e = event(&frame(
            "posted",
            json!({"post": format!("{{\"id\":\"{secret}")}),
            1,
        ));
        assert!(!format!("{:?}", e.event).contains(secret));
    }
}
