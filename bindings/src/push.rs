//! Push notifications: the consent screen's decisions, this device's
//! registration, and the platform's way to delete a registration at its
//! push service. The rules (nothing before consent, withdrawal deletes
//! everywhere) are core's; this file only converts.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use pausenhof_core::push as core_push;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::{self, run};
use crate::task_handle::TaskHandle;

/// How notifications reach the device once the user agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Delivery {
    /// Firebase Cloud Messaging or Apple Push Notification service.
    PlatformPush,
    /// A UnifiedPush distributor, fed by the school's push gateway.
    UnifiedPush,
    /// No push service: the app keeps its own connection in the background.
    BackgroundConnection,
}

/// Where the user stands on notifications. Times are milliseconds since
/// the epoch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentState {
    /// The consent screen was never answered: nothing may be registered.
    NotAsked,
    Granted {
        delivery: Delivery,
        at: i64,
        /// Which wording of the consent text the user agreed to.
        consent_text_version: String,
    },
    Declined {
        at: i64,
    },
    Withdrawn {
        at: i64,
    },
}

/// One decision of the consent log (the proof of consent).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentRecord {
    pub seq: i64,
    pub decision: ConsentState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PushPlatform {
    /// FCM tokens and UnifiedPush gateway tokens.
    Android,
    /// APNs tokens.
    Apple,
}

/// What the app got from its push service. No `Debug`: the token
/// addresses this device.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushDevice {
    pub delivery: Delivery,
    pub platform: PushPlatform,
    /// The FCM or APNs token, or the id the school's push gateway issued
    /// for the UnifiedPush endpoint.
    pub token: String,
}

impl std::fmt::Debug for PushDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushDevice")
            .field("delivery", &self.delivery)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// What a UnifiedPush distributor gave the app: the endpoint and the
/// app's Web Push keys (`p256dh`: uncompressed P-256 public key, `auth`:
/// 16 bytes; both base64url). No `Debug`: the endpoint addresses this
/// device.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct UnifiedPushEndpoint {
    pub url: String,
    pub p256dh: String,
    pub auth: String,
}

impl From<UnifiedPushEndpoint> for core_push::UnifiedPushEndpoint {
    fn from(endpoint: UnifiedPushEndpoint) -> Self {
        core_push::UnifiedPushEndpoint {
            url: endpoint.url,
            p256dh: endpoint.p256dh,
            auth: endpoint.auth,
        }
    }
}

/// Where push stands for the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushStatus {
    pub consent: ConsentState,
    /// The registered device, without its token.
    pub registered: Option<RegisteredDevice>,
    /// Withdrawn or replaced registrations not yet deleted everywhere;
    /// `sync_push_registration` retries them.
    pub teardowns_pending: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RegisteredDevice {
    pub delivery: Delivery,
    pub platform: PushPlatform,
    /// The server session carries it (false until the first attach).
    pub attached: bool,
}

/// Deletes a registration at its push service: for UnifiedPush the app
/// unregisters from the distributor (the core deletes what it registered
/// at the school's gateway itself), otherwise the FCM/APNs token.
/// Implemented by the app; called on a background thread, so it may block
/// on the network. The core retries until it succeeds.
#[uniffi::export(with_foreign)]
pub trait PushRegistrar: Send + Sync {
    /// Succeeds also when the service no longer knows the registration.
    fn unregister(&self, device: PushDevice) -> Result<(), PushRegistrarFailure>;
}

/// Why the app could not delete a registration (kept owed, retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum PushRegistrarFailure {
    #[error("push registration not deleted: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PushRegistrarFailure {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PushRegistrarFailure::Failed {
            reason: format!("unexpected error in the app's registrar: {}", error.reason),
        }
    }
}

#[uniffi::export]
impl Client {
    /// Sets how registrations are deleted at their push service.
    pub fn set_push_registrar(&self, registrar: Arc<dyn PushRegistrar>) {
        self.core
            .set_push_registrar(Arc::new(ForeignRegistrar(registrar)));
    }

