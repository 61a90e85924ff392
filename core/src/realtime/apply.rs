//! Applying events to the store: one transaction per batch, together with
//! the resume point, and the change sets listeners need.
//!
//! Events that carry the whole object (a post, a channel, a member, a user,
//! a team, preferences) are written directly. Events that only name
//! something new (a channel created, a direct message opened, the user
//! added to a team or channel) ask for a catch-up, which fetches the
//! all-teams listings once however many such events arrived.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::BoxFuture;

use super::connection::{EventBatch, EventSink, ReceivedEvent, ResumePoint, SinkError};
use super::events::Event;
use super::presence::{Statuses, TypingPlace, TypingTracker};
use crate::error::Error;
use crate::model::Post;
use crate::store::{
    cached_channel, newest_range, post_is_live, read_account_value, read_mark, realtime_state,
    AccountKey, Store, StoreResult, SyncCursor, UnreadCounts, Writer,
};

/// Runs the REST catch-up (the sync module's); `Err` keeps it owed.
pub type CatchUpFn =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> + Send + Sync>;

/// The [`EventSink`] that writes into an account's store.
pub struct StoreSink {
    store: Store,
    typing: Arc<TypingTracker>,
    statuses: Arc<Statuses>,
    catch_up: Arc<CatchUpRunner>,
    /// Woken when the socket (re)connects: the outbox flushes.
    on_connected: Arc<tokio::sync::Notify>,
    /// Told of every new post once it is stored (background notifications).
    posted: Option<tokio::sync::broadcast::Sender<Arc<PostedEvent>>>,
}

/// A post that arrived over the websocket and is now in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedEvent {
    pub post_id: String,
    /// User ids the server reported as mentioned.
    pub mentions: Vec<String>,
    /// When the event came off the socket.
    pub received_at: Instant,
}

/// Runs owed catch-ups one at a time.
struct CatchUpRunner {
    store: Store,
    run: CatchUpFn,
    /// Serialises catch-ups: a request during a run waits and runs after.
    lock: tokio::sync::Mutex<()>,
    /// Set while a run is under way: posts arriving then may fall into the
    /// gap the run is filling, so they must not extend a cached range.
    running: Arc<AtomicBool>,
}

impl CatchUpRunner {
    /// Runs a catch-up if one is owed (or `force`). The owed flag is
    /// cleared before the run, so anything owed during it is owed again.
    async fn run(&self, force: bool) -> Result<(), SinkError> {
        let _running = self.lock.lock().await;
        self.running.store(true, Ordering::SeqCst);
        let result = self.run_locked(force).await;
        self.running.store(false, Ordering::SeqCst);
        result
    }

    async fn run_locked(&self, force: bool) -> Result<(), SinkError> {
        let owed = self
            .store
            .read(read_resume_point)
            .await
            .map(|(_, owed)| owed)
            .unwrap_or(true);
        if !owed && !force {
            return Ok(());
        }
        self.store.write(|w| w.clear_catch_up_owed()).await?;
        let result = (self.run)().await.map_err(SinkError::CatchUp);
        if result.is_err() {
            let _ = self.store.write(|w| w.mark_catch_up_owed()).await;
        }
        result
    }
}

impl StoreSink {
    pub fn new(
        store: Store,
        typing: Arc<TypingTracker>,
        statuses: Arc<Statuses>,
        catch_up: CatchUpFn,
        on_connected: Arc<tokio::sync::Notify>,
    ) -> Self {
        StoreSink {
            catch_up: Arc::new(CatchUpRunner {
                store: store.clone(),
                run: catch_up,
                lock: tokio::sync::Mutex::new(()),
                running: Arc::new(AtomicBool::new(false)),
            }),
            store,
            typing,
            statuses,
            on_connected,
            posted: None,
        }
    }

    /// Reports every new post to `posted` after it is stored.
    pub fn with_posted_events(
        mut self,
        posted: tokio::sync::broadcast::Sender<Arc<PostedEvent>>,
    ) -> Self {
        self.posted = Some(posted);
        self
    }

    /// Writes one batch; returns whether a catch-up was asked for.
    #[cfg(test)]
    pub(crate) fn apply_blocking(store: &Store, batch: &EventBatch) -> StoreResult<bool> {
        StoreSink::apply_blocking_with(store, batch, &AtomicBool::new(false))
    }

