//! The Threads list of a team (collapsed reply threads): the threads the
//! user follows, newest reply first, with what is unread in each.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::channel_list::channel_title;
use super::my_user_id;
use super::names::name_of;
use super::posts::{query_posts, PostView, POST_COLUMNS};
use crate::markdown::{self, NoLookup, Reader};
use crate::store::StoreResult;

/// Longest root text shown in the list, in characters.
const PREVIEW_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowedThreads {
    /// Newest reply first.
    pub threads: Vec<FollowedThread>,
    /// Threads with unread replies.
    pub unread_threads: i64,
    pub unread_mentions: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowedThread {
    pub root: PostView,
    /// The root's text as one plain line (Markdown removed), shortened.
    pub preview: String,
    /// As the channel list names it (a direct message after the person).
    pub channel_name: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
    pub last_viewed_at: i64,
    pub unread_replies: i64,
    pub unread_mentions: i64,
    /// Everyone who wrote in the thread, as the server lists them.
    pub participants: Vec<ThreadParticipant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadParticipant {
    pub user_id: String,
    /// The user id when the person is not cached.
    pub name: String,
}

/// The followed threads shown in `team_id`'s list: those of its channels
/// and of direct and group channels, whose root is cached and live.
pub fn followed_threads(conn: &Connection, team_id: &str) -> StoreResult<FollowedThreads> {
    let me = my_user_id(conn)?;
    let sql = format!(
        "SELECT {POST_COLUMNS}
         FROM followed_threads t
         JOIN posts p ON p.id = t.root_id
         JOIN channels c ON c.id = p.channel_id
         LEFT JOIN users u ON u.id = p.user_id
         WHERE (c.team_id = ?1 OR c.team_id = '') AND p.delete_at = 0
         ORDER BY t.last_reply_at DESC, t.root_id"
    );
    let roots = query_posts(conn, &sql, [team_id], &me)?;
    let mut counts = conn.prepare_cached(
        "SELECT reply_count, last_reply_at, last_viewed_at, unread_replies, unread_mentions,
                participants
         FROM followed_threads WHERE root_id = ?1",
    )?;
    let mut threads = Vec::with_capacity(roots.len());
    for root in roots {
        // Each statement reads its own snapshot: a thread unfollowed (by an
        // event) between the two is left out, not an error.
        let Some((
            reply_count,
            last_reply_at,
            last_viewed_at,
            unread_replies,
            unread_mentions,
            people,
        )) = counts
            .query_row([&root.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?
        else {
            continue;
        };
        // A damaged list shows the thread without its people.
        let ids: Vec<String> = serde_json::from_slice(people.as_bytes()).unwrap_or_default();
        let mut participants = Vec::with_capacity(ids.len());
        for user_id in ids {
            let name = name_of(conn, &user_id)?.unwrap_or_else(|| user_id.clone());
            participants.push(ThreadParticipant { user_id, name });
        }
        threads.push(FollowedThread {
            preview: preview(&root.message),
            channel_name: channel_title(conn, &root.channel_id, &me)?.unwrap_or_default(),
            root,
            reply_count,
            last_reply_at,
            last_viewed_at,
            unread_replies: unread_replies.max(0),
            unread_mentions: unread_mentions.max(0),
            participants,
        });
    }
    Ok(FollowedThreads {
        unread_threads: threads.iter().filter(|t| t.unread_replies > 0).count() as i64,
        unread_mentions: threads.iter().map(|t| t.unread_mentions).sum(),
        threads,
    })
}

fn preview(message: &str) -> String {
    let document = markdown::parse(message, &Reader::default(), &NoLookup);
    let text = markdown::plain_text(&document);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", line[..cut].trim_end()),
        None => line,
    }
}

/// Where a cached thread is: its channel, the channel's team ("" for a
/// direct or group channel, or when the channel is not cached) and its
/// newest reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadPlace {
    pub channel_id: String,
    pub team_id: String,
    pub reply_count: i64,
    pub last_reply_at: i64,
}

pub fn thread_place(conn: &Connection, root_id: &str) -> StoreResult<Option<ThreadPlace>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.channel_id, coalesce(c.team_id, ''), p.reply_count,
                    max(p.last_reply_at, coalesce(t.last_reply_at, 0))
             FROM posts p
             LEFT JOIN channels c ON c.id = p.channel_id
             LEFT JOIN followed_threads t ON t.root_id = p.id
             WHERE p.id = ?1",
        )?
        .query_row([root_id], |r| {
            Ok(ThreadPlace {
                channel_id: r.get(0)?,
                team_id: r.get(1)?,
                reply_count: r.get(2)?,
                last_reply_at: r.get(3)?,
            })
        })
        .optional()?)
}
