//! Handling a push when it arrives, possibly in a process that was just
//! started for it (the app was killed): only the store and the secret
//! store are needed. The content comes from the store (the websocket may
//! have brought the post already) or from the server, never from the push.

use std::sync::Arc;

use super::{Account, Client};
use crate::api::push::{ack_notification, attach_device, PushAck};
use crate::api::{self, ApiClient};
use crate::error::{Error, Result};
use crate::locks::RwLockExt;
use crate::model::{Channel, ChannelMember, Post, User};
use crate::push::consent::current_consent;
use crate::push::payload::{decode_push, PushKind, PushPayload};
use crate::push::registration::{registration, withdrawn_placeholder, PushPlatform};
use crate::push::rules::{SilentReason, Verdict};
use crate::push::{evaluate, Notification, PushAction, PushOutcome};
use crate::realtime::now_ms;
use crate::store::Store;

impl Client {
    /// Handles a push payload as the platform delivered it: the full
    /// Mattermost push message or the gateway's ids-only one. Works in a
    /// fresh process: the account is restored from the store and the
    /// secret store. With several accounts, the push's `server_id` says
    /// whose it is (the outcome names the account); it is never handled
    /// as another server's account's. A malformed payload is `InvalidInput` (see
    /// [`decode_push`] for the typed reason).
    pub async fn handle_push(&self, payload: &[u8]) -> Result<PushOutcome> {
        let push = decode_push(payload).map_err(|e| Error::InvalidInput {
            reason: e.to_string(),
        })?;
        self.handle_push_payload(push).await
    }

    /// [`Client::handle_push`] for an already decoded payload.
    pub async fn handle_push_payload(&self, push: PushPayload) -> Result<PushOutcome> {
        let account = self.account_for_push(&push.server_id).await?;
        let account_key = account.key.clone();
        let (consent, registered) = account
            .store
            .read(|conn| Ok((current_consent(conn)?, registration(conn)?)))
            .await?;
        let badge = push.badge.filter(|b| *b >= 0);
        let wanted = registered
            .as_ref()
            .filter(|r| consent.granted_delivery() == Some(r.device.delivery));
        let Some(registered) = wanted else {
            // The server still pushes to this session although the user
            // did not consent (or withdrew and the store was lost since):
            // take the device id off the session again.
            let platform = if push.platform.starts_with("apple") {
                PushPlatform::Apple
            } else {
                PushPlatform::Android
            };
            let placeholder = withdrawn_placeholder(platform);
            if let Err(error) = attach_device(&account.api, &placeholder.device_id()).await {
                tracing::info!(error = %error, "push: unwanted push, device id not replaced");
            }
            return Ok(PushOutcome {
                action: PushAction::NotConsented,
                badge: None,
                account_key,
            });
        };
        let ack = acknowledge(&account.api, &push, registered.device.platform);
        let work = self.act_on(&account, &push);
        let (acked, action) = tokio::join!(ack, work);
        if let Err(error) = acked {
            tracing::info!(error = %error, "push: acknowledgement failed");
        }
        Ok(PushOutcome {
            action: action?,
            badge,
            account_key,
        })
    }

