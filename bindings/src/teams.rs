//! Teams to join, joining and leaving, and the "no team yet" signal.

use pausenhof_core::directory;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;

/// A team the user may join.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct JoinableTeam {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
}

impl From<directory::JoinableTeam> for JoinableTeam {
    fn from(t: directory::JoinableTeam) -> Self {
        JoinableTeam {
            id: t.id,
            name: t.name,
            display_name: t.display_name,
            description: t.description,
        }
    }
}

#[uniffi::export]
impl Client {
    /// Open teams the user is not in whose allowed email domains admit
    /// them.
    pub async fn joinable_teams(&self) -> Result<Vec<JoinableTeam>> {
        let core = self.core.clone();
        let teams = run(async move { core.joinable_teams().await }).await?;
        Ok(teams.into_iter().map(Into::into).collect())
    }

    /// Joins a team; its channels are synced when this returns.
    /// `EmailDomainNotAllowed` when its domains exclude the user.
    pub async fn join_team(&self, team_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.join_team(&team_id).await }).await?)
    }

    pub async fn leave_team(&self, team_id: String) -> Result<()> {
        let core = self.core.clone();
        Ok(run(async move { core.leave_team(&team_id).await }).await?)
    }

    /// True after a sync when the user is in no team: show the join
    /// screen (`joinable_teams`) instead of an empty app.
    pub async fn needs_team(&self) -> Result<bool> {
        let core = self.core.clone();
        Ok(run(async move { core.needs_team().await }).await?)
    }
}
