use std::collections::{BTreeSet, HashSet};

use rusqlite::{Connection, OptionalExtension};

use crate::model::{Channel, ChannelMember, ChannelNotifyProps, ChannelType};

use super::changes::StoreChange;
use super::error::StoreResult;
use super::writer::Writer;

impl Writer<'_> {
    /// Inserts or updates channels. Counters that only grow on the server
    /// (last post time, message totals) never go backwards, and an older
    /// copy (lower `update_at`) does not undo an archiving, so a stale
    /// response cannot undo a newer event.
    pub fn upsert_channels(&mut self, channels: &[Channel]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO channels (id, team_id, type, name, display_name, header, purpose,
                 creator_id, create_at, update_at, delete_at, last_post_at, last_root_post_at,
                 total_msg_count, total_msg_count_root)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(id) DO UPDATE SET
                 team_id = excluded.team_id, type = excluded.type, name = excluded.name,
                 display_name = excluded.display_name, header = excluded.header,
                 purpose = excluded.purpose, creator_id = excluded.creator_id,
                 create_at = excluded.create_at,
                 update_at = max(channels.update_at, excluded.update_at),
                 delete_at = CASE WHEN excluded.update_at >= channels.update_at
                     THEN excluded.delete_at ELSE channels.delete_at END,
                 last_post_at = max(channels.last_post_at, excluded.last_post_at),
                 last_root_post_at = max(channels.last_root_post_at, excluded.last_root_post_at),
                 total_msg_count = max(channels.total_msg_count, excluded.total_msg_count),
                 total_msg_count_root =
                     max(channels.total_msg_count_root, excluded.total_msg_count_root)",
        )?;
        let mut teams = BTreeSet::new();
        for ch in channels.iter().filter(|c| !c.id.is_empty()) {
            stmt.execute(rusqlite::params![
                ch.id,
                ch.team_id,
                ch.channel_type.as_str(),
                ch.name,
                ch.display_name,
                ch.header,
                ch.purpose,
                ch.creator_id,
                ch.create_at,
                ch.update_at,
                ch.delete_at,
                ch.last_post_at,
                ch.last_root_post_at,
                ch.total_msg_count,
                ch.total_msg_count_root,
            ])?;
            teams.insert(ch.team_id.clone());
        }
        drop(stmt);
        for team_id in teams {
            self.notify(StoreChange::ChannelList { team_id });
        }
        Ok(())
    }

    /// Inserts or updates channel memberships (read state, notification
    /// settings). An older copy (lower `last_update_at`) is ignored.
    pub fn upsert_channel_members(&mut self, members: &[ChannelMember]) -> StoreResult<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO channel_members (channel_id, user_id, roles, last_viewed_at, msg_count,
                 msg_count_root, mention_count, mention_count_root, urgent_mention_count,
                 notify_props, mark_unread, last_update_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(channel_id, user_id) DO UPDATE SET
                 roles = excluded.roles, last_viewed_at = excluded.last_viewed_at,
                 msg_count = excluded.msg_count, msg_count_root = excluded.msg_count_root,
                 mention_count = excluded.mention_count,
                 mention_count_root = excluded.mention_count_root,
                 urgent_mention_count = excluded.urgent_mention_count,
                 notify_props = excluded.notify_props, mark_unread = excluded.mark_unread,
                 last_update_at = excluded.last_update_at
             WHERE excluded.last_update_at >= channel_members.last_update_at",
        )?;
        let mut channel_ids = HashSet::new();
        for m in members.iter().filter(|m| !m.channel_id.is_empty()) {
            let notify_props = serde_json::to_string(&m.notify_props)?;
            let mark_unread = if m.notify_props.mark_unread.is_empty() {
                "all"
            } else {
                m.notify_props.mark_unread.as_str()
            };
            stmt.execute(rusqlite::params![
                m.channel_id,
                m.user_id,
                m.roles,
                m.last_viewed_at,
                m.msg_count,
                m.msg_count_root,
                m.mention_count,
                m.mention_count_root,
                m.urgent_mention_count,
                notify_props,
                mark_unread,
                m.last_update_at,
            ])?;
            channel_ids.insert(m.channel_id.as_str());
        }
        drop(stmt);
        let channel_ids: Vec<String> = channel_ids.into_iter().map(str::to_owned).collect();
        self.notify_channel_lists_of(&channel_ids)?;
        Ok(())
    }

    /// Marks a channel read by `user_id` as of `at` (ms): no unread
    /// messages or mentions. The channel lists are told by the caller
    /// ([`Writer::notify_channel_lists_of`]), which may batch several.
    pub fn mark_channel_read(&self, channel_id: &str, user_id: &str, at: i64) -> StoreResult<()> {
        self.conn()
            .prepare_cached(
                "UPDATE channel_members SET
                     msg_count = (SELECT total_msg_count FROM channels WHERE id = ?1),
                     msg_count_root = (SELECT total_msg_count_root FROM channels WHERE id = ?1),
                     mention_count = 0, mention_count_root = 0, urgent_mention_count = 0,
                     last_viewed_at = max(last_viewed_at, ?3)
                 WHERE channel_id = ?1 AND user_id = ?2",
            )?
            .execute(rusqlite::params![channel_id, user_id, at])?;
        Ok(())
    }

    /// Makes the user's memberships exactly `members`, except in the
    /// channels of `left_alone`: channels the user left (membership
    /// missing) are removed from the cache.
    pub fn replace_my_channel_members(
        &mut self,
        user_id: &str,
        members: &[ChannelMember],
        left_alone: &HashSet<String>,
    ) -> StoreResult<()> {
        self.upsert_channel_members(members)?;
        let keep: HashSet<&str> = members
            .iter()
            .filter(|m| m.user_id == user_id)
            .map(|m| m.channel_id.as_str())
            .chain(left_alone.iter().map(String::as_str))
            .collect();
        let stale: Vec<String> = {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT channel_id FROM channel_members WHERE user_id = ?1")?;
            let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
            rows.filter_map(Result::ok)
                .filter(|c| !keep.contains(c.as_str()))
                .collect()
        };
        for channel_id in stale {
            self.forget_channel(&channel_id)?;
        }
        Ok(())
    }

    /// Removes a channel and everything cached for it.
    pub fn forget_channel(&mut self, channel_id: &str) -> StoreResult<()> {
        self.notify_channel_lists_of(&[channel_id.to_owned()])?;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM reactions WHERE post_id IN (SELECT id FROM posts WHERE channel_id = ?1)",
            [channel_id],
        )?;
        conn.execute("DELETE FROM file_infos WHERE channel_id = ?1", [channel_id])?;
        conn.execute("DELETE FROM posts WHERE channel_id = ?1", [channel_id])?;
        conn.execute(
            "DELETE FROM timeline_ranges WHERE channel_id = ?1",
            [channel_id],
        )?;
        conn.execute(
            "DELETE FROM channel_members WHERE channel_id = ?1",
            [channel_id],
        )?;
        conn.execute(
            "DELETE FROM sidebar_category_channels WHERE channel_id = ?1",
            [channel_id],
        )?;
        conn.execute("DELETE FROM channels WHERE id = ?1", [channel_id])?;
        self.notify(StoreChange::Posts {
            channel_id: channel_id.to_owned(),
        });
        Ok(())
    }

    /// Records a channel-list change for the team of each channel.
    pub(crate) fn notify_channel_lists_of(&mut self, channel_ids: &[String]) -> StoreResult<()> {
        let mut teams = BTreeSet::new();
        {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT team_id FROM channels WHERE id = ?1")?;
            for id in channel_ids {
                let mut rows = stmt.query([id])?;
                if let Some(row) = rows.next()? {
                    teams.insert(row.get::<_, String>(0)?);
                }
            }
        }
        for team_id in teams {
            self.notify(StoreChange::ChannelList { team_id });
        }
        Ok(())
    }
}

