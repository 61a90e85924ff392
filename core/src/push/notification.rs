//! What a notification shows, built from the store (which the caller has
//! filled from the websocket or over REST), and the store reads it needs.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::rules::{self, ChannelFacts, NotifyReason, PostFacts, Recipient, ThreadFacts, Verdict};
use crate::markdown;
use crate::model::{ChannelNotifyProps, ChannelType, User};
use crate::store::reads::name_of;
use crate::store::StoreResult;
use crate::texts::{Locale, Text};

/// Longest body handed to the platform, in characters.
const MAX_BODY_CHARS: usize = 400;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The post's id; use it as the platform notification's tag so a push
    /// and a socket event for the same post replace each other.
    pub id: String,
    /// Channel name, or the sender in a direct message.
    pub title: String,
    pub sender_id: String,
    /// Empty when the sender is not known (the app shows its own word).
    pub sender_name: String,
    /// The message as plain text (Markdown removed, emoji as Unicode),
    /// shortened; for a post with only files a sentence saying so.
    pub body: String,
    pub file_count: u32,
    pub channel_id: String,
    pub channel_kind: NotificationChannelKind,
    pub team_id: String,
    /// The thread's root post, empty for a post that is not a reply.
    pub root_id: String,
    /// Notifications with the same key belong together (one conversation).
    pub group_key: String,
    pub reason: NotifyReason,
    /// Whether a reply from the notification can be sent (the channel is
    /// not archived).
    pub reply_allowed: bool,
    pub create_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationChannelKind {
    Direct,
    Group,
    Open,
    Private,
}

/// The cached post.
pub(crate) struct CachedPost {
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

pub(crate) fn cached_post(conn: &Connection, post_id: &str) -> StoreResult<Option<CachedPost>> {
    let row = conn
        .prepare_cached(
            "SELECT id, channel_id, root_id, user_id, type, message, props, file_ids,
                    create_at, delete_at
             FROM posts WHERE id = ?1",
        )?
        .query_row([post_id], |r| {
            Ok((
                CachedPost {
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
        let props: serde_json::Value = serde_json::from_str(&props).unwrap_or_default();
        // Webhooks and bots may post under another name (if the server
        // allows it); the notification shows that name like the server's.
        post.override_username = (props["from_webhook"] == "true")
            .then(|| props["override_username"].as_str().map(str::to_owned))
            .flatten()
            .filter(|n| !n.trim().is_empty());
        post.file_count = serde_json::from_str::<Vec<serde_json::Value>>(&file_ids)
            .map(|ids| ids.len().min(u32::MAX as usize) as u32)
            .unwrap_or(0);
        post
    }))
}

/// The cached channel and the recipient's membership.
pub(crate) struct CachedChannel {
    pub kind: ChannelType,
    pub team_id: String,
    pub display_name: String,
    pub deleted: bool,
    pub member_props: Option<ChannelNotifyProps>,
}

pub(crate) fn cached_channel(
    conn: &Connection,
    channel_id: &str,
    me: &str,
) -> StoreResult<Option<CachedChannel>> {
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
                let mut props: ChannelNotifyProps = serde_json::from_str(&json).unwrap_or_default();
                if props.mark_unread.is_empty() {
                    props.mark_unread = mark_unread.unwrap_or_default();
                }
                props
            });
            CachedChannel {
                kind: ChannelType::parse(&kind),
                team_id,
                display_name,
                deleted: delete_at > 0,
                member_props,
            }
        },
    ))
}

/// Whether the recipient started or took part in the thread of `root_id`.
pub(crate) fn thread_facts(conn: &Connection, root_id: &str, me: &str) -> StoreResult<ThreadFacts> {
    let started: bool = conn
        .prepare_cached("SELECT 1 FROM posts WHERE id = ?1 AND user_id = ?2")?
        .query_row([root_id, me], |_| Ok(()))
        .optional()?
        .is_some();
    let replied: bool = conn
        .prepare_cached("SELECT 1 FROM posts WHERE root_id = ?1 AND user_id = ?2 LIMIT 1")?
        .query_row([root_id, me], |_| Ok(()))
        .optional()?
        .is_some();
    Ok(ThreadFacts {
        started_by_recipient: started,
        recipient_took_part: started || replied,
        collapsed_threads: crate::store::reads::collapsed_threads(conn)?,
    })
}

