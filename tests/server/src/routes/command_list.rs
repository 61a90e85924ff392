//! The commands the composer's `/` menu offers: the built-in list and the
//! autocomplete suggestions for what is typed so far.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::extract::MyTeam;
use crate::ids::Id;
use crate::shared::Shared;

/// Built-in commands this server executes: trigger, hint, description.
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("away", "", "Set your status away"),
    ("dnd", "", "Do not disturb disables desktop and mobile push notifications."),
    ("echo", "'message' [delay in seconds]", "Echo back text from your account"),
    ("groupmsg", "@[usernames] 'message'", "Sends a Group Message to the specified users"),
    ("header", "[text]", "Edit the channel header"),
    ("invite", "@[username] ~[channel]", "Invite a user to a channel"),
    ("join", "~[channel]", "Join the open channel"),
    ("kick", "@[username]", "Remove a member from the channel"),
    ("leave", "", "Leave the current channel"),
    ("me", "[message]", "Do an action"),
    ("msg", "@[username] 'message'", "Send Direct Message to a user"),
    ("mute", "~[channel]", "Turns off desktop, email and push notifications for the current channel or the [channel] specified."),
    ("offline", "", "Set your status offline"),
    ("online", "", "Set your status online"),
    ("open", "~[channel]", "Open a channel"),
    ("purpose", "[text]", "Edit the channel purpose"),
    ("remove", "@[username]", "Remove a member from the channel"),
    ("rename", "[text]", "Rename the channel"),
    ("search", "[text]", "Search text in messages"),
    ("shrug", "[message]", "Adds ¯\\_(ツ)_/¯ to your message"),
];

fn command_json(team: Id, (trigger, hint, description): (&str, &str, &str)) -> Value {
    json!({
        "id": "", "token": "", "create_at": 0, "update_at": 0, "delete_at": 0,
        "creator_id": "", "team_id": team, "trigger": trigger, "method": "P",
        "username": "", "icon_url": "", "auto_complete": true,
        "auto_complete_desc": description, "auto_complete_hint": hint,
        "display_name": trigger, "description": "", "url": "",
    })
}

/// `GET /commands?team_id=`: a member of the team sees the built-ins.
pub async fn list(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let team = query
        .get("team_id")
        .and_then(|t| Id::parse(t))
        .ok_or_else(|| ApiError::invalid_param("team_id"))?;
    let state = shared.state();
    state.team(team)?;
    if !state.is_team_member(team, auth.user_id) {
        return Err(ApiError::permission("view_team"));
    }
    Ok(Json(Value::Array(
        BUILT_IN.iter().map(|c| command_json(team, *c)).collect(),
    )))
}

/// `GET /teams/{team_id}/commands/autocomplete_suggestions?user_input=`:
/// the built-in triggers that start with the typed word.
pub async fn suggestions(
    MyTeam(_team): MyTeam,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let input = query.get("user_input").map(String::as_str).unwrap_or("");
    let typed = input.trim_start().trim_start_matches('/').to_lowercase();
    if typed.contains(char::is_whitespace) {
        return Ok(Json(json!([])));
    }
    let found: Vec<Value> = BUILT_IN
        .iter()
        .filter(|(trigger, _, _)| trigger.starts_with(&typed))
        .map(|(trigger, hint, description)| {
            json!({"Complete": trigger, "Suggestion": format!("/{trigger}"), "Hint": hint,
                   "Description": description, "IconData": ""})
        })
        .collect();
    Ok(Json(Value::Array(found)))
}
