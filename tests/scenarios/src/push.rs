//! The app side of private push, as a scenario needs it: a UnifiedPush
//! distributor on loopback (what ntfy or another distributor would be on
//! the phone's side), the app's RFC 8291 keys and gateway registration,
//! and the registrar that deletes that registration on withdrawal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::BoxFuture;
use pausenhof_core::push::{
    Delivery, PushDevice, PushPlatform, PushRegistrar, RegistrarError, UnifiedPushEndpoint,
};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use web_push_native::p256::elliptic_curve::rand_core::{OsRng, RngCore};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
use web_push_native::p256::SecretKey;
use web_push_native::Auth;

/// One Web Push as the push service received it.
#[derive(Debug)]
pub struct Received {
    /// The last path segment of the endpoint it was posted to.
    pub device: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Received {
    /// Everything the push service saw, as bytes: path, headers, body.
    pub fn as_seen(&self) -> Vec<u8> {
        let mut seen = self.device.as_bytes().to_vec();
        for (name, value) in &self.headers {
            seen.extend(name.as_str().as_bytes());
            seen.extend(value.as_bytes());
        }
        seen.extend(&self.body);
        seen
    }
}

#[derive(Clone)]
struct DistributorState {
    received: mpsc::UnboundedSender<Received>,
    gone: Arc<Mutex<Vec<String>>>,
}

async fn receive_push(
    State(state): State<DistributorState>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    if state
        .gone
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&device)
    {
        return StatusCode::GONE;
    }
    let _ = state.received.send(Received {
        device,
        headers,
        body: body.to_vec(),
    });
    StatusCode::CREATED
}

/// A push service on 127.0.0.1:0 that accepts every push (201) except for
/// devices marked gone (410).
pub struct Distributor {
    url: String,
    received: mpsc::UnboundedReceiver<Received>,
    gone: Arc<Mutex<Vec<String>>>,
}

impl Distributor {
    pub async fn start() -> Result<Distributor> {
        let (tx, rx) = mpsc::unbounded_channel();
        let gone = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/up/{device}", post(receive_push))
            .with_state(DistributorState {
                received: tx,
                gone: gone.clone(),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Distributor {
            url,
            received: rx,
            gone,
        })
    }

    /// The UnifiedPush endpoint for a device.
    pub fn endpoint(&self, device: &str) -> String {
        format!("{}/up/{device}", self.url)
    }

    /// From now on the device's subscription is gone (410).
    pub fn uninstall(&self, device: &str) {
        self.gone
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(device.to_string());
    }

    /// The next push, waiting at most `patience` (a hang guard).
    pub async fn next(&mut self, patience: Duration) -> Result<Received> {
        tokio::time::timeout(patience, self.received.recv())
            .await
            .context("no push reached the distributor")?
            .context("the distributor stopped")
    }

    /// Whether no push is waiting now.
    pub fn nothing_pending(&mut self) -> bool {
        self.received.try_recv().is_err()
    }
}

/// The app's Web Push keys (RFC 8291): the key pair and auth secret the
/// distributor's endpoint is registered with (`p256dh`/`auth`).
pub struct AppKeys {
    key: SecretKey,
    auth: [u8; 16],
}

impl AppKeys {
    pub fn generate() -> AppKeys {
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        AppKeys {
            key: SecretKey::random(&mut OsRng),
            auth,
        }
    }

    /// What the app hands the core after the distributor gave it `endpoint`.
    pub fn endpoint(&self, endpoint: &str) -> UnifiedPushEndpoint {
        UnifiedPushEndpoint {
            url: endpoint.to_owned(),
            p256dh: URL_SAFE_NO_PAD
                .encode(self.key.public_key().to_encoded_point(false).as_bytes()),
            auth: URL_SAFE_NO_PAD.encode(self.auth),
        }
    }

