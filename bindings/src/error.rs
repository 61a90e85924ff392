//! The one error type of the FFI: core's `Error`, variant for variant, with
//! what a UI acts on (the kind, the server's error id, when to retry).

use std::time::Duration;

use pausenhof_core as core;

/// Why a call failed. Kotlin sees `ClientException.<Variant>`, Swift
/// `ClientError.<variant>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server cannot be reached (no network, DNS, refused).
    #[error("the server cannot be reached")]
    Offline,
    /// The connection failed during a request.
    #[error("network problem")]
    Network { problem: NetworkProblem },
    /// The typed address is not usable as a server address.
    #[error("invalid server address: {reason}")]
    InvalidServer { reason: String },
    /// Something answered, but it is not a Mattermost server.
    #[error("not a Mattermost server")]
    NotMattermost,
    /// The server is older than the oldest supported version.
    #[error("server version {version} is too old")]
    ServerTooOld { version: String },
    /// The TLS handshake failed.
    #[error("secure connection failed")]
    Tls { problem: TlsProblem },
    /// Wrong login id or password.
    #[error("wrong login or password")]
    InvalidCredentials,
    /// A multi-factor code is needed.
    #[error("multi-factor code required")]
    MfaRequired,
    /// The multi-factor code was wrong or already used.
    #[error("multi-factor code wrong or already used")]
    MfaCodeInvalid,
    #[error("email address not verified")]
    EmailNotVerified,
    /// Too many failed attempts; the server locked the account.
    #[error("too many failed sign-in attempts")]
    LockedOut,
    #[error("sign-up is closed on this server")]
    SignUpClosed,
    /// Not signed in.
    #[error("not signed in")]
    Unauthorized,
    /// The server ended the session; sign in again.
    #[error("session expired")]
    SessionExpired,
    #[error("not allowed ({server_error_id})")]
    Forbidden { server_error_id: String },
    #[error("not found ({server_error_id})")]
    NotFound { server_error_id: String },
    /// The server's rate limit was hit; `retry_after` when it said.
    #[error("rate limited")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other error answer. `server_message` is the server's translated
    /// text, for showing; it may echo what the user typed.
    #[error("server error {status} ({server_error_id})")]
    Server {
        status: u16,
        server_error_id: String,
        server_message: String,
        request_id: String,
    },
    /// The server's answer could not be understood.
    #[error("invalid response: {reason}")]
    InvalidResponse { reason: String },
    #[error("response larger than {limit} bytes")]
    ResponseTooLarge { limit: u64 },
    /// The local database or files failed; `problem` says what the user
    /// can do (free space, ...). Queued intents wait meanwhile.
    #[error("storage error: {reason}")]
    Storage {
        problem: StorageProblem,
        reason: String,
    },
    /// The platform's secret store failed.
    #[error("secret store error: {reason}")]
    SecretStore { reason: String },
    /// An argument was not acceptable (`reason` says which).
    #[error("invalid input: {reason}")]
    InvalidInput { reason: String },
    /// The channel is archived: read-only.
    #[error("the channel is archived")]
    ChannelArchived,
    /// The name is taken (a channel URL in the team).
    #[error("the name is already taken")]
    NameTaken,
    /// The team admits only addresses of other email domains.
    #[error("the team does not admit this email address")]
    EmailDomainNotAllowed,
    /// The server does not let users deactivate their own account.
    #[error("the server does not allow deactivating one's own account")]
    DeactivationDisabled,
    /// The server knows no slash command with this trigger; the app may
    /// offer to send the text as a message instead.
    #[error("unknown command /{trigger}")]
    UnknownCommand { trigger: String },
    /// The school runs no push gateway at `address`; the app may offer
    /// the background connection instead.
    #[error("no push gateway at {address}")]
    PushGatewayMissing { address: String },
    #[error("cancelled")]
    Cancelled,
    /// Needs the live connection: call `start_realtime` first.
    #[error("the realtime connection is not started")]
    NotStarted,
    /// A bug; `reason` is for developers.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

/// How a connection failed during a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NetworkProblem {
    Timeout,
    ConnectionLost,
    Other,
}

/// Why the device's storage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StorageProblem {
    /// Out of space.
    Full,
    /// The app's folder cannot be written.
    ReadOnly,
    /// The database is locked by another process for too long.
    Locked,
    /// A file was damaged (the cache is rebuilt from the server).
    Damaged,
    Other,
}

/// Why the server's certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TlsProblem {
    /// Not signed by a trusted authority (self-signed, or a school CA that
    /// was not added).
    UnknownIssuer,
    Expired,
    NotValidYet,
    NameMismatch,
    Revoked,
    BadCertificate,
    /// No protocol version or cipher in common.
    Incompatible,
    Other,
}

