//! The public error type: variants a UI can act on.
//!
//! `Display` never contains user data or secrets: server messages (which may
//! echo input) are kept in fields, not in the text. Module-internal error
//! enums convert into this one.

use std::fmt;
use std::time::Duration;

/// Result alias for the public API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the UI needs to know when something fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server could not be reached at all (no network, DNS failure,
    /// connection refused). Retry when the network returns.
    #[error("the server cannot be reached")]
    Offline,
    /// The connection failed during a request (timeout, reset, cut off).
    #[error("network problem: {problem}")]
    Network { problem: NetworkProblem },
    /// The typed address is not usable as a server address.
    #[error("invalid server address: {reason}")]
    InvalidServer { reason: String },
    /// Something answered, but it is not a Mattermost server.
    #[error("this is not a Mattermost server")]
    NotMattermost,
    /// The server is older than the oldest version we support.
    #[error("server version {version} is too old (9.11 or newer is needed)")]
    ServerTooOld { version: String },
    /// The TLS handshake failed; `problem` names the certificate problem.
    #[error("secure connection failed: {problem}")]
    Tls { problem: TlsProblem },
    /// Wrong login id or password.
    #[error("wrong login or password")]
    InvalidCredentials,
    /// The account needs a multi-factor code: ask for one.
    #[error("a multi-factor authentication code is required")]
    MfaRequired,
    /// The multi-factor code was wrong, or already used (the server accepts
    /// each code once): ask for the next one.
    #[error("the multi-factor authentication code is wrong or already used")]
    MfaCodeInvalid,
    /// Sign-in refused until the email address is verified.
    #[error("the email address has not been verified yet")]
    EmailNotVerified,
    /// Too many failed attempts; the server locked the account.
    #[error("too many failed sign-in attempts")]
    LockedOut,
    /// Open sign-up is off on this server.
    #[error("this server does not allow creating accounts")]
    SignUpClosed,
    /// Not signed in (no session), or the server refused the credentials.
    #[error("not signed in")]
    Unauthorized,
    /// The session ended on the server; sign in again.
    #[error("the session has expired")]
    SessionExpired,
    /// Signed in, but not allowed to do this.
    #[error("not allowed (error id {id})")]
    Forbidden { id: String },
    #[error("not found (error id {id})")]
    NotFound { id: String },
    /// The server's rate limit was hit.
    #[error("too many requests{}", retry_after.map(|d| format!(", retry in {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// Any other error answer from the server. `message` is the server's
    /// (translated) text and may echo input: it is not part of `Display`.
    #[error("server error {status} (error id {id}, request {request_id})")]
    Server {
        status: u16,
        id: String,
        message: String,
        request_id: String,
    },
    /// The server's answer could not be understood (malformed or truncated).
    #[error("invalid response from the server: {reason}")]
    InvalidResponse { reason: String },
    /// The server's answer was bigger than we accept.
    #[error("response from the server is larger than {limit} bytes")]
    ResponseTooLarge { limit: u64 },
    /// The local database or files failed; `problem` says what the user
    /// can do about it.
    #[error("local storage error ({problem}): {reason}")]
    Storage {
        problem: StorageProblem,
        reason: String,
    },
    /// The platform's secret store failed.
    #[error("secret store error: {reason}")]
    SecretStore { reason: String },
    /// The caller passed something unusable (empty name, bad file...).
    #[error("invalid input: {reason}")]
    InvalidInput { reason: String },
    /// The channel is archived: it can be read, not written to.
    #[error("the channel is archived")]
    ChannelArchived,
    /// The name is already used (a channel URL in the team) and no free
    /// variant was found.
    #[error("the name is already taken")]
    NameTaken,
    /// The team admits only addresses of certain domains, and the user's
    /// email address is not of them.
    #[error("the team does not admit this email address")]
    EmailDomainNotAllowed,
    /// The server does not let users deactivate their own account
    /// (`EnableUserDeactivation` is off): only an administrator can.
    #[error("the server does not allow deactivating one's own account")]
    DeactivationDisabled,
    /// The server knows no slash command with this trigger (the app may
    /// offer to send the text as a message instead).
    #[error("unknown command /{trigger}")]
    UnknownCommand { trigger: String },
    /// No push gateway answers at `address`: the school runs none there
    /// (the app may offer the background connection instead).
    #[error("no push gateway at {address}")]
    PushGatewayMissing { address: String },
    #[error("cancelled")]
    Cancelled,
    /// Needs the live connection: call `start_realtime` first.
    #[error("the realtime connection is not started")]
    NotStarted,
    /// A bug or an impossible state; `reason` is for developers.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl Error {
    pub(crate) fn internal(reason: impl Into<String>) -> Self {
        Error::Internal {
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_response(reason: impl Into<String>) -> Self {
        Error::InvalidResponse {
            reason: reason.into(),
        }
    }

    /// Whether retrying later (e.g. when the network returns) may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Offline | Error::Network { .. } | Error::RateLimited { .. } => true,
            Error::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Whether the user has to sign in (again) before this can work.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Error::Unauthorized | Error::SessionExpired)
    }
}

