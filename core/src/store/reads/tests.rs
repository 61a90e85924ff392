use super::*;
use crate::model::{
    Preference, Reaction, SidebarCategory, SidebarCategoryList, SidebarCategoryType,
};
use crate::store::fixtures::{channel, member, post, store, team, team_member, user, ME};
use crate::store::{AccountKey, Store};

fn pref(category: &str, name: &str, value: &str) -> Preference {
    Preference {
        user_id: ME.into(),
        category: category.into(),
        name: name.into(),
        value: value.into(),
    }
}

/// A school: one team with two channels, a direct message with Anna and a
/// group message with Anna and Ben.
fn school() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    store
        .write_blocking(|w| {
            w.upsert_users(&[
                user("anna", "anna.s", "Anna", "Schmidt"),
                user("ben", "ben.k", "Ben", "König"),
            ])?;
            w.upsert_teams(&[team("t1", "Klasse 7b"), team("t2", "Lehrerzimmer")])?;
            w.upsert_team_members(&[team_member("t1"), team_member("t2")])?;
            let mut mathe = channel("mathe", "t1", "O", "mathe", "Mathe");
            mathe.total_msg_count = 10;
            mathe.total_msg_count_root = 6;
            mathe.last_post_at = 500;
            let mut bio = channel("bio", "t1", "P", "bio", "Biologie");
            bio.total_msg_count = 3;
            bio.total_msg_count_root = 3;
            let mut dm = channel("dm", "", "D", "anna__me", "");
            dm.last_post_at = 900;
            dm.total_msg_count = 2;
            let mut gm = channel("gm", "", "G", "gm", "anna.s, ben.k, ich");
            gm.last_post_at = 800;
            let other_team = channel("other", "t2", "O", "konferenz", "Konferenz");
            w.upsert_channels(&[mathe, bio, dm, gm, other_team])?;
            let mut muted_bio = member("bio", 0, 0);
            muted_bio.notify_props.mark_unread = "mention".into();
            let mut mathe_member = member("mathe", 7, 1);
            mathe_member.msg_count_root = 5;
            mathe_member.mention_count_root = 0;
            w.upsert_channel_members(&[
                mathe_member,
                muted_bio,
                member("dm", 2, 0),
                member("gm", 0, 0),
                member("other", 0, 0),
            ])
        })
        .unwrap();
    (dir, store)
}

fn list(store: &Store, team: &str) -> Vec<SidebarSection> {
    let team = team.to_owned();
    store
        .read_blocking(move |c| channel_list(c, &team))
        .unwrap()
}

fn names(section: &SidebarSection) -> Vec<&str> {
    section
        .channels
        .iter()
        .map(|c| c.display_name.as_str())
        .collect()
}

#[test]
fn channel_list_without_categories_groups_and_names_channels() {
    let (_d, store) = school();
    let sections = list(&store, "t1");
    let kinds: Vec<_> = sections.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SectionKind::Channels, SectionKind::DirectMessages]);
    assert_eq!(names(&sections[0]), ["Biologie", "Mathe"]);
    // Direct message: the other person's full name; group: the others'.
    assert_eq!(
        names(&sections[1]),
        ["Anna Schmidt", "Anna Schmidt, Ben König"]
    );
    assert_eq!(
        sections[1].channels[0].other_user_id.as_deref(),
        Some("anna")
    );

    let mathe = &sections[0].channels[1];
    assert_eq!((mathe.unread_count, mathe.mention_count), (3, 1));
    assert!(mathe.is_unread() && !mathe.muted);
    let bio = &sections[0].channels[0];
    assert!(bio.muted);
    assert_eq!(bio.unread_count, 3);
    assert!(
        !bio.is_unread(),
        "muted channels show unread only for mentions"
    );
    // Another team's channel is not listed, direct messages are.
    let other = list(&store, "t2");
    assert_eq!(names(&other[0]), ["Konferenz"]);
    assert_eq!(other[1].channels.len(), 2);
}

#[test]
fn collapsed_threads_use_root_counts() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            w.set_account_value(AccountKey::CollapsedThreadsConfig, "default_off")?;
            w.upsert_preferences(&[pref("display_settings", "collapsed_reply_threads", "on")])
        })
        .unwrap();
    let sections = list(&store, "t1");
    let mathe = &sections[0].channels[1];
    assert_eq!((mathe.unread_count, mathe.mention_count), (1, 0));
}

