//! Pausenhof's push gateway, run by a school next to its Mattermost server
//! as the server's push notification server.
//!
//! Mattermost posts its push messages here (`/api/v1/send_push`, the
//! push-proxy API). The gateway strips them to ids and the push type,
//! encrypts them for the device (RFC 8291) and posts them, signed with
//! VAPID (RFC 8292), to the device's UnifiedPush endpoint (RFC 8030). The
//! app fetches the content from the school's server itself, so neither the
//! gateway's push service nor anyone on the way learns what was written,
//! by whom or where. iOS devices get the same ids through APNs (`apns.rs`),
//! authenticated with the app publisher's key.

pub mod apns;
pub mod app;
pub mod config;
pub mod dispatch;
pub mod egress;
pub mod limits;
pub mod metrics;
pub mod payload;
pub mod proxy_api;
pub mod redact;
pub mod registration_api;
pub mod store;
pub mod vapid;
pub mod webpush;

pub use app::{Gateway, SendReport, StartError};
pub use config::{Config, DeliverySettings};
pub use proxy_api::PushResponse;
