//! Searching posts: the query with Mattermost's modifiers, read once and
//! applied to the server's search and the cache's alike.

mod query;

pub use query::{SearchQuery, Term};
