//! The download floor: the same requests a sync made, with the same
//! parallelism (see [`ReplayPlan`]), through the same HTTP client setup,
//! reading each answer to the end and doing nothing with it. What a sync
//! costs beyond this is our processing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use futures_util::future::try_join_all;
use tokio::sync::watch;

use crate::exchange::ReplayPlan;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloorRun {
    pub elapsed: Duration,
    pub requests: usize,
    pub response_bytes: u64,
}

/// Tracks which plan entries are done and how long the finished prefix is.
struct Progress {
    done: Mutex<Vec<bool>>,
    prefix: watch::Sender<usize>,
}

impl Progress {
    fn finish(&self, index: usize) {
        let Ok(mut done) = self.done.lock() else {
            return;
        };
        done[index] = true;
        let prefix = done.iter().take_while(|d| **d).count();
        self.prefix.send_if_modified(|p| {
            let grew = prefix > *p;
            *p = prefix.max(*p);
            grew
        });
    }
}

/// Replays `plan` against `base_url` (the same server the recording saw).
pub async fn replay(
    http: &reqwest::Client,
    base_url: &str,
    plan: &ReplayPlan,
) -> anyhow::Result<FloorRun> {
    let base = base_url.trim_end_matches('/');
    let (prefix, _) = watch::channel(0usize);
    let progress = Arc::new(Progress {
        done: Mutex::new(vec![false; plan.requests.len()]),
        prefix,
    });
    let started = Instant::now();
    let fetches = plan.requests.iter().enumerate().map(|(index, request)| {
        let progress = progress.clone();
        let mut ready = progress.prefix.subscribe();
        async move {
            ready
                .wait_for(|p| *p >= request.after_first)
                .await
                .context("replay progress lost")?;
            let method = reqwest::Method::from_bytes(request.method.as_bytes())?;
            let mut outgoing = http.request(method, format!("{base}{}", request.path));
            for (name, value) in &request.headers {
                outgoing = outgoing.header(name.as_str(), value.as_str());
            }
            let answer = outgoing
                .body(request.body.clone())
                .send()
                .await
                .with_context(|| format!("floor request {}", request.path))?;
            let bytes = answer.bytes().await?.len() as u64;
            progress.finish(index);
            anyhow::Ok(bytes)
        }
    });
    // Each fetch waits for its own predecessors; all are polled together.
    let sizes = try_join_all(fetches).await?;
    let elapsed = started.elapsed();
    let response_bytes: u64 = sizes.iter().sum();
    ensure!(
        response_bytes == plan.response_bytes(),
        "the floor downloaded {response_bytes} bytes, the recording had {}",
        plan.response_bytes()
    );
    Ok(FloorRun {
        elapsed,
        requests: sizes.len(),
        response_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{exchange, ReplayPlan};
    use crate::recorder::{plain_tls_config, Recorder};
    use axum::extract::Path;
    use axum::routing::get;

    async fn server() -> (String, tokio::task::JoinHandle<()>) {
        let app = axum::Router::new().route(
            "/bytes/{n}",
            get(|Path(n): Path<usize>| async move { "b".repeat(n) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        (url, task)
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .tls_backend_preconfigured(plain_tls_config().unwrap())
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn replays_the_same_bytes_in_dependency_order() {
        let (url, _server) = server().await;
        let recorder = Recorder::start(&url).await.unwrap();
        let plan = ReplayPlan::from_exchanges(&[
            exchange("/bytes/100", 0, 10, 100),
            exchange("/bytes/2000", 0, 12, 2000),
            exchange("/bytes/30000", 20, 30, 30000),
            exchange("/bytes/7", 31, 32, 7),
        ]);
        let run = replay(&http(), &recorder.url(), &plan).await.unwrap();
        assert_eq!(run.requests, 4);
        assert_eq!(run.response_bytes, 32_107);
        let seen = recorder.take();
        assert_eq!(seen.len(), 4);
        let find = |p: &str| seen.iter().find(|e| e.path == p).unwrap();
        // The third waited for the first two, the fourth for the third.
        assert!(find("/bytes/100").happened_before(find("/bytes/30000")));
        assert!(find("/bytes/2000").happened_before(find("/bytes/30000")));
        assert!(find("/bytes/30000").happened_before(find("/bytes/7")));
        assert_eq!(crate::exchange::sequential_round_trips(&seen, u64::MAX), 3);
    }

    #[tokio::test]
    async fn a_different_answer_size_is_an_error() {
        let (url, _server) = server().await;
        let plan = ReplayPlan::from_exchanges(&[exchange("/bytes/10", 0, 1, 11)]);
        let error = replay(&http(), &url, &plan).await.unwrap_err();
        assert!(error.to_string().contains("10 bytes"), "{error:#}");
    }
}
