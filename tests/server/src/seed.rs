//! The deterministic school generator: the same seed and size give the same
//! school, ids included.

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::Map;

use crate::config::Dataset;
use crate::ids::Id;
use crate::model::{ChannelType, FileInfo, Post, Preference, Reaction, Role};
use crate::state::{Account, State};

/// 2025-09-01, the start of the seeded school year.
const BASE_TIME: i64 = 1_756_684_800_000;

const FIRST_NAMES: &[&str] = &[
    "Anna", "Jürgen", "Sören", "Lea", "Jörg", "Björn", "Zoë", "Lukas", "Mia", "Jonas", "Hannah",
    "Leon", "Emilia", "Finn", "Sophie", "Paul", "Marie", "Ben", "Lina", "Elias", "Käthe", "Özlem",
    "Ömer", "Greta", "Noah", "Ida", "Malte", "Frieda", "Till", "Jule", "Änne", "Henrik",
];
const LAST_NAMES: &[&str] = &[
    "Müller",
    "Schröder",
    "Bäcker",
    "Weiß",
    "Groß",
    "Krüger",
    "Jäger",
    "Köhler",
    "Böhm",
    "Schäfer",
    "Schmidt",
    "Fischer",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Koch",
    "Richter",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hofmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Yılmaz",
    "Kaya",
];
const SUBJECTS: &[&str] = &[
    "Mathe",
    "Deutsch",
    "Englisch",
    "Französisch",
    "Biologie",
    "Physik",
    "Chemie",
    "Erdkunde",
    "Geschichte",
    "Kunst",
    "Musik",
    "Sport",
    "Religion",
    "Informatik",
];
const SCHOOLS: &[(&str, &str)] = &[
    ("gsm", "Gymnasium St. Marien"),
    ("rsb", "Realschule Bergstraße"),
    ("gsn", "Gesamtschule Nord"),
    ("bbs", "Berufsbildende Schule Lüneburg"),
];
const MESSAGES: &[&str] = &[
    "Hat jemand die Hausaufgaben für {s}? 📚",
    "Morgen fällt die {n}. Stunde aus!",
    "Vergesst nicht: Klassenfahrt nach Lübeck 🚌",
    "Super gemacht, alle zusammen! 🎉",
    "Wer kommt heute zur AG Schülerzeitung?",
    "Die Präsentation für {s} ist hochgeladen.",
    "Ich bin krank, könnt ihr mir Bescheid geben? 🤒",
    "Grüße aus dem Lehrerzimmer ☕",
    "Übungsblatt {n} bis Freitag bearbeiten, bitte.",
    "Heute Elternabend um 19 Uhr in Raum {n}.",
    "Gibt es schon Noten für die {s}-Arbeit? 😬",
    "Bitte an die Einverständniserklärung denken ✍️",
    "Der Bus fährt um 7:{n} ab – pünktlich sein!",
    "Können wir das Referat über Goethe tauschen?",
    "Schöne Ferien euch allen! ☀️🌊",
    "In {s} schreiben wir nächste Woche einen Test.",
    "Wo finde ich die Lösungen zu Aufgabe {n}?",
    "Danke für die Hilfe gestern 🙏",
    "Größere Änderungen im Stundenplan ab Montag!",
    "Mensa hat heute Käsespätzle 🧀",
];
const REPLIES: &[&str] = &[
    "Ja, genau!",
    "Danke dir 😊",
    "Ich schau nach.",
    "Weiß ich leider nicht 🤷",
    "👍",
    "Geht klar.",
    "Ich komme auch!",
    "Schöne Grüße zurück",
    "Super, danke für die Info!",
];
const EMOJI: &[&str] = &[
    "+1",
    "heart",
    "smile",
    "tada",
    "thinking_face",
    "eyes",
    "white_check_mark",
];

/// How big a generated school is.
struct Size {
    schools: usize,
    students_per_school: usize,
    teachers_per_school: usize,
    classes_per_school: usize,
    subject_channels_per_class: usize,
    staff_channels: usize,
    koop_channels: usize,
    koop_teacher_channels: usize,
    direct_channels: usize,
    group_channels: usize,
    posts: usize,
}

