//! The mobile single sign-on as a browser sees it, with the test server
//! standing in for the school's identity provider: `GET` shows a sign-in
//! form, `POST` checks the password and redirects to the app's
//! `redirect_to` with a one-time `login_code` (when the app sent a PKCE
//! challenge, as Mattermost 10 does) or a session token (older servers).

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::shared::Shared;
use crate::state::{hash_password, LoginCode};

/// What the app put into the browser URL.
#[derive(Deserialize, Clone, Default)]
pub struct MobileLogin {
    #[serde(default)]
    redirect_to: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
}

/// The identity provider's form, carrying the app's parameters along.
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(flatten)]
    app: MobileLogin,
    #[serde(default)]
    login_id: String,
    #[serde(default)]
    password: String,
}

/// The server's `NativeAppSettings.AppCustomURLSchemes`, with the
/// official app's default and Pausenhof's added as a school would.
const APP_URL_SCHEMES: [&str; 3] = ["mmauth://", "mmauthbeta://", "pausenhof://"];

/// Mattermost sends the browser only to an app address it was told of
/// (case-insensitive prefix), and answers an HTML error page otherwise.
fn allowed_redirect(redirect_to: &str) -> bool {
    let lower = redirect_to.to_lowercase();
    APP_URL_SCHEMES
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

fn invalid_scheme() -> Response {
    (StatusCode::BAD_REQUEST, "api.invalid_custom_url_scheme").into_response()
}

pub async fn form(Query(app): Query<MobileLogin>) -> Response {
    if !allowed_redirect(&app.redirect_to) {
        return invalid_scheme();
    }
    let hidden = |name: &str, value: &str| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            escape(value)
        )
    };
    Html(format!(
        r#"<!doctype html><html><body><h1>Schul-Login</h1><form method="post">{}{}{}<input name="login_id"><input name="password" type="password"><button>Anmelden</button></form></body></html>"#,
        hidden("redirect_to", &app.redirect_to),
        hidden("state", &app.state),
        hidden("code_challenge", &app.code_challenge),
    ))
    .into_response()
}

pub async fn sign_in(State(shared): State<Arc<Shared>>, Form(form): Form<SignInForm>) -> Response {
    if !allowed_redirect(&form.app.redirect_to) {
        return invalid_scheme();
    }
    let mut state = shared.state();
    let user = state
        .user_by_login(&form.login_id)
        .filter(|u| u.delete_at == 0)
        .filter(|u| hash_password(&u.password_salt, &form.password) == u.password_hash)
        .map(|u| u.id);
    let Some(user_id) = user else {
        return (StatusCode::UNAUTHORIZED, "Anmeldung fehlgeschlagen").into_response();
    };
    let token = state.create_session(user_id, "");
    let mut redirect = match reqwest::Url::parse(&form.app.redirect_to) {
        Ok(url) => url,
        Err(_) => return (StatusCode::BAD_REQUEST, "redirect_to is no URL").into_response(),
    };
    if form.app.code_challenge.is_empty() {
        redirect
            .query_pairs_mut()
            .append_pair("MMAUTHTOKEN", &token)
            .append_pair("MMCSRF", &crate::ids::Id::random().to_string());
    } else {
        let code = crate::ids::Id::random().to_string();
        state.login_codes.insert(
            code.clone(),
            LoginCode {
                token,
                code_challenge: Some(form.app.code_challenge.clone()),
                state: Some(form.app.state.clone()),
            },
        );
        redirect
            .query_pairs_mut()
            .append_pair("login_code", &code)
            .append_pair("state", &form.app.state);
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, redirect.to_string())],
    )
        .into_response()
}

/// Whether `verifier` answers the PKCE `challenge` (method S256).
pub fn verifier_matches(challenge: &str, verifier: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
}

fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_must_hash_to_the_challenge() {
        // Computed apart from this code (SHA-256, base64url, no padding).
        let challenge = "E15UsigrOwsocNpuKFsDeINoFNAOZTKSBG46NyNpL9I";
        assert!(verifier_matches(
            challenge,
            "dBjftJeZ4CVP-mJ92T9lDLONS8lC7UarqG7bf2nT0gM"
        ));
        assert!(!verifier_matches(challenge, "another verifier"));
    }

    #[test]
    fn only_app_addresses_the_server_knows_receive_the_sign_in() {
        assert!(allowed_redirect("pausenhof://sso"));
        assert!(allowed_redirect("MMAUTH://callback"));
        assert!(!allowed_redirect("https://elsewhere.example/steal"));
        assert!(!allowed_redirect(""));
    }

    #[test]
    fn the_form_escapes_what_the_app_sent() {
        assert_eq!(escape(r#""><script>"#), "&quot;&gt;&lt;script&gt;");
    }
}
