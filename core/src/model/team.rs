use serde::{Deserialize, Serialize};

/// A team (`model.Team`). `type` is "O" (open) or "I" (invite only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Team {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub display_name: String,
    pub name: String,
    pub description: String,
    pub email: String,
    #[serde(rename = "type")]
    pub team_type: String,
    pub company_name: String,
    pub allowed_domains: String,
    pub invite_id: String,
    pub allow_open_invite: bool,
    pub last_team_icon_update: i64,
    pub scheme_id: Option<String>,
    pub group_constrained: Option<bool>,
}

/// The user's membership in a team (`model.TeamMember`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamMember {
    pub team_id: String,
    pub user_id: String,
    pub roles: String,
    pub delete_at: i64,
    pub scheme_guest: bool,
    pub scheme_user: bool,
    pub scheme_admin: bool,
    pub explicit_roles: String,
}

/// Per-team unread counters (`GET /users/me/teams/unread`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamUnread {
    pub team_id: String,
    pub msg_count: i64,
    pub mention_count: i64,
    pub msg_count_root: i64,
    pub mention_count_root: i64,
    pub urgent_mention_count: i64,
    pub thread_count: i64,
    pub thread_mention_count: i64,
    pub thread_urgent_mention_count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_team_member_and_unread() {
        let team: Team = serde_json::from_str(
            r#"{"id":"t1","display_name":"Klasse 7b","name":"klasse-7b","type":"I",
                "scheme_id":null,"group_constrained":null,"policy_id":null}"#,
        )
        .unwrap();
        assert_eq!(team.team_type, "I");
        assert_eq!(team.scheme_id, None);

        let members: Vec<TeamMember> = serde_json::from_str(
            r#"[{"team_id":"t1","user_id":"u1","roles":"team_user","delete_at":0,
                 "scheme_user":true,"scheme_admin":false,"msg_count":3}]"#,
        )
        .unwrap();
        assert!(members[0].scheme_user);

        let unread: Vec<TeamUnread> = serde_json::from_str(
            r#"[{"team_id":"t1","msg_count":4,"mention_count":1,"msg_count_root":2}]"#,
        )
        .unwrap();
        assert_eq!(unread[0].msg_count, 4);
        assert_eq!(unread[0].mention_count_root, 0);
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<TeamUnread>(r#"{"msg_count":"4"}"#).is_err());
        assert!(serde_json::from_str::<Team>(r#"{"allow_open_invite":"yes"}"#).is_err());
    }
}
