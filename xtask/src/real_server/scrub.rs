//! Scrubs recorded responses of what changes from run to run (ids, times,
//! tokens, build details, ports) while keeping field names, JSON types and
//! error ids exact.
//!
//! Ids the harness knows (seeded users, teams, channels, posts) become
//! readable labels such as `<user:anna.schulz>`; other ids become
//! `<id:1>`, `<id:2>`… numbered in order of appearance within one
//! recording, so two fields holding the same id still match.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Non-zero timestamps (milliseconds) are replaced by this number.
pub const TIME: i64 = 1_700_000_000_000;

/// String fields whose values describe the build or the installation, or
/// identify a single request; they become `<FieldName>`.
const OPAQUE_FIELDS: [&str; 11] = [
    "BuildDate",
    "BuildHash",
    "BuildHashEnterprise",
    "BuildNumber",
    "BuildEnterpriseReady",
    "server_version",
    "TelemetryId",
    "request_id",
    "server_hostname",
    "signature",
    "AsymmetricSigningPublicKey",
];

pub struct Scrubber {
    labels: HashMap<String, String>,
    secrets: Vec<(String, String)>,
    site_url: String,
    unknown: HashMap<String, String>,
}

impl Scrubber {
    pub fn new(site_url: &str) -> Self {
        Self {
            labels: HashMap::new(),
            secrets: Vec::new(),
            site_url: site_url.to_owned(),
            unknown: HashMap::new(),
        }
    }

    /// Names a known id, e.g. `label(id, "user:anna.schulz")`.
    pub fn label(&mut self, id: &str, label: &str) {
        self.labels.insert(id.to_owned(), format!("<{label}>"));
    }

    /// The id behind a label such as `user:anna.schulz`. (This and
    /// `resolve` serve the test server's differential test, which includes
    /// this file; the recorder itself does not need them.)
    #[allow(dead_code)]
    pub fn id_of(&self, label: &str) -> Option<&str> {
        let wanted = format!("<{label}>");
        self.labels
            .iter()
            .find(|(_, l)| **l == wanted)
            .map(|(id, _)| id.as_str())
    }

    /// Replaces every `<label>` in `text` by its id: the differential test
    /// turns recorded requests back into requests to the test server.
    #[allow(dead_code)]
    pub fn resolve(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (id, label) in &self.labels {
            out = out.replace(label.as_str(), id);
        }
        out
    }

    /// A value (a token, a password) that must never reach a recording.
    pub fn secret(&mut self, value: &str, placeholder: &str) {
        self.secrets
            .push((value.to_owned(), format!("<{placeholder}>")));
        // Longer first, so a secret that contains another is replaced whole.
        self.secrets
            .sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    }

    /// Starts the numbering of unknown ids afresh for the next recording.
    pub fn begin_recording(&mut self) {
        self.unknown.clear();
    }

    /// The number given to an id in the current recording, if any.
    pub fn numbered(&self, id: &str) -> Option<&str> {
        self.unknown.get(id).map(String::as_str)
    }

    pub fn scrub(&mut self, value: &Value) -> Value {
        self.scrub_field(None, value)
    }

    fn scrub_field(&mut self, key: Option<&str>, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                // Maps such as `last_viewed_at_times` are keyed by id and
                // hold times.
                let holds_times = key.is_some_and(|key| key.ends_with("_times"));
                for (name, inner) in map {
                    let inner_key = if holds_times { "time" } else { name.as_str() };
                    let scrubbed = self.scrub_field(Some(inner_key), inner);
                    out.insert(self.scrub_text(name), scrubbed);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.scrub_field(key, item))
                    .collect(),
            ),
            Value::Number(number) if key.is_some_and(is_time_field) => {
                if number.as_f64() == Some(0.0) {
                    value.clone()
                } else {
                    Value::from(TIME)
                }
            }
            Value::String(text) => {
                if key.is_some_and(|key| OPAQUE_FIELDS.contains(&key)) && !text.is_empty() {
                    return Value::String(format!("<{}>", key.unwrap_or_default()));
                }
                // JSON inside a string (websocket payloads) is scrubbed as
                // JSON and stays a string.
                if text.starts_with('{') {
                    if let Ok(inner @ Value::Object(_)) = serde_json::from_str::<Value>(text) {
                        return Value::String(self.scrub(&inner).to_string());
                    }
                }
                Value::String(sort_direct_channel_name(self.scrub_text(text)))
            }
            _ => value.clone(),
        }
    }

    /// Replaces secrets, the site URL and every id inside a text.
    pub fn scrub_text(&mut self, text: &str) -> String {
        let mut text = text.to_owned();
        for (secret, placeholder) in &self.secrets {
            if !secret.is_empty() {
                text = text.replace(secret.as_str(), placeholder);
            }
        }
        if !self.site_url.is_empty() {
            text = text.replace(&self.site_url, "<site_url>");
        }
        let mut out = String::with_capacity(text.len());
        let mut run = String::new();
        for c in text.chars().chain(std::iter::once('\0')) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                run.push(c);
                continue;
            }
            if run.len() == 26 {
                out.push_str(&self.placeholder_for(&run));
            } else {
                out.push_str(&run);
            }
            run.clear();
            if c != '\0' {
                out.push(c);
            }
        }
        out
    }

    fn placeholder_for(&mut self, id: &str) -> String {
        if let Some(label) = self.labels.get(id) {
            return label.clone();
        }
        let next = self.unknown.len() + 1;
        self.unknown
            .entry(id.to_owned())
            .or_insert_with(|| format!("<id:{next}>"))
            .clone()
    }
}

