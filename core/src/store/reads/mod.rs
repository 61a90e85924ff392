//! Reads for the UI, from the store only: they work with no network.
//!
//! Each function takes a reader connection and returns a view struct that
//! knows nothing of the wire format (serialisable for the CLI's `--json`).
//! [`crate::Client`] wraps them in async methods.

mod around;
mod autocomplete;
mod channel_list;
mod drafts;
mod followed_threads;
mod names;
mod posts;
mod saved_pinned;
mod search;
mod teams;
mod thread;
mod timeline;

pub use around::{timeline_around, NewerPosts, WindowAround};
pub use autocomplete::{channel_candidates, people_candidates};
pub use channel_list::{channel_list, ChannelKind, ChannelListItem, SectionKind, SidebarSection};
pub use drafts::{draft, drafts, DraftView};
pub use followed_threads::{
    followed_threads, thread_place, FollowedThread, FollowedThreads, ThreadParticipant, ThreadPlace,
};
pub(crate) use names::{name_of, person_name};
pub use names::{user, UserView};
pub use posts::{FileView, PostView, ReactionView};
pub use saved_pinned::{is_post_saved, pinned_posts, saved_posts, SAVED_POST_CATEGORY};
pub use search::{search_hits_by_ids, search_posts, SearchHit, SearchScope};
pub use teams::{teams, TeamView};
pub use thread::{thread, ThreadView};
pub use timeline::{timeline, OlderPosts, TimelineWindow};

use rusqlite::Connection;

use crate::store::{read_account_value, AccountKey, StoreResult};

/// The signed-in user's id as recorded by the first sync ("" before it).
pub(crate) fn my_user_id(conn: &Connection) -> StoreResult<String> {
    Ok(read_account_value(conn, AccountKey::UserId)?.unwrap_or_default())
}

/// Whether collapsed reply threads are on: the user's preference within
/// what the server's `CollapsedThreads` setting allows.
pub(crate) fn collapsed_threads(conn: &Connection) -> StoreResult<bool> {
    let config = read_account_value(conn, AccountKey::CollapsedThreadsConfig)?.unwrap_or_default();
    match config.as_str() {
        "always_on" => return Ok(true),
        "disabled" | "" => return Ok(false),
        _ => {}
    }
    let preference: Option<String> = conn
        .prepare_cached(
            "SELECT value FROM preferences
             WHERE category = 'display_settings' AND name = 'collapsed_reply_threads'",
        )?
        .query_row([], |r| r.get(0))
        .ok();
    Ok(match preference.as_deref() {
        Some("on") => true,
        Some("off") => false,
        _ => config == "default_on",
    })
}

#[cfg(test)]
mod tests;
