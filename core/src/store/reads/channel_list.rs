//! A team's channel list, grouped like Mattermost's sidebar.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::names::{name_of, name_of_username};
use super::{collapsed_threads, my_user_id};
use crate::store::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Public,
    Private,
    Direct,
    Group,
}

impl ChannelKind {
    /// From the wire letter (O, P, D, G); unknown letters read as public.
    pub fn from_letter(letter: &str) -> ChannelKind {
        match letter {
            "P" => ChannelKind::Private,
            "D" => ChannelKind::Direct,
            "G" => ChannelKind::Group,
            _ => ChannelKind::Public,
        }
    }

    fn is_direct_or_group(self) -> bool {
        matches!(self, ChannelKind::Direct | ChannelKind::Group)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Favorites,
    Channels,
    DirectMessages,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SidebarSection {
    pub kind: SectionKind,
    /// The sidebar category's id, when categories are synced.
    pub category_id: Option<String>,
    pub name: String,
    pub collapsed: bool,
    pub channels: Vec<ChannelListItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelListItem {
    pub id: String,
    /// Empty for direct and group messages.
    pub team_id: String,
    pub name: String,
    /// A direct message shows the other person's name, a group message the
    /// other members' names.
    pub display_name: String,
    pub kind: ChannelKind,
    pub unread_count: i64,
    pub mention_count: i64,
    /// `mark_unread = mention`: unread messages are not highlighted.
    pub muted: bool,
    pub last_post_at: i64,
    pub last_viewed_at: i64,
    /// The other person of a direct message.
    pub other_user_id: Option<String>,
}

impl ChannelListItem {
    /// Whether the channel shows as unread (muted channels only for mentions).
    pub fn is_unread(&self) -> bool {
        self.mention_count > 0 || (!self.muted && self.unread_count > 0)
    }
}

/// The channel list of `team_id`: sidebar categories when synced, else
/// favorites (preference `favorite_channel`), channels, and direct/group
/// messages. Channels the user is not a member of, archived channels and
/// hidden direct messages are left out.
pub fn channel_list(conn: &Connection, team_id: &str) -> StoreResult<Vec<SidebarSection>> {
    let me = my_user_id(conn)?;
    let crt = collapsed_threads(conn)?;
    let mut items = my_channels(conn, team_id, &me, crt)?;
    let hidden = hidden_direct_channels(conn)?;
    items.retain(|item| match item.kind {
        ChannelKind::Direct => item
            .other_user_id
            .as_ref()
            .is_none_or(|other| !hidden.contains(&format!("direct_channel_show:{other}"))),
        ChannelKind::Group => !hidden.contains(&format!("group_channel_show:{}", item.id)),
        _ => true,
    });
    let categories = categories(conn, team_id)?;
    if categories.is_empty() {
        let favorites = favorite_channels(conn)?;
        Ok(default_sections(items, &favorites))
    } else {
        Ok(category_sections(items, categories))
    }
}

fn my_channels(
    conn: &Connection,
    team_id: &str,
    me: &str,
    crt: bool,
) -> StoreResult<Vec<ChannelListItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.team_id, c.type, c.name, c.display_name, c.last_post_at,
                c.total_msg_count, c.total_msg_count_root, m.msg_count, m.msg_count_root,
                m.mention_count, m.mention_count_root, m.mark_unread, m.last_viewed_at
         FROM channel_members m JOIN channels c ON c.id = m.channel_id
         WHERE m.user_id = ?1 AND (c.team_id = ?2 OR c.team_id = '') AND c.delete_at = 0",
    )?;
    let rows = stmt.query_map([me, team_id], |r| {
        let (total, read, mentions) = if crt {
            (
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(9)?,
                r.get::<_, i64>(11)?,
            )
        } else {
            (
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(8)?,
                r.get::<_, i64>(10)?,
            )
        };
        Ok(ChannelListItem {
            id: r.get(0)?,
            team_id: r.get(1)?,
            kind: ChannelKind::from_letter(&r.get::<_, String>(2)?),
            name: r.get(3)?,
            display_name: r.get(4)?,
            last_post_at: r.get(5)?,
            unread_count: (total - read).max(0),
            mention_count: mentions.max(0),
            muted: r.get::<_, String>(12)? == "mention",
            last_viewed_at: r.get(13)?,
            other_user_id: None,
        })
    })?;
    let mut items: Vec<ChannelListItem> = rows.collect::<Result<_, _>>()?;
    let my_username: Option<String> = conn
        .prepare_cached("SELECT username FROM users WHERE id = ?1")?
        .query_row([me], |r| r.get(0))
        .ok();
    for item in &mut items {
        match item.kind {
            ChannelKind::Direct => {
                let other = other_member_of_direct(&item.name, me);
                if let Some(name) = name_of(conn, &other)? {
                    item.display_name = name;
                }
                item.other_user_id = Some(other);
            }
            ChannelKind::Group => {
                item.display_name =
                    group_display_name(conn, &item.display_name, my_username.as_deref())?;
            }
            _ => {}
        }
    }
    Ok(items)
}

/// The name a channel is shown under, as in the channel list; `None` when
/// the channel is not cached.
pub(crate) fn channel_title(
    conn: &Connection,
    channel_id: &str,
    me: &str,
) -> StoreResult<Option<String>> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached("SELECT type, name, display_name FROM channels WHERE id = ?1")?
        .query_row([channel_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((kind, name, display_name)) = row else {
        return Ok(None);
    };
    Ok(Some(match kind.as_str() {
        "D" => name_of(conn, &other_member_of_direct(&name, me))?.unwrap_or(display_name),
        "G" => {
            let my_username: Option<String> = conn
                .prepare_cached("SELECT username FROM users WHERE id = ?1")?
                .query_row([me], |r| r.get(0))
                .optional()?;
            group_display_name(conn, &display_name, my_username.as_deref())?
        }
        _ => display_name,
    }))
}

/// A direct channel's name is `<userA>__<userB>`; a direct message to
/// oneself names the user twice.
fn other_member_of_direct(channel_name: &str, me: &str) -> String {
    match channel_name.split_once("__") {
        Some((a, b)) if a == me => b.to_owned(),
        Some((a, _)) => a.to_owned(),
        None => String::new(),
    }
}

/// The server names a group channel by its members' usernames, comma
/// separated; show the other members' real names instead.
fn group_display_name(
    conn: &Connection,
    server_name: &str,
    my_username: Option<&str>,
) -> StoreResult<String> {
    let mut names = Vec::new();
    for username in server_name
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        if Some(username) != my_username {
            names.push(name_of_username(conn, username)?);
        }
    }
    if names.is_empty() {
        return Ok(server_name.to_owned());
    }
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names.join(", "))
}

