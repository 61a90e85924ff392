//! Notifications: the user's consent, this device's registration with a
//! push service and the server session, handling a push when it arrives,
//! and the rules that decide whether a new post notifies (shared by push
//! and by the background connection).
//!
//! Nothing is registered anywhere before the user consents
//! ([`Client::grant_push_consent`](crate::Client::grant_push_consent));
//! withdrawal deletes the registration at the push service (through the
//! platform's [`PushRegistrar`]) and on the server session.

pub mod consent;
pub mod gateway;
mod notification;
mod outcome;
pub mod payload;
pub mod registration;
pub mod rules;
mod state;

pub use consent::{ConsentRecord, ConsentState, Delivery};
pub use gateway::UnifiedPushEndpoint;
pub(crate) use notification::evaluate;
pub use notification::{Notification, NotificationChannelKind};
pub use outcome::{PushAction, PushOutcome};
pub use payload::{decode_push, PushKind, PushPayload, PushPayloadError};
pub use registration::{
    PushDevice, PushPlatform, PushRegistrar, RegistrarError, WITHDRAWN_TOKEN_PREFIX,
};
pub(crate) use state::PushState;
pub use state::{PushStatus, RegisteredDevice};
