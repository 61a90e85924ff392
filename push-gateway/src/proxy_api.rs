//! The Mattermost side: `POST /api/v1/send_push` and `POST /api/v1/ack`,
//! answered the way mattermost-push-proxy answers.

use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

use crate::apns::ApnsSender;
use crate::app::{AppState, SendReport};
use crate::metrics::{FailedBecause, Metrics, RemovedBecause};
use crate::payload::{registration_token, IncomingPush, PushKind};
use crate::redact;
use crate::store::{ApnsTarget, RegistrationStore, Target, WebPushTarget};
use crate::webpush::{Delivery, Urgency};

/// `{"status": "OK" | "FAIL" | "REMOVE", "error"?: ...}`; `REMOVE` makes
/// the Mattermost server forget the device id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status")]
pub enum PushResponse {
    #[serde(rename = "OK")]
    Ok,
    #[serde(rename = "FAIL")]
    Fail { error: String },
    #[serde(rename = "REMOVE")]
    Remove,
}

impl PushResponse {
    fn fail(error: &str) -> PushResponse {
        PushResponse::Fail {
            error: error.to_string(),
        }
    }

    pub fn status(&self) -> &'static str {
        match self {
            PushResponse::Ok => "OK",
            PushResponse::Fail { .. } => "FAIL",
            PushResponse::Remove => "REMOVE",
        }
    }
}

/// The answer Mattermost gets for a delivery outcome. Only `Gone` removes
/// the device: everything else may pass, and a wrongly removed device id
/// stays silent until the app registers again.
pub fn response_for(delivery: &Delivery) -> PushResponse {
    match delivery {
        Delivery::Accepted => PushResponse::Ok,
        Delivery::Gone => PushResponse::Remove,
        Delivery::TooLarge => PushResponse::fail("push too large for the push service"),
        Delivery::RateLimited { .. } => PushResponse::fail("push service rate limit"),
        Delivery::Redirected { .. } => PushResponse::fail("push service redirected"),
        Delivery::Rejected { .. } => PushResponse::fail("push service refused the push"),
        Delivery::Unreachable => PushResponse::fail("push service unreachable"),
        Delivery::BadKeys => PushResponse::fail("registration keys unusable"),
        Delivery::Forbidden => PushResponse::fail("push endpoint not allowed"),
    }
}

/// How a delivery outcome is counted in `/metrics`.
fn count(metrics: &Metrics, delivery: &Delivery) {
    let reason = match delivery {
        Delivery::Accepted => return metrics.count_delivery(),
        Delivery::Gone => return metrics.count_removal(RemovedBecause::Gone),
        Delivery::TooLarge => FailedBecause::TooLarge,
        Delivery::RateLimited { .. } => FailedBecause::RateLimited,
        Delivery::Redirected { .. } => FailedBecause::Redirected,
        Delivery::Rejected { .. } => FailedBecause::Rejected,
        Delivery::Unreachable => FailedBecause::Unreachable,
        Delivery::BadKeys => FailedBecause::BadKeys,
        Delivery::Forbidden => FailedBecause::Forbidden,
    };
    metrics.count_failure(reason);
}

fn ttl_and_urgency(kind: PushKind, state: &AppState) -> (Duration, Urgency) {
    let delivery = &state.config.delivery;
    match kind {
        PushKind::Message | PushKind::Session => (
            Duration::from_secs(delivery.message_ttl_seconds.into()),
            Urgency::High,
        ),
        PushKind::Clear | PushKind::UpdateBadge | PushKind::Test => (
            Duration::from_secs(delivery.housekeeping_ttl_seconds.into()),
            Urgency::Normal,
        ),
    }
}

/// Mattermost posts its JSON without a `Content-Type` header, so the body
/// is parsed whatever the header says (or does not say).
pub async fn send_push(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> (StatusCode, Json<PushResponse>) {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::warn!("send_push: body too large");
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(PushResponse::fail("message body too large")),
            );
        }
        Err(_) => Bytes::new(),
    };
    let parsed = serde_json::from_slice::<IncomingPush>(&bytes).ok();
    let Some(incoming) = parsed else {
        tracing::warn!("send_push: unreadable body");
        return (
            StatusCode::BAD_REQUEST,
            Json(PushResponse::fail("Failed to read message body")),
        );
    };
    let outgoing = match incoming.minimise() {
        Ok(outgoing) => outgoing,
        Err(e) => {
            tracing::warn!(error = %e, "send_push refused");
            return (
                StatusCode::BAD_REQUEST,
                Json(PushResponse::fail(&e.to_string())),
            );
        }
    };
    let deadline = state.config.delivery.answer_within();
    let response = match tokio::time::timeout(deadline, deliver(&state, &incoming, &outgoing)).await
    {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(kind = outgoing.kind.as_str(), "push not delivered in time");
            state.metrics.count_failure(FailedBecause::Timeout);
            state.report(None, PushResponse::fail("push not delivered in time"))
        }
    };
    (StatusCode::OK, Json(response))
}

/// Where one registration's push goes. Every push service, APNs
/// included, is a lane of the dispatcher: a slow one holds back only its
/// own pushes.
#[derive(Clone, Copy)]
enum Route<'a> {
    WebPush(&'a WebPushTarget),
    Apns(&'a ApnsSender, &'a ApnsTarget),
}

