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

pub const ADMIN: &str = "admin";

/// The test server's scheme (`tests/server/src/seed.rs`), so the scenario
/// suite can treat both servers alike.
pub fn password_of(username: &str) -> String {
    format!("{username}-Pw1!")
}

pub fn email_of(username: &str, school: &str) -> String {
    format!("{username}@{school}.schule.test")
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Teacher,
    Admin,
}

pub struct UserPlan {
    pub username: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub role: Role,
    /// MFA is switched on for this account after seeding.
    pub mfa: bool,
}

pub struct TeamPlan {
    pub name: &'static str,
    pub display_name: &'static str,
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

/// In the order the test server hands its accounts out: four students (the
/// second with MFA, the third without a full name), three teachers (the
/// second with MFA), the admin.
pub const USERS: &[UserPlan] = &[
    UserPlan {
        username: "anna.schulz",
        first_name: "Anna",
        last_name: "Schulz",
        role: Role::Student,
        mfa: false,
    },
    UserPlan {
        username: "ben.meier",
        first_name: "Ben",
        last_name: "Meier",
        role: Role::Student,
        mfa: true,
    },
    UserPlan {
        username: "clara.nowak",
        first_name: "",
        last_name: "",
        role: Role::Student,
        mfa: false,
    },
    UserPlan {
        username: "deniz.kaya",
        first_name: "Deniz",
        last_name: "Kaya",
        role: Role::Student,
        mfa: false,
    },
    UserPlan {
        username: "petra.berger",
        first_name: "Petra",
        last_name: "Berger",
        role: Role::Teacher,
        mfa: false,
    },
    UserPlan {
        username: "kemal.yilmaz",
        first_name: "Kemal",
        last_name: "Yılmaz",
        role: Role::Teacher,
        mfa: true,
    },
    UserPlan {
        username: "jonas.wagner",
        first_name: "Jonas",
        last_name: "Wagner",
        role: Role::Teacher,
        mfa: false,
    },
];

/// The school every seeded user belongs to (for email addresses).
pub const SCHOOL: &str = "gsm";

const EVERYONE: &[&str] = &[
    "anna.schulz",
    "ben.meier",
    "clara.nowak",
    "deniz.kaya",
    "petra.berger",
    "kemal.yilmaz",
    "jonas.wagner",
];
const TEACHERS: &[&str] = &["petra.berger", "kemal.yilmaz", "jonas.wagner"];

// The staff team is `gsm-kollegium` (on the test server too): a real server
// refuses a single underscore in team names (`^[a-z0-9]+([a-z\-0-9]+|(__)?)[a-z0-9]+$`).
pub const TEAMS: &[TeamPlan] = &[
    TeamPlan {
        name: "gsm",
        display_name: "Gymnasium St. Marien",
        members: EVERYONE,
    },
    TeamPlan {
        name: "gsm-kollegium",
        display_name: "Gymnasium St. Marien – Kollegium",
        members: TEACHERS,
    },
    TeamPlan {
        name: "koop",
        display_name: "Kooperation der Schulen",
        members: &[
            "anna.schulz",
            "deniz.kaya",
            "petra.berger",
            "kemal.yilmaz",
            "jonas.wagner",
        ],
    },
    TeamPlan {
        name: "koop-lehrer",
        display_name: "Kooperation – Lehrkräfte",
        members: TEACHERS,
    },
];

/// Classes as the test server forms them: student i joins class i % 2,
/// with teachers c and c + 1.
pub const CHANNELS: &[ChannelPlan] = &[
    ChannelPlan {
        team: "gsm",
        name: "klasse-5a",
        display_name: "Klasse 5a",
        kind: "O",
        members: &["anna.schulz", "clara.nowak", "petra.berger", "kemal.yilmaz"],
    },
    ChannelPlan {
        team: "gsm",
        name: "mathe-5a",
        display_name: "Mathe 5a",
        kind: "P",
        members: &["anna.schulz", "clara.nowak", "petra.berger", "kemal.yilmaz"],
    },
    ChannelPlan {
        team: "gsm",
        name: "klasse-5b",
        display_name: "Klasse 5b",
        kind: "O",
        members: &["ben.meier", "deniz.kaya", "kemal.yilmaz", "jonas.wagner"],
    },
    ChannelPlan {
        team: "gsm",
        name: "deutsch-5b",
        display_name: "Deutsch 5b",
        kind: "P",
        members: &["ben.meier", "deniz.kaya", "kemal.yilmaz", "jonas.wagner"],
    },
    ChannelPlan {
        team: "gsm-kollegium",
        name: "fachschaft-mathe",
        display_name: "Fachschaft Mathe",
        kind: "O",
        members: &["petra.berger", "jonas.wagner"],
    },
    ChannelPlan {
        team: "gsm-kollegium",
        name: "fachschaft-deutsch",
        display_name: "Fachschaft Deutsch",
        kind: "P",
        members: &["kemal.yilmaz"],
    },
    ChannelPlan {
        team: "koop",
        name: "projekt-1",
        display_name: "Projekt Grüne Schule 1",
        kind: "O",
        members: &["anna.schulz", "deniz.kaya", "petra.berger"],
    },
];

/// The class channel with seeded posts, for paging.
pub const CLASS: &str = "gsm/klasse-5a";

/// Posts in the class channel, oldest first.
pub const CLASS_POSTS: &[(&str, &str)] = &[
    ("petra.berger", "Willkommen in der Klasse 5a!"),
    ("anna.schulz", "Hallo zusammen!"),
    ("clara.nowak", "Hallo Frau Berger."),
    ("petra.berger", "Hausaufgabe 1: Seite 12, Aufgaben 1 bis 4."),
    (
        "kemal.yilmaz",
        "Übungsblatt 2 bis Freitag bearbeiten, bitte.",
    ),
    ("anna.schulz", "Gilt Aufgabe 4b auch?"),
    ("petra.berger", "Ja, 4b gehört dazu."),
    ("clara.nowak", "Danke! 🙏"),
];

/// Shaped like the test server's `Account`.
#[derive(Serialize, Clone)]
pub struct Account {
    pub user_id: String,
    pub username: String,
    pub email: String,
    pub password: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_secret: Option<String>,
}

/// What was created, with the ids the server assigned; written as the seed
/// manifest for the scenario suite.
#[derive(Serialize)]
pub struct School {
    /// In [`USERS`] order, then the admin.
    pub accounts: Vec<Account>,
    pub teams: BTreeMap<String, String>,
    /// Keyed `team/channel`, including each team's default channels.
    pub channels: BTreeMap<String, String>,
    /// The seeded posts of [`CLASS`], oldest first.
    pub class_posts: Vec<String>,
    /// The reply to the first class post.
    pub thread_reply: String,
    /// The direct channel between `petra.berger` and `anna.schulz`.
    pub direct_channel: String,
    /// Sessions of the accounts without MFA, by username.
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
        self.accounts
            .iter()
            .find(|account| account.username == username)
            .with_context(|| format!("no seeded user {username}"))
    }
}

