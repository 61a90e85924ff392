//! Real-time events: one websocket per account, decoded and applied to the
//! store.
//!
//! - [`connection`]: the socket task (auth, resume, seq tracking, ping,
//!   backoff, lifecycle inputs) and the [`EventSink`] it feeds.
//! - [`events`]: frame and payload decoding.
//! - [`presence`]: typing and statuses, kept in memory.
//! - [`backoff`]: reconnect delays.

pub mod backoff;
pub mod connection;
pub mod events;
pub mod presence;
pub mod state;

pub use backoff::BackoffPolicy;
pub use connection::{
    spawn, websocket_url, AccessToken, EventBatch, EventSink, RealtimeConfig, RealtimeHandle,
    ReceivedEvent, ResumePoint,
};
pub use events::{DecodeError, Event};
pub use presence::{Statuses, TypingPlace, TypingThrottle, TypingTracker};
pub use state::{ConnectionState, LifecycleInput, OfflineReason};
