//! Jumping to a post (a search hit, a permalink): its surroundings loaded
//! into the store and read as a window around it. A page before and a page
//! after the post prove the span between them complete, so it is recorded
//! as a range of its own: it joins the newest range only when the pages
//! reach it, and a gap between them stays a known gap.

use super::Client;
use crate::api::posts::{self as posts_api, PostsPage};
use crate::error::{Error, Result};
use crate::model::PostList;
use crate::store;
use crate::store::reads::{timeline_around, WindowAround};

/// Posts per page around a post.
const PAGE: u32 = 30;

/// Where a jump to a post leads.
#[derive(Debug, Clone, PartialEq)]
pub enum PostJump {
    /// A root post: the channel's timeline around it.
    Channel { window: WindowAround },
    /// A reply: its thread (loaded), scrolled to the reply.
    Thread { root_id: String, post_id: String },
}

/// The post a jump or a page starts from.
struct Anchor {
    id: String,
    channel_id: String,
    root_id: String,
    create_at: i64,
}

/// Which side of a post to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSide {
    Older,
    Newer,
}

impl Client {
    /// Loads the post and its surroundings (a page before and after it, or
    /// its thread) and returns where it is shown. Without the network the
    /// cache answers with what it has.
    pub async fn jump_to_post(&self, post_id: &str) -> Result<PostJump> {
        let post = self.post_for_jump(post_id).await?;
        if !post.root_id.is_empty() {
            match self.load_thread(&post.root_id).await {
                Ok(_) => {}
                Err(e) if e.is_transient() => {}
                Err(e) => return Err(e),
            }
            return Ok(PostJump::Thread {
                root_id: post.root_id,
                post_id: post.id,
            });
        }
        for side in [PageSide::Older, PageSide::Newer] {
            match self.load_beside(&post, side).await {
                Ok(()) => {}
                Err(e) if e.is_transient() => break,
                Err(e) => return Err(e),
            }
        }
        let window = self
            .posts_around(&post.channel_id, &post.id, PAGE as usize, PAGE as usize)
            .await?;
        Ok(PostJump::Channel { window })
    }

    /// The cached window around `post_id` in its channel: up to `before`
    /// and `after` posts of the range holding it (a gap is never crossed).
    pub async fn posts_around(
        &self,
        channel_id: &str,
        post_id: &str,
        before: usize,
        after: usize,
    ) -> Result<WindowAround> {
        let (channel, post) = (channel_id.to_owned(), post_id.to_owned());
        self.store()?
            .read(move |c| timeline_around(c, &channel, &post, before, after))
            .await?
            .ok_or_else(|| Error::NotFound {
                id: post_id.to_owned(),
            })
    }

    /// Loads the page of the channel's posts beside `edge_post_id` (the
    /// oldest or newest post of a window around a post), for paging.
    pub async fn load_posts_beside(&self, edge_post_id: &str, side: PageSide) -> Result<()> {
        let post = self.post_for_jump(edge_post_id).await?;
        self.load_beside(&post, side).await
    }

    /// The post from the cache, else from the server (then cached).
    async fn post_for_jump(&self, post_id: &str) -> Result<Anchor> {
        if post_id.trim().is_empty() {
            return Err(Error::InvalidInput {
                reason: "no post given".into(),
            });
        }
        let account = self.account()?;
        let id = post_id.to_owned();
        let cached = account
            .store
            .read(move |c| store::post_anchor(c, &id))
            .await?;
        if let Some((channel_id, root_id, create_at)) = cached {
            return Ok(Anchor {
                id: post_id.to_owned(),
                channel_id,
                root_id,
                create_at,
            });
        }
        let post = posts_api::post(&account.api, post_id).await?;
        let anchor = Anchor {
            id: post.id.clone(),
            channel_id: post.channel_id.clone(),
            root_id: post.root_id.clone(),
            create_at: post.create_at,
        };
        account
            .store
            .write(move |w| w.upsert_posts(std::iter::once(&post)))
            .await?;
        Ok(anchor)
    }

    /// Fetches the page on `side` of `post` and records the span from the
    /// post to the page's far end as complete.
    async fn load_beside(&self, post: &Anchor, side: PageSide) -> Result<()> {
        let account = self.account()?;
        let page = match side {
            PageSide::Older => PostsPage::Before {
                post_id: post.id.clone(),
                per_page: PAGE,
            },
            PageSide::Newer => PostsPage::After {
                post_id: post.id.clone(),
                per_page: PAGE,
            },
        };
        // Never the collapsed-threads variant: it leaves replies out of ranges.
        let list = posts_api::channel_posts(&account.api, &post.channel_id, &page, false).await?;
        let (channel_id, anchor_at) = (post.channel_id.clone(), post.create_at);
        let full = page_len(&list, &channel_id) >= PAGE as usize;
        let post_ids: Vec<String> = list.posts.keys().cloned().collect();
        account
            .store
            .write(move |w| {
                w.upsert_posts(list.posts.values())?;
                let times = list
                    .order
                    .iter()
                    .filter_map(|id| list.posts.get(id))
                    .filter(|p| p.channel_id == channel_id)
                    .map(|p| p.create_at);
                match side {
                    PageSide::Older => {
                        let lo = times.min().unwrap_or(anchor_at).min(anchor_at);
                        w.record_range(&channel_id, lo, anchor_at, !full)?;
                    }
                    PageSide::Newer => {
                        let hi = times.max().unwrap_or(anchor_at).max(anchor_at);
                        w.record_range(&channel_id, anchor_at, hi, false)?;
                    }
                }
                Ok(())
            })
            .await?;
        self.fetch_unknown_authors(post_ids).await
    }

    async fn fetch_unknown_authors(&self, post_ids: Vec<String>) -> Result<()> {
        let account = self.account()?;
        let unknown = account
            .store
            .read(move |c| store::unknown_authors(c, &post_ids, false))
            .await?;
        if !unknown.is_empty() {
            let users = crate::api::users::users_by_ids(&account.api, &unknown).await?;
            account.store.write(move |w| w.upsert_users(&users)).await?;
        }
        Ok(())
    }
}

fn page_len(list: &PostList, channel_id: &str) -> usize {
    list.order
        .iter()
        .filter_map(|id| list.posts.get(id))
        .filter(|p| p.channel_id == channel_id)
        .count()
}
