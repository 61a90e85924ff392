//! The school the real-server harness seeds (`xtask/src/real_server/seed.rs`):
//! the Small shape in miniature, with fixed names. The differential test
//! replays recorded real-server requests against it, so it is built with the
//! same steps, in the same order, as the harness builds it over the API:
//! an admin creates the teams and channels and adds the members, then the
//! users post.

use crate::ids::Id;
use crate::model::{ChannelType, Role};
use crate::routes::join_channel;
use crate::state::{Account, NewPost, State};

struct Person {
    username: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    role: Role,
    mfa: bool,
}

/// In the harness's order (which is the Small dataset's account order).
const PEOPLE: &[Person] = &[
    Person {
        username: "anna.schulz",
        first_name: "Anna",
        last_name: "Schulz",
        role: Role::Student,
        mfa: false,
    },
    Person {
        username: "ben.meier",
        first_name: "Ben",
        last_name: "Meier",
        role: Role::Student,
        mfa: true,
    },
    Person {
        username: "clara.nowak",
        first_name: "",
        last_name: "",
        role: Role::Student,
        mfa: false,
    },
    Person {
        username: "deniz.kaya",
        first_name: "Deniz",
        last_name: "Kaya",
        role: Role::Student,
        mfa: false,
    },
    Person {
        username: "petra.berger",
        first_name: "Petra",
        last_name: "Berger",
        role: Role::Teacher,
        mfa: false,
    },
    Person {
        username: "kemal.yilmaz",
        first_name: "Kemal",
        last_name: "Yılmaz",
        role: Role::Teacher,
        mfa: true,
    },
    Person {
        username: "jonas.wagner",
        first_name: "Jonas",
        last_name: "Wagner",
        role: Role::Teacher,
        mfa: false,
    },
];

const ADMIN: &str = "admin";
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

/// (name, display name, members)
const TEAMS: &[(&str, &str, &[&str])] = &[
    ("gsm", "Gymnasium St. Marien", EVERYONE),
    (
        "gsm-kollegium",
        "Gymnasium St. Marien – Kollegium",
        TEACHERS,
    ),
    (
        "koop",
        "Kooperation der Schulen",
        &[
            "anna.schulz",
            "deniz.kaya",
            "petra.berger",
            "kemal.yilmaz",
            "jonas.wagner",
        ],
    ),
    ("koop-lehrer", "Kooperation – Lehrkräfte", TEACHERS),
];

/// (team, name, display name, type, members)
const CHANNELS: &[(&str, &str, &str, ChannelType, &[&str])] = &[
    (
        "gsm",
        "klasse-5a",
        "Klasse 5a",
        ChannelType::Open,
        &["anna.schulz", "clara.nowak", "petra.berger", "kemal.yilmaz"],
    ),
    (
        "gsm",
        "mathe-5a",
        "Mathe 5a",
        ChannelType::Private,
        &["anna.schulz", "clara.nowak", "petra.berger", "kemal.yilmaz"],
    ),
    (
        "gsm",
        "klasse-5b",
        "Klasse 5b",
        ChannelType::Open,
        &["ben.meier", "deniz.kaya", "kemal.yilmaz", "jonas.wagner"],
    ),
    (
        "gsm",
        "deutsch-5b",
        "Deutsch 5b",
        ChannelType::Private,
        &["ben.meier", "deniz.kaya", "kemal.yilmaz", "jonas.wagner"],
    ),
    (
        "gsm-kollegium",
        "fachschaft-mathe",
        "Fachschaft Mathe",
        ChannelType::Open,
        &["petra.berger", "jonas.wagner"],
    ),
    (
        "gsm-kollegium",
        "fachschaft-deutsch",
        "Fachschaft Deutsch",
        ChannelType::Private,
        &["kemal.yilmaz"],
    ),
    (
        "koop",
        "projekt-1",
        "Projekt Grüne Schule 1",
        ChannelType::Open,
        &["anna.schulz", "deniz.kaya", "petra.berger"],
    ),
];

