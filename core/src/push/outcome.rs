//! What the app does with a push once core has handled it.

use serde::Serialize;

use super::notification::Notification;
use super::rules::SilentReason;

/// What to do with a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushOutcome {
    pub action: PushAction,
    /// The app icon's badge, when the push carried one.
    pub badge: Option<i64>,
    /// The account the push belongs to (see `Client::accounts`): a tap
    /// on its notification switches to it.
    pub account_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
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
    /// The server ended the session: the app shows the sign-in screen.
    SessionEnded,
    /// A "session" push for a session the server still accepts (ignored).
    SessionValid,
    /// The admin's test push: show that notifications work.
    Test,
    /// No consent (any more): show nothing. The server session is told
    /// again to stop pushing.
    NotConsented,
}
