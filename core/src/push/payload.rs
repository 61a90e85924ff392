//! Decoding a push as the platform hands it over: either the full
//! Mattermost push message (`model.PushNotification`, possibly with the
//! message text) or the ids-only payload of the school's gateway (the same
//! field names, only ids, the type and the badge). The decoder reads the
//! ids and the type and ignores any text: what is shown always comes from
//! the server or the store, never from the push channel.

use serde::Deserialize;
use serde_json::Value;

/// A push bigger than this is not one: Web Push allows 4 KiB, APNs 4 KiB,
/// FCM 4 KiB; a Mattermost message with text fits easily.
pub const MAX_PUSH_PAYLOAD_BYTES: usize = 16 * 1024;
/// Mattermost ids are 26 characters; allow some room, nothing like text.
const MAX_ID_LEN: usize = 64;

/// The push types Mattermost sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    Message,
    /// The user read the channel (or thread) elsewhere.
    Clear,
    UpdateBadge,
    /// The session was ended on the server.
    Session,
    /// The admin's "send test notification".
    Test,
}

impl PushKind {
    fn parse(s: &str) -> Option<PushKind> {
        Some(match s {
            "message" => PushKind::Message,
            "clear" => PushKind::Clear,
            "update_badge" => PushKind::UpdateBadge,
            "session" => PushKind::Session,
            "test" => PushKind::Test,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PushKind::Message => "message",
            PushKind::Clear => "clear",
            PushKind::UpdateBadge => "update_badge",
            PushKind::Session => "session",
            PushKind::Test => "test",
        }
    }
}

/// What a push says, ids only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPayload {
    pub kind: PushKind,
    /// Empty when the sender did not ask for an acknowledgement.
    pub ack_id: String,
    /// The platform name the server used (`android_rn-v2`, ...), if sent.
    pub platform: String,
    /// The sending server's diagnostic id (its `DiagnosticId`): which
    /// account the push belongs to. Empty when not sent.
    pub server_id: String,
    pub post_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub team_id: String,
    pub sender_id: String,
    /// The app icon's badge; `None` when absent (the test push sends -1).
    pub badge: Option<i64>,
    /// The server sent only ids (licensed `id_loaded` mode).
    pub is_id_loaded: bool,
}

/// Why a push could not be read. Never contains the payload itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushPayloadError {
    #[error("push payload is {len} bytes, more than {max}")]
    TooLarge { len: usize, max: usize },
    #[error("push payload is not JSON")]
    NotJson,
    #[error("push payload is not a JSON object")]
    NotAnObject,
    #[error("push payload has no {0}")]
    Missing(&'static str),
    #[error("push payload field {0} is malformed")]
    Malformed(&'static str),
    #[error("push type is not one we know")]
    UnknownType,
}

/// The fields read, each lenient about type only where Mattermost varies
/// (`badge` is a number, sometimes sent as a string by other proxies).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    #[serde(rename = "type")]
    kind: Value,
    ack_id: Value,
    platform: Value,
    server_id: Value,
    post_id: Value,
    channel_id: Value,
    root_id: Value,
    team_id: Value,
    sender_id: Value,
    badge: Value,
    is_id_loaded: Value,
}