/// The posts of `gsm/klasse-5a`, oldest first.
const CLASS_POSTS: &[(&str, &str)] = &[
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

pub fn password_of(username: &str) -> String {
    format!("{username}-Pw1!")
}

fn email_of(username: &str) -> String {
    let school = if username == ADMIN {
        "verwaltung"
    } else {
        "gsm"
    };
    format!("{username}@{school}.schule.test")
}

/// Fills `state` with the harness's school and returns its accounts: the
/// people in order, then the admin.
pub fn generate(state: &mut State) -> Vec<Account> {
    let add_user = |state: &mut State, username: &str, first: &str, last: &str, role| {
        let now = state.now();
        let id = state.insert_user(
            Id::random(),
            username,
            &email_of(username),
            &password_of(username),
            first,
            last,
            role,
            rand::random(),
            now,
        );
        // What a server with default settings gives an account created
        // without these fields.
        if let Some(user) = state.users.get_mut(&id) {
            user.locale = "en";
            user.position = String::new();
        }
        id
    };
    let admin = add_user(state, ADMIN, "Schul", "Verwaltung", Role::Admin);
    let ids: Vec<Id> = PEOPLE
        .iter()
        .map(|p| add_user(state, p.username, p.first_name, p.last_name, p.role))
        .collect();
    let id_of = |username: &str| -> Id {
        PEOPLE
            .iter()
            .position(|p| p.username == username)
            .map_or(admin, |i| ids[i])
    };

    for (name, display_name, members) in TEAMS {
        let team = create_team(state, name, display_name, admin);
        for member in *members {
            add_to_team(state, team, id_of(member));
        }
    }

    for (team, name, display_name, kind, members) in CHANNELS {
        let Some(team) = state.team_by_name(team).map(|t| t.id) else {
            continue;
        };
        let now = state.now();
        let channel = state.insert_channel(
            Id::random(),
            Some(team),
            *kind,
            name,
            display_name,
            Some(admin),
            now,
        );
        state.add_channel_member(channel, admin, true, now);
        for member in *members {
            // The seed's plan only adds team members; a refusal would be a
            // bug in this table, caught by the differential test.
            let _ = join_channel(state, channel, id_of(member), admin);
        }
    }

    let class = channel_id(state, "gsm", "klasse-5a");
    let mut first_post = None;
    for (author, message) in CLASS_POSTS {
        let id = post(state, id_of(author), class, message, None);
        first_post = first_post.or(id);
    }
    post(
        state,
        id_of("anna.schulz"),
        class,
        "Danke, ich freue mich!",
        first_post,
    );
    let (direct, _) = state.direct_channel(id_of("petra.berger"), id_of("anna.schulz"));
    post(
        state,
        id_of("petra.berger"),
        direct,
        "Bitte denk an die Einverständniserklärung ✍️",
        None,
    );
    let staff_room = channel_id(state, "gsm-kollegium", "fachschaft-mathe");
    post(
        state,
        id_of("petra.berger"),
        staff_room,
        "Grüße aus dem Lehrerzimmer ☕",
        None,
    );

    let mut accounts = Vec::new();
    for (person, id) in PEOPLE.iter().zip(&ids) {
        if person.mfa {
            let secret: [u8; 20] = rand::random();
            let encoded = totp_rs::Secret::Raw(secret.to_vec())
                .to_encoded()
                .to_string();
            if let Some(user) = state.users.get_mut(id) {
                user.mfa_secret = Some(encoded);
            }
        }
        accounts.push(account(state, *id));
    }
    accounts.push(account(state, admin));
    accounts
}

/// A team as `POST /teams` makes it: the creator is its admin and, like
/// every member, in its two default channels.
fn create_team(state: &mut State, name: &str, display_name: &str, creator: Id) -> Id {
    let now = state.now();
    let id = Id::random();
    state.teams.insert(
        id,
        crate::model::Team {
            id,
            create_at: now,
            update_at: now,
            name: name.to_string(),
            display_name: display_name.to_string(),
            description: String::new(),
            open: false,
            invite_id: Id::random(),
            allowed_domains: String::new(),
        },
    );
    for (channel, display) in [("town-square", "Town Square"), ("off-topic", "Off-Topic")] {
        state.insert_channel(
            Id::random(),
            Some(id),
            ChannelType::Open,
            channel,
            display,
            None,
            now,
        );
    }
    state.add_team_member(id, creator, true);
    join_default_channels(state, id, creator);
    id
}

fn add_to_team(state: &mut State, team: Id, user: Id) {
    state.add_team_member(team, user, false);
    join_default_channels(state, team, user);
}

fn join_default_channels(state: &mut State, team: Id, user: Id) {
    for name in ["town-square", "off-topic"] {
        let channel = channel_id(state, team_name(state, team).as_str(), name);
        let now = state.now();
        state.add_channel_member(channel, user, false, now);
    }
}

fn team_name(state: &State, team: Id) -> String {
    state
        .teams
        .get(&team)
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

fn channel_id(state: &State, team: &str, name: &str) -> Id {
    let team = state.team_by_name(team).map(|t| t.id);
    state
        .channel_by_name(team, name)
        .map(|c| c.id)
        .unwrap_or_else(|| panic!("the miniature school has no channel {name}"))
}

fn post(state: &mut State, author: Id, channel: Id, message: &str, root: Option<Id>) -> Option<Id> {
    let created = state
        .create_post(
            NewPost {
                user_id: author,
                channel_id: channel,
                message: message.to_string(),
                root_id: root,
                props: None,
                file_ids: Vec::new(),
                pending_post_id: String::new(),
                kind: String::new(),
                create_at: None,
            },
            0,
        )
        .ok()?;
    created.post["id"].as_str().and_then(Id::parse)
}

fn account(state: &State, id: Id) -> Account {
    let user = &state.users[&id];
    Account {
        user_id: id.to_string(),
        username: user.username.clone(),
        email: user.email.clone(),
        password: password_of(&user.username),
        role: user.role,
        mfa_secret: user.mfa_secret.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_miniature_school_has_the_harness_shape() {
        let mut state = State::default();
        let accounts = generate(&mut state);
        let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
        assert_eq!(
            names[..4],
            ["anna.schulz", "ben.meier", "clara.nowak", "deniz.kaya"]
        );
        assert_eq!(names[7], "admin");
        assert!(accounts[1].mfa_secret.is_some() && accounts[5].mfa_secret.is_some());
        assert_eq!(state.teams.len(), 4);
        let class = channel_id(&state, "gsm", "klasse-5a");
        let counted = state.channels[&class].total_msg_count;
        assert_eq!(counted, 9, "eight posts and a reply, no join messages");
        for (team, name, _, _, members) in CHANNELS {
            let channel = channel_id(&state, team, name);
            for member in *members {
                let user = state.usernames[*member];
                assert!(state.is_member(channel, user), "{member} not in {name}");
            }
        }
    }
}
