//! Timeline items driven through `Client` against the test server: day
//! separators in the user's time zone, grouping, system posts as
//! sentences, the new-messages line, Markdown trees, send states,
//! backwards pagination from the server, and diffs that turn the last
//! delivered items into the current ones.

mod common;

use std::time::Duration;

use common::device;
use common::within;
use pausenhof_core::markdown::{Block, Inline};
use pausenhof_core::observe::{Diffable, Subscription, Update};
use pausenhof_core::reads::OlderPosts;
use pausenhof_core::texts::Locale;
use pausenhof_core::timeline::{
    PostItem, SendStatus, Target, TimelineItemKind, TimelineItems, TimelineOptions,
};
use pausenhof_core::Timeline;
use pausenhof_testserver::{Role, ServerConfig, TestServer};

const REACH: Duration = Duration::from_secs(20);
const MINUTE: i64 = 60_000;

fn posts(items: &TimelineItems) -> Vec<&PostItem> {
    items
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::Post(p) => Some(&**p),
            _ => None,
        })
        .collect()
}

fn post_with<'a>(items: &'a TimelineItems, text: &str) -> &'a PostItem {
    posts(items)
        .into_iter()
        .find(|p| p.plain_text.contains(text))
        .unwrap_or_else(|| panic!("no post with {text:?} in {:#?}", items.items))
}

fn options(page_size: usize) -> TimelineOptions {
    TimelineOptions {
        time_zone: Some("Europe/Berlin".into()),
        locale: Locale::German,
        page_size,
    }
}

/// 09:00 Berlin time `days` ago, plus `minutes`: the Berlin day, so that
/// "Gestern" and "Heute" hold at any hour of the run.
fn days_ago(days: i64, minutes: i64) -> i64 {
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let today = jiff::Timestamp::now().to_zoned(berlin).date();
    let day = today
        .checked_sub(jiff::Span::new().days(days))
        .unwrap()
        .at(9, 0, 0, 0)
        .in_tz("Europe/Berlin")
        .unwrap();
    day.timestamp().as_millisecond() + minutes * MINUTE
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_reads_as_items_and_changes_arrive_as_diffs() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let teacher = server.account(Role::Teacher);
    let (_t_dir, t) = device(&server, &teacher).await;
    let team = t.teams().await.unwrap()[0].id.clone();
    let team_name = t.teams().await.unwrap()[0].name.clone();
    server.add_to_team(&me.user_id, &team_name).unwrap();
    let channel = t
        .create_channel(&team, "Zeitleiste", false, "")
        .await
        .unwrap()
        .id;
    // Two days ago two posts four minutes apart (grouped), yesterday one.
    server.post_as_at(&teacher.user_id, &channel, "Guten Morgen", days_ago(2, 0));
    server.post_as_at(
        &teacher.user_id,
        &channel,
        "Wer hat die **Hausaufgaben**? :thumbsup:",
        days_ago(2, 4),
    );
    server.post_as_at(
        &teacher.user_id,
        &channel,
        "> Zitat von gestern",
        days_ago(1, 0),
    );

    let (_dir, client) = device(&server, &me).await;
    client.join_channel(&channel).await.unwrap();
    // After the visit began: these are new.
    server.post_as(
        &teacher.user_id,
        &channel,
        &format!("@{} bitte lesen", me.username),
    );
    client.sync().await.unwrap();

    let timeline = client
        .open_timeline(
            Target::Channel {
                channel_id: channel.clone(),
            },
            options(50),
        )
        .await
        .unwrap();
    // The channel was never opened: its posts come from the server.
    if timeline.items().await.unwrap().never_loaded {
        timeline.paginate_backwards().await.unwrap();
    }
    let mut subscription = timeline.subscribe().unwrap();
    let Some(Ok(Update::Snapshot(mut items))) = within(REACH, subscription.next()).await else {
        panic!("no snapshot");
    };

    let days: Vec<(i8, String)> = items
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::DaySeparator(d) => Some((d.day, d.label.clone())),
            _ => None,
        })
        .collect();
    assert!(days.len() >= 3, "{days:?}");
    assert!(days.iter().any(|(_, label)| label == "Gestern"), "{days:?}");
    assert!(days.iter().any(|(_, label)| label == "Heute"), "{days:?}");

    let morning = post_with(&items, "Guten Morgen");
    let homework = post_with(&items, "Hausaufgaben");
    assert!(!morning.grouped);
    assert!(homework.grouped, "four minutes after the same author");
    assert_eq!(homework.plain_text, "Wer hat die Hausaufgaben? 👍");
    let [Block::Paragraph { inlines }] = homework.text.blocks.as_slice() else {
        panic!("{:?}", homework.text)
    };
    assert!(inlines.iter().any(|i| matches!(i, Inline::Strong { .. })));
    assert!(matches!(
        post_with(&items, "Zitat").text.blocks.as_slice(),
        [Block::Quote { .. }]
    ));

    let sentences: Vec<&str> = items
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            TimelineItemKind::System(s) => Some(s.text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        sentences
            .iter()
            .any(|s| s.ends_with("ist dem Kanal beigetreten.")),
        "{sentences:?}"
    );

    let ids: Vec<&str> = items.items.iter().map(|i| i.id.as_str()).collect();
    let line = ids
        .iter()
        .position(|id| *id == "new-messages")
        .expect("a new-messages line");
    let mention = ids
        .iter()
        .position(|id| *id == post_with(&items, "bitte lesen").post_id)
        .unwrap();
    assert!(line < mention);
    assert!(post_with(&items, "bitte lesen").mentions_me);

    // Marking the channel read keeps the line where the visit began.
    client.mark_channel_viewed(&channel).await.unwrap();

    // My own post shows at once as pending (no worker runs), and a
    // reaction shows as mine.
    client
        .send_post(&channel, "", "Ich schaue nach")
        .await
        .unwrap();
    let homework_id = homework.post_id.clone();
    client.add_reaction(&homework_id, "smile").await.unwrap();
    let current = timeline.items().await.unwrap();
    let mine = post_with(&current, "Ich schaue nach");
    assert!(mine.mine);
    assert_eq!(mine.send_state, SendStatus::Pending);
    let reacted = post_with(&current, "Hausaufgaben");
    assert!(reacted
        .reactions
        .iter()
        .any(|r| r.emoji_name == "smile" && r.mine));
    assert!(current.items.iter().any(|i| i.id == "new-messages"));

    // The diffs delivered meanwhile turn the snapshot into the items now.
    follow_diffs(&mut items, &mut subscription, &timeline).await;
}

