//! Seeds a small school through the REST API: an admin, three teams,
//! teachers and students, channels, memberships and a few posts.
//!
//! The plan is plain data so the scenario suite can rely on the names; the
//! ids the server assigned are written to a manifest (`seed.json`).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use super::api::{local_mode_request, Api};

/// Every seeded account uses it; it meets the server's default policy.
pub const PASSWORD: &str = "Pausenhof-Test-2026";
pub const ADMIN: &str = "schuladmin";
pub const MAIL_DOMAIN: &str = "pausenhof.test";

pub struct TeamPlan {
    pub name: &'static str,
    pub display_name: &'static str,
    /// `O` open, `I` invite only.
    pub kind: &'static str,
    pub members: &'static [&'static str],
}

pub struct ChannelPlan {
    pub team: &'static str,
    pub name: &'static str,
    pub display_name: &'static str,
    /// `O` public, `P` private.
    pub kind: &'static str,
    pub members: &'static [&'static str],
}

pub struct UserPlan {
    pub username: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
}

pub const TEACHERS: &[UserPlan] = &[
    UserPlan {
        username: "frau.berger",
        first_name: "Petra",
        last_name: "Berger",
    },
    UserPlan {
        username: "herr.yilmaz",
        first_name: "Kemal",
        last_name: "Yilmaz",
    },
];

pub const STUDENTS: &[UserPlan] = &[
    UserPlan {
        username: "anna.schulz",
        first_name: "Anna",
        last_name: "Schulz",
    },
    UserPlan {
        username: "ben.meier",
        first_name: "Ben",
        last_name: "Meier",
    },
    UserPlan {
        username: "clara.nowak",
        first_name: "Clara",
        last_name: "Nowak",
    },
    UserPlan {
        username: "deniz.kaya",
        first_name: "Deniz",
        last_name: "Kaya",
    },
];

// Team names allow only lowercase letters, digits and '-'.
pub const TEAMS: &[TeamPlan] = &[
    TeamPlan {
        name: "gsm",
        display_name: "Gesamtschule Mitte",
        kind: "O",
        members: &[
            "frau.berger",
            "herr.yilmaz",
            "anna.schulz",
            "ben.meier",
            "clara.nowak",
            "deniz.kaya",
        ],
    },
    TeamPlan {
        name: "gsm-kollegium",
        display_name: "GSM Kollegium",
        kind: "I",
        members: &["frau.berger", "herr.yilmaz"],
    },
    TeamPlan {
        name: "koop",
        display_name: "Kooperation der Schulen",
        kind: "O",
        members: &["herr.yilmaz", "anna.schulz"],
    },
];

pub const CHANNELS: &[ChannelPlan] = &[
    ChannelPlan {
        team: "gsm",
        name: "klasse-7a",
        display_name: "Klasse 7a",
        kind: "O",
        members: &["frau.berger", "anna.schulz", "ben.meier"],
    },
    ChannelPlan {
        team: "gsm",
        name: "klasse-7b",
        display_name: "Klasse 7b",
        kind: "O",
        members: &["herr.yilmaz", "clara.nowak", "deniz.kaya"],
    },
    ChannelPlan {
        team: "gsm",
        name: "mathe-foerderung",
        display_name: "Mathe-Förderung",
        kind: "P",
        members: &["frau.berger", "anna.schulz", "clara.nowak"],
    },
    ChannelPlan {
        team: "gsm-kollegium",
        name: "konferenz",
        display_name: "Konferenz",
        kind: "O",
        members: &["frau.berger", "herr.yilmaz"],
    },
    ChannelPlan {
        team: "koop",
        name: "ag-robotik",
        display_name: "AG Robotik",
        kind: "O",
        members: &["herr.yilmaz", "anna.schulz"],
    },
];

