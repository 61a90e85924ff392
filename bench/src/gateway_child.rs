//! The push gateway in a process of its own, so that its peak memory is
//! its own: it prints its URL, runs until its standard input closes, then
//! prints its peak resident memory as the last line.

use std::path::Path;

use push_gateway::{Config, Gateway};
use serde::{Deserialize, Serialize};
use std::io::Read;

use crate::memory::peak_rss_bytes;

pub const GATEWAY: &str = "child-gateway";

/// The first line the child prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Listening {
    pub url: String,
}

/// The last line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GatewayExit {
    pub peak_rss_bytes: u64,
}

/// What the measured gateway is configured with: the production defaults,
/// but loopback push services allowed, one loopback address standing for
/// every app, and a short answer deadline so that pushes to the stuck
/// service end within the run.
pub fn config(dir: &Path) -> Config {
    let mut config = Config::loopback(dir);
    config.limits.registration_burst = 1_000_000;
    config.limits.registrations_per_endpoint = 1;
    config.delivery.answer_within_seconds = 2;
    config
}

/// Child: serves until stdin closes.
pub fn run(dir: &Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let gateway = Gateway::start(config(dir)).await?;
        println!(
            "{}",
            serde_json::to_string(&Listening { url: gateway.url() })?
        );
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            std::io::stdin().read_to_end(&mut sink)
        })
        .await??;
        gateway.stop().await?;
        println!(
            "{}",
            serde_json::to_string(&GatewayExit {
                peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
            })?
        );
        anyhow::Ok(())
    })
}