    /// Decrypts a push with the app's keys.
    pub fn decrypt(&self, received: &Received) -> Result<Vec<u8>> {
        web_push_native::decrypt(
            received.body.clone(),
            &self.key,
            &Auth::clone_from_slice(&self.auth),
        )
        .map_err(|e| anyhow::anyhow!("the app's keys do not decrypt the push: {e}"))
    }
}

/// What the app holds for its UnifiedPush registration when it registers
/// at the gateway itself: its keys and the gateway's answer.
pub struct AppDevice {
    keys: AppKeys,
    pub token: String,
    pub secret: String,
}

impl AppDevice {
    /// Registers `endpoint` at the gateway, as the app does after the
    /// distributor gave it an endpoint.
    pub async fn register(
        http: &reqwest::Client,
        gateway: &str,
        endpoint: &str,
    ) -> Result<AppDevice> {
        let keys = AppKeys::generate();
        let endpoint = keys.endpoint(endpoint);
        let response = http
            .post(format!("{gateway}/api/v1/unifiedpush/registrations"))
            .json(&json!({
                "endpoint": endpoint.url,
                "p256dh": endpoint.p256dh,
                "auth": endpoint.auth,
            }))
            .send()
            .await?;
        if response.status() != reqwest::StatusCode::CREATED {
            bail!(
                "the gateway refused the registration: {}",
                response.status()
            );
        }
        let answer: Value = response.json().await?;
        let field = |name: &str| {
            answer[name]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("registration answer without {name}"))
        };
        Ok(AppDevice {
            keys,
            token: field("token")?,
            secret: field("secret")?,
        })
    }

    /// Decrypts a push with the app's keys (RFC 8291).
    pub fn decrypt(&self, received: &Received) -> Result<Vec<u8>> {
        self.keys.decrypt(received)
    }

    /// What the core registers with the server session.
    pub fn push_device(&self) -> PushDevice {
        PushDevice {
            delivery: Delivery::UnifiedPush,
            platform: PushPlatform::Android,
            token: self.token.clone(),
        }
    }

    /// Whether the gateway still had the registration, deleting it if so
    /// (only a delete of an existing registration with its secret is 204).
    pub async fn gateway_still_had(&self, http: &reqwest::Client, gateway: &str) -> Result<bool> {
        let status = http
            .delete(format!(
                "{gateway}/api/v1/unifiedpush/registrations/{}",
                self.token
            ))
            .bearer_auth(&self.secret)
            .send()
            .await?
            .status();
        Ok(status == reqwest::StatusCode::NO_CONTENT)
    }
}

/// The platform layer's half of withdrawal for UnifiedPush: deletes the
/// gateway registration with the secret only the app holds.
pub struct GatewayRegistrar {
    http: reqwest::Client,
    gateway: String,
    secrets: Mutex<HashMap<String, String>>,
}

impl GatewayRegistrar {
    pub fn new(http: reqwest::Client, gateway: &str) -> Arc<GatewayRegistrar> {
        Arc::new(GatewayRegistrar {
            http,
            gateway: gateway.to_string(),
            secrets: Mutex::new(HashMap::new()),
        })
    }

    /// Keeps the device's deletion secret (the app's secret store).
    pub fn remember(&self, device: &AppDevice) {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(device.token.clone(), device.secret.clone());
    }
}

impl PushRegistrar for GatewayRegistrar {
    fn unregister(&self, device: PushDevice) -> BoxFuture<'static, Result<(), RegistrarError>> {
        let secret = self
            .secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&device.token)
            .cloned()
            .unwrap_or_default();
        let request = self
            .http
            .delete(format!(
                "{}/api/v1/unifiedpush/registrations/{}",
                self.gateway, device.token
            ))
            .bearer_auth(secret);
        Box::pin(async move {
            let status = request
                .send()
                .await
                .map_err(|e| RegistrarError {
                    reason: format!("gateway unreachable: {e}"),
                })?
                .status();
            // 404: already gone, which is what withdrawal wants.
            if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
                Ok(())
            } else {
                Err(RegistrarError {
                    reason: format!("gateway answered {status}"),
                })
            }
        })
    }
}

/// A reqwest client for loopback (plain http; no roots needed).
pub fn loopback_http() -> Result<reqwest::Client> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()?)
}

/// The fields an ids-only push may have.
pub const IDS_ONLY_FIELDS: [&str; 9] = [
    "type",
    "version",
    "server_id",
    "ack_id",
    "team_id",
    "channel_id",
    "post_id",
    "root_id",
    "badge",
];
