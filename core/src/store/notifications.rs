//! What a notification reads of the cache: the post with the parts of its
//! props a notification shows, the channel with the recipient's
//! membership, and the recipient's part in a thread.

use rusqlite::{Connection, OptionalExtension};

use crate::model::{ChannelNotifyProps, ChannelType};

use super::error::StoreResult;

/// A cached post as a notification needs it.
pub struct NotificationPost {
    pub id: String,
    pub channel_id: String,
    pub root_id: String,
    pub user_id: String,
    pub post_type: String,
    pub message: String,
    pub file_count: u32,
    pub create_at: i64,
    pub deleted: bool,
    pub override_username: Option<String>,
}

/// The cached post `post_id`, if cached.
pub fn notification_post(
    conn: &Connection,
    post_id: &str,
) -> StoreResult<Option<NotificationPost>> {
    let row = conn
        .prepare_cached(
            "SELECT id, channel_id, root_id, user_id, type, message, props, file_ids,
                    create_at, delete_at
             FROM posts WHERE id = ?1",
        )?
        .query_row([post_id], |r| {
            Ok((
                NotificationPost {
                    id: r.get(0)?,
                    channel_id: r.get(1)?,
                    root_id: r.get(2)?,
                    user_id: r.get(3)?,
                    post_type: r.get(4)?,
                    message: r.get(5)?,
                    file_count: 0,
                    create_at: r.get(8)?,
                    deleted: r.get::<_, i64>(9)? > 0,
                    override_username: None,
                },
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .optional()?;
    Ok(row.map(|(mut post, props, file_ids)| {
        let props: serde_json::Value = serde_json::from_slice(props.as_bytes()).unwrap_or_default();
        // Webhooks and bots may post under another name (if the server
        // allows it); the notification shows that name like the server's.
        post.override_username = (props["from_webhook"] == "true")
            .then(|| props["override_username"].as_str().map(str::to_owned))
            .flatten()
            .filter(|n| !n.trim().is_empty());
        post.file_count = serde_json::from_slice::<Vec<serde_json::Value>>(file_ids.as_bytes())
            .map(|ids| ids.len().min(u32::MAX as usize) as u32)
            .unwrap_or(0);
        post
    }))
}

/// A cached channel with the recipient's membership, as a notification
/// needs them.
pub struct NotificationChannel {
    pub kind: ChannelType,
    pub team_id: String,
    pub display_name: String,
    pub deleted: bool,
    /// `None` when the recipient is not a member (as far as the cache knows).
    pub member_props: Option<ChannelNotifyProps>,
}

/// The cached channel `channel_id` with `me`'s membership, if cached.
pub fn notification_channel(
    conn: &Connection,
    channel_id: &str,
    me: &str,
) -> StoreResult<Option<NotificationChannel>> {
    let row = conn
        .prepare_cached(
            "SELECT c.type, c.team_id, c.display_name, c.delete_at, m.notify_props, m.mark_unread
             FROM channels c LEFT JOIN channel_members m
                 ON m.channel_id = c.id AND m.user_id = ?2
             WHERE c.id = ?1",
        )?
        .query_row([channel_id, me], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .optional()?;
    Ok(row.map(
        |(kind, team_id, display_name, delete_at, props, mark_unread)| {
            let member_props = props.map(|json| {
                let mut props: ChannelNotifyProps =
                    serde_json::from_slice(json.as_bytes()).unwrap_or_default();
                if props.mark_unread.is_empty() {
                    props.mark_unread = mark_unread.unwrap_or_default();
                }
                props
            });
            NotificationChannel {
                kind: ChannelType::parse(&kind),
                team_id,
                display_name,
                deleted: delete_at > 0,
                member_props,
            }
        },
    ))
}

/// Whether the cached post `post_id` was written by `user_id`.
pub fn is_post_by(conn: &Connection, post_id: &str, user_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM posts WHERE id = ?1 AND user_id = ?2")?
        .query_row([post_id, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether `user_id` wrote a cached reply to the root `root_id`.
pub fn has_replied_in_thread(conn: &Connection, root_id: &str, user_id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM posts WHERE root_id = ?1 AND user_id = ?2 LIMIT 1")?
        .query_row([root_id, user_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The cached members of a channel other than `me`, by id.
pub fn other_member_ids(conn: &Connection, channel_id: &str, me: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM channel_members WHERE channel_id = ?1 AND user_id <> ?2
         ORDER BY user_id",
    )?;
    let rows = stmt.query_map([channel_id, me], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