fn hidden_direct_channels(conn: &Connection) -> StoreResult<HashSet<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT category, name FROM preferences
         WHERE category IN ('direct_channel_show', 'group_channel_show') AND value = 'false'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{}:{}",
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn favorite_channels(conn: &Connection) -> StoreResult<HashSet<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM preferences WHERE category = 'favorite_channel' AND value = 'true'",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

struct Category {
    id: String,
    kind: SectionKind,
    name: String,
    sorting: String,
    collapsed: bool,
    channel_ids: Vec<String>,
}

fn categories(conn: &Connection, team_id: &str) -> StoreResult<Vec<Category>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, type, display_name, sorting, collapsed FROM sidebar_categories
         WHERE team_id = ?1 ORDER BY sort_order",
    )?;
    let mut categories: Vec<Category> = stmt
        .query_map([team_id], |r| {
            Ok(Category {
                id: r.get(0)?,
                kind: match r.get::<_, String>(1)?.as_str() {
                    "favorites" => SectionKind::Favorites,
                    "channels" => SectionKind::Channels,
                    "direct_messages" => SectionKind::DirectMessages,
                    _ => SectionKind::Custom,
                },
                name: r.get(2)?,
                sorting: r.get(3)?,
                collapsed: r.get(4)?,
                channel_ids: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut members = conn.prepare_cached(
        "SELECT channel_id FROM sidebar_category_channels WHERE category_id = ?1
         ORDER BY sort_order",
    )?;
    for category in &mut categories {
        category.channel_ids = members
            .query_map([&category.id], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(categories)
}

fn category_sections(
    items: Vec<ChannelListItem>,
    categories: Vec<Category>,
) -> Vec<SidebarSection> {
    let mut by_id: HashMap<String, ChannelListItem> =
        items.into_iter().map(|i| (i.id.clone(), i)).collect();
    let mut sections: Vec<(SidebarSection, String)> = Vec::new();
    for category in categories {
        let channels = category
            .channel_ids
            .iter()
            .filter_map(|id| by_id.remove(id))
            .collect();
        sections.push((
            SidebarSection {
                kind: category.kind,
                category_id: Some(category.id),
                name: category.name,
                collapsed: category.collapsed,
                channels,
            },
            category.sorting,
        ));
    }
    // Channels the categories do not list yet (joined since they were
    // synced) go where Mattermost puts new channels.
    let mut leftovers: Vec<ChannelListItem> = by_id.into_values().collect();
    leftovers.sort_by(|a, b| a.id.cmp(&b.id));
    for item in leftovers {
        let wanted = if item.kind.is_direct_or_group() {
            SectionKind::DirectMessages
        } else {
            SectionKind::Channels
        };
        match sections.iter_mut().find(|(s, _)| s.kind == wanted) {
            Some((section, _)) => section.channels.push(item),
            None => sections.push((
                SidebarSection {
                    kind: wanted,
                    category_id: None,
                    name: default_section_name(wanted).to_owned(),
                    collapsed: false,
                    channels: vec![item],
                },
                String::new(),
            )),
        }
    }
    sections
        .into_iter()
        .map(|(mut section, sorting)| {
            sort_section(&mut section, &sorting);
            section
        })
        .filter(|s| s.kind != SectionKind::Favorites || !s.channels.is_empty())
        .collect()
}

fn sort_section(section: &mut SidebarSection, sorting: &str) {
    match (sorting, section.kind) {
        ("alpha", _) => sort_alphabetically(&mut section.channels),
        ("recent", _) | ("", SectionKind::DirectMessages) => {
            sort_recent_first(&mut section.channels)
        }
        // "manual" and the default of other categories: the server's order.
        _ => {}
    }
}

fn sort_alphabetically(channels: &mut [ChannelListItem]) {
    channels.sort_by_cached_key(|c| (c.display_name.to_lowercase(), c.id.clone()));
}

fn sort_recent_first(channels: &mut [ChannelListItem]) {
    channels.sort_by(|a, b| b.last_post_at.cmp(&a.last_post_at).then(a.id.cmp(&b.id)));
}

fn default_section_name(kind: SectionKind) -> &'static str {
    match kind {
        SectionKind::Favorites => "Favorites",
        SectionKind::Channels => "Channels",
        SectionKind::DirectMessages => "Direct Messages",
        SectionKind::Custom => "",
    }
}

fn default_sections(
    items: Vec<ChannelListItem>,
    favorites: &HashSet<String>,
) -> Vec<SidebarSection> {
    let mut favorite = Vec::new();
    let mut channels = Vec::new();
    let mut direct = Vec::new();
    for item in items {
        if favorites.contains(&item.id) {
            favorite.push(item);
        } else if item.kind.is_direct_or_group() {
            direct.push(item);
        } else {
            channels.push(item);
        }
    }
    sort_alphabetically(&mut favorite);
    sort_alphabetically(&mut channels);
    sort_recent_first(&mut direct);
    let section = |kind, channels| SidebarSection {
        kind,
        category_id: None,
        name: default_section_name(kind).to_owned(),
        collapsed: false,
        channels,
    };
    let mut sections = Vec::new();
    if !favorite.is_empty() {
        sections.push(section(SectionKind::Favorites, favorite));
    }
    sections.push(section(SectionKind::Channels, channels));
    sections.push(section(SectionKind::DirectMessages, direct));
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_member_of_direct_channel() {
        assert_eq!(other_member_of_direct("me__you", "me"), "you");
        assert_eq!(other_member_of_direct("you__me", "me"), "you");
        assert_eq!(other_member_of_direct("me__me", "me"), "me");
        assert_eq!(other_member_of_direct("broken", "me"), "");
    }
}
