//! Notifications: the user's consent, this device's registration with a
//! push service and the server session, handling a push when it arrives,
//! and the rules that decide whether a new post notifies (shared by push
//! and by the background connection).
//!
//! Nothing is registered anywhere before the user consents
//! ([`Client::grant_push_consent`](crate::Client::grant_push_consent));
//! withdrawal deletes the registration at the push service (through the
//! platform's [`PushRegistrar`]) and on the server session.

mod background;
mod client;
pub mod consent;
mod handle;
mod notification;
pub mod payload;
pub mod registration;
pub mod rules;

pub use background::BackgroundNotifications;
pub(crate) use client::PushState;
pub use client::{PushStatus, RegisteredDevice};
pub use consent::{ConsentRecord, ConsentState, Delivery};
pub use handle::{PushAction, PushOutcome};
pub use notification::{Notification, NotificationChannelKind};
pub use payload::{decode_push, PushKind, PushPayload, PushPayloadError};
pub use registration::{
    PushDevice, PushPlatform, PushRegistrar, RegistrarError, WITHDRAWN_TOKEN_PREFIX,
};
