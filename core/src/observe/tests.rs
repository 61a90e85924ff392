//! Property-style tests: for random edits of timelines, threads and
//! sidebars, applying the diff to the old value gives the new one.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::store::reads::{
    ChannelKind, ChannelListItem, OlderPosts, PostView, ReactionView, SectionKind, SidebarSection,
    ThreadView, TimelineWindow,
};

fn post(id: u32) -> PostView {
    PostView {
        id: format!("post{id}"),
        channel_id: "town-square".into(),
        root_id: String::new(),
        user_id: "u1".into(),
        author_name: "Frau Berger".into(),
        author_username: "berger".into(),
        message: format!("Nachricht {id}"),
        post_type: String::new(),
        props: serde_json::json!({}),
        create_at: i64::from(id),
        edited: false,
        edit_at: 0,
        deleted: false,
        is_pinned: false,
        reply_count: 0,
        reactions: Vec::new(),
        files: Vec::new(),
    }
}

fn channel(id: u32) -> ChannelListItem {
    ChannelListItem {
        id: format!("ch{id}"),
        team_id: "t1".into(),
        name: format!("kanal-{id}"),
        display_name: format!("Kanal {id}"),
        kind: ChannelKind::Public,
        unread_count: 0,
        mention_count: 0,
        muted: false,
        last_post_at: 0,
        last_viewed_at: 0,
        other_user_id: None,
    }
}

/// What a user or the server does to a list of posts: send, delete (gone
/// from the window), edit, react; occasionally a reorder (a late post).
fn edit_posts(rng: &mut StdRng, posts: &mut Vec<PostView>, next_id: &mut u32) {
    for _ in 0..rng.random_range(0..6) {
        match rng.random_range(0..6) {
            0 | 1 => {
                *next_id += 1;
                posts.push(post(*next_id));
            }
            2 if !posts.is_empty() => {
                let at = rng.random_range(0..posts.len());
                posts.remove(at);
            }
            3 if !posts.is_empty() => {
                let at = rng.random_range(0..posts.len());
                posts[at].message.push_str(" (bearbeitet)");
                posts[at].edited = true;
            }
            4 if !posts.is_empty() => {
                let at = rng.random_range(0..posts.len());
                posts[at].reactions.push(ReactionView {
                    emoji_name: "thumbsup".into(),
                    count: 1,
                    user_ids: vec!["u2".into()],
                    mine: false,
                });
            }
            5 if posts.len() > 1 => {
                let from = rng.random_range(0..posts.len());
                let moved = posts.remove(from);
                let to = rng.random_range(0..=posts.len());
                posts.insert(to, moved);
            }
            _ => {}
        }
    }
}

#[test]
fn timeline_diffs_turn_the_old_window_into_the_new_one() {
    let mut rng = StdRng::seed_from_u64(11);
    for round in 0..1_000 {
        let length = rng.random_range(0..30);
        let old = TimelineWindow {
            channel_id: "town-square".into(),
            posts: (0..length).map(post).collect(),
            older: OlderPosts::OnServer,
            newer_missing: rng.random_bool(0.5),
            never_loaded: false,
        };
        let mut new = old.clone();
        let mut next_id = length;
        edit_posts(&mut rng, &mut new.posts, &mut next_id);
        if rng.random_bool(0.2) {
            new.older = OlderPosts::None;
        }
        match old.diff(&new) {
            None => assert_eq!(old, new, "round {round}: no diff for a change"),
            Some(diff) => {
                let mut patched = old.clone();
                patched.apply(diff).unwrap();
                assert_eq!(patched, new, "round {round}");
            }
        }
    }
}

#[test]
fn a_new_post_is_one_insert_at_the_end() {
    let old = TimelineWindow {
        channel_id: "town-square".into(),
        posts: vec![post(1), post(2)],
        older: OlderPosts::None,
        newer_missing: false,
        never_loaded: false,
    };
    let mut new = old.clone();
    new.posts.push(post(3));
    let diff = old.diff(&new).unwrap();
    assert_eq!(
        diff.posts,
        vec![ListOp::Insert {
            index: 2,
            item: post(3)
        }]
    );
}

#[test]
fn thread_diffs_cover_root_changes_and_replies() {
    let mut rng = StdRng::seed_from_u64(12);
    for round in 0..1_000 {
        let length = rng.random_range(0..20);
        let old = ThreadView {
            root_id: "post0".into(),
            root: Some(post(0)),
            replies: (1..=length).map(post).collect(),
            complete: rng.random_bool(0.5),
        };
        let mut new = old.clone();
        let mut next_id = length;
        edit_posts(&mut rng, &mut new.replies, &mut next_id);
        match rng.random_range(0..4) {
            0 => new.root = None,
            1 => new.root.as_mut().unwrap().reply_count += 1,
            _ => {}
        }
        new.complete = rng.random_bool(0.5);
        let mut patched = old.clone();
        if let Some(diff) = old.diff(&new) {
            if old.root == new.root {
                assert_eq!(diff.root, None, "an unchanged root is not resent");
            }
            patched.apply(diff).unwrap();
        }
        assert_eq!(patched, new, "round {round}");
    }
}

fn section(
    kind: SectionKind,
    category: Option<&str>,
    channels: Vec<ChannelListItem>,
) -> SidebarSection {
    SidebarSection {
        kind,
        category_id: category.map(str::to_owned),
        name: format!("{kind:?}"),
        collapsed: false,
        channels,
    }
}