/// Why the device's storage failed. Every problem passes by itself once
/// its cause is gone (space freed, the folder writable, the other process
/// done); queued intents wait meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageProblem {
    /// The device (or the app's share of it) is out of space.
    Full,
    /// The data folder cannot be written (read-only, permissions).
    ReadOnly,
    /// The database is locked by someone else (another process) for
    /// longer than the wait allows.
    Locked,
    /// A file was damaged; the cache is rebuilt from the server.
    Damaged,
    /// Another failure of the files or the database.
    Other,
}

impl StorageProblem {
    /// The problem an I/O error stands for.
    pub fn of_io(error: &std::io::Error) -> StorageProblem {
        use std::io::ErrorKind;
        match error.kind() {
            ErrorKind::StorageFull => StorageProblem::Full,
            ErrorKind::ReadOnlyFilesystem | ErrorKind::PermissionDenied => StorageProblem::ReadOnly,
            _ => StorageProblem::Other,
        }
    }
}

impl fmt::Display for StorageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StorageProblem::Full => "the device is full",
            StorageProblem::ReadOnly => "the data folder cannot be written",
            StorageProblem::Locked => "the database is in use elsewhere",
            StorageProblem::Damaged => "a file is damaged",
            StorageProblem::Other => "storage failed",
        })
    }
}

/// How a connection failed during a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetworkProblem {
    /// No answer within the time limit.
    Timeout,
    /// The connection broke before the answer was complete.
    ConnectionLost,
    /// Another transport failure.
    Other,
}

impl fmt::Display for NetworkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkProblem::Timeout => "the server did not answer in time",
            NetworkProblem::ConnectionLost => "the connection was lost",
            NetworkProblem::Other => "transport error",
        })
    }
}

/// Why a TLS connection was refused, as precisely as rustls tells us.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The certificate is not signed by a trusted authority (includes
    /// self-signed certificates and a school CA that was not added).
    UnknownIssuer,
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet (or the device clock is wrong).
    NotValidYet,
    /// The certificate is for another name than the server address.
    NameMismatch,
    /// The certificate was revoked.
    Revoked,
    /// The certificate is malformed, badly signed or used for the wrong purpose.
    BadCertificate,
    /// The server offers no protocol version or cipher we accept.
    Incompatible,
    /// Any other handshake failure (text from rustls, no user data).
    Other(String),
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsProblem::UnknownIssuer => f.write_str("certificate issued by an unknown authority"),
            TlsProblem::Expired => f.write_str("certificate expired"),
            TlsProblem::NotValidYet => f.write_str("certificate not valid yet"),
            TlsProblem::NameMismatch => f.write_str("certificate is for another server name"),
            TlsProblem::Revoked => f.write_str("certificate revoked"),
            TlsProblem::BadCertificate => f.write_str("invalid certificate"),
            TlsProblem::Incompatible => f.write_str("no common TLS version or cipher"),
            TlsProblem::Other(text) => write!(f, "TLS error: {text}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_message_is_not_in_display() {
        let e = Error::Server {
            status: 400,
            id: "api.post.create_post.bad".into(),
            message: "secret message text".into(),
            request_id: "r1".into(),
        };
        let text = e.to_string();
        assert!(text.contains("api.post.create_post.bad"));
        assert!(!text.contains("secret message text"));
    }

    #[test]
    fn rate_limit_display_mentions_wait() {
        let e = Error::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        };
        assert!(e.to_string().contains("7 s"));
        assert!(e.is_transient());
        assert!(!Error::InvalidCredentials.is_transient());
        assert!(Error::SessionExpired.needs_sign_in());
    }
}
