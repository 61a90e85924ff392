//! Autocomplete in the composer: the word at the cursor (`@`, `~`, `:`)
//! completed from the cache first and, when online, from the server
//! (people of the team, public channels). The ranking is in
//! `composer/autocomplete.rs`.

use super::Client;
use crate::api::autocomplete::autocomplete_users;
use crate::api::channels as channels_api;
use crate::composer::{
    rank_channels, rank_emoji, rank_people, word_at_cursor, ChannelCandidate, Completion,
    CompletionKind, PersonCandidate, Suggestion,
};
use crate::error::{Error, Result};
use crate::model::User;
use crate::store::cached_channel;
use crate::store::reads;

/// Most suggestions shown.
const MAX_SUGGESTIONS: usize = 20;

impl Client {
    /// Suggestions for the word ending at `cursor` (a character offset)
    /// in the composer of `channel_id`; `None` when that word is not a
    /// mention, channel link or emoji.
    pub async fn autocomplete(
        &self,
        channel_id: &str,
        text: &str,
        cursor: u32,
    ) -> Result<Option<Completion>> {
        let Some(word) = word_at_cursor(text, cursor as usize) else {
            return Ok(None);
        };
        let suggestions = match word.kind {
            CompletionKind::People => self
                .people_for(channel_id, &word.typed)
                .await?
                .into_iter()
                .map(Suggestion::Person)
                .collect(),
            CompletionKind::Channel => self
                .channels_for(channel_id, &word.typed)
                .await?
                .into_iter()
                .map(Suggestion::Channel)
                .collect(),
            CompletionKind::Emoji => rank_emoji(&word.typed, MAX_SUGGESTIONS)
                .into_iter()
                .map(Suggestion::Emoji)
                .collect(),
        };
        Ok(Some(Completion { word, suggestions }))
    }

    async fn people_for(&self, channel_id: &str, typed: &str) -> Result<Vec<PersonCandidate>> {
        let account = self.account()?;
        let id = channel_id.to_owned();
        let (mut candidates, channel) = account
            .store
            .read(move |c| Ok((reads::people_candidates(c, &id)?, cached_channel(c, &id)?)))
            .await?;
        let team_id = channel.map(|c| c.team_id).unwrap_or_default();
        let limit = MAX_SUGGESTIONS as u32;
        match autocomplete_users(&account.api, &team_id, channel_id, typed, limit).await {
            Ok(found) => {
                let mut fetched: Vec<User> = Vec::new();
                for (users, in_channel) in [(found.users, true), (found.out_of_channel, false)] {
                    for user in users.into_iter().filter(|u| u.delete_at == 0) {
                        candidates.push(person_of(&user, in_channel));
                        fetched.push(user);
                    }
                }
                // Names of people met here show offline later too.
                account
                    .store
                    .write(move |w| w.upsert_users(&fetched))
                    .await?;
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
        Ok(rank_people(typed, candidates, MAX_SUGGESTIONS))
    }

    async fn channels_for(&self, channel_id: &str, typed: &str) -> Result<Vec<ChannelCandidate>> {
        let account = self.account()?;
        let id = channel_id.to_owned();
        let team_id = account
            .store
            .read(move |c| Ok(cached_channel(c, &id)?.map(|c| c.team_id)))
            .await?
            .ok_or_else(|| Error::NotFound {
                id: "channel not in the cache".into(),
            })?;
        let team = team_id.clone();
        let mut candidates = account
            .store
            .read(move |c| reads::channel_candidates(c, &team))
            .await?;
        if !typed.is_empty() && !team_id.is_empty() {
            match channels_api::search_public_channels(&account.api, &team_id, typed).await {
                Ok(found) => {
                    candidates.extend(found.into_iter().filter(|c| c.delete_at == 0).map(|c| {
                        ChannelCandidate {
                            // The cached copy says whether the user is in it.
                            is_member: false,
                            channel_id: c.id,
                            name: c.name,
                            display_name: c.display_name,
                        }
                    }))
                }
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(rank_channels(typed, candidates, MAX_SUGGESTIONS))
    }
}

fn person_of(user: &User, in_channel: bool) -> PersonCandidate {
    PersonCandidate {
        user_id: user.id.clone(),
        username: user.username.clone(),
        display_name: reads::person_name(
            &user.first_name,
            &user.last_name,
            &user.nickname,
            &user.username,
        ),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        nickname: user.nickname.clone(),
        in_channel,
    }
}
