//! Where a command's `goto_location` points. The real server writes its
//! site URL in front (`https://school.example/team/channels/name`), or
//! nothing when the site URL is not configured (`/team/channels/name`).

/// A `goto_location`, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// No location given.
    Nowhere,
    /// A channel of a team, by URL names.
    Channel { team: String, channel: String },
    /// The direct message with a user (`/team/messages/@username`).
    DirectMessage { team: String, username: String },
    /// Any other place: another server, or a page of this one that is no
    /// channel (e.g. `/login`).
    Link { url: String },
}

/// Parses `goto` as given by the server at `server_url`.
pub fn parse_location(goto: &str, server_url: &str) -> Location {
    let goto = goto.trim();
    if goto.is_empty() {
        return Location::Nowhere;
    }
    let base = server_url.trim_end_matches('/');
    let path = match goto.strip_prefix(base) {
        Some(rest) if !base.is_empty() && (rest.is_empty() || rest.starts_with('/')) => rest,
        _ if goto.starts_with('/') && !goto.starts_with("//") => goto,
        _ => return link(goto, base),
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [team, "channels", channel] => Location::Channel {
            team: (*team).to_owned(),
            channel: (*channel).to_owned(),
        },
        [team, "messages", name] if name.starts_with('@') && name.len() > 1 => {
            Location::DirectMessage {
                team: (*team).to_owned(),
                username: name[1..].to_owned(),
            }
        }
        // A group message by its channel name.
        [team, "messages", name] => Location::Channel {
            team: (*team).to_owned(),
            channel: (*name).to_owned(),
        },
        _ => link(goto, base),
    }
}

fn link(goto: &str, base: &str) -> Location {
    let url = if goto.starts_with('/') && !goto.starts_with("//") {
        format!("{base}{goto}")
    } else {
        goto.to_owned()
    };
    Location::Link { url }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "https://chat.schule.example";

    fn channel(team: &str, channel: &str) -> Location {
        Location::Channel {
            team: team.into(),
            channel: channel.into(),
        }
    }

    #[test]
    fn channel_paths_with_or_without_the_site_url() {
        assert_eq!(
            parse_location(
                "https://chat.schule.example/gsm/channels/town-square",
                SERVER
            ),
            channel("gsm", "town-square")
        );
        assert_eq!(
            parse_location("/gsm/channels/klasse-7a", SERVER),
            channel("gsm", "klasse-7a")
        );
        assert_eq!(
            parse_location("/gsm/channels/klasse-7a?x=1", &format!("{SERVER}/")),
            channel("gsm", "klasse-7a")
        );
        assert_eq!(
            parse_location("/gsm/messages/@anna", SERVER),
            Location::DirectMessage {
                team: "gsm".into(),
                username: "anna".into()
            }
        );
        assert_eq!(
            parse_location("/gsm/messages/abc123", SERVER),
            channel("gsm", "abc123")
        );
    }

    #[test]
    fn everything_else_is_a_link_or_nothing() {
        assert_eq!(parse_location("  ", SERVER), Location::Nowhere);
        assert_eq!(
            parse_location("/login", SERVER),
            Location::Link {
                url: format!("{SERVER}/login")
            }
        );
        assert_eq!(
            parse_location("https://other.example/gsm/channels/x", SERVER),
            Location::Link {
                url: "https://other.example/gsm/channels/x".into()
            }
        );
        // Not a prefix match on a longer host name.
        assert_eq!(
            parse_location("https://chat.schule.example.evil/gsm/channels/x", SERVER),
            Location::Link {
                url: "https://chat.schule.example.evil/gsm/channels/x".into()
            }
        );
        assert_eq!(
            parse_location("//evil.example/a/channels/b", SERVER),
            Location::Link {
                url: "//evil.example/a/channels/b".into()
            }
        );
    }
}
