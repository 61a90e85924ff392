//! Server discovery: ping, client config, license; and push acks.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use crate::errors::{ApiError, ApiResult};
use crate::shared::Shared;

pub async fn ping() -> Json<Value> {
    Json(json!({
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
        "status": "OK",
    }))
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// `GET /config/client?format=old`. Without a session the real server sends
/// its limited (pre-login) set, with one the full set; the keys of the
/// limited set are those of a real 11.x server
/// (`tests/recordings/config_client_old.json`).
pub async fn client_config(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    if q.get("format").map(String::as_str) != Some("old") {
        return Err(ApiError::new(
            501,
            "api.config.client.old_format.app_error",
            "New format for the client configuration is not supported yet. Please specify format=old in the query string.",
        ));
    }
    let signed_in = crate::auth::bearer_token(&headers)
        .and_then(|token| crate::auth::session_user(&shared, &token))
        .is_some();
    let mut config = limited_client_config(&shared);
    if signed_in {
        if let (Value::Object(all), Value::Object(more)) =
            (&mut config, full_client_config(&shared))
        {
            all.extend(more);
        }
    }
    Ok(Json(config))
}

/// The limited set's values that do not depend on this server's setup.
const LIMITED_CONSTANTS: &[(&str, &str)] = &[
    ("AboutLink", "https://mattermost.com/pl/about-mattermost"),
    ("AllowDownloadLogs", "true"),
    (
        "AndroidAppDownloadLink",
        "https://mattermost.com/pl/android-app/",
    ),
    ("AndroidLatestVersion", ""),
    ("AndroidMinVersion", ""),
    ("AppDownloadLink", "https://mattermost.com/pl/download-apps"),
    ("AppsPluginEnabled", "false"),
    ("BuildDate", ""),
    ("BuildEnterpriseReady", ""),
    ("BuildHash", ""),
    ("BuildHashEnterprise", ""),
    ("BuildNumber", ""),
    ("CWSURL", ""),
    ("CustomBrandText", ""),
    ("CustomDescriptionText", ""),
    ("DefaultClientLocale", "de"),
    ("DiagnosticsEnabled", "false"),
    ("EmailLoginButtonBorderColor", "#2389D7"),
    ("EmailLoginButtonColor", "#0000"),
    ("EmailLoginButtonTextColor", "#2389D7"),
    ("EnableAskCommunityLink", "true"),
    ("EnableBotAccountCreation", "false"),
    ("EnableClientMetrics", "true"),
    ("EnableComplianceExport", "false"),
    ("EnableCustomBrand", "false"),
    ("EnableCustomEmoji", "true"),
    ("EnableDesktopLandingPage", "true"),
    ("EnableDiagnostics", "false"),
    ("EnableFile", "true"),
    ("EnableGuestAccounts", "false"),
    ("EnableGuestMagicLink", "false"),
    ("EnableJoinLeaveMessageByDefault", "true"),
    ("EnableLdap", "false"),
    ("EnableMultifactorAuthentication", "true"),
    ("EnableSaml", "false"),
    ("EnableSignInWithEmail", "true"),
    ("EnableSignInWithUsername", "true"),
    ("EnableSignUpWithEmail", "true"),
    ("EnableSignUpWithGoogle", "false"),
    ("EnableSignUpWithOffice365", "false"),
    ("EnableUserCreation", "true"),
    ("EnableUserStatuses", "true"),
    ("EnforceMultifactorAuthentication", "false"),
    ("FeatureFlagAppsEnabled", "false"),
    ("FeatureFlagAttributeBasedAccessControl", "true"),
    ("FeatureFlagAutoTranslation", "false"),
    ("FeatureFlagBurnOnRead", "true"),
    ("FeatureFlagChannelBookmarks", "true"),
    ("FeatureFlagCloudAnnualRenewals", "false"),
    ("FeatureFlagCloudDedicatedExportUI", "false"),
    ("FeatureFlagCloudIPFiltering", "false"),
    ("FeatureFlagConsumePostHook", "false"),
    ("FeatureFlagContentFlagging", "true"),
    ("FeatureFlagCustomProfileAttributes", "true"),
    ("FeatureFlagDeprecateCloudFree", "false"),
    ("FeatureFlagEnableAIPluginBridge", "false"),
    ("FeatureFlagEnableAIRecaps", "false"),
    ("FeatureFlagEnableExportDirectDownload", "false"),
    ("FeatureFlagEnableMattermostEntry", "true"),
    ("FeatureFlagEnableRemoteClusterService", "false"),
    ("FeatureFlagEnableSharedChannelsDMs", "false"),
    ("FeatureFlagEnableSharedChannelsMemberSync", "false"),
    ("FeatureFlagEnableSharedChannelsPlugins", "true"),
    ("FeatureFlagEnableSyncAllUsersForRemoteCluster", "false"),
    (
        "FeatureFlagExperimentalAuditSettingsSystemConsoleUI",
        "true",
    ),
    ("FeatureFlagInteractiveDialogAppsForm", "true"),
    ("FeatureFlagMobileSSOCodeExchange", "true"),
    ("FeatureFlagMoveThreadsEnabled", "false"),
    ("FeatureFlagNormalizeLdapDNs", "false"),
    ("FeatureFlagNotificationMonitoring", "true"),
    ("FeatureFlagOnboardingTourTips", "true"),
    ("FeatureFlagPermalinkPreviews", "false"),
    ("FeatureFlagStreamlinedMarketplace", "true"),
    ("FeatureFlagTestBoolFeature", "false"),
    ("FeatureFlagTestFeature", "off"),
    ("FeatureFlagWebSocketEventScope", "true"),
    ("FeatureFlagWysiwygEditor", "false"),
    ("FileLevel", "DEBUG"),
    ("ForgotPasswordLink", ""),
    ("GuestAccountsEnforceMultifactorAuthentication", "false"),
    ("HasImageProxy", "false"),
    ("HelpLink", "https://mattermost.com/pl/help/"),
    ("HideGuestTags", "false"),
    ("IosAppDownloadLink", "https://mattermost.com/pl/ios-app/"),
    ("IosLatestVersion", ""),
    ("IosMinVersion", ""),
    ("IsFipsEnabled", "false"),
    ("LdapLoginButtonBorderColor", ""),
    ("LdapLoginButtonColor", ""),
    ("LdapLoginButtonTextColor", ""),
    ("LdapLoginFieldName", ""),
    ("MobileExternalBrowser", "false"),
    ("OpenIdButtonColor", ""),
    ("OpenIdButtonText", ""),
    ("PasswordEnableForgotLink", "true"),
    ("PasswordMinimumLength", "8"),
    ("PasswordRequireLowercase", "false"),
    ("PasswordRequireNumber", "false"),
    ("PasswordRequireSymbol", "false"),
    ("PasswordRequireUppercase", "false"),
    ("PluginsEnabled", "false"),
    (
        "PrivacyPolicyLink",
        "https://mattermost.com/pl/privacy-policy/",
    ),
    (
        "ReportAProblemLink",
        "https://mattermost.com/pl/report-a-bug",
    ),
    ("ReportAProblemMail", ""),
    ("ReportAProblemType", "default"),
    ("SamlLoginButtonBorderColor", ""),
    ("SamlLoginButtonColor", ""),
    ("SamlLoginButtonText", ""),
    ("SamlLoginButtonTextColor", ""),
    ("ServiceEnvironment", "dev"),
    ("SupportEmail", ""),
    (
        "TermsOfServiceLink",
        "https://mattermost.com/pl/terms-of-use/",
    ),
    ("WebsocketPort", "80"),
    ("WebsocketSecurePort", "443"),
    ("WebsocketURL", ""),
];

fn limited_client_config(shared: &Shared) -> Value {
    let c = &shared.config;
    let server_id = shared.server_id.to_string();
    let signing_key = format!("pausenhof-testserver-{server_id}");
    let site_url = shared.site_url();
    let no_accounts = shared.state().users.is_empty();
    let mut config: serde_json::Map<String, Value> = LIMITED_CONSTANTS
        .iter()
        .map(|(key, value)| (key.to_string(), json!(value)))
        .collect();
    config.insert("AsymmetricSigningPublicKey".into(), json!(signing_key));
    config.insert("DiagnosticId".into(), json!(server_id));
    config.insert("EnableOpenServer".into(), json!(flag(c.open_server)));
    config.insert("EnableSignUpWithOpenId".into(), json!(flag(c.enable_sso)));
    config.insert("NoAccounts".into(), json!(flag(no_accounts)));
    config.insert("SiteName".into(), json!(c.site_name));
    config.insert("SiteURL".into(), json!(site_url));
    config.insert("TelemetryId".into(), json!(server_id));
    config.insert("Version".into(), json!(c.version));
    let mut config = Value::Object(config);
    if c.enable_sso {
        // Shown by the real server when the provider is switched on.
        if let Value::Object(m) = &mut config {
            m.insert("EnableSignUpWithGitLab".into(), json!("true"));
            m.insert("GitLabButtonText".into(), json!("GitLab"));
            m.insert("GitLabButtonColor".into(), json!(""));
            m.insert("OpenIdButtonText".into(), json!("Schul-Login"));
            m.insert("OpenIdButtonColor".into(), json!("#145DBF"));
        }
    }
    config
}

/// What only a signed-in user sees, on top of the limited set.
fn full_client_config(shared: &Shared) -> Value {
    let c = &shared.config;
    let mut config = core_client_config(shared);
    // As upstream, the terms settings go out only with a licence that has
    // the feature.
    if let (Value::Object(all), true) = (&mut config, c.licensed) {
        let state = shared.state();
        all.insert(
            "EnableCustomTermsOfService".into(),
            flag(state.custom_terms_enabled).into(),
        );
        all.insert(
            "CustomTermsOfServiceReAcceptancePeriod".into(),
            TERMS_REACCEPTANCE_DAYS.into(),
        );
    }
    config
}

/// Upstream's default `CustomTermsOfServiceReAcceptancePeriod`.
const TERMS_REACCEPTANCE_DAYS: &str = "365";

fn core_client_config(shared: &Shared) -> Value {
    let c = &shared.config;
    json!({
        "EnableUserDeactivation": flag(c.enable_user_deactivation),
        "EnableSignUpWithGitLab": flag(c.enable_sso),
        "EnableReliableWebSockets": "true",
        "EnableUserAccessTokens": "true",
        "CollapsedThreads": "default_off",
        "EnableFileAttachments": "true",
        "EnableMobileFileDownload": "true",
        "EnableMobileFileUpload": "true",
        "MaxFileSize": "104857600",
        "MaxPostSize": "16383",
        "SendPushNotifications": flag(c.push_proxy_url.is_some()),
        "EnableCommands": "true",
        "AllowEditPost": "always",
        "PostEditTimeLimit": "-1",
        "RequireEmailVerification": flag(c.require_email_verification),
        "ShowEmailAddress": "true",
        "ShowFullName": "true",
        "TeammateNameDisplay": "username",
        "ExperimentalPrimaryTeam": "",
        "FeatureFlagCollapsedThreads": "true",
        "EmailLoginButtonText": "E-Mail",
        "AvailableLocales": "",
        "EnablePreviewFeatures": "false",
        "TimeBetweenUserTypingUpdatesMilliseconds": "5000",
        "MinimumHashtagLength": "3",
        "EnableConfirmNotificationsToChannel": "true",
        "EnableEmojiPicker": "true",
        "ExtendSessionLengthWithActivity": "true",
    })
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
