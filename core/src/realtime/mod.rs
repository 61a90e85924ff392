//! Real-time events: one websocket per account, decoded and applied to the
//! store.
//!
//! - [`connection`]: the socket task (auth, resume, seq tracking, ping,
//!   backoff, lifecycle inputs) and the [`EventSink`] it feeds.
//! - [`events`]: frame and payload decoding.
//! - [`presence`]: typing and statuses, kept in memory.
//! - [`backoff`]: reconnect delays.

pub mod apply;
mod authors;
pub mod backoff;
pub mod connection;
pub mod events;
pub mod presence;
pub mod state;

pub use apply::{events_catch_up_settled, read_resume_point, CatchUpFn, PostedEvent, StoreSink};
pub(crate) use authors::fetch_authors_of_live_posts;
pub use backoff::BackoffPolicy;
pub use connection::{
    spawn, websocket_url, EventBatch, EventSink, RealtimeConfig, RealtimeHandle, ReceivedEvent,
    ResumePoint, SinkError,
};
pub use events::{DecodeError, Event};
pub use presence::{Statuses, TypingPlace, TypingThrottle, TypingTracker};
pub use state::{ConnectionState, LifecycleInput, OfflineReason};

/// Milliseconds since the epoch, as Mattermost counts time.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}
