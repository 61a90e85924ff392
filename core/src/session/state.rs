/// What the app shows: signed out, signed in, or a session the server ended
/// (the local data stays until the same user signs in again).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SessionState {
    #[default]
    SignedOut,
    SignedIn {
        user_id: String,
    },
    Expired {
        user_id: String,
    },
}

impl SessionState {
    pub fn user_id(&self) -> Option<&str> {
        match self {
            SessionState::SignedOut => None,
            SessionState::SignedIn { user_id } | SessionState::Expired { user_id } => Some(user_id),
        }
    }
}
