//! Saved posts (the user's own bookmarks, kept by the server as
//! `flagged_post` preferences) and pinned posts (marked for everyone in
//! the channel). Every change is in the store when the call returns; the
//! other devices learn it from the server's `preferences_changed` and
//! `post_edited` events. Lists come from the server and are cached; with
//! no network the cached ones are shown.

use super::{require_id, Client};
use crate::api::pins as pins_api;
use crate::api::posts as posts_api;
use crate::api::preferences as preferences_api;
use crate::error::Result;
use crate::model::{Post, Preference};
use crate::store::reads::{self, PostView, SAVED_POST_CATEGORY};

/// Most saved posts fetched at once (the server's page cap).
const SAVED_PAGE: u32 = 200;

impl Client {
    /// Saves a post for later, or removes it from the saved posts.
    pub async fn set_post_saved(&self, post_id: &str, saved: bool) -> Result<()> {
        require_id(post_id)?;
        let account = self.account()?;
        let preference = Preference {
            user_id: account.user_id.clone(),
            category: SAVED_POST_CATEGORY.into(),
            name: post_id.to_owned(),
            value: "true".into(),
        };
        let post = if saved {
            // The saved list shows cached posts: make sure this one is.
            let post = posts_api::post(&account.api, post_id).await?;
            preferences_api::save_preferences(&account.api, std::slice::from_ref(&preference))
                .await?;
            Some(post)
        } else {
            preferences_api::delete_preferences(&account.api, std::slice::from_ref(&preference))
                .await?;
            None
        };
        account
            .store
            .write(move |w| match post {
                Some(post) => {
                    w.upsert_posts(std::iter::once(&post))?;
                    w.upsert_preferences(std::slice::from_ref(&preference))
                }
                None => w.delete_preferences(std::slice::from_ref(&preference)),
            })
            .await?;
        Ok(())
    }

    /// The user's saved posts, newest first.
    pub async fn saved_posts(&self) -> Result<Vec<PostView>> {
        let account = self.account()?;
        match pins_api::saved_posts(&account.api, &account.user_id, 0, SAVED_PAGE).await {
            Ok(list) => {
                let posts: Vec<Post> = list.posts.into_values().collect();
                let complete = posts.len() < SAVED_PAGE as usize;
                account
                    .store
                    .write(move |w| w.replace_saved_posts(SAVED_POST_CATEGORY, &posts, complete))
                    .await?;
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
        Ok(account.store.read(reads::saved_posts).await?)
    }

    /// Whether the user saved this post (as cached).
    pub async fn is_post_saved(&self, post_id: &str) -> Result<bool> {
        let id = post_id.to_owned();
        Ok(self
            .store()?
            .read(move |c| reads::is_post_saved(c, &id))
            .await?)
    }

    /// Pins a post to its channel, or unpins it.
    pub async fn set_post_pinned(&self, post_id: &str, pinned: bool) -> Result<()> {
        require_id(post_id)?;
        let account = self.account()?;
        pins_api::set_pinned(&account.api, post_id, pinned).await?;
        let post = posts_api::post(&account.api, post_id).await?;
        account
            .store
            .write(move |w| w.upsert_posts(std::iter::once(&post)))
            .await?;
        Ok(())
    }

    /// A channel's pinned posts, newest first.
    pub async fn pinned_posts(&self, channel_id: &str) -> Result<Vec<PostView>> {
        require_id(channel_id)?;
        let account = self.account()?;
        match pins_api::pinned_posts(&account.api, channel_id).await {
            Ok(list) => {
                let posts: Vec<Post> = list.posts.into_values().collect();
                let id = channel_id.to_owned();
                account
                    .store
                    .write(move |w| w.replace_pinned_posts(&id, &posts))
                    .await?;
            }
            Err(e) if e.is_transient() => {}
            Err(e) => return Err(e),
        }
        let id = channel_id.to_owned();
        Ok(account
            .store
            .read(move |c| reads::pinned_posts(c, &id))
            .await?)
    }
}
