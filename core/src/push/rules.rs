//! Whether a new post notifies the signed-in user: one pure function,
//! shared by push handling and the background connection.
//!
//! It follows the server's push rules (`ShouldSendPushNotification`,
//! `doesNotifyPropsAllowPushNotification` and the mention keywords in
//! server/channels/app/notification*.go):
//! - own posts, system messages and deleted posts never notify;
//! - "do not disturb" and "out of office" silence everything;
//! - a muted channel (`mark_unread` = `mention`) never notifies, not even
//!   for a mention;
//! - the level is the channel member's `push` prop, or the user's `push`
//!   prop when that is `default`; in group messages a user level of
//!   `mention` counts as `all`; `none` silences, `mention` needs a mention;
//! - a direct message counts as a mention;
//! - mentions: `@username`, the custom `mention_keys`, the first name when
//!   `first_name` is "true", and `@channel`/`@all`/`@here` unless the user
//!   turned channel-wide mentions off (`channel` = "false", or the member's
//!   `ignore_channel_mentions` = "on"), `@here` only for a user who is
//!   online; nothing inside code (fenced, indented or inline) mentions;
//! - replies in a thread: with collapsed reply threads, a thread the user
//!   follows (started or replied in) notifies when the thread level
//!   (`push_threads` of the membership, else of the user, default `all`)
//!   is `all` (`shouldUserNotifyCRT`); without them per the user's
//!   `comments` prop (`root`: threads the user started, `any`: threads
//!   the user took part in).
//!
//! Unlike the server it ignores `push_status` (away/offline): the app
//! keeps the socket open in background mode, so the server counts the
//! user as online although nobody looks at the screen.

use serde::Serialize;

use crate::model::{ChannelNotifyProps, ChannelType, StringMap};

/// Who the notification would be for.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub user_id: &'a str,
    pub username: &'a str,
    pub first_name: &'a str,
    /// The user's `notify_props`.
    pub notify_props: &'a StringMap,
    /// The user's status when known ("online", "away", "dnd", "ooo", ...).
    pub status: Option<&'a str>,
}

/// The post, as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct PostFacts<'a> {
    pub author_id: &'a str,
    pub message: &'a str,
    /// Mattermost's post type ("" for a normal post, "system_..." otherwise).
    pub post_type: &'a str,
    pub deleted: bool,
    /// Set for replies.
    pub thread: Option<ThreadFacts>,
    /// User ids the server reported as mentioned (the websocket's
    /// `posted.data.mentions`), when known.
    pub server_mentions: Option<&'a [String]>,
    /// The server pushed this post to the recipient: it found a reason the
    /// client may not see (a group mention like `@klasse-7b`, a followed
    /// thread, a mention key it computed), so "not mentioned" does not
    /// silence it. Every other reason still does.
    pub pushed_by_server: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadFacts {
    /// The recipient wrote the thread's root post.
    pub started_by_recipient: bool,
    /// The recipient wrote the root or a reply (so follows the thread).
    pub recipient_took_part: bool,
    /// Collapsed reply threads are on for the recipient.
    pub collapsed_threads: bool,
}

/// The channel, as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct ChannelFacts<'a> {
    pub kind: &'a ChannelType,
    /// The recipient's membership's notify props.
    pub member_props: &'a ChannelNotifyProps,
}

/// The rules' answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    Notify(NotifyReason),
    Silent(SilentReason),
}

