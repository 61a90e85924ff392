//! An account directory the bench and its child processes share: the
//! core's data directory with the session token in a file secret store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use pausenhof_core::reads::{SidebarSection, TimelineWindow};
use pausenhof_core::session::FileSecretStore;
use pausenhof_core::Client;

/// Posts a channel screen shows at first.
pub const FIRST_SCREEN_POSTS: usize = 60;

fn secrets_path(data_dir: &Path) -> PathBuf {
    data_dir.join("bench-secrets.json")
}

/// A client on `data_dir`, not signed in yet.
pub fn client(data_dir: &Path) -> anyhow::Result<Client> {
    Ok(Client::builder(data_dir)
        .secret_store(Arc::new(FileSecretStore::new(secrets_path(data_dir))))
        .build()?)
}

/// Signs in with a password and leaves the account in `data_dir`.
pub async fn sign_in(
    data_dir: &Path,
    server_url: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<Client> {
    let client = client(data_dir)?;
    client
        .sign_in_with_password(server_url, username, password, None)
        .await
        .context("signing in")?;
    Ok(client)
}

/// Reopens the account in `data_dir` without the network.
pub async fn restore(data_dir: &Path) -> anyhow::Result<Client> {
    let client = client(data_dir)?;
    client
        .restore()
        .await?
        .context("no account to restore in the data directory")?;
    Ok(client)
}

/// What the first screen of the app needs: every team's channel list and
/// the newest posts of the channel that was open when the app closed.
pub struct FirstScreen {
    pub lists: Vec<(String, Vec<SidebarSection>)>,
    pub last_channel: Option<String>,
    pub timeline: Option<TimelineWindow>,
}

impl FirstScreen {
    pub fn channel_count(&self) -> usize {
        self.lists
            .iter()
            .flat_map(|(_, sections)| sections)
            .map(|s| s.channels.len())
            .sum()
    }
}

/// Reads the first screen from the store. The app remembers which channel
/// was open; without `open_channel` it is the channel viewed most recently
/// whose posts are cached.
pub async fn first_screen(
    client: &Client,
    open_channel: Option<&str>,
) -> anyhow::Result<FirstScreen> {
    let lists = channel_lists(client).await?;
    let last_channel = match open_channel {
        Some(id) => Some(id.to_owned()),
        None => last_viewed_cached_channel(client, &lists).await?,
    };
    let timeline = match &last_channel {
        Some(id) => Some(client.timeline(id, FIRST_SCREEN_POSTS).await?),
        None => None,
    };
    Ok(FirstScreen {
        lists,
        last_channel,
        timeline,
    })
}

/// Every team's channel list.
pub async fn channel_lists(client: &Client) -> anyhow::Result<Vec<(String, Vec<SidebarSection>)>> {
    let teams = client.teams().await?;
    let mut lists = Vec::with_capacity(teams.len());
    for team in teams {
        let sections = client.channel_list(&team.id).await?;
        lists.push((team.id, sections));
    }
    Ok(lists)
}

async fn last_viewed_cached_channel(
    client: &Client,
    lists: &[(String, Vec<SidebarSection>)],
) -> anyhow::Result<Option<String>> {
    let mut channels: Vec<(i64, &str)> = lists
        .iter()
        .flat_map(|(_, sections)| sections)
        .flat_map(|s| &s.channels)
        .map(|c| (c.last_viewed_at, c.id.as_str()))
        .collect();
    channels.sort_unstable_by(|a, b| b.cmp(a));
    for (_, id) in channels {
        if !client.timeline(id, 1).await?.never_loaded {
            return Ok(Some(id.to_owned()));
        }
    }
    Ok(None)
}

/// Every channel id in the lists, once.
pub fn all_channel_ids(lists: &[(String, Vec<SidebarSection>)]) -> Vec<String> {
    let mut ids: Vec<String> = lists
        .iter()
        .flat_map(|(_, sections)| sections)
        .flat_map(|s| &s.channels)
        .map(|c| c.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Copies an account directory (database, profile, token) to `to`.
pub fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_nested_directories() {
        let from = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("a/b")).unwrap();
        std::fs::write(from.path().join("a/b/store.sqlite"), b"data").unwrap();
        std::fs::write(from.path().join("top.json"), b"{}").unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_dir(from.path(), &to.path().join("copy")).unwrap();
        assert_eq!(
            std::fs::read(to.path().join("copy/a/b/store.sqlite")).unwrap(),
            b"data"
        );
        assert_eq!(
            std::fs::read(to.path().join("copy/top.json")).unwrap(),
            b"{}"
        );
    }
}
