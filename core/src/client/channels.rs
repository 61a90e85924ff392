//! Channels besides reading and writing: browse, search, join, leave,
//! create, mute, favorite, push level, mark unread, info and members.
//! Every change is written to the store as soon as the server confirms
//! it, so the sidebar shows it at once; the other devices of the user
//! learn it from the server's events (`realtime/apply.rs`).

use std::collections::HashSet;

use super::Client;
use crate::api::channels::{self as channels_api, NewChannel};
use crate::api::errors::CHANNEL_NAME_EXISTS;
use crate::api::users::users_by_ids;
use crate::directory::{
    channel_name_candidates, url_name_from_display_name, ChannelInfo, ChannelSummary, Person,
    Presence, PushLevel,
};
use crate::error::{Error, Result};
use crate::model::{ChannelType, SidebarCategory, SidebarCategoryType, StringMap};
use crate::store::{
    cached_channel, is_favorite, my_channel_ids, my_notify_props, my_team_ids,
    sidebar_categories_of,
};

/// Most channels or members one page may ask for (the server's cap).
const MAX_PAGE: u32 = 200;
/// Names tried when creating a channel whose name is taken: `name`,
/// `name-2` ... `name-9`.
const NAME_TRIES: usize = 9;
/// Longest display name the server accepts.
const MAX_DISPLAY_NAME_CHARS: usize = 64;

