//! Sign-in flows, the session state, and secrets.

mod state;
mod token;

pub use state::SessionState;
pub use token::SessionToken;
