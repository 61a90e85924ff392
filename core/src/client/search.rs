//! Searching posts: the server's search (with Mattermost's modifiers)
//! merged with the cache's, or the cache alone when the server cannot be
//! reached. Both read the query the same way (`search::SearchQuery`).

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::Client;
use crate::api::posts::{self as posts_api, SearchQuery as ServerSearch};
use crate::error::{Error, Result};
use crate::model::Post;
use crate::search::SearchQuery;
use crate::store::reads::{search_hits_by_ids, search_posts, SearchHit, SearchScope};

/// The server's page cap for searches.
const MAX_SERVER_HITS: usize = 200;

/// The hits of a search, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// The server answered; false: the cache alone answered (offline).
    pub from_server: bool,
}

impl Client {
    /// Searches the team's posts on the server and in the cache, merged
    /// without duplicates, newest first, at most `limit`. `terms` take
    /// Mattermost's modifiers; dates are days in `time_zone` (an IANA name;
    /// None: the device's). When the server cannot be reached the cache
    /// answers alone, and says so.
    pub async fn search_posts(
        &self,
        team_id: &str,
        terms: &str,
        time_zone: Option<&str>,
        limit: usize,
    ) -> Result<SearchResults> {
        if team_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "no team given".into(),
            });
        }
        let query = SearchQuery::parse(terms)?;
        if query.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                from_server: false,
            });
        }
        let tz = time_zone_named(time_zone)?;
        let limit = limit.clamp(1, MAX_SERVER_HITS);
        let server_ids = match self.search_on_server(team_id, &query, &tz, limit).await {
            Ok(ids) => Some(ids),
            Err(e) if e.is_transient() => None,
            Err(e) => return Err(e),
        };
        let (since, until) = query.time_window(&tz);
        let scope = SearchScope {
            team_id: Some(team_id.to_owned()),
            since,
            until,
        };
        let from_server = server_ids.is_some();
        let ids = server_ids.unwrap_or_default();
        let mut hits = self
            .store()?
            .read(move |c| {
                let mut hits = search_hits_by_ids(c, &ids)?;
                hits.extend(search_posts(c, &query, &scope, limit)?);
                Ok(hits)
            })
            .await?;
        hits.sort_by(|a, b| (b.post.create_at, &b.post.id).cmp(&(a.post.create_at, &a.post.id)));
        hits.dedup_by(|a, b| a.post.id == b.post.id);
        hits.truncate(limit);
        Ok(SearchResults { hits, from_server })
    }

    /// Full-text search over cached posts, newest first, with the same
    /// modifiers; the last word is a prefix, as the user types.
    pub async fn search_offline(
        &self,
        terms: &str,
        team_id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let query = SearchQuery::parse(terms)?.with_last_word_as_prefix();
        let (since, until) = query.time_window(&TimeZone::system());
        let scope = SearchScope {
            team_id: team_id.map(str::to_owned),
            since,
            until,
        };
        Ok(self
            .store()?
            .read(move |c| search_posts(c, &query, &scope, limit))
            .await?)
    }

    /// Runs the search on the server and caches the hits (and unknown
    /// authors); returns the hits' ids.
    async fn search_on_server(
        &self,
        team_id: &str,
        query: &SearchQuery,
        tz: &TimeZone,
        limit: usize,
    ) -> Result<Vec<String>> {
        let account = self.account()?;
        let request = ServerSearch {
            terms: query.server_terms(),
            is_or_search: false,
            page: 0,
            per_page: limit as u32,
            time_zone_offset: Some(tz.to_offset(Timestamp::now()).seconds()),
            include_deleted_channels: false,
        };
        let answer = posts_api::search(&account.api, team_id, &request).await?;
        let posts: Vec<Post> = answer.list.posts.into_values().collect();
        let ids: Vec<String> = posts.iter().map(|p| p.id.clone()).collect();
        // Posts alone join no timeline range: no false continuity.
        account.store.write(move |w| w.upsert_posts(&posts)).await?;
        let post_ids = ids.clone();
        let unknown = account
            .store
            .read(move |c| crate::store::unknown_authors(c, &post_ids, false))
            .await?;
        if !unknown.is_empty() {
            let users = crate::api::users::users_by_ids(&account.api, &unknown).await?;
            account.store.write(move |w| w.upsert_users(&users)).await?;
        }
        Ok(ids)
    }
}

fn time_zone_named(name: Option<&str>) -> Result<TimeZone> {
    match name {
        Some(name) => TimeZone::get(name).map_err(|_| Error::InvalidInput {
            reason: format!("unknown time zone `{name}`"),
        }),
        None => Ok(TimeZone::system()),
    }
}