#[test]
fn favorites_from_preferences_and_hidden_direct_messages() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            w.upsert_preferences(&[
                pref("favorite_channel", "mathe", "true"),
                pref("favorite_channel", "bio", "false"),
                pref("direct_channel_show", "anna", "false"),
            ])
        })
        .unwrap();
    let sections = list(&store, "t1");
    assert_eq!(sections[0].kind, SectionKind::Favorites);
    assert_eq!(names(&sections[0]), ["Mathe"]);
    assert_eq!(names(&sections[1]), ["Biologie"]);
    assert_eq!(names(&sections[2]), ["Anna Schmidt, Ben König"]);
}

#[test]
fn sidebar_categories_decide_grouping_and_order() {
    let (_d, store) = school();
    let category = |id: &str, kind, name: &str, sorting: &str, channels: &[&str]| SidebarCategory {
        id: id.into(),
        team_id: "t1".into(),
        category_type: kind,
        display_name: name.into(),
        sorting: sorting.into(),
        channel_ids: channels.iter().map(|c| c.to_string()).collect(),
        ..SidebarCategory::default()
    };
    let categories = SidebarCategoryList {
        categories: vec![
            category("fav", SidebarCategoryType::Favorites, "Favoriten", "", &[]),
            category(
                "own",
                SidebarCategoryType::Custom,
                "Fächer",
                "manual",
                &["mathe", "bio"],
            ),
            category("ch", SidebarCategoryType::Channels, "Kanäle", "alpha", &[]),
            category(
                "dms",
                SidebarCategoryType::DirectMessages,
                "Direkt",
                "",
                &["gm"],
            ),
        ],
        order: vec!["own".into(), "fav".into(), "ch".into(), "dms".into()],
    };
    store
        .write_blocking(move |w| w.replace_sidebar_categories("t1", &categories))
        .unwrap();
    let sections = list(&store, "t1");
    let titles: Vec<_> = sections.iter().map(|s| s.name.as_str()).collect();
    // Empty favorites are hidden; the custom category keeps manual order;
    // the direct message missing from its category is still listed, most
    // recent first.
    assert_eq!(titles, ["Fächer", "Kanäle", "Direkt"]);
    assert_eq!(names(&sections[0]), ["Mathe", "Biologie"]);
    assert!(sections[1].channels.is_empty());
    assert_eq!(
        names(&sections[2]),
        ["Anna Schmidt", "Anna Schmidt, Ben König"]
    );
    assert_eq!(sections[0].category_id.as_deref(), Some("own"));
}

#[test]
fn teams_report_unread_and_mentions() {
    let (_d, store) = school();
    let teams = store.read_blocking(teams).unwrap();
    let summary: Vec<_> = teams
        .iter()
        .map(|t| (t.display_name.as_str(), t.has_unread, t.mention_count))
        .collect();
    assert_eq!(
        summary,
        [("Klasse 7b", true, 1), ("Lehrerzimmer", false, 0)]
    );
}

fn window(store: &Store, channel: &str, limit: usize, before: Option<&str>) -> TimelineWindow {
    let channel = channel.to_owned();
    let before = before.map(str::to_owned);
    store
        .read_blocking(move |c| timeline(c, &channel, limit, before.as_deref()))
        .unwrap()
}

#[test]
fn timeline_shows_the_newest_range_with_authors_reactions_and_flags() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            let mut edited = post("p2", "mathe", "anna", 200, "korrigiert");
            edited.edit_at = 250;
            edited.update_at = 250;
            let mut liked = post("p3", "mathe", "ben", 300, "Danke");
            liked.metadata.reactions = ["anna", ME]
                .iter()
                .map(|u| Reaction {
                    user_id: u.to_string(),
                    post_id: "p3".into(),
                    emoji_name: "+1".into(),
                    ..Reaction::default()
                })
                .collect();
            liked.reply_count = 1;
            let mut reply = post("p4", "mathe", "stranger", 400, "Antwort");
            reply.root_id = "p3".into();
            w.upsert_posts(&[post("p1", "mathe", ME, 100, "Hallo"), edited, liked, reply])?;
            w.record_range("mathe", 100, 400, true)?;
            Ok(())
        })
        .unwrap();
    let win = window(&store, "mathe", 10, None);
    let ids: Vec<_> = win.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4"]);
    assert_eq!(win.older, OlderPosts::None);
    assert!(
        win.newer_missing,
        "channel last_post_at 500 > range end 400"
    );
    assert_eq!(win.posts[1].author_name, "Anna Schmidt");
    assert!(win.posts[1].edited);
    assert_eq!(
        win.posts[3].author_name, "stranger",
        "unknown author shows the id"
    );
    let reactions = &win.posts[2].reactions;
    assert_eq!(reactions.len(), 1);
    assert_eq!((reactions[0].count, reactions[0].mine), (2, true));
    assert_eq!(win.posts[2].reply_count, 1);

    // A smaller window says more is cached; paging back continues it.
    let newest = window(&store, "mathe", 2, None);
    assert_eq!(newest.older, OlderPosts::Cached);
    let older = window(&store, "mathe", 2, Some(&newest.posts[0].id));
    let ids: Vec<_> = older.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    assert_eq!(older.older, OlderPosts::None);

    // Collapsed threads: replies leave the channel timeline.
    store
        .write_blocking(|w| w.set_account_value(AccountKey::CollapsedThreadsConfig, "always_on"))
        .unwrap();
    assert_eq!(window(&store, "mathe", 10, None).posts.len(), 3);
}

