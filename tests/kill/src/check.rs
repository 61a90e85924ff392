//! The checks after the last kill: the server against the intents the
//! children reported, and the store against the server.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Result};
use pausenhof_testserver::TestServer;
use serde_json::Value;

use crate::journal::{Intent, Journal, Line, Op, Outcome};

pub struct Figures {
    pub tried: usize,
    pub acknowledged: usize,
    pub unacknowledged: usize,
    pub refused: usize,
    pub posts_on_server: usize,
    pub rebuilds: usize,
}

/// Newlines and tabs as the journal carries them.
pub fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// The first word of a post's text: the name the children give a post.
fn base_of(text: &str) -> &str {
    text.split(' ').next().unwrap_or_default()
}

/// A test user's post on the server.
struct ServerPost {
    text: String,
    deleted: bool,
    /// The thread's root (a server id), empty for a root.
    root_id: String,
    reactions: BTreeSet<String>,
}

fn reactions_of(post: &Value, me: &str) -> BTreeSet<String> {
    post.pointer("/metadata/reactions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r["user_id"] == me)
        .filter_map(|r| r["emoji_name"].as_str().map(str::to_owned))
        .collect()
}

pub fn verify(
    server: &TestServer,
    me: &str,
    channels: &[String; 2],
    journal: &Journal,
) -> Result<Figures> {
    let intents = journal.intents();
    let mut problems = Vec::new();

    // Every post of the run on the server, in creation order per channel.
    let mut on_server: HashMap<String, ServerPost> = HashMap::new();
    let mut base_of_id: HashMap<String, String> = HashMap::new();
    let mut order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let archived: Vec<String> = intents
        .iter()
        .filter_map(|i| match &i.op {
            Op::SendArchived { channel, .. } => Some(channel.clone()),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for channel in channels.iter().chain(&archived) {
        for post in server.channel_posts_as_stored(channel) {
            let text = post["message"].as_str().unwrap_or_default();
            if post["user_id"] != me || !text.starts_with('k') {
                continue;
            }
            let base = base_of(text).to_owned();
            let entry = ServerPost {
                text: text.to_owned(),
                deleted: post["delete_at"].as_i64().unwrap_or(0) > 0,
                root_id: post["root_id"].as_str().unwrap_or_default().to_owned(),
                reactions: reactions_of(&post, me),
            };
            if let Some(id) = post["id"].as_str() {
                base_of_id.insert(id.to_owned(), base.clone());
            }
            if on_server.insert(base.clone(), entry).is_some() {
                problems.push(format!("{base} is on the server more than once"));
            }
            order.entry(channel.clone()).or_default().push(base);
        }
    }

    // Sends: acknowledged ones there exactly once, in the order they were
    // queued; refused ones and unknown posts never.
    let mut sends: BTreeMap<String, Vec<(String, Outcome)>> = BTreeMap::new();
    let mut deletes: HashMap<String, Vec<Outcome>> = HashMap::new();
    let mut texts: HashMap<String, Vec<(String, Outcome)>> = HashMap::new();
    let mut reactions: HashMap<(String, String), Vec<(bool, Outcome)>> = HashMap::new();
    let mut views: HashMap<String, i64> = HashMap::new();
    let mut refused_texts = Vec::new();
    for Intent { op, outcome, .. } in &intents {
        match op {
            Op::Send { channel, text, .. } => {
                let base = base_of(text).to_owned();
                sends
                    .entry(channel.clone())
                    .or_default()
                    .push((base.clone(), *outcome));
                texts
                    .entry(base)
                    .or_default()
                    .push((text.clone(), *outcome));
                if *outcome == Outcome::Refused {
                    refused_texts.push(base_of(text).to_owned());
                }
            }
            Op::SendArchived { text, .. } => {
                if *outcome == Outcome::Acknowledged {
                    problems.push(format!(
                        "a send into the archived channel was accepted: {text}"
                    ));
                }
                refused_texts.push(base_of(text).to_owned());
            }
            Op::Edit { base, text } => {
                texts
                    .entry(base.clone())
                    .or_default()
                    .push((text.clone(), *outcome));
            }
            Op::Delete { base } => deletes.entry(base.clone()).or_default().push(*outcome),
            Op::React { base, emoji, add } => reactions
                .entry((base.clone(), emoji.clone()))
                .or_default()
                .push((*add, *outcome)),
            Op::View { channel, at } => {
                if *outcome == Outcome::Acknowledged {
                    let latest = views.entry(channel.clone()).or_default();
                    *latest = (*latest).max(*at);
                }
            }
        }
    }
    for base in &refused_texts {
        if on_server.contains_key(base) {
            problems.push(format!("{base} was refused but is on the server"));
        }
    }
    for (channel, queued) in &sends {
        let positions: HashMap<&str, usize> = queued
            .iter()
            .enumerate()
            .map(|(n, (base, _))| (base.as_str(), n))
            .collect();
        let mut last = None;
        for base in order.get(channel).into_iter().flatten() {
            let Some(&position) = positions.get(base.as_str()) else {
                problems.push(format!("{base} is on the server but was never sent here"));
                continue;
            };
            if last.is_some_and(|l| l >= position) {
                problems.push(format!("{base} arrived out of order"));
            }
            last = Some(position);
        }
        for (base, outcome) in queued {
            let deleted = deletes.contains_key(base);
            if *outcome == Outcome::Acknowledged && !deleted && !on_server.contains_key(base) {
                problems.push(format!(
                    "{base} was acknowledged but never reached the server"
                ));
            }
        }
    }

    // Edits, deletes and reactions: the server ends with the last
    // acknowledged state, or one an unacknowledged later intent asked for.
    for (base, post) in &on_server {
        let delete = deletes.get(base);
        let delete_acked = delete.is_some_and(|d| d.contains(&Outcome::Acknowledged));
        match (post.deleted, delete) {
            // Deleting a root deletes its thread, on the server and here.
            (true, None)
                if base_of_id
                    .get(&post.root_id)
                    .is_some_and(|root| deletes.contains_key(root)) => {}
            (true, None) => problems.push(format!("{base} is deleted but nobody deleted it")),
            (false, Some(_)) if delete_acked => {
                problems.push(format!("{base}: acknowledged delete did not happen"))
            }
            _ => {}
        }
        if post.deleted {
            continue;
        }
        if let Some(history) = texts.get(base) {
            let allowed = allowed_from_last_ack(history);
            if !allowed.contains(&post.text) {
                problems.push(format!(
                    "{base} reads {:?}, expected one of {allowed:?}",
                    post.text
                ));
            }
        }
        let emoji: BTreeSet<&String> = reactions
            .keys()
            .filter(|(b, _)| b == base)
            .map(|(_, e)| e)
            .collect();
        for e in emoji {
            let history = &reactions[&(base.clone(), e.clone())];
            let mut allowed = allowed_from_last_ack(history);
            if !history.iter().any(|(_, o)| *o == Outcome::Acknowledged) {
                allowed.push(false);
            }
            let present = post.reactions.contains(e);
            if !allowed.contains(&present) {
                problems.push(format!(
                    "{base}: reaction {e} is {} on the server",
                    if present { "there" } else { "missing" }
                ));
            }
        }
    }
    for (channel, at) in &views {
        // Viewing marks the channel read up to its newest post (the server
        // stores that post's time, not the moment of the view), so every
        // post older than the acknowledged view must count as read.
        let newest_before = server
            .channel_posts_as_stored(channel)
            .iter()
            .filter_map(|p| p["create_at"].as_i64())
            .filter(|created| created <= at)
            .max()
            .unwrap_or(0);
        let viewed = server.last_viewed_at(me, channel).unwrap_or(0);
        if viewed < newest_before {
            problems.push(format!(
                "channel {channel} viewed up to {viewed} on the server, but a view \
                 acknowledged at {at} covers a post of {newest_before}"
            ));
        }
    }

    // The store: its newest posts equal the server's.
    for channel in channels {
        let stored: Vec<(&String, &String, &Vec<String>)> = journal
            .stored()
            .filter_map(|l| match l {
                Line::Stored {
                    channel: c,
                    id,
                    text,
                    reactions,
                } if c == channel => Some((id, text, reactions)),
                _ => None,
            })
            .collect();
        let live: Vec<Value> = server
            .channel_posts_as_stored(channel)
            .into_iter()
            .filter(|p| p["delete_at"].as_i64().unwrap_or(0) == 0)
            .collect();
        let by_id: HashMap<&str, &Value> = live
            .iter()
            .filter_map(|p| p["id"].as_str().map(|id| (id, p)))
            .collect();
        for (id, text, reactions) in &stored {
            let Some(post) = by_id.get(id.as_str()) else {
                problems.push(format!(
                    "the store shows {id} ({text}), the server has no such live post"
                ));
                continue;
            };
            let server_text = escape(post["message"].as_str().unwrap_or_default());
            if &server_text != *text {
                problems.push(format!(
                    "{id}: store reads {text:?}, server {server_text:?}"
                ));
            }
            let server_reactions: Vec<String> = reactions_of(post, me).into_iter().collect();
            if &server_reactions != *reactions {
                problems.push(format!(
                    "{id}: store has reactions {reactions:?}, server {server_reactions:?}"
                ));
            }
        }
        let mut newest: Vec<&Value> = live.iter().collect();
        newest.sort_by_key(|p| std::cmp::Reverse(p["create_at"].as_i64().unwrap_or(0)));
        let shown: BTreeSet<&str> = stored.iter().map(|(id, _, _)| id.as_str()).collect();
        for post in newest.iter().take(stored.len().saturating_sub(10)) {
            let id = post["id"].as_str().unwrap_or_default();
            if !shown.contains(id) {
                problems.push(format!("the server's post {id} is missing from the store"));
            }
        }
    }

    let rebuilds = journal.rebuilds();
    if rebuilds > 0 {
        problems.push(format!("the database was rebuilt {rebuilds} times"));
    }
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("  {problem}");
        }
        bail!("{} problems after the kills", problems.len());
    }
    let count = |o: Outcome| intents.iter().filter(|i| i.outcome == o).count();
    Ok(Figures {
        tried: intents.len(),
        acknowledged: count(Outcome::Acknowledged),
        unacknowledged: count(Outcome::Unknown),
        refused: count(Outcome::Refused),
        posts_on_server: on_server.len(),
        rebuilds,
    })
}

/// The values the server may end with: the last acknowledged one and any
/// asked for after it without an answer.
fn allowed_from_last_ack<T: Clone>(history: &[(T, Outcome)]) -> Vec<T> {
    let start = history
        .iter()
        .rposition(|(_, o)| *o == Outcome::Acknowledged)
        .unwrap_or(0);
    history[start..]
        .iter()
        .filter(|(_, o)| *o != Outcome::Refused)
        .map(|(v, _)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_acknowledged_value_or_a_later_unanswered_one_is_allowed() {
        let history = [
            ("a", Outcome::Acknowledged),
            ("b", Outcome::Acknowledged),
            ("c", Outcome::Refused),
            ("d", Outcome::Unknown),
        ];
        assert_eq!(allowed_from_last_ack(&history), vec!["b", "d"]);
        assert_eq!(allowed_from_last_ack(&[("x", Outcome::Unknown)]), vec!["x"]);
    }

    #[test]
    fn journal_text_is_escaped() {
        assert_eq!(escape("a\tb\nc\\"), "a\\tb\\nc\\\\");
        assert_eq!(base_of("k3.4 bearbeitet k5.6"), "k3.4");
    }
}
