//! Posts (oldest first) into timeline items: pure, so every rule is
//! tested without a store.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::system::system_sentence;
use super::{
    DaySeparator, Participant, PostItem, SendStatus, SystemItem, ThreadSummary, TimelineItem,
    TimelineItemKind,
};
use crate::markdown::{self, Document, Lookup, Reader};
use crate::store::reads::PostView;
use crate::store::SendState;
use crate::texts::{month_name, weekday_name, Locale, Text};

/// Posts of one author less than this far apart are grouped (Mattermost's
/// five minutes).
pub const GROUP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// A post and what the store knows around it.
#[derive(Debug, Clone)]
pub struct SourcePost {
    pub post: PostView,
    /// The outbox state of a local echo (`None`: on the server).
    pub outbox: Option<SendState>,
    pub saved: bool,
    /// For a root with replies: who replied, latest first.
    pub participants: Vec<Participant>,
    pub last_reply_at: i64,
    /// Replies of a root in the cache (the server's count is 0 on channel
    /// pages without collapsed threads).
    pub cached_replies: i64,
}

/// Who reads, where and when.
pub struct ItemContext<'a> {
    /// The signed-in user's id.
    pub me: &'a str,
    pub reader: &'a Reader,
    pub lookup: &'a dyn Lookup,
    pub time_zone: &'a TimeZone,
    pub locale: Locale,
    /// The channel's last_viewed_at before this visit: later posts of
    /// others are new. `None` (or 0) draws no line.
    pub unread_since: Option<i64>,
    /// Now, for "Today" and "Yesterday".
    pub now_ms: i64,
}

pub fn build_items(posts: Vec<SourcePost>, ctx: &ItemContext<'_>) -> Vec<TimelineItem> {
    let today = civil_date(ctx.now_ms, ctx.time_zone);
    let yesterday = today.and_then(|d| d.yesterday().ok());
    let mut items: Vec<TimelineItem> = Vec::with_capacity(posts.len() + 4);
    let mut last_day = None;
    let mut new_line_drawn = false;
    for source in posts {
        let post = &source.post;
        let day = civil_date(post.create_at, ctx.time_zone);
        if day != last_day {
            if let Some(date) = day {
                items.push(day_separator(date, today, yesterday, ctx.locale));
            }
            last_day = day;
        }
        let unread_since = ctx.unread_since.filter(|&at| at > 0);
        if !new_line_drawn
            && unread_since.is_some_and(|at| post.create_at > at)
            && post.user_id != ctx.me
            && source.outbox.is_none()
        {
            items.push(TimelineItem {
                id: "new-messages".into(),
                kind: TimelineItemKind::NewMessages {
                    label: Text::NewMessages.get(ctx.locale).to_owned(),
                },
            });
            new_line_drawn = true;
        }
        let time = clock_time(post.create_at, ctx.time_zone);
        if post.post_type.starts_with("system_") {
            items.push(TimelineItem {
                id: post.id.clone(),
                kind: TimelineItemKind::System(SystemItem {
                    post_id: post.id.clone(),
                    post_type: post.post_type.clone(),
                    text: system_sentence(post, ctx.lookup, ctx.locale),
                    actor_id: post.user_id.clone(),
                    create_at: post.create_at,
                    time,
                }),
            });
            continue;
        }
        let grouped = items.last().is_some_and(|previous| match &previous.kind {
            TimelineItemKind::Post(p) => {
                p.user_id == post.user_id
                    && p.root_id == post.root_id
                    && post.create_at - p.create_at <= GROUP_WINDOW_MS
                    && post.create_at >= p.create_at
            }
            _ => false,
        });
        items.push(TimelineItem {
            id: post.id.clone(),
            kind: TimelineItemKind::Post(Box::new(post_item(source, grouped, time, ctx))),
        });
    }
    items
}

fn post_item(source: SourcePost, grouped: bool, time: String, ctx: &ItemContext<'_>) -> PostItem {
    let SourcePost {
        post,
        outbox,
        saved,
        participants,
        last_reply_at,
        cached_replies,
    } = source;
    let (text, plain_text) = if post.deleted {
        (
            Document {
                blocks: Vec::new(),
                degraded: false,
            },
            Text::MessageDeleted.get(ctx.locale).to_owned(),
        )
    } else {
        let text = markdown::parse(&post.message, ctx.reader, ctx.lookup);
        let plain = markdown::plain_text(&text);
        (text, plain)
    };
    let reply_count = post.reply_count.max(cached_replies);
    let thread = (post.root_id.is_empty() && reply_count > 0).then_some(ThreadSummary {
        reply_count,
        participants,
        last_reply_at,
    });
    PostItem {
        mine: post.user_id == ctx.me,
        mentions_me: text.mentions_reader(),
        send_state: send_status(outbox, ctx.locale),
        emote: post.post_type == "me",
        post_id: post.id,
        root_id: post.root_id,
        user_id: post.user_id,
        author_name: post.author_name,
        author_username: post.author_username,
        create_at: post.create_at,
        time,
        grouped,
        text,
        plain_text,
        edited: post.edited,
        deleted: post.deleted,
        pinned: post.is_pinned,
        saved,
        reactions: post.reactions,
        files: post.files,
        thread,
    }
}

/// The outbox's state as the timeline shows it, with what a refusal
/// means for the user.
pub(crate) fn send_status(state: Option<SendState>, locale: Locale) -> SendStatus {
    match state {
        None => SendStatus::Sent,
        Some(SendState::Queued | SendState::Sending) => SendStatus::Pending,
        Some(SendState::Failed { reason }) => {
            let lower = reason.to_ascii_lowercase();
            let (text, can_retry) = if lower.starts_with("forbidden") {
                (Text::SendFailedForbidden, false)
            } else if lower.starts_with("not found") || lower.contains("never sent") {
                (Text::SendFailedNotFound, false)
            } else if lower.contains("msg") && lower.contains("is_valid")
                || lower.contains("too long")
                || lower.contains("too_long")
                || lower.contains("413")
            {
                (Text::SendFailedTooLong, false)
            } else {
                (Text::SendFailedOther, true)
            };
            SendStatus::Failed {
                explanation: text.get(locale).to_owned(),
                reason,
                can_retry,
            }
        }
    }
}

fn civil_date(ms: i64, tz: &TimeZone) -> Option<jiff::civil::Date> {
    Some(
        Timestamp::from_millisecond(ms)
            .ok()?
            .to_zoned(tz.clone())
            .date(),
    )
}

fn clock_time(ms: i64, tz: &TimeZone) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

fn day_separator(
    date: jiff::civil::Date,
    today: Option<jiff::civil::Date>,
    yesterday: Option<jiff::civil::Date>,
    locale: Locale,
) -> TimelineItem {
    let label = if Some(date) == today {
        Text::Today.get(locale).to_owned()
    } else if Some(date) == yesterday {
        Text::Yesterday.get(locale).to_owned()
    } else {
        Text::DayLabel.fill(
            locale,
            &[
                (
                    "weekday",
                    weekday_name(locale, date.weekday().to_monday_one_offset()),
                ),
                ("month", month_name(locale, date.month())),
                ("day", &date.day().to_string()),
                ("year", &date.year().to_string()),
            ],
        )
    };
    TimelineItem {
        id: format!("day:{date}"),
        kind: TimelineItemKind::DaySeparator(DaySeparator {
            year: date.year(),
            month: date.month(),
            day: date.day(),
            label,
        }),
    }
}
