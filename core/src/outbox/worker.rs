//! The worker that drains the outbox: one entry at a time, each channel in
//! order, retries with backoff, and no resend before the server was asked
//! whether an uncertain attempt went through.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

use super::api::{classify, Failure, OutboxApi};
use super::OutboxConfig;
use crate::api::posts::NewPost;
use crate::error::Error;
use crate::model::Post;
use crate::realtime::{now_ms, ConnectionState, OfflineReason};
use crate::store::{newest_range, next_due, server_post_id, Entry, Intent, CLIENT_KEY_PROP};
use crate::store::{Store, StoreError};

/// What the worker shares with the [`super::Outbox`] handle.
pub(crate) struct Shared<A> {
    pub api: Arc<A>,
    pub store: Store,
    pub user_id: String,
    pub config: OutboxConfig,
    /// New work or a retry request.
    pub wake: Arc<Notify>,
    /// The network came back: due times are moved to now.
    pub flush: Arc<Notify>,
    /// Held while an entry is processed: the worker and a one-off
    /// [`send_due`] never send the same entry at once.
    pub sending: tokio::sync::Mutex<()>,
    pub counters: super::Counters,
}

/// The websocket's state, when there is one: no sending while the app
/// says there is no network or the session is gone.
type Connection = Option<watch::Receiver<ConnectionState>>;

enum Outcome {
    Done,
    /// The entry went away meanwhile (discarded, or settled by the event
    /// that brought the server's copy).
    Gone,
    /// Back to the queue.
    Retry {
        after: Duration,
        maybe_sent: bool,
        reason: String,
    },
    Failed(String),
}

pub(crate) async fn run<A: OutboxApi>(shared: Arc<Shared<A>>, connection: Connection) {
    loop {
        wait_until_online(&connection).await;
        let next = shared.store.read(next_due).await;
        let entry = match next {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot read the queue");
                wait(&shared, &connection, Some(Duration::from_secs(5))).await;
                continue;
            }
        };
        let Some(entry) = entry else {
            wait(&shared, &connection, None).await;
            continue;
        };
        let now = now_ms();
        if entry.next_attempt_at > now {
            let delay = Duration::from_millis((entry.next_attempt_at - now) as u64);
            wait(&shared, &connection, Some(delay)).await;
            continue;
        }
        let result = {
            let _sending = shared.sending.lock().await;
            process(&shared, &entry).await
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "outbox: store failed");
            wait(&shared, &connection, Some(Duration::from_secs(1))).await;
        }
    }
}

/// Sends every entry that is due now, one at a time, and returns when
/// none is (later retries are left to the worker).
pub(crate) async fn send_due<A: OutboxApi>(shared: &Shared<A>) -> Result<(), StoreError> {
    loop {
        let _sending = shared.sending.lock().await;
        let Some(entry) = shared.store.read(next_due).await? else {
            return Ok(());
        };
        if entry.next_attempt_at > now_ms() {
            return Ok(());
        }
        process(shared, &entry).await?;
    }
}

async fn wait_until_online(connection: &Connection) {
    let Some(mut connection) = connection.clone() else {
        return;
    };
    let _ = connection
        .wait_for(|s| {
            !matches!(
                s,
                ConnectionState::Offline(OfflineReason::NoNetwork)
                    | ConnectionState::SessionExpired
            )
        })
        .await;
}

