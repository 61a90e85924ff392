//! Teams: which ones the user may join, joining and leaving, and whether
//! the user belongs to none yet (then the app shows the join screen, not
//! an empty sidebar).

use super::Client;
use crate::api::teams as teams_api;
use crate::directory::{email_domain_allowed, JoinableTeam};
use crate::error::Result;
use crate::locks::RwLockExt;
use crate::store::{my_team_ids, read_cursor, SyncCursor};

/// Teams fetched per page of `GET /teams`.
const TEAMS_PER_PAGE: u32 = 200;
/// Pages read at most (a school server has a handful of teams).
const MAX_TEAM_PAGES: u32 = 10;

impl Client {
    /// Teams the user may join: open ones they are not in whose allowed
    /// email domains (if any) include the user's address.
    pub async fn joinable_teams(&self) -> Result<Vec<JoinableTeam>> {
        let account = self.account()?;
        let email = account.user.read_now().email.clone();
        let me = account.user_id.clone();
        let mine = account.store.read(move |c| my_team_ids(c, &me)).await?;
        let mut teams = Vec::new();
        for page in 0..MAX_TEAM_PAGES {
            let batch = teams_api::open_teams(&account.api, page, TEAMS_PER_PAGE).await?;
            let last = batch.len() < TEAMS_PER_PAGE as usize;
            teams.extend(batch);
            if last {
                break;
            }
        }
        let mut joinable: Vec<JoinableTeam> = teams
            .iter()
            .filter(|t| t.delete_at == 0 && t.allow_open_invite)
            .filter(|t| !mine.contains(&t.id))
            .filter(|t| email_domain_allowed(&email, &t.allowed_domains))
            .map(JoinableTeam::of)
            .collect();
        joinable.sort_by_cached_key(|t| (t.display_name.to_lowercase(), t.id.clone()));
        Ok(joinable)
    }

    /// Joins an open team. The server puts the user into its default
    /// channels; a sync brings team, channels and sidebar into the store
    /// before this returns.
    pub async fn join_team(&self, team_id: &str) -> Result<()> {
        let account = self.account()?;
        let member = teams_api::join_team(&account.api, team_id, &account.user_id).await?;
        let team = teams_api::team(&account.api, team_id).await?;
        account
            .store
            .write(move |w| {
                w.upsert_teams(std::slice::from_ref(&team))?;
                w.upsert_team_members(std::slice::from_ref(&member))
            })
            .await?;
        self.sync().await?;
        Ok(())
    }

    /// Leaves a team; it and its channels are gone from the store when
    /// this returns.
    pub async fn leave_team(&self, team_id: &str) -> Result<()> {
        let account = self.account()?;
        teams_api::leave_team(&account.api, team_id, &account.user_id).await?;
        let team_id = team_id.to_owned();
        account
            .store
            .write(move |w| w.forget_team(&team_id))
            .await?;
        Ok(())
    }

    /// True once a sync finished and the user belongs to no team: lead
    /// them to [`Client::joinable_teams`] instead of an empty app.
    pub async fn needs_team(&self) -> Result<bool> {
        let account = self.account()?;
        let me = account.user_id.clone();
        Ok(account
            .store
            .read(move |c| {
                let synced = read_cursor(c, SyncCursor::LastSyncAt)?.is_some();
                Ok(synced && my_team_ids(c, &me)?.is_empty())
            })
            .await?)
    }
}