pub async fn seed(api: &Api, local_socket: &std::path::Path) -> Result<School> {
    // The first account becomes system admin. It is created over the local
    // socket so it can be created already verified: the server requires
    // email verification for everyone else who signs up.
    let admin_body = json!({
        "username": ADMIN,
        "email": email_of(ADMIN, "verwaltung"),
        "password": password_of(ADMIN),
        "first_name": "Schul",
        "last_name": "Verwaltung",
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
    let (admin_api, admin_user) = api.login(ADMIN, &password_of(ADMIN)).await?;
    anyhow::ensure!(
        admin_user["roles"]
            .as_str()
            .unwrap_or_default()
            .contains("system_admin"),
        "the first account did not become system admin: {}",
        admin_user["roles"]
    );

    let mut ids = BTreeMap::new();
    for plan in USERS {
        let user = admin_api
            .post(
                "/users",
                json!({
                    "username": plan.username,
                    "email": email_of(plan.username, SCHOOL),
                    "password": password_of(plan.username),
                    "first_name": plan.first_name,
                    "last_name": plan.last_name,
                    "email_verified": true,
                }),
                201,
            )
            .await?;
        ids.insert(plan.username, id_of(&user)?);
    }

    let mut teams = BTreeMap::new();
    let mut channels = BTreeMap::new();
    for plan in TEAMS {
        let team = admin_api
            .post(
                "/teams",
                json!({"name": plan.name, "display_name": plan.display_name, "type": "I"}),
                201,
            )
            .await?;
        let team_id = id_of(&team)?;
        for member in plan.members {
            admin_api
                .post(
                    &format!("/teams/{team_id}/members"),
                    json!({"team_id": team_id, "user_id": ids[member]}),
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
                    json!({"user_id": ids[member]}),
                    201,
                )
                .await?;
        }
        channels.insert(format!("{}/{}", plan.team, plan.name), channel_id);
    }

    let mut sessions = BTreeMap::new();
    for plan in USERS {
        let (session, _) = api
            .login(plan.username, &password_of(plan.username))
            .await?;
        sessions.insert(plan.username.to_owned(), session);
    }

    let class_channel = channels[CLASS].clone();
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

    let direct = sessions["petra.berger"]
        .post(
            "/channels/direct",
            json!([ids["petra.berger"], ids["anna.schulz"]]),
            201,
        )
        .await?;
    let direct_channel = id_of(&direct)?;
    sessions["petra.berger"]
        .post(
            "/posts",
            json!({"channel_id": direct_channel, "message": "Bitte denk an die Einverständniserklärung ✍️"}),
            201,
        )
        .await?;
    sessions["petra.berger"]
        .expect(
            Method::POST,
            "/posts",
            Some(&json!({
                "channel_id": channels["gsm-kollegium/fachschaft-mathe"],
                "message": "Grüße aus dem Lehrerzimmer ☕",
            })),
            201,
        )
        .await?;

    let mut accounts = Vec::new();
    for plan in USERS {
        let mfa_secret = if plan.mfa {
            let session = sessions
                .remove(plan.username)
                .context("no session for an MFA user")?;
            Some(enable_mfa(&session, &ids[plan.username]).await?)
        } else {
            None
        };
        accounts.push(Account {
            user_id: ids[plan.username].clone(),
            username: plan.username.to_owned(),
            email: email_of(plan.username, SCHOOL),
            password: password_of(plan.username),
            role: plan.role,
            mfa_secret,
        });
    }
    accounts.push(Account {
        user_id: id_of(&admin_user)?,
        username: ADMIN.to_owned(),
        email: email_of(ADMIN, "verwaltung"),
        password: password_of(ADMIN),
        role: Role::Admin,
        mfa_secret: None,
    });
    sessions.insert(ADMIN.to_owned(), admin_api);

    Ok(School {
        accounts,
        teams,
        channels,
        class_posts,
        thread_reply,
        direct_channel,
        sessions,
    })
}

/// Switches MFA on and returns the base32 TOTP secret.
async fn enable_mfa(session: &Api, user_id: &str) -> Result<String> {
    let generated = session
        .post(&format!("/users/{user_id}/mfa/generate"), json!({}), 200)
        .await?;
    let secret = generated["secret"]
        .as_str()
        .context("no MFA secret")?
        .to_owned();
    session
        .expect(
            Method::PUT,
            &format!("/users/{user_id}/mfa"),
            Some(&json!({"activate": true, "code": totp_code(&secret)?})),
            200,
        )
        .await?;
    Ok(secret)
}

/// The current TOTP code (SHA-1, 6 digits, 30 s), as authenticator apps
/// compute it.
pub fn totp_code(secret: &str) -> Result<String> {
    use totp_rs::{Algorithm, Secret, TOTP};
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|error| anyhow::anyhow!("MFA secret is not base32: {error:?}"))?;
    Ok(TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes).generate_current()?)
}