impl From<core::Error> for ClientError {
    fn from(error: core::Error) -> Self {
        use core::Error as E;
        match error {
            E::Offline => ClientError::Offline,
            E::Network { problem } => ClientError::Network {
                problem: problem.into(),
            },
            E::InvalidServer { reason } => ClientError::InvalidServer { reason },
            E::NotMattermost => ClientError::NotMattermost,
            E::ServerTooOld { version } => ClientError::ServerTooOld { version },
            E::Tls { problem } => ClientError::Tls {
                problem: (&problem).into(),
            },
            E::InvalidCredentials => ClientError::InvalidCredentials,
            E::MfaRequired => ClientError::MfaRequired,
            E::MfaCodeInvalid => ClientError::MfaCodeInvalid,
            E::EmailNotVerified => ClientError::EmailNotVerified,
            E::LockedOut => ClientError::LockedOut,
            E::SignUpClosed => ClientError::SignUpClosed,
            E::Unauthorized => ClientError::Unauthorized,
            E::SessionExpired => ClientError::SessionExpired,
            E::Forbidden { id } => ClientError::Forbidden {
                server_error_id: id,
            },
            E::NotFound { id } => ClientError::NotFound {
                server_error_id: id,
            },
            E::RateLimited { retry_after } => ClientError::RateLimited { retry_after },
            E::Server {
                status,
                id,
                message,
                request_id,
            } => ClientError::Server {
                status,
                server_error_id: id,
                server_message: message,
                request_id,
            },
            E::InvalidResponse { reason } => ClientError::InvalidResponse { reason },
            E::ResponseTooLarge { limit } => ClientError::ResponseTooLarge { limit },
            E::Storage { problem, reason } => ClientError::Storage {
                problem: problem.into(),
                reason,
            },
            E::SecretStore { reason } => ClientError::SecretStore { reason },
            E::InvalidInput { reason } => ClientError::InvalidInput { reason },
            E::ChannelArchived => ClientError::ChannelArchived,
            E::NameTaken => ClientError::NameTaken,
            E::EmailDomainNotAllowed => ClientError::EmailDomainNotAllowed,
            E::DeactivationDisabled => ClientError::DeactivationDisabled,
            E::UnknownCommand { trigger } => ClientError::UnknownCommand { trigger },
            E::PushGatewayMissing { address } => ClientError::PushGatewayMissing { address },
            E::Cancelled => ClientError::Cancelled,
            E::NotStarted => ClientError::NotStarted,
            E::Internal { reason } => ClientError::Internal { reason },
            // Core's Error is non-exhaustive: a new variant shows up as an
            // internal error until it is mapped here.
            other => ClientError::Internal {
                reason: other.to_string(),
            },
        }
    }
}

impl From<core::NetworkProblem> for NetworkProblem {
    fn from(problem: core::NetworkProblem) -> Self {
        match problem {
            core::NetworkProblem::Timeout => NetworkProblem::Timeout,
            core::NetworkProblem::ConnectionLost => NetworkProblem::ConnectionLost,
            _ => NetworkProblem::Other,
        }
    }
}

impl From<core::StorageProblem> for StorageProblem {
    fn from(problem: core::StorageProblem) -> Self {
        use core::StorageProblem as P;
        match problem {
            P::Full => StorageProblem::Full,
            P::ReadOnly => StorageProblem::ReadOnly,
            P::Locked => StorageProblem::Locked,
            P::Damaged => StorageProblem::Damaged,
            _ => StorageProblem::Other,
        }
    }
}

impl From<&core::TlsProblem> for TlsProblem {
    fn from(problem: &core::TlsProblem) -> Self {
        use core::TlsProblem as P;
        match problem {
            P::UnknownIssuer => TlsProblem::UnknownIssuer,
            P::Expired => TlsProblem::Expired,
            P::NotValidYet => TlsProblem::NotValidYet,
            P::NameMismatch => TlsProblem::NameMismatch,
            P::Revoked => TlsProblem::Revoked,
            P::BadCertificate => TlsProblem::BadCertificate,
            P::Incompatible => TlsProblem::Incompatible,
            _ => TlsProblem::Other,
        }
    }
}

pub(crate) type Result<T, E = ClientError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_keep_id_status_and_request() {
        let mapped = ClientError::from(core::Error::Server {
            status: 503,
            id: "api.x.app_error".into(),
            message: "down".into(),
            request_id: "r1".into(),
        });
        assert_eq!(
            mapped,
            ClientError::Server {
                status: 503,
                server_error_id: "api.x.app_error".into(),
                server_message: "down".into(),
                request_id: "r1".into(),
            }
        );
    }

    #[test]
    fn rate_limits_keep_the_retry_delay() {
        let mapped = ClientError::from(core::Error::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        });
        assert_eq!(
            mapped,
            ClientError::RateLimited {
                retry_after: Some(Duration::from_secs(7))
            }
        );
    }

    #[test]
    fn sign_in_errors_keep_their_kind() {
        assert_eq!(
            ClientError::from(core::Error::InvalidCredentials),
            ClientError::InvalidCredentials
        );
        assert_eq!(
            ClientError::from(core::Error::MfaRequired),
            ClientError::MfaRequired
        );
        assert_eq!(
            ClientError::from(core::Error::Forbidden { id: "x".into() }),
            ClientError::Forbidden {
                server_error_id: "x".into()
            }
        );
    }

    #[test]
    fn transport_details_survive() {
        assert_eq!(
            ClientError::from(core::Error::Network {
                problem: core::NetworkProblem::Timeout
            }),
            ClientError::Network {
                problem: NetworkProblem::Timeout
            }
        );
        assert_eq!(
            ClientError::from(core::Error::Tls {
                problem: core::TlsProblem::UnknownIssuer
            }),
            ClientError::Tls {
                problem: TlsProblem::UnknownIssuer
            }
        );
    }
}