/// Decodes a push. Some platforms deliver the data as a map of strings
/// (FCM); their JSON rendering is accepted the same way.
pub fn decode_push(bytes: &[u8]) -> Result<PushPayload, PushPayloadError> {
    if bytes.len() > MAX_PUSH_PAYLOAD_BYTES {
        return Err(PushPayloadError::TooLarge {
            len: bytes.len(),
            max: MAX_PUSH_PAYLOAD_BYTES,
        });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| PushPayloadError::NotJson)?;
    if !value.is_object() {
        return Err(PushPayloadError::NotAnObject);
    }
    let raw: Raw = serde_json::from_value(value).map_err(|_| PushPayloadError::NotAnObject)?;
    let kind_name = text(&raw.kind, "type")?;
    if kind_name.is_empty() {
        return Err(PushPayloadError::Missing("type"));
    }
    let kind = PushKind::parse(&kind_name).ok_or(PushPayloadError::UnknownType)?;
    let payload = PushPayload {
        kind,
        ack_id: id(&raw.ack_id, "ack_id")?,
        platform: platform(&raw.platform)?,
        server_id: id(&raw.server_id, "server_id")?,
        post_id: id(&raw.post_id, "post_id")?,
        channel_id: id(&raw.channel_id, "channel_id")?,
        root_id: id(&raw.root_id, "root_id")?,
        team_id: id(&raw.team_id, "team_id")?,
        sender_id: id(&raw.sender_id, "sender_id")?,
        badge: badge(&raw.badge)?,
        is_id_loaded: flag(&raw.is_id_loaded, "is_id_loaded")?,
    };
    match kind {
        PushKind::Message if payload.post_id.is_empty() => {
            Err(PushPayloadError::Missing("post_id"))
        }
        PushKind::Message | PushKind::Clear if payload.channel_id.is_empty() => {
            Err(PushPayloadError::Missing("channel_id"))
        }
        _ => Ok(payload),
    }
}

fn text(value: &Value, field: &'static str) -> Result<String, PushPayloadError> {
    match value {
        Value::Null => Ok(String::new()),
        Value::String(s) if s.len() <= MAX_ID_LEN => Ok(s.clone()),
        _ => Err(PushPayloadError::Malformed(field)),
    }
}

/// An id: ASCII letters and digits (Mattermost ids), nothing else.
fn id(value: &Value, field: &'static str) -> Result<String, PushPayloadError> {
    let s = text(value, field)?;
    if s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(s)
    } else {
        Err(PushPayloadError::Malformed(field))
    }
}

fn platform(value: &Value) -> Result<String, PushPayloadError> {
    let s = text(value, "platform")?;
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(s)
    } else {
        Err(PushPayloadError::Malformed("platform"))
    }
}

fn badge(value: &Value) -> Result<Option<i64>, PushPayloadError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .filter(|b| (-1..=1_000_000).contains(b))
            .map(Some)
            .ok_or(PushPayloadError::Malformed("badge")),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => s
            .parse::<i64>()
            .ok()
            .filter(|b| (-1..=1_000_000).contains(b))
            .map(Some)
            .ok_or(PushPayloadError::Malformed("badge")),
        _ => Err(PushPayloadError::Malformed("badge")),
    }
}

