//! The durable outbox: posts, edits, deletes, reactions and "channel
//! viewed" are written to the store (with their local echo) before anything
//! is sent, survive process death, go out in order per channel, and reach
//! the server exactly once.
//!
//! Exactly once, beyond Mattermost's 30-second `pending_post_id` dedupe:
//! every post carries a client key in `props` (the server stores props with
//! the post). A send that may have reached the server (timeout, cut
//! connection, server error) is marked `maybe_sent` *before* the request
//! leaves; before any resend the worker looks for the key among the
//! channel's posts since the first attempt, and if it is there the post is
//! taken as sent. Edits, deletes, reactions and views are idempotent on the
//! server and are simply repeated.

mod api;
mod worker;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

pub use crate::store::{
    echo_states, entries, server_post_id, Entry, Intent, SendState, CLIENT_KEY_PROP,
};
pub use api::{classify, Failure, OutboxApi};

use crate::error::Error;
use crate::model::Post;
use crate::realtime::{now_ms, BackoffPolicy, ConnectionState};
use crate::store::{Store, StoreError, StoreResult, Writer};

/// Timing of retries and verification.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    pub backoff: BackoffPolicy,
    /// After an uncertain attempt, wait at least this long before asking
    /// the server whether it arrived (a request the server still holds
    /// must not be overtaken by the check). About the request timeout.
    pub settle: Duration,
    /// The check looks this far before the first attempt (clock skew
    /// between phone and server).
    pub verify_margin: Duration,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            backoff: BackoffPolicy::default(),
            settle: Duration::from_secs(30),
            verify_margin: Duration::from_secs(10 * 60),
        }
    }
}

/// Figures for tests and diagnostics.
#[derive(Debug, Default)]
pub struct Counters {
    pub done: AtomicU64,
    pub retries: AtomicU64,
    pub uncertain: AtomicU64,
    pub verifications: AtomicU64,
    pub found_on_server: AtomicU64,
}

/// The app's handle on the outbox. Cheap to clone.
pub struct Outbox<A> {
    shared: Arc<worker::Shared<A>>,
}

impl<A> Clone for Outbox<A> {
    fn clone(&self) -> Self {
        Outbox {
            shared: self.shared.clone(),
        }
    }
}

fn storage(e: StoreError) -> Error {
    e.into()
}

fn post_not_found() -> Error {
    Error::NotFound {
        id: "pausenhof.outbox.post_not_found".into(),
    }
}

impl<A: OutboxApi> Outbox<A> {
    /// The outbox of the signed-in user `user_id`: intents are queued and
    /// shown at once, and wait in the store until a worker runs
    /// ([`Outbox::run_worker`]).
    pub fn new(api: Arc<A>, store: Store, user_id: String, config: OutboxConfig) -> Outbox<A> {
        let shared = Arc::new(worker::Shared {
            api,
            store,
            user_id,
            config,
            wake: Arc::new(Notify::new()),
            flush: Arc::new(Notify::new()),
            sending: tokio::sync::Mutex::new(()),
            counters: Counters::default(),
        });
        Outbox { shared }
    }

    /// The worker that sends what is queued, until the returned future is
    /// dropped. `connection` (the websocket's state) pauses sending while
    /// there is no network.
    pub fn run_worker(
        &self,
        connection: Option<watch::Receiver<ConnectionState>>,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        worker::run(self.shared.clone(), connection)
    }

    /// Notified to retry everything now (the network came back; the
    /// realtime sink signals it when the socket connects).
    pub fn flush_signal(&self) -> Arc<Notify> {
        self.shared.flush.clone()
    }

    /// [`Outbox::new`] with its worker spawned on the current runtime.
    pub fn start(
        api: Arc<A>,
        store: Store,
        user_id: String,
        config: OutboxConfig,
        connection: Option<watch::Receiver<ConnectionState>>,
        flush: Arc<Notify>,
    ) -> (Outbox<A>, tokio::task::JoinHandle<()>) {
        let mut outbox = Outbox::new(api, store, user_id, config);
        if let Some(shared) = Arc::get_mut(&mut outbox.shared) {
            shared.flush = flush;
        }
        let task = tokio::spawn(outbox.run_worker(connection));
        (outbox, task)
    }

    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    fn wake(&self) {
        self.shared.wake.notify_one();
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Writer<'_>) -> StoreResult<T> + Send + 'static,
    ) -> Result<T, Error> {
        let value = self.shared.store.write(f).await.map_err(storage)?;
        self.wake();
        Ok(value)
    }

