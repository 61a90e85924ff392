//! The item builder's rules, without a store.

use jiff::tz::TimeZone;

use super::build::send_status;
use super::*;
use crate::markdown::{Block, Inline, NoLookup, PersonRef, Reader};
use crate::store::reads::PostView;
use crate::store::SendState;

/// 2026-03-10 12:00 UTC (13:00 in Berlin), a Tuesday.
const NOON: i64 = 1_773_144_000_000;
const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;

fn post(id: &str, user: &str, at: i64) -> PostView {
    PostView {
        id: id.into(),
        channel_id: "c1".into(),
        root_id: String::new(),
        user_id: user.into(),
        author_name: format!("Name {user}"),
        author_username: user.into(),
        message: format!("Nachricht {id}"),
        post_type: String::new(),
        props: serde_json::json!({}),
        create_at: at,
        edited: false,
        edit_at: 0,
        deleted: false,
        is_pinned: false,
        reply_count: 0,
        reactions: Vec::new(),
        files: Vec::new(),
    }
}

fn source(post: PostView) -> SourcePost {
    SourcePost {
        post,
        outbox: None,
        saved: false,
        participants: Vec::new(),
        last_reply_at: 0,
        cached_replies: 0,
    }
}

struct Context {
    tz: TimeZone,
    reader: Reader,
    locale: Locale,
    unread_since: Option<i64>,
    now: i64,
}

impl Context {
    fn new() -> Context {
        Context {
            tz: TimeZone::get("Europe/Berlin").unwrap(),
            reader: Reader::new("me", &[]),
            locale: Locale::English,
            unread_since: None,
            now: NOON + 2 * DAY,
        }
    }

    fn build(&self, posts: Vec<PostView>) -> Vec<TimelineItem> {
        self.build_sources(posts.into_iter().map(source).collect())
    }

    fn build_sources(&self, posts: Vec<SourcePost>) -> Vec<TimelineItem> {
        build_items(
            posts,
            &ItemContext {
                me: "me",
                reader: &self.reader,
                lookup: &NoLookup,
                time_zone: &self.tz,
                locale: self.locale,
                unread_since: self.unread_since,
                now_ms: self.now,
            },
        )
    }
}

fn ids(items: &[TimelineItem]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

fn post_item(item: &TimelineItem) -> &PostItem {
    match &item.kind {
        TimelineItemKind::Post(p) => p,
        other => panic!("not a post: {other:?}"),
    }
}

#[test]
fn day_separators_follow_the_users_time_zone() {
    // 23:30 and 00:30 Berlin time: the same UTC day, two local days.
    let late = NOON + 10 * 60 * MINUTE + 30 * MINUTE; // 22:30 UTC = 23:30 CET
    let after_midnight = late + 60 * MINUTE;
    let items = Context::new().build(vec![post("a", "u1", late), post("b", "u1", after_midnight)]);
    assert_eq!(ids(&items), ["day:2026-03-10", "a", "day:2026-03-11", "b"]);
    let TimelineItemKind::DaySeparator(day) = &items[0].kind else {
        panic!()
    };
    assert_eq!((day.year, day.month, day.day), (2026, 3, 10));
    assert_eq!(day.label, "Tuesday, March 10, 2026");
    let mut utc = Context::new();
    utc.tz = TimeZone::UTC;
    assert_eq!(
        ids(&utc.build(vec![post("a", "u1", late), post("b", "u1", after_midnight)])),
        ["day:2026-03-10", "a", "b"]
    );
}

#[test]
fn recent_days_are_named_today_and_yesterday_in_the_locale() {
    let mut context = Context::new();
    context.locale = Locale::German;
    context.now = NOON + DAY;
    let items = context.build(vec![
        post("a", "u1", NOON - DAY),
        post("b", "u1", NOON),
        post("c", "u1", NOON + DAY),
    ]);
    let labels: Vec<&str> = items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::DaySeparator(d) => Some(d.label.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["Montag, 9. März 2026", "Gestern", "Heute"]);
}

#[test]
fn consecutive_posts_of_one_author_within_five_minutes_are_grouped() {
    let mut reply = post("r", "u1", NOON + 3 * MINUTE);
    reply.root_id = "a".into();
    let items = Context::new().build(vec![
        post("a", "u1", NOON),
        post("b", "u1", NOON + 4 * MINUTE),
        post("c", "u1", NOON + 10 * MINUTE),
        post("d", "u2", NOON + 11 * MINUTE),
        post("e", "u1", NOON + 12 * MINUTE),
        reply,
    ]);
    let grouped: Vec<(&str, bool)> = items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::Post(p) => Some((p.post_id.as_str(), p.grouped)),
            _ => None,
        })
        .collect();
    assert_eq!(
        grouped,
        [
            ("a", false),
            ("b", true),
            // Six minutes after the previous one.
            ("c", false),
            ("d", false),
            ("e", false),
            // A reply does not continue a root post.
            ("r", false),
        ]
    );
}

