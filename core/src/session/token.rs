use std::fmt;

/// A Mattermost session token or personal access token. It never shows up
/// in `Debug` output, has no `Display`, and is only readable inside the
/// crate (for the Authorization header and the secret store).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> Self {
        SessionToken(token.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let token = SessionToken::new("abc123secret");
        assert_eq!(format!("{token:?}"), "SessionToken(***)");
        assert_eq!(
            format!("{:?}", Some(token.clone())),
            "Some(SessionToken(***))"
        );
        assert_eq!(token.expose(), "abc123secret");
        assert!(SessionToken::new("  ").is_empty());
    }
}
