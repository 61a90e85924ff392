//! System posts as sentences. Mattermost stores who did what in the
//! post's props (usernames, and ids for the person acted on); the names
//! are resolved through the store, falling back to `@username`. Types
//! this build does not know show the server's own message.

use serde_json::Value;

use crate::markdown::Lookup;
use crate::store::reads::PostView;
use crate::texts::{Locale, Text};

pub fn system_sentence(post: &PostView, lookup: &dyn Lookup, locale: Locale) -> String {
    let prop = |key: &str| post.props.get(key).and_then(Value::as_str).unwrap_or("");
    let name_of = |username: &str| -> String {
        let username = username.trim().trim_start_matches('@');
        if username.is_empty() {
            return String::new();
        }
        lookup
            .person(&username.to_lowercase())
            .map(|p| p.display_name)
            .unwrap_or_else(|| format!("@{username}"))
    };
    // The actor: the props' username, else the post's author as cached.
    let actor = {
        let named = name_of(prop("username"));
        if !named.is_empty() {
            named
        } else if post.author_username.is_empty() {
            Text::SomeoneUnknown.get(locale).to_owned()
        } else {
            post.author_name.clone()
        }
    };
    let someone = || Text::SomeoneUnknown.get(locale).to_owned();
    let or_someone = |name: String| if name.is_empty() { someone() } else { name };
    let quoted = |value: &str| format!("“{}”", value.trim());
    let sentence = |text: Text, extra: &[(&str, &str)]| {
        let mut values = vec![("actor", actor.as_str())];
        values.extend_from_slice(extra);
        text.fill(locale, &values)
    };
    match post.post_type.as_str() {
        "system_join_channel" => sentence(Text::JoinedChannel, &[]),
        "system_guest_join_channel" => sentence(Text::GuestJoinedChannel, &[]),
        "system_leave_channel" => sentence(Text::LeftChannel, &[]),
        "system_join_team" => sentence(Text::JoinedTeam, &[]),
        "system_leave_team" => sentence(Text::LeftTeam, &[]),
        "system_add_to_channel" | "system_add_guest_to_chan" => {
            let user = or_someone(name_of(prop("addedUsername")));
            sentence(Text::AddedToChannel, &[("user", &user)])
        }
        "system_add_to_team" => {
            let user = or_someone(name_of(prop("addedUsername")));
            sentence(Text::AddedToTeam, &[("user", &user)])
        }
        "system_remove_from_channel" => {
            let user = or_someone(name_of(prop("removedUsername")));
            // The server names the remover only through the post's author.
            let remover = if post.author_username.is_empty() {
                someone()
            } else {
                post.author_name.clone()
            };
            Text::RemovedFromChannel.fill(locale, &[("actor", &remover), ("user", &user)])
        }
        "system_remove_from_team" => {
            let user = or_someone(name_of(prop("removedUsername")));
            sentence(Text::RemovedFromTeam, &[("user", &user)])
        }
        "system_header_change" => change(
            prop("old_header"),
            prop("new_header"),
            [Text::HeaderSet, Text::HeaderChanged, Text::HeaderRemoved],
            &sentence,
            &quoted,
        ),
        "system_purpose_change" => change(
            prop("old_purpose"),
            prop("new_purpose"),
            [Text::PurposeSet, Text::PurposeChanged, Text::PurposeRemoved],
            &sentence,
            &quoted,
        ),
        "system_displayname_change" => sentence(
            Text::DisplayNameChanged,
            &[
                ("old", &quoted(prop("old_displayname"))),
                ("new", &quoted(prop("new_displayname"))),
            ],
        ),
        "system_channel_deleted" => sentence(Text::ChannelArchived, &[]),
        "system_channel_restored" => sentence(Text::ChannelRestored, &[]),
        "system_convert_channel" => sentence(Text::ChannelMadePrivate, &[]),
        _ => post.message.clone(),
    }
}

/// Fills a text's blanks, the actor's included.
type Sentence<'a> = dyn Fn(Text, &[(&str, &str)]) -> String + 'a;

/// Set, changed or removed, by which of the values is empty.
fn change(
    old: &str,
    new: &str,
    [set, changed, removed]: [Text; 3],
    sentence: &Sentence<'_>,
    quoted: &dyn Fn(&str) -> String,
) -> String {
    match (old.trim().is_empty(), new.trim().is_empty()) {
        (true, _) => sentence(set, &[("new", &quoted(new))]),
        (false, true) => sentence(removed, &[("old", &quoted(old))]),
        (false, false) => sentence(changed, &[("old", &quoted(old)), ("new", &quoted(new))]),
    }
}