fn flag(value: &Value, field: &'static str) -> Result<bool, PushPayloadError> {
    match value {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" || s.is_empty() => Ok(false),
        _ => Err(PushPayloadError::Malformed(field)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const POST: &str = "p1234567890123456789012345";
    const CHANNEL: &str = "c1234567890123456789012345";

    #[test]
    fn a_full_mattermost_push_gives_its_ids_and_never_its_text() {
        let bytes = serde_json::to_vec(&json!({
            "ack_id": "a1234567890123456789012345", "platform": "android_rn-v2",
            "server_id": "s1", "device_id": "tok", "post_id": POST, "category": "CAN_REPLY",
            "message": "Anna: geheimer Text", "badge": 3, "team_id": "t1",
            "channel_id": CHANNEL, "root_id": "", "channel_name": "Klasse 7b",
            "type": "message", "sender_id": "u1", "sender_name": "Anna",
            "version": "v2", "is_crt_enabled": false, "is_id_loaded": false
        }))
        .unwrap();
        let p = decode_push(&bytes).unwrap();
        assert_eq!(p.kind, PushKind::Message);
        assert_eq!(p.post_id, POST);
        assert_eq!(p.channel_id, CHANNEL);
        assert_eq!(p.badge, Some(3));
        assert_eq!(p.platform, "android_rn-v2");
        assert_eq!(p.server_id, "s1");
        assert!(!format!("{p:?}").contains("geheim"));
    }

    #[test]
    fn an_ids_only_gateway_push_decodes() {
        let bytes = br#"{"type":"message","post_id":"p1","channel_id":"c1","badge":1}"#;
        let p = decode_push(bytes).unwrap();
        assert_eq!((p.post_id.as_str(), p.badge), ("p1", Some(1)));
        assert!(p.ack_id.is_empty() && p.platform.is_empty() && p.server_id.is_empty());
    }

    #[test]
    fn every_type_decodes_with_what_it_needs() {
        for (kind, body) in [
            (
                PushKind::Clear,
                json!({"type":"clear","channel_id":"c1","badge":0}),
            ),
            (
                PushKind::UpdateBadge,
                json!({"type":"update_badge","badge":"2"}),
            ),
            (PushKind::Session, json!({"type":"session"})),
            (PushKind::Test, json!({"type":"test","badge":-1})),
        ] {
            let p = decode_push(&serde_json::to_vec(&body).unwrap()).unwrap();
            assert_eq!(p.kind, kind);
        }
    }

    #[test]
    fn bad_payloads_are_typed_errors() {
        let cases: Vec<(Vec<u8>, PushPayloadError)> = vec![
            (b"not json".to_vec(), PushPayloadError::NotJson),
            (b"{\"type\":\"message\"".to_vec(), PushPayloadError::NotJson),
            (b"[1,2]".to_vec(), PushPayloadError::NotAnObject),
            (b"\"message\"".to_vec(), PushPayloadError::NotAnObject),
            (b"{}".to_vec(), PushPayloadError::Missing("type")),
            (
                br#"{"type":"party"}"#.to_vec(),
                PushPayloadError::UnknownType,
            ),
            (
                br#"{"type":5}"#.to_vec(),
                PushPayloadError::Malformed("type"),
            ),
            (
                br#"{"type":"message","channel_id":"c1"}"#.to_vec(),
                PushPayloadError::Missing("post_id"),
            ),
            (
                br#"{"type":"message","post_id":"p1"}"#.to_vec(),
                PushPayloadError::Missing("channel_id"),
            ),
            (
                br#"{"type":"clear"}"#.to_vec(),
                PushPayloadError::Missing("channel_id"),
            ),
            (
                br#"{"type":"session","server_id":"../other"}"#.to_vec(),
                PushPayloadError::Malformed("server_id"),
            ),
            (
                br#"{"type":"message","post_id":"../../users/me","channel_id":"c"}"#.to_vec(),
                PushPayloadError::Malformed("post_id"),
            ),
            (
                br#"{"type":"message","post_id":["p"],"channel_id":"c"}"#.to_vec(),
                PushPayloadError::Malformed("post_id"),
            ),
            (
                br#"{"type":"update_badge","badge":1e30}"#.to_vec(),
                PushPayloadError::Malformed("badge"),
            ),
            (
                br#"{"type":"update_badge","badge":"viele"}"#.to_vec(),
                PushPayloadError::Malformed("badge"),
            ),
            (
                br#"{"type":"message","post_id":"p","channel_id":"c","is_id_loaded":"ja"}"#
                    .to_vec(),
                PushPayloadError::Malformed("is_id_loaded"),
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                decode_push(&bytes),
                Err(expected.clone()),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }

    #[test]
    fn hostile_sizes_are_refused_before_parsing() {
        let huge = format!(
            r#"{{"type":"message","post_id":"p","channel_id":"c","message":"{}"}}"#,
            "x".repeat(MAX_PUSH_PAYLOAD_BYTES)
        );
        assert!(matches!(
            decode_push(huge.as_bytes()),
            Err(PushPayloadError::TooLarge { .. })
        ));
        let long_id = format!(
            r#"{{"type":"message","post_id":"{}","channel_id":"c"}}"#,
            "p".repeat(65)
        );
        assert_eq!(
            decode_push(long_id.as_bytes()),
            Err(PushPayloadError::Malformed("post_id"))
        );
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(decode_push(deep.as_bytes()).is_err());
    }

    #[test]
    fn errors_never_repeat_the_payload() {
        let err = decode_push(br#"{"type":"message","post_id":"Geheimnis!","channel_id":"c"}"#)
            .unwrap_err();
        assert!(!err.to_string().contains("Geheimnis"));
    }
}
