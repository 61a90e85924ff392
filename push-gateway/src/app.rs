//! Wiring: shared state, routes, and the running gateway.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::{broadcast, oneshot};

use crate::config::Config;
use crate::proxy_api::{self, PushResponse};
use crate::registration_api;
use crate::store::{Store, StoreError};
use crate::vapid::{VapidError, VapidKey};
use crate::webpush::{ClientSetupError, WebPushSender};

/// Mattermost's push messages are well under this even with full text.
const MAX_SEND_PUSH_BODY: usize = 64 * 1024;
const MAX_APP_BODY: usize = 8 * 1024;

/// The answer given to one `send_push`, for whoever embeds the gateway and
/// wants to follow what it does (the end-to-end tests do). The
/// registration appears as its log fingerprint only.
#[derive(Debug, Clone)]
pub struct SendReport {
    pub registration: Option<String>,
    pub response: PushResponse,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    pub sender: Arc<WebPushSender>,
    pub vapid: Arc<VapidKey>,
    pub reports: broadcast::Sender<SendReport>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vapid(#[from] VapidError),
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

async fn health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
        }
    }
}

pub fn router(state: AppState) -> Router {
    let mattermost = Router::new()
        .route("/api/v1/send_push", post(proxy_api::send_push))
        .layer(DefaultBodyLimit::max(MAX_SEND_PUSH_BODY));
    let apps = Router::new()
        .route("/api/v1/ack", post(proxy_api::ack))
        .route(
            "/api/v1/unifiedpush/vapid",
            get(registration_api::vapid_key),
        )
        .route(
            "/api/v1/unifiedpush/registrations",
            post(registration_api::register),
        )
        .route(
            "/api/v1/unifiedpush/registrations/{token}",
            delete(registration_api::unregister),
        )
        .layer(DefaultBodyLimit::max(MAX_APP_BODY));
    Router::new()
        .route("/health", get(health))
        .merge(mattermost)
        .merge(apps)
        .with_state(state)
}

/// A running gateway.
pub struct Gateway {
    addr: SocketAddr,
    reports: broadcast::Sender<SendReport>,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Gateway {
    /// Opens the database, loads (or creates) the VAPID key and listens.
    pub async fn start(config: Config) -> Result<Gateway, StartError> {
        let store = Store::open(&config.database)?;
        let vapid = Arc::new(VapidKey::load_or_create(
            &config.vapid_private_key,
            &config.vapid_subject,
        )?);
        let sender = Arc::new(WebPushSender::new(vapid.clone(), config.delivery.clone())?);
        let (reports, _) = broadcast::channel(256);
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Listen {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
        let state = AppState {
            config: Arc::new(config),
            store,
            sender,
            vapid,
            reports: reports.clone(),
        };
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, "push gateway listening");
        Ok(Gateway {
            addr,
            reports,
            shutdown,
            task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: what Mattermost's `PushNotificationServer` is set to
    /// (behind the school's TLS proxy in production).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every `send_push` answer from now on.
    pub fn reports(&self) -> broadcast::Receiver<SendReport> {
        self.reports.subscribe()
    }

    /// Stops accepting, lets running requests finish.
    pub async fn stop(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(());
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}
