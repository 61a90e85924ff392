use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{null_as_default, FileInfo, JsonMap, User};

/// A post (`model.Post`). `message` is user content: never log it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Post {
    pub id: String,
    pub create_at: i64,
    pub update_at: i64,
    pub edit_at: i64,
    pub delete_at: i64,
    pub is_pinned: bool,
    pub user_id: String,
    pub channel_id: String,
    /// Empty for a root post, otherwise the thread's root post id.
    pub root_id: String,
    pub original_id: String,
    pub message: String,
    /// Empty for a normal post, e.g. "system_join_channel" otherwise.
    #[serde(rename = "type")]
    pub post_type: String,
    #[serde(deserialize_with = "null_as_default")]
    pub props: JsonMap,
    pub hashtags: String,
    #[serde(deserialize_with = "null_as_default")]
    pub file_ids: Vec<String>,
    pub pending_post_id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    #[serde(deserialize_with = "null_as_default")]
    pub participants: Vec<User>,
    pub is_following: Option<bool>,
    #[serde(deserialize_with = "null_as_default")]
    pub metadata: PostMetadata,
}

impl Post {
    pub fn is_deleted(&self) -> bool {
        self.delete_at > 0
    }

    pub fn is_reply(&self) -> bool {
        !self.root_id.is_empty()
    }

    /// System messages ("x joined the channel") have a `system_` type.
    pub fn is_system(&self) -> bool {
        self.post_type.starts_with("system_")
    }
}

/// Data the server attaches to a post so the client needs no extra calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostMetadata {
    #[serde(deserialize_with = "null_as_default")]
    pub reactions: Vec<Reaction>,
    #[serde(deserialize_with = "null_as_default")]
    pub files: Vec<FileInfo>,
    #[serde(deserialize_with = "null_as_default")]
    pub emojis: Vec<Emoji>,
    #[serde(deserialize_with = "null_as_default")]
    pub embeds: Vec<PostEmbed>,
    /// Image dimensions by URL; kept raw because its shape varies.
    #[serde(deserialize_with = "null_as_default")]
    pub images: JsonMap,
    /// Message priority (`{"priority":"urgent","requested_ack":true}`), raw.
    pub priority: Option<serde_json::Value>,
}

/// An emoji reaction (`model.Reaction`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reaction {
    pub user_id: String,
    pub post_id: String,
    pub emoji_name: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
    pub channel_id: String,
}

/// A custom emoji (`model.Emoji`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Emoji {
    pub id: String,
    pub creator_id: String,
    pub name: String,
    pub create_at: i64,
    pub update_at: i64,
    pub delete_at: i64,
}

/// A link preview, image or message attachment embed. `data` varies by type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostEmbed {
    #[serde(rename = "type")]
    pub embed_type: String,
    pub url: String,
    pub data: Option<serde_json::Value>,
}

/// A page of posts (`model.PostList`). `order` lists ids newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostList {
    #[serde(deserialize_with = "null_as_default")]
    pub order: Vec<String>,
    #[serde(deserialize_with = "null_as_default")]
    pub posts: HashMap<String, Post>,
    pub next_post_id: String,
    pub prev_post_id: String,
    pub has_next: bool,
    pub first_inaccessible_post_time: i64,
}

impl PostList {
    /// Posts in `order` (newest first); ids missing from `posts` are skipped.
    pub fn ordered(&self) -> impl Iterator<Item = &Post> {
        self.order.iter().filter_map(|id| self.posts.get(id))
    }
}

/// Search answer: a post list plus the matched terms per post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostSearchResults {
    #[serde(flatten)]
    pub list: PostList,
    #[serde(deserialize_with = "null_as_default")]
    pub matches: HashMap<String, Vec<String>>,
}