/// Posts in `gsm/klasse-7a`, oldest first: enough for paging requests.
pub const CLASS_POSTS: &[(&str, &str)] = &[
    ("frau.berger", "Willkommen in der Klasse 7a!"),
    ("anna.schulz", "Hallo zusammen!"),
    ("ben.meier", "Hallo Frau Berger."),
    ("frau.berger", "Hausaufgabe 1: Seite 12, Aufgaben 1 bis 4."),
    ("frau.berger", "Hausaufgabe 2: Gedicht auswendig lernen."),
    ("anna.schulz", "Gilt Aufgabe 4b auch?"),
    ("frau.berger", "Ja, 4b gehört dazu."),
    ("ben.meier", "Danke!"),
];

#[derive(Serialize, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

/// What was created, with the ids the server assigned.
#[derive(Serialize)]
pub struct School {
    pub admin: Account,
    pub users: BTreeMap<String, Account>,
    pub teams: BTreeMap<String, String>,
    /// Keyed `team/channel`, including each team's default channels.
    pub channels: BTreeMap<String, String>,
    /// The seeded posts of `gsm/klasse-7a`, oldest first.
    pub class_posts: Vec<String>,
    /// The reply to the first class post.
    pub thread_reply: String,
    /// The direct channel between `frau.berger` and `anna.schulz`.
    pub direct_channel: String,
    #[serde(skip)]
    pub sessions: BTreeMap<String, Api>,
}

impl School {
    pub fn session(&self, username: &str) -> Result<&Api> {
        self.sessions
            .get(username)
            .with_context(|| format!("no session for {username}"))
    }

    pub fn channel(&self, key: &str) -> Result<&str> {
        self.channels
            .get(key)
            .map(String::as_str)
            .with_context(|| format!("no seeded channel {key}"))
    }

    pub fn user(&self, username: &str) -> Result<&Account> {
        self.users
            .get(username)
            .with_context(|| format!("no seeded user {username}"))
    }
}

pub fn email(username: &str) -> String {
    format!("{username}@{MAIL_DOMAIN}")
}

