//! Timeline items from the store: the window of [`crate::store::reads`], and
//! what items need around it (outbox states, saved flags, thread
//! participants, the people and channels a message names).

use std::cell::RefCell;
use std::collections::HashMap;

use jiff::tz::TimeZone;
use rusqlite::Connection;

use super::build::{build_items, ItemContext, SourcePost};
use super::{Participant, TimelineItems};
use crate::markdown::{ChannelRef, Lookup, PersonRef, Reader};
use crate::store::reads::{my_user_id, thread, timeline, OlderPosts, PostView};
use crate::store::{
    channel_ref_by_name, echo_states, member_last_viewed_at, person_ref_by_username,
    replies_by_author, saved_post_ids_among, StoreResult,
};
use crate::texts::Locale;

/// Whose timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Channel { channel_id: String },
    Thread { root_id: String },
}

/// Reads the items of `target`: for a channel its newest `limit` posts of
/// the newest cached range, for a thread the root and all cached replies.
#[allow(clippy::too_many_arguments)]
pub fn read_items(
    conn: &Connection,
    target: &Target,
    limit: usize,
    reader: &Reader,
    time_zone: &TimeZone,
    locale: Locale,
    unread_since: Option<i64>,
    now_ms: i64,
) -> StoreResult<TimelineItems> {
    let (posts, older, newer_missing, never_loaded, team_id) = match target {
        Target::Channel { channel_id } => {
            let window = timeline(conn, channel_id, limit, None)?;
            let team = channel_team(conn, channel_id)?;
            (
                window.posts,
                window.older,
                window.newer_missing,
                window.never_loaded,
                team,
            )
        }
        Target::Thread { root_id } => {
            let view = thread(conn, root_id)?;
            let team = match &view.root {
                Some(root) => channel_team(conn, &root.channel_id)?,
                None => String::new(),
            };
            let never_loaded = view.root.is_none();
            let older = if view.complete {
                OlderPosts::None
            } else {
                OlderPosts::OnServer
            };
            let posts: Vec<PostView> = view.root.into_iter().chain(view.replies).collect();
            (posts, older, false, never_loaded, team)
        }
    };
    let me = my_user_id(conn)?;
    let sources = sources(conn, posts)?;
    let lookup = StoreLookup::new(conn, &team_id);
    let items = build_items(
        sources,
        &ItemContext {
            me: &me,
            reader,
            lookup: &lookup,
            time_zone,
            locale,
            unread_since,
            now_ms,
        },
    );
    Ok(TimelineItems {
        items,
        older,
        newer_missing,
        never_loaded,
    })
}

/// The signed-in user's last visit of a channel (ms; 0: never).
pub fn last_viewed_at(conn: &Connection, channel_id: &str) -> StoreResult<i64> {
    member_last_viewed_at(conn, channel_id, &my_user_id(conn)?)
}

fn channel_team(conn: &Connection, channel_id: &str) -> StoreResult<String> {
    Ok(crate::store::channel_team(conn, channel_id)?.unwrap_or_default())
}

fn sources(conn: &Connection, posts: Vec<PostView>) -> StoreResult<Vec<SourcePost>> {
    let ids: Vec<&str> = posts.iter().map(|p| p.id.as_str()).collect();
    let mut states = echo_states(conn, &ids)?;
    let saved = saved_post_ids_among(conn, &ids)?;
    // Without collapsed threads the server counts no replies on channel
    // pages: the cached replies count too.
    let roots: Vec<&str> = posts
        .iter()
        .filter(|p| p.root_id.is_empty())
        .map(|p| p.id.as_str())
        .collect();
    let mut participants = thread_participants(conn, &roots)?;
    Ok(posts
        .into_iter()
        .map(|post| {
            let replies = participants.remove(&post.id).unwrap_or_default();
            SourcePost {
                outbox: states.remove(&post.id),
                saved: saved.contains(&post.id),
                participants: replies.people,
                last_reply_at: replies.last_reply_at,
                cached_replies: replies.count,
                post,
            }
        })
        .collect())
}

/// The cached replies of one root.
#[derive(Default)]
struct CachedReplies {
    /// Who replied, latest first.
    people: Vec<Participant>,
    last_reply_at: i64,
    count: i64,
}

/// For each root with cached replies: who replied, when last, how often.
fn thread_participants(
    conn: &Connection,
    roots: &[&str],
) -> StoreResult<HashMap<String, CachedReplies>> {
    let mut out: HashMap<String, CachedReplies> = HashMap::new();
    if roots.is_empty() {
        return Ok(out);
    }
    for replies in replies_by_author(conn, roots)? {
        let name = replies.name.unwrap_or_else(|| replies.user_id.clone());
        let entry = out.entry(replies.root_id).or_default();
        entry.last_reply_at = entry.last_reply_at.max(replies.last_reply_at);
        entry.count += replies.count;
        entry.people.push(Participant {
            user_id: replies.user_id,
            name,
        });
    }
    Ok(out)
}

/// Names a message mentions, resolved through the store (and remembered
/// for the rest of one read).
pub struct StoreLookup<'c> {
    conn: &'c Connection,
    team_id: String,
    people: RefCell<HashMap<String, Option<PersonRef>>>,
    channels: RefCell<HashMap<String, Option<ChannelRef>>>,
}

impl<'c> StoreLookup<'c> {
    /// `team_id`: the team whose channel of a name wins when several
    /// teams have one.
    pub fn new(conn: &'c Connection, team_id: &str) -> StoreLookup<'c> {
        StoreLookup {
            conn,
            team_id: team_id.to_owned(),
            people: RefCell::default(),
            channels: RefCell::default(),
        }
    }
}

impl Lookup for StoreLookup<'_> {
    fn person(&self, username: &str) -> Option<PersonRef> {
        if let Some(known) = self.people.borrow().get(username) {
            return known.clone();
        }
        // A failed read resolves nobody: the mention still shows.
        let found = person_ref_by_username(self.conn, username).ok().flatten();
        self.people
            .borrow_mut()
            .insert(username.to_owned(), found.clone());
        found
    }

    fn channel(&self, name: &str) -> Option<ChannelRef> {
        if let Some(known) = self.channels.borrow().get(name) {
            return known.clone();
        }
        let found = channel_ref_by_name(self.conn, name, &self.team_id)
            .ok()
            .flatten();
        self.channels
            .borrow_mut()
            .insert(name.to_owned(), found.clone());
        found
    }
}
