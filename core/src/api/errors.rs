//! Mattermost error answers → public errors, by error id first, then status.

use reqwest::StatusCode;

use crate::error::Error;
use crate::model::ServerError;

pub(crate) const SESSION_EXPIRED: &str = "api.context.session_expired.app_error";
pub(crate) const MFA_REQUIRED: &str = "mfa.validate_token.authenticate.app_error";
/// The real server's answer to a well-formed but wrong MFA code.
pub(crate) const MFA_BAD_CODE: &str = "api.user.check_user_mfa.bad_code.app_error";
pub(crate) const NOT_VERIFIED: &str = "api.user.login.not_verified.app_error";
/// Posting into an archived channel.
pub(crate) const POST_TO_ARCHIVED: &str = "api.post.create_post.can_not_post_to_deleted.error";
/// Joining a team whose allowed domains exclude the user's address.
pub(crate) const TEAM_DOMAIN_REFUSED: &str = "api.team.join_user_to_team.allowed_domains.app_error";
/// A channel with that URL name exists in the team.
pub(crate) const CHANNEL_NAME_EXISTS: &str = "store.sql_channel.save_channel.exists.app_error";
/// Deactivating oneself while `EnableUserDeactivation` is off (a 401
/// that does not end the session).
pub(crate) const SELF_DEACTIVATION_OFF: &str = "api.user.update_active.not_enable.app_error";
pub(crate) const TOO_MANY_ATTEMPTS: &str = "api.user.check_user_login_attempts.too_many.app_error";

/// Builds the error for a non-success answer. `authenticated` says whether
/// the call carried our token: then any 401 means the session is gone.
pub(crate) fn error_from_response(status: StatusCode, body: &[u8], authenticated: bool) -> Error {
    // The rate limiter and proxies answer with plain text or HTML.
    let server_error: ServerError = serde_json::from_slice(body).unwrap_or_default();
    let id = server_error.id.as_str();

    // The real server answers "no code" and "wrong code" with different ids
    // (tests/recordings/login_mfa_required.json, login_mfa_wrong_code.json).
    if id == MFA_REQUIRED {
        return Error::MfaRequired;
    }
    if id == MFA_BAD_CODE {
        return Error::MfaCodeInvalid;
    }
    if id == NOT_VERIFIED {
        return Error::EmailNotVerified;
    }
    if id == TOO_MANY_ATTEMPTS {
        return Error::LockedOut;
    }
    if id.starts_with("api.user.login.invalid_credentials")
        || id == "api.user.check_user_password.invalid.app_error"
        || id == "api.user.login.blank_pwd.app_error"
        || id == "ent.ldap.do_login.invalid_password.app_error"
    {
        return Error::InvalidCredentials;
    }
    if id.starts_with("api.user.create_user.no_open_server")
        || id == "api.user.create_user.signup_email_disabled.app_error"
        || id == "api.user.create_user.accepted_domain.app_error"
    {
        return Error::SignUpClosed;
    }
    if id == POST_TO_ARCHIVED {
        return Error::ChannelArchived;
    }
    if id == TEAM_DOMAIN_REFUSED {
        return Error::EmailDomainNotAllowed;
    }
    if id == SELF_DEACTIVATION_OFF {
        return Error::DeactivationDisabled;
    }
    if id == SESSION_EXPIRED {
        return Error::SessionExpired;
    }
    if id == "api.user.login.inactive.app_error" {
        // A deactivated account: no retry or other password will help.
        return Error::Forbidden {
            id: server_error.id,
        };
    }

    match status {
        StatusCode::UNAUTHORIZED if authenticated => Error::SessionExpired,
        StatusCode::UNAUTHORIZED => Error::Unauthorized,
        StatusCode::FORBIDDEN => Error::Forbidden {
            id: server_error.id,
        },
        StatusCode::NOT_FOUND => Error::NotFound {
            id: server_error.id,
        },
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited { retry_after: None },
        _ => Error::Server {
            status: status.as_u16(),
            id: server_error.id,
            message: server_error.message,
            request_id: server_error.request_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(id: &str) -> Vec<u8> {
        format!(r#"{{"id":"{id}","message":"m","request_id":"r","status_code":401}}"#).into_bytes()
    }

    #[test]
    fn maps_sign_in_errors_by_id() {
        let e = |id: &str, status: u16| {
            error_from_response(StatusCode::from_u16(status).unwrap(), &body(id), false)
        };
        assert_eq!(e(MFA_REQUIRED, 401), Error::MfaRequired);
        assert_eq!(e(MFA_BAD_CODE, 401), Error::MfaCodeInvalid);
        assert_eq!(e(NOT_VERIFIED, 401), Error::EmailNotVerified);
        assert_eq!(e(TOO_MANY_ATTEMPTS, 401), Error::LockedOut);
        assert_eq!(
            e("api.user.login.invalid_credentials_email_username", 401),
            Error::InvalidCredentials
        );
        assert_eq!(
            e("api.user.create_user.no_open_server", 403),
            Error::SignUpClosed
        );
        assert_eq!(e(SESSION_EXPIRED, 401), Error::SessionExpired);
        assert_eq!(e(SELF_DEACTIVATION_OFF, 401), Error::DeactivationDisabled);
        assert_eq!(
            e("api.user.login.inactive.app_error", 401),
            Error::Forbidden {
                id: "api.user.login.inactive.app_error".into()
            }
        );
    }

    #[test]
    fn any_401_on_an_authenticated_call_is_an_ended_session() {
        assert_eq!(
            error_from_response(StatusCode::UNAUTHORIZED, b"", true),
            Error::SessionExpired
        );
        assert_eq!(
            error_from_response(StatusCode::UNAUTHORIZED, b"", false),
            Error::Unauthorized
        );
    }

    #[test]
    fn other_statuses_keep_id_and_request_id() {
        assert_eq!(
            error_from_response(
                StatusCode::FORBIDDEN,
                &body("api.context.permissions.app_error"),
                true
            ),
            Error::Forbidden {
                id: "api.context.permissions.app_error".into()
            }
        );
        assert!(matches!(
            error_from_response(StatusCode::NOT_FOUND, b"<html>404</html>", true),
            Error::NotFound { id } if id.is_empty()
        ));
        match error_from_response(StatusCode::BAD_REQUEST, &body("api.post.x"), true) {
            Error::Server {
                status,
                id,
                request_id,
                ..
            } => {
                assert_eq!(
                    (status, id.as_str(), request_id.as_str()),
                    (400, "api.post.x", "r")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
