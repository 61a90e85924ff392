//! What every handler shares: the data, the websocket hub, the fault rules,
//! the request log and the push sender.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::ServerConfig;
use crate::events::Event;
use crate::faults::Rules;
use crate::ids::Id;
use crate::push::Pusher;
use crate::state::State;
use crate::ws::Hub;

/// One HTTP request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

pub struct Shared {
    pub config: ServerConfig,
    pub state: Mutex<State>,
    pub hub: Hub,
    pub rules: Rules,
    pub log: Mutex<Vec<RequestRecord>>,
    pub request_count: AtomicU64,
    pub pusher: Pusher,
    /// Mattermost's diagnostic id, sent as `server_id` in pushes.
    pub server_id: Id,
    /// Every push-proxy payload the server decided to send.
    pub pushes: Mutex<Vec<serde_json::Value>>,
    /// Every `POST /notifications/ack` body.
    pub acks: Mutex<Vec<serde_json::Value>>,
    /// `http://127.0.0.1:PORT`, known once the listener is bound.
    pub site_url: std::sync::OnceLock<String>,
}

impl Shared {
    pub fn new(config: ServerConfig, state: State) -> Shared {
        let pusher = Pusher::new(config.push_proxy_url.clone());
        Shared {
            hub: Hub::new(config.dead_queue_ttl),
            config,
            state: Mutex::new(state),
            rules: Rules::default(),
            log: Mutex::new(Vec::new()),
            request_count: AtomicU64::new(0),
            pusher,
            server_id: Id::random(),
            pushes: Mutex::new(Vec::new()),
            acks: Mutex::new(Vec::new()),
            site_url: std::sync::OnceLock::new(),
        }
    }

    /// The server's own URL (Mattermost's `SiteURL`).
    pub fn site_url(&self) -> String {
        self.site_url.get().cloned().unwrap_or_default()
    }

    /// The data. Never held across an await.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn publish(&self, events: Vec<Event>) {
        for e in events {
            self.hub.publish(&e);
        }
    }

    pub fn record_pushes(&self, payloads: &[serde_json::Value]) {
        self.pushes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(payloads.iter().cloned());
    }

    /// Sends pushes in the background; a proxy answering `REMOVE` makes the
    /// server forget that device id.
    pub fn send_pushes(self: &Arc<Self>, payloads: Vec<serde_json::Value>) {
        let weak = Arc::downgrade(self);
        self.pusher.send(payloads, move |device| {
            if let Some(shared) = weak.upgrade() {
                for session in shared.state().sessions.values_mut() {
                    if session.device_id == device {
                        session.device_id.clear();
                    }
                }
            }
        });
    }

    pub fn record(&self, record: RequestRecord) {
        self.request_count.fetch_add(1, Ordering::SeqCst);
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(record);
    }

    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn reset_request_log(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.request_count.store(0, Ordering::SeqCst);
    }
}
