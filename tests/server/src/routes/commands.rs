//! Built-in slash commands.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::Auth;
use crate::errors::{ApiError, ApiResult};
use crate::events::Event;
use crate::ids::Id;
use crate::shared::Shared;
use crate::state::NewPost;

use super::parse_body;

pub(super) fn ephemeral(shared: &Shared, user: Id, channel: Id, text: &str) -> Json<Value> {
    let now = shared.state().now();
    let post = json!({
        "id": Id::random(), "create_at": now, "update_at": now, "edit_at": 0, "delete_at": 0,
        "is_pinned": false, "user_id": user, "channel_id": channel, "root_id": "", "original_id": "",
        "message": text, "type": "system_ephemeral", "props": {}, "hashtags": "", "pending_post_id": "",
        "reply_count": 0, "last_reply_at": 0, "participants": null, "metadata": {},
    });
    shared.publish(vec![Event::to_user(
        "ephemeral_message",
        user,
        json!({"post": post.to_string()}),
    )]);
    Json(json!({"response_type": "ephemeral", "text": text, "goto_location": "", "trigger_id": ""}))
}

pub(super) fn in_channel() -> Json<Value> {
    Json(json!({"response_type": "in_channel", "text": "", "goto_location": "", "trigger_id": ""}))
}

/// An answer that sends the client to `location`.
pub(super) fn goto(location: String) -> Json<Value> {
    Json(json!({"response_type": "", "text": "", "goto_location": location, "trigger_id": ""}))
}

