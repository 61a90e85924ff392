//! Sign-outs that are not finished yet, kept in the data directory so that
//! neither a cancelled call nor a killed process leaves an account behind.
//!
//! A sign-out is written here before anything is erased. From then on it
//! is owed: the local erase is completed by the next start if it was cut
//! off, and the server is told (its session revoked) as soon as it can be
//! reached. The token needed for that waits under its own secret key,
//! which restoring a session never reads.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::files::write_atomic;
use crate::error::{Error, Result};

const FILE: &str = "sign-outs.json";

/// One owed sign-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOut {
    pub account_key: String,
    pub server_url: String,
    /// The local erase is complete; only the server is still to be told
    /// (the same account may be signed in again meanwhile).
    #[serde(default)]
    pub erased: bool,
}

/// The secret key of the token kept to revoke the server session.
pub fn revocation_secret_key(account_key: &str) -> String {
    format!("pausenhof.revoke.{account_key}")
}

/// Every owed sign-out. A damaged file reads as none: the erase it would
/// have finished is redone by the directory sweep, and a server session
/// left behind expires on the server.
pub fn owed(data_dir: &Path) -> Result<Vec<SignOut>> {
    match std::fs::read(data_dir.join(FILE)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            tracing::warn!("owed sign-outs unreadable; dropping them");
            Vec::new()
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(storage("owed sign-outs unreadable", e)),
    }
}

pub fn remember(data_dir: &Path, sign_out: SignOut) -> Result<()> {
    let mut all = owed(data_dir)?;
    all.retain(|s| s.account_key != sign_out.account_key);
    all.push(sign_out);
    save(data_dir, &all)
}

pub fn forget(data_dir: &Path, account_key: &str) -> Result<()> {
    let mut all = owed(data_dir)?;
    let before = all.len();
    all.retain(|s| s.account_key != account_key);
    if all.len() == before {
        return Ok(());
    }
    save(data_dir, &all)
}

fn save(data_dir: &Path, all: &[SignOut]) -> Result<()> {
    crate::private_fs::create_private_dir_all(data_dir)
        .map_err(|e| storage("data directory not created", e))?;
    if all.is_empty() {
        return match std::fs::remove_file(data_dir.join(FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(storage("owed sign-outs not written", e))
            }
            _ => Ok(()),
        };
    }
    let bytes = serde_json::to_vec_pretty(all)
        .map_err(|e| Error::internal(format!("owed sign-outs encoding: {e}")))?;
    write_atomic(&data_dir.join(FILE), &bytes).map_err(|e| storage("owed sign-outs not written", e))
}

fn storage(what: &str, e: std::io::Error) -> Error {
    Error::Storage {
        problem: crate::error::StorageProblem::of_io(&e),
        reason: format!("{what}: {}", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str) -> SignOut {
        SignOut {
            account_key: key.into(),
            server_url: "https://chat.schule.example".into(),
            erased: false,
        }
    }

    #[test]
    fn remembered_sign_outs_survive_until_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        assert!(owed(dir.path()).unwrap().is_empty());
        remember(dir.path(), entry("a")).unwrap();
        remember(dir.path(), entry("b")).unwrap();
        remember(dir.path(), entry("a")).unwrap();
        assert_eq!(owed(dir.path()).unwrap(), vec![entry("b"), entry("a")]);
        forget(dir.path(), "b").unwrap();
        forget(dir.path(), "missing").unwrap();
        assert_eq!(owed(dir.path()).unwrap(), vec![entry("a")]);
        forget(dir.path(), "a").unwrap();
        assert!(!dir.path().join(FILE).exists());
    }

    #[test]
    fn a_damaged_file_reads_as_nothing_owed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{not json").unwrap();
        assert!(owed(dir.path()).unwrap().is_empty());
    }
}
