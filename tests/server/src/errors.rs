//! Errors shaped like Mattermost's `AppError`.
//!
//! Handlers return [`ApiError`]; it travels to the outer middleware inside the
//! response extensions, and the middleware renders the body because only it
//! knows the request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub id: String,
    pub message: String,
    pub detailed_error: String,
    /// Mattermost's router (not a handler) refused the path: the answer has
    /// no request id and no version header, and names the URL.
    pub from_router: bool,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, id: &str, message: &str) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            id: id.to_string(),
            message: message.to_string(),
            detailed_error: String::new(),
            from_router: false,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detailed_error = detail.into();
        self
    }

    pub fn body(&self, request_id: &str, path: &str) -> String {
        if self.from_router {
            return json!({
                "id": self.id,
                "message": self.message,
                "detailed_error": format!("There doesn't appear to be an api call for the url='{path}'.  Typo? are you missing a team_id or user_id as part of the url?"),
                "status_code": self.status.as_u16(),
            })
            .to_string();
        }
        json!({
            "id": self.id,
            "message": self.message,
            "detailed_error": self.detailed_error,
            "request_id": request_id,
            "status_code": self.status.as_u16(),
        })
        .to_string()
    }

    // The situations the server reports, with Mattermost's ids and texts.

    pub fn session_expired() -> ApiError {
        ApiError::new(
            401,
            "api.context.session_expired.app_error",
            "Invalid or expired session, please login again.",
        )
    }

    pub fn invalid_param(name: &str) -> ApiError {
        ApiError::new(
            400,
            "api.context.invalid_param.app_error",
            &format!("Invalid {name} parameter."),
        )
    }

    pub fn invalid_body_param(name: &str) -> ApiError {
        ApiError::new(
            400,
            "api.context.invalid_body_param.app_error",
            &format!("Invalid or missing {name} in request body."),
        )
    }

    pub fn invalid_url_param(name: &str) -> ApiError {
        ApiError::new(
            400,
            "api.context.invalid_url_param.app_error",
            &format!("Invalid or missing {name} parameter in request URL."),
        )
    }

    /// The real server names the missing permission only in its log.
    pub fn permission(_permission: &str) -> ApiError {
        ApiError::new(
            403,
            "api.context.permissions.app_error",
            "You do not have the appropriate permissions.",
        )
    }

    pub fn channel_not_found() -> ApiError {
        ApiError::new(
            404,
            "app.channel.get.existing.app_error",
            "Unable to find the existing channel.",
        )
    }

    pub fn post_not_found() -> ApiError {
        ApiError::new(404, "app.post.get.app_error", "Unable to get the post.")
    }

    pub fn user_not_found() -> ApiError {
        ApiError::new(
            404,
            "app.user.missing_account.const",
            "Unable to find the user.",
        )
    }

    pub fn team_not_found() -> ApiError {
        ApiError::new(
            404,
            "app.team.get.find.app_error",
            "Unable to find the existing team.",
        )
    }

    pub fn file_not_found() -> ApiError {
        ApiError::new(
            404,
            "app.file_info.get.app_error",
            "Unable to get the file info.",
        )
    }

    pub fn not_found_route() -> ApiError {
        ApiError {
            from_router: true,
            ..ApiError::new(
                404,
                "api.context.404.app_error",
                "Sorry, we could not find the page.",
            )
        }
    }

    pub fn internal(detail: &str) -> ApiError {
        ApiError::new(
            500,
            "api.context.server_error.app_error",
            "An internal server error occurred.",
        )
        .detail(detail)
    }

    /// The error an injected `fail_next` fault answers with.
    pub fn injected(status: u16) -> ApiError {
        ApiError::new(
            status,
            "pausenhof.testserver.injected_fault",
            "Failure injected by the test.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> ApiError {
        tracing::debug!("request body is not valid JSON: {e}");
        ApiError::invalid_body_param("body")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_mattermost_fields() {
        let e = ApiError::channel_not_found();
        let v: serde_json::Value = serde_json::from_str(&e.body("req1", "/api/v4/x")).unwrap();
        assert_eq!(v["id"], "app.channel.get.existing.app_error");
        assert_eq!(v["status_code"], 404);
        assert_eq!(v["request_id"], "req1");
        assert!(v["detailed_error"].is_string());
    }
}
