//! One's own profile (GDPR Art. 16: names, nickname, position) and
//! deactivating one's own account (Art. 17) where the server allows it.

use super::Client;
use crate::api::users::{self, UserPatch};
use crate::api::{system, terms as terms_api};
use crate::error::{Error, Result};
use crate::model::User;

/// Mattermost's limits (`model.User.IsValid`), in characters.
const NAME_MAX_CHARS: usize = 64;
const NICKNAME_MAX_CHARS: usize = 64;
const POSITION_MAX_CHARS: usize = 128;

/// Changes to one's own profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub nickname: Option<String>,
    pub position: Option<String>,
}

/// Trims a changed field and checks it against the server's limit; the
/// schools require both names, so those must not become empty.
fn checked(
    field: &str,
    value: Option<String>,
    max_chars: usize,
    required: bool,
) -> Result<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = value.trim().to_owned();
    if required && value.is_empty() {
        return Err(Error::InvalidInput {
            reason: format!("the {field} must not be empty"),
        });
    }
    if value.chars().count() > max_chars {
        return Err(Error::InvalidInput {
            reason: format!("the {field} is longer than {max_chars} characters"),
        });
    }
    Ok(Some(value))
}

impl ProfileChanges {
    fn into_patch(self) -> Result<UserPatch> {
        Ok(UserPatch {
            first_name: checked("first name", self.first_name, NAME_MAX_CHARS, true)?,
            last_name: checked("last name", self.last_name, NAME_MAX_CHARS, true)?,
            nickname: checked("nickname", self.nickname, NICKNAME_MAX_CHARS, false)?,
            position: checked("position", self.position, POSITION_MAX_CHARS, false)?,
            locale: None,
        })
    }
}

impl Client {
    /// Changes the user's own names, nickname or position
    /// (`PUT /users/me/patch`). The store has the new profile when this
    /// returns; the user's other devices get it through `user_updated`.
    pub async fn edit_profile(&self, changes: ProfileChanges) -> Result<User> {
        let patch = changes.into_patch()?;
        let account = self.account()?;
        let user = users::patch_me(&account.api, &patch).await?;
        let stored = user.clone();
        account
            .store
            .write(move |w| w.upsert_users(std::slice::from_ref(&stored)))
            .await?;
        self.update_current_user(&account, user.clone())?;
        Ok(user)
    }

    /// Whether the server lets users deactivate their own account
    /// (`EnableUserDeactivation`); offer it only then.
    pub async fn account_deactivation_allowed(&self) -> Result<bool> {
        let account = self.account()?;
        let config = system::client_config(&account.api, true).await?;
        Ok(config.flag("EnableUserDeactivation"))
    }

    /// Deactivates the user's own account on the server, then erases
    /// everything of it on this device, as [`Client::sign_out`] does. The
    /// app warns first: only an administrator can undo it.
    /// `Error::DeactivationDisabled` when the server does not allow it
    /// (the session stays).
    pub async fn deactivate_account(&self) -> Result<()> {
        let account = self.account()?;
        terms_api::deactivate_user(&account.api, &account.user_id).await?;
        drop(account);
        self.sign_out().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_trimmed_and_untouched_fields_stay_out() {
        let patch = ProfileChanges {
            nickname: Some("  Mo ".into()),
            ..ProfileChanges::default()
        }
        .into_patch()
        .unwrap();
        assert_eq!(patch.nickname.as_deref(), Some("Mo"));
        assert!(patch.first_name.is_none() && patch.position.is_none());
    }

    #[test]
    fn names_may_not_be_emptied_but_a_nickname_may() {
        let empty_name = ProfileChanges {
            last_name: Some("  ".into()),
            ..ProfileChanges::default()
        };
        assert!(matches!(
            empty_name.into_patch(),
            Err(Error::InvalidInput { .. })
        ));
        let cleared = ProfileChanges {
            nickname: Some(String::new()),
            position: Some(String::new()),
            ..ProfileChanges::default()
        }
        .into_patch()
        .unwrap();
        assert_eq!(cleared.nickname.as_deref(), Some(""));
    }

    #[test]
    fn fields_longer_than_the_server_allows_are_refused() {
        let long = ProfileChanges {
            position: Some("x".repeat(POSITION_MAX_CHARS + 1)),
            ..ProfileChanges::default()
        };
        assert!(matches!(long.into_patch(), Err(Error::InvalidInput { .. })));
        let fits = ProfileChanges {
            first_name: Some("é".repeat(NAME_MAX_CHARS)),
            ..ProfileChanges::default()
        };
        assert!(fits.into_patch().is_ok());
    }
}