pub async fn execute(
    State(shared): State<Arc<Shared>>,
    auth: Auth,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body: Value = parse_body(&body, "command_args")?;
    let channel = body["channel_id"]
        .as_str()
        .and_then(Id::parse)
        .ok_or_else(|| ApiError::invalid_body_param("channel_id"))?;
    let command = body["command"].as_str().unwrap_or("").trim();
    let root_id = body["root_id"].as_str().and_then(Id::parse);
    if !command.starts_with('/') || command.len() < 2 {
        return Err(ApiError::new(
            400,
            "api.command.execute_command.start.app_error",
            "No command trigger found.",
        ));
    }
    let (trigger, args) = command[1..]
        .split_once(' ')
        .map(|(t, a)| (t, a.trim()))
        .unwrap_or((&command[1..], ""));
    let trigger = trigger.to_lowercase();
    {
        let state = shared.state();
        state.channel(channel)?;
        if !state.is_member(channel, auth.user_id) {
            return Err(ApiError::permission("use_slash_commands"));
        }
    }
    let post = |message: String, kind: &str| {
        super::posts::create_and_announce(
            &shared,
            NewPost {
                user_id: auth.user_id,
                channel_id: channel,
                message,
                root_id,
                props: None,
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: kind.to_string(),
                create_at: None,
            },
        )
    };
    match trigger.as_str() {
        "echo" => {
            let text = args.trim_matches('"');
            if text.is_empty() {
                return Ok(ephemeral(
                    &shared,
                    auth.user_id,
                    channel,
                    "A message must be provided with the /echo command.",
                ));
            }
            post(text.to_string(), "")?;
            Ok(in_channel())
        }
        "me" => {
            post(format!("*{args}*"), "me")?;
            Ok(in_channel())
        }
        "shrug" => {
            let text = if args.is_empty() {
                "¯\\\\\\_(ツ)\\_/¯".to_string()
            } else {
                format!("{args} ¯\\\\\\_(ツ)\\_/¯")
            };
            post(text, "")?;
            Ok(in_channel())
        }
        "away" | "online" | "dnd" | "offline" => {
            let status = crate::model::parse_status(&trigger).unwrap_or("online");
            let event = shared.state().set_status(auth.user_id, status, true);
            shared.publish(event.into_iter().collect());
            let text = match status {
                "away" => "You are now away",
                "dnd" => "Do Not Disturb is enabled. You will not receive desktop or mobile push notifications until Do Not Disturb is turned off.",
                "offline" => "You are now offline",
                _ => "You are now online",
            };
            Ok(ephemeral(&shared, auth.user_id, channel, text))
        }
        "join" | "open" => {
            let name = args.trim_start_matches('~');
            let (events, team_name, channel_name) = {
                let mut state = shared.state();
                let team = state
                    .channel(channel)?
                    .team_id
                    .ok_or_else(|| ApiError::invalid_param("team_id"))?;
                let target = state
                    .channel_by_name(Some(team), name)
                    .map(|c| c.id)
                    .ok_or_else(|| {
                        ApiError::new(
                            404,
                            "api.command_join.missing.app_error",
                            "We couldn't find the channel.",
                        )
                    })?;
                let (_, events) =
                    super::channels::join_channel(&mut state, target, auth.user_id, auth.user_id)?;
                (events, state.team(team)?.name.clone(), name.to_string())
            };
            shared.publish(events);
            Ok(goto(format!(
                "{}/{team_name}/channels/{channel_name}",
                shared.site_url()
            )))
        }
        "leave" => {
            let left = {
                let mut state = shared.state();
                let team = state.channel(channel)?.team_id;
                super::channels::leave_channel(&mut state, channel, auth.user_id, auth.user_id).map(
                    |events| {
                        let team_name = team
                            .and_then(|t| state.team(t).ok())
                            .map(|t| t.name.clone())
                            .unwrap_or_default();
                        (events, team_name)
                    },
                )
            };
            match left {
                Ok((events, team_name)) => {
                    shared.publish(events);
                    Ok(goto(format!(
                        "{}/{team_name}/channels/town-square",
                        shared.site_url()
                    )))
                }
                // As the real server: a refusal is an ephemeral answer.
                Err(_) => Ok(ephemeral(
                    &shared,
                    auth.user_id,
                    channel,
                    "An error occurred while leaving the channel.",
                )),
            }
        }
        "mute" => {
            let target = if args.is_empty() {
                channel
            } else {
                let state = shared.state();
                let team = state.channel(channel)?.team_id;
                state
                    .channel_by_name(team, args.trim_start_matches('~'))
                    .map(|c| c.id)
                    .ok_or_else(|| {
                        ApiError::new(404, "api.command_mute.error", "Could not find the channel.")
                    })?
            };
            let (text, event) = {
                let mut state = shared.state();
                let display = state.channel(target)?.display_name.clone();
                let now = state.now();
                let member = state
                    .channel_members
                    .get_mut(&target)
                    .and_then(|m| m.get_mut(&auth.user_id))
                    .ok_or_else(|| {
                        ApiError::new(
                            400,
                            "api.command_mute.not_member.error",
                            "You are not a member of this channel.",
                        )
                    })?;
                let muted =
                    member.notify_props.get("mark_unread").map(String::as_str) == Some("mention");
                member.notify_props.insert(
                    "mark_unread".into(),
                    if muted { "all" } else { "mention" }.into(),
                );
                // As upstream's UpdateMemberNotifyProps: a newer copy.
                member.last_update_at = now;
                let json = member.to_json(target, auth.user_id);
                let text = if muted {
                    format!("{display} is no longer muted.")
                } else {
                    format!("You will not receive notifications for {display} until channel mute is turned off.")
                };
                (
                    text,
                    Event::to_user(
                        "channel_member_updated",
                        auth.user_id,
                        json!({"channelMember": json.to_string()}),
                    ),
                )
            };
            shared.publish(vec![event]);
            Ok(ephemeral(&shared, auth.user_id, channel, &text))
        }
        "header" | "purpose" => {
            if args.is_empty() {
                return Err(ApiError::new(
                    400,
                    &format!("api.command_channel_{trigger}.message.app_error"),
                    "A message must be provided.",
                ));
            }
            let (_, events) = {
                let mut state = shared.state();
                let (h, p) = if trigger == "header" {
                    (Some(args), None)
                } else {
                    (None, Some(args))
                };
                super::channels::patch_channel_fields(
                    &mut state,
                    channel,
                    auth.user_id,
                    None,
                    h,
                    p,
                )?
            };
            shared.publish(events);
            Ok(in_channel())
        }
        "rename" => {
            if args.is_empty() {
                return Ok(ephemeral(
                    &shared,
                    auth.user_id,
                    channel,
                    "Please provide the new channel name.",
                ));
            }
            let (_, events) = {
                let mut state = shared.state();
                super::channels::patch_channel_fields(
                    &mut state,
                    channel,
                    auth.user_id,
                    Some(args),
                    None,
                    None,
                )?
            };
            shared.publish(events);
            Ok(in_channel())
        }
        "search" => Ok(ephemeral(
            &shared,
            auth.user_id,
            channel,
            "The search command is handled by the client.",
        )),
        "msg" | "groupmsg" | "invite" | "kick" | "remove" => {
            super::command_people::execute(&shared, auth.user_id, channel, &trigger, args)
        }
        _ => Err(ApiError::new(
            404,
            "api.command.execute_command.not_found.app_error",
            &format!("Command with a trigger of '{trigger}' not found."),
        )),
    }
}