impl Client {
    /// One page of a team's public channels (not archived), by name; which
    /// ones the user is in comes from the cache.
    pub async fn browse_channels(
        &self,
        team_id: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<ChannelSummary>> {
        let account = self.account()?;
        let per_page = per_page.clamp(1, MAX_PAGE);
        let channels = channels_api::public_channels(&account.api, team_id, page, per_page).await?;
        let mine = self.my_channels().await?;
        Ok(channels
            .iter()
            .map(|c| ChannelSummary::of(c, mine.contains(&c.id)))
            .collect())
    }

    /// Public channels of a team whose names start with `term`.
    pub async fn search_channels(&self, team_id: &str, term: &str) -> Result<Vec<ChannelSummary>> {
        let term = term.trim();
        if term.is_empty() {
            return Err(Error::InvalidInput {
                reason: "the search term is empty".into(),
            });
        }
        let account = self.account()?;
        let channels = channels_api::search_public_channels(&account.api, team_id, term).await?;
        let mine = self.my_channels().await?;
        Ok(channels
            .iter()
            .map(|c| ChannelSummary::of(c, mine.contains(&c.id)))
            .collect())
    }

    async fn my_channels(&self) -> Result<HashSet<String>> {
        let me = self.account()?.user_id.clone();
        Ok(self.store()?.read(move |c| my_channel_ids(c, &me)).await?)
    }

    /// Joins a public channel; it is in the store (and the sidebar) when
    /// this returns.
    pub async fn join_channel(&self, channel_id: &str) -> Result<ChannelSummary> {
        let account = self.account()?;
        channels_api::add_member(&account.api, channel_id, &account.user_id).await?;
        self.store_channel_and_membership(channel_id).await
    }

    /// Fetches a channel and the user's membership and writes both.
    async fn store_channel_and_membership(&self, channel_id: &str) -> Result<ChannelSummary> {
        let account = self.account()?;
        let (channel, member) = futures_util::try_join!(
            channels_api::channel(&account.api, channel_id),
            channels_api::my_channel_member(&account.api, channel_id),
        )?;
        let summary = ChannelSummary::of(&channel, true);
        account
            .store
            .write(move |w| {
                w.upsert_channels(std::slice::from_ref(&channel))?;
                w.upsert_channel_members(std::slice::from_ref(&member))
            })
            .await?;
        Ok(summary)
    }

    /// Leaves a channel; it is gone from the store when this returns.
    pub async fn leave_channel(&self, channel_id: &str) -> Result<()> {
        let account = self.account()?;
        channels_api::remove_member(&account.api, channel_id, &account.user_id).await?;
        let channel_id = channel_id.to_owned();
        account
            .store
            .write(move |w| w.forget_channel(&channel_id))
            .await?;
        Ok(())
    }

    /// Archives a channel (`DELETE /channels/{id}`: not a permanent
    /// deletion). It stays readable and refuses new posts; the store knows
    /// it archived when this returns, the other members through
    /// `channel_deleted`.
    pub async fn archive_channel(&self, channel_id: &str) -> Result<()> {
        let account = self.account()?;
        if channel_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "no channel named".into(),
            });
        }
        account
            .api
            .call::<()>(
                reqwest::Method::DELETE,
                &format!("/channels/{}", crate::api::seg(channel_id)),
                None,
            )
            .await?;
        let channel_id = channel_id.to_owned();
        let now = crate::realtime::now_ms();
        account
            .store
            .write(move |w| w.set_channel_delete_at(&channel_id, now))
            .await?;
        Ok(())
    }

    /// Creates a public or private channel named `display_name`. The URL
    /// name follows from it by the server's rules; when it is taken,
    /// `-2`, `-3`, ... are tried. A display name with nothing usable for a
    /// URL (e.g. only emoji) gets a generated URL name.
    pub async fn create_channel(
        &self,
        team_id: &str,
        display_name: &str,
        private: bool,
        purpose: &str,
    ) -> Result<ChannelSummary> {
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
            return Err(Error::InvalidInput {
                reason: format!("a channel name has 1 to {MAX_DISPLAY_NAME_CHARS} characters"),
            });
        }
        let base = url_name_from_display_name(display_name)
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..26].to_owned());
        let account = self.account()?;
        for name in channel_name_candidates(&base, NAME_TRIES) {
            let new = NewChannel {
                team_id: team_id.to_owned(),
                name,
                display_name: display_name.to_owned(),
                channel_type: if private {
                    ChannelType::Private
                } else {
                    ChannelType::Open
                },
                purpose: purpose.trim().to_owned(),
                header: String::new(),
            };
            match channels_api::create_channel(&account.api, &new).await {
                Ok(channel) => return self.store_channel_and_membership(&channel.id).await,
                Err(Error::Server { id, .. }) if id == CHANNEL_NAME_EXISTS => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::NameTaken)
    }

    /// Mutes (unread posts no longer highlight the channel; mentions still
    /// do) or unmutes a channel.
    pub async fn set_channel_muted(&self, channel_id: &str, muted: bool) -> Result<()> {
        let mut props = StringMap::new();
        props.insert(
            "mark_unread".into(),
            if muted { "mention" } else { "all" }.into(),
        );
        self.update_my_notify_props(channel_id, props).await
    }

    /// Which posts of the channel raise a push notification.
    pub async fn set_channel_push_level(&self, channel_id: &str, level: PushLevel) -> Result<()> {
        let mut props = StringMap::new();
        props.insert("push".into(), level.as_wire().into());
        self.update_my_notify_props(channel_id, props).await
    }

    async fn update_my_notify_props(&self, channel_id: &str, props: StringMap) -> Result<()> {
        let account = self.account()?;
        channels_api::update_notify_props(&account.api, channel_id, &props).await?;
        let member = channels_api::my_channel_member(&account.api, channel_id).await?;
        account
            .store
            .write(move |w| w.upsert_channel_members(std::slice::from_ref(&member)))
            .await?;
        Ok(())
    }

    /// Makes a channel a favorite (or not) through the server's sidebar
    /// categories: it moves into the favorites category, or back to the
    /// channels (or direct messages) category. A direct or group message
    /// belongs to no team, so it moves in every team's sidebar.
    pub async fn set_channel_favorite(&self, channel_id: &str, favorite: bool) -> Result<()> {
        let account = self.account()?;
        let store = account.store.clone();
        let (me, id) = (account.user_id.clone(), channel_id.to_owned());
        let (channel, teams) = store
            .read(move |c| Ok((cached_channel(c, &id)?, my_team_ids(c, &me)?)))
            .await?;
        let channel = channel.ok_or_else(|| Error::NotFound {
            id: "channel not in the cache".into(),
        })?;
        let direct = channel.channel_type.is_direct_or_group();
        let teams = if direct {
            teams
        } else {
            vec![channel.team_id.clone()]
        };
        for team_id in teams {
            let categories = channels_api::sidebar_categories(&account.api, &team_id).await?;
            let changed = move_for_favorite(&categories.categories, channel_id, favorite, direct);
            if changed.is_empty() {
                continue;
            }
            let stored =
                channels_api::update_sidebar_categories(&account.api, &team_id, &changed).await?;
            store
                .write(move |w| w.update_sidebar_categories(&team_id, &stored))
                .await?;
        }
        Ok(())
    }

    /// Marks a channel unread from `post_id` on (that post and all after
    /// it read as new), here and on the user's other devices.
    pub async fn mark_unread_from(&self, post_id: &str) -> Result<()> {
        let account = self.account()?;
        let state =
            channels_api::set_unread_from_post(&account.api, &account.user_id, post_id).await?;
        let me = account.user_id.clone();
        account
            .store
            .write(move |w| {
                w.set_unread_counts(
                    &state.channel_id,
                    &me,
                    &crate::store::UnreadCounts {
                        msg_count: state.msg_count,
                        msg_count_root: state.msg_count_root,
                        mention_count: state.mention_count,
                        mention_count_root: state.mention_count_root,
                        urgent_mention_count: state.urgent_mention_count,
                        last_viewed_at: state.last_viewed_at,
                    },
                )
            })
            .await?;
        Ok(())
    }

    /// A channel's info screen: header, purpose, member count and the
    /// user's own settings. The channel's fresh copy is cached too.
    pub async fn channel_info(&self, channel_id: &str) -> Result<ChannelInfo> {
        let account = self.account()?;
        let (channel, stats) = futures_util::try_join!(
            channels_api::channel(&account.api, channel_id),
            channels_api::channel_stats(&account.api, channel_id),
        )?;
        let (me, id, team) = (
            account.user_id.clone(),
            channel.id.clone(),
            channel.team_id.clone(),
        );
        let to_cache = channel.clone();
        let (props, favorite) = account
            .store
            .write(move |w| {
                let props = my_notify_props(w.conn(), &id, &me)?;
                if props.is_some() {
                    // Only channels the user is in belong in the cache.
                    w.upsert_channels(std::slice::from_ref(&to_cache))?;
                }
                let favorite = match team.as_str() {
                    "" => my_team_ids(w.conn(), &me)?
                        .first()
                        .map(|t| is_favorite(w.conn(), t, &id))
                        .transpose()?
                        .unwrap_or(false),
                    t => is_favorite(w.conn(), t, &id)?,
                };
                Ok((props, favorite))
            })
            .await?;
        Ok(ChannelInfo {
            summary: ChannelSummary::of(&channel, props.is_some()),
            header: channel.header.clone(),
            member_count: stats.member_count,
            muted: props.as_ref().is_some_and(|p| p.is_muted()),
            favorite,
            push_level: PushLevel::parse(props.as_ref().map(|p| p.push.as_str()).unwrap_or("")),
        })
    }

    /// One page of a channel's members with their status.
    pub async fn channel_members(
        &self,
        channel_id: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Vec<Person>> {
        let account = self.account()?;
        let per_page = per_page.clamp(1, MAX_PAGE);
        let members =
            channels_api::channel_members(&account.api, channel_id, page, per_page).await?;
        let ids: Vec<String> = members.into_iter().map(|m| m.user_id).collect();
        self.people_with_presence(&ids).await
    }

    /// Profiles and statuses of `ids`, in that order; profiles are cached.
    pub(super) async fn people_with_presence(&self, ids: &[String]) -> Result<Vec<Person>> {
        let account = self.account()?;
        let (users, statuses) = futures_util::try_join!(
            users_by_ids(&account.api, ids),
            crate::api::users::statuses_by_ids(&account.api, ids),
        )?;
        let people = ids
            .iter()
            .filter_map(|id| users.iter().find(|u| &u.id == id))
            .map(|user| {
                let presence = statuses
                    .iter()
                    .find(|s| s.user_id == user.id)
                    .map(|s| Presence::parse(&s.status))
                    .unwrap_or(Presence::Unknown);
                Person::of(user, presence)
            })
            .collect();
        account.store.write(move |w| w.upsert_users(&users)).await?;
        Ok(people)
    }

    /// Archived channels are read-only: a post into one is refused before
    /// it is queued (the server would refuse it later, after the echo). A
    /// channel the cache does not hold (not synced yet, or briefly dropped
    /// by a catch-up's older listing) is asked for; offline it is queued,
    /// and the outbox reports the server's refusal.
    pub(super) async fn refuse_archived(&self, channel_id: &str) -> Result<()> {
        let id = channel_id.to_owned();
        let account = self.account()?;
        let cached = account.store.read(move |c| cached_channel(c, &id)).await?;
        let archived = match cached {
            Some(c) => c.delete_at > 0,
            None => channels_api::channel(&account.api, channel_id)
                .await
                .is_ok_and(|c| c.delete_at > 0),
        };
        if archived {
            Err(Error::ChannelArchived)
        } else {
            Ok(())
        }
    }

    /// Categories of `team_id` as cached (for tests and the CLI).
    pub async fn cached_sidebar_categories(&self, team_id: &str) -> Result<Vec<SidebarCategory>> {
        let team_id = team_id.to_owned();
        Ok(self
            .store()?
            .read(move |c| sidebar_categories_of(c, &team_id))
            .await?)
    }
}

