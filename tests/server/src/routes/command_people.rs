//! The built-in commands about other people: `/msg`, `/groupmsg`,
//! `/invite`, `/kick` (`/remove`). Like the real server, refusals are
//! ephemeral answers (status 200), not error statuses.

use std::sync::Arc;

use axum::Json;
use serde_json::Value;

use crate::errors::ApiResult;
use crate::ids::Id;
use crate::shared::Shared;
use crate::state::{NewPost, State as Data};

use super::commands::{ephemeral, goto, in_channel};

pub fn execute(
    shared: &Arc<Shared>,
    me: Id,
    channel: Id,
    trigger: &str,
    args: &str,
) -> ApiResult<Json<Value>> {
    let (first, rest) = args
        .split_once(char::is_whitespace)
        .map(|(a, b)| (a, b.trim()))
        .unwrap_or((args, ""));
    let refuse = |text: &str| Ok(ephemeral(shared, me, channel, text));
    match trigger {
        "msg" => {
            let Some(other) = user_named(&shared.state(), first).filter(|u| *u != me) else {
                return refuse("We couldn't find the user");
            };
            let (id, events) = {
                let mut state = shared.state();
                super::channels::open_direct(&mut state, me, me, other)?
            };
            shared.publish(events);
            post_into(shared, me, id, rest)?;
            Ok(goto(location_of(shared, channel, id)))
        }
        "groupmsg" => {
            let mut ids = vec![me];
            for name in first.split(',').filter(|n| !n.trim().is_empty()) {
                match user_named(&shared.state(), name) {
                    Some(id) => ids.push(id),
                    None => return refuse("We couldn't find the user"),
                }
            }
            ids.sort();
            ids.dedup();
            if !(3..=8).contains(&ids.len()) {
                return refuse(
                    "Group messages are limited to a minimum of 3 and a maximum of 8 users.",
                );
            }
            let (id, events) = {
                let mut state = shared.state();
                super::channels::open_group(&mut state, &ids)?
            };
            shared.publish(events);
            post_into(shared, me, id, rest)?;
            Ok(goto(location_of(shared, channel, id)))
        }
        "invite" => {
            let Some(user) = user_named(&shared.state(), first) else {
                return refuse("We couldn't find the user.");
            };
            let target = match rest.split_whitespace().next() {
                None => Some(channel),
                Some(name) => {
                    let state = shared.state();
                    let team = state.channel(channel)?.team_id;
                    state
                        .channel_by_name(team, name.trim_start_matches('~'))
                        .map(|c| c.id)
                }
            };
            let Some(target) = target else {
                return refuse("We couldn't find the channel.");
            };
            let joined = {
                let mut state = shared.state();
                if !state.is_member(target, me) {
                    return refuse(
                        "You don't have enough permissions to add users to this channel.",
                    );
                }
                let username = state.username(user);
                let display = state.channel(target)?.display_name.clone();
                super::channels::join_channel(&mut state, target, user, me)
                    .map(|(_, events)| (events, format!("@{username} added to {display} channel.")))
            };
            match joined {
                Ok((events, text)) => {
                    shared.publish(events);
                    Ok(ephemeral(shared, me, channel, &text))
                }
                Err(_) => refuse("The user could not be added to the channel."),
            }
        }
        _ => {
            // `/kick` and `/remove`.
            let Some(user) = user_named(&shared.state(), first) else {
                return refuse("We couldn't find the user. They may have been deactivated by the System Administrator.");
            };
            let removed = {
                let mut state = shared.state();
                if !state.is_member(channel, user) {
                    let username = state.username(user);
                    return refuse(&format!("{username} is not a member of this channel."));
                }
                super::channels::leave_channel(&mut state, channel, user, me)
            };
            match removed {
                Ok(events) => {
                    shared.publish(events);
                    Ok(in_channel())
                }
                Err(_) => refuse("You don't have the required permissions to remove the member."),
            }
        }
    }
}

fn user_named(state: &Data, name: &str) -> Option<Id> {
    let name = name.trim().trim_start_matches('@');
    if name.is_empty() || name.contains('@') {
        return None;
    }
    state.user_by_login(name).map(|u| u.id)
}

fn post_into(shared: &Arc<Shared>, me: Id, channel: Id, message: &str) -> ApiResult<()> {
    if message.is_empty() {
        return Ok(());
    }
    super::posts::create_and_announce(
        shared,
        NewPost {
            user_id: me,
            channel_id: channel,
            message: message.to_string(),
            root_id: None,
            props: None,
            file_ids: Vec::new(),
            pending_post_id: String::new(),
            kind: String::new(),
            create_at: None,
        },
    )?;
    Ok(())
}

/// Where the real server sends the client: the conversation by its
/// channel name, under the team the command ran in.
fn location_of(shared: &Shared, from: Id, conversation: Id) -> String {
    let state = shared.state();
    let team = state
        .channel(from)
        .ok()
        .and_then(|c| c.team_id)
        .and_then(|t| state.team(t).ok())
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let name = state
        .channel(conversation)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    format!("{}/{team}/channels/{name}", shared.site_url())
}