    /// Queues a post and shows it at once. Returns its client key (the
    /// local echo's id until the server's copy replaces it).
    pub async fn send_post(
        &self,
        channel_id: &str,
        root_id: &str,
        message: &str,
        file_ids: Vec<String>,
    ) -> Result<String, Error> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let now = now_ms();
        let intent = Intent::Post {
            channel_id: channel_id.to_owned(),
            root_id: root_id.to_owned(),
            message: message.to_owned(),
            file_ids: file_ids.clone(),
            pending_post_id: format!("{}:{}", self.shared.user_id, now),
        };
        let mut echo = Post {
            id: key.clone(),
            channel_id: channel_id.to_owned(),
            root_id: root_id.to_owned(),
            user_id: self.shared.user_id.clone(),
            message: message.to_owned(),
            create_at: now,
            update_at: now,
            file_ids,
            ..Post::default()
        };
        echo.props
            .insert(CLIENT_KEY_PROP.into(), key.clone().into());
        let channel = channel_id.to_owned();
        let k = key.clone();
        self.write(move |w| {
            w.enqueue_intent(&k, &channel, &intent, now)?;
            w.write_echo(&echo)
        })
        .await?;
        Ok(key)
    }

    /// Changes a post's text. A post still waiting in the outbox is changed
    /// in place.
    pub async fn edit_post(&self, post_id: &str, message: &str) -> Result<(), Error> {
        let id = post_id.to_owned();
        let message = message.to_owned();
        let now = now_ms();
        let found = self
            .write(move |w| {
                let Some(channel_id) = live_post_channel(w, &id)? else {
                    return Ok(false);
                };
                w.edit_post_locally(&id, &message, now)?;
                if let Some(mut entry) = unsent_post(w, &id)? {
                    if let Intent::Post { message: m, .. } = &mut entry.intent {
                        *m = message.clone();
                    }
                    w.replace_intent(&id, &entry.intent)?;
                } else {
                    let key = uuid::Uuid::new_v4().simple().to_string();
                    let intent = Intent::Edit {
                        post_id: id.clone(),
                        message,
                    };
                    w.enqueue_intent(&key, &channel_id, &intent, now)?;
                }
                w.notify(crate::store::StoreChange::Posts { channel_id });
                Ok(true)
            })
            .await?;
        if found {
            Ok(())
        } else {
            Err(post_not_found())
        }
    }

    /// Deletes a post; one still waiting in the outbox is simply dropped.
    pub async fn delete_post(&self, post_id: &str) -> Result<(), Error> {
        let id = post_id.to_owned();
        let now = now_ms();
        let found = self
            .write(move |w| {
                let Some(channel_id) = crate::store::post_channel(w.conn(), &id)? else {
                    return Ok(false);
                };
                if unsent_post(w, &id)?.is_some() {
                    w.drop_intents_on_post(&id)?;
                    w.finish_intent(&id)?;
                    return Ok(true);
                }
                w.mark_post_deleted(&id, now)?;
                let key = uuid::Uuid::new_v4().simple().to_string();
                w.enqueue_intent(&key, &channel_id, &Intent::Delete { post_id: id }, now)?;
                Ok(true)
            })
            .await?;
        if found {
            Ok(())
        } else {
            Err(post_not_found())
        }
    }

    pub async fn add_reaction(&self, post_id: &str, emoji_name: &str) -> Result<(), Error> {
        self.react(post_id, emoji_name, true).await
    }

    pub async fn remove_reaction(&self, post_id: &str, emoji_name: &str) -> Result<(), Error> {
        self.react(post_id, emoji_name, false).await
    }

    async fn react(&self, post_id: &str, emoji_name: &str, add: bool) -> Result<(), Error> {
        let id = post_id.to_owned();
        let emoji = emoji_name.to_owned();
        let me = self.shared.user_id.clone();
        let now = now_ms();
        let found = self
            .write(move |w| {
                let Some(channel_id) = live_post_channel(w, &id)? else {
                    return Ok(false);
                };
                let intent = if add {
                    w.add_reaction(&crate::model::Reaction {
                        user_id: me,
                        post_id: id.clone(),
                        emoji_name: emoji.clone(),
                        create_at: now,
                        ..Default::default()
                    })?;
                    Intent::AddReaction {
                        post_id: id,
                        emoji_name: emoji,
                    }
                } else {
                    w.remove_reaction(&id, &me, &emoji)?;
                    Intent::RemoveReaction {
                        post_id: id,
                        emoji_name: emoji,
                    }
                };
                let key = uuid::Uuid::new_v4().simple().to_string();
                w.enqueue_intent(&key, &channel_id, &intent, now)?;
                Ok(true)
            })
            .await?;
        if found {
            Ok(())
        } else {
            Err(post_not_found())
        }
    }

    /// Marks a channel read here at once and on the server soon.
    pub async fn mark_viewed(&self, channel_id: &str) -> Result<(), Error> {
        let channel = channel_id.to_owned();
        let me = self.shared.user_id.clone();
        let now = now_ms();
        self.write(move |w| {
            w.mark_channel_read(&channel, &me, now)?;
            w.notify_channel_lists_of(std::slice::from_ref(&channel))?;
            // One queued view per channel is enough.
            if !crate::store::view_queued(w.conn(), &channel)? {
                let key = uuid::Uuid::new_v4().simple().to_string();
                w.enqueue_intent(
                    &key,
                    &channel,
                    &Intent::ViewChannel {
                        channel_id: channel.clone(),
                    },
                    now,
                )?;
            }
            Ok(())
        })
        .await
    }

    /// Sends a failed intent again (the user tapped "retry").
    pub async fn retry(&self, client_key: &str) -> Result<(), Error> {
        let key = client_key.to_owned();
        let now = now_ms();
        self.write(move |w| w.requeue_failed(&key, now)).await
    }

    /// Drops a failed or still unsent intent and its local echo. An intent
    /// that may have reached the server cannot be discarded (it would come
    /// back); it is verified and settled by the worker.
    pub async fn discard(&self, client_key: &str) -> Result<bool, Error> {
        let key = client_key.to_owned();
        self.write(move |w| {
            let removable = crate::store::discardable(w.conn(), &key)?;
            if removable {
                w.finish_intent(&key)?;
            }
            Ok(removable)
        })
        .await
    }

    /// Every intent not yet confirmed, oldest first.
    pub async fn entries(&self) -> Result<Vec<Entry>, Error> {
        self.shared.store.read(entries).await.map_err(storage)
    }

    /// Sends what is due now and returns when nothing is (for a process
    /// that runs no worker, such as one started for a notification action).
    pub async fn send_due(&self) -> Result<(), Error> {
        worker::send_due(&self.shared).await.map_err(storage)
    }

    /// The network is back: retry everything now.
    pub fn flush(&self) {
        self.shared.flush.notify_one();
    }
}

/// The channel of a post that can still be edited or reacted to: one the
/// user deleted here (its delete perhaps still queued) is gone for them,
/// and an edit or reaction queued behind the delete could only fail.
fn live_post_channel(w: &Writer<'_>, post_id: &str) -> StoreResult<Option<String>> {
    if !crate::store::post_is_live(w.conn(), post_id)? {
        return Ok(None);
    }
    crate::store::post_channel(w.conn(), post_id)
}

/// The outbox entry of a post that certainly has not reached the server.
fn unsent_post(w: &Writer<'_>, client_key: &str) -> StoreResult<Option<Entry>> {
    Ok(crate::store::entry(w.conn(), client_key)?.filter(|e| {
        matches!(e.intent, Intent::Post { .. })
            && !e.maybe_sent
            && !matches!(e.state, SendState::Sending)
    }))
}
