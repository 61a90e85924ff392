use crate::model::SidebarCategoryList;

use super::changes::StoreChange;
use super::error::StoreResult;
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
