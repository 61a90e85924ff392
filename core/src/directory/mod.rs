//! What a user finds and joins besides messages: channels to browse,
//! people to look up, teams to join. The rules here are pure (channel URL
//! names, allowed email domains, a person's local time, what a status
//! means, when terms of service must be accepted); `client/{channels,
//! people,teams,terms}.rs` call the server and the store around them.

mod channel_name;
mod domains;
mod local_time;
mod status;
mod terms;
mod views;

pub use channel_name::{channel_name_candidates, url_name_from_display_name};
pub use domains::email_domain_allowed;
pub use local_time::{local_time_of, timezone_of, LocalTime};
pub use status::{OwnStatus, Presence};
pub use terms::{terms_acceptance_needed, terms_of_service_enabled};
pub use views::{ChannelInfo, ChannelSummary, JoinableTeam, Person, ProfileCard, PushLevel};
