//! Sign-in flows, the session state, secrets and the accounts index.

pub mod accounts;
mod files;
mod secrets;
pub mod sign_outs;
pub mod sso;
mod state;
mod token;

pub use accounts::{account_dir, account_key, AccountEntry, AccountsIndex};
pub(crate) use files::write_atomic;
pub use secrets::{FileSecretStore, MemorySecretStore, SecretStore, SecretStoreError};
pub use sso::{PendingSso, SsoCallback};
pub use state::SessionState;
pub use token::SessionToken;