/// Names of a group channel's other members, from the cache.
fn group_title(conn: &Connection, channel_id: &str, me: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id FROM channel_members WHERE channel_id = ?1 AND user_id <> ?2
         ORDER BY user_id",
    )?;
    let ids: Vec<String> = stmt
        .query_map([channel_id, me], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut names = Vec::new();
    for id in &ids {
        match name_of(conn, id)? {
            Some(name) => names.push(name),
            None => return Ok(None),
        }
    }
    names.sort();
    Ok((!names.is_empty()).then(|| names.join(", ")))
}

/// Runs the rules on a cached post and, when it notifies, builds the
/// notification. `None` when the post, its channel or the membership is
/// not in the store.
pub(crate) fn evaluate(
    conn: &Connection,
    me: &User,
    status: Option<&str>,
    post_id: &str,
    server_mentions: Option<&[String]>,
    pushed_by_server: bool,
    locale: Locale,
) -> StoreResult<Option<(Verdict, Option<Notification>)>> {
    let Some(post) = cached_post(conn, post_id)? else {
        return Ok(None);
    };
    let Some(channel) = cached_channel(conn, &post.channel_id, &me.id)? else {
        return Ok(None);
    };
    let Some(member_props) = channel.member_props.as_ref() else {
        return Ok(None);
    };
    let thread = if post.root_id.is_empty() {
        None
    } else {
        Some(thread_facts(conn, &post.root_id, &me.id)?)
    };
    let verdict = rules::decide(
        &Recipient {
            user_id: &me.id,
            username: &me.username,
            first_name: &me.first_name,
            notify_props: &me.notify_props,
            status,
        },
        &ChannelFacts {
            kind: &channel.kind,
            member_props,
        },
        &PostFacts {
            author_id: &post.user_id,
            message: &post.message,
            post_type: &post.post_type,
            deleted: post.deleted,
            thread,
            server_mentions,
            pushed_by_server,
        },
    );
    let Verdict::Notify(reason) = verdict else {
        return Ok(Some((verdict, None)));
    };
    let sender_name = match &post.override_username {
        Some(name) => name.clone(),
        None => name_of(conn, &post.user_id)?.unwrap_or_default(),
    };
    let kind = match channel.kind {
        ChannelType::Direct => NotificationChannelKind::Direct,
        ChannelType::Group => NotificationChannelKind::Group,
        ChannelType::Private => NotificationChannelKind::Private,
        _ => NotificationChannelKind::Open,
    };
    let title = match kind {
        NotificationChannelKind::Direct => sender_name.clone(),
        NotificationChannelKind::Group => group_title(conn, &post.channel_id, &me.id)?
            .unwrap_or_else(|| channel.display_name.clone()),
        _ => channel.display_name.clone(),
    };
    let notification = Notification {
        id: post.id.clone(),
        title,
        sender_id: post.user_id.clone(),
        sender_name,
        body: body_of(&post.message, post.file_count, locale),
        file_count: post.file_count,
        group_key: post.channel_id.clone(),
        channel_id: post.channel_id,
        channel_kind: kind,
        team_id: channel.team_id,
        root_id: post.root_id,
        reason,
        reply_allowed: !channel.deleted,
        create_at: post.create_at,
    };
    Ok(Some((verdict, Some(notification))))
}

/// What the notification says: the message without Markdown, or for a
/// post with only files that a file came.
fn body_of(message: &str, file_count: u32, locale: Locale) -> String {
    let document = markdown::parse(message, &markdown::Reader::default(), &markdown::NoLookup);
    let text = shorten(&markdown::plain_text(&document));
    if text.is_empty() && file_count > 0 {
        Text::FilesOnly.get(locale).to_owned()
    } else {
        text
    }
}

/// At most [`MAX_BODY_CHARS`] characters, cut at a character boundary.
fn shorten(message: &str) -> String {
    let trimmed = message.trim();
    match trimmed.char_indices().nth(MAX_BODY_CHARS) {
        Some((cut, _)) => format!("{}…", trimmed[..cut].trim_end()),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        assert_eq!(shorten("  kurz \n"), "kurz");
        let long = "ä".repeat(MAX_BODY_CHARS + 10);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), MAX_BODY_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn bodies_are_plain_text_and_files_only_posts_say_so() {
        assert_eq!(
            body_of("**Bitte** lesen :thumbsup:", 0, Locale::German),
            "Bitte lesen 👍"
        );
        assert_eq!(body_of("", 2, Locale::German), "hat eine Datei gesendet");
        assert_eq!(body_of("", 0, Locale::English), "");
    }
}
