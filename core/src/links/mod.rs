//! Mattermost links (permalinks, channel and message links) read as
//! navigation targets, measured against the signed-in server's address.
//!
//! Pure: what the link names. Finding the ids behind the names (cache
//! first, then the server) is `client/links.rs`.

use url::Url;

use crate::net::ServerUrl;

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `/TEAM/pl/POST_ID`. `team_name` is empty for `_redirect` permalinks,
    /// which name no team.
    Post { team_name: String, post_id: String },
    /// `/TEAM/channels/NAME`.
    Channel {
        team_name: String,
        channel_name: String,
    },
    /// `/TEAM/messages/@USERNAME` (the username lowercased, as the server keeps it).
    DirectMessage { team_name: String, username: String },
    /// `/TEAM/messages/GROUP_NAME`: a group message by its channel name (or id).
    GroupMessage {
        team_name: String,
        channel_name: String,
    },
    /// A link of one of these shapes on another server.
    OtherServer { url: String },
    /// Anything else: an ordinary web link, or not a link at all.
    NotMattermost,
}

/// The team name of permalinks that name no team.
const NO_TEAM: &str = "_redirect";
/// Links longer than this are not read (no Mattermost link comes close).
const MAX_LINK_LEN: usize = 2048;

/// Reads `link` (absolute, or a path on the signed-in server) as a
/// navigation target on `server`.
pub fn parse_link(link: &str, server: &ServerUrl) -> LinkTarget {
    let link = link.trim();
    if link.is_empty() || link.len() > MAX_LINK_LEN {
        return LinkTarget::NotMattermost;
    }
    let Ok(base) = Url::parse(&format!("{}/", server.as_str())) else {
        return LinkTarget::NotMattermost;
    };
    let url = if link.starts_with('/') && !link.starts_with("//") {
        // A path is on the server's own origin, not under its sub-path:
        // the server writes its permalinks with the sub-path included.
        base.join(link)
    } else {
        Url::parse(link)
    };
    let Ok(url) = url else {
        return LinkTarget::NotMattermost;
    };
    if !matches!(url.scheme(), "http" | "https")
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return LinkTarget::NotMattermost;
    }
    let segments: Vec<&str> = url
        .path()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect();
    if url.origin() == base.origin() {
        let base_segments = base.path().split('/').filter(|s| !s.is_empty()).count();
        let under_base = url
            .path()
            .strip_prefix(base.path().trim_end_matches('/'))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        if under_base && segments.len() == base_segments + 3 {
            if let Some(target) = target_of(&segments[base_segments..]) {
                return target;
            }
        }
        return LinkTarget::NotMattermost;
    }
    // Another server's sub-path is unknown: its links end in the shape.
    match segments.len().checked_sub(3) {
        Some(start) if target_of(&segments[start..]).is_some() => LinkTarget::OtherServer {
            url: url.to_string(),
        },
        _ => LinkTarget::NotMattermost,
    }
}

/// The target of the three path segments `TEAM/KIND/NAME`.
fn target_of(segments: &[&str]) -> Option<LinkTarget> {
    let [team, kind, name] = segments else {
        return None;
    };
    let team_name = if *team == NO_TEAM {
        String::new()
    } else if is_team_name(team) {
        team.to_ascii_lowercase()
    } else {
        return None;
    };
    match *kind {
        "pl" if is_id(name) => Some(LinkTarget::Post {
            team_name,
            post_id: (*name).to_owned(),
        }),
        _ if team_name.is_empty() => None,
        "channels" if is_channel_name(name) => Some(LinkTarget::Channel {
            team_name,
            channel_name: (*name).to_owned(),
        }),
        "messages" => {
            let username = name.strip_prefix('@').or_else(|| name.strip_prefix("%40"));
            match username {
                Some(username) if is_username(username) => Some(LinkTarget::DirectMessage {
                    team_name,
                    username: username.to_ascii_lowercase(),
                }),
                Some(_) => None,
                None if is_channel_name(name) => Some(LinkTarget::GroupMessage {
                    team_name,
                    channel_name: (*name).to_owned(),
                }),
                None => None,
            }
        }
        _ => None,
    }
}

/// Mattermost ids: 26 characters of lowercase letters and digits.
fn is_id(text: &str) -> bool {
    text.len() == 26
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Team names: 2 to 64 of letters, digits, `-` and `_`.
fn is_team_name(text: &str) -> bool {
    (2..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Channel names: up to 64 of letters, digits, `-` and `_` (direct
/// message names `a__b` and group names of 40 hex digits included).
fn is_channel_name(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Usernames: up to 64 of letters, digits, `.`, `-` and `_`.
fn is_username(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests;
