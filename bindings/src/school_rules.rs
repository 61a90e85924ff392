//! The school's rules: terms of service to accept or decline, one's own
//! profile, deactivating one's own account.

use crate::client::Client;
use crate::error::Result;
use crate::message_text::MessageText;
use crate::runtime::run;
use crate::session::User;

/// Terms of service the user has to accept before going on.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TermsOfService {
    /// Pass to `accept_terms_of_service` or `decline_terms_of_service`.
    pub id: String,
    /// The Markdown source.
    pub text: String,
    /// The text to draw.
    pub message: MessageText,
}

/// Changes to one's own profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nickname: Option<String>,
    pub position: Option<String>,
}

impl From<ProfileChanges> for pausenhof_core::ProfileChanges {
    fn from(c: ProfileChanges) -> Self {
        pausenhof_core::ProfileChanges {
            first_name: c.first_name,
            last_name: c.last_name,
            nickname: c.nickname,
            position: c.position,
        }
    }
}

impl From<pausenhof_core::PendingTerms> for TermsOfService {
    fn from(t: pausenhof_core::PendingTerms) -> Self {
        TermsOfService {
            id: t.id,
            text: t.text,
            message: t.document.into(),
        }
    }
}

#[uniffi::export]
impl Client {
    /// After sign-in or restore: the terms of service the user must accept
    /// before going on, or nothing when the server requires none (or they
    /// were accepted).
    pub async fn pending_terms_of_service(&self) -> Result<Option<TermsOfService>> {
        let core = self.core.clone();
        Ok(run(async move { core.pending_terms_of_service().await })
            .await?
            .map(Into::into))
    }

    pub async fn accept_terms_of_service(&self, terms_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.accept_terms_of_service(&terms_id).await }).await?)
    }

    /// Declines the terms: signs out and erases the account on this device.
    pub async fn decline_terms_of_service(&self, terms_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.decline_terms_of_service(&terms_id).await }).await?)
    }

    /// Changes one's own names, nickname or position; stored at once, and
    /// sent to the user's other devices by the server.
    pub async fn edit_profile(&self, changes: ProfileChanges) -> Result<User> {
        let core = self.core.clone();
        Ok(run(async move { core.edit_profile(changes.into()).await })
            .await?
            .into())
    }

    /// Whether the server lets users deactivate their own account.
    pub async fn account_deactivation_allowed(&self) -> Result<bool> {
        let core = self.core.clone();
        Ok(run(async move { core.account_deactivation_allowed().await }).await?)
    }

    /// Deactivates the user's own account (warn first: only an
    /// administrator can undo it), then erases it on this device.
    /// `DeactivationDisabled` when the server does not allow it.
    pub async fn deactivate_account(&self) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.deactivate_account().await }).await?)
    }
}