#[test]
fn a_day_separator_or_system_post_breaks_a_group() {
    let before_midnight = NOON + 10 * 60 * MINUTE + 58 * MINUTE; // 23:58 CET
    let mut joined = post("j", "u2", NOON + MINUTE);
    joined.post_type = "system_join_channel".into();
    joined.props = serde_json::json!({"username": "u2"});
    let items = Context::new().build(vec![
        post("a", "u1", NOON),
        joined,
        post("b", "u1", NOON + 2 * MINUTE),
        post("c", "u1", before_midnight),
        post("d", "u1", before_midnight + 3 * MINUTE),
    ]);
    assert!(!post_item(&items[3]).grouped, "after a system post");
    assert_eq!(items[5].id, "day:2026-03-11");
    assert!(!post_item(&items[6]).grouped, "after a day separator");
}

#[test]
fn the_new_messages_line_goes_before_the_first_unread_post_of_others() {
    let mut context = Context::new();
    context.unread_since = Some(NOON + MINUTE);
    let items = context.build(vec![
        post("a", "u1", NOON),
        post("mine", "me", NOON + 2 * MINUTE),
        post("b", "u1", NOON + 3 * MINUTE),
        post("c", "u2", NOON + 4 * MINUTE),
    ]);
    assert_eq!(
        ids(&items),
        ["day:2026-03-10", "a", "mine", "new-messages", "b", "c"]
    );
    context.unread_since = Some(NOON + 10 * MINUTE);
    assert!(!ids(&context.build(vec![post("a", "u1", NOON)])).contains(&"new-messages"));
    context.unread_since = Some(0);
    assert!(!ids(&context.build(vec![post("a", "u1", NOON)])).contains(&"new-messages"));
}

#[test]
fn system_posts_are_sentences() {
    let context = Context::new();
    let mut cases = Vec::new();
    let mut system = |kind: &str, props: serde_json::Value, message: &str| {
        let mut p = post(&format!("s{}", cases.len()), "u1", NOON);
        p.post_type = kind.into();
        p.props = props;
        p.message = message.into();
        cases.push(p);
    };
    system(
        "system_join_channel",
        serde_json::json!({"username": "anna"}),
        "",
    );
    system(
        "system_add_to_channel",
        serde_json::json!({"username": "anna", "addedUsername": "ben"}),
        "",
    );
    system(
        "system_remove_from_channel",
        serde_json::json!({"removedUsername": "ben"}),
        "",
    );
    system(
        "system_header_change",
        serde_json::json!({"username": "anna", "old_header": "", "new_header": "Mathe"}),
        "",
    );
    system(
        "system_purpose_change",
        serde_json::json!({"username": "anna", "old_purpose": "Alt", "new_purpose": "Neu"}),
        "",
    );
    system(
        "system_displayname_change",
        serde_json::json!({"username": "anna", "old_displayname": "7a", "new_displayname": "Klasse 7a"}),
        "",
    );
    system("system_leave_channel", serde_json::json!({}), "");
    system(
        "system_something_new",
        serde_json::json!({}),
        "Der Server sagt etwas.",
    );
    let texts: Vec<String> = context
        .build(cases)
        .into_iter()
        .filter_map(|i| match i.kind {
            TimelineItemKind::System(s) => Some(s.text),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "@anna joined the channel.",
            "@anna added @ben to the channel.",
            "Name u1 removed @ben from the channel.",
            "@anna set the channel header to “Mathe”.",
            "@anna changed the channel purpose from “Alt” to “Neu”.",
            "@anna renamed the channel from “7a” to “Klasse 7a”.",
            "Name u1 left the channel.",
            "Der Server sagt etwas.",
        ]
    );
}