/// Applies delivered diffs until `items` equals what the timeline reads.
async fn follow_diffs(
    items: &mut TimelineItems,
    subscription: &mut Subscription<TimelineItems>,
    timeline: &Timeline,
) {
    while *items != timeline.items().await.unwrap() {
        match within(REACH, subscription.next()).await {
            Some(Ok(Update::Diff(diff))) => items.apply(diff).unwrap(),
            other => panic!("expected a diff, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_backwards_reaches_the_start_without_gaps_or_repeats() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap()[0].id.clone();
    let channel = client
        .create_channel(&team, "Viele Nachrichten", false, "")
        .await
        .unwrap()
        .id;
    for n in 0..75 {
        server.post_as_at(
            &me.user_id,
            &channel,
            &format!("Nachricht {n}"),
            days_ago(3, n * 7),
        );
    }
    let timeline = client
        .open_timeline(
            Target::Channel {
                channel_id: channel.clone(),
            },
            options(20),
        )
        .await
        .unwrap();
    let mut subscription = timeline.subscribe().unwrap();
    let Some(Ok(Update::Snapshot(mut items))) = within(REACH, subscription.next()).await else {
        panic!("no snapshot");
    };
    let mut pages = 0;
    let mut fetched = 0;
    loop {
        let outcome = timeline.paginate_backwards().await.unwrap();
        fetched += outcome.fetched;
        // Each page arrives as a diff.
        follow_diffs(&mut items, &mut subscription, &timeline).await;
        pages += 1;
        if outcome.reached_start {
            break;
        }
        assert!(pages < 20, "never reached the start");
    }
    assert_eq!(items.older, OlderPosts::None);
    assert!(fetched >= 75, "the posts came from the server: {fetched}");
    assert!(pages > 2, "in several pages: {pages}");
    let texts: Vec<String> = posts(&items)
        .iter()
        .map(|p| p.plain_text.clone())
        .filter(|t| t.starts_with("Nachricht "))
        .collect();
    let expected: Vec<String> = (0..75).map(|n| format!("Nachricht {n}")).collect();
    assert_eq!(texts, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_reads_as_items_and_its_root_names_who_replied() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let me = server.account(Role::Student);
    let (_dir, client) = device(&server, &me).await;
    let team = client.teams().await.unwrap()[0].id.clone();
    let channel = client
        .create_channel(&team, "Fragen", false, "")
        .await
        .unwrap()
        .id;
    let root = server.post_as(&me.user_id, &channel, "Frage zu **Aufgabe 3**");
    let root_id = root["id"].as_str().unwrap().to_owned();
    server
        .reply_as(&me.user_id, &root_id, "Antwort eins")
        .unwrap();
    server
        .reply_as(&me.user_id, &root_id, "Antwort zwei")
        .unwrap();
    client.sync().await.unwrap();

    let channel_items = client
        .open_timeline(
            Target::Channel {
                channel_id: channel.clone(),
            },
            options(50),
        )
        .await
        .unwrap()
        .items()
        .await
        .unwrap();
    let summary = post_with(&channel_items, "Aufgabe 3")
        .thread
        .clone()
        .expect("a thread summary on the root");
    assert_eq!(summary.reply_count, 2);
    assert_eq!(summary.participants.len(), 1);
    assert_eq!(summary.participants[0].user_id, me.user_id);
    assert!(summary.last_reply_at > 0);

    let thread = client
        .open_timeline(
            Target::Thread {
                root_id: root_id.clone(),
            },
            options(50),
        )
        .await
        .unwrap();
    let outcome = thread.paginate_backwards().await.unwrap();
    assert!(outcome.reached_start);
    let items = thread.items().await.unwrap();
    assert_eq!(items.older, OlderPosts::None);
    let texts: Vec<(&str, bool)> = posts(&items)
        .iter()
        .map(|p| (p.plain_text.as_str(), p.grouped))
        .collect();
    assert_eq!(
        texts,
        [
            ("Frage zu Aufgabe 3", false),
            // A reply does not continue the root; the second continues the first.
            ("Antwort eins", false),
            ("Antwort zwei", true),
        ]
    );
    assert!(matches!(
        items.items[0].kind,
        TimelineItemKind::DaySeparator(_)
    ));
    assert!(!items.items.iter().any(|i| i.id == "new-messages"));
}
