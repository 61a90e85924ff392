use serde::{Deserialize, Serialize};

use super::{null_as_default, Post, User};

/// A followed thread (`model.ThreadResponse`), collapsed reply threads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thread {
    pub id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub last_viewed_at: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub participants: Vec<User>,
    #[serde(deserialize_with = "null_as_default")]
    pub post: Post,
    pub unread_replies: i64,
    pub unread_mentions: i64,
    pub is_urgent: bool,
    pub delete_at: i64,
}

/// `GET /users/me/teams/{team_id}/threads`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadList {
    pub total: i64,
    pub total_unread_threads: i64,
    pub total_unread_mentions: i64,
    pub total_unread_urgent_mentions: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub threads: Vec<Thread>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_thread_list() {
        let t: ThreadList = serde_json::from_str(
            r#"{"total":1,"total_unread_threads":1,"total_unread_mentions":0,
                "threads":[{"id":"p1","reply_count":3,"last_reply_at":9,"last_viewed_at":4,
                "participants":[{"id":"u1"}],"post":{"id":"p1","channel_id":"c1"},"unread_replies":2}]}"#,
        )
        .unwrap();
        assert_eq!(t.threads[0].post.channel_id, "c1");
        assert_eq!(t.threads[0].unread_replies, 2);
        assert!(serde_json::from_str::<ThreadList>(r#"{"threads":{}}"#).is_err());
    }
}