/// A cached channel, as far as the cache keeps it.
pub fn cached_channel(conn: &Connection, channel_id: &str) -> StoreResult<Option<Channel>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, team_id, type, name, display_name, header, purpose, delete_at
             FROM channels WHERE id = ?1",
        )?
        .query_row([channel_id], |r| {
            Ok(Channel {
                id: r.get(0)?,
                team_id: r.get(1)?,
                channel_type: ChannelType::parse(&r.get::<_, String>(2)?),
                name: r.get(3)?,
                display_name: r.get(4)?,
                header: r.get(5)?,
                purpose: r.get(6)?,
                delete_at: r.get(7)?,
                ..Channel::default()
            })
        })
        .optional()?)
}

/// The user's notification settings of a channel, when a member.
pub fn my_notify_props(
    conn: &Connection,
    channel_id: &str,
    user_id: &str,
) -> StoreResult<Option<ChannelNotifyProps>> {
    let json: Option<String> = conn
        .prepare_cached(
            "SELECT notify_props FROM channel_members WHERE channel_id = ?1 AND user_id = ?2",
        )?
        .query_row([channel_id, user_id], |r| r.get(0))
        .optional()?;
    Ok(json.map(|j| serde_json::from_slice(j.as_bytes()).unwrap_or_default()))
}

/// Ids of the channels the user is a member of.
pub fn my_channel_ids(conn: &Connection, user_id: &str) -> StoreResult<HashSet<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT channel_id FROM channel_members WHERE user_id = ?1")?;
    let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the channel is a favorite in `team_id`'s sidebar: in its
