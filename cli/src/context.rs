//! Opening the client for one command: the data directory, the 0600 secret
//! file inside it, and the account `--account` names or, without it, the
//! one used last.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use pausenhof_core::session::FileSecretStore;
use pausenhof_core::Client;

use crate::exit::LocalStorage;

const SECRETS_FILE: &str = "secrets.json";

/// `--data-dir`, or the OS data directory (`~/.local/share/pausenhof` on Linux).
pub fn data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    match given {
        Some(dir) => Ok(dir),
        None => dirs::data_dir()
            .map(|dir| dir.join("pausenhof"))
            .context("no data directory on this system: pass --data-dir DIR"),
    }
}

pub fn open_client(data_dir: &Path) -> Result<Client> {
    // Owner-only from the start: it holds the session secret and the
    // cache of every account (core tightens what it makes inside).
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        folder.mode(0o700);
    }
    folder.create(data_dir).map_err(|source| LocalStorage {
        what: format!("could not create the data directory {}", data_dir.display()),
        source,
    })?;
    let secrets = Arc::new(FileSecretStore::new(data_dir.join(SECRETS_FILE)));
    Ok(Client::builder(data_dir).secret_store(secrets).build()?)
}

/// The client with the chosen (or last used) account active; no network.
pub async fn signed_in_client(data_dir: &Path, account: Option<&str>) -> Result<Client> {
    let client = open_client(data_dir)?;
    if client.restore().await?.is_none() {
        return Err(pausenhof_core::Error::Unauthorized.into());
    }
    if let Some(choice) = account {
        let key = crate::account_choice::choose(&client.accounts()?, choice)?;
        client.switch_account(&key).await?;
    }
    Ok(client)
}
