//! Scrubs the test server's answers by the rules the real-server recorder
//! used (`tests/recordings/README.md`, "Scrubbing"), so both can be compared
//! field by field: known ids become labels, other ids `<id:N>` in order of
//! first appearance, non-zero times one fixed number, secrets placeholders.

use std::collections::HashMap;

use serde_json::{Map, Value};

pub const TIME: i64 = 1_700_000_000_000;

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

#[derive(Default)]
pub struct Scrubber {
    /// id -> `<label>`
    labels: HashMap<String, String>,
    secrets: Vec<(String, String)>,
    site_url: String,
    unknown: HashMap<String, String>,
}

impl Scrubber {
    pub fn new(site_url: &str) -> Self {
        Self {
            site_url: site_url.to_owned(),
            ..Self::default()
        }
    }

    pub fn label(&mut self, id: &str, label: &str) {
        self.labels.insert(id.to_owned(), format!("<{label}>"));
    }

    /// The id behind a label such as `user:anna.schulz`.
    pub fn id_of(&self, label: &str) -> Option<&str> {
        let wanted = format!("<{label}>");
        self.labels
            .iter()
            .find(|(_, l)| **l == wanted)
            .map(|(id, _)| id.as_str())
    }

    /// Replaces every `<label>` in `text` by its id.
    pub fn resolve(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (id, label) in &self.labels {
            out = out.replace(label.as_str(), id);
        }
        out
    }

    pub fn secret(&mut self, value: &str, placeholder: &str) {
        self.secrets
            .push((value.to_owned(), format!("<{placeholder}>")));
        self.secrets
            .sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    }

    pub fn begin_recording(&mut self) {
        self.unknown.clear();
    }

    pub fn scrub(&mut self, value: &Value) -> Value {
        self.scrub_field(None, value)
    }

    fn scrub_field(&mut self, key: Option<&str>, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
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
                if let Some(key) = key.filter(|key| OPAQUE_FIELDS.contains(key)) {
                    if !text.is_empty() {
                        return Value::String(format!("<{key}>"));
                    }
                }
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

fn sort_direct_channel_name(text: String) -> String {
    match text.split_once("__") {
        Some((a, b)) if is_placeholder(a) && is_placeholder(b) && a > b => format!("{b}__{a}"),
        _ => text,
    }
}

fn is_placeholder(text: &str) -> bool {
    text.starts_with('<') && text.ends_with('>') && !text[1..].contains('<')
}

fn is_time_field(key: &str) -> bool {
    key.ends_with("_at")
        || key.ends_with("_update")
        || matches!(
            key,
            "time" | "timestamp" | "expires_at" | "received_at" | "since"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_numbers_times_and_secrets() {
        let mut s = Scrubber::new("http://127.0.0.1:1");
        s.label("aaaaaaaaaaaaaaaaaaaaaaaaaa", "user:anna");
        s.secret("geheim", "token");
        let out = s.scrub(&json!({
            "id": "aaaaaaaaaaaaaaaaaaaaaaaaaa",
            "other": "bbbbbbbbbbbbbbbbbbbbbbbbbb",
            "again": "bbbbbbbbbbbbbbbbbbbbbbbbbb",
            "create_at": 5, "delete_at": 0,
            "t": "x geheim y", "request_id": "r",
            "url": "http://127.0.0.1:1/x",
        }));
        assert_eq!(
            out,
            json!({
                "id": "<user:anna>", "other": "<id:1>", "again": "<id:1>",
                "create_at": TIME, "delete_at": 0, "t": "x <token> y",
                "request_id": "<request_id>", "url": "<site_url>/x",
            })
        );
        assert_eq!(
            s.resolve("/users/<user:anna>"),
            "/users/aaaaaaaaaaaaaaaaaaaaaaaaaa"
        );
    }
}
