//! The layer around every handler: request ids, error bodies, latency, the
//! request log and the fault rules.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;
use crate::faults::{Action, Corruption};
use crate::ids::Id;
use crate::net::ConnectionKill;
use crate::shared::{RequestRecord, Shared};

/// Largest response body the corruption faults buffer.
const MAX_CORRUPTED_BODY: usize = 64 * 1024 * 1024;

pub async fn layer(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let request_id = Id::random().to_string();
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let kill = request.extensions().get::<ConnectionKill>().cloned();

    let latency = shared.rules.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let plan = shared.rules.plan(&method, &path);
    let mut response = match plan.before {
        Some(Action::RateLimit(retry_after)) => rate_limited(retry_after),
        Some(Action::Fail(status)) => ApiError::injected(status).into_response(),
        _ => next.run(request).await,
    };

    let mut from_router = false;
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        from_router = error.from_router;
        let body = error.body(&request_id, &path);
        *response.body_mut() = Body::from(body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("X-Request-Id", v);
    }
    if from_router {
        // Answered before Mattermost's handler wrapper, which sets the rest.
    } else if let Ok(v) = HeaderValue::from_str(&format!(
        "{}.{}",
        shared.config.version, shared.config.version
    )) {
        headers.insert("X-Version-Id", v);
    }
    let status = response.status().as_u16();
    shared.record(RequestRecord {
        method,
        path,
        query,
        status,
    });

    match plan.after {
        Some(Action::DropResponse) => {
            if let Some(kill) = kill {
                kill.0.notify_one();
            }
            // The connection task ends this request by dropping the
            // connection; nothing is ever sent.
            std::future::pending::<()>().await;
            response
        }
        Some(Action::Corrupt(how)) => corrupt(response, how).await,
        Some(Action::Hold(hold)) => {
            hold.hold().await;
            response
        }
        _ => response,
    }
}

fn rate_limited(retry_after: u64) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "limit exceeded\n").into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    for (name, value) in [
        ("Retry-After", retry_after.to_string()),
        ("X-RateLimit-Limit", "10".to_string()),
        ("X-RateLimit-Remaining", "0".to_string()),
        ("X-RateLimit-Reset", retry_after.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

async fn corrupt(response: Response, how: Corruption) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_CORRUPTED_BODY)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    match how {
        Corruption::Garbage => {
            let garbage = Bytes::from_static(b"{\"id\":\x00\xff<html>garbage\xfe not json");
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(garbage.len()));
            Response::from_parts(parts, Body::from(garbage))
        }
        Corruption::Truncate => {
            // Announce the full length, send half, then fail the body so the
            // connection is cut mid-response.
            let full = bytes.len().max(2);
            let half = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            // The pause lets hyper flush the status line and the first half
            // before the failing chunk cuts the connection.
            let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
            let cut = futures_util::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err::<Bytes, std::io::Error>(std::io::Error::other("truncated on purpose"))
            });
            let stream = futures_util::StreamExt::chain(first, cut);
            Response::from_parts(parts, Body::from_stream(stream))
        }
    }
}
