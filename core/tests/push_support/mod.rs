//! Test doubles for push: a loopback push proxy that knows which tokens
//! are live (like the school's gateway: unknown tokens get `REMOVE`), and a
//! registrar that records deletions.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use futures_util::future::BoxFuture;
use pausenhof_core::push::{PushDevice, PushRegistrar, RegistrarError};
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::Client;
use serde_json::{json, Value};

#[derive(Default)]
pub struct ProxyState {
    pub live: Mutex<HashSet<String>>,
    pub received: Mutex<Vec<Value>>,
}

/// A push proxy on 127.0.0.1:0; returns its base URL and state.
pub async fn start_proxy() -> (String, Arc<ProxyState>) {
    let state = Arc::new(ProxyState::default());
    let app = Router::new()
        .route("/api/v1/send_push", post(send_push))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, state)
}

async fn send_push(State(state): State<Arc<ProxyState>>, Json(body): Json<Value>) -> Json<Value> {
    let token = body["device_id"].as_str().unwrap_or("").to_owned();
    state.received.lock().unwrap().push(body);
    if state.live.lock().unwrap().contains(&token) {
        Json(json!({"status": "OK"}))
    } else {
        Json(json!({"status": "REMOVE"}))
    }
}

/// Records the tokens it was asked to delete; can be told to fail.
#[derive(Default)]
pub struct RecordingRegistrar {
    pub deleted: Mutex<Vec<String>>,
    pub failing: std::sync::atomic::AtomicBool,
}

impl PushRegistrar for RecordingRegistrar {
    fn unregister(&self, device: PushDevice) -> BoxFuture<'static, Result<(), RegistrarError>> {
        let result = if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            Err(RegistrarError {
                reason: "gateway unreachable".into(),
            })
        } else {
            self.deleted.lock().unwrap().push(device.token);
            Ok(())
        };
        Box::pin(async move { result })
    }
}

pub fn client(data_dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Client {
    Client::builder(data_dir)
        .secret_store(secrets)
        .build()
        .unwrap()
}