    /// [`StoreSink::apply_blocking`] knowing whether a catch-up is running.
    fn apply_blocking_with(
        store: &Store,
        batch: &EventBatch,
        catch_up_running: &AtomicBool,
    ) -> StoreResult<bool> {
        store.write_blocking(|w| {
            let me = read_account_value(w.conn(), AccountKey::UserId)?.unwrap_or_default();
            // Live posts extend a cached range only while nothing can be
            // missing before them: no new connection in this batch, no
            // catch-up owed or under way (read here, inside the write, so a
            // catch-up starting meanwhile is seen).
            let (_, owed) = read_resume_point(w.conn())?;
            let catching_up = catch_up_running.load(Ordering::SeqCst);
            let unbroken = !batch.catch_up_needed && !owed && !catching_up;
            let mut refresh = batch.catch_up_needed;
            if batch.catch_up_needed {
                // The connection could not resume: edits, deletes and
                // reactions meanwhile are only found by asking each channel.
                w.raise_mark(SyncCursor::CachedPostsUnverified)?;
            }
            for received in &batch.events {
                refresh |= apply_event(w, &me, received, unbroken)?;
                if catching_up {
                    refresh |= owe_what_catch_up_may_overwrite(w, &received.event)?;
                }
            }
            w.set_realtime_state(&batch.resume.connection_id, batch.resume.next_seq, refresh)?;
            Ok(refresh)
        })
    }
}

impl EventSink for StoreSink {
    fn load(&self) -> BoxFuture<'_, Result<(Option<ResumePoint>, bool), SinkError>> {
        Box::pin(async move { Ok(self.store.read(read_resume_point).await?) })
    }

    fn apply(&self, batch: EventBatch) -> BoxFuture<'_, Result<(), SinkError>> {
        Box::pin(async move {
            let now = Instant::now();
            for received in &batch.events {
                match &received.event {
                    Event::Typing {
                        channel_id,
                        parent_id,
                        user_id,
                    } => self.typing.user_typing(
                        TypingPlace {
                            channel_id: channel_id.clone(),
                            parent_id: parent_id.clone(),
                        },
                        user_id.clone(),
                        now,
                    ),
                    Event::Posted { post, .. } => self.typing.user_posted(
                        &TypingPlace {
                            channel_id: post.channel_id.clone(),
                            parent_id: post.root_id.clone(),
                        },
                        &post.user_id,
                    ),
                    Event::StatusChange { user_id, status } => {
                        self.statuses.set(user_id.clone(), status.clone())
                    }
                    _ => {}
                }
            }
            let posted: Vec<Arc<PostedEvent>> = match &self.posted {
                Some(_) => batch
                    .events
                    .iter()
                    .filter_map(|received| match &received.event {
                        Event::Posted { post, mentions } => Some(Arc::new(PostedEvent {
                            post_id: post.id.clone(),
                            mentions: mentions.clone(),
                            received_at: now,
                        })),
                        _ => None,
                    })
                    .collect(),
                None => Vec::new(),
            };
            let store = self.store.clone();
            let running = self.catch_up.running.clone();
            let refresh = tokio::task::spawn_blocking(move || {
                StoreSink::apply_blocking_with(&store, &batch, &running)
            })
            .await
            .map_err(|_| SinkError::TaskLost)??;
            if let Some(sender) = &self.posted {
                for event in posted {
                    // Nobody listening is fine.
                    let _ = sender.send(event);
                }
            }
            if refresh {
                let runner = self.catch_up.clone();
                tokio::spawn(async move {
                    if let Err(e) = runner.run(false).await {
                        tracing::warn!(error = %e, "realtime: catch-up failed; it stays owed");
                    }
                });
            }
            Ok(())
        })
    }

    fn catch_up(&self) -> BoxFuture<'_, Result<(), SinkError>> {
        Box::pin(self.catch_up.run(false))
    }

    fn connected(&self) {
        self.on_connected.notify_waiters();
        self.on_connected.notify_one();
    }
}

/// The stored resume point and whether a catch-up is owed.
pub fn read_resume_point(conn: &rusqlite::Connection) -> StoreResult<(Option<ResumePoint>, bool)> {
    Ok(match realtime_state(conn)? {
        Some((connection_id, next_seq, owed)) => (
            Some(ResumePoint {
                connection_id,
                next_seq,
            }),
            owed,
        ),
        None => (None, false),
    })
}

/// Whether a catch-up for lost events is neither owed nor under way. A
/// catch-up clears the owed flag when it starts; a new connection (events
/// lost) also marks the cached posts unverified, which only the end of a
/// sync clears.
pub fn events_catch_up_settled(conn: &rusqlite::Connection) -> StoreResult<bool> {
    let (_, owed) = read_resume_point(conn)?;
    Ok(!owed && read_mark(conn, SyncCursor::CachedPostsUnverified)?.is_none())
}

