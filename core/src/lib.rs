//! Pausenhof client core.

pub mod api;
mod client;
pub mod composer;
pub mod directory;
mod emoji;
mod error;
mod export;
pub mod links;
mod live;
mod locks;
pub mod markdown;
pub mod model;
pub mod net;
pub mod observe;
pub mod outbox;
mod private_fs;
pub mod push;
pub mod realtime;
pub mod runtime;
mod search;
pub mod session;
pub mod store;
pub mod sync;
pub mod texts;
pub mod timeline;

/// The views the UI reads, kept at their public path; they live in the
/// store because they are SQL.
pub use store::reads;

pub use api::files::FileRendition;
pub use api::{ServerInfo, SignInMethods};
pub use client::{
    AccountSummary, BackgroundNotifications, Client, ClientBuilder, LinkDestination, PageSide,
    PaginationOutcome, PendingTerms, PostJump, ProfileChanges, SearchResults, Timeline,
};
pub use error::{Error, NetworkProblem, Result, StorageProblem, TlsProblem};
