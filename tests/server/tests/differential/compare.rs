//! Field-by-field comparison of a recorded (scrubbed) real-server answer with
//! the test server's scrubbed answer.

use std::collections::HashMap;

use serde_json::Value;

/// One difference: where (`body.posts.<post:created>.metadata`) and what.
#[derive(Debug, Clone)]
pub struct Difference {
    pub path: String,
    pub what: String,
}

/// Compares `expected` (recorded) with `actual`. Numbered ids (`<id:N>`)
/// only have to correspond one to one: the numbers depend on the order in
/// which ids first appear, not on what they are.
pub fn compare(expected: &Value, actual: &Value, path: &str, out: &mut Vec<Difference>) {
    let mut ids = IdMatch::default();
    walk(expected, actual, path, &mut ids, out);
}

#[derive(Default)]
struct IdMatch {
    forward: HashMap<String, String>,
    backward: HashMap<String, String>,
}

impl IdMatch {
    fn matches(&mut self, expected: &str, actual: &str) -> bool {
        let (Some(e), Some(a)) = (numbered_ids(expected), numbered_ids(actual)) else {
            return false;
        };
        if e.len() != a.len() || strip_ids(expected) != strip_ids(actual) {
            return false;
        }
        for (e, a) in e.into_iter().zip(a) {
            let forward = self.forward.entry(e.clone()).or_insert_with(|| a.clone());
            let backward = self.backward.entry(a.clone()).or_insert_with(|| e.clone());
            if *forward != a || *backward != e {
                return false;
            }
        }
        true
    }
}

/// The `<id:N>` placeholders in a text, or None when it has none.
fn numbered_ids(text: &str) -> Option<Vec<String>> {
    let found: Vec<String> = text
        .match_indices("<id:")
        .filter_map(|(start, _)| {
            text[start..]
                .find('>')
                .map(|end| text[start..start + end + 1].to_owned())
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

fn strip_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<id:") {
        out.push_str(&rest[..start]);
        out.push_str("<id>");
        rest = rest[start..]
            .find('>')
            .map_or("", |end| &rest[start + end + 1..]);
    }
    out.push_str(rest);
    out
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn walk(
    expected: &Value,
    actual: &Value,
    path: &str,
    ids: &mut IdMatch,
    out: &mut Vec<Difference>,
) {
    let differ = |out: &mut Vec<Difference>, what: String| {
        out.push(Difference {
            path: path.to_owned(),
            what,
        })
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            // Keys may hold numbered ids too (maps keyed by id).
            let mut unmatched: Vec<&String> = a.keys().collect();
            for (key, e_value) in e {
                let found = if let Some(a_value) = a.get(key) {
                    Some((key, a_value))
                } else if numbered_ids(key).is_some() {
                    unmatched
                        .iter()
                        .copied()
                        .find(|k| !e.contains_key(*k) && ids.matches(key, k))
                        .map(|k| (k, &a[k]))
                } else {
                    None
                };
                match found {
                    Some((a_key, a_value)) => {
                        unmatched.retain(|k| *k != a_key);
                        walk(e_value, a_value, &format!("{path}.{key}"), ids, out);
                    }
                    None => out.push(Difference {
                        path: format!("{path}.{key}"),
                        what: format!("missing (real server: {})", short(e_value)),
                    }),
                }
            }
            for key in unmatched {
                out.push(Difference {
                    path: format!("{path}.{key}"),
                    what: format!("not on the real server (test server: {})", short(&a[key])),
                });
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                differ(
                    out,
                    format!("{} items, real server has {}", a.len(), e.len()),
                );
            }
            for (index, (e, a)) in e.iter().zip(a).enumerate() {
                walk(e, a, &format!("{path}[{index}]"), ids, out);
            }
        }
        (Value::String(e), Value::String(a)) => {
            if e != a && !ids.matches(e, a) {
                // JSON inside a string (websocket payloads) compares as JSON.
                match (
                    serde_json::from_str::<Value>(e),
                    serde_json::from_str::<Value>(a),
                ) {
                    (Ok(e @ Value::Object(_)), Ok(a @ Value::Object(_))) => {
                        walk(&e, &a, &format!("{path}(json)"), ids, out)
                    }
                    _ => differ(out, format!("{a:?}, real server {e:?}")),
                }
            }
        }
        (e, a) if kind(e) != kind(a) => differ(
            out,
            format!(
                "{} {}, real server {} {}",
                kind(a),
                short(a),
                kind(e),
                short(e)
            ),
        ),
        (e, a) => {
            if e != a {
                differ(out, format!("{a}, real server {e}"));
            }
        }
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(e: Value, a: Value) -> Vec<String> {
        let mut out = Vec::new();
        compare(&e, &a, "body", &mut out);
        out.into_iter()
            .map(|d| format!("{} {}", d.path, d.what))
            .collect()
    }

    #[test]
    fn numbered_ids_must_correspond_one_to_one() {
        assert!(diff(json!(["<id:1>", "<id:1>"]), json!(["<id:2>", "<id:2>"])).is_empty());
        assert_eq!(
            diff(json!(["<id:1>", "<id:2>"]), json!(["<id:3>", "<id:3>"])).len(),
            1
        );
        assert!(diff(json!({"<id:1>": 1}), json!({"<id:7>": 1})).is_empty());
    }

    #[test]
    fn types_keys_and_values_are_reported() {
        let found = diff(
            json!({"a": 1, "b": "x", "c": [1]}),
            json!({"a": "1", "b": "y", "d": null}),
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(diff(
            json!({"a": [1, {"b": true}]}),
            json!({"a": [1, {"b": true}]})
        )
        .is_empty());
    }
}
