//! The platform's secret store (Android Keystore, iOS Keychain), handed in
//! by the app as a foreign trait and adapted to core's `SecretStore`.

use std::sync::Arc;

use pausenhof_core::session::{SecretStore as CoreSecretStore, SecretStoreError};

/// Keeps session tokens. Implemented by the app; calls are synchronous
/// and may come from any thread.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    fn get(&self, key: String) -> Result<Option<String>, SecretStoreFailure>;
    fn set(&self, key: String, value: String) -> Result<(), SecretStoreFailure>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: String) -> Result<(), SecretStoreFailure>;
}

/// What a secret store implementation throws. The text must never contain
/// the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SecretStoreFailure {
    /// The store cannot be used now (locked device, missing key).
    #[error("secret store unavailable: {reason}")]
    Unavailable { reason: String },
    /// The stored data cannot be read back.
    #[error("secret store data is damaged: {reason}")]
    Corrupt { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreFailure {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreFailure::Unavailable {
            reason: format!(
                "unexpected error in the app's secret store: {}",
                error.reason
            ),
        }
    }
}

impl From<SecretStoreFailure> for SecretStoreError {
    fn from(failure: SecretStoreFailure) -> Self {
        match failure {
            SecretStoreFailure::Unavailable { reason } => SecretStoreError::Unavailable { reason },
            SecretStoreFailure::Corrupt { reason } => SecretStoreError::Corrupt { reason },
        }
    }
}

/// Core's view of the app's store.
pub(crate) struct ForeignSecretStore(pub(crate) Arc<dyn SecretStore>);

impl CoreSecretStore for ForeignSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        Ok(self.0.get(key.to_owned())?)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        Ok(self.0.set(key.to_owned(), value.to_owned())?)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        Ok(self.0.delete(key.to_owned())?)
    }
}
