//! Server discovery: ping, client config, license; and push acks.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::shared::Shared;

pub async fn ping(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
        "status": "OK",
        "version": shared.config.version,
    }))
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

pub async fn client_config(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    if q.get("format").map(String::as_str) != Some("old") {
        return Err(ApiError::new(
            501,
            "api.config.client.old_format.app_error",
            "New format for the client configuration is not supported yet. Please specify format=old in the query string.",
        ));
    }
    let c = &shared.config;
    Ok(Json(json!({
        "Version": c.version,
        "BuildNumber": c.version,
        "BuildDate": "",
        "BuildHash": "pausenhof-testserver",
        "BuildHashEnterprise": "none",
        "BuildEnterpriseReady": "false",
        "SiteName": c.site_name,
        "SiteURL": "",
        "DiagnosticId": shared.server_id,
        "DiagnosticsEnabled": "false",
        "EnableSignUpWithEmail": "true",
        "EnableSignInWithEmail": "true",
        "EnableSignInWithUsername": "true",
        "EnableMultifactorAuthentication": "true",
        "EnforceMultifactorAuthentication": "false",
        "EnableUserCreation": "true",
        "EnableOpenServer": flag(c.open_server),
        "EnableSignUpWithGitLab": flag(c.enable_sso),
        "GitLabButtonText": "GitLab",
        "GitLabButtonColor": "",
        "EnableSignUpWithGoogle": "false",
        "EnableSignUpWithOffice365": "false",
        "EnableSignUpWithOpenId": flag(c.enable_sso),
        "OpenIdButtonText": "Schul-Login",
        "OpenIdButtonColor": "#145DBF",
        "EnableSaml": "false",
        "EnableLdap": "false",
        "EnableReliableWebSockets": "true",
        "EnableUserAccessTokens": "true",
        "CollapsedThreads": "default_off",
        "EnableCustomEmoji": "false",
        "EnableFileAttachments": "true",
        "EnableMobileFileDownload": "true",
        "EnableMobileFileUpload": "true",
        "MaxFileSize": "104857600",
        "MaxPostSize": "16383",
        "PasswordMinimumLength": "8",
        "SendPushNotifications": flag(c.push_proxy_url.is_some()),
        "EnableCommands": "true",
        "AllowEditPost": "always",
        "PostEditTimeLimit": "-1",
        "RequireEmailVerification": flag(c.require_email_verification),
        "ShowEmailAddress": "true",
        "ShowFullName": "true",
        "TeammateNameDisplay": "full_name",
        "ExperimentalPrimaryTeam": "",
        "FeatureFlagCollapsedThreads": "true",
        "EmailLoginButtonText": "E-Mail",
        "DefaultClientLocale": "de",
        "AvailableLocales": "",
        "PluginsEnabled": "false",
        "EnablePreviewFeatures": "false",
        "TimeBetweenUserTypingUpdatesMilliseconds": "5000",
        "MinimumHashtagLength": "3",
        "EnableConfirmNotificationsToChannel": "true",
        "EnableEmojiPicker": "true",
        "ExtendSessionLengthWithActivity": "true",
    })))
}

pub async fn client_license(State(shared): State<Arc<Shared>>) -> Json<Value> {
    if shared.config.licensed {
        Json(json!({
            "IsLicensed": "true",
            "SkuShortName": "enterprise",
            "SkuName": "Enterprise",
            "IDLoadedPushNotifications": "true",
            "MFA": "true",
            "Cloud": "false",
        }))
    } else {
        Json(json!({"IsLicensed": "false"}))
    }
}

/// `POST /notifications/ack`: the app confirms it received a push. For an
/// id-only push the answer carries the content the push left out, as on the
/// real server.
pub async fn push_ack(
    State(shared): State<Arc<Shared>>,
    auth: crate::auth::Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let ack: Value = super::parse_body(&body, "ack")?;
    if ack["id"].as_str().unwrap_or("").is_empty() {
        return Err(ApiError::invalid_body_param("id"));
    }
    shared
        .acks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(ack.clone());
    if ack["is_id_loaded"].as_bool() != Some(true) {
        return Ok(Json(json!({"status": "OK"})));
    }
    let post_id = ack["post_id"]
        .as_str()
        .and_then(crate::ids::Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("post_id"))?;
    let state = shared.state();
    let post = state.post(post_id)?;
    if !state.is_member(post.channel_id, auth.user_id) {
        return Err(ApiError::permission("read_channel"));
    }
    let channel = state.channel(post.channel_id)?;
    let sender = state.user(post.user_id)?.display_name();
    let is_dm = channel.kind == crate::model::ChannelType::Direct;
    Ok(Json(json!({
        "ack_id": ack["id"],
        "platform": ack["platform"],
        "server_id": shared.server_id,
        "post_id": post.id,
        "category": "CAN_REPLY",
        "channel_id": post.channel_id,
        "channel_name": if is_dm { String::new() } else { channel.display_name.clone() },
        "team_id": channel.team_id.map(|t| t.to_string()).unwrap_or_default(),
        "root_id": crate::ids::opt_str(&post.root_id),
        "sender_id": post.user_id,
        "sender_name": sender,
        "message": if is_dm { post.message.to_string() } else { format!("{sender}: {}", post.message) },
        "type": "message",
        "version": "v2",
        "is_id_loaded": false,
    })))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found_route()
}
