//! What comes in from Mattermost and the little that goes out to a push
//! service.
//!
//! The server's push message may carry the message text, the sender's name
//! and the channel's name (depending on `PushNotificationContents`). We
//! deserialize only the ids, so the content never even lands in our
//! structs, and we forward only fields shaped like ids: whatever a server
//! (or someone posing as one) puts in them, no free text reaches a push
//! service. The app fetches the content from the school's server itself.

use serde::{Deserialize, Serialize};

/// Mattermost's push-proxy request (`model.PushNotification`), reduced to
/// the fields we read. Unknown fields, including `message`,
/// `sender_name` and `channel_name`, are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IncomingPush {
    pub ack_id: String,
    pub platform: String,
    pub server_id: String,
    pub device_id: String,
    pub post_id: String,
    pub channel_id: String,
    pub root_id: String,
    pub team_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub version: String,
    pub badge: Option<i64>,
}

/// The push types Mattermost sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushKind {
    Message,
    Clear,
    UpdateBadge,
    Session,
    Test,
}

impl PushKind {
    fn parse(kind: &str) -> Option<PushKind> {
        Some(match kind {
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

/// What the app receives, encrypted, through its distributor. Field names
/// are Mattermost's, so the app handles the same shape it would get from
/// any push proxy; empty fields are left out.
///
/// `badge` is included: it is a small count, and a push service that sees
/// every push's timing (including the `clear` pushes after reading)
/// learns little more from it, while the app can set its icon badge
/// without waking the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingPush {
    #[serde(rename = "type")]
    pub kind: PushKind,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub server_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ack_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub team_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub post_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub root_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<u32>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("missing server id")]
    MissingServerId,
    #[error("missing device id")]
    MissingDeviceId,
    #[error("unsupported push type")]
    UnsupportedType,
}

/// Mattermost ids are 26 lowercase base32 characters; we accept a little
/// more (any id-like token up to 64 characters) and nothing that could be
/// text. A field that is not id-shaped is dropped, not forwarded.
fn id_or_empty(value: &str) -> String {
    let id_like = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if id_like {
        value.to_string()
    } else {
        String::new()
    }
}

/// The registration token from a push's `device_id`. The server has
/// already split `<platform>:<token>`; a token is base64url, so anything
/// else cannot be ours.
pub fn registration_token(device_id: &str) -> Option<&str> {
    let token = device_id.rsplit(':').next().unwrap_or(device_id);
    let plausible = (16..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then_some(token)
}

impl IncomingPush {
    /// Checks what the real push proxy checks (server and device id) and
    /// keeps only the ids.
    pub fn minimise(&self) -> Result<OutgoingPush, PayloadError> {
        if self.server_id.is_empty() {
            return Err(PayloadError::MissingServerId);
        }
        if self.device_id.is_empty() {
            return Err(PayloadError::MissingDeviceId);
        }
        let kind = PushKind::parse(&self.kind).ok_or(PayloadError::UnsupportedType)?;
        let version = if self.version.len() <= 8 {
            id_or_empty(&self.version)
        } else {
            String::new()
        };
        Ok(OutgoingPush {
            kind,
            version,
            server_id: id_or_empty(&self.server_id),
            ack_id: id_or_empty(&self.ack_id),
            team_id: id_or_empty(&self.team_id),
            channel_id: id_or_empty(&self.channel_id),
            post_id: id_or_empty(&self.post_id),
            root_id: id_or_empty(&self.root_id),
            badge: self
                .badge
                .map(|b| u32::try_from(b.clamp(0, 99_999)).unwrap_or(0)),
        })
    }
}

impl OutgoingPush {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("plain struct serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full_message_push() -> serde_json::Value {
        json!({
            "ack_id": "k3d8e5mbq7bnpgh9tq3xk1hyxc",
            "platform": "android_rn-v2",
            "server_id": "93mykbogbjfrbbdqphx3zhze5c",
            "device_id": "q5X0m1xS6c8h3YbqM1aQ9xK2vT7nJ4pL0wRzE8uF6dA",
            "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
            "category": "CAN_REPLY",
            "message": "Frau Schulz: Die Mathearbeit wird verschoben",
            "badge": 3,
            "team_id": "t1t1t1t1t1t1t1t1t1t1t1t1t1",
            "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
            "root_id": "",
            "channel_name": "Klasse 7b Eltern",
            "type": "message",
            "sender_id": "s1s1s1s1s1s1s1s1s1s1s1s1s1",
            "sender_name": "Frau Schulz",
            "override_username": "Sekretariat",
            "version": "v2",
            "is_crt_enabled": false,
            "is_id_loaded": false
        })
    }

    fn minimise(value: serde_json::Value) -> Result<OutgoingPush, PayloadError> {
        serde_json::from_value::<IncomingPush>(value)
            .unwrap()
            .minimise()
    }

    #[test]
    fn full_contents_become_ids_only() {
        let out = minimise(full_message_push()).unwrap();
        let bytes = out.to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        for secret in [
            "Mathearbeit",
            "Frau Schulz",
            "Klasse 7b",
            "Sekretariat",
            "s1s1s1s1",
            "CAN_REPLY",
            "android_rn",
            "q5X0m1xS",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            value,
            json!({
                "type": "message",
                "version": "v2",
                "server_id": "93mykbogbjfrbbdqphx3zhze5c",
                "ack_id": "k3d8e5mbq7bnpgh9tq3xk1hyxc",
                "team_id": "t1t1t1t1t1t1t1t1t1t1t1t1t1",
                "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
                "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1",
                "badge": 3
            })
        );
    }

    #[test]
    fn text_smuggled_into_id_fields_is_dropped() {
        let mut push = full_message_push();
        push["post_id"] = json!("Treffen um 15 Uhr im Raum 204");
        push["channel_id"] = json!("x".repeat(65));
        push["version"] = json!("v2-with-a-long-tail");
        let out = minimise(push).unwrap();
        assert_eq!(out.post_id, "");
        assert_eq!(out.channel_id, "");
        assert_eq!(out.version, "");
        let text = String::from_utf8(out.to_bytes()).unwrap();
        assert!(!text.contains("Treffen"));
        assert!(!text.contains("post_id"));
    }

    #[test]
    fn clear_and_badge_pushes_pass_with_their_ids() {
        let out = minimise(json!({
            "type": "clear", "server_id": "srv", "device_id": "tok",
            "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1", "badge": 0, "version": "v2"
        }))
        .unwrap();
        assert_eq!(out.kind, PushKind::Clear);
        assert_eq!(out.badge, Some(0));
        let out = minimise(json!({
            "type": "update_badge", "server_id": "srv", "device_id": "tok", "badge": -5
        }))
        .unwrap();
        assert_eq!(out.kind, PushKind::UpdateBadge);
        assert_eq!(out.badge, Some(0));
        let out = minimise(json!({
            "type": "message", "server_id": "srv", "device_id": "tok", "badge": 1_000_000_000_000i64
        }))
        .unwrap();
        assert_eq!(out.badge, Some(99_999));
    }

    #[test]
    fn missing_ids_and_unknown_types_are_refused() {
        let mut push = full_message_push();
        push["server_id"] = json!("");
        assert_eq!(minimise(push), Err(PayloadError::MissingServerId));
        let mut push = full_message_push();
        push.as_object_mut().unwrap().remove("device_id");
        assert_eq!(minimise(push), Err(PayloadError::MissingDeviceId));
        let mut push = full_message_push();
        push["type"] = json!("exfiltrate");
        assert_eq!(minimise(push), Err(PayloadError::UnsupportedType));
    }

    #[test]
    fn wrongly_typed_fields_are_a_decode_error_not_a_panic() {
        let bad = json!({"type": "message", "badge": "three", "server_id": 5});
        assert!(serde_json::from_value::<IncomingPush>(bad).is_err());
    }

    #[test]
    fn registration_token_from_device_id() {
        let token = "q5X0m1xS6c8h3YbqM1aQ9xK2vT7nJ4pL0wRzE8uF6dA";
        assert_eq!(registration_token(token), Some(token));
        assert_eq!(
            registration_token(&format!("android_rn-v2:{token}")),
            Some(token)
        );
        assert_eq!(registration_token("short"), None);
        assert_eq!(registration_token("has spaces in it, so not ours"), None);
        assert_eq!(registration_token(&"a".repeat(200)), None);
    }
}