    pub async fn push_status(&self) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(run(async move { core.push_status().await }).await?.into())
    }

    /// Every consent decision of the account, oldest first.
    pub async fn push_consent_log(&self) -> Result<Vec<ConsentRecord>> {
        let core = self.core.clone();
        Ok(run(async move { core.push_consent_log().await })
            .await?
            .into_iter()
            .map(|record| ConsentRecord {
                seq: record.seq,
                decision: record.decision.into(),
            })
            .collect())
    }

    /// The user agreed on the consent screen (to the text of
    /// `consent_text_version`). Then register with the push service and
    /// call `register_push_device`.
    pub async fn grant_push_consent(
        &self,
        delivery: Delivery,
        consent_text_version: String,
    ) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(run(async move {
            core.grant_push_consent(delivery.into(), &consent_text_version)
                .await
        })
        .await?
        .into())
    }

    /// The user said no on the consent screen.
    pub async fn decline_push_consent(&self) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(run(async move { core.decline_push_consent().await })
            .await?
            .into())
    }

    /// The user withdraws consent: effective at once, registrations are
    /// deleted now or as soon as possible.
    pub async fn withdraw_push_consent(&self) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(run(async move { core.withdraw_push_consent().await })
            .await?
            .into())
    }

    /// Registers the device the push service gave the app (new or changed
    /// token). Needs granted consent for the same delivery.
    pub async fn register_push_device(&self, device: PushDevice) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(
            run(async move { core.register_push_device(device.into()).await })
                .await?
                .into(),
        )
    }

    /// Registers the endpoint the UnifiedPush distributor gave the app at
    /// the school's push gateway, and the gateway's token as this device.
    /// Needs granted consent for UnifiedPush; nothing reaches the gateway
    /// before. `PushGatewayMissing` when the school runs none.
    pub async fn register_unified_push(&self, endpoint: UnifiedPushEndpoint) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(
            run(async move { core.register_unified_push(endpoint.into()).await })
                .await?
                .into(),
        )
    }

    /// Registers the APNs device token iOS gave the app (hex) at the
    /// school's push gateway, and the gateway's token as this device.
    /// Needs granted consent for platform push. `PushGatewayMissing` when
    /// the school runs no gateway or it does not deliver to APNs.
    pub async fn register_apns_token(&self, device_token: String) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(
            run(async move { core.register_apns_token(&device_token).await })
                .await?
                .into(),
        )
    }

    /// The gateway's VAPID public key, for distributors that ask for one.
    pub async fn push_gateway_vapid_key(&self) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move { core.push_gateway_vapid_key().await }).await?)
    }

    /// Attaches the registration to the current session and retries owed
    /// deletions; call at app start and when the network returns.
    pub async fn sync_push_registration(&self) -> Result<PushStatus> {
        let core = self.core.clone();
        Ok(run(async move { core.sync_push_registration().await })
            .await?
            .into())
    }
}

/// Core's view of the app's registrar: the blocking foreign call runs on
/// the runtime's blocking pool, never on an async worker.
struct ForeignRegistrar(Arc<dyn PushRegistrar>);

impl core_push::PushRegistrar for ForeignRegistrar {
    fn unregister(
        &self,
        device: core_push::PushDevice,
    ) -> Pin<Box<dyn Future<Output = Result<(), core_push::RegistrarError>> + Send + 'static>> {
        let registrar = self.0.clone();
        Box::pin(async move {
            let call =
                runtime::handle().spawn_blocking(move || registrar.unregister(device.into()));
            match call.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(PushRegistrarFailure::Failed { reason })) => {
                    Err(core_push::RegistrarError { reason })
                }
                Err(_) => Err(core_push::RegistrarError {
                    reason: "the app's registrar panicked".into(),
                }),
            }
        })
    }
}

impl From<Delivery> for core_push::Delivery {
    fn from(delivery: Delivery) -> Self {
        match delivery {
            Delivery::PlatformPush => core_push::Delivery::PlatformPush,
            Delivery::UnifiedPush => core_push::Delivery::UnifiedPush,
            Delivery::BackgroundConnection => core_push::Delivery::BackgroundConnection,
        }
    }
}

impl From<core_push::Delivery> for Delivery {
    fn from(delivery: core_push::Delivery) -> Self {
        match delivery {
            core_push::Delivery::PlatformPush => Delivery::PlatformPush,
            core_push::Delivery::UnifiedPush => Delivery::UnifiedPush,
            core_push::Delivery::BackgroundConnection => Delivery::BackgroundConnection,
        }
    }
}

impl From<PushPlatform> for core_push::PushPlatform {
    fn from(platform: PushPlatform) -> Self {
        match platform {
            PushPlatform::Android => core_push::PushPlatform::Android,
            PushPlatform::Apple => core_push::PushPlatform::Apple,
        }
    }
}

