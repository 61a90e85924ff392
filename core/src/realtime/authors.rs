//! Profiles of the people whose posts arrive live: a post by someone the
//! cache does not know (a new classmate, a teacher from another school)
//! would otherwise show a raw user id as its author.

use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use super::PostedEvent;
use crate::api::ApiClient;
use crate::store::Store;

/// Ids per `POST /users/ids` request.
const IDS_PER_REQUEST: usize = 200;

/// Runs until the posted-events channel closes: after each burst of live
/// posts, fetches the unknown authors in one batched request.
pub(crate) async fn fetch_authors_of_live_posts(
    api: ApiClient,
    store: Store,
    mut posted: broadcast::Receiver<Arc<PostedEvent>>,
) {
    loop {
        let mut post_ids = Vec::new();
        // Missed events (lagged) only mean: look at every cached post.
        let mut everything = false;
        match posted.recv().await {
            Ok(event) => post_ids.push(event.post_id.clone()),
            Err(RecvError::Lagged(_)) => everything = true,
            Err(RecvError::Closed) => return,
        }
        loop {
            match posted.try_recv() {
                Ok(event) => post_ids.push(event.post_id.clone()),
                Err(TryRecvError::Lagged(_)) => everything = true,
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        let unknown = match store
            .read(move |c| crate::store::unknown_authors(c, &post_ids, everything))
            .await
        {
            Ok(unknown) => unknown,
            Err(e) => {
                tracing::warn!(error = %e, "realtime: could not look up post authors");
                continue;
            }
        };
        for chunk in unknown.chunks(IDS_PER_REQUEST) {
            match crate::api::users::users_by_ids(&api, chunk).await {
                Ok(users) if !users.is_empty() => {
                    if let Err(e) = store.write(move |w| w.upsert_users(&users)).await {
                        tracing::warn!(error = %e, "realtime: could not store post authors");
                    }
                }
                Ok(_) => {}
                // The next sync's author pass fetches them as well.
                Err(e) => tracing::warn!(error = %e, "realtime: could not fetch post authors"),
            }
        }
    }
}