/// Makes a live post part of its channel's timeline; returns true when
/// that needs a catch-up first. Without a cached range (a channel never
/// opened) the post starts one of its own, with a gap before it. With one,
/// an unbroken connection extends it. Otherwise posts may be missing between
/// the range and this post: the post is stored but left outside every
/// range, and a catch-up fetches from the range's end through it. (A range
/// of its own would look like the newest end to the catch-up, which then
/// fetches only what came after it and leaves the missed posts unknown.)
fn place_live_post(w: &mut Writer<'_>, post: &Post, unbroken: bool) -> StoreResult<bool> {
    if post.is_deleted() || post.channel_id.is_empty() {
        return Ok(false);
    }
    match newest_range(w.conn(), &post.channel_id)? {
        Some(range) if post.create_at <= range.newest_at => Ok(false),
        Some(_) if unbroken => {
            w.extend_newest_range(&post.channel_id, post.create_at)?;
            Ok(false)
        }
        Some(_) => Ok(true),
        None => {
            w.record_range(&post.channel_id, post.create_at, post.create_at, false)?;
            Ok(false)
        }
    }
}

/// State a running catch-up may have fetched before this event changed it,
/// and would then write back over it (categories and memberships carry no
/// version the store could compare): the catch-up runs once more after,
/// and refetches categories even if no channel came or went. Returns
/// whether the event is such state. Posts are left out: they carry their
/// own times, and a busy channel would otherwise keep catch-ups running
/// back to back.
fn owe_what_catch_up_may_overwrite(w: &mut Writer<'_>, event: &Event) -> StoreResult<bool> {
    match event {
        Event::SidebarCategoriesUpdated { .. }
        | Event::SidebarCategoryOrderUpdated { .. }
        | Event::SidebarCategoryDeleted { .. } => {
            w.mark_sidebar_categories_stale()?;
            Ok(true)
        }
        // The catch-up's listing fetches these again every run (a channel
        // left meanwhile would otherwise come back with the older listing).
        Event::UserRemoved { .. }
        | Event::ChannelMemberUpdated(_)
        | Event::PostUnread { .. }
        | Event::ChannelsViewed(_)
        | Event::ChannelUpdated(_)
        | Event::ChannelDeleted { .. }
        | Event::ChannelRestored { .. }
        | Event::ChannelConverted { .. }
        | Event::PreferencesChanged(_)
        | Event::PreferencesDeleted(_)
        | Event::UpdateTeam(_) => Ok(true),
        _ => Ok(false),
    }
}

/// Applies one event; returns true when it needs a catch-up to complete.
/// `unbroken`: nothing can be missing between the cached ranges and it.
fn apply_event(
    w: &mut Writer<'_>,
    me: &str,
    received: &ReceivedEvent,
    unbroken: bool,
) -> StoreResult<bool> {
    let event = &received.event;
    if let Some(needs_catch_up) = apply_post_event(w, me, event, unbroken)? {
        return Ok(needs_catch_up);
    }
    if let Some(needs_catch_up) = apply_channel_event(w, me, event)? {
        return Ok(needs_catch_up);
    }
    apply_account_event(w, me, event)
}

/// Posts, reactions and threads; `None` for other events.
fn apply_post_event(
    w: &mut Writer<'_>,
    me: &str,
    event: &Event,
    unbroken: bool,
) -> StoreResult<Option<bool>> {
    match event {
        Event::Posted { post, mentions } => {
            // A channel not cached yet while a catch-up is owed or under
            // way (the one that brings it, its listing maybe fetched before
            // this post) has no counts to raise: a catch-up must read them
            // after this post, or the channel shows it as read.
            let unknown = !unbroken
                && !post.channel_id.is_empty()
                && cached_channel(w.conn(), &post.channel_id)?.is_none();
            w.record_new_post(post, mentions, me)?;
            let gap = place_live_post(w, post, unbroken)?;
            return Ok(Some(gap || unknown));
        }
        Event::PostEdited { post } => w.upsert_posts(std::iter::once(post.as_ref()))?,
        Event::PostDeleted { post } => {
            let delete_at = [post.delete_at, post.update_at]
                .into_iter()
                .find(|t| *t > 0)
                .unwrap_or_else(crate::realtime::now_ms);
            let was_live = post_is_live(w.conn(), &post.id)?;
            w.mark_post_deleted(&post.id, delete_at)?;
            if was_live && !post.root_id.is_empty() {
                w.count_reply_removed(&post.root_id)?;
            }
        }
        Event::ReactionAdded(reaction) => {
            w.add_reaction(reaction)?;
            w.mark_has_reactions(&reaction.post_id)?;
        }
        Event::ReactionRemoved(reaction) => {
            w.remove_reaction(&reaction.post_id, &reaction.user_id, &reaction.emoji_name)?
        }
        // The server tells only a thread's followers about it.
        Event::ThreadUpdated(thread) => w.upsert_followed_threads(std::slice::from_ref(thread))?,
        Event::ThreadReadChanged {
            thread_id,
            timestamp,
            unread_mentions,
            unread_replies,
        } => w.set_thread_read(thread_id, *timestamp, *unread_replies, *unread_mentions)?,
        Event::ThreadFollowChanged {
            thread_id,
            following: true,
            reply_count,
        } => w.follow_thread(thread_id, *reply_count)?,
        Event::ThreadFollowChanged { thread_id, .. } => w.unfollow_thread(thread_id)?,
        _ => return Ok(None),
    }
    Ok(Some(false))
}

