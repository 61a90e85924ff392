//! Which accounts exist on this device and which was used last. The index
//! is not secret (server, user id, username); tokens live in the
//! [`SecretStore`](super::SecretStore), data in one directory per account.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::write_atomic;
use crate::error::{Error, Result};
use crate::net::ServerUrl;

const INDEX_FILE: &str = "accounts.json";
const ACCOUNTS_DIR: &str = "accounts";

/// Identifies one account (server + user) on this device; safe as a
/// directory name and as a secret store key suffix.
pub fn account_key(server: &ServerUrl, user_id: &str) -> String {
    let user: String = user_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("{}__{user}", server.file_key())
}

/// The secret store key of an account's session token.
pub fn token_secret_key(account_key: &str) -> String {
    format!("pausenhof.session.{account_key}")
}

/// `data_dir/accounts/<key>/`: everything cached for one account.
pub fn account_dir(data_dir: &Path, account_key: &str) -> PathBuf {
    data_dir.join(ACCOUNTS_DIR).join(account_key)
}

/// One remembered account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub key: String,
    pub server_url: String,
    pub user_id: String,
    #[serde(default)]
    pub username: String,
    /// The server's `DiagnosticId`, which its pushes carry as `server_id`;
    /// empty until learned.
    #[serde(default)]
    pub server_id: String,
}

/// The index file's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsIndex {
    #[serde(default)]
    pub last: Option<String>,
    #[serde(default)]
    pub accounts: Vec<AccountEntry>,
}

impl AccountsIndex {
    /// Reads the index; a missing file is an empty index, a damaged one is
    /// treated as empty too (it only remembers which account to reopen).
    pub fn load(data_dir: &Path) -> Result<Self> {
        match std::fs::read(data_dir.join(INDEX_FILE)) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                tracing::warn!("accounts index damaged; starting signed out");
                AccountsIndex::default()
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AccountsIndex::default()),
            Err(e) => Err(Error::Storage {
                problem: crate::error::StorageProblem::of_io(&e),
                reason: format!("accounts index unreadable: {}", e.kind()),
            }),
        }
    }

    pub fn save(&self, data_dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal(format!("accounts index encoding: {e}")))?;
        write_atomic(&data_dir.join(INDEX_FILE), &bytes).map_err(|e| Error::Storage {
            problem: crate::error::StorageProblem::of_io(&e),
            reason: format!("accounts index not written: {}", e.kind()),
        })
    }

    pub fn last_account(&self) -> Option<&AccountEntry> {
        let key = self.last.as_ref()?;
        self.accounts.iter().find(|a| &a.key == key)
    }

    /// Adds or updates an account and makes it the last used one. A
    /// server id already learned is kept when the entry brings none.
    pub fn remember(&mut self, mut entry: AccountEntry) {
        self.last = Some(entry.key.clone());
        match self.accounts.iter_mut().find(|a| a.key == entry.key) {
            Some(existing) => {
                if entry.server_id.is_empty() {
                    entry.server_id = std::mem::take(&mut existing.server_id);
                }
                *existing = entry;
            }
            None => self.accounts.push(entry),
        }
    }

    pub fn entry(&self, key: &str) -> Option<&AccountEntry> {
        self.accounts.iter().find(|a| a.key == key)
    }

    /// Makes a known account the one restored next; false when unknown.
    pub fn make_last(&mut self, key: &str) -> bool {
        let known = self.entry(key).is_some();
        if known {
            self.last = Some(key.to_owned());
        }
        known
    }

    /// Records the server id learned for every account of `server_url`.
    pub fn set_server_id(&mut self, server_url: &str, server_id: &str) {
        for entry in self
            .accounts
            .iter_mut()
            .filter(|a| a.server_url == server_url)
        {
            entry.server_id = server_id.to_owned();
        }
    }

    /// The accounts a push of `server_id` may belong to: the last used one
    /// first (several users of one server share the id).
    pub fn accounts_of_server(&self, server_id: &str) -> Vec<&AccountEntry> {
        let mut found: Vec<&AccountEntry> = self
            .accounts
            .iter()
            .filter(|a| !server_id.is_empty() && a.server_id == server_id)
            .collect();
        found.sort_by_key(|a| self.last.as_deref() != Some(a.key.as_str()));
        found
    }

    pub fn forget(&mut self, key: &str) {
        self.accounts.retain(|a| a.key != key);
        if self.last.as_deref() == Some(key) {
            self.last = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_servers_and_users() {
        let a = ServerUrl::parse("chat.schule.example").unwrap();
        let b = ServerUrl::parse("https://chat.schule.example/other").unwrap();
        assert_ne!(account_key(&a, "u1"), account_key(&b, "u1"));
        assert_ne!(account_key(&a, "u1"), account_key(&a, "u2"));
        assert_eq!(account_key(&a, "../u1"), "chat.schule.example__u1");
    }

    #[test]
    fn index_round_trips_and_forgets() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            AccountsIndex::load(dir.path()).unwrap(),
            AccountsIndex::default()
        );
        let mut index = AccountsIndex::default();
        let entry = |key: &str| AccountEntry {
            key: key.into(),
            server_url: "https://x.example".into(),
            user_id: "u".into(),
            username: "anna".into(),
            ..AccountEntry::default()
        };
        index.remember(entry("k1"));
        index.remember(entry("k2"));
        index.save(dir.path()).unwrap();
        let loaded = AccountsIndex::load(dir.path()).unwrap();
        assert_eq!(loaded.last_account().unwrap().key, "k2");
        let mut loaded = loaded;
        loaded.forget("k2");
        assert!(loaded.last_account().is_none());
        assert_eq!(loaded.accounts.len(), 1);
    }

    #[test]
    fn server_ids_route_to_accounts_and_survive_a_new_sign_in() {
        let entry = |key: &str, server: &str| AccountEntry {
            key: key.into(),
            server_url: server.into(),
            user_id: key.into(),
            ..AccountEntry::default()
        };
        let mut index = AccountsIndex::default();
        index.remember(entry("a1", "https://a.example"));
        index.remember(entry("a2", "https://a.example"));
        index.remember(entry("b1", "https://b.example"));
        assert!(index.accounts_of_server("").is_empty());
        index.set_server_id("https://a.example", "srva");
        index.set_server_id("https://b.example", "srvb");
        let keys = |index: &AccountsIndex, id: &str| -> Vec<String> {
            index
                .accounts_of_server(id)
                .iter()
                .map(|a| a.key.clone())
                .collect()
        };
        assert_eq!(keys(&index, "srvb"), ["b1"]);
        assert_eq!(keys(&index, "srva"), ["a1", "a2"]);
        assert!(index.make_last("a2"));
        assert_eq!(keys(&index, "srva"), ["a2", "a1"]);
        assert!(!index.make_last("nobody"));
        assert!(keys(&index, "other").is_empty());
        // Signing in again does not forget what was learned.
        index.remember(entry("b1", "https://b.example"));
        assert_eq!(index.entry("b1").unwrap().server_id, "srvb");
        assert_eq!(index.last.as_deref(), Some("b1"));
    }

    #[test]
    fn damaged_index_means_signed_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(INDEX_FILE), b"{not json").unwrap();
        assert!(AccountsIndex::load(dir.path())
            .unwrap()
            .last_account()
            .is_none());
    }
}
