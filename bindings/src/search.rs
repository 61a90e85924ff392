//! Searching posts on the server and in the cache.

use crate::client::Client;
use crate::error::Result;
use crate::runtime::run;
use crate::views::SearchHit;

/// The hits of a search, newest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// The server answered; false: the cache alone answered (offline).
    pub from_server: bool,
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// Searches the team's posts on the server and in the cache, merged
    /// without duplicates, newest first. `terms` take Mattermost's
    /// modifiers (`from:`, `in:`, `before:`, `after:`, `on:`, `"phrase"`,
    /// `-word`, `word*`); dates are days in `time_zone` (an IANA name;
    /// None: the device's). A bad date is `InvalidInput`.
    pub async fn search_posts(
        &self,
        team_id: String,
        terms: String,
        time_zone: Option<String>,
        limit: u32,
    ) -> Result<SearchResults> {
        let core = self.core.clone();
        let results = run(async move {
            core.search_posts(&team_id, &terms, time_zone.as_deref(), limit as usize)
                .await
        })
        .await?;
        Ok(SearchResults {
            hits: results.hits.into_iter().map(Into::into).collect(),
            from_server: results.from_server,
        })
    }
}