/// Channels, their members and read state; `None` for other events.
fn apply_channel_event(w: &mut Writer<'_>, me: &str, event: &Event) -> StoreResult<Option<bool>> {
    match event {
        Event::PostUnread {
            channel_id,
            msg_count,
            msg_count_root,
            mention_count,
            mention_count_root,
            urgent_mention_count,
            last_viewed_at,
        } => {
            // Unknown here yet: the catch-up that brings the channel reads
            // its counts fresh.
            let cached = w.set_unread_counts(
                channel_id,
                me,
                &UnreadCounts {
                    msg_count: *msg_count,
                    msg_count_root: *msg_count_root,
                    mention_count: *mention_count,
                    mention_count_root: *mention_count_root,
                    urgent_mention_count: *urgent_mention_count,
                    last_viewed_at: *last_viewed_at,
                },
            )?;
            return Ok(Some(!cached));
        }
        Event::ChannelsViewed(times) => {
            let now = crate::realtime::now_ms();
            let ids: Vec<String> = times.keys().cloned().collect();
            for (channel_id, at) in times {
                let at = if *at > 0 { *at } else { now };
                w.mark_channel_read(channel_id, me, at)?;
            }
            w.notify_channel_lists_of(&ids)?;
        }
        Event::ChannelUpdated(channel) => w.upsert_channels(std::slice::from_ref(channel))?,
        Event::ChannelDeleted {
            channel_id,
            delete_at,
        } => {
            let at = if *delete_at > 0 {
                *delete_at
            } else {
                crate::realtime::now_ms()
            };
            w.set_channel_delete_at(channel_id, at)?;
        }
        Event::ChannelRestored { channel_id } => w.set_channel_delete_at(channel_id, 0)?,
        Event::ChannelConverted { channel_id } => w.make_channel_private(channel_id)?,
        Event::ChannelMemberUpdated(member) => {
            // For a channel not cached yet, the fetch that brings it may
            // have read the membership before this update and would write
            // the older copy over it (a server that leaves `last_update_at`
            // alone defeats the newer-wins check): a catch-up then reads
            // the membership again.
            let unknown = cached_channel(w.conn(), &member.channel_id)?.is_none();
            w.upsert_channel_members(std::slice::from_ref(member))?;
            return Ok(Some(unknown));
        }
        // They only name what is new: the catch-up fetches it.
        Event::ChannelCreated { .. } | Event::DirectAdded { .. } | Event::GroupAdded { .. } => {
            return Ok(Some(true))
        }
        Event::UserAdded { user_id, .. } => return Ok(Some(user_id == me)),
        Event::UserRemoved {
            channel_id,
            user_id,
            ..
        } => {
            if user_id == me {
                w.forget_channel(channel_id)?;
            } else {
                w.remove_channel_member(channel_id, user_id)?;
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(false))
}

/// Users, teams and preferences; the rest is kept in memory by the sink,
/// or has nothing to store.
fn apply_account_event(w: &mut Writer<'_>, me: &str, event: &Event) -> StoreResult<bool> {
    match event {
        Event::UserUpdated(user) => w.upsert_users(std::slice::from_ref(user))?,
        Event::AddedToTeam { user_id, .. } => return Ok(user_id == me),
        Event::LeaveTeam { team_id, user_id } if user_id == me => w.forget_team(team_id)?,
        Event::UpdateTeam(team) => w.upsert_teams(std::slice::from_ref(team))?,
        Event::DeleteTeam(team) => w.forget_team(&team.id)?,
        Event::PreferencesChanged(preferences) => w.upsert_preferences(preferences)?,
        Event::PreferencesDeleted(preferences) => w.delete_preferences(preferences)?,
        Event::DraftSaved(draft) => w.apply_server_draft(draft)?,
        Event::DraftDeleted(draft) => {
            w.apply_server_draft_deletion(&draft.channel_id, &draft.root_id)?
        }
        _ => return apply_sidebar_event(w, event),
    }
    Ok(false)
}

/// Sidebar categories changed on another device. Whole categories are
/// written; a change that names none (a new category, or one made through
/// preferences) has the next catch-up fetch every team's categories.
fn apply_sidebar_event(w: &mut Writer<'_>, event: &Event) -> StoreResult<bool> {
    match event {
        Event::SidebarCategoriesUpdated {
            team_id,
            categories,
        } if !team_id.is_empty() && !categories.is_empty() => {
            w.update_sidebar_categories(team_id, categories)?
        }
        Event::SidebarCategoriesUpdated { .. } | Event::SidebarCategoryCreated { .. } => {
            w.mark_sidebar_categories_stale()?;
            return Ok(true);
        }
        Event::SidebarCategoryDeleted { category_id, .. } => {
            w.delete_sidebar_category(category_id)?
        }
        Event::SidebarCategoryOrderUpdated { team_id, order } => {
            w.set_sidebar_category_order(team_id, order)?
        }
        _ => {}
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Reaction;
    use crate::realtime::events::Broadcast;
    use crate::store::fixtures::{channel, member, post, store, team, team_member, ME};

    fn batch(events: Vec<Event>, next_seq: i64) -> EventBatch {
        EventBatch {
            events: events
                .into_iter()
                .map(|event| ReceivedEvent {
                    event,
                    broadcast: Broadcast::default(),
                })
                .collect(),
            resume: ResumePoint {
                connection_id: "conn".into(),
                next_seq,
            },
            catch_up_needed: false,
        }
    }

    fn seeded() -> (tempfile::TempDir, Store) {
        let (dir, store) = store();
        store
            .write_blocking(|w| {
                w.upsert_teams(&[team("t1", "Klasse 7b")])?;
                w.upsert_team_members(&[team_member("t1")])?;
                let mut c1 = channel("c1", "t1", "O", "town-square", "Town Square");
                c1.total_msg_count = 10;
                c1.total_msg_count_root = 10;
                w.upsert_channels(&[c1, channel("c2", "t1", "O", "off-topic", "Off-Topic")])?;
                w.upsert_channel_members(&[member("c1", 8, 1), member("c2", 0, 0)])
            })
            .unwrap();
        (dir, store)
    }

    fn one<T: rusqlite::types::FromSql>(store: &Store, sql: &'static str) -> T {
        store
            .read_blocking(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    }

    fn posted(p: Post, mentions: &[&str]) -> Event {
        Event::Posted {
            post: Box::new(p),
            mentions: mentions.iter().map(|m| m.to_string()).collect(),
        }
    }

    fn window(store: &Store, channel: &'static str) -> crate::store::reads::TimelineWindow {
        store
            .read_blocking(move |c| crate::store::reads::timeline(c, channel, 20, None))
            .unwrap()
    }

    fn messages(store: &Store, channel: &'static str) -> Vec<String> {
        window(store, channel)
            .posts
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn a_live_post_in_a_never_opened_channel_shows_in_its_timeline() {
        let (_dir, store) = seeded();
        assert!(window(&store, "c2").never_loaded);
        let p = post("p1", "c2", "u2", 100, "Neu im Off-Topic");
        StoreSink::apply_blocking(&store, &batch(vec![posted(p, &[])], 1)).unwrap();
        let shown = window(&store, "c2");
        assert!(!shown.never_loaded);
        assert_eq!(messages(&store, "c2"), ["Neu im Off-Topic"]);
        // Older posts were never loaded: that is a known gap, not the start.
        assert_ne!(shown.older, crate::store::reads::OlderPosts::None);
        let later = post("p2", "c2", "u2", 110, "Noch einer");
        StoreSink::apply_blocking(&store, &batch(vec![posted(later, &[])], 2)).unwrap();
        assert_eq!(messages(&store, "c2"), ["Neu im Off-Topic", "Noch einer"]);
    }

    #[test]
    fn live_posts_extend_the_cached_range_only_over_an_unbroken_connection() {
        let (_dir, store) = seeded();
        store
            .write_blocking(|w| {
                w.upsert_posts([&post("old", "c1", "u2", 50, "Alt")])?;
                w.record_range("c1", 50, 50, true)?;
                Ok(())
            })
            .unwrap();
        let p = post("p1", "c1", "u2", 100, "Live");
        StoreSink::apply_blocking(&store, &batch(vec![posted(p, &[])], 1)).unwrap();
        assert_eq!(messages(&store, "c1"), ["Alt", "Live"]);
        let range = store
            .read_blocking(|c| newest_range(c, "c1"))
            .unwrap()
            .unwrap();
        assert_eq!((range.oldest_at, range.newest_at), (50, 100));

        // A new connection: what came before it may be missing, so the
        // post after it is stored (and shown) but the range is not extended
        // over posts nobody fetched: the catch-up it asks for does that.
        let mut reconnect = batch(
            vec![posted(post("p2", "c1", "u2", 200, "Nach dem Tunnel"), &[])],
            1,
        );
        reconnect.catch_up_needed = true;
        assert!(StoreSink::apply_blocking(&store, &reconnect).unwrap());
        let unranged = || {
            store
                .read_blocking(|c| newest_range(c, "c1"))
                .unwrap()
                .unwrap()
                .newest_at
        };
        assert_eq!(unranged(), 100);

        // While that catch-up is owed, a further post asks for one too and
        // does not bridge the gap either.
        let p3 = post("p3", "c1", "u2", 300, "Danach");
        assert!(StoreSink::apply_blocking(&store, &batch(vec![posted(p3, &[])], 2)).unwrap());
        assert_eq!(unranged(), 100);
        assert_eq!(
            one::<i64>(&store, "SELECT count(*) FROM posts WHERE channel_id = 'c1'"),
            4,
            "the posts are stored for the catch-up to place"
        );
    }

    #[test]
    fn posts_count_once_and_mentions_raise_the_badge() {
        let (_dir, store) = seeded();
        let mut changes = store.subscribe();
        let p = post("p1", "c1", "u2", 100, "Hallo @ich");
        StoreSink::apply_blocking(&store, &batch(vec![posted(p.clone(), &[ME])], 5)).unwrap();
        // The same post again (e.g. from the send response) counts nothing.
        StoreSink::apply_blocking(&store, &batch(vec![posted(p, &[ME])], 6)).unwrap();
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT total_msg_count FROM channels WHERE id = 'c1'"
            ),
            11
        );
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT mention_count FROM channel_members WHERE channel_id = 'c1'"
            ),
            2
        );
        assert_eq!(
            one::<i64>(&store, "SELECT last_post_at FROM channels WHERE id = 'c1'"),
            100
        );
        let set = changes.try_recv().unwrap();
        assert!(set.affects_timeline("c1"));
        assert!(set.affects_channel_list("t1"));
        let (resume, owed) = store.read_blocking(read_resume_point).unwrap();
        assert_eq!(resume.unwrap().next_seq, 6);
        assert!(!owed);
    }

    #[test]
    fn my_own_post_leaves_the_channel_read_and_replies_count_in_the_thread() {
        let (_dir, store) = seeded();
        let root = post("r1", "c1", "u2", 50, "Frage");
        let mut reply = post("p2", "c1", ME, 60, "Antwort");
        reply.root_id = "r1".into();
        StoreSink::apply_blocking(
            &store,
            &batch(vec![posted(root, &[]), posted(reply, &[])], 2),
        )
        .unwrap();
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT msg_count FROM channel_members WHERE channel_id = 'c1'"
            ),
            12
        );
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT mention_count FROM channel_members WHERE channel_id = 'c1'"
            ),
            0
        );
        assert_eq!(
            one::<i64>(&store, "SELECT reply_count FROM posts WHERE id = 'r1'"),
            1
        );
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT total_msg_count_root FROM channels WHERE id = 'c1'"
            ),
            11
        );
        let mut deleted = post("p2", "c1", ME, 60, "");
        deleted.root_id = "r1".into();
        deleted.delete_at = 70;
        StoreSink::apply_blocking(
            &store,
            &batch(
                vec![Event::PostDeleted {
                    post: Box::new(deleted),
                }],
                3,
            ),
        )
        .unwrap();
        assert_eq!(
            one::<i64>(&store, "SELECT reply_count FROM posts WHERE id = 'r1'"),
            0
        );
        assert_eq!(
            one::<i64>(&store, "SELECT delete_at FROM posts WHERE id = 'p2'"),
            70
        );
    }

    #[test]
    fn a_member_update_for_a_channel_not_cached_yet_asks_for_a_catch_up() {
        let (_dir, store) = seeded();
        let known = Event::ChannelMemberUpdated(Box::new(member("c1", 9, 0)));
        assert!(!StoreSink::apply_blocking(&store, &batch(vec![known], 1)).unwrap());
        let unknown = Event::ChannelMemberUpdated(Box::new(member("c9", 0, 0)));
        assert!(StoreSink::apply_blocking(&store, &batch(vec![unknown], 2)).unwrap());
        // Kept meanwhile: the catch-up's copy only wins when newer.
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT count(*) FROM channel_members WHERE channel_id = 'c9'"
            ),
            1
        );
    }

    /// Found by CI: a post arriving for a channel whose catch-up was still
    /// under way raised no counts, and the listing fetched before it won.
    #[test]
    fn a_post_in_a_channel_not_cached_yet_during_a_catch_up_asks_for_another() {
        let (_dir, store) = seeded();
        let running = AtomicBool::new(false);
        let unknown = |id: &str, at| posted(post(id, "c9", "u2", at, "Neu"), &[]);
        let quiet =
            StoreSink::apply_blocking_with(&store, &batch(vec![unknown("p7", 700)], 1), &running);
        assert!(!quiet.unwrap(), "an unbroken stream will bring the channel");
        running.store(true, Ordering::SeqCst);
        let known = posted(post("p8", "c1", "u2", 800, "Bekannt"), &[]);
        let during = StoreSink::apply_blocking_with(&store, &batch(vec![known], 2), &running);
        assert!(!during.unwrap(), "a cached channel counts the post itself");
        let during =
            StoreSink::apply_blocking_with(&store, &batch(vec![unknown("p9", 900)], 3), &running);
        assert!(during.unwrap());
    }

    fn post_unread(channel_id: &str) -> Event {
        Event::PostUnread {
            channel_id: channel_id.into(),
            msg_count: 3,
            msg_count_root: 3,
            mention_count: 0,
            mention_count_root: 0,
            urgent_mention_count: 0,
            last_viewed_at: 5,
        }
    }

    /// Found by CI: the second device got "marked unread" for a channel
    /// its catch-up was still fetching, and the counts were lost.
    #[test]
    fn marked_unread_for_a_channel_not_cached_yet_asks_for_a_catch_up() {
        let (_dir, store) = seeded();
        assert!(!StoreSink::apply_blocking(&store, &batch(vec![post_unread("c1")], 1)).unwrap());
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT last_viewed_at FROM channel_members WHERE channel_id = 'c1'"
            ),
            5
        );
        assert!(StoreSink::apply_blocking(&store, &batch(vec![post_unread("c9")], 2)).unwrap());
    }

    #[test]
    fn read_state_changed_during_a_catch_up_has_it_run_once_more() {
        let (_dir, store) = seeded();
        let running = AtomicBool::new(true);
        let viewed = Event::ChannelsViewed([("c1".to_owned(), 9)].into_iter().collect());
        for (seq, event) in [(1, post_unread("c1")), (2, viewed)] {
            store.write_blocking(|w| w.clear_catch_up_owed()).unwrap();
            assert!(
                StoreSink::apply_blocking_with(&store, &batch(vec![event], seq), &running).unwrap(),
                "the running catch-up may write older read state over it"
            );
        }
    }

    #[test]
    fn a_member_update_during_a_catch_up_has_it_run_once_more() {
        let (_dir, store) = seeded();
        let running = AtomicBool::new(true);
        let muted = Event::ChannelMemberUpdated(Box::new(member("c1", 9, 0)));
        assert!(
            StoreSink::apply_blocking_with(&store, &batch(vec![muted.clone()], 1), &running)
                .unwrap(),
            "the running catch-up may write an older membership over it"
        );
        assert!(store.read_blocking(read_resume_point).unwrap().1);
        running.store(false, Ordering::SeqCst);
        store.write_blocking(|w| w.clear_catch_up_owed()).unwrap();
        assert!(!StoreSink::apply_blocking_with(&store, &batch(vec![muted], 2), &running).unwrap());
        let typing = Event::Typing {
            channel_id: "c1".into(),
            parent_id: String::new(),
            user_id: "u9".into(),
        };
        running.store(true, Ordering::SeqCst);
        assert!(
            !StoreSink::apply_blocking_with(&store, &batch(vec![typing], 3), &running).unwrap(),
            "what a catch-up does not fetch needs no second run"
        );
    }

    #[test]
    fn a_favorite_during_a_catch_up_has_the_next_run_refetch_categories() {
        use crate::model::{SidebarCategory, SidebarCategoryType};
        use crate::store::{read_cursor, SyncCursor};
        let (_dir, store) = seeded();
        let running = AtomicBool::new(true);
        let favorites = Event::SidebarCategoriesUpdated {
            team_id: "t1".into(),
            categories: vec![SidebarCategory {
                id: "favorites_t1".into(),
                team_id: "t1".into(),
                category_type: SidebarCategoryType::Favorites,
                channel_ids: vec!["c1".into()],
                ..SidebarCategory::default()
            }],
        };
        assert!(
            StoreSink::apply_blocking_with(&store, &batch(vec![favorites], 1), &running).unwrap()
        );
        // The second run only refetches categories when told to: no
        // channel came or went, so without the mark it would keep the
        // older copy the first run wrote over the favorite.
        let stale = store
            .read_blocking(|c| read_cursor(c, SyncCursor::SidebarCategoriesStale))
            .unwrap();
        assert_eq!(stale, Some(1));
    }

    #[test]
    fn viewing_on_another_device_clears_unread() {
        let (_dir, store) = seeded();
        StoreSink::apply_blocking(
            &store,
            &batch(
                vec![Event::ChannelsViewed(BTreeMap::from([(
                    "c1".to_string(),
                    500,
                )]))],
                1,
            ),
        )
        .unwrap();
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT msg_count FROM channel_members WHERE channel_id = 'c1'"
            ),
            10
        );
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT mention_count FROM channel_members WHERE channel_id = 'c1'"
            ),
            0
        );
        assert_eq!(
            one::<i64>(
                &store,
                "SELECT last_viewed_at FROM channel_members WHERE channel_id = 'c1'"
            ),
            500
        );
    }

    #[test]
    fn the_server_copy_replaces_the_local_echo() {
        let (_dir, store) = seeded();
        let mut echo = post("key1", "c1", ME, 90, "Hausaufgaben?");
        echo.props
            .insert("pausenhof_client_key".into(), "key1".into());
        store
            .write_blocking(|w| {
                w.upsert_posts(std::iter::once(&echo))?;
                w.conn().execute(
                    "INSERT INTO outbox (client_key, kind, channel_id, payload, created_at)
                     VALUES ('key1', 'post', 'c1', '{}', 90)",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        let mut real = post("p9", "c1", ME, 95, "Hausaufgaben?");
        real.props
            .insert("pausenhof_client_key".into(), "key1".into());
        StoreSink::apply_blocking(&store, &batch(vec![posted(real, &[])], 1)).unwrap();
        assert_eq!(
            one::<i64>(&store, "SELECT count(*) FROM posts WHERE channel_id = 'c1'"),
            1
        );
        assert_eq!(
            one::<String>(&store, "SELECT id FROM posts WHERE channel_id = 'c1'"),
            "p9"
        );
        assert_eq!(one::<i64>(&store, "SELECT count(*) FROM outbox"), 0);
    }

    #[test]
    fn membership_events() {
        let (_dir, store) = seeded();
        let refresh = StoreSink::apply_blocking(
            &store,
            &batch(
                vec![Event::UserRemoved {
                    channel_id: "c2".into(),
                    user_id: ME.into(),
                    remover_id: "u9".into(),
                }],
                1,
            ),
        )
        .unwrap();
        assert!(!refresh);
        assert_eq!(
            one::<i64>(&store, "SELECT count(*) FROM channels WHERE id = 'c2'"),
            0
        );
        let refresh = StoreSink::apply_blocking(
            &store,
            &batch(
                vec![Event::ChannelCreated {
                    channel_id: "c3".into(),
                    team_id: "t1".into(),
                }],
                2,
            ),
        )
        .unwrap();
        assert!(refresh, "a new channel needs a catch-up");
        assert!(store.read_blocking(read_resume_point).unwrap().1);
        StoreSink::apply_blocking(
            &store,
            &batch(
                vec![Event::LeaveTeam {
                    team_id: "t1".into(),
                    user_id: ME.into(),
                }],
                3,
            ),
        )
        .unwrap();
        assert_eq!(one::<i64>(&store, "SELECT count(*) FROM channels"), 0);
        // A later batch does not clear a catch-up that is still owed.
        assert!(store.read_blocking(read_resume_point).unwrap().1);
    }

    #[test]
    fn reactions_come_and_go() {
        let (_dir, store) = seeded();
        let reaction = Reaction {
            user_id: "u2".into(),
            post_id: "p1".into(),
            emoji_name: "+1".into(),
            create_at: 5,
            ..Reaction::default()
        };
        StoreSink::apply_blocking(
            &store,
            &batch(
                vec![
                    posted(post("p1", "c1", "u2", 100, "x"), &[]),
                    Event::ReactionAdded(reaction.clone()),
                ],
                1,
            ),
        )
        .unwrap();
        assert_eq!(one::<i64>(&store, "SELECT count(*) FROM reactions"), 1);
        StoreSink::apply_blocking(&store, &batch(vec![Event::ReactionRemoved(reaction)], 2))
            .unwrap();
        assert_eq!(one::<i64>(&store, "SELECT count(*) FROM reactions"), 0);
    }
}