impl From<core_push::PushPlatform> for PushPlatform {
    fn from(platform: core_push::PushPlatform) -> Self {
        match platform {
            core_push::PushPlatform::Android => PushPlatform::Android,
            core_push::PushPlatform::Apple => PushPlatform::Apple,
        }
    }
}

impl From<PushDevice> for core_push::PushDevice {
    fn from(device: PushDevice) -> Self {
        core_push::PushDevice {
            delivery: device.delivery.into(),
            platform: device.platform.into(),
            token: device.token,
        }
    }
}

impl From<core_push::PushDevice> for PushDevice {
    fn from(device: core_push::PushDevice) -> Self {
        PushDevice {
            delivery: device.delivery.into(),
            platform: device.platform.into(),
            token: device.token,
        }
    }
}

impl From<core_push::ConsentState> for ConsentState {
    fn from(state: core_push::ConsentState) -> Self {
        use core_push::ConsentState as S;
        match state {
            S::NotAsked => ConsentState::NotAsked,
            S::Granted {
                delivery,
                at,
                consent_text_version,
            } => ConsentState::Granted {
                delivery: delivery.into(),
                at,
                consent_text_version,
            },
            S::Declined { at } => ConsentState::Declined { at },
            S::Withdrawn { at } => ConsentState::Withdrawn { at },
        }
    }
}

impl From<core_push::PushStatus> for PushStatus {
    fn from(status: core_push::PushStatus) -> Self {
        PushStatus {
            consent: status.consent.into(),
            registered: status.registered.map(|device| RegisteredDevice {
                delivery: device.delivery.into(),
                platform: device.platform.into(),
                attached: device.attached,
            }),
            teardowns_pending: u32::try_from(status.teardowns_pending).unwrap_or(u32::MAX),
        }
    }
}

/// What to do with a push.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushOutcome {
    pub action: PushAction,
    /// The app icon's badge, when the push carried one.
    pub badge: Option<i64>,
    /// The account the push belongs to (see `Client.accounts`): opening
    /// its notification switches to it.
    pub account_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PushAction {
    /// Show this notification.
    Show { notification: Notification },
    /// A new post that should not notify (muted, own post, ...).
    Silent { reason: SilentReason },
    /// The post is gone or not readable any more: show nothing.
    Unavailable,
    /// Remove the notifications of this channel (of this thread when
    /// `root_id` is set): it was read elsewhere.
    Clear { channel_id: String, root_id: String },
    /// Only the badge changed.
    UpdateBadge,
    /// The server ended the session: show the sign-in screen.
    SessionEnded,
    /// A "session" push for a session the server still accepts.
    SessionValid,
    /// The admin's test push: show that notifications work.
    Test,
    /// No consent (any more): show nothing.
    NotConsented,
}

/// A notification to show; its content comes from the store or the
/// server, never from the push.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Notification {
    /// The post's id: the platform notification's tag.
    pub id: String,
    /// Channel name, or the sender in a direct message.
    pub title: String,
    pub sender_id: String,
    /// Empty when the sender is not known.
    pub sender_name: String,
    /// The message text (shortened); empty for a post with only files.
    pub body: String,
    pub file_count: u32,
    pub channel_id: String,
    pub channel_kind: NotificationChannelKind,
    pub team_id: String,
    /// The thread's root post; empty for a post that is not a reply.
    pub root_id: String,
    /// Notifications with the same key belong to one conversation.
    pub group_key: String,
    pub reason: NotifyReason,
    /// A reply from the notification can be sent.
    pub reply_allowed: bool,
    pub create_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NotificationChannelKind {
    Direct,
    Group,
    Open,
    Private,
}

/// Why a post notifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NotifyReason {
    DirectMessage,
    Mention,
    /// `@channel`, `@all` or `@here`.
    ChannelWideMention,
    ThreadReply,
    AllMessages,
    /// A push the server sent for a reason the app cannot see (a group
    /// mention, a followed thread).
    ServerDecided,
}

/// Why a post does not notify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SilentReason {
    OwnPost,
    SystemMessage,
    Deleted,
    DoNotDisturb,
    MutedChannel,
    LevelNone,
    NotMentioned,
}

/// Receives the notifications the background connection makes.
#[uniffi::export(with_foreign)]
pub trait NotificationListener: Send + Sync {
    fn on_notification(&self, notification: Notification);
}

