//! Sends Mattermost push-proxy requests (`POST {url}/api/v1/send_push`).

use std::sync::Arc;

use serde_json::{json, Value};

use crate::config::PushContents;
use crate::ids::Id;
use crate::state::{CreatedPost, PushCandidate};

/// Longest device id the server stores.
pub const MAX_DEVICE_ID_LEN: usize = 512;

/// Stands in for the real server's signature (its private key over the
/// device's token): opaque to the proxy, different per server and device.
fn signature(server_id: Id, token: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{server_id}:{token}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

pub struct Pusher {
    url: Option<String>,
    client: Option<reqwest::Client>,
}

fn build_client() -> Option<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .ok()
}

/// Everything a push message is made of.
pub struct PushInput<'a> {
    pub created: &'a CreatedPost,
    pub contents: PushContents,
    pub licensed: bool,
    pub server_id: Id,
}

impl Pusher {
    pub fn new(url: Option<String>) -> Pusher {
        let client = url.as_ref().and_then(|_| build_client());
        Pusher {
            url: url.map(|u| u.trim_end_matches('/').to_string()),
            client,
        }
    }

    /// The push-proxy payloads for a new post, one per device.
    pub fn payloads(input: &PushInput<'_>) -> Vec<Value> {
        let created = input.created;
        let post = &created.post;
        let contents = match input.contents {
            PushContents::IdLoaded if !input.licensed => PushContents::Generic,
            c => c,
        };
        let is_dm = created.channel_type == crate::model::ChannelType::Direct;
        let message_text = post["message"].as_str().unwrap_or("");
        let mut out = Vec::new();
        for PushCandidate {
            device_ids, badge, ..
        } in &created.push
        {
            for device in device_ids {
                let (platform, token) = device.split_once(':').unwrap_or(("", device));
                let mut v = json!({
                    "ack_id": Id::random(),
                    "platform": platform,
                    "server_id": input.server_id,
                    "device_id": token,
                    "post_id": post["id"],
                    "category": "CAN_REPLY",
                    "badge": badge,
                    "channel_id": post["channel_id"],
                    "type": "message",
                    "sender_id": post["user_id"],
                    "version": "v2",
                    // Collapsed threads are on by default on current servers.
                    "is_crt_enabled": true,
                    "is_id_loaded": contents == PushContents::IdLoaded,
                    "signature": signature(input.server_id, token),
                });
                let m = v.as_object_mut().expect("object literal");
                // Empty ids are left out, as the real server's omitempty does.
                if let Some(team) = created.team_id {
                    m.insert("team_id".into(), json!(team));
                }
                if post["root_id"].as_str().is_some_and(|r| !r.is_empty()) {
                    m.insert("root_id".into(), post["root_id"].clone());
                }
                match contents {
                    PushContents::IdLoaded => {
                        m.insert("message".into(), json!("You've received a new message."));
                    }
                    PushContents::GenericNoChannel => {
                        m.insert("sender_name".into(), json!(created.sender_name));
                        m.insert(
                            "message".into(),
                            json!(format!("{} sent you a message.", created.sender_name)),
                        );
                    }
                    PushContents::Generic => {
                        m.insert("sender_name".into(), json!(created.sender_name));
                        // A direct channel is named after the sender.
                        let channel_name = if is_dm {
                            &created.sender_name
                        } else {
                            &created.channel_name
                        };
                        m.insert("channel_name".into(), json!(channel_name));
                        m.insert(
                            "message".into(),
                            json!(format!("{} posted a message.", created.sender_name)),
                        );
                    }
                    PushContents::Full => {
                        m.insert("sender_name".into(), json!(created.sender_name));
                        // A direct channel is named after the sender.
                        let channel_name = if is_dm {
                            &created.sender_name
                        } else {
                            &created.channel_name
                        };
                        m.insert("channel_name".into(), json!(channel_name));
                        m.insert(
                            "message".into(),
                            json!(if is_dm {
                                message_text.to_string()
                            } else {
                                format!("{}: {}", created.sender_name, message_text)
                            }),
                        );
                    }
                }
                out.push(v);
            }
        }
        out
    }

    /// Sends in the background; the proxy's answer `REMOVE` is reported back
    /// through `on_remove` so the device id is forgotten.
    pub fn send(&self, payloads: Vec<Value>, on_remove: impl Fn(String) + Send + Sync + 'static) {
        let (Some(url), Some(client)) = (self.url.clone(), self.client.clone()) else {
            return;
        };
        let on_remove = Arc::new(on_remove);
        for payload in payloads {
            let client = client.clone();
            let endpoint = format!("{url}/api/v1/send_push");
            let on_remove = on_remove.clone();
            tokio::spawn(async move {
                let device = format!(
                    "{}:{}",
                    payload["platform"].as_str().unwrap_or(""),
                    payload["device_id"].as_str().unwrap_or("")
                );
                let Ok(response) = client.post(&endpoint).json(&payload).send().await else {
                    return;
                };
                if let Ok(body) = response.json::<Value>().await {
                    if body["status"] == "REMOVE" {
                        on_remove(device);
                    }
                }
            });
        }
    }
}