impl Verdict {
    pub fn notifies(self) -> bool {
        matches!(self, Verdict::Notify(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyReason {
    DirectMessage,
    /// The recipient's name or one of their keywords.
    Mention,
    /// `@channel`, `@all` or `@here`.
    ChannelWideMention,
    /// A reply in a thread the recipient started or took part in.
    ThreadReply,
    /// The level is "all" (or a group message at level "mention").
    AllMessages,
    /// The server pushed it for a reason of its own (see
    /// [`PostFacts::pushed_by_server`]).
    ServerDecided,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SilentReason {
    OwnPost,
    SystemMessage,
    Deleted,
    DoNotDisturb,
    MutedChannel,
    /// The notification level is "none".
    LevelNone,
    NotMentioned,
}

/// How a message mentions the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mention {
    None,
    ChannelWide,
    Explicit,
}

/// Decides whether `post` in `channel` notifies `me`.
pub fn decide(me: &Recipient<'_>, channel: &ChannelFacts<'_>, post: &PostFacts<'_>) -> Verdict {
    use SilentReason::*;
    if post.author_id == me.user_id {
        return Verdict::Silent(OwnPost);
    }
    if post.deleted {
        return Verdict::Silent(Deleted);
    }
    if post.post_type.starts_with("system_") {
        return Verdict::Silent(SystemMessage);
    }
    if matches!(me.status, Some("dnd") | Some("ooo")) {
        return Verdict::Silent(DoNotDisturb);
    }
    if channel.member_props.mark_unread == "mention" {
        return Verdict::Silent(MutedChannel);
    }
    let user_level = me
        .notify_props
        .get("push")
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .unwrap_or("mention");
    let level = match channel.member_props.push.as_str() {
        "" | "default" => {
            if *channel.kind == ChannelType::Group && user_level == "mention" {
                "all"
            } else {
                user_level
            }
        }
        explicit => explicit,
    };
    if level == "none" {
        return Verdict::Silent(LevelNone);
    }
    let mention = mention_of(me, channel, post);
    let reason = if *channel.kind == ChannelType::Direct {
        Some(NotifyReason::DirectMessage)
    } else if mention == Mention::Explicit {
        Some(NotifyReason::Mention)
    } else if mention == Mention::ChannelWide {
        Some(NotifyReason::ChannelWideMention)
    } else if replies_notify(me, channel, post) {
        Some(NotifyReason::ThreadReply)
    } else {
        None
    };
    match (reason, level) {
        (Some(reason), _) => Verdict::Notify(reason),
        (None, "all") => Verdict::Notify(NotifyReason::AllMessages),
        (None, _) if post.pushed_by_server => Verdict::Notify(NotifyReason::ServerDecided),
        (None, _) => Verdict::Silent(NotMentioned),
    }
}

fn replies_notify(me: &Recipient<'_>, channel: &ChannelFacts<'_>, post: &PostFacts<'_>) -> bool {
    let Some(thread) = post.thread else {
        return false;
    };
    if thread.collapsed_threads {
        let level = match channel.member_props.push_threads.as_str() {
            "" | "default" => me
                .notify_props
                .get("push_threads")
                .map(String::as_str)
                .filter(|l| !l.is_empty())
                .unwrap_or("all"),
            explicit => explicit,
        };
        return thread.recipient_took_part && level == "all";
    }
    match me.notify_props.get("comments").map(String::as_str) {
        Some("root") => thread.started_by_recipient,
        Some("any") => thread.recipient_took_part,
        _ => false,
    }
}

fn mention_of(me: &Recipient<'_>, channel: &ChannelFacts<'_>, post: &PostFacts<'_>) -> Mention {
    if post
        .server_mentions
        .is_some_and(|ids| ids.iter().any(|id| id == me.user_id))
    {
        return Mention::Explicit;
    }
    let channel_wide_allowed = channel.member_props.ignore_channel_mentions != "on"
        && (me.notify_props.get("channel").map(String::as_str) != Some("false")
            || channel.member_props.ignore_channel_mentions == "off");
    let online = me.status == Some("online");
    mentions(
        post.message,
        &mention_keys(me),
        channel_wide_allowed,
        online,
    )
}

/// The words that mention the recipient, lowercased.
pub fn mention_keys(me: &Recipient<'_>) -> Vec<String> {
    let mut keys = Vec::new();
    if !me.username.is_empty() {
        keys.push(format!("@{}", me.username.to_lowercase()));
    }
    if me.notify_props.get("first_name").map(String::as_str) == Some("true")
        && !me.first_name.trim().is_empty()
    {
        keys.push(me.first_name.trim().to_lowercase());
    }
    if let Some(custom) = me.notify_props.get("mention_keys") {
        for key in custom.split(',') {
            let key = key.trim().to_lowercase();
            if !key.is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys
}

/// Mention everyone in the channel; `@here` only those online.
const CHANNEL_WIDE: [&str; 2] = ["@channel", "@all"];
const HERE: &str = "@here";

/// How `message` mentions someone with `keys` (lowercased). Matching is
/// case-insensitive and on word boundaries: "@anna." and "**@anna**"
/// mention anna, "@annabell" and "@anna.schmidt" do not. Code (fenced,
/// indented or inline) mentions nobody, as on the server. `@here` counts
/// only for a recipient who is `online`.
pub fn mentions(
    message: &str,
    keys: &[String],
    channel_wide_allowed: bool,
    online: bool,
) -> Mention {
    let text = prose_of(message).to_lowercase();
    if keys.iter().any(|k| contains_word(&text, k)) {
        return Mention::Explicit;
    }
    let channel_wide = CHANNEL_WIDE.iter().any(|k| contains_word(&text, k))
        || (online && contains_word(&text, HERE));
    if channel_wide_allowed && channel_wide {
        return Mention::ChannelWide;
    }
    Mention::None
}

/// The text of a message without its code: what people wrote as prose.
/// Pieces of one paragraph join without a gap (Markdown splits text at
/// `_` and `*`), blocks and line breaks become line breaks.
fn prose_of(message: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut prose = String::with_capacity(message.len());
    let mut in_code_block = false;
    for event in Parser::new(message) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(text) if !in_code_block => prose.push_str(&text),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => prose.push('\n'),
            // Inline code, HTML and the rest mention nobody; a space keeps
            // the words around them apart.
            Event::Code(_) => prose.push(' '),
            _ => {}
        }
    }
    prose
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn contains_word(text: &str, key: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(key) {
        let start = from + found;
        let end = start + key.len();
        let before_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(is_word_char(c) || c == '@' || c == '.'));
        let mut after = text[end..].chars();
        let after_ok = match after.next() {
            None => true,
            // A dot ends a sentence unless a name goes on after it.
            Some('.') => !after.next().is_some_and(is_word_char),
            Some(c) => !is_word_char(c) && c != '@',
        };
        if before_ok && after_ok {
            return true;
        }
        from = start + key.chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        name: &'static str,
        kind: ChannelType,
        /// (key, value) pairs of the user's notify props.
        user: &'static [(&'static str, &'static str)],
        /// channel member props: push, mark_unread, ignore_channel_mentions
        member: (&'static str, &'static str, &'static str),
        status: Option<&'static str>,
        author: &'static str,
        message: &'static str,
        post_type: &'static str,
        thread: Option<ThreadFacts>,
        server_mentions: Option<&'static [&'static str]>,
        pushed: bool,
        expected: Verdict,
    }

    const ME: &str = "me";
    const OTHER: &str = "other";

    fn base(name: &'static str, expected: Verdict) -> Case {
        Case {
            name,
            kind: ChannelType::Open,
            user: &[("push", "mention"), ("channel", "true")],
            member: ("default", "all", "default"),
            status: Some("offline"),
            author: OTHER,
            message: "Hallo zusammen",
            post_type: "",
            thread: None,
            server_mentions: None,
            pushed: false,
            expected,
        }
    }

    fn run(case: &Case) -> Verdict {
        let props: StringMap = case
            .user
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let me = Recipient {
            user_id: ME,
            username: "anna.schmidt",
            first_name: "Anna",
            notify_props: &props,
            status: case.status,
        };
        let member_props = ChannelNotifyProps {
            push: case.member.0.into(),
            mark_unread: case.member.1.into(),
            ignore_channel_mentions: case.member.2.into(),
            ..ChannelNotifyProps::default()
        };
        let server_mentions: Option<Vec<String>> = case
            .server_mentions
            .map(|ids| ids.iter().map(|s| s.to_string()).collect());
        decide(
            &me,
            &ChannelFacts {
                kind: &case.kind,
                member_props: &member_props,
            },
            &PostFacts {
                author_id: case.author,
                message: case.message,
                post_type: case.post_type,
                deleted: false,
                thread: case.thread,
                server_mentions: server_mentions.as_deref(),
                pushed_by_server: case.pushed,
            },
        )
    }

    #[test]
    fn the_rules_table() {
        use NotifyReason::*;
        use SilentReason::*;
        let n = Verdict::Notify;
        let s = Verdict::Silent;
        let cases = vec![
            Case {
                kind: ChannelType::Direct,
                ..base("a direct message notifies", n(DirectMessage))
            },
            Case {
                kind: ChannelType::Group,
                ..base("a group message notifies at level mention", n(AllMessages))
            },
            Case {
                kind: ChannelType::Group,
                user: &[("push", "none")],
                ..base("a group message at level none is silent", s(LevelNone))
            },
            Case {
                kind: ChannelType::Direct,
                author: ME,
                ..base("own posts never notify, not even in a DM", s(OwnPost))
            },
            Case {
                kind: ChannelType::Direct,
                status: Some("dnd"),
                ..base("do not disturb silences a DM", s(DoNotDisturb))
            },
            Case {
                status: Some("ooo"),
                message: "@anna.schmidt bitte",
                ..base("out of office silences a mention", s(DoNotDisturb))
            },
            Case {
                kind: ChannelType::Direct,
                member: ("default", "mention", "default"),
                ..base("a muted DM is silent", s(MutedChannel))
            },
            Case {
                member: ("all", "mention", "default"),
                message: "@anna.schmidt schau mal",
                ..base(
                    "a muted channel is silent even for a mention",
                    s(MutedChannel),
                )
            },
            base(
                "a plain channel message at level mention is silent",
                s(NotMentioned),
            ),
            Case {
                message: "@anna.schmidt schau mal",
                ..base("@username notifies", n(Mention))
            },
            Case {
                message: "Danke, **@Anna.Schmidt**!",
                ..base("@username in markdown and any case notifies", n(Mention))
            },
            Case {
                message: "frag @anna.schmidt.",
                ..base("a sentence dot after the name still mentions", n(Mention))
            },
            Case {
                message: "@anna.schmidtke kommt",
                ..base("a longer username is someone else", s(NotMentioned))
            },
            Case {
                message: "mail an x@anna.schmidt",
                ..base("an address is no mention", s(NotMentioned))
            },
            Case {
                message: "@channel Elternabend",
                ..base("@channel notifies", n(ChannelWideMention))
            },
            Case {
                message: "@all: Ausfall",
                ..base("@all notifies", n(ChannelWideMention))
            },
            Case {
                message: "@here wer ist da?",
                status: Some("online"),
                ..base("@here notifies someone online", n(ChannelWideMention))
            },
            Case {
                message: "@here wer ist da?",
                status: Some("away"),
                ..base("@here does not notify someone away", s(NotMentioned))
            },
            Case {
                message: "@here wer ist da?",
                ..base("@here does not notify someone offline", s(NotMentioned))
            },
            Case {
                message: "```\n@anna.schmidt @channel\n```",
                ..base(
                    "mentions inside a code block notify nobody",
                    s(NotMentioned),
                )
            },
            Case {
                message: "Tippe `@anna.schmidt` ein",
                ..base("a mention in inline code notifies nobody", s(NotMentioned))
            },
            Case {
                user: &[("push", "mention"), ("channel", "false")],
                message: "@channel Elternabend",
                ..base(
                    "channel-wide mentions turned off by the user",
                    s(NotMentioned),
                )
            },
            Case {
                member: ("default", "all", "on"),
                message: "@all Ausfall",
                ..base(
                    "channel-wide mentions ignored in this channel",
                    s(NotMentioned),
                )
            },
            Case {
                user: &[("push", "mention"), ("channel", "false")],
                member: ("default", "all", "off"),
                message: "@all Pause",
                ..base(
                    "the channel turns channel-wide mentions back on",
                    n(ChannelWideMention),
                )
            },
            Case {
                message: "Anna, hast du Zeit?",
                ..base(
                    "the first name does not count unless enabled",
                    s(NotMentioned),
                )
            },
            Case {
                user: &[("push", "mention"), ("first_name", "true")],
                message: "anna, hast du Zeit?",
                ..base("the first name counts when enabled", n(Mention))
            },
            Case {
                user: &[("push", "mention"), ("first_name", "true")],
                message: "Annas Heft liegt hier",
                ..base(
                    "the first name inside another word does not count",
                    s(NotMentioned),
                )
            },
            Case {
                user: &[
                    ("push", "mention"),
                    ("mention_keys", "Mathe-AG, frau schmidt"),
                ],
                message: "Treffen der mathe-ag heute",
                ..base("a custom key notifies", n(Mention))
            },
            Case {
                user: &[
                    ("push", "mention"),
                    ("mention_keys", "Mathe-AG, frau schmidt"),
                ],
                message: "Bitte an Frau Schmidt wenden",
                ..base("a custom key with a space notifies", n(Mention))
            },
            Case {
                user: &[("push", "all")],
                ..base("level all notifies every message", n(AllMessages))
            },
            Case {
                user: &[("push", "all")],
                member: ("mention", "all", "default"),
                ..base("the channel's level overrides the user's", s(NotMentioned))
            },
            Case {
                member: ("all", "all", "default"),
                ..base(
                    "the channel's level all overrides the user's mention",
                    n(AllMessages),
                )
            },
            Case {
                member: ("none", "all", "default"),
                message: "@anna.schmidt",
                ..base("the channel's level none silences mentions", s(LevelNone))
            },
            Case {
                user: &[("push", "none")],
                kind: ChannelType::Direct,
                ..base("the user's level none silences DMs too", s(LevelNone))
            },
            Case {
                post_type: "system_join_channel",
                user: &[("push", "all")],
                ..base("system messages are silent", s(SystemMessage))
            },
            Case {
                server_mentions: Some(&["someone", ME]),
                ..base("the server's mention list counts", n(Mention))
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: true,
                    recipient_took_part: true,
                    collapsed_threads: false,
                }),
                user: &[("push", "mention"), ("comments", "root")],
                ..base(
                    "a reply in my thread notifies with comments=root",
                    n(ThreadReply),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: false,
                    recipient_took_part: true,
                    collapsed_threads: false,
                }),
                user: &[("push", "mention"), ("comments", "root")],
                ..base(
                    "comments=root ignores threads I only replied in",
                    s(NotMentioned),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: false,
                    recipient_took_part: true,
                    collapsed_threads: false,
                }),
                user: &[("push", "mention"), ("comments", "any")],
                ..base("comments=any covers threads I replied in", n(ThreadReply))
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: true,
                    recipient_took_part: true,
                    collapsed_threads: false,
                }),
                user: &[("push", "mention"), ("comments", "never")],
                ..base("comments=never ignores replies", s(NotMentioned))
            },
            Case {
                pushed: true,
                message: "@klasse-7b Wandertag",
                ..base("a push the rules cannot explain is shown", n(ServerDecided))
            },
            Case {
                pushed: true,
                member: ("default", "mention", "default"),
                ..base("a push for a muted channel is not", s(MutedChannel))
            },
            Case {
                pushed: true,
                user: &[("push", "none")],
                ..base("a push after the level went to none is not", s(LevelNone))
            },
            Case {
                pushed: true,
                status: Some("dnd"),
                ..base("a push during do not disturb is not", s(DoNotDisturb))
            },
            Case {
                pushed: true,
                author: ME,
                ..base("a push of my own post is not", s(OwnPost))
            },
            Case {
                user: &[],
                message: "@anna.schmidt",
                ..base("missing user props default to mention", n(Mention))
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: false,
                    recipient_took_part: true,
                    collapsed_threads: true,
                }),
                ..base(
                    "collapsed threads: a followed thread notifies by default",
                    n(ThreadReply),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: false,
                    recipient_took_part: false,
                    collapsed_threads: true,
                }),
                ..base(
                    "collapsed threads: a thread I do not follow is silent",
                    s(NotMentioned),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: true,
                    recipient_took_part: true,
                    collapsed_threads: true,
                }),
                user: &[("push", "mention"), ("push_threads", "mention")],
                ..base(
                    "collapsed threads: thread level mention needs a mention",
                    s(NotMentioned),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: true,
                    recipient_took_part: true,
                    collapsed_threads: true,
                }),
                user: &[("push", "mention"), ("push_threads", "mention")],
                message: "@anna.schmidt siehe oben",
                ..base(
                    "collapsed threads: a mention in a thread notifies",
                    n(Mention),
                )
            },
            Case {
                thread: Some(ThreadFacts {
                    started_by_recipient: true,
                    recipient_took_part: true,
                    collapsed_threads: true,
                }),
                user: &[("push", "none"), ("push_threads", "all")],
                ..base(
                    "collapsed threads: level none silences threads too",
                    s(LevelNone),
                )
            },
        ];
        for case in &cases {
            assert_eq!(run(case), case.expected, "{}", case.name);
        }
    }

    #[test]
    fn deleted_posts_are_silent() {
        let props = StringMap::new();
        let me = Recipient {
            user_id: ME,
            username: "anna",
            first_name: "",
            notify_props: &props,
            status: None,
        };
        let verdict = decide(
            &me,
            &ChannelFacts {
                kind: &ChannelType::Direct,
                member_props: &ChannelNotifyProps::default(),
            },
            &PostFacts {
                author_id: OTHER,
                message: "x",
                post_type: "",
                deleted: true,
                thread: None,
                server_mentions: None,
                pushed_by_server: true,
            },
        );
        assert_eq!(verdict, Verdict::Silent(SilentReason::Deleted));
    }

    #[test]
    fn word_boundaries() {
        let keys = vec!["@anna".to_string(), "ünal".to_string()];
        assert_eq!(mentions("(@anna)", &keys, false, true), Mention::Explicit);
        assert_eq!(mentions("@anna_b", &keys, false, true), Mention::None);
        assert_eq!(mentions("@anna-b", &keys, false, true), Mention::None);
        assert_eq!(mentions("@@anna", &keys, false, true), Mention::None);
        assert_eq!(
            mentions("Grüße an Ünal!", &keys, false, true),
            Mention::Explicit
        );
        assert_eq!(mentions("Tünal", &keys, false, true), Mention::None);
        assert_eq!(mentions("x @anna", &keys, false, true), Mention::Explicit);
        assert_eq!(mentions("@channel", &keys, false, true), Mention::None);
        assert_eq!(mentions("", &keys, true, true), Mention::None);
        assert_eq!(
            mentions("@anna @channel", &keys, true, true),
            Mention::Explicit
        );
        assert_eq!(
            mentions("**@anna**_", &keys, false, true),
            Mention::Explicit
        );
        assert_eq!(
            mentions("> @anna zitiert", &keys, false, true),
            Mention::Explicit
        );
        assert_eq!(
            mentions("    @anna eingerückt", &keys, false, true),
            Mention::None
        );
        assert_eq!(
            mentions("`@anna`@anna", &keys, false, true),
            Mention::Explicit
        );
        assert_eq!(mentions("@here", &keys, true, false), Mention::None);
        assert_eq!(mentions("@here", &keys, true, true), Mention::ChannelWide);
    }
}
