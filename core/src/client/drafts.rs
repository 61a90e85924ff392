//! Drafts of the composer: saved as typed, in the store first (they
//! survive a restart and need no network), then sent to the server, which
//! keeps them for the user's other devices when its `AllowSyncedDrafts`
//! setting is on. A sent message clears its draft (`client/commands.rs`).
//! The other devices' drafts arrive with `sync_drafts` and the
//! `draft_*` websocket events.

use super::Client;
use crate::api::drafts::{self as drafts_api, DRAFTS_DISABLED};
use crate::api::teams as teams_api;
use crate::error::{Error, Result};
use crate::model::Draft;
use crate::store::reads::{self, DraftView};
use crate::store::{all_drafts, StoredDraft};

/// Longest draft kept (the server's limit for a post).
const MAX_DRAFT_CHARS: usize = 16_383;

impl Client {
    /// Keeps what is typed in the composer of a channel (`root_id` empty)
    /// or thread. An empty message deletes the draft. The server is told
    /// in the background; offline it is told by the next `sync_drafts`.
    pub async fn save_draft(&self, channel_id: &str, root_id: &str, message: &str) -> Result<()> {
        if channel_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "no channel given".into(),
            });
        }
        if message.chars().count() > MAX_DRAFT_CHARS {
            return Err(Error::InvalidInput {
                reason: format!("a message has at most {MAX_DRAFT_CHARS} characters"),
            });
        }
        let (channel, root) = (channel_id.to_owned(), root_id.to_owned());
        let text = if message.trim().is_empty() {
            String::new()
        } else {
            message.to_owned()
        };
        let now = crate::realtime::now_ms();
        self.store()?
            .write(move |w| w.save_draft(&channel, &root, &text, now))
            .await?;
        let client = self.clone();
        self.inner.runtime.spawn(async move {
            if let Err(e) = client.send_owed_drafts().await {
                tracing::debug!("drafts stay owed to the server: {e}");
            }
        });
        Ok(())
    }

    /// The draft of a composer, if it holds text.
    pub async fn draft(&self, channel_id: &str, root_id: &str) -> Result<Option<DraftView>> {
        let (channel, root) = (channel_id.to_owned(), root_id.to_owned());
        Ok(self
            .store()?
            .read(move |c| reads::draft(c, &channel, &root))
            .await?)
    }

    /// Every unsent draft, newest first.
    pub async fn drafts(&self) -> Result<Vec<DraftView>> {
        Ok(self.store()?.read(reads::drafts).await?)
    }

    /// Sends the drafts the server is owed, then takes the server's drafts
    /// of every team (those of other devices). A server with synced drafts
    /// switched off leaves the drafts on this device only.
    pub async fn sync_drafts(&self) -> Result<()> {
        self.send_owed_drafts().await?;
        let account = self.account()?;
        let teams = teams_api::my_teams(&account.api).await?;
        let mut server_drafts: Vec<Draft> = Vec::new();
        for team in &teams {
            match drafts_api::team_drafts(&account.api, &account.user_id, &team.id).await {
                Ok(drafts) => server_drafts.extend(drafts),
                Err(e) if is_disabled(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        // Direct messages come with every team.
        server_drafts.sort_by(|a, b| {
            (&a.channel_id, &a.root_id, b.update_at).cmp(&(&b.channel_id, &b.root_id, a.update_at))
        });
        server_drafts.dedup_by(|a, b| a.channel_id == b.channel_id && a.root_id == b.root_id);
        self.store()?
            .write(move |w| w.replace_server_drafts(&server_drafts))
            .await?;
        Ok(())
    }

    /// Sends every owed draft (or its deletion); stops at the first
    /// transient error, leaving the rest owed.
    async fn send_owed_drafts(&self) -> Result<()> {
        let _one_at_a_time = self.inner.drafts_lock.lock().await;
        let account = self.account()?;
        let owed: Vec<StoredDraft> = account
            .store
            .read(all_drafts)
            .await?
            .into_iter()
            .filter(|d| !d.synced)
            .collect();
        for draft in owed {
            let sent = if draft.message.is_empty() {
                drafts_api::delete_draft(
                    &account.api,
                    &account.user_id,
                    &draft.channel_id,
                    &draft.root_id,
                )
                .await
            } else {
                drafts_api::upsert_draft(
                    &account.api,
                    &Draft {
                        user_id: account.user_id.clone(),
                        channel_id: draft.channel_id.clone(),
                        root_id: draft.root_id.clone(),
                        message: draft.message.clone(),
                        ..Draft::default()
                    },
                )
                .await
                .map(|_| ())
            };
            match sent {
                Ok(()) => {}
                Err(e) if e.is_transient() && !is_disabled(&e) => return Err(e),
                // Switched off, or refused for good (a channel left): the
                // draft stays on this device only.
                Err(e) => tracing::debug!("draft not kept by the server: {e}"),
            }
            account
                .store
                .write(move |w| {
                    w.mark_draft_synced(&draft.channel_id, &draft.root_id, draft.update_at)
                })
                .await?;
        }
        Ok(())
    }

    /// After a message or command went out of a composer: its draft is
    /// cleared here and on the server.
    pub(super) async fn clear_draft_after_send(
        &self,
        channel_id: &str,
        root_id: &str,
    ) -> Result<()> {
        let (channel, root) = (channel_id.to_owned(), root_id.to_owned());
        let now = crate::realtime::now_ms();
        self.store()?
            .write(move |w| w.clear_draft(&channel, &root, now))
            .await?;
        if let Err(e) = self.send_owed_drafts().await {
            tracing::debug!("the draft's deletion stays owed: {e}");
        }
        Ok(())
    }
}

fn is_disabled(error: &Error) -> bool {
    matches!(error, Error::Server { id, .. } if id == DRAFTS_DISABLED)
}
