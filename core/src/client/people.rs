//! People: the directory, profile cards, direct and group messages, the
//! user's own status.

use super::Client;
use crate::api::channels as channels_api;
use crate::api::users::{self as users_api, StatusUpdate, UserSearch};
use crate::directory::{local_time_of, timezone_of, OwnStatus, Person, Presence, ProfileCard};
use crate::error::{Error, Result};
use crate::model::{Channel, Preference};

/// Most people one directory search returns.
const MAX_SEARCH_RESULTS: u32 = 100;
/// Mattermost's group messages hold 3 to 8 people, the user included.
const GROUP_SIZE: std::ops::RangeInclusive<usize> = 3..=8;

impl Client {
    /// Searches the user directory as far as the server lets this user
    /// see it; deactivated accounts are included and marked. `team_id`
    /// narrows the search to a team's members ("" for everyone).
    pub async fn search_people(
        &self,
        term: &str,
        team_id: &str,
        limit: u32,
    ) -> Result<Vec<Person>> {
        let term = term.trim().trim_start_matches('@');
        if term.is_empty() {
            return Err(Error::InvalidInput {
                reason: "the search term is empty".into(),
            });
        }
        let account = self.account()?;
        let users = users_api::search_users(
            &account.api,
            &UserSearch {
                term,
                team_id,
                allow_inactive: true,
                limit: limit.clamp(1, MAX_SEARCH_RESULTS),
            },
        )
        .await?;
        let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
        let statuses = users_api::statuses_by_ids(&account.api, &ids).await?;
        let people = users
            .iter()
            .map(|u| {
                let presence = statuses
                    .iter()
                    .find(|s| s.user_id == u.id)
                    .map(|s| Presence::parse(&s.status))
                    .unwrap_or(Presence::Unknown);
                Person::of(u, presence)
            })
            .collect();
        Ok(people)
    }

    /// A person's profile card: names, position, status and local time.
    pub async fn profile_card(&self, user_id: &str) -> Result<ProfileCard> {
        let account = self.account()?;
        let ids = [user_id.to_owned()];
        let (user, statuses) = futures_util::try_join!(
            users_api::user(&account.api, user_id),
            users_api::statuses_by_ids(&account.api, &ids),
        )?;
        let status = statuses.into_iter().find(|s| s.user_id == user.id);
        let presence = status
            .as_ref()
            .map(|s| Presence::parse(&s.status))
            .unwrap_or(Presence::Unknown);
        let dnd_until_ms = status
            .as_ref()
            .filter(|s| s.status == "dnd" && s.dnd_end_time > 0)
            .map(|s| s.dnd_end_time.saturating_mul(1000));
        let local_time =
            timezone_of(&user).and_then(|tz| local_time_of(&tz, crate::realtime::now_ms()));
        let card = ProfileCard {
            person: Person::of(&user, presence),
            dnd_until_ms,
            local_time,
        };
        account
            .store
            .write(move |w| w.upsert_users(std::slice::from_ref(&user)))
            .await?;
        Ok(card)
    }

    /// Opens the direct message with `user_id` (created on the server when
    /// there is none yet) and returns its channel id. It is in the store,
    /// and shown in the sidebar, when this returns.
    pub async fn open_direct_message(&self, user_id: &str) -> Result<String> {
        let account = self.account()?;
        if user_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "no person given".into(),
            });
        }
        let other = users_api::user(&account.api, user_id).await?;
        let channel = channels_api::create_direct(&account.api, &account.user_id, user_id).await?;
        let shown = Preference {
            user_id: account.user_id.clone(),
            category: "direct_channel_show".into(),
            name: user_id.to_owned(),
            value: "true".into(),
        };
        self.store_opened_conversation(channel, vec![other], shown)
            .await
    }

    /// Opens the group message with `user_ids` (2 to 7 others; created on
    /// the server when there is none yet) and returns its channel id.
    pub async fn open_group_message(&self, user_ids: &[String]) -> Result<String> {
        let account = self.account()?;
        let mut members: Vec<String> = user_ids
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        members.push(account.user_id.clone());
        members.sort();
        members.dedup();
        if !GROUP_SIZE.contains(&members.len()) {
            return Err(Error::InvalidInput {
                reason: "a group message has 3 to 8 people, you included".into(),
            });
        }
        let channel = channels_api::create_group(&account.api, &members).await?;
        let others: Vec<String> = members
            .into_iter()
            .filter(|m| *m != account.user_id)
            .collect();
        let users = users_api::users_by_ids(&account.api, &others).await?;
        let shown = Preference {
            user_id: account.user_id.clone(),
            category: "group_channel_show".into(),
            name: channel.id.clone(),
            value: "true".into(),
        };
        self.store_opened_conversation(channel, users, shown).await
    }

    /// Writes a direct or group channel with the people it is named after
    /// and the membership, and makes sure it is not hidden (the
    /// `*_channel_show` preference, saved on the server as its apps do).
    async fn store_opened_conversation(
        &self,
        channel: Channel,
        people: Vec<crate::model::User>,
        shown: Preference,
    ) -> Result<String> {
        let account = self.account()?;
        crate::api::preferences::save_preferences(&account.api, std::slice::from_ref(&shown))
            .await?;
        let member = channels_api::my_channel_member(&account.api, &channel.id).await?;
        let channel_id = channel.id.clone();
        account
            .store
            .write(move |w| {
                w.upsert_users(&people)?;
                w.upsert_channels(std::slice::from_ref(&channel))?;
                // Direct channels are named after their members, so the
                // other people's memberships are kept too.
                let mut members = vec![member];
                for person in &people {
                    members.push(crate::model::ChannelMember {
                        channel_id: channel.id.clone(),
                        user_id: person.id.clone(),
                        ..Default::default()
                    });
                }
                w.upsert_channel_members(&members)?;
                w.upsert_preferences(std::slice::from_ref(&shown))
            })
            .await?;
        Ok(channel_id)
    }

    /// Sets the user's own status. It shows at once (and on the user's
    /// other devices through the server's `status_change` event).
    pub async fn set_own_status(&self, status: OwnStatus) -> Result<()> {
        if let OwnStatus::DoNotDisturb { until_ms: Some(ms) } = status {
            if ms <= crate::realtime::now_ms() {
                return Err(Error::InvalidInput {
                    reason: "the end of do-not-disturb lies in the past".into(),
                });
            }
        }
        let account = self.account()?;
        let answer = users_api::set_status(
            &account.api,
            &StatusUpdate {
                user_id: &account.user_id,
                status: status.as_wire(),
                dnd_end_time: status.dnd_end_seconds(),
            },
        )
        .await?;
        if let Some(live) = self.live()? {
            let shown = if answer.status.is_empty() {
                status.as_wire().to_owned()
            } else {
                answer.status
            };
            live.statuses.set(account.user_id.clone(), shown);
        }
        Ok(())
    }

    /// The user's own status as the server has it now.
    pub async fn own_status(&self) -> Result<Presence> {
        let account = self.account()?;
        let statuses =
            users_api::statuses_by_ids(&account.api, std::slice::from_ref(&account.user_id))
                .await?;
        Ok(statuses
            .first()
            .map(|s| Presence::parse(&s.status))
            .unwrap_or(Presence::Unknown))
    }
}
