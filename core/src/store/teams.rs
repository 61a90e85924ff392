use crate::model::{Team, TeamMember, TeamUnread};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    pub fn upsert_teams(&mut self, teams: &[Team]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO teams (id, name, display_name, description, type, create_at, update_at,
                 delete_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(id) DO UPDATE SET
                 name = excluded.name, display_name = excluded.display_name,
                 description = excluded.description, type = excluded.type,
                 create_at = excluded.create_at, update_at = excluded.update_at,
                 delete_at = excluded.delete_at
             WHERE excluded.update_at >= teams.update_at",
        )?;
        for team in teams.iter().filter(|t| !t.id.is_empty()) {
            stmt.execute(rusqlite::params![
                team.id,
                team.name,
                team.display_name,
                team.description,
                team.team_type,
                team.create_at,
                team.update_at,
                team.delete_at,
            ])?;
        }
        drop(stmt);
        self.notify(StoreChange::Teams);
        Ok(())
    }

    /// Replaces the set of teams the user belongs to: memberships missing
    /// from `members` (the user left or was removed) are deleted together
    /// with their team's channels.
    pub fn replace_my_team_members(
        &mut self,
        user_id: &str,
        members: &[TeamMember],
    ) -> StoreResult<()> {
        self.upsert_team_members(members)?;
        let keep: Vec<&str> = members
            .iter()
            .filter(|m| m.user_id == user_id && m.delete_at == 0)
            .map(|m| m.team_id.as_str())
            .collect();
        let stale: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT team_id FROM team_members WHERE user_id = ?1")?;
            let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
            rows.filter_map(Result::ok)
                .filter(|t| !keep.contains(&t.as_str()))
                .collect()
        };
        for team_id in stale {
            self.forget_team(&team_id)?;
        }
        Ok(())
    }

    pub fn upsert_team_members(&mut self, members: &[TeamMember]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO team_members (team_id, user_id, roles, delete_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(team_id, user_id) DO UPDATE SET
                 roles = excluded.roles, delete_at = excluded.delete_at",
        )?;
        for m in members {
            stmt.execute(rusqlite::params![
                m.team_id,
                m.user_id,
                m.roles,
                m.delete_at
            ])?;
        }
        drop(stmt);
        self.notify(StoreChange::Teams);
        Ok(())
    }

    /// Team-level unread counts (`GET /users/me/teams/unread`).
    pub fn set_team_unreads(&mut self, user_id: &str, unreads: &[TeamUnread]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "UPDATE team_members SET msg_count = ?3, mention_count = ?4, msg_count_root = ?5,
                 mention_count_root = ?6
             WHERE team_id = ?1 AND user_id = ?2",
        )?;
        for u in unreads {
            stmt.execute(rusqlite::params![
                u.team_id,
                user_id,
                u.msg_count,
                u.mention_count,
                u.msg_count_root,
                u.mention_count_root,
            ])?;
        }
        drop(stmt);
        self.notify(StoreChange::Teams);
        Ok(())
    }

    /// Removes a team the user no longer belongs to, and its channels.
    pub fn forget_team(&mut self, team_id: &str) -> StoreResult<()> {
        let channel_ids: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT id FROM channels WHERE team_id = ?1")?;
            let rows = stmt.query_map([team_id], |r| r.get::<_, String>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for channel_id in &channel_ids {
            self.forget_channel(channel_id)?;
        }
        let conn = self.conn();
        conn.execute("DELETE FROM team_members WHERE team_id = ?1", [team_id])?;
        conn.execute(
            "DELETE FROM sidebar_categories WHERE team_id = ?1",
            [team_id],
        )?;
        conn.execute("DELETE FROM teams WHERE id = ?1", [team_id])?;
        self.notify(StoreChange::Teams);
        self.notify(StoreChange::ChannelList {
            team_id: team_id.to_owned(),
        });
        Ok(())
    }
}