#[test]
fn sidebar_diffs_change_sections_and_their_channels() {
    let mut rng = StdRng::seed_from_u64(13);
    for round in 0..1_000 {
        let mut next_id = 0;
        let mut channels = |count: u32| -> Vec<ChannelListItem> {
            (0..count)
                .map(|_| {
                    next_id += 1;
                    channel(next_id)
                })
                .collect()
        };
        let old: Sidebar = vec![
            section(
                SectionKind::Favorites,
                None,
                channels(rng.random_range(0..4)),
            ),
            section(
                SectionKind::Channels,
                None,
                channels(rng.random_range(0..15)),
            ),
            section(
                SectionKind::Custom,
                Some("cat1"),
                channels(rng.random_range(0..5)),
            ),
            section(
                SectionKind::DirectMessages,
                None,
                channels(rng.random_range(0..8)),
            ),
        ];
        let mut new = old.clone();
        for _ in 0..rng.random_range(0..6) {
            let s = rng.random_range(0..new.len());
            let list = &mut new[s].channels;
            match rng.random_range(0..5) {
                // A new message moves a channel to the top of its section.
                0 if !list.is_empty() => {
                    let at = rng.random_range(0..list.len());
                    let mut moved = list.remove(at);
                    moved.unread_count += 1;
                    list.insert(0, moved);
                }
                // Favoriting moves a channel to another section.
                1 if !list.is_empty() => {
                    let at = rng.random_range(0..list.len());
                    let moved = list.remove(at);
                    let target = rng.random_range(0..new.len());
                    new[target].channels.push(moved);
                }
                2 => {
                    next_id += 1;
                    list.push(channel(next_id));
                }
                3 => new[s].collapsed = !new[s].collapsed,
                4 if new.len() > 1 => {
                    // A category is removed, or categories are reordered.
                    if rng.random_bool(0.5) {
                        new.remove(s);
                    } else {
                        new.swap(0, s);
                    }
                }
                _ => {}
            }
        }
        let mut patched = old.clone();
        if let Some(diff) = old.diff(&new) {
            patched.apply(diff).unwrap();
        }
        assert_eq!(patched, new, "round {round}");
    }
}

#[test]
fn an_unread_count_change_patches_only_that_channel() {
    let old: Sidebar = vec![section(
        SectionKind::Channels,
        None,
        vec![channel(1), channel(2)],
    )];
    let mut new = old.clone();
    new[0].channels[1].unread_count = 3;
    let diff = old.diff(&new).unwrap();
    assert_eq!(
        diff,
        vec![ListOp::Update {
            index: 0,
            patch: SectionPatch {
                name: "Channels".into(),
                collapsed: false,
                channels: vec![ListOp::Update {
                    index: 1,
                    patch: new[0].channels[1].clone()
                }],
            }
        }]
    );
}

#[test]
fn snapshots_deliver_the_first_value_then_diffs_then_nothing_for_no_change() {
    let window = TimelineWindow {
        channel_id: "c".into(),
        posts: vec![post(1)],
        older: OlderPosts::None,
        newer_missing: false,
        never_loaded: false,
    };
    let mut snapshots = Snapshots::new();
    assert_eq!(
        snapshots.next(window.clone()),
        Some(Update::Snapshot(window.clone()))
    );
    assert_eq!(snapshots.next(window.clone()), None);
    let mut newer = window.clone();
    newer.posts.push(post(2));
    match snapshots.next(newer.clone()) {
        Some(Update::Diff(diff)) => {
            let mut patched = window;
            patched.apply(diff).unwrap();
            assert_eq!(patched, newer);
        }
        other => panic!("expected a diff, got {other:?}"),
    }
    assert_eq!(snapshots.current(), Some(&newer));
}

fn timeline_item(id: u32, text: &str) -> crate::timeline::TimelineItem {
    crate::timeline::TimelineItem {
        id: format!("item{id}"),
        kind: crate::timeline::TimelineItemKind::NewMessages {
            label: text.to_owned(),
        },
    }
}

#[test]
fn timeline_item_diffs_turn_the_old_items_into_the_new_ones() {
    use crate::timeline::TimelineItems;
    let mut rng = StdRng::seed_from_u64(14);
    for round in 0..1_000 {
        let length = rng.random_range(0..30);
        let old = TimelineItems {
            items: (0..length).map(|i| timeline_item(i, "")).collect(),
            older: OlderPosts::Cached,
            newer_missing: false,
            never_loaded: false,
        };
        let mut new = old.clone();
        let mut next = length;
        for _ in 0..rng.random_range(0..6) {
            match rng.random_range(0..4) {
                // Older posts paged in at the front, new ones at the end.
                0 => {
                    next += 1;
                    new.items.insert(0, timeline_item(next, ""));
                }
                1 => {
                    next += 1;
                    new.items.push(timeline_item(next, ""));
                }
                2 if !new.items.is_empty() => {
                    let at = rng.random_range(0..new.items.len());
                    new.items.remove(at);
                }
                3 if !new.items.is_empty() => {
                    let at = rng.random_range(0..new.items.len());
                    new.items[at] = timeline_item(at as u32 + 1_000, "changed");
                }
                _ => {}
            }
        }
        new.older = if rng.random_bool(0.3) {
            OlderPosts::None
        } else {
            OlderPosts::Cached
        };
        let mut patched = old.clone();
        match old.diff(&new) {
            Some(diff) => patched.apply(diff).unwrap(),
            None => assert_eq!(old, new, "round {round}: no diff for a change"),
        }
        assert_eq!(patched, new, "round {round}");
    }
}