fn size(dataset: Dataset) -> Option<Size> {
    match dataset {
        Dataset::Empty | Dataset::Miniature => None,
        Dataset::Small => Some(Size {
            schools: 1,
            students_per_school: 24,
            teachers_per_school: 5,
            classes_per_school: 2,
            subject_channels_per_class: 1,
            staff_channels: 2,
            koop_channels: 1,
            koop_teacher_channels: 0,
            direct_channels: 3,
            group_channels: 1,
            posts: 320,
        }),
        Dataset::Large => Some(Size {
            schools: 4,
            students_per_school: 470,
            teachers_per_school: 30,
            classes_per_school: 20,
            subject_channels_per_class: 5,
            staff_channels: 20,
            koop_channels: 60,
            koop_teacher_channels: 20,
            direct_channels: 300,
            group_channels: 40,
            posts: 200_000,
        }),
    }
}

fn fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ë' => out.push('e'),
            'ı' => out.push('i'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

struct Gen {
    rng: StdRng,
}

impl Gen {
    fn id(&mut self) -> Id {
        Id::from_u128(self.rng.random())
    }
}

struct Person {
    id: Id,
    role: Role,
}

/// A small PNG (1x1) and a text file, shared by every seeded attachment.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
const TINY_TEXT: &[u8] = "Hausaufgaben: Seite 42, Nr. 1–3 (Übung macht den Meister)\n".as_bytes();

/// Fills `state` with a school and returns the accounts handed to tests.
pub fn generate(state: &mut State, dataset: Dataset, seed: u64) -> Vec<Account> {
    let Some(size) = size(dataset) else {
        return Vec::new();
    };
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed),
    };
    let mut time = BASE_TIME - 86_400_000;
    let mut used_names = std::collections::HashSet::new();
    let mut accounts = Vec::new();

    let mut make_user =
        |g: &mut Gen, state: &mut State, role: Role, school: &str, empty_name: bool| -> Person {
            let first = *FIRST_NAMES.choose(&mut g.rng).unwrap_or(&"Anna");
            let last = *LAST_NAMES.choose(&mut g.rng).unwrap_or(&"Müller");
            let base = match role {
                Role::Admin => "admin".to_string(),
                _ => format!("{}.{}", fold(first), fold(last)),
            };
            let mut username = base.clone();
            let mut n = 2;
            while !used_names.insert(username.clone()) {
                username = format!("{base}{n}");
                n += 1;
            }
            let email = format!("{username}@{school}.schule.test");
            let password = format!("{username}-Pw1!");
            let id = g.id();
            let salt: [u8; 16] = g.rng.random();
            let (f, l) = if empty_name { ("", "") } else { (first, last) };
            state.insert_user(
                id,
                &username,
                &email,
                &password,
                f,
                l,
                role,
                salt,
                BASE_TIME - 30 * 86_400_000,
            );
            Person { id, role }
        };

    let admin = make_user(&mut g, state, Role::Admin, "verwaltung", false);
    let mut all_students: Vec<Vec<Id>> = Vec::new();
    let mut all_teachers: Vec<Vec<Id>> = Vec::new();
    for (s, (code, _)) in SCHOOLS.iter().enumerate().take(size.schools) {
        let mut students = Vec::new();
        for i in 0..size.students_per_school {
            // The third student of the first school has no full name, so the
            // "ask for the full name" flow can be tested.
            let p = make_user(&mut g, state, Role::Student, code, s == 0 && i == 2);
            students.push(p.id);
        }
        let mut teachers = Vec::new();
        for _ in 0..size.teachers_per_school {
            let p = make_user(&mut g, state, Role::Teacher, code, false);
            debug_assert_eq!(p.role, Role::Teacher);
            teachers.push(p.id);
        }
        all_students.push(students);
        all_teachers.push(teachers);
    }

    // MFA for the second student and the second teacher of the first school.
    let mfa_students = [all_students[0][1], all_teachers[0][1]];
    for id in mfa_students {
        let secret: [u8; 20] = g.rng.random();
        let encoded = totp_rs::Secret::Raw(secret.to_vec())
            .to_encoded()
            .to_string();
        if let Some(u) = state.users.get_mut(&id) {
            u.mfa_secret = Some(encoded);
        }
    }

    let mut channels: Vec<(Id, Vec<Id>)> = Vec::new();
    let add_team = |g: &mut Gen,
                    state: &mut State,
                    name: &str,
                    display: &str,
                    members: &[Id],
                    admins: &[Id],
                    time: i64|
     -> Id {
        let id = g.id();
        state.teams.insert(
            id,
            crate::model::Team {
                id,
                create_at: time,
                update_at: time,
                name: name.to_string(),
                display_name: display.to_string(),
                description: String::new(),
                open: false,
                invite_id: g.id(),
                allowed_domains: String::new(),
            },
        );
        for m in members {
            state.add_team_member(id, *m, admins.contains(m));
        }
        id
    };
    let add_channel = |g: &mut Gen,
                       state: &mut State,
                       team: Option<Id>,
                       kind: ChannelType,
                       name: &str,
                       display: &str,
                       members: &[Id],
                       time: i64|
     -> Id {
        let id = g.id();
        state.insert_channel(
            id,
            team,
            kind,
            name,
            display,
            members.first().copied(),
            time,
        );
        for m in members {
            state.add_channel_member(id, *m, false, time);
        }
        if let Some(c) = state.channels.get_mut(&id) {
            c.purpose = format!("{display} – Austausch und Infos");
        }
        id
    };

    for (s, (code, school_name)) in SCHOOLS.iter().enumerate().take(size.schools) {
        let students = &all_students[s];
        let teachers = &all_teachers[s];
        let mut everyone: Vec<Id> = students.iter().chain(teachers.iter()).copied().collect();
        everyone.push(admin.id);
        let mut staff: Vec<Id> = teachers.clone();
        staff.push(admin.id);
        let team = add_team(
            &mut g,
            state,
            code,
            school_name,
            &everyone,
            &[admin.id, teachers[0]],
            time,
        );
        let staff_team = add_team(
            &mut g,
            state,
            // `<kürzel>-kollegium`: a real server refuses a single
            // underscore in team names (model.IsValidTeamName).
            &format!("{code}-kollegium"),
            &format!("{school_name} – Kollegium"),
            &staff,
            &[admin.id],
            time,
        );
        for (t, members) in [(team, &everyone), (staff_team, &staff)] {
            let ts = add_channel(
                &mut g,
                state,
                Some(t),
                ChannelType::Open,
                "town-square",
                "Town Square",
                members,
                time,
            );
            let ot = add_channel(
                &mut g,
                state,
                Some(t),
                ChannelType::Open,
                "off-topic",
                "Off-Topic",
                members,
                time,
            );
            channels.push((ts, members.clone()));
            channels.push((ot, members.clone()));
        }
        for c in 0..size.classes_per_school {
            let grade = 5 + c / 4;
            let letter = (b'a' + (c % 4) as u8) as char;
            let class_name = format!("{grade}{letter}");
            let mut members: Vec<Id> = students
                .iter()
                .enumerate()
                .filter(|(i, _)| i % size.classes_per_school == c)
                .map(|(_, id)| *id)
                .collect();
            members.push(teachers[c % teachers.len()]);
            members.push(teachers[(c + 1) % teachers.len()]);
            let id = add_channel(
                &mut g,
                state,
                Some(team),
                ChannelType::Open,
                &format!("klasse-{class_name}"),
                &format!("Klasse {class_name}"),
                &members,
                time,
            );
            channels.push((id, members.clone()));
            for k in 0..size.subject_channels_per_class {
                let subject = SUBJECTS[(c + k) % SUBJECTS.len()];
                let id = add_channel(
                    &mut g,
                    state,
                    Some(team),
                    ChannelType::Private,
                    &format!("{}-{class_name}", fold(subject)),
                    &format!("{subject} {class_name}"),
                    &members,
                    time,
                );
                channels.push((id, members.clone()));
            }
        }
        for k in 0..size.staff_channels {
            let subject = SUBJECTS[k % SUBJECTS.len()];
            let kind = if k % 2 == 0 {
                ChannelType::Open
            } else {
                ChannelType::Private
            };
            let suffix = if k >= SUBJECTS.len() {
                format!("-{}", k / SUBJECTS.len() + 1)
            } else {
                String::new()
            };
            let members: Vec<Id> = staff
                .iter()
                .enumerate()
                .filter(|(i, _)| (i + k) % 2 == 0 || *i == 0)
                .map(|(_, id)| *id)
                .collect();
            let id = add_channel(
                &mut g,
                state,
                Some(staff_team),
                kind,
                &format!("fachschaft-{}{suffix}", fold(subject)),
                &format!("Fachschaft {subject}{suffix}"),
                &members,
                time,
            );
            channels.push((id, members));
        }
    }

    // The shared teams of all schools.
    let all_teachers_flat: Vec<Id> = all_teachers
        .iter()
        .flatten()
        .copied()
        .chain(std::iter::once(admin.id))
        .collect();
    let mut koop_members = all_teachers_flat.clone();
    for students in &all_students {
        koop_members.extend(students.iter().step_by(4).copied());
    }
    koop_members.extend(all_students[0].iter().take(3).copied());
    koop_members.sort();
    koop_members.dedup();
    let koop = add_team(
        &mut g,
        state,
        "koop",
        "Kooperation der Schulen",
        &koop_members,
        &[admin.id],
        time,
    );
    let koop_teachers = add_team(
        &mut g,
        state,
        "koop-lehrer",
        "Kooperation – Lehrkräfte",
        &all_teachers_flat,
        &[admin.id],
        time,
    );
    for (t, members) in [(koop, &koop_members), (koop_teachers, &all_teachers_flat)] {
        let ts = add_channel(
            &mut g,
            state,
            Some(t),
            ChannelType::Open,
            "town-square",
            "Town Square",
            members,
            time,
        );
        let ot = add_channel(
            &mut g,
            state,
            Some(t),
            ChannelType::Open,
            "off-topic",
            "Off-Topic",
            members,
            time,
        );
        channels.push((ts, members.clone()));
        channels.push((ot, members.clone()));
    }
    for k in 0..size.koop_channels {
        let members: Vec<Id> = koop_members
            .iter()
            .enumerate()
            .filter(|(i, _)| (i + k) % 5 == 0 || *i < 3)
            .map(|(_, id)| *id)
            .collect();
        let kind = if k % 3 == 2 {
            ChannelType::Private
        } else {
            ChannelType::Open
        };
        let id = add_channel(
            &mut g,
            state,
            Some(koop),
            kind,
            &format!("projekt-{}", k + 1),
            &format!("Projekt Grüne Schule {}", k + 1),
            &members,
            time,
        );
        channels.push((id, members));
    }
    for k in 0..size.koop_teacher_channels {
        let members: Vec<Id> = all_teachers_flat
            .iter()
            .enumerate()
            .filter(|(i, _)| (i + k) % 3 == 0)
            .map(|(_, id)| *id)
            .collect();
        let id = add_channel(
            &mut g,
            state,
            Some(koop_teachers),
            ChannelType::Private,
            &format!("arbeitskreis-{}", k + 1),
            &format!("Arbeitskreis Übergänge {}", k + 1),
            &members,
            time,
        );
        channels.push((id, members));
    }

    // Direct and group messages; the first ones involve the handed-out accounts.
    let s0 = &all_students[0];
    let t0 = &all_teachers[0];
    let mut dm_pairs = vec![(s0[0], t0[0]), (s0[0], s0[1]), (s0[1], t0[0])];
    let everybody: Vec<Id> = all_students
        .iter()
        .flatten()
        .chain(all_teachers.iter().flatten())
        .copied()
        .collect();
    while dm_pairs.len() < size.direct_channels {
        let a = *everybody.choose(&mut g.rng).unwrap_or(&s0[0]);
        let b = *everybody.choose(&mut g.rng).unwrap_or(&t0[0]);
        if a != b && !dm_pairs.contains(&(a, b)) && !dm_pairs.contains(&(b, a)) {
            dm_pairs.push((a, b));
        }
    }
    for (a, b) in dm_pairs.into_iter().take(size.direct_channels) {
        let name = State::direct_channel_name(a, b);
        let id = add_channel(
            &mut g,
            state,
            None,
            ChannelType::Direct,
            &name,
            "",
            &[a, b],
            time,
        );
        channels.push((id, vec![a, b]));
    }
    for k in 0..size.group_channels {
        let members: Vec<Id> = if k == 0 {
            vec![s0[0], s0[1], t0[0]]
        } else {
            let mut m: Vec<Id> = everybody
                .choose_multiple(&mut g.rng, 3 + k % 3)
                .copied()
                .collect();
            m.sort();
            m
        };
        let name = State::group_channel_name(&members);
        if state.channel_by_name(None, &name).is_some() {
            continue;
        }
        let mut names: Vec<String> = members.iter().map(|m| state.username(*m)).collect();
        names.sort();
        let id = add_channel(
            &mut g,
            state,
            None,
            ChannelType::Group,
            &name,
            &names.join(", "),
            &members,
            time,
        );
        channels.push((id, members));
    }

    // Posts, spread over the school year in strictly increasing time.
    time = BASE_TIME;
    let mut recent_roots: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
    let png = Bytes::from_static(TINY_PNG);
    let text = Bytes::from_static(TINY_TEXT);
    // Busy channels (town squares, DMs of the accounts) come first in the list
    // and get more posts.
    let weights: Vec<usize> = (0..channels.len())
        .map(|i| if i < 8 { 6 } else { 1 + (i % 3) })
        .collect();
    let total_weight: usize = weights.iter().sum();
    for i in 0..size.posts {
        let mut pick = g.rng.random_range(0..total_weight);
        let mut ci = 0;
        while pick >= weights[ci] {
            pick -= weights[ci];
            ci += 1;
        }
        let (channel, members) = &channels[ci];
        let author = *members.choose(&mut g.rng).unwrap_or(&admin.id);
        time += g.rng.random_range(1_000..60_000);
        let roots = recent_roots.entry(*channel).or_default();
        let is_reply = !roots.is_empty() && g.rng.random_bool(0.2);
        let (root_id, message) = if is_reply {
            let root = *roots.choose(&mut g.rng).unwrap_or(&roots[0]);
            (
                Some(root),
                REPLIES.choose(&mut g.rng).unwrap_or(&"👍").to_string(),
            )
        } else {
            let template = MESSAGES.choose(&mut g.rng).unwrap_or(&MESSAGES[0]);
            let subject = SUBJECTS.choose(&mut g.rng).unwrap_or(&"Mathe");
            let n = g.rng.random_range(1..10);
            (
                None,
                template
                    .replace("{s}", subject)
                    .replace("{n}", &n.to_string()),
            )
        };
        let id = g.id();
        let mut file_ids = Vec::new();
        if i % 40 == 7 {
            let file_id = g.id();
            let (name, data, mime, w) = if i % 80 == 7 {
                ("tafelbild.png", png.clone(), "image/png", 1)
            } else {
                ("hausaufgaben.txt", text.clone(), "text/plain", 0)
            };
            state.files.insert(
                file_id,
                FileInfo {
                    id: file_id,
                    user_id: author,
                    channel_id: *channel,
                    post_id: None,
                    create_at: time,
                    name: name.to_string(),
                    mime_type: mime.to_string(),
                    data,
                    width: w,
                    height: w,
                },
            );
            file_ids.push(file_id);
        }
        let mut reactions = Vec::new();
        if i % 25 == 3 {
            let reactor = *members.choose(&mut g.rng).unwrap_or(&author);
            let emoji = EMOJI.choose(&mut g.rng).unwrap_or(&"+1");
            reactions.push(Reaction {
                user_id: reactor,
                emoji_name: (*emoji).into(),
                create_at: time,
            });
        }
        state.insert_post(Post {
            id,
            channel_id: *channel,
            user_id: author,
            root_id,
            create_at: time,
            update_at: time,
            edit_at: 0,
            delete_at: 0,
            is_pinned: i % 97 == 5,
            message: message.into_boxed_str(),
            kind: "".into(),
            props: None::<Box<Map<String, serde_json::Value>>>,
            file_ids,
            reactions,
        });
        if root_id.is_none() {
            let roots = recent_roots.entry(*channel).or_default();
            roots.push(id);
            if roots.len() > 8 {
                roots.remove(0);
            }
        }
    }
    state.clock = time;

    // Read state: most members have read everything; some are a few posts
    // behind so unread counts are not all zero.
    let channel_ids: Vec<Id> = channels.iter().map(|(c, _)| *c).collect();
    for c in channel_ids {
        let Some(ch) = state.channels.get(&c) else {
            continue;
        };
        let (total, total_root, last_post_at) =
            (ch.total_msg_count, ch.total_msg_count_root, ch.last_post_at);
        let is_direct = ch.kind == ChannelType::Direct;
        let times: Vec<i64> = state
            .channel_posts
            .get(&c)
            .into_iter()
            .flatten()
            .filter_map(|p| state.posts.get(p).map(|p| p.create_at))
            .collect();
        let members: Vec<Id> = state.channel_member_ids(c);
        for m in members {
            let behind = if g.rng.random_bool(0.25) {
                g.rng.random_range(1..=4).min(total)
            } else {
                0
            };
            let Some(member) = state
                .channel_members
                .get_mut(&c)
                .and_then(|ms| ms.get_mut(&m))
            else {
                continue;
            };
            member.msg_count = total - behind;
            member.msg_count_root = (total_root - behind).max(0);
            member.last_viewed_at = if behind == 0 {
                last_post_at
            } else {
                times
                    .get((total - behind - 1).max(0) as usize)
                    .copied()
                    .unwrap_or(0)
            };
            if is_direct {
                member.mention_count = behind;
                member.mention_count_root = behind;
            }
        }
    }

    // A favourite for the first student, so the favorites category has content.
    let favorite = state
        .channel_by_name(state.team_by_name("gsm").map(|t| t.id), "klasse-5a")
        .map(|c| c.id);
    if let Some(f) = favorite {
        state.set_preference(
            s0[0],
            Preference {
                category: "favorite_channel".into(),
                name: f.to_string(),
                value: "true".into(),
            },
        );
    }

    let account = |state: &State, id: Id| -> Account {
        let u = &state.users[&id];
        Account {
            user_id: id.to_string(),
            username: u.username.clone(),
            email: u.email.clone(),
            password: format!("{}-Pw1!", u.username),
            role: u.role,
            mfa_secret: u.mfa_secret.clone(),
        }
    };
    for id in [s0[0], s0[1], s0[2], s0[3], t0[0], t0[1], t0[2], admin.id] {
        accounts.push(account(state, id));
    }
    accounts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_school_other_seed_other_school() {
        let mut a = State::default();
        let mut b = State::default();
        let mut c = State::default();
        let acc_a = generate(&mut a, Dataset::Small, 7);
        let acc_b = generate(&mut b, Dataset::Small, 7);
        let acc_c = generate(&mut c, Dataset::Small, 8);
        assert_eq!(acc_a[0].user_id, acc_b[0].user_id);
        assert_eq!(a.posts.len(), b.posts.len());
        assert_ne!(acc_a[0].user_id, acc_c[0].user_id);
    }

    #[test]
    fn small_school_has_the_promised_shape() {
        let mut s = State::default();
        let accounts = generate(&mut s, Dataset::Small, 1);
        let names: Vec<&str> = s.teams.values().map(|t| t.name.as_str()).collect();
        for n in ["gsm", "gsm-kollegium", "koop", "koop-lehrer"] {
            assert!(names.contains(&n), "{n} missing");
        }
        assert!(
            (25..=40).contains(&s.users.len()),
            "{} users",
            s.users.len()
        );
        assert!(
            (15..=30).contains(&s.channels.len()),
            "{} channels",
            s.channels.len()
        );
        assert!(s.posts.len() >= 300);
        for t in s.teams.values() {
            assert!(s.channel_by_name(Some(t.id), "town-square").is_some());
            assert!(s.channel_by_name(Some(t.id), "off-topic").is_some());
        }
        assert!(s
            .users
            .values()
            .any(|u| u.first_name.is_empty() && u.last_name.is_empty()));
        assert!(s
            .posts
            .values()
            .any(|p| p.message.contains('ü') || p.message.contains('ä')));
        assert!(s.posts.values().any(|p| p.root_id.is_some()));
        assert!(s.posts.values().any(|p| !p.reactions.is_empty()));
        assert!(s.posts.values().any(|p| !p.file_ids.is_empty()));
        assert!(s.channels.values().any(|c| c.kind == ChannelType::Direct));
        assert!(s.channels.values().any(|c| c.kind == ChannelType::Group));
        assert!(s.channels.values().any(|c| c.kind == ChannelType::Private));
        for role in [Role::Student, Role::Teacher, Role::Admin] {
            assert!(accounts.iter().any(|a| a.role == role));
        }
        assert!(accounts
            .iter()
            .any(|a| a.role == Role::Student && a.mfa_secret.is_some()));
    }

    #[test]
    fn large_school_has_the_promised_size() {
        let mut s = State::default();
        let accounts = generate(&mut s, Dataset::Large, 1);
        assert_eq!(s.teams.len(), 10);
        for team in s.teams.values() {
            assert!(
                crate::model::is_valid_team_name(&team.name),
                "{} would be refused by a real server",
                team.name
            );
        }
        assert!(
            (1_950..=2_050).contains(&s.users.len()),
            "{} users",
            s.users.len()
        );
        assert!(
            (950..=1_050).contains(&s.channels.len()),
            "{} channels",
            s.channels.len()
        );
        assert_eq!(s.posts.len(), 200_000);
        assert!(accounts.len() >= 6);
        // Every channel's posts are in time order, which paging relies on.
        for ids in s.channel_posts.values() {
            let times: Vec<i64> = ids.iter().map(|i| s.posts[i].create_at).collect();
            assert!(times.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
