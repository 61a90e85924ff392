//! Followed threads (collapsed reply threads): a team's Threads list,
//! following and unfollowing, marking a thread read. Every change is in
//! the store when the call returns; other devices learn it from the
//! server's `thread_follow_changed` and `thread_read_changed` events.

use super::{require_id, Client};
use crate::api::posts as posts_api;
use crate::api::posts::ThreadsQuery;
use crate::error::{Error, Result};
use crate::observe::Subscription;
use crate::realtime::now_ms;
use crate::store::my_team_ids;
use crate::store::reads::{self, FollowedThreads, ThreadPlace};

/// Threads fetched for a team's list at once (the newest replies first).
const THREADS_PAGE: u32 = 100;

/// The first page of a team's Threads list, with the people in them.
fn threads_page() -> ThreadsQuery {
    ThreadsQuery {
        per_page: Some(THREADS_PAGE),
        extended: true,
        ..ThreadsQuery::default()
    }
}

impl Client {
    /// A team's followed threads as cached (offline too).
    pub async fn followed_threads(&self, team_id: &str) -> Result<FollowedThreads> {
        let team_id = team_id.to_owned();
        Ok(self
            .store()?
            .read(move |c| reads::followed_threads(c, &team_id))
            .await?)
    }

    /// Fetches a team's followed threads from the server into the cache
    /// and returns them; offline, the cached ones.
    pub async fn load_followed_threads(&self, team_id: &str) -> Result<FollowedThreads> {
        require_id(team_id)?;
        let account = self.account()?;
        match posts_api::my_threads(&account.api, team_id, &threads_page()).await {
            Ok(list) => {
                let complete = list.threads.len() as i64 >= list.total;
                let team = team_id.to_owned();
                account
                    .store
                    .write(move |w| w.replace_followed_threads(&team, &list.threads, complete))
                    .await?;
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
        self.followed_threads(team_id).await
    }

    /// A team's followed threads now, then a diff after every change.
    pub fn watch_followed_threads(&self, team_id: &str) -> Result<Subscription<FollowedThreads>> {
        let client = self.clone();
        let team_id = team_id.to_owned();
        Ok(Subscription::new(
            self.store_changes()?,
            |changes| changes.affects_followed_threads(),
            move || {
                let (client, team_id) = (client.clone(), team_id.clone());
                async move { client.followed_threads(&team_id).await }
            },
        ))
    }

    /// Follows a thread (its replies then count as unread and notify) or
    /// stops following it.
    pub async fn set_thread_following(&self, root_id: &str, following: bool) -> Result<()> {
        let (place, team_id) = self.thread_team(root_id).await?;
        let account = self.account()?;
        posts_api::set_thread_following(&account.api, &team_id, root_id, following).await?;
        let root = root_id.to_owned();
        if following {
            // The list shows counts and people only the server knows.
            let fetched = posts_api::my_threads(&account.api, &team_id, &threads_page()).await;
            let thread = fetched
                .ok()
                .and_then(|list| list.threads.into_iter().find(|t| t.id == root));
            let reply_count = place.reply_count;
            account
                .store
                .write(move |w| match thread {
                    Some(thread) => w.upsert_followed_threads(std::slice::from_ref(&thread)),
                    None => w.follow_thread(&root, reply_count),
                })
                .await?;
        } else {
            account
                .store
                .write(move |w| w.unfollow_thread(&root))
                .await?;
        }
        Ok(())
    }

    /// Marks a thread read up to its newest reply, here and on the server.
    pub async fn mark_thread_read(&self, root_id: &str) -> Result<()> {
        let (place, team_id) = self.thread_team(root_id).await?;
        let account = self.account()?;
        // A clock behind the server's must still cover the newest reply.
        let viewed_at = now_ms().max(place.last_reply_at);
        let thread =
            posts_api::mark_thread_read(&account.api, &team_id, root_id, viewed_at).await?;
        let root = root_id.to_owned();
        account
            .store
            .write(move |w| {
                w.set_thread_read(
                    &root,
                    thread.last_viewed_at.max(viewed_at),
                    thread.unread_replies,
                    thread.unread_mentions,
                )
            })
            .await?;
        Ok(())
    }

    /// The thread's place and the team the server files it under: its
    /// channel's team, or for a direct or group channel any of the
    /// user's teams. The root is fetched when it is not cached.
    async fn thread_team(&self, root_id: &str) -> Result<(ThreadPlace, String)> {
        require_id(root_id)?;
        let account = self.account()?;
        let place = match self.cached_thread_place(root_id).await? {
            Some(place) => place,
            None => {
                let post = posts_api::post(&account.api, root_id).await?;
                account
                    .store
                    .write(move |w| w.upsert_posts(std::iter::once(&post)))
                    .await?;
                self.cached_thread_place(root_id)
                    .await?
                    .ok_or_else(|| Error::InvalidInput {
                        reason: "the thread's root post could not be cached".into(),
                    })?
            }
        };
        let team_id = if place.team_id.is_empty() {
            let me = account.user_id.clone();
            account
                .store
                .read(move |c| my_team_ids(c, &me))
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| Error::InvalidInput {
                    reason: "threads of direct messages need a team".into(),
                })?
        } else {
            place.team_id.clone()
        };
        Ok((place, team_id))
    }

    async fn cached_thread_place(&self, root_id: &str) -> Result<Option<ThreadPlace>> {
        let root = root_id.to_owned();
        Ok(self
            .store()?
            .read(move |c| reads::thread_place(c, &root))
            .await?)
    }
}
