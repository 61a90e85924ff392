use super::*;

const POST: &str = "abcdefghijklmnopqrstuvwxyz";
const GROUP: &str = "0123456789abcdef0123456789abcdef01234567";

fn post(team: &str) -> LinkTarget {
    LinkTarget::Post {
        team_name: team.into(),
        post_id: POST.into(),
    }
}

fn channel(team: &str, name: &str) -> LinkTarget {
    LinkTarget::Channel {
        team_name: team.into(),
        channel_name: name.into(),
    }
}

fn direct(team: &str, username: &str) -> LinkTarget {
    LinkTarget::DirectMessage {
        team_name: team.into(),
        username: username.into(),
    }
}

fn other(url: &str) -> LinkTarget {
    LinkTarget::OtherServer { url: url.into() }
}

fn check(server: &str, cases: &[(&str, LinkTarget)]) {
    let server = ServerUrl::parse(server).unwrap();
    for (link, expected) in cases {
        assert_eq!(&parse_link(link, &server), expected, "link {link:?}");
    }
}

#[test]
fn links_on_the_signed_in_server() {
    let pl = format!("https://chat.schule.example/gsm/pl/{POST}");
    let group = format!("https://chat.schule.example/gsm/messages/{GROUP}");
    check(
        "https://chat.schule.example",
        &[
            (pl.as_str(), post("gsm")),
            (&format!("{pl}?foo=bar#x"), post("gsm")),
            (&format!("{pl}/"), post("gsm")),
            (
                &format!("HTTPS://CHAT.Schule.example/gsm/pl/{POST}"),
                post("gsm"),
            ),
            (
                &format!("https://chat.schule.example:443/gsm/pl/{POST}"),
                post("gsm"),
            ),
            (&format!("/gsm/pl/{POST}"), post("gsm")),
            (
                &format!("https://chat.schule.example/_redirect/pl/{POST}"),
                post(""),
            ),
            (
                "https://chat.schule.example/gsm/channels/klasse-7a",
                channel("gsm", "klasse-7a"),
            ),
            (
                "https://chat.schule.example/GSM/channels/town-square",
                channel("gsm", "town-square"),
            ),
            (
                "https://chat.schule.example/gsm/messages/@Alice.M",
                direct("gsm", "alice.m"),
            ),
            (
                "https://chat.schule.example/gsm/messages/%40alice",
                direct("gsm", "alice"),
            ),
            (
                group.as_str(),
                LinkTarget::GroupMessage {
                    team_name: "gsm".into(),
                    channel_name: GROUP.into(),
                },
            ),
        ],
    );
}

#[test]
fn a_server_under_a_sub_path() {
    check(
        "https://schule.example/mattermost",
        &[
            (
                &format!("https://schule.example/mattermost/gsm/pl/{POST}"),
                post("gsm"),
            ),
            (&format!("/mattermost/gsm/pl/{POST}"), post("gsm")),
            (
                "https://schule.example/mattermost/gsm/channels/off-topic",
                channel("gsm", "off-topic"),
            ),
            // Same origin, outside the sub-path: not this server's page.
            (
                &format!("https://schule.example/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("https://schule.example/mattermostx/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
        ],
    );
}

#[test]
fn links_to_another_server() {
    let elsewhere = format!("https://chat.other.example/team/pl/{POST}");
    let under = "https://other.example/mm/team/channels/town-square";
    check(
        "https://chat.schule.example",
        &[
            (elsewhere.as_str(), other(&elsewhere)),
            (under, other(under)),
            (
                &format!("http://chat.schule.example/gsm/pl/{POST}"),
                other(&format!("http://chat.schule.example/gsm/pl/{POST}")),
            ),
            (
                &format!("https://chat.schule.example:8443/gsm/pl/{POST}"),
                other(&format!("https://chat.schule.example:8443/gsm/pl/{POST}")),
            ),
        ],
    );
}

#[test]
fn ordinary_and_hostile_input_is_not_a_target() {
    let long = format!("https://chat.schule.example/{}/pl/{POST}", "a".repeat(3000));
    let nul = format!("https://chat.schule.example/gsm/pl/{POST}\0");
    check(
        "https://chat.schule.example",
        &[
            ("", LinkTarget::NotMattermost),
            ("   ", LinkTarget::NotMattermost),
            ("not a link", LinkTarget::NotMattermost),
            ("https://example.org/", LinkTarget::NotMattermost),
            (
                "https://example.org/some/article",
                LinkTarget::NotMattermost,
            ),
            ("https://chat.schule.example/", LinkTarget::NotMattermost),
            ("https://chat.schule.example/gsm", LinkTarget::NotMattermost),
            (
                "https://chat.schule.example/gsm/channels",
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/gsm/pl/short",
                LinkTarget::NotMattermost,
            ),
            (
                &format!("https://chat.schule.example/gsm/pl/{}", POST.to_uppercase()),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("https://chat.schule.example/gsm/pl/{POST}/extra"),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("https://chat.schule.example/a/b/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/gsm/channels/..%2F..%2Fadmin",
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/gsm/messages/@",
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/gsm/messages/@a%20b",
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/_redirect/channels/town-square",
                LinkTarget::NotMattermost,
            ),
            (
                "https://chat.schule.example/g%C3%BCs/channels/town-square",
                LinkTarget::NotMattermost,
            ),
            (
                &format!("https://user:pw@chat.schule.example/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("javascript:alert(1)//gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("ftp://chat.schule.example/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (
                &format!("//evil.example/gsm/pl/{POST}"),
                LinkTarget::NotMattermost,
            ),
            (&long, LinkTarget::NotMattermost),
            (&"/".repeat(MAX_LINK_LEN), LinkTarget::NotMattermost),
            (&nul, post("gsm")),
        ],
    );
}