/// Sleeps until woken, flushed, or `timeout` passed.
async fn wait<A>(shared: &Shared<A>, connection: &Connection, timeout: Option<Duration>) {
    let sleep = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let offline = async {
        match connection.clone() {
            Some(mut c) => {
                let _ = c
                    .wait_for(|s| matches!(s, ConnectionState::Offline(OfflineReason::NoNetwork)))
                    .await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = sleep => {}
        _ = shared.wake.notified() => {}
        _ = shared.flush.notified() => {
            let now = now_ms();
            let _ = shared
                .store
                .write(move |w| w.make_queued_due(now))
                .await;
        }
        _ = offline => {}
    }
}

async fn process<A: OutboxApi>(shared: &Shared<A>, entry: &Entry) -> Result<(), StoreError> {
    let outcome = match &entry.intent {
        Intent::Post { .. } => send_post(shared, entry).await?,
        _ => send_other(shared, entry).await?,
    };
    let key = entry.client_key.clone();
    match outcome {
        Outcome::Gone => Ok(()),
        Outcome::Done => {
            shared
                .counters
                .done
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            shared.store.write(move |w| w.finish_intent(&key)).await
        }
        Outcome::Retry {
            after,
            maybe_sent,
            reason,
        } => {
            shared
                .counters
                .retries
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let at = now_ms().saturating_add(after.as_millis().min(i64::MAX as u128) as i64);
            shared
                .store
                .write(move |w| w.reschedule(&key, at, maybe_sent, &reason))
                .await
        }
        Outcome::Failed(reason) => {
            tracing::info!(%reason, "outbox: intent refused by the server");
            let maybe_sent = entry.maybe_sent;
            shared
                .store
                .write(move |w| w.mark_failed(&key, &reason, maybe_sent))
                .await
        }
    }
}

fn backoff<A>(shared: &Shared<A>, entry: &Entry) -> Duration {
    let failures = u32::try_from(entry.attempts.max(1)).unwrap_or(u32::MAX);
    shared.config.backoff.delay(failures, &mut rand::rng())
}

/// Marks the entry as sending and returns it as it is now (the user may
/// have edited a queued post meanwhile); `None` when it is gone.
async fn claim<A>(shared: &Shared<A>, entry: &Entry) -> Result<Option<Entry>, StoreError> {
    let key = entry.client_key.clone();
    let now = now_ms();
    shared
        .store
        .write(move |w| {
            w.mark_sending(&key, now)?;
            crate::store::entry(w.conn(), &key)
        })
        .await
}

/// Turns a failed call into the next step.
fn after_failure<A>(shared: &Shared<A>, entry: &Entry, error: &Error) -> Outcome {
    match classify(error) {
        Failure::NotApplied { retry_after } => Outcome::Retry {
            after: retry_after.unwrap_or_else(|| backoff(shared, entry)),
            // An earlier attempt may still have gone through.
            maybe_sent: entry.maybe_sent,
            reason: error.to_string(),
        },
        Failure::MaybeApplied => {
            shared
                .counters
                .uncertain
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Outcome::Retry {
                after: backoff(shared, entry).max(shared.config.settle),
                maybe_sent: true,
                reason: error.to_string(),
            }
        }
        Failure::Permanent { reason } => Outcome::Failed(reason),
        Failure::SignedOut => Outcome::Retry {
            after: shared.config.backoff.cap,
            maybe_sent: entry.maybe_sent,
            reason: error.to_string(),
        },
    }
}

async fn send_post<A: OutboxApi>(shared: &Shared<A>, entry: &Entry) -> Result<Outcome, StoreError> {
    if entry.maybe_sent && entry.first_attempt_at > 0 {
        if let Some(outcome) = verify_post(shared, entry).await? {
            return Ok(outcome);
        }
    }
    // A reply to a post that was itself still in the outbox names the
    // echo's client key; that post went first (same channel), so its
    // server id is known by now. An id the store cannot map is sent as it
    // is (a thread root not cached here).
    let root = match &entry.intent {
        Intent::Post { root_id, .. } if !root_id.is_empty() => {
            let id = root_id.clone();
            shared
                .store
                .read(move |c| server_post_id(c, &id))
                .await?
                .unwrap_or_else(|| root_id.clone())
        }
        _ => String::new(),
    };
    // Re-read while claiming: the user may have edited the queued post.
    let Some(current) = claim(shared, entry).await? else {
        return Ok(Outcome::Gone);
    };
    let Intent::Post {
        channel_id,
        root_id: _,
        message,
        file_ids,
        pending_post_id,
    } = &current.intent
    else {
        return Ok(Outcome::Failed("not a post".into()));
    };
    let mut props = crate::model::JsonMap::new();
    props.insert(CLIENT_KEY_PROP.into(), entry.client_key.clone().into());
    let new_post = NewPost {
        channel_id: channel_id.clone(),
        message: message.clone(),
        root_id: root,
        file_ids: file_ids.clone(),
        props,
        pending_post_id: pending_post_id.clone(),
    };
    match shared.api.create_post(&new_post).await {
        Ok(post) => {
            let echoed_key = post.props.get(CLIENT_KEY_PROP).and_then(|v| v.as_str());
            if echoed_key.is_some_and(|k| k != entry.client_key) {
                // The server's short dedupe matched another post of ours
                // with the same pending id: this one was not created.
                let mut intent = current.intent.clone();
                if let Intent::Post {
                    pending_post_id, ..
                } = &mut intent
                {
                    *pending_post_id = format!("{}:{}", shared.user_id, now_ms());
                }
                let key = entry.client_key.clone();
                shared
                    .store
                    .write(move |w| w.replace_intent(&key, &intent))
                    .await?;
                return Ok(Outcome::Retry {
                    after: Duration::ZERO,
                    maybe_sent: entry.maybe_sent,
                    reason: "pending id taken".into(),
                });
            }
            store_sent_post(shared, post).await?;
            Ok(Outcome::Done)
        }
        // `entry` is the state before this attempt: an earlier uncertain
        // attempt stays uncertain whatever this one says.
        Err(e) => Ok(after_failure(shared, entry, &e)),
    }
}

/// Asks the server whether an earlier uncertain attempt created the post.
/// `Some(outcome)` settles the entry for now (found, or the check failed);
/// `None`: not there, send it.
async fn verify_post<A: OutboxApi>(
    shared: &Shared<A>,
    entry: &Entry,
) -> Result<Option<Outcome>, StoreError> {
    let Intent::Post { channel_id, .. } = &entry.intent else {
        return Ok(None);
    };
    shared
        .counters
        .verifications
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let since = entry
        .first_attempt_at
        .saturating_sub(shared.config.verify_margin.as_millis() as i64);
    match shared.api.posts_since(channel_id, since).await {
        Ok(list) => {
            let found = list.posts.into_values().find(|p| {
                p.user_id == shared.user_id
                    && p.props.get(CLIENT_KEY_PROP).and_then(|v| v.as_str())
                        == Some(entry.client_key.as_str())
            });
            match found {
                Some(post) => {
                    shared
                        .counters
                        .found_on_server
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    store_sent_post(shared, post).await?;
                    Ok(Some(Outcome::Done))
                }
                None => Ok(None),
            }
        }
        // Not knowing is no reason to send again.
        Err(e) => Ok(Some(Outcome::Retry {
            after: backoff(shared, entry),
            maybe_sent: true,
            reason: format!("verifying: {e}"),
        })),
    }
}

async fn store_sent_post<A>(shared: &Shared<A>, post: Post) -> Result<(), StoreError> {
    let me = shared.user_id.clone();
    shared
        .store
        .write(move |w| {
            w.record_new_post(&post, &[], &me)?;
            // A channel never loaded shows nothing: as a live post does, the
            // user's own confirmed post starts a range of its own, so it
            // shows without waiting for the websocket's copy of it.
            if newest_range(w.conn(), &post.channel_id)?.is_none() {
                w.record_range(&post.channel_id, post.create_at, post.create_at, false)?;
            }
            Ok(())
        })
        .await
}

async fn send_other<A: OutboxApi>(
    shared: &Shared<A>,
    entry: &Entry,
) -> Result<Outcome, StoreError> {
    // Targets may be posts that were still in the outbox when the intent
    // was made; the post went first (same channel), so it has its server
    // id by now, or it failed.
    let target = match &entry.intent {
        Intent::Edit { post_id, .. }
        | Intent::Delete { post_id }
        | Intent::AddReaction { post_id, .. }
        | Intent::RemoveReaction { post_id, .. } => {
            let id = post_id.clone();
            match shared.store.read(move |c| server_post_id(c, &id)).await? {
                Some(id) => id,
                None => return Ok(Outcome::Failed("the post was never sent".into())),
            }
        }
        _ => String::new(),
    };
    let Some(current) = claim(shared, entry).await? else {
        return Ok(Outcome::Gone);
    };
    let result = match &current.intent {
        Intent::Edit { message, .. } => match shared.api.patch_post(&target, message).await {
            Ok(post) => {
                let post_for_store = post.clone();
                shared
                    .store
                    .write(move |w| w.upsert_posts(std::iter::once(&post_for_store)))
                    .await?;
                Ok(())
            }
            Err(e) => Err(e),
        },
        Intent::Delete { .. } => match shared.api.delete_post(&target).await {
            // Deleting twice (an earlier uncertain attempt worked) is done.
            Err(Error::NotFound { .. }) if entry.maybe_sent => Ok(()),
            other => other,
        },
        Intent::AddReaction { emoji_name, .. } => {
            shared
                .api
                .add_reaction(&shared.user_id, &target, emoji_name)
                .await
        }
        Intent::RemoveReaction { emoji_name, .. } => {
            match shared.api.remove_reaction(&target, emoji_name).await {
                Err(Error::NotFound { .. }) if entry.maybe_sent => Ok(()),
                other => other,
            }
        }
        Intent::ViewChannel { channel_id } => shared.api.view_channel(channel_id).await,
        Intent::Post { .. } => Ok(()),
    };
    Ok(match result {
        Ok(()) => Outcome::Done,
        Err(e) => after_failure(shared, entry, &e),
    })
}
