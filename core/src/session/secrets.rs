//! Where session tokens live: a platform secret store (Android Keystore,
//! iOS Keychain) behind a small synchronous trait that UniFFI can export as
//! a foreign trait, plus in-memory and file-based stores for tests and the
//! CLI.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::files::write_atomic;

/// A secret store failure. The text never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretStoreError {
    #[error("secret store unavailable: {reason}")]
    Unavailable { reason: String },
    #[error("secret store data is damaged: {reason}")]
    Corrupt { reason: String },
}

impl From<SecretStoreError> for crate::Error {
    fn from(e: SecretStoreError) -> Self {
        crate::Error::SecretStore {
            reason: e.to_string(),
        }
    }
}

/// Get, set and delete secrets by key. Implemented by the platform.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Keeps secrets in memory only (tests, or a "don't remember me" mode).
#[derive(Default)]
pub struct MemorySecretStore {
    secrets: Mutex<BTreeMap<String, String>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of stored secrets (tests check that logout removes them).
    pub fn len(&self) -> usize {
        self.secrets.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for MemorySecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemorySecretStore({} secrets)", self.len())
    }
}

fn poisoned() -> SecretStoreError {
    SecretStoreError::Unavailable {
        reason: "lock poisoned".into(),
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        Ok(self
            .secrets
            .lock()
            .map_err(|_| poisoned())?
            .get(key)
            .cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        self.secrets
            .lock()
            .map_err(|_| poisoned())?
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.secrets.lock().map_err(|_| poisoned())?.remove(key);
        Ok(())
    }
}

/// Keeps secrets in one JSON file readable only by the owner (mode 0600),
/// rewritten atomically on every change. For the CLI and desktop tests;
/// phones use the platform store.
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSecretStore {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn load(&self) -> Result<BTreeMap<String, String>, SecretStoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| SecretStoreError::Corrupt {
                reason: format!("line {} column {}", e.line(), e.column()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(SecretStoreError::Unavailable {
                reason: e.kind().to_string(),
            }),
        }
    }

    fn save(&self, secrets: &BTreeMap<String, String>) -> Result<(), SecretStoreError> {
        let bytes = serde_json::to_vec(secrets).map_err(|_| SecretStoreError::Unavailable {
            reason: "encoding failed".into(),
        })?;
        write_atomic(&self.path, &bytes).map_err(|e| SecretStoreError::Unavailable {
            reason: e.kind().to_string(),
        })
    }
}

impl std::fmt::Debug for FileSecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileSecretStore({:?})", self.path)
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretStoreError> {
        let _guard = self.lock.lock().map_err(|_| poisoned())?;
        Ok(self.load()?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretStoreError> {
        let _guard = self.lock.lock().map_err(|_| poisoned())?;
        let mut secrets = self.load()?;
        secrets.insert(key.to_owned(), value.to_owned());
        self.save(&secrets)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        let _guard = self.lock.lock().map_err(|_| poisoned())?;
        let mut secrets = self.load()?;
        if secrets.remove(key).is_some() {
            self.save(&secrets)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn SecretStore) {
        assert_eq!(store.get("a").unwrap(), None);
        store.set("a", "one").unwrap();
        store.set("b", "two").unwrap();
        store.set("a", "uno").unwrap();
        assert_eq!(store.get("a").unwrap().as_deref(), Some("uno"));
        store.delete("a").unwrap();
        store.delete("missing").unwrap();
        assert_eq!(store.get("a").unwrap(), None);
        assert_eq!(store.get("b").unwrap().as_deref(), Some("two"));
    }

    #[test]
    fn memory_store_round_trips() {
        let store = MemorySecretStore::new();
        exercise(&store);
        assert_eq!(store.len(), 1);
        assert_eq!(format!("{store:?}"), "MemorySecretStore(1 secrets)");
    }

    #[test]
    fn file_store_round_trips_with_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        exercise(&FileSecretStore::new(&path));
        // A second instance sees the same data.
        assert_eq!(
            FileSecretStore::new(&path).get("b").unwrap().as_deref(),
            Some("two")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn damaged_file_is_a_typed_error_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, b"{\"k\":\"supersecret").unwrap();
        let err = FileSecretStore::new(&path).get("k").unwrap_err();
        assert!(matches!(err, SecretStoreError::Corrupt { .. }));
        assert!(!format!("{err} {err:?}").contains("supersecret"));
    }
}
