use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{null_as_default, JsonMap, StringMap};

/// Channel type letter. Unknown letters (a future server) are kept, not
/// rejected, so one odd channel cannot break the whole channel list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// "O": public channel.
    #[default]
    Open,
    /// "P": private channel.
    Private,
    /// "D": direct message between two users; name is `<userA>__<userB>`.
    Direct,
    /// "G": group message.
    Group,
    /// Anything else, as sent.
    Other(String),
}

impl ChannelType {
    pub fn as_str(&self) -> &str {
        match self {
            ChannelType::Open => "O",
            ChannelType::Private => "P",
            ChannelType::Direct => "D",
            ChannelType::Group => "G",
            ChannelType::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "O" => ChannelType::Open,
            "P" => ChannelType::Private,
            "D" => ChannelType::Direct,
            "G" => ChannelType::Group,
            other => ChannelType::Other(other.to_owned()),
        }
    }

    /// Direct and group messages belong to no team.
    pub fn is_direct_or_group(&self) -> bool {
        matches!(self, ChannelType::Direct | ChannelType::Group)
    }
}

impl fmt::Display for ChannelType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChannelType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ChannelType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Ok(ChannelType::parse(&s))
    }
}

/// A channel (`model.Channel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Channel {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    /// Empty for direct and group messages.
    pub team_id: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    pub display_name: String,
    pub name: String,
    pub header: String,
    pub purpose: String,
    pub last_post_at: i64,
    pub last_root_post_at: i64,
    pub total_msg_count: i64,
    pub total_msg_count_root: i64,
    pub extra_update_at: i64,
    pub creator_id: String,
    pub scheme_id: Option<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub props: JsonMap,
    pub group_constrained: Option<bool>,
    pub shared: Option<bool>,
}

/// Per-channel notification settings (`ChannelMember.notify_props`). Values
/// are strings such as "default", "all", "mention", "none", "on", "off".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelNotifyProps {
    pub desktop: String,
    pub desktop_threads: String,
    pub push: String,
    pub push_threads: String,
    pub email: String,
    pub email_threads: String,
    /// "all" or "mention" (muted).
    pub mark_unread: String,
    pub ignore_channel_mentions: String,
    pub channel_auto_follow_threads: String,
    /// Any other keys the server sends, kept so a round trip loses nothing.
    #[serde(flatten)]
    pub other: StringMap,
}

impl ChannelNotifyProps {
    pub fn is_muted(&self) -> bool {
        self.mark_unread == "mention"
    }
}

/// The user's membership in a channel (`model.ChannelMember`): read state
/// and notification settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMember {
    pub channel_id: String,
    pub user_id: String,
    pub roles: String,
    pub last_viewed_at: i64,
    pub msg_count: i64,
    pub msg_count_root: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub notify_props: ChannelNotifyProps,
    pub last_update_at: i64,
    pub scheme_guest: bool,
    pub scheme_user: bool,
    pub scheme_admin: bool,
    pub explicit_roles: String,
}

/// Answer of `POST /channels/members/me/view`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelViewResponse {
    pub status: String,
    #[serde(deserialize_with = "null_as_default")]
    pub last_viewed_at_times: std::collections::BTreeMap<String, i64>,
}

/// Answer of `GET /channels/{id}/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelStats {
    pub channel_id: String,
    pub member_count: i64,
    pub guest_count: i64,
    pub pinnedpost_count: i64,
    pub files_count: i64,
}

/// A channel's read state after marking it unread from a post
/// (`model.ChannelUnreadAt`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelUnreadAt {
    pub team_id: String,
    pub user_id: String,
    pub channel_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub msg_count_root: i64,
    pub last_viewed_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_channel_types_including_unknown() {
        let channels: Vec<Channel> = serde_json::from_str(
            r#"[{"id":"c1","team_id":"t1","type":"O","name":"town-square","display_name":"Town Square",
                 "total_msg_count":10,"total_msg_count_root":8,"last_post_at":5,"props":null,
                 "policy_id":null,"banner_info":{"enabled":false}},
                {"id":"c2","team_id":"","type":"D","name":"u1__u2"},
                {"id":"c3","type":"G"},{"id":"c4","type":"P"},{"id":"c5","type":"X"}]"#,
        )
        .unwrap();
        assert_eq!(channels[0].channel_type, ChannelType::Open);
        assert_eq!(channels[0].total_msg_count_root, 8);
        assert!(channels[0].props.is_empty());
        assert_eq!(channels[1].channel_type, ChannelType::Direct);
        assert!(channels[1].channel_type.is_direct_or_group());
        assert_eq!(channels[2].channel_type, ChannelType::Group);
        assert_eq!(channels[3].channel_type, ChannelType::Private);
        assert_eq!(channels[4].channel_type, ChannelType::Other("X".into()));
        // Serialises back to the letter.
        let back = serde_json::to_value(&channels[4]).unwrap();
        assert_eq!(back["type"], "X");
    }

    #[test]
    fn decodes_member_with_notify_props() {
        let m: ChannelMember = serde_json::from_str(
            r#"{"channel_id":"c1","user_id":"u1","roles":"channel_user","last_viewed_at":1700,
                "msg_count":7,"mention_count":2,"mention_count_root":1,"urgent_mention_count":0,
                "msg_count_root":5,"notify_props":{"desktop":"default","email":"default",
                "ignore_channel_mentions":"default","mark_unread":"mention","push":"all",
                "channel_auto_follow_threads":"off","new_key":"v"},"last_update_at":1701}"#,
        )
        .unwrap();
        assert_eq!(m.msg_count_root, 5);
        assert!(m.notify_props.is_muted());
        assert_eq!(m.notify_props.push, "all");
        assert_eq!(m.notify_props.other["new_key"], "v");
    }

    #[test]
    fn decodes_stats_and_unread_state() {
        let stats: ChannelStats = serde_json::from_str(
            r#"{"channel_id":"c1","member_count":23,"guest_count":0,"pinnedpost_count":1}"#,
        )
        .unwrap();
        assert_eq!(stats.member_count, 23);
        let unread: ChannelUnreadAt = serde_json::from_str(
            r#"{"team_id":"t1","user_id":"u1","channel_id":"c1","msg_count":4,
                "mention_count":1,"msg_count_root":3,"last_viewed_at":99}"#,
        )
        .unwrap();
        assert_eq!((unread.msg_count, unread.msg_count_root), (4, 3));
        assert!(serde_json::from_str::<ChannelStats>(r#"{"member_count":"9"}"#).is_err());
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<Channel>(r#"{"type":5}"#).is_err());
        assert!(serde_json::from_str::<ChannelMember>(r#"{"notify_props":"all"}"#).is_err());
        assert!(serde_json::from_str::<ChannelMember>(r#"{"msg_count":1.5}"#).is_err());
    }
}