#[test]
fn timeline_reports_gaps_and_never_shows_them_as_complete() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            w.upsert_posts(&[
                post("old1", "mathe", "anna", 100, "alt"),
                post("old2", "mathe", "anna", 110, "alt"),
                post("new1", "mathe", "anna", 480, "neu"),
                post("new2", "mathe", "anna", 500, "neu"),
            ])?;
            w.record_range("mathe", 100, 110, false)?;
            w.record_range("mathe", 480, 500, false)?;
            Ok(())
        })
        .unwrap();
    let win = window(&store, "mathe", 10, None);
    let ids: Vec<_> = win.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["new1", "new2"], "posts beyond the gap are not shown");
    assert_eq!(win.older, OlderPosts::Gap);
    assert!(!win.newer_missing);

    // Filling the gap merges the ranges.
    store
        .write_blocking(|w| {
            w.upsert_posts(&[post("mid", "mathe", "anna", 300, "mitte")])?;
            w.record_range("mathe", 110, 480, false)?;
            Ok(())
        })
        .unwrap();
    let win = window(&store, "mathe", 10, None);
    assert_eq!(win.posts.len(), 5);
    assert_eq!(win.older, OlderPosts::OnServer);

    let unknown = window(&store, "bio", 10, None);
    assert!(unknown.never_loaded && unknown.posts.is_empty());
    assert_eq!(unknown.older, OlderPosts::OnServer);
}

#[test]
fn thread_lists_replies_and_knows_when_it_is_complete() {
    let (_d, store) = school();
    let mut root = post("root", "mathe", "anna", 100, "Frage");
    root.reply_count = 2;
    let reply = |id: &str, at| {
        let mut p = post(id, "mathe", "ben", at, "Antwort");
        p.root_id = "root".into();
        p
    };
    store
        .write_blocking(move |w| w.upsert_posts(&[root, reply("r2", 300)]))
        .unwrap();
    let t = store.read_blocking(|c| thread(c, "root")).unwrap();
    assert_eq!(t.root.as_ref().unwrap().author_name, "Anna Schmidt");
    assert_eq!(t.replies.len(), 1);
    assert!(!t.complete);
    store
        .write_blocking(move |w| w.upsert_posts(&[reply("r1", 200)]))
        .unwrap();
    let t = store.read_blocking(|c| thread(c, "root")).unwrap();
    let ids: Vec<_> = t.replies.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    assert!(t.complete);
    let missing = store.read_blocking(|c| thread(c, "nope")).unwrap();
    assert!(missing.root.is_none() && !missing.complete);
}

fn search(store: &Store, terms: &str, team: Option<&str>) -> Vec<String> {
    let query = crate::search::SearchQuery::parse(terms)
        .unwrap()
        .with_last_word_as_prefix();
    let (since, until) = query.time_window(&jiff::tz::TimeZone::UTC);
    let scope = SearchScope {
        team_id: team.map(str::to_owned),
        since,
        until,
    };
    store
        .read_blocking(move |c| search_posts(c, &query, &scope, 20))
        .unwrap()
        .into_iter()
        .map(|h| h.post.id)
        .collect()
}