    /// Replies from a notification: queued in the outbox (so it survives
    /// the process being killed again and goes out exactly once), then the
    /// channel is marked read, as after reading it. `root_id` is the
    /// notification's thread (empty: a post in the channel). Returns the
    /// post's client key. It goes out from the account whose cache knows
    /// the channel, active or not.
    pub async fn reply_from_notification(
        &self,
        channel_id: &str,
        root_id: &str,
        message: &str,
    ) -> Result<String> {
        if message.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "the reply is empty".into(),
            });
        }
        let account = self.account_for_channel(channel_id).await?;
        let id = channel_id.to_owned();
        let channel = account
            .store
            .read(move |conn| crate::store::cached_channel(conn, &id))
            .await?;
        if channel.is_some_and(|c| c.delete_at > 0) {
            return Err(Error::ChannelArchived);
        }
        let key = account
            .outbox
            .send_post(channel_id, root_id, message, Vec::new())
            .await?;
        account.outbox.mark_viewed(channel_id).await?;
        self.send_queued_now(&account).await;
        Ok(key)
    }

    /// "Mark as read" from a notification, through the outbox.
    pub async fn mark_read_from_notification(&self, channel_id: &str) -> Result<()> {
        let account = self.account_for_channel(channel_id).await?;
        account.outbox.mark_viewed(channel_id).await?;
        self.send_queued_now(&account).await;
        Ok(())
    }

    /// A notification action often runs in a process with no live services:
    /// send what it queued now (the worker does it when running). A failure
    /// leaves the intent queued for the next start.
    async fn send_queued_now(&self, account: &Account) {
        if self.live_of(&account.user_id).is_some() {
            return;
        }
        if let Err(error) = account.outbox.send_due().await {
            tracing::info!(error = %error, "notification action stays queued");
        }
    }

    /// The signed-in account, restored from disk when the process is new.
    pub(crate) async fn account_or_restore(&self) -> Result<Arc<Account>> {
        if let Ok(account) = self.account() {
            return Ok(account);
        }
        self.restore().await?.ok_or(Error::Unauthorized)?;
        self.account()
    }

    async fn act_on(&self, account: &Account, push: &PushPayload) -> Result<PushAction> {
        match push.kind {
            PushKind::Message => self.message_push(account, push).await,
            PushKind::Clear => {
                // Read on another device: so it is here, until the next
                // sync says more. A thread's clear names its root.
                let (channel_id, root_id, me) = (
                    push.channel_id.clone(),
                    push.root_id.clone(),
                    account.user_id.clone(),
                );
                account
                    .store
                    .write(move |w| {
                        if root_id.is_empty() {
                            w.mark_channel_read(&channel_id, &me, now_ms())?;
                            w.notify_channel_lists_of(std::slice::from_ref(&channel_id))
                        } else {
                            w.thread_read_elsewhere(&root_id, now_ms())
                        }
                    })
                    .await?;
                Ok(PushAction::Clear {
                    channel_id: push.channel_id.clone(),
                    root_id: push.root_id.clone(),
                })
            }
            PushKind::UpdateBadge => Ok(PushAction::UpdateBadge),
            PushKind::Test => Ok(PushAction::Test),
            PushKind::Session => match api::users::me(&account.api).await {
                Ok(_) => Ok(PushAction::SessionValid),
                Err(Error::SessionExpired | Error::Unauthorized) => Ok(PushAction::SessionEnded),
                Err(e) => Err(e),
            },
        }
    }

    /// The post, its channel, the membership and the sender come from the
    /// store when cached, the rest from the server in parallel: in the
    /// usual case (the app synced before, the message is new) that is the
    /// post alone. The settings that decide (the user's status and
    /// notification props, the channel's) are the server's business at
    /// push time: it pushed with fresh values, and it does not push to a
    /// user in "do not disturb" or for a muted channel. So the cached ones
    /// are trusted while they let the push through; only when they would
    /// silence it are they asked for again, because a stale cache (a
    /// channel unmuted on another device) must not hide the push.
    async fn message_push(&self, account: &Account, push: &PushPayload) -> Result<PushAction> {
        let cached_me = account.user.read_now().clone();
        if cached_me.id != account.user_id {
            return Err(Error::Unauthorized);
        }
        let known = {
            let (post_id, channel_id, me) = (
                push.post_id.clone(),
                push.channel_id.clone(),
                cached_me.id.clone(),
            );
            account
                .store
                .read(move |conn| {
                    let post = crate::store::notification_post(conn, &post_id)?;
                    let channel_id = post.as_ref().map_or(channel_id, |p| p.channel_id.clone());
                    let channel = crate::store::notification_channel(conn, &channel_id, &me)?;
                    let sender = match &post {
                        Some(p) => crate::store::reads::name_of(conn, &p.user_id)?.is_some(),
                        None => false,
                    };
                    Ok(Known {
                        post: post.is_some(),
                        channel: channel.is_some(),
                        member: channel.is_some_and(|c| c.member_props.is_some()),
                        sender,
                        channel_id,
                    })
                })
                .await?
        };
        let fetched =
            match fetch_missing(&account.api, &account.store, push, &cached_me.id, &known).await {
                Ok(fetched) => fetched,
                Err(Error::NotFound { .. } | Error::Forbidden { .. }) => {
                    return Ok(PushAction::Unavailable)
                }
                Err(e) => return Err(e),
            };
        let channel_id = fetched
            .post
            .as_ref()
            .map_or(known.channel_id, |p| p.channel_id.clone());
        store_fetched(account, fetched).await?;
        let evaluated = self.evaluate_push(account, cached_me, None, push).await?;
        let Some((Verdict::Silent(reason), None)) = &evaluated else {
            return Ok(action_of(evaluated));
        };
        if !settings_may_have_changed(*reason) {
            return Ok(action_of(evaluated));
        }
        let status = my_status(&account.api, &account.user_id);
        let settings = self.refresh_user_of(account);
        let member = api::channels::my_channel_member(&account.api, &channel_id);
        let (status, settings, member) = tokio::join!(status, settings, member);
        let me = match settings {
            Ok(fresh) => fresh,
            Err(error) => {
                tracing::debug!(error = %error, "push: using the cached notification settings");
                account.user.read_now().clone()
            }
        };
        match member {
            Ok(member) => {
                account
                    .store
                    .write(move |w| w.upsert_channel_members(std::slice::from_ref(&member)))
                    .await?
            }
            Err(Error::NotFound { .. } | Error::Forbidden { .. }) => {
                return Ok(PushAction::Unavailable)
            }
            Err(error) => {
                tracing::debug!(error = %error, "push: using the cached channel settings");
            }
        }
        let evaluated = self.evaluate_push(account, me, status, push).await?;
        Ok(action_of(evaluated))
    }

    async fn evaluate_push(
        &self,
        account: &Account,
        me: User,
        status: Option<String>,
        push: &PushPayload,
    ) -> Result<Option<(Verdict, Option<Notification>)>> {
        let post_id = push.post_id.clone();
        let locale = self.locale();
        Ok(account
            .store
            .read(move |conn| evaluate(conn, &me, status.as_deref(), &post_id, None, true, locale))
            .await?)
    }
}

