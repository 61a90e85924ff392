//! Sidebar categories as the real server keeps them: favorites, channels,
//! direct messages and custom ones per user and team. Until a user
//! changes something they are derived (favorites from the
//! `favorite_channel` preferences, every other channel in channels or
//! direct messages); the first change stores a full copy. The server keeps
//! the `favorite_channel` preferences in step with the favorites category
//! in both directions.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids::Id;
use crate::model::Preference;
use crate::state::State;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    Favorites,
    Channels,
    DirectMessages,
    Custom,
}

impl CategoryKind {
    fn as_str(&self) -> &'static str {
        match self {
            CategoryKind::Favorites => "favorites",
            CategoryKind::Channels => "channels",
            CategoryKind::DirectMessages => "direct_messages",
            CategoryKind::Custom => "custom",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SidebarCategory {
    pub id: String,
    pub kind: CategoryKind,
    pub display_name: String,
    pub sorting: String,
    pub muted: bool,
    pub collapsed: bool,
    /// Not stored for direct messages (the server derives that list).
    pub channel_ids: Vec<String>,
}

/// A category as clients send it in `PUT .../channels/categories`.
#[derive(Deserialize)]
pub struct CategoryUpdate {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub sorting: String,
    #[serde(default)]
    pub muted: bool,
    #[serde(default)]
    pub collapsed: bool,
    #[serde(default)]
    pub channel_ids: Option<Vec<String>>,
}

impl SidebarCategory {
    pub fn to_json(&self, user: Id, team: Id, sort_order: i64) -> Value {
        json!({
            "id": self.id,
            "user_id": user,
            "team_id": team,
            "sort_order": sort_order,
            "sorting": self.sorting,
            "type": self.kind.as_str(),
            "display_name": self.display_name,
            "muted": self.muted,
            "collapsed": self.collapsed,
            "channel_ids": self.channel_ids,
        })
    }
}

fn default_categories(user: Id, team: Id) -> Vec<SidebarCategory> {
    let category = |kind: CategoryKind, name: &str, sorting: &str| SidebarCategory {
        id: format!("{}_{user}_{team}", kind.as_str()),
        kind,
        display_name: name.to_string(),
        sorting: sorting.to_string(),
        muted: false,
        collapsed: false,
        channel_ids: Vec::new(),
    };
    vec![
        category(CategoryKind::Favorites, "Favorites", ""),
        category(CategoryKind::Channels, "Channels", ""),
        // Direct messages are sorted by recency unless the user chose.
        category(CategoryKind::DirectMessages, "Direct Messages", "recent"),
    ]
}

impl State {
    fn favorite_preferences(&self, user: Id) -> Vec<String> {
        self.preferences
            .get(&user)
            .into_iter()
            .flatten()
            .filter(|p| p.category == "favorite_channel" && p.value == "true")
            .map(|p| p.name.clone())
            .collect()
    }

    /// The categories `GET .../channels/categories` shows, in order, with
    /// every channel of the user in exactly one of them.
    pub fn sidebar_categories(&self, user: Id, team: Id) -> Vec<SidebarCategory> {
        let stored = self.sidebars.get(&(user, team));
        let mut categories = stored
            .cloned()
            .unwrap_or_else(|| default_categories(user, team));
        let mut channels: Vec<_> = self
            .user_channels
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|c| self.channels.get(c))
            .filter(|c| c.delete_at == 0 && (c.team_id.is_none() || c.team_id == Some(team)))
            .collect();
        channels.sort_by_key(|c| c.display_name.to_lowercase());
        let mine: Vec<String> = channels.iter().map(|c| c.id.to_string()).collect();
        for category in &mut categories {
            category.channel_ids.retain(|id| mine.contains(id));
        }
        if stored.is_none() {
            let favorites = self.favorite_preferences(user);
            if let Some(f) = categories
                .iter_mut()
                .find(|c| c.kind == CategoryKind::Favorites)
            {
                f.channel_ids = mine
                    .iter()
                    .filter(|id| favorites.contains(id))
                    .cloned()
                    .collect();
            }
        }
        for channel in channels {
            let id = channel.id.to_string();
            if categories.iter().any(|c| c.channel_ids.contains(&id)) {
                continue;
            }
            let home = if channel.kind.is_direct_or_group() {
                CategoryKind::DirectMessages
            } else {
                CategoryKind::Channels
            };
            if let Some(c) = categories.iter_mut().find(|c| c.kind == home) {
                c.channel_ids.push(id);
            }
        }
        categories
    }

    /// `PUT .../channels/categories`: each named category takes the given
    /// fields and channel list (none for direct messages); favorites
    /// preferences follow. Returns the updated categories as stored, in
    /// request order, or `None` when one of them is not the user's.
    pub fn update_sidebar_categories(
        &mut self,
        user: Id,
        team: Id,
        updates: Vec<CategoryUpdate>,
    ) -> Option<Vec<SidebarCategory>> {
        let mut categories = self.sidebar_categories(user, team);
        // Only what the user placed is stored; the rest stays derived.
        for category in &mut categories {
            if category.kind == CategoryKind::DirectMessages {
                category.channel_ids.clear();
            }
        }
        let mut updated = Vec::new();
        let mut favorites_before = Vec::new();
        let mut favorites_after: Option<Vec<String>> = None;
        let mut unfavored = Vec::new();
        for update in updates {
            let category = categories.iter_mut().find(|c| c.id == update.id)?;
            if category.kind == CategoryKind::Custom {
                category.display_name = update.display_name;
            }
            category.sorting = update.sorting;
            category.collapsed = update.collapsed;
            let channels = update.channel_ids.unwrap_or_default();
            if category.kind == CategoryKind::Favorites {
                favorites_before = category.channel_ids.clone();
                favorites_after = Some(channels.clone());
            } else {
                unfavored.extend(channels.iter().cloned());
            }
            if category.kind != CategoryKind::DirectMessages {
                category.muted = update.muted;
                category.channel_ids = channels;
            }
            updated.push(category.clone());
        }
        self.sidebars.insert((user, team), categories);
        let list = self.preferences.entry(user).or_default();
        if let Some(after) = favorites_after {
            list.retain(|p| {
                !(p.category == "favorite_channel" && favorites_before.contains(&p.name))
            });
            for id in after {
                list.retain(|p| !(p.category == "favorite_channel" && p.name == id));
                list.push(Preference {
                    category: "favorite_channel".into(),
                    name: id,
                    value: "true".into(),
                });
            }
        } else {
            list.retain(|p| !(p.category == "favorite_channel" && unfavored.contains(&p.name)));
        }
        Some(updated)
    }

    /// `favorite_channel` preferences saved directly move channels into or
    /// out of the favorites of every team the user changed a sidebar of.
    pub fn favorites_from_preferences(&mut self, user: Id, preferences: &[Preference]) {
        let changes: Vec<(String, bool)> = preferences
            .iter()
            .filter(|p| p.category == "favorite_channel")
            .map(|p| (p.name.clone(), p.value == "true"))
            .collect();
        if changes.is_empty() {
            return;
        }
        for ((owner, _), categories) in self.sidebars.iter_mut() {
            if *owner != user {
                continue;
            }
            for (channel, favorite) in &changes {
                for category in categories.iter_mut() {
                    category.channel_ids.retain(|id| id != channel);
                }
                if *favorite {
                    if let Some(f) = categories
                        .iter_mut()
                        .find(|c| c.kind == CategoryKind::Favorites)
                    {
                        f.channel_ids.insert(0, channel.clone());
                    }
                }
            }
        }
    }
}