/// The categories to send so that `channel_id` enters (or leaves) the
/// favorites: the server empties every category named in an update, so
/// both the one it leaves and the one it enters go whole. Empty when the
/// channel is where it should be already.
fn move_for_favorite(
    categories: &[SidebarCategory],
    channel_id: &str,
    favorite: bool,
    direct: bool,
) -> Vec<SidebarCategory> {
    let holds = |c: &SidebarCategory| c.channel_ids.iter().any(|id| id == channel_id);
    let of_type = |t: SidebarCategoryType| categories.iter().find(|c| c.category_type == t);
    let Some(favorites) = of_type(SidebarCategoryType::Favorites) else {
        return Vec::new();
    };
    if holds(favorites) == favorite {
        return Vec::new();
    }
    let mut favorites = favorites.clone();
    if favorite {
        let mut out = Vec::new();
        if let Some(from) = categories.iter().find(|c| c.id != favorites.id && holds(c)) {
            let mut from = from.clone();
            from.channel_ids.retain(|id| id != channel_id);
            out.push(from);
        }
        favorites.channel_ids.insert(0, channel_id.to_owned());
        out.push(favorites);
        out
    } else {
        favorites.channel_ids.retain(|id| id != channel_id);
        let home = if direct {
            SidebarCategoryType::DirectMessages
        } else {
            SidebarCategoryType::Channels
        };
        let mut out = vec![favorites];
        if let Some(home) = of_type(home) {
            let mut home = home.clone();
            if home.category_type != SidebarCategoryType::DirectMessages {
                home.channel_ids.insert(0, channel_id.to_owned());
            }
            out.push(home);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: &str, kind: SidebarCategoryType, channels: &[&str]) -> SidebarCategory {
        SidebarCategory {
            id: id.into(),
            category_type: kind,
            channel_ids: channels.iter().map(|c| c.to_string()).collect(),
            ..SidebarCategory::default()
        }
    }

    fn sidebar() -> Vec<SidebarCategory> {
        vec![
            category("fav", SidebarCategoryType::Favorites, &["c0"]),
            category("chan", SidebarCategoryType::Channels, &["c1", "c2"]),
            category("own", SidebarCategoryType::Custom, &["c3"]),
            category("dm", SidebarCategoryType::DirectMessages, &["d1"]),
        ]
    }

    fn ids(categories: &[SidebarCategory]) -> Vec<(String, Vec<String>)> {
        categories
            .iter()
            .map(|c| (c.id.clone(), c.channel_ids.clone()))
            .collect()
    }

    #[test]
    fn favoriting_moves_the_channel_out_of_its_category() {
        let changed = move_for_favorite(&sidebar(), "c3", true, false);
        assert_eq!(
            ids(&changed),
            [
                ("own".to_string(), vec![]),
                ("fav".to_string(), vec!["c3".to_string(), "c0".to_string()])
            ]
        );
        let changed = move_for_favorite(&sidebar(), "d1", true, true);
        assert_eq!(changed[0].id, "dm");
        assert_eq!(changed[1].channel_ids, ["d1", "c0"]);
    }

    #[test]
    fn unfavoriting_goes_back_home() {
        let changed = move_for_favorite(&sidebar(), "c0", false, false);
        assert_eq!(
            ids(&changed),
            [
                ("fav".to_string(), vec![]),
                (
                    "chan".to_string(),
                    vec!["c0".to_string(), "c1".to_string(), "c2".to_string()]
                )
            ]
        );
        let mut with_dm = sidebar();
        with_dm[0].channel_ids.push("d9".into());
        let changed = move_for_favorite(&with_dm, "d9", false, true);
        assert_eq!(changed[0].channel_ids, ["c0"]);
        // The server derives the direct-messages list; nothing is added.
        assert_eq!(changed[1].channel_ids, ["d1"]);
    }

    #[test]
    fn nothing_to_do_is_nothing_sent() {
        assert!(move_for_favorite(&sidebar(), "c0", true, false).is_empty());
        assert!(move_for_favorite(&sidebar(), "c1", false, false).is_empty());
        assert!(move_for_favorite(&[], "c1", true, false).is_empty());
    }
}