/// What the store held before the push was handled.
struct Known {
    post: bool,
    channel: bool,
    /// The user's membership of the channel (its notification settings).
    member: bool,
    sender: bool,
    /// The cached post's channel, else the push's.
    channel_id: String,
}

/// Silences that fresher settings than the cached ones may lift; the
/// others (own post, system message, deleted) are facts of the post.
fn settings_may_have_changed(reason: SilentReason) -> bool {
    match reason {
        SilentReason::DoNotDisturb
        | SilentReason::MutedChannel
        | SilentReason::LevelNone
        | SilentReason::NotMentioned => true,
        SilentReason::OwnPost | SilentReason::SystemMessage | SilentReason::Deleted => false,
    }
}

fn action_of(evaluated: Option<(Verdict, Option<Notification>)>) -> PushAction {
    match evaluated {
        Some((_, Some(notification))) => PushAction::Show { notification },
        Some((Verdict::Silent(reason), None)) => PushAction::Silent { reason },
        _ => PushAction::Unavailable,
    }
}

async fn store_fetched(account: &Account, fetched: Fetched) -> Result<()> {
    if fetched.is_empty() {
        return Ok(());
    }
    account
        .store
        .write(move |w| {
            if let Some(post) = &fetched.post {
                w.upsert_posts(std::iter::once(post))?;
            }
            if let Some(channel) = &fetched.channel {
                w.upsert_channels(std::slice::from_ref(channel))?;
            }
            if let Some(member) = &fetched.member {
                w.upsert_channel_members(std::slice::from_ref(member))?;
            }
            w.upsert_users(&fetched.users)?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// What had to come from the server.
#[derive(Default)]
struct Fetched {
    post: Option<Post>,
    channel: Option<Channel>,
    member: Option<ChannelMember>,
    users: Vec<User>,
}

impl Fetched {
    fn is_empty(&self) -> bool {
        self.post.is_none()
            && self.channel.is_none()
            && self.member.is_none()
            && self.users.is_empty()
    }
}

/// Fetches what the store lacks: the post, its channel, the membership,
/// the sender (for a post not cached yet, its author is looked up in the
/// store once the post names them). Independent requests run at the same
/// time.
async fn fetch_missing(
    api: &ApiClient,
    store: &Store,
    push: &PushPayload,
    me: &str,
    known: &Known,
) -> Result<Fetched> {
    let mut fetched = Fetched::default();
    let post = async {
        if known.post {
            Ok(None)
        } else {
            api::posts::post(api, &push.post_id).await.map(Some)
        }
    };
    let channel = fetch_channel(api, &known.channel_id, !known.channel, !known.member);
    let sender = async {
        if known.sender || push.sender_id.is_empty() || push.sender_id == me {
            Ok(None)
        } else {
            api::users::user(api, &push.sender_id).await.map(Some)
        }
    };
    let (post, channel, sender) = tokio::join!(post, channel, sender);
    fetched.post = post?;
    (fetched.channel, fetched.member) = channel?;
    if let Some(sender) = sender? {
        fetched.users.push(sender);
    }
    // The push's ids are not trusted: the post's own channel and author
    // count. Fetch them when the push named others.
    if let Some(post) = &fetched.post {
        if post.channel_id != known.channel_id {
            (fetched.channel, fetched.member) =
                fetch_channel(api, &post.channel_id, true, true).await?;
        }
        let author_cached = known.sender || {
            let author = post.user_id.clone();
            store
                .read(move |conn| Ok(crate::reads::name_of(conn, &author)?.is_some()))
                .await?
        };
        if !author_cached
            && post.user_id != me
            && !fetched.users.iter().any(|u| u.id == post.user_id)
        {
            fetched
                .users
                .push(api::users::user(api, &post.user_id).await?);
        }
    }
    Ok(fetched)
}

/// The channel and the membership, each when asked for.
async fn fetch_channel(
    api: &ApiClient,
    channel_id: &str,
    with_channel: bool,
    with_member: bool,
) -> Result<(Option<Channel>, Option<ChannelMember>)> {
    let channel = async {
        if with_channel {
            api::channels::channel(api, channel_id).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let member = async {
        if with_member {
            api::channels::my_channel_member(api, channel_id)
                .await
                .map(Some)
        } else {
            Ok(None)
        }
    };
    let (channel, member) = tokio::join!(channel, member);
    Ok((channel?, member?))
}

/// The user's status from the server (the push may be older than a
/// change to "do not disturb"); unknown when it does not answer.
async fn my_status(api: &ApiClient, me: &str) -> Option<String> {
    match api::users::statuses_by_ids(api, &[me.to_owned()]).await {
        Ok(statuses) => statuses
            .into_iter()
            .find(|s| s.user_id == me)
            .map(|s| s.status),
        Err(error) => {
            tracing::debug!(error = %error, "push: status unknown");
            None
        }
    }
}

/// `POST /notifications/ack` when the push asks for it.
async fn acknowledge(api: &ApiClient, push: &PushPayload, platform: PushPlatform) -> Result<()> {
    if push.ack_id.is_empty() {
        return Ok(());
    }
    ack_notification(
        api,
        &PushAck {
            id: push.ack_id.clone(),
            received_at: now_ms(),
            platform: platform.ack_platform().to_owned(),
            push_type: push.kind.as_str().to_owned(),
            post_id: push.post_id.clone(),
            is_id_loaded: push.is_id_loaded,
        },
    )
    .await
}