async fn deliver(
    state: &AppState,
    incoming: &IncomingPush,
    outgoing: &crate::payload::OutgoingPush,
) -> PushResponse {
    let Some(token) = registration_token(&incoming.device_id) else {
        tracing::info!(
            kind = outgoing.kind.as_str(),
            "device id is not one of ours"
        );
        state.metrics.count_removal(RemovedBecause::Unknown);
        return state.report(None, PushResponse::Remove);
    };
    let fingerprint = redact::fingerprint(token);
    let registration = match state.store.find(token).await {
        Ok(Some(registration)) => registration,
        Ok(None) => {
            tracing::info!(registration = %fingerprint, "unknown registration");
            state.metrics.count_removal(RemovedBecause::Unknown);
            return state.report(Some(fingerprint), PushResponse::Remove);
        }
        Err(e) => {
            tracing::error!(error = %e, "registration lookup failed");
            state.metrics.count_failure(FailedBecause::Storage);
            return state.report(
                Some(fingerprint),
                PushResponse::fail("gateway storage error"),
            );
        }
    };
    if registration
        .retry_after_until
        .is_some_and(|until| until > SystemTime::now())
    {
        tracing::info!(registration = %fingerprint, "push service asked for a pause");
        state.metrics.count_failure(FailedBecause::RateLimited);
        return state.report(
            Some(fingerprint),
            PushResponse::fail("push service rate limit"),
        );
    }
    let route = match (&registration.target, state.apns.as_deref()) {
        (Target::WebPush(web), _) => Route::WebPush(web),
        (Target::Apns(device), Some(apns)) => Route::Apns(apns, device),
        (Target::Apns(_), None) => {
            // Not REMOVE: the device is fine, the gateway's config is not.
            tracing::error!(registration = %fingerprint, "APNs registration, but no [apns] configured");
            state.metrics.count_failure(FailedBecause::NotConfigured);
            return state.report(
                Some(fingerprint),
                PushResponse::fail("gateway has no APNs configured"),
            );
        }
    };
    let push_service = match route {
        Route::WebPush(web) => redact::endpoint_host(&web.endpoint),
        Route::Apns(apns, _) => apns.host().to_owned(),
    };
    let ticket = match state.dispatcher.admit(&push_service) {
        Ok(ticket) => ticket,
        Err(refused) => {
            tracing::warn!(registration = %fingerprint, %push_service, %refused, "push not queued");
            state.metrics.count_failure(FailedBecause::Busy);
            return state.report(Some(fingerprint), PushResponse::fail(&refused.to_string()));
        }
    };
    let (ttl, urgency) = ttl_and_urgency(outgoing.kind, state);
    let delivery = ticket
        .run(async {
            match route {
                Route::WebPush(web) => {
                    let payload = outgoing.to_bytes();
                    state.sender.deliver(web, &payload, ttl, urgency).await
                }
                Route::Apns(apns, device) => apns.deliver(device, outgoing, ttl).await,
            }
        })
        .await;
    let bookkeeping = match &delivery {
        Delivery::Gone => state.store.delete(token).await.map(drop),
        Delivery::RateLimited { until } => state.store.set_retry_after(token, *until).await,
        Delivery::Accepted if registration.retry_after_until.is_some() => {
            state.store.clear_retry_after(token).await
        }
        _ => Ok(()),
    };
    if let Err(e) = bookkeeping {
        tracing::error!(error = %e, registration = %fingerprint, "registration update failed");
    }
    count(&state.metrics, &delivery);
    let response = response_for(&delivery);
    tracing::info!(
        registration = %fingerprint,
        %push_service,
        kind = outgoing.kind.as_str(),
        status = response.status(),
        outcome = ?delivery,
        "push handled"
    );
    state.report(Some(fingerprint), response)
}

impl AppState {
    fn report(&self, registration: Option<String>, response: PushResponse) -> PushResponse {
        // Nobody listening is normal (no embedder asked for reports).
        let _ = self.reports.send(SendReport {
            registration,
            response: response.clone(),
        });
        response
    }
}

/// Mattermost forwards the app's receipt acknowledgements here; the real
/// proxy only counts them. We log the type and answer OK.
pub async fn ack(body: Result<Bytes, BytesRejection>) -> Json<PushResponse> {
    let parsed = body
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    if let Some(ack) = parsed {
        let kind = ack.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let kind = if kind.len() <= 16 { kind } else { "" };
        tracing::debug!(kind, "push acknowledged");
    }
    Json(PushResponse::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn responses_serialize_like_the_real_proxy() {
        assert_eq!(
            serde_json::to_value(PushResponse::Ok).unwrap(),
            json!({"status": "OK"})
        );
        assert_eq!(
            serde_json::to_value(PushResponse::Remove).unwrap(),
            json!({"status": "REMOVE"})
        );
        assert_eq!(
            serde_json::to_value(PushResponse::fail("boom")).unwrap(),
            json!({"status": "FAIL", "error": "boom"})
        );
    }

    #[test]
    fn only_gone_removes_the_device() {
        let now = SystemTime::now();
        let cases = [
            (Delivery::Accepted, "OK"),
            (Delivery::Gone, "REMOVE"),
            (Delivery::TooLarge, "FAIL"),
            (Delivery::RateLimited { until: now }, "FAIL"),
            (Delivery::Redirected { status: 301 }, "FAIL"),
            (Delivery::Rejected { status: 403 }, "FAIL"),
            (Delivery::Unreachable, "FAIL"),
            (Delivery::BadKeys, "FAIL"),
            (Delivery::Forbidden, "FAIL"),
        ];
        for (delivery, status) in cases {
            assert_eq!(response_for(&delivery).status(), status, "{delivery:?}");
        }
    }
}