#[test]
fn system_sentences_use_the_names_the_store_knows() {
    struct Known;
    impl crate::markdown::Lookup for Known {
        fn person(&self, username: &str) -> Option<PersonRef> {
            (username == "anna").then(|| PersonRef {
                user_id: "ua".into(),
                display_name: "Anna Berger".into(),
            })
        }
        fn channel(&self, _: &str) -> Option<crate::markdown::ChannelRef> {
            None
        }
    }
    let mut p = post("s", "ua", NOON);
    p.post_type = "system_join_channel".into();
    p.props = serde_json::json!({"username": "anna"});
    assert_eq!(
        system_sentence(&p, &Known, Locale::German),
        "Anna Berger ist dem Kanal beigetreten."
    );
}

#[test]
fn own_posts_carry_their_outbox_state() {
    let context = Context::new();
    let mut pending = source(post("k1", "me", NOON));
    pending.outbox = Some(SendState::Queued);
    let mut failed = source(post("k2", "me", NOON + MINUTE));
    failed.outbox = Some(SendState::Failed {
        reason: "forbidden: api.post.create_post.can_not_post_to_channel".into(),
    });
    let sent = source(post("p3", "me", NOON + 2 * MINUTE));
    let items = context.build_sources(vec![pending, failed, sent]);
    assert_eq!(post_item(&items[1]).send_state, SendStatus::Pending);
    assert!(matches!(
        &post_item(&items[2]).send_state,
        SendStatus::Failed { can_retry: false, explanation, .. } if explanation == "You may not post here."
    ));
    assert_eq!(post_item(&items[3]).send_state, SendStatus::Sent);
    assert!(post_item(&items[3]).mine);
}

#[test]
fn failures_say_whether_a_retry_can_work() {
    let failed = |reason: &str| match send_status(
        Some(SendState::Failed {
            reason: reason.into(),
        }),
        Locale::German,
    ) {
        SendStatus::Failed {
            can_retry,
            explanation,
            ..
        } => (can_retry, explanation),
        other => panic!("{other:?}"),
    };
    assert!(!failed("forbidden: x").0);
    assert!(!failed("not found: channel").0);
    assert!(!failed("the post was never sent").0);
    assert_eq!(
        failed("model.post.is_valid.msg.app_error"),
        (false, "Die Nachricht ist zu lang.".to_owned())
    );
    assert!(failed("server error 400").0);
}

#[test]
fn posts_carry_markdown_markers_reactions_files_and_threads() {
    let mut context = Context::new();
    context.locale = Locale::German;
    let mut root = post("root", "u1", NOON);
    root.message = "**Hallo** @me :wave:".into();
    // The server's count (0 on channel pages without collapsed threads)
    // is raised to the cached replies.
    root.reply_count = 0;
    root.is_pinned = true;
    root.edited = true;
    root.reactions = vec![crate::store::reads::ReactionView {
        emoji_name: "thumbsup".into(),
        count: 2,
        user_ids: vec!["u2".into(), "me".into()],
        mine: true,
    }];
    let mut deleted = post("gone", "u2", NOON + MINUTE);
    deleted.deleted = true;
    let mut emote = post("me1", "u2", NOON + 2 * MINUTE);
    emote.post_type = "me".into();
    let mut root_source = source(root);
    root_source.saved = true;
    root_source.participants = vec![Participant {
        user_id: "u2".into(),
        name: "Ben".into(),
    }];
    root_source.last_reply_at = NOON + 5 * MINUTE;
    root_source.cached_replies = 2;
    let items = context.build_sources(vec![root_source, source(deleted), source(emote)]);
    let root = post_item(&items[1]);
    assert!(matches!(
        root.text.blocks.as_slice(),
        [Block::Paragraph { inlines }] if matches!(inlines[0], Inline::Strong { .. })
    ));
    assert_eq!(root.plain_text, "Hallo @me 👋");
    assert!(root.mentions_me && root.pinned && root.saved && root.edited);
    assert_eq!(root.reactions[0].count, 2);
    assert_eq!(root.time, "13:00");
    let thread = root.thread.as_ref().unwrap();
    assert_eq!(thread.reply_count, 2);
    assert_eq!(thread.participants[0].name, "Ben");
    let gone = post_item(&items[2]);
    assert!(gone.deleted && gone.text.blocks.is_empty());
    assert_eq!(gone.plain_text, "(Nachricht gelöscht)");
    assert!(post_item(&items[3]).emote);
}

#[test]
fn item_ids_are_unique_so_diffs_match_by_key() {
    let items = Context::new().build(
        (0..200)
            .map(|i| post(&format!("p{i}"), "u1", NOON + i * 7 * 60 * MINUTE))
            .collect(),
    );
    let unique: std::collections::HashSet<&str> = ids(&items).into_iter().collect();
    assert_eq!(unique.len(), items.len());
}
