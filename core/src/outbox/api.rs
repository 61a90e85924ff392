//! What the outbox needs from the server, and how a failed call is read:
//! definitely not applied, maybe applied, or never going to work.

use std::future::Future;
use std::time::Duration;

use crate::api::posts::{NewPost, PostPatch, PostsPage};
use crate::api::ApiClient;
use crate::error::Error;
use crate::model::{Post, PostList};

/// The server calls the outbox makes. `Send` futures so the worker can run
/// on any runtime thread; tests use an in-memory fake.
pub trait OutboxApi: Send + Sync + 'static {
    fn create_post(&self, post: &NewPost) -> impl Future<Output = Result<Post, Error>> + Send;
    fn patch_post(
        &self,
        post_id: &str,
        message: &str,
    ) -> impl Future<Output = Result<Post, Error>> + Send;
    fn delete_post(&self, post_id: &str) -> impl Future<Output = Result<(), Error>> + Send;
    fn add_reaction(
        &self,
        user_id: &str,
        post_id: &str,
        emoji_name: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn remove_reaction(
        &self,
        post_id: &str,
        emoji_name: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn view_channel(&self, channel_id: &str) -> impl Future<Output = Result<(), Error>> + Send;
    /// Posts of a channel changed after `since` (ms), for verifying an
    /// uncertain send.
    fn posts_since(
        &self,
        channel_id: &str,
        since: i64,
    ) -> impl Future<Output = Result<PostList, Error>> + Send;
}

impl OutboxApi for ApiClient {
    async fn create_post(&self, post: &NewPost) -> Result<Post, Error> {
        crate::api::posts::create_post(self, post).await
    }

    async fn patch_post(&self, post_id: &str, message: &str) -> Result<Post, Error> {
        let patch = PostPatch {
            message: Some(message.to_owned()),
            ..PostPatch::default()
        };
        crate::api::posts::patch_post(self, post_id, &patch).await
    }

    async fn delete_post(&self, post_id: &str) -> Result<(), Error> {
        crate::api::posts::delete_post(self, post_id).await
    }

    async fn add_reaction(
        &self,
        user_id: &str,
        post_id: &str,
        emoji_name: &str,
    ) -> Result<(), Error> {
        crate::api::posts::add_reaction(self, user_id, post_id, emoji_name)
            .await
            .map(|_| ())
    }

    async fn remove_reaction(&self, post_id: &str, emoji_name: &str) -> Result<(), Error> {
        crate::api::posts::remove_reaction(self, post_id, emoji_name).await
    }

    async fn view_channel(&self, channel_id: &str) -> Result<(), Error> {
        crate::api::channels::view_channel(self, channel_id, "")
            .await
            .map(|_| ())
    }

    async fn posts_since(&self, channel_id: &str, since: i64) -> Result<PostList, Error> {
        crate::api::posts::channel_posts(self, channel_id, &PostsPage::Since { since }, false).await
    }
}

/// How the outbox treats a failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request never reached the server (or was refused before doing
    /// anything): safe to resend.
    NotApplied { retry_after: Option<Duration> },
    /// The request may have been carried out (timeout, cut connection,
    /// server error, unreadable answer): verify before resending.
    MaybeApplied,
    /// The server refused it for good (403, 404, message too long, ...).
    Permanent { reason: String },
    /// The session is gone; wait for a new sign-in.
    SignedOut,
}

/// Reads an error of a request that changes something on the server.
pub fn classify(error: &Error) -> Failure {
    match error {
        Error::Offline | Error::Tls { .. } => Failure::NotApplied { retry_after: None },
        Error::RateLimited { retry_after } => Failure::NotApplied {
            retry_after: *retry_after,
        },
        Error::Network { .. }
        | Error::InvalidResponse { .. }
        | Error::ResponseTooLarge { .. }
        | Error::Cancelled => Failure::MaybeApplied,
        Error::Server { status, id, .. } => {
            if *status >= 500 || *status == 408 {
                Failure::MaybeApplied
            } else {
                Failure::Permanent {
                    reason: if id.is_empty() {
                        format!("server error {status}")
                    } else {
                        id.clone()
                    },
                }
            }
        }
        Error::Unauthorized | Error::SessionExpired => Failure::SignedOut,
        Error::Forbidden { id } => Failure::Permanent {
            reason: format!("forbidden: {id}"),
        },
        Error::NotFound { id } => Failure::Permanent {
            reason: format!("not found: {id}"),
        },
        other => Failure::Permanent {
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::NetworkProblem;

    #[test]
    fn failures_are_sorted_by_what_they_mean_for_a_resend() {
        assert_eq!(
            classify(&Error::Offline),
            Failure::NotApplied { retry_after: None }
        );
        assert_eq!(
            classify(&Error::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }),
            Failure::NotApplied {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            classify(&Error::Network {
                problem: NetworkProblem::Timeout
            }),
            Failure::MaybeApplied
        );
        assert_eq!(
            classify(&Error::invalid_response("truncated")),
            Failure::MaybeApplied
        );
        let server = |status: u16, id: &str| Error::Server {
            status,
            id: id.into(),
            message: String::new(),
            request_id: String::new(),
        };
        assert_eq!(
            classify(&server(500, "api.post.deduplicate_create_post.pending")),
            Failure::MaybeApplied
        );
        assert_eq!(
            classify(&server(400, "model.post.is_valid.message_length.app_error")),
            Failure::Permanent {
                reason: "model.post.is_valid.message_length.app_error".into()
            }
        );
        assert!(matches!(
            classify(&Error::Forbidden { id: "x".into() }),
            Failure::Permanent { .. }
        ));
        assert_eq!(classify(&Error::SessionExpired), Failure::SignedOut);
    }
}
