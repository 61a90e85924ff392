//! Wiring: shared state, routes, and the running gateway.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::{broadcast, oneshot};

use crate::apns::{ApnsError, ApnsSender};
use crate::config::Config;
use crate::dispatch::Dispatcher;
use crate::egress::{EgressPolicy, Lookup, SystemLookup};
use crate::limits::RegistrationRate;
use crate::metrics::Metrics;
use crate::proxy_api::{self, PushResponse};
use crate::registration_api;
use crate::store::{RegistrationStore, Store, StoreError};
use crate::vapid::{VapidError, VapidKey};
use crate::webpush::{ClientSetupError, WebPushSender};

/// Where the apps find the registration API on the school's Mattermost
/// origin (`https://chat.schule.example/pausenhof-push/...`). A reverse
/// proxy may pass the prefix on or strip it; both work.
pub const APP_PATH_PREFIX: &str = "/pausenhof-push";

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
    /// Set when the config has an `[apns]` table.
    pub apns: Option<Arc<ApnsSender>>,
    pub vapid: Arc<VapidKey>,
    pub reports: broadcast::Sender<SendReport>,
    pub egress: EgressPolicy,
    pub lookup: Arc<dyn Lookup>,
    pub registration_rate: Arc<RegistrationRate>,
    pub metrics: Arc<Metrics>,
    pub dispatcher: Arc<Dispatcher>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vapid(#[from] VapidError),
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    #[error(transparent)]
    Apns(#[from] ApnsError),
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

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(state.dispatcher.queued()),
    )
}

/// Mattermost's routes (`send_push`, `ack`) and monitoring stay at the
/// root only: the prefixed tree is what a public reverse proxy exposes,
/// and it holds nothing but the registration API.
pub fn router(state: AppState) -> Router {
    let mattermost = Router::new()
        .route("/api/v1/send_push", post(proxy_api::send_push))
        .route("/api/v1/ack", post(proxy_api::ack))
        .layer(DefaultBodyLimit::max(MAX_SEND_PUSH_BODY));
    let apps = app_routes();
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .merge(mattermost)
        .nest(APP_PATH_PREFIX, app_routes())
        .merge(apps)
        .with_state(state)
}

fn app_routes() -> Router<AppState> {
    Router::new()
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
        .route("/api/v1/apns", get(registration_api::apns_info))
        .route(
            "/api/v1/apns/registrations",
            post(registration_api::register_apns),
        )
        .route(
            "/api/v1/apns/registrations/{token}",
            delete(registration_api::unregister),
        )
        .layer(DefaultBodyLimit::max(MAX_APP_BODY))
}

/// A running gateway.
pub struct Gateway {
    addr: SocketAddr,
    reports: broadcast::Sender<SendReport>,
    shutdown: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Gateway {
    /// Opens the database, loads (or creates) the VAPID key, reads the
    /// APNs key when configured and listens.
    pub async fn start(config: Config) -> Result<Gateway, StartError> {
        Gateway::start_with_lookup(config, Arc::new(SystemLookup)).await
    }

    /// As [`Gateway::start`], resolving push endpoints' names through
    /// `lookup` (tests give names the addresses they need).
    pub async fn start_with_lookup(
        config: Config,
        lookup: Arc<dyn Lookup>,
    ) -> Result<Gateway, StartError> {
        let store = Store::open(&config.database).await?;
        let vapid = Arc::new(VapidKey::load_or_create(
            &config.vapid_private_key,
            &config.vapid_subject,
        )?);
        let egress = EgressPolicy {
            allow_loopback: config.allow_loopback_http_endpoints,
        };
        let sender = Arc::new(WebPushSender::new(
            vapid.clone(),
            config.delivery.clone(),
            egress,
            lookup.clone(),
        )?);
        let apns = match &config.apns {
            Some(settings) => {
                let sender = ApnsSender::from_settings(settings, config.delivery.clone())?;
                tracing::info!(
                    push_service = sender.host(),
                    environment = settings.environment.as_str(),
                    "delivering to APNs"
                );
                Some(Arc::new(sender))
            }
            None => None,
        };
        let dispatcher = Arc::new(Dispatcher::new(&config.delivery));
        let registration_rate = Arc::new(RegistrationRate::new(
            config.limits.registration_burst,
            config.limits.registrations_per_hour,
        ));
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
            apns,
            vapid,
            reports: reports.clone(),
            egress,
            lookup,
            registration_rate,
            metrics: Arc::new(Metrics::default()),
            dispatcher,
        };
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
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