/// Answer of `POST /commands/execute`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommandResponse {
    pub response_type: String,
    pub text: String,
    pub username: String,
    pub channel_id: String,
    pub goto_location: String,
    pub trigger_id: String,
    pub skip_slack_parsing: bool,
    #[serde(deserialize_with = "null_as_default")]
    pub props: JsonMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST_LIST: &str = r#"{
        "order":["p2","p1"],
        "posts":{
          "p1":{"id":"p1","create_at":100,"update_at":100,"edit_at":0,"delete_at":0,"is_pinned":false,
                "user_id":"u1","channel_id":"c1","root_id":"","original_id":"","message":"Hallo",
                "type":"","props":{},"hashtags":"","file_ids":null,"pending_post_id":"",
                "reply_count":1,"last_reply_at":200,"participants":null,
                "metadata":{"reactions":[{"user_id":"u2","post_id":"p1","emoji_name":"+1","create_at":150}],
                            "files":[{"id":"f1","name":"a.png","extension":"png","size":12,"mime_type":"image/png",
                                      "width":2,"height":3,"has_preview_image":true,"mini_preview":null}],
                            "emojis":[{"id":"e1","name":"schule"}],
                            "embeds":[{"type":"opengraph","url":"https://x.example","data":{"title":"t"}}],
                            "images":{"https://x.example/i.png":{"width":1,"height":1}},
                            "priority":{"priority":"urgent","requested_ack":false}}},
          "p2":{"id":"p2","create_at":200,"root_id":"p1","channel_id":"c1","user_id":"u2","message":"Antwort",
                "props":{"from_bot":"true","attachments":[{"text":"x"}]},"file_ids":["f9"],
                "participants":[{"id":"u1","username":"anna"}],"metadata":{},"unknown":1}
        },
        "next_post_id":"","prev_post_id":"p0","has_next":false,"first_inaccessible_post_time":0
    }"#;

    #[test]
    fn decodes_post_list_with_metadata() {
        let list: PostList = serde_json::from_str(POST_LIST).unwrap();
        let ordered: Vec<_> = list.ordered().map(|p| p.id.as_str()).collect();
        assert_eq!(ordered, ["p2", "p1"]);
        let p1 = &list.posts["p1"];
        assert!(p1.file_ids.is_empty());
        assert_eq!(p1.metadata.reactions[0].emoji_name, "+1");
        assert_eq!(p1.metadata.files[0].mime_type, "image/png");
        assert_eq!(p1.metadata.files[0].mini_preview, None);
        assert_eq!(p1.metadata.emojis[0].name, "schule");
        assert_eq!(p1.metadata.embeds[0].embed_type, "opengraph");
        assert!(p1.metadata.priority.is_some());
        let p2 = &list.posts["p2"];
        assert!(p2.is_reply());
        assert_eq!(p2.file_ids, ["f9"]);
        assert_eq!(p2.participants[0].username, "anna");
        assert_eq!(p2.props["from_bot"], "true");
        assert_eq!(list.prev_post_id, "p0");
    }

    #[test]
    fn ordered_skips_ids_missing_from_posts() {
        let list: PostList =
            serde_json::from_str(r#"{"order":["x","p1"],"posts":{"p1":{"id":"p1"}}}"#).unwrap();
        assert_eq!(list.ordered().count(), 1);
    }

    #[test]
    fn null_and_empty_lists_decode() {
        let list: PostList = serde_json::from_str(r#"{"order":null,"posts":null}"#).unwrap();
        assert!(list.order.is_empty() && list.posts.is_empty());
        let list: PostList = serde_json::from_str("{}").unwrap();
        assert!(!list.has_next);
    }

    #[test]
    fn search_results_flatten_list() {
        let r: PostSearchResults = serde_json::from_str(
            r#"{"order":["p1"],"posts":{"p1":{"id":"p1","message":"Mathe"}},"matches":{"p1":["Mathe"]}}"#,
        )
        .unwrap();
        assert_eq!(r.list.order, ["p1"]);
        assert_eq!(r.matches["p1"], ["Mathe"]);
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<Post>(r#"{"message":["a"]}"#).is_err());
        assert!(serde_json::from_str::<Post>(r#"{"file_ids":"f1"}"#).is_err());
        assert!(serde_json::from_str::<PostList>(r#"{"posts":[]}"#).is_err());
        assert!(serde_json::from_str::<PostList>(r#"{"order":["p1"],"posts":{"p1":"#).is_err());
    }
}