#[test]
fn offline_search_folds_german_text_and_prefixes_the_last_word() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            w.upsert_posts(&[
                post("p1", "mathe", "anna", 100, "Die Übung ist morgen"),
                post("p2", "mathe", "anna", 200, "HAUSAUFGABEN für Montag"),
                post("p3", "dm", "anna", 300, "Grüße aus der Straße"),
                post("p4", "other", "ben", 400, "übung im Lehrerzimmer"),
            ])
        })
        .unwrap();
    assert_eq!(search(&store, "Übung", None), ["p4", "p1"]);
    assert_eq!(search(&store, "übung", Some("t1")), ["p1"]);
    assert_eq!(
        search(&store, "Ubung", Some("t1")),
        ["p1"],
        "umlaut-less spelling"
    );
    assert_eq!(search(&store, "hausaufgaben", None), ["p2"]);
    assert_eq!(
        search(&store, "hausauf", None),
        ["p2"],
        "last word is a prefix"
    );
    assert_eq!(search(&store, "strasse grusse", None), ["p3"]);
    assert_eq!(
        search(&store, "übung morgen", None),
        ["p1"],
        "all words must match"
    );
    assert!(search(&store, "\"unclosed OR (", None).is_empty());
    assert!(search(&store, "   ", None).is_empty());
    let query = crate::search::SearchQuery::parse("grüße").unwrap();
    let hits = store
        .read_blocking(move |c| search_posts(c, &query, &SearchScope::default(), 5))
        .unwrap();
    assert_eq!(hits[0].channel_display_name, "");
    assert_eq!(hits[0].team_id, "");
}

#[test]
fn offline_search_understands_the_servers_modifiers() {
    let (_d, store) = school();
    // 2026-03-02 in UTC: 1772409600000 ms.
    let day = 1_772_409_600_000;
    store
        .write_blocking(move |w| {
            w.upsert_posts(&[
                post("p1", "mathe", "anna", day - 1, "Übung eins"),
                post("p2", "mathe", "ben", day + 1, "Übung zwei nächste Woche"),
                post("p3", "other", "anna", day + 86_400_000, "Übung drei"),
                post("p4", "mathe", "anna", day + 2, "Hausaufgaben ohne Übung"),
            ])
        })
        .unwrap();
    assert_eq!(
        search(&store, "übung from:anna.s", None),
        ["p3", "p4", "p1"]
    );
    assert_eq!(
        search(&store, "from:@BEN.K", None),
        ["p2"],
        "modifiers alone"
    );
    assert_eq!(search(&store, "übung in:mathe", None), ["p4", "p2", "p1"]);
    assert_eq!(
        search(&store, "übung -hausaufgaben -eins", None),
        ["p3", "p2"]
    );
    assert_eq!(
        search(&store, "from:anna.s -\"ohne Übung\"", None),
        ["p3", "p1"]
    );
    assert_eq!(search(&store, "\"nächste Woche\"", None), ["p2"]);
    assert!(
        search(&store, "\"Woche nächste\"", None).is_empty(),
        "a phrase keeps its order"
    );
    assert_eq!(search(&store, "on:2026-03-02", None), ["p4", "p2"]);
    assert_eq!(search(&store, "übung before:2026-03-02", None), ["p1"]);
    assert_eq!(search(&store, "übung after:2026-03-02", None), ["p3"]);
    assert_eq!(search(&store, "Übu*", Some("t1")), ["p4", "p2", "p1"]);
    assert!(
        search(&store, "-übung", None).is_empty(),
        "nothing wanted finds nothing"
    );
    assert!(search(&store, "from:niemand", None).is_empty());
}

#[test]
fn user_view_by_id() {
    let (_d, store) = school();
    let anna = store
        .read_blocking(|c| super::names::user(c, "anna"))
        .unwrap()
        .unwrap();
    assert_eq!(anna.display_name, "Anna Schmidt");
    assert!(store
        .read_blocking(|c| super::names::user(c, "nobody"))
        .unwrap()
        .is_none());
}

#[test]
fn search_orders_by_creation_even_when_older_pages_arrive_later() {
    let (_d, store) = school();
    store
        .write_blocking(|w| {
            // The newest page first, as a sync does, then older history,
            // including two posts of the same millisecond.
            w.upsert_posts(&[post("new", "mathe", "anna", 900, "Referat")])?;
            w.upsert_posts(&[
                post("old", "mathe", "anna", 100, "Referat"),
                post("same1", "mathe", "anna", 500, "Referat"),
                post("same2", "mathe", "anna", 500, "Referat"),
            ])
        })
        .unwrap();
    let mut hits = search(&store, "referat", None);
    assert_eq!(hits.len(), 4);
    assert_eq!(hits.remove(0), "new");
    assert_eq!(hits.pop().unwrap(), "old");
    hits.sort();
    assert_eq!(hits, ["same1", "same2"]);
}
