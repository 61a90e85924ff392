//! What a notification shows, built from the store (which the caller has
//! filled from the websocket or over REST; its reads in
//! `store/notifications.rs`).

use rusqlite::Connection;
use serde::Serialize;

use super::rules::{self, ChannelFacts, NotifyReason, PostFacts, Recipient, ThreadFacts, Verdict};
use crate::markdown;
use crate::model::{ChannelType, User};
use crate::store::reads::name_of;
use crate::store::{
    has_replied_in_thread, is_post_by, notification_channel, notification_post, other_member_ids,
    StoreResult,
};
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

/// Whether the recipient started or took part in the thread of `root_id`.
pub(crate) fn thread_facts(conn: &Connection, root_id: &str, me: &str) -> StoreResult<ThreadFacts> {
    let started = is_post_by(conn, root_id, me)?;
    let replied = has_replied_in_thread(conn, root_id, me)?;
    Ok(ThreadFacts {
        started_by_recipient: started,
        recipient_took_part: started || replied,
        collapsed_threads: crate::store::reads::collapsed_threads(conn)?,
    })
}

/// Names of a group channel's other members, from the cache.
fn group_title(conn: &Connection, channel_id: &str, me: &str) -> StoreResult<Option<String>> {
    let ids = other_member_ids(conn, channel_id, me)?;
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
    let Some(post) = notification_post(conn, post_id)? else {
        return Ok(None);
    };
    let Some(channel) = notification_channel(conn, &post.channel_id, &me.id)? else {
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
