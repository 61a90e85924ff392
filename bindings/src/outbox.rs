//! The outbox as the UI shows it: intents not yet confirmed by the server,
//! with retry and discard.

use pausenhof_core::outbox;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;

/// One queued intent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingSend {
    /// The key `send_post` returned (for other intents a fresh one).
    pub client_key: String,
    pub channel_id: String,
    pub action: PendingAction,
    pub state: SendState,
    pub attempts: u32,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub next_attempt_at: i64,
    /// A request went out whose answer never came: the outbox checks the
    /// server before sending again.
    pub maybe_sent: bool,
}

/// What the intent does.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PendingAction {
    Post {
        root_id: String,
        message: String,
        file_ids: Vec<String>,
    },
    Edit {
        post_id: String,
        message: String,
    },
    Delete {
        post_id: String,
    },
    AddReaction {
        post_id: String,
        emoji_name: String,
    },
    RemoveReaction {
        post_id: String,
        emoji_name: String,
    },
    ViewChannel,
}

/// Where an intent stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SendState {
    /// Waiting for its turn, the network, or the next retry.
    Queued,
    /// A request is (or may be) under way.
    Sending,
    /// The server refused it: offer retry or discard.
    Failed { reason: String },
}

#[uniffi::export]
impl Client {
    /// Intents not yet confirmed by the server, oldest first.
    pub async fn pending_sends(&self) -> Result<Vec<PendingSend>> {
        let core = self.core.clone();
        Ok(run(async move { core.pending_sends().await })
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

impl From<outbox::Entry> for PendingSend {
    fn from(entry: outbox::Entry) -> Self {
        PendingSend {
            client_key: entry.client_key,
            channel_id: entry.channel_id,
            action: entry.intent.into(),
            state: match entry.state {
                outbox::SendState::Queued => SendState::Queued,
                outbox::SendState::Sending => SendState::Sending,
                outbox::SendState::Failed { reason } => SendState::Failed { reason },
            },
            attempts: u32::try_from(entry.attempts).unwrap_or(u32::MAX),
            created_at: entry.created_at,
            next_attempt_at: entry.next_attempt_at,
            maybe_sent: entry.maybe_sent,
        }
    }
}

impl From<outbox::Intent> for PendingAction {
    fn from(intent: outbox::Intent) -> Self {
        use outbox::Intent as I;
        match intent {
            I::Post {
                root_id,
                message,
                file_ids,
                ..
            } => PendingAction::Post {
                root_id,
                message,
                file_ids,
            },
            I::Edit { post_id, message } => PendingAction::Edit { post_id, message },
            I::Delete { post_id } => PendingAction::Delete { post_id },
            I::AddReaction {
                post_id,
                emoji_name,
            } => PendingAction::AddReaction {
                post_id,
                emoji_name,
            },
            I::RemoveReaction {
                post_id,
                emoji_name,
            } => PendingAction::RemoveReaction {
                post_id,
                emoji_name,
            },
            I::ViewChannel { .. } => PendingAction::ViewChannel,
        }
    }
}
