//! Timeline items of a channel or thread, as the apps draw them: a
//! [`Timeline`] reads them, delivers them as snapshot + diffs, and pages
//! backwards (from the cache first, then the server) without gaps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde::Serialize;
use tokio::sync::watch;

use super::Client;
use crate::error::{Error, Result};
use crate::markdown::Reader;
use crate::observe::Subscription;
use crate::push::rules::{mention_keys, Recipient};
use crate::realtime::now_ms;
use crate::store::reads::OlderPosts;
use crate::timeline::{last_viewed_at, read_items, Target, TimelineItems, TimelineOptions};

/// One open timeline. The "new messages" line stays where the visit
/// began (marking the channel read does not move it); the window grows
/// with [`Timeline::paginate_backwards`].
#[derive(Clone)]
pub struct Timeline {
    client: Client,
    target: Target,
    settings: Arc<Settings>,
    limit: Arc<AtomicUsize>,
    trigger: Arc<watch::Sender<u64>>,
}

struct Settings {
    options: TimelineOptions,
    time_zone: TimeZone,
    reader: Reader,
    unread_since: Option<i64>,
}

/// What a backwards page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaginationOutcome {
    /// Posts the server sent for it (0 when the cache had them).
    pub fetched: usize,
    /// Nothing older exists: the timeline starts here.
    pub reached_start: bool,
}

impl Client {
    /// Opens the timeline items of `target`. The channel's last visit is
    /// read now, for the "new messages" line.
    pub async fn open_timeline(
        &self,
        target: Target,
        options: TimelineOptions,
    ) -> Result<Timeline> {
        let time_zone = match &options.time_zone {
            Some(name) => TimeZone::get(name).map_err(|_| Error::InvalidInput {
                reason: format!("unknown time zone `{name}`"),
            })?,
            None => TimeZone::system(),
        };
        let reader = match self.current_user() {
            Some(me) => {
                let keys = mention_keys(&Recipient {
                    user_id: &me.id,
                    username: &me.username,
                    first_name: &me.first_name,
                    notify_props: &me.notify_props,
                    status: None,
                });
                Reader::new(&me.username, &keys)
            }
            None => Reader::default(),
        };
        let unread_since = match &target {
            Target::Channel { channel_id } => {
                let channel_id = channel_id.clone();
                let store = self.store()?;
                Some(store.read(move |c| last_viewed_at(c, &channel_id)).await?)
            }
            Target::Thread { .. } => None,
        };
        let page = options.page_size.max(1);
        Ok(Timeline {
            client: self.clone(),
            target,
            settings: Arc::new(Settings {
                options,
                time_zone,
                reader,
                unread_since,
            }),
            limit: Arc::new(AtomicUsize::new(page)),
            trigger: Arc::new(watch::channel(0).0),
        })
    }
}

impl Timeline {
    /// The items now.
    pub async fn items(&self) -> Result<TimelineItems> {
        let store = self.client.store()?;
        let target = self.target.clone();
        let settings = self.settings.clone();
        let limit = self.limit.load(Ordering::Relaxed);
        Ok(store
            .read(move |c| {
                read_items(
                    c,
                    &target,
                    limit,
                    &settings.reader,
                    &settings.time_zone,
                    settings.options.locale,
                    settings.unread_since,
                    now_ms(),
                )
            })
            .await?)
    }

    /// The items now, then a diff after every change (a post, an edit, a
    /// reaction, an outbox state, a saved flag, a name) and after every
    /// page loaded backwards.
    pub fn subscribe(&self) -> Result<Subscription<TimelineItems>> {
        let timeline = self.clone();
        let target = self.target.clone();
        Ok(Subscription::new(
            self.client.store_changes()?,
            move |changes| {
                changes.contains(&crate::store::StoreChange::Preferences)
                    || match &target {
                        Target::Channel { channel_id } => changes.affects_timeline(channel_id),
                        Target::Thread { root_id } => changes.affects_thread(root_id),
                    }
            },
            move || {
                let timeline = timeline.clone();
                async move { timeline.items().await }
            },
        )
        .with_trigger(self.trigger.subscribe()))
    }

    /// Shows one page more of older posts: from the cache when it holds
    /// them, else loaded from the server (closing a gap first, so the
    /// window never skips posts).
    pub async fn paginate_backwards(&self) -> Result<PaginationOutcome> {
        let page = self.settings.options.page_size.max(1);
        let current = self.items().await?;
        let fetched = match (&self.target, current.older) {
            (_, OlderPosts::None) => {
                return Ok(PaginationOutcome {
                    fetched: 0,
                    reached_start: true,
                })
            }
            (Target::Channel { .. }, OlderPosts::Cached) => 0,
            (Target::Channel { channel_id }, OlderPosts::OnServer | OlderPosts::Gap) => {
                self.client.load_older(channel_id).await?.fetched
            }
            (Target::Thread { root_id }, _) => {
                let before = current.items.len();
                let thread = self.client.load_thread(root_id).await?;
                (thread.replies.len() + 1).saturating_sub(before)
            }
        };
        if matches!(self.target, Target::Channel { .. }) {
            self.limit.fetch_add(page, Ordering::Relaxed);
        }
        self.trigger.send_modify(|n| *n = n.wrapping_add(1));
        let now = self.items().await?;
        Ok(PaginationOutcome {
            fetched,
            reached_start: now.older == OlderPosts::None,
        })
    }

    /// Posts the window shows at most (grows by a page per backwards
    /// page).
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }
}