/// favorites category, or (before categories were synced) by the
/// `favorite_channel` preference the server keeps in step with it.
pub fn is_favorite(conn: &Connection, team_id: &str, channel_id: &str) -> StoreResult<bool> {
    let has_categories: bool = conn
        .prepare_cached("SELECT count(*) > 0 FROM sidebar_categories WHERE team_id = ?1")?
        .query_row([team_id], |r| r.get(0))?;
    let sql = if has_categories {
        "SELECT count(*) > 0 FROM sidebar_category_channels m
         JOIN sidebar_categories c ON c.id = m.category_id
         WHERE c.team_id = ?1 AND c.type = 'favorites' AND m.channel_id = ?2"
    } else {
        "SELECT count(*) > 0 FROM preferences
         WHERE category = 'favorite_channel' AND name = ?2 AND value = 'true' AND ?1 = ?1"
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([team_id, channel_id], |r| r.get(0))?)
}

/// Ids of the teams the user belongs to.
pub fn my_team_ids(conn: &Connection, user_id: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT team_id FROM team_members WHERE user_id = ?1 AND delete_at = 0 ORDER BY team_id",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The channel the user viewed last (not archived), if they viewed any.
pub fn most_recently_viewed_channel(
    conn: &Connection,
    user_id: &str,
) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id
             WHERE m.user_id = ?1 AND c.delete_at = 0 AND m.last_viewed_at > 0
             ORDER BY m.last_viewed_at DESC LIMIT 1",
        )?
        .query_row([user_id], |r| r.get(0))
        .ok())
}

/// The user's channels with unread posts or mentions whose timeline is
/// not cached, the most recently posted in first.
pub fn unread_uncached_channel_ids(conn: &Connection, user_id: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM channel_members m JOIN channels c ON c.id = m.channel_id
         WHERE m.user_id = ?1 AND c.delete_at = 0
           AND (c.total_msg_count > m.msg_count OR m.mention_count > 0)
           AND NOT EXISTS (SELECT 1 FROM timeline_ranges r WHERE r.channel_id = c.id)
         ORDER BY c.last_post_at DESC",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The channel's last post time as the server counts it (0 when unknown).
pub fn channel_last_post_at(conn: &Connection, channel_id: &str) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT last_post_at FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Every cached channel's id with its last post time.
pub fn channel_ids_with_last_post_at(conn: &Connection) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT id, last_post_at FROM channels")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest last post time of any cached channel (0 when none): the
/// server's "now" as far as the cache knows it.
pub fn newest_channel_post_at(conn: &Connection) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(last_post_at), 0) FROM channels")?
        .query_row([], |r| r.get(0))?)
}

/// How far back, from the cache's newest post, a channel counts as viewed
/// or active for [`likely_uncached_channel_ids`].
#[derive(Debug, Clone, Copy)]
pub struct LikelyWithin {
    pub viewed: i64,
    pub active: i64,
    pub direct_active: i64,
}

/// Up to `limit` of the user's channels with posts but no cached timeline
/// that the user is likely to open (a favorite, a direct or group message
/// active lately, viewed or active within `within` of `now`): favorites
/// first, then the most recently viewed, then the most recently posted in.
pub fn likely_uncached_channel_ids(
    conn: &Connection,
    user_id: &str,
    now: i64,
    within: LikelyWithin,
    limit: usize,
) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id,
                EXISTS (SELECT 1 FROM sidebar_category_channels sc
                        JOIN sidebar_categories s ON s.id = sc.category_id
                        WHERE sc.channel_id = c.id AND s.type = 'favorites') AS favorite
         FROM channel_members m JOIN channels c ON c.id = m.channel_id
         WHERE m.user_id = ?1 AND c.delete_at = 0 AND c.last_post_at > 0
           AND NOT EXISTS (SELECT 1 FROM timeline_ranges r WHERE r.channel_id = c.id)
           AND (favorite
                OR (c.type IN ('D', 'G') AND c.last_post_at > ?2 - ?5)
                OR m.last_viewed_at > ?2 - ?3
                OR c.last_post_at > ?2 - ?4)
         ORDER BY favorite DESC, m.last_viewed_at DESC, c.last_post_at DESC
         LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![
            user_id,
            now,
            within.viewed,
            within.active,
            within.direct_active,
            limit as i64
        ],
        |r| r.get(0),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Names of the user's direct message channels (`ID__ID`).
pub fn my_direct_channel_names(conn: &Connection, user_id: &str) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.name FROM channels c JOIN channel_members m
             ON m.channel_id = c.id AND m.user_id = ?1
         WHERE c.type = 'D'",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Display names of the user's group message channels (the members'
/// usernames, comma separated, as the server names them).
pub fn my_group_channel_display_names(
    conn: &Connection,
    user_id: &str,
) -> StoreResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.display_name FROM channels c JOIN channel_members m
             ON m.channel_id = c.id AND m.user_id = ?1
         WHERE c.type = 'G'",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When `user_id` last viewed the channel (ms; 0: never, or not a member).
pub fn member_last_viewed_at(
    conn: &Connection,
    channel_id: &str,
    user_id: &str,
) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT last_viewed_at FROM channel_members WHERE channel_id = ?1 AND user_id = ?2",
        )?
        .query_row([channel_id, user_id], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}