#[uniffi::export]
impl Client {
    /// Handles a push as the platform delivered it (the full Mattermost
    /// message or the gateway's ids-only one), also in a process started
    /// just for it. A malformed payload raises `InvalidInput`.
    pub async fn handle_push(&self, payload: Vec<u8>) -> Result<PushOutcome> {
        let core = self.core.clone();
        Ok(run(async move { core.handle_push(&payload).await })
            .await?
            .into())
    }

    /// Replies from a notification (through the outbox), then marks the
    /// channel read. Returns the post's client key.
    pub async fn reply_from_notification(
        &self,
        channel_id: String,
        root_id: String,
        message: String,
    ) -> Result<String> {
        let core = self.core.clone();
        Ok(run(async move {
            core.reply_from_notification(&channel_id, &root_id, &message)
                .await
        })
        .await?)
    }

    /// "Mark as read" from a notification.
    pub async fn mark_read_from_notification(&self, channel_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.mark_read_from_notification(&channel_id).await }).await?)
    }

    /// Notifications for posts arriving over the websocket while the app
    /// is in the background (same consent and rules as pushes), until the
    /// handle is cancelled or realtime stops.
    pub fn subscribe_background_notifications(
        &self,
        listener: Arc<dyn NotificationListener>,
    ) -> Result<Arc<TaskHandle>> {
        let _context = runtime::handle().enter();
        let mut notifications = self.core.background_notifications()?;
        let task = runtime::handle().spawn(async move {
            while let Some(notification) = notifications.next().await {
                listener.on_notification(notification.into());
            }
        });
        Ok(Arc::new(TaskHandle::new(task.abort_handle())))
    }
}

impl From<core_push::PushOutcome> for PushOutcome {
    fn from(outcome: core_push::PushOutcome) -> Self {
        use core_push::PushAction as A;
        PushOutcome {
            action: match outcome.action {
                A::Show { notification } => PushAction::Show {
                    notification: notification.into(),
                },
                A::Silent { reason } => PushAction::Silent {
                    reason: reason.into(),
                },
                A::Unavailable => PushAction::Unavailable,
                A::Clear {
                    channel_id,
                    root_id,
                } => PushAction::Clear {
                    channel_id,
                    root_id,
                },
                A::UpdateBadge => PushAction::UpdateBadge,
                A::SessionEnded => PushAction::SessionEnded,
                A::SessionValid => PushAction::SessionValid,
                A::Test => PushAction::Test,
                A::NotConsented => PushAction::NotConsented,
            },
            badge: outcome.badge,
            account_key: outcome.account_key,
        }
    }
}

impl From<core_push::Notification> for Notification {
    fn from(n: core_push::Notification) -> Self {
        use core_push::rules::NotifyReason as R;
        use core_push::NotificationChannelKind as K;
        Notification {
            id: n.id,
            title: n.title,
            sender_id: n.sender_id,
            sender_name: n.sender_name,
            body: n.body,
            file_count: n.file_count,
            channel_id: n.channel_id,
            channel_kind: match n.channel_kind {
                K::Direct => NotificationChannelKind::Direct,
                K::Group => NotificationChannelKind::Group,
                K::Open => NotificationChannelKind::Open,
                K::Private => NotificationChannelKind::Private,
            },
            team_id: n.team_id,
            root_id: n.root_id,
            group_key: n.group_key,
            reason: match n.reason {
                R::DirectMessage => NotifyReason::DirectMessage,
                R::Mention => NotifyReason::Mention,
                R::ChannelWideMention => NotifyReason::ChannelWideMention,
                R::ThreadReply => NotifyReason::ThreadReply,
                R::AllMessages => NotifyReason::AllMessages,
                R::ServerDecided => NotifyReason::ServerDecided,
            },
            reply_allowed: n.reply_allowed,
            create_at: n.create_at,
        }
    }
}

impl From<core_push::rules::SilentReason> for SilentReason {
    fn from(reason: core_push::rules::SilentReason) -> Self {
        use core_push::rules::SilentReason as S;
        match reason {
            S::OwnPost => SilentReason::OwnPost,
            S::SystemMessage => SilentReason::SystemMessage,
            S::Deleted => SilentReason::Deleted,
            S::DoNotDisturb => SilentReason::DoNotDisturb,
            S::MutedChannel => SilentReason::MutedChannel,
            S::LevelNone => SilentReason::LevelNone,
            S::NotMentioned => SilentReason::NotMentioned,
        }
    }
}