/// A direct channel's name is its two user ids joined by `__`, smaller id
/// first; ids change every run, so the scrubbed parts are put in label
/// order to keep recordings stable.
fn sort_direct_channel_name(text: String) -> String {
    match text.split_once("__") {
        Some((a, b)) if is_placeholder(a) && is_placeholder(b) && a > b => format!("{b}__{a}"),
        _ => text,
    }
}

fn is_placeholder(text: &str) -> bool {
    text.starts_with('<') && text.ends_with('>') && !text[1..].contains('<')
}

/// Mattermost's time fields: `create_at`, `last_viewed_at`,
/// `last_picture_update`…
pub fn is_time_field(key: &str) -> bool {
    key.ends_with("_at")
        || key.ends_with("_update")
        || matches!(
            key,
            "time" | "timestamp" | "expires_at" | "received_at" | "since"
        )
}

/// True when a text still holds something shaped like a Mattermost id or
/// session token: a run of exactly 26 lowercase letters and digits.
pub fn contains_raw_id(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .any(|run| run.len() == 26)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER: &str = "8xk3h1u5ojgtfp1qjqyd5c5h3w";
    const OTHER: &str = "qq7n6e9gmbfxzcq4ygzq9jkb1a";
    const THIRD: &str = "a1b2c3d4e5f6g7h8i9j0k1l2m3";

    #[test]
    fn known_ids_get_labels_and_unknown_ids_stable_numbers() {
        let mut scrubber = Scrubber::new("http://127.0.0.1:4242");
        scrubber.label(USER, "user:anna.schulz");
        let scrubbed = scrubber.scrub(&json!({
            "user_id": USER,
            "order": [OTHER, THIRD, OTHER],
            "posts": {OTHER: {"id": OTHER}},
            "name": format!("{USER}__{OTHER}"),
        }));
        assert_eq!(
            scrubbed,
            json!({
                "user_id": "<user:anna.schulz>",
                "order": ["<id:1>", "<id:2>", "<id:1>"],
                "posts": {"<id:1>": {"id": "<id:1>"}},
                "name": "<id:1>__<user:anna.schulz>",
            })
        );
        scrubber.begin_recording();
        assert_eq!(scrubber.scrub(&json!(THIRD)), json!("<id:1>"));
    }

    #[test]
    fn labels_resolve_back_to_their_ids() {
        let mut scrubber = Scrubber::new("");
        scrubber.label(USER, "user:anna.schulz");
        assert_eq!(scrubber.id_of("user:anna.schulz"), Some(USER));
        assert_eq!(scrubber.id_of("user:nobody"), None);
        assert_eq!(
            scrubber.resolve("/users/<user:anna.schulz>/teams"),
            format!("/users/{USER}/teams")
        );
    }

    #[test]
    fn times_keep_their_type_and_zero_stays_zero() {
        let mut scrubber = Scrubber::new("");
        let scrubbed = scrubber.scrub(&json!({
            "create_at": 1764270000123_i64,
            "delete_at": 0,
            "last_picture_update": 1764270000999_i64,
            "msg_count": 8,
            "props": {"edited_at": 17},
            "last_viewed_at_times": {OTHER: 1764270000999_i64},
        }));
        assert_eq!(
            scrubbed,
            json!({
                "create_at": TIME,
                "delete_at": 0,
                "last_picture_update": TIME,
                "msg_count": 8,
                "props": {"edited_at": TIME},
                "last_viewed_at_times": {"<id:1>": TIME},
            })
        );
    }

    #[test]
    fn secrets_site_url_and_build_details_are_replaced() {
        let mut scrubber = Scrubber::new("http://127.0.0.1:4242");
        scrubber.secret("Pausenhof-Test-2026", "password");
        let scrubbed = scrubber.scrub(&json!({
            "SiteURL": "http://127.0.0.1:4242",
            "link": "http://127.0.0.1:4242/api/v4/users",
            "password": "Pausenhof-Test-2026",
            "BuildHash": "abcdef",
            "BuildDate": "",
            "Version": "11.4.0",
        }));
        assert_eq!(
            scrubbed,
            json!({
                "SiteURL": "<site_url>",
                "link": "<site_url>/api/v4/users",
                "password": "<password>",
                "BuildHash": "<BuildHash>",
                "BuildDate": "",
                "Version": "11.4.0",
            })
        );
    }

    #[test]
    fn json_inside_strings_is_scrubbed_and_stays_a_string() {
        let mut scrubber = Scrubber::new("");
        let post = json!({"id": OTHER, "create_at": 5}).to_string();
        let scrubbed = scrubber.scrub(&json!({"event": "posted", "data": {"post": post}}));
        let inner: Value =
            serde_json::from_str(scrubbed["data"]["post"].as_str().unwrap()).unwrap();
        assert_eq!(inner, json!({"id": "<id:1>", "create_at": TIME}));
    }

    #[test]
    fn words_that_are_not_26_characters_are_left_alone() {
        let mut scrubber = Scrubber::new("");
        let text = "api.user.login.invalid_credentials_email_username abcdefghijklmnopqrstuvwxyz0";
        assert_eq!(scrubber.scrub_text(text), text);
        assert!(contains_raw_id(&format!("/posts/{USER}/thread")));
        assert!(!contains_raw_id("/posts/<id:1>/thread"));
    }
}
