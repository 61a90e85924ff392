use rusqlite::{Connection, OptionalExtension};

use crate::model::{SidebarCategory, SidebarCategoryList, SidebarCategoryType};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::sync_state::SyncCursor;
use super::writer::Writer;

impl Writer<'_> {
    /// Replaces a team's sidebar categories with the server's list, in the
    /// server's order.
    pub fn replace_sidebar_categories(
        &mut self,
        team_id: &str,
        list: &SidebarCategoryList,
    ) -> StoreResult<()> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM sidebar_categories WHERE team_id = ?1",
            [team_id],
        )?;
        let mut category = conn.prepare_cached(
            "INSERT INTO sidebar_categories (id, team_id, type, display_name, sorting, muted,
                 collapsed, sort_order)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT(id) DO UPDATE SET team_id = excluded.team_id, type = excluded.type,
                 display_name = excluded.display_name, sorting = excluded.sorting,
                 muted = excluded.muted, collapsed = excluded.collapsed,
                 sort_order = excluded.sort_order",
        )?;
        let mut member = conn.prepare_cached(
            "INSERT OR REPLACE INTO sidebar_category_channels (category_id, channel_id, sort_order)
             VALUES (?1, ?2, ?3)",
        )?;
        for (position, cat) in list.ordered().into_iter().enumerate() {
            if cat.id.is_empty() {
                continue;
            }
            category.execute(rusqlite::params![
                cat.id,
                team_id,
                cat.category_type.as_str(),
                cat.display_name,
                cat.sorting,
                cat.muted,
                cat.collapsed,
                position as i64,
            ])?;
            for (index, channel_id) in cat.channel_ids.iter().enumerate() {
                member.execute(rusqlite::params![cat.id, channel_id, index as i64])?;
            }
        }
        drop(category);
        drop(member);
        self.notify(StoreChange::ChannelList {
            team_id: team_id.to_owned(),
        });
        Ok(())
    }
}

impl Writer<'_> {
    /// Writes categories the server changed (the answer to an update, or a
    /// `sidebar_category_updated` event): each keeps its place in the
    /// order, a new one goes last, and a channel listed in one of them
    /// leaves whatever other category of the team held it. The server
    /// stores no channel list for the direct-messages category (it derives
    /// it), so that list is left as it is.
    pub fn update_sidebar_categories(
        &mut self,
        team_id: &str,
        categories: &[SidebarCategory],
    ) -> StoreResult<()> {
        let conn = self.conn();
        let mut upsert = conn.prepare_cached(
            "INSERT INTO sidebar_categories (id, team_id, type, display_name, sorting, muted,
                 collapsed, sort_order)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                 (SELECT coalesce(max(sort_order), -1) + 1 FROM sidebar_categories
                  WHERE team_id = ?2))
             ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name,
                 sorting = excluded.sorting, muted = excluded.muted,
                 collapsed = excluded.collapsed",
        )?;
        let mut leave_others = conn.prepare_cached(
            "DELETE FROM sidebar_category_channels WHERE channel_id = ?1 AND category_id IN
                 (SELECT id FROM sidebar_categories WHERE team_id = ?2)",
        )?;
        let mut clear =
            conn.prepare_cached("DELETE FROM sidebar_category_channels WHERE category_id = ?1")?;
        let mut insert = conn.prepare_cached(
            "INSERT OR REPLACE INTO sidebar_category_channels (category_id, channel_id, sort_order)
             VALUES (?1, ?2, ?3)",
        )?;
        for cat in categories.iter().filter(|c| !c.id.is_empty()) {
            upsert.execute(rusqlite::params![
                cat.id,
                team_id,
                cat.category_type.as_str(),
                cat.display_name,
                cat.sorting,
                cat.muted,
                cat.collapsed,
            ])?;
            if cat.category_type == SidebarCategoryType::DirectMessages {
                continue;
            }
            clear.execute([&cat.id])?;
            for (index, channel_id) in cat.channel_ids.iter().enumerate() {
                leave_others.execute([channel_id, team_id])?;
                insert.execute(rusqlite::params![cat.id, channel_id, index as i64])?;
            }
        }
        drop((upsert, leave_others, clear, insert));
        self.notify(StoreChange::ChannelList {
            team_id: team_id.to_owned(),
        });
        Ok(())
    }

    /// A category the user deleted: its channels fall back to where new
    /// channels go (the reads place channels no category lists).
    pub fn delete_sidebar_category(&mut self, category_id: &str) -> StoreResult<()> {
        let team_id: Option<String> = self
            .conn()
            .prepare_cached("SELECT team_id FROM sidebar_categories WHERE id = ?1")?
            .query_row([category_id], |r| r.get(0))
            .optional()?;
        let Some(team_id) = team_id else {
            return Ok(());
        };
        self.conn().execute(
            "DELETE FROM sidebar_category_channels WHERE category_id = ?1",
            [category_id],
        )?;
        self.conn().execute(
            "DELETE FROM sidebar_categories WHERE id = ?1",
            [category_id],
        )?;
        self.notify(StoreChange::ChannelList { team_id });
        Ok(())
    }

    /// The display order of a team's categories, as ids.
    pub fn set_sidebar_category_order(
        &mut self,
        team_id: &str,
        order: &[String],
    ) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "UPDATE sidebar_categories SET sort_order = ?3 WHERE id = ?1 AND team_id = ?2",
        )?;
        for (position, id) in order.iter().enumerate() {
            stmt.execute(rusqlite::params![id, team_id, position as i64])?;
        }
        drop(stmt);
        self.notify(StoreChange::ChannelList {
            team_id: team_id.to_owned(),
        });
        Ok(())
    }

    /// Remembers that some team's categories changed on the server in a
    /// way the store may not hold: the next catch-up fetches them all.
    /// Each mark raises a generation, so a catch-up that fetched before a
    /// newer mark leaves that mark standing.
    pub fn mark_sidebar_categories_stale(&mut self) -> StoreResult<()> {
        self.raise_mark(SyncCursor::SidebarCategoriesStale)
    }

    /// Clears the mark a catch-up read as `generation` before fetching;
    /// a later mark stays.
    pub fn clear_sidebar_categories_stale(&mut self, generation: i64) -> StoreResult<()> {
        self.clear_mark(SyncCursor::SidebarCategoriesStale, generation)
    }
}

/// The categories of a team as the sidebar reads them, with their channel
/// ids (for building an update: the server wants whole categories).
pub fn sidebar_categories_of(
    conn: &Connection,
    team_id: &str,
) -> StoreResult<Vec<SidebarCategory>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, type, display_name, sorting, muted, collapsed, sort_order
         FROM sidebar_categories WHERE team_id = ?1 ORDER BY sort_order",
    )?;
    let mut categories: Vec<SidebarCategory> = stmt
        .query_map([team_id], |r| {
            Ok(SidebarCategory {
                id: r.get(0)?,
                team_id: team_id.to_owned(),
                category_type: SidebarCategoryType::parse(&r.get::<_, String>(1)?),
                display_name: r.get(2)?,
                sorting: r.get(3)?,
                muted: r.get(4)?,
                collapsed: r.get(5)?,
                sort_order: r.get(6)?,
                ..SidebarCategory::default()
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut channels = conn.prepare_cached(
        "SELECT channel_id FROM sidebar_category_channels WHERE category_id = ?1
         ORDER BY sort_order",
    )?;
    for category in &mut categories {
        category.channel_ids = channels
            .query_map([&category.id], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(categories)
}
