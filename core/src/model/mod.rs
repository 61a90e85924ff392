//! Serde types for Mattermost's REST wire format (API v4).
//!
//! Decoding is lenient where the protocol varies between server versions:
//! unknown fields are ignored, missing fields take their default, and `null`
//! where Go serialises a nil slice or map becomes an empty collection. A value
//! of the wrong type is still an error (never a panic), so garbage from the
//! server is reported rather than silently turned into defaults.

mod channel;
mod command;
mod config;
mod draft;
mod file;
mod post;
mod preference;
mod server_error;
mod sidebar;
mod status;
mod team;
mod terms;
mod thread;
mod user;

pub use channel::{
    Channel, ChannelMember, ChannelNotifyProps, ChannelStats, ChannelType, ChannelUnreadAt,
    ChannelViewResponse,
};
pub use command::{CommandSuggestion, SlashCommandInfo};
pub use config::ClientConfig;
pub use draft::Draft;
pub use file::{FileInfo, FileUploadResponse};
pub use post::{
    CommandResponse, Emoji, Post, PostEmbed, PostList, PostMetadata, PostSearchResults, Reaction,
};
pub use preference::Preference;
pub use server_error::{ServerError, StatusOk};
pub use sidebar::{SidebarCategory, SidebarCategoryList, SidebarCategoryType};
pub use status::Status;
pub use team::{Team, TeamMember, TeamUnread};
pub use terms::TermsOfService;
pub use thread::{Thread, ThreadList};
pub use user::User;

use serde::{Deserialize, Deserializer};

/// Go serialises nil slices, maps and pointers as `null`; treat that like an
/// absent field. Any other wrong type is still an error.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A JSON object with arbitrary values (Mattermost `props`).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;
/// Mattermost's `StringMap` (`map[string]string`).
pub type StringMap = std::collections::BTreeMap<String, String>;