pub async fn seed(api: &Api, local_socket: &std::path::Path) -> Result<School> {
    // The first account becomes system admin. It is created over the local
    // socket so it can be created already verified: the server requires
    // email verification for everyone else who signs up.
    let admin_body = json!({
        "username": ADMIN,
        "email": email(ADMIN),
        "password": PASSWORD,
        "first_name": "Schul",
        "last_name": "Admin",
        "email_verified": true,
    });
    let socket = local_socket.to_owned();
    let (status, created) = tokio::task::spawn_blocking(move || {
        local_mode_request(&socket, "POST", "/users", &admin_body)
    })
    .await??;
    anyhow::ensure!(
        status == 201,
        "creating the admin failed: {status} {created}"
    );
    let (admin_api, admin_user) = api.login(ADMIN, PASSWORD).await?;
    anyhow::ensure!(
        admin_user["roles"]
            .as_str()
            .unwrap_or_default()
            .contains("system_admin"),
        "the first account did not become system admin: {}",
        admin_user["roles"]
    );
    let admin = account(&admin_user, ADMIN)?;

    let mut users = BTreeMap::new();
    for plan in TEACHERS.iter().chain(STUDENTS) {
        let user = admin_api
            .post(
                "/users",
                json!({
                    "username": plan.username,
                    "email": email(plan.username),
                    "password": PASSWORD,
                    "first_name": plan.first_name,
                    "last_name": plan.last_name,
                    "email_verified": true,
                }),
                201,
            )
            .await?;
        users.insert(plan.username.to_owned(), account(&user, plan.username)?);
    }

    let mut teams = BTreeMap::new();
    let mut channels = BTreeMap::new();
    for plan in TEAMS {
        let team = admin_api
            .post(
                "/teams",
                json!({"name": plan.name, "display_name": plan.display_name, "type": plan.kind}),
                201,
            )
            .await?;
        let team_id = id_of(&team)?;
        for member in plan.members {
            let user_id = &users[*member].id;
            admin_api
                .post(
                    &format!("/teams/{team_id}/members"),
                    json!({"team_id": team_id, "user_id": user_id}),
                    201,
                )
                .await?;
        }
        for default in ["town-square", "off-topic"] {
            let channel = admin_api
                .get(&format!("/teams/{team_id}/channels/name/{default}"))
                .await?;
            channels.insert(format!("{}/{default}", plan.name), id_of(&channel)?);
        }
        teams.insert(plan.name.to_owned(), team_id);
    }

    for plan in CHANNELS {
        let channel = admin_api
            .post(
                "/channels",
                json!({
                    "team_id": teams[plan.team],
                    "name": plan.name,
                    "display_name": plan.display_name,
                    "type": plan.kind,
                }),
                201,
            )
            .await?;
        let channel_id = id_of(&channel)?;
        for member in plan.members {
            admin_api
                .post(
                    &format!("/channels/{channel_id}/members"),
                    json!({"user_id": users[*member].id}),
                    201,
                )
                .await?;
        }
        channels.insert(format!("{}/{}", plan.team, plan.name), channel_id);
    }

    let mut sessions = BTreeMap::new();
    for username in users.keys() {
        let (session, _) = api.login(username, PASSWORD).await?;
        sessions.insert(username.clone(), session);
    }
    sessions.insert(ADMIN.to_owned(), admin_api);

    let class_channel = channels["gsm/klasse-7a"].clone();
    let mut class_posts = Vec::new();
    for (author, message) in CLASS_POSTS {
        let post = sessions[*author]
            .post(
                "/posts",
                json!({"channel_id": class_channel, "message": message}),
                201,
            )
            .await?;
        class_posts.push(id_of(&post)?);
    }
    let reply = sessions["anna.schulz"]
        .post(
            "/posts",
            json!({
                "channel_id": class_channel,
                "root_id": class_posts[0],
                "message": "Danke, ich freue mich!",
            }),
            201,
        )
        .await?;
    let thread_reply = id_of(&reply)?;

    let direct = sessions["frau.berger"]
        .post(
            "/channels/direct",
            json!([users["frau.berger"].id, users["anna.schulz"].id]),
            201,
        )
        .await?;
    let direct_channel = id_of(&direct)?;
    sessions["frau.berger"]
        .post(
            "/posts",
            json!({"channel_id": direct_channel, "message": "Bitte denk an die Unterschrift der Eltern."}),
            201,
        )
        .await?;
    sessions["frau.berger"]
        .expect(
            Method::POST,
            "/posts",
            Some(&json!({
                "channel_id": channels["gsm-kollegium/konferenz"],
                "message": "Die Zeugniskonferenz ist am Donnerstag.",
            })),
            201,
        )
        .await?;

    Ok(School {
        admin,
        users,
        teams,
        channels,
        class_posts,
        thread_reply,
        direct_channel,
        sessions,
    })
}

fn id_of(value: &Value) -> Result<String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("answer without an id: {value}"))
}

fn account(user: &Value, username: &str) -> Result<Account> {
    Ok(Account {
        id: id_of(user)?,
        username: username.to_owned(),
        email: email(username),
        password: PASSWORD.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_planned_member_is_a_planned_user_of_that_team() {
        let users: Vec<&str> = TEACHERS
            .iter()
            .chain(STUDENTS)
            .map(|u| u.username)
            .collect();
        for team in TEAMS {
            for member in team.members {
                assert!(
                    users.contains(member),
                    "{member} of {} is not planned",
                    team.name
                );
            }
        }
        for channel in CHANNELS {
            let team = TEAMS.iter().find(|t| t.name == channel.team).unwrap();
            for member in channel.members {
                assert!(
                    team.members.contains(member),
                    "{member} of {} is not in team {}",
                    channel.name,
                    team.name
                );
            }
        }
        for (author, _) in CLASS_POSTS {
            let class = CHANNELS.iter().find(|c| c.name == "klasse-7a").unwrap();
            assert!(class.members.contains(author), "{author} cannot post in 7a");
        }
    }

    #[test]
    fn planned_names_are_valid_mattermost_names() {
        for team in TEAMS {
            assert!(
                team.name.len() >= 2
                    && team
                        .name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
        for user in TEACHERS.iter().chain(STUDENTS) {
            assert!(
                user.username.len() >= 3
                    && user
                        .username
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            );
        }
    }
}
