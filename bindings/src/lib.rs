//! Pausenhof's core as seen by Kotlin and Swift.
//!
//! Thin by design: every function here converts arguments, calls the core
//! and converts the answer. Behaviour (sign-in rules, sync, the outbox)
//! lives in `pausenhof-core`; what the apps may call is listed in API.md.

uniffi::setup_scaffolding!();

mod channels;
mod client;
mod composer;
mod diffs;
mod error;
mod files;
mod links;
mod message_text;
mod outbox;
mod people;
mod push;
mod reads;
mod realtime;
mod runtime;
mod school_rules;
mod search;
mod secrets;
mod session;
mod subscriptions;
mod task_handle;
mod teams;
mod threads;
mod timeline;
mod views;

#[cfg(feature = "test-hooks")]
mod test_hooks;

pub use channels::{ChannelInfo, ChannelSummary, PushLevel};
pub use client::{Client, ClientOptions, NewAccount};
pub use diffs::{ChannelListOp, PostListOp, SidebarSectionOp, ThreadDiff, TimelineDiff};
pub use error::{ClientError, NetworkProblem, TlsProblem};
pub use files::FileRendition;
pub use message_text::{
    ListLevel, MessageText, SpanKind, TableAlignment, TextBlock, TextBlockKind, TextSpan,
};
pub use outbox::{PendingAction, PendingSend, SendState};
pub use people::{FoundPerson, LocalTime, OwnStatus, Presence, ProfileCard};
pub use push::{
    ConsentRecord, ConsentState, Delivery, Notification, NotificationChannelKind,
    NotificationListener, NotifyReason, PushAction, PushDevice, PushOutcome, PushPlatform,
    PushRegistrar, PushRegistrarFailure, PushStatus, RegisteredDevice, SilentReason,
};
pub use realtime::{
    ConnectionState, ConnectionStateListener, LifecycleEvent, OfflineReason, TypingListener,
};
pub use school_rules::{ProfileChanges, TermsOfService};
pub use secrets::{SecretStore, SecretStoreFailure};
pub use session::{ServerInfo, SessionState, SsoProvider, User};
pub use subscriptions::{
    ChannelListListener, SessionStateListener, ThreadListener, TimelineListener,
};
pub use task_handle::TaskHandle;
pub use teams::JoinableTeam;
pub use threads::{
    FollowedThread, FollowedThreadOp, FollowedThreads, FollowedThreadsDiff,
    FollowedThreadsListener, ThreadParticipant,
};
pub use timeline::{
    PaginationOutcome, Participant, PostItem, PostSendState, SystemItem, ThreadSummary, Timeline,
    TimelineItem, TimelineItemKind, TimelineItemOp, TimelineItems, TimelineItemsDiff,
    TimelineItemsListener, TimelineOptions, TimelineTarget,
};
pub use views::*;

/// The version of the Rust library, for the app's "about" screen.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