fn id_of(value: &Value) -> Result<String> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("answer without an id: {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(username: &str) -> bool {
        USERS.iter().any(|user| user.username == username)
    }

    #[test]
    fn every_planned_member_is_a_planned_user_of_that_team() {
        for team in TEAMS {
            for member in team.members {
                assert!(planned(member), "{member} of {} is not planned", team.name);
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
        let class = CHANNELS
            .iter()
            .find(|c| format!("{}/{}", c.team, c.name) == CLASS)
            .unwrap();
        for (author, _) in CLASS_POSTS {
            assert!(
                class.members.contains(author),
                "{author} cannot post in {CLASS}"
            );
        }
    }

    #[test]
    fn accounts_follow_the_test_servers_order() {
        let roles: Vec<Role> = USERS.iter().map(|user| user.role).collect();
        assert_eq!(roles[..4], [Role::Student; 4]);
        assert_eq!(roles[4..], [Role::Teacher; 3]);
        assert!(USERS[1].mfa && USERS[5].mfa);
        assert_eq!(USERS.iter().filter(|user| user.mfa).count(), 2);
        assert!(USERS[2].first_name.is_empty() && USERS[2].last_name.is_empty());
    }

    /// Mattermost's rule for team names (model.IsValidTeamName) and
    /// usernames.
    #[test]
    fn planned_names_are_valid_mattermost_names() {
        for team in TEAMS {
            let name = team.name;
            let inner = &name[1..name.len() - 1];
            assert!(name.len() >= 2, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            assert!(
                !name.starts_with('-') && !name.ends_with('-') && !inner.is_empty(),
                "{name}"
            );
        }
        for user in USERS {
            let name = user.username;
            assert!(name.len() >= 3);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)),
                "{name}"
            );
        }
    }

    #[test]
    fn totp_codes_are_six_digits() {
        let code = totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert!(totp_code("not base32 !").is_err());
    }
}
