//! The school's terms of service: whether the user must accept them after
//! sign-in or restore, their text as a Markdown tree, accepting, and
//! declining (which signs out and erases the account here, as sign-out
//! does). Mattermost leaves enforcing them to the client.

use super::Client;
use crate::api::{system, terms as terms_api, users};
use crate::directory::{terms_acceptance_needed, terms_of_service_enabled};
use crate::error::{Error, Result};
use crate::markdown::{self, Document, NoLookup, Reader};

/// Terms of service the user has to accept before going on.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingTerms {
    /// Pass to accept or decline: the answer names the version shown.
    pub id: String,
    /// The Markdown source.
    pub text: String,
    /// The text as a Markdown tree, to draw.
    pub document: Document,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn require_terms_id(terms_id: &str) -> Result<&str> {
    let id = terms_id.trim();
    if id.is_empty() {
        return Err(Error::InvalidInput {
            reason: "no terms of service named".into(),
        });
    }
    Ok(id)
}

impl Client {
    /// Asks the server, after sign-in or restore, whether the user must
    /// accept its terms of service first: `Some` with the text to show
    /// (then call [`Client::accept_terms_of_service`] or
    /// [`Client::decline_terms_of_service`]), `None` when the server
    /// requires none or the user accepted the newest in time.
    pub async fn pending_terms_of_service(&self) -> Result<Option<PendingTerms>> {
        let account = self.account()?;
        let config = system::client_config(&account.api, true).await?;
        if !terms_of_service_enabled(&config) {
            return Ok(None);
        }
        let Some(latest) = terms_api::latest_terms_of_service(&account.api).await? else {
            return Ok(None);
        };
        // Only the server's fresh copy of the profile says what was
        // accepted on another device.
        let me = users::me(&account.api).await?;
        self.update_current_user(&account, me.clone())?;
        if !terms_acceptance_needed(&config, &latest, &me, now_ms()) {
            return Ok(None);
        }
        let document = markdown::parse(&latest.text, &Reader::default(), &NoLookup);
        Ok(Some(PendingTerms {
            id: latest.id,
            text: latest.text,
            document,
        }))
    }

    /// Accepts the terms shown (`terms_id` from [`PendingTerms::id`]).
    pub async fn accept_terms_of_service(&self, terms_id: &str) -> Result<()> {
        let terms_id = require_terms_id(terms_id)?;
        let account = self.account()?;
        terms_api::answer_terms_of_service(&account.api, terms_id, true).await?;
        let me = users::me(&account.api).await?;
        self.update_current_user(&account, me)?;
        Ok(())
    }

    /// Declines the terms shown: the server is told (as far as it can be
    /// reached), then the user is signed out and everything of the account
    /// on this device is erased, as [`Client::sign_out`] does.
    pub async fn decline_terms_of_service(&self, terms_id: &str) -> Result<()> {
        let terms_id = require_terms_id(terms_id)?;
        let account = self.account()?;
        // Declining must end the session even when the server cannot hear
        // it: nothing was accepted there either way.
        if let Err(error) = terms_api::answer_terms_of_service(&account.api, terms_id, false).await
        {
            tracing::info!(error = %error, "declining the terms of service not recorded");
        }
        drop(account);
        self.sign_out().await
    }
}
