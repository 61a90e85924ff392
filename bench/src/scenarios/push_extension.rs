//! The iOS notification service extension's push: iOS ends an extension
//! that uses more than about 24 MB. Measured here is the core's part, in a
//! new process each time (the extension is started for a push): a teacher
//! writes to the account, the school's gateway would turn Mattermost's
//! push into its APNs body (ids only; made here with the gateway's own
//! code), and the child hands that body to `Client::handle_push`, which
//! restores the account, fetches the message from the server and makes
//! the notification's content.
//!
//! The same processes give the user-felt figures of issue #18: the time
//! from the moment the process is started (exec and loading included) to
//! the notification's title and body, and the requests the core made to
//! the server for it, counted by the recording proxy. The account's store
//! is the app's after its last sync (the channel, the membership and the
//! sender are in it); only the message is new.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context};
use pausenhof_core::push::{Delivery, PushDevice, PushPlatform};
use push_gateway::payload::IncomingPush;

use super::School;
use crate::account;
use crate::child::{self, PushRun};
use crate::memory::MIB;
use crate::recorder::now_us;
use crate::report::{Better, Figure};
use crate::stats::median;

/// Issue #18's targets for a push in a fresh process.
pub const PUSH_TARGET_MS: f64 = 100.0;
pub const PUSH_TARGET_REQUESTS: f64 = 1.0;

/// About what iOS allows a notification service extension before it ends
/// it.
pub const EXTENSION_LIMIT_MIB: f64 = 24.0;

/// The gateway's token, as the app would put it on its session.
const DEVICE_TOKEN: &str = "benchPushExtensionGatewayToken0123456789abc";

pub struct Synced {
    pub dir: PathBuf,
    pub posts: u64,
}

/// `--only push`: the archive account signed in and synced (the newest
/// posts of each channel, not the whole history).
pub async fn synced_archive(school: &School) -> anyhow::Result<Synced> {
    let dir = school.dir("push-archive");
    let client = account::sign_in(
        &dir,
        &school.url(),
        &school.archive.username,
        &school.archive.password,
    )
    .await?;
    client.sync().await?;
    let posts = client
        .store()?
        .read(|c| Ok(c.query_row("SELECT count(*) FROM posts", [], |r| r.get::<_, i64>(0))?))
        .await? as u64;
    Ok(Synced { dir, posts })
}

/// Consents to push on the account in `dir`, registers the device and
/// opens a direct message from the admin, as the app would (so the
/// channel and the admin are in the store, as after a sync): what a push
/// will be about.
async fn prepare(school: &School, dir: &Path) -> anyhow::Result<String> {
    let client = account::restore(dir).await?;
    client
        .grant_push_consent(Delivery::PlatformPush, "bench")
        .await?;
    client
        .register_push_device(PushDevice {
            delivery: Delivery::PlatformPush,
            platform: PushPlatform::Apple,
            token: DEVICE_TOKEN.to_owned(),
        })
        .await?;
    Ok(client.open_direct_message(&school.account.user_id).await?)
}

/// The APNs body the gateway sends for Mattermost's push `push`.
fn apns_body(push: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    let incoming: IncomingPush = serde_json::from_value(push.clone())?;
    let outgoing = incoming
        .minimise()
        .map_err(|e| anyhow::anyhow!("the gateway refuses the push: {e}"))?;
    push_gateway::apns::payload(&outgoing).context("the gateway sends nothing to APNs")
}

pub async fn measure(
    school: &School,
    dir: &Path,
    cached_posts: u64,
    runs: usize,
) -> anyhow::Result<Vec<Figure>> {
    let direct = prepare(school, dir).await?;
    let payload_file = school.dir("push-payload.json");
    let mut elapsed = Vec::new();
    let mut from_start = Vec::new();
    let mut requests = Vec::new();
    // Each route with the number of runs that asked for it.
    let mut routes: Vec<(String, usize)> = Vec::new();
    let mut peak_rss = 0u64;
    for run in 0..runs {
        let text = format!("Bench push {run}: Elternabend am Donnerstag um 19 Uhr");
        school
            .server
            .post_as(&school.account.user_id, &direct, &text);
        let push = school
            .server
            .sent_pushes()
            .into_iter()
            .rev()
            .find(|p| p["device_id"] == DEVICE_TOKEN)
            .context("the server sent no push to the device")?;
        let body = apns_body(&push)?;
        ensure!(
            !String::from_utf8_lossy(&body).contains("Elternabend"),
            "the APNs body carries text"
        );
        std::fs::write(&payload_file, &body)?;
        school.proxy.take();
        let spawned_us = now_us();
        let (report, _): (PushRun, _) = child::spawn(&[
            child::PUSH,
            &dir.to_string_lossy(),
            &payload_file.to_string_lossy(),
        ])
        .await?;
        let exchanges = school.proxy.take();
        ensure!(
            report.body == text,
            "the notification shows {:?}, not the message",
            report.body
        );
        elapsed.push(report.elapsed_ms);
        from_start.push(report.ready_us.saturating_sub(spawned_us) as f64 / 1000.0);
        requests.push(exchanges.len() as f64);
        let mut asked: Vec<String> = exchanges
            .iter()
            .map(|e| format!("{} {}", e.method, route_of(&e.path)))
            .collect();
        asked.sort();
        asked.dedup();
        for route in asked {
            match routes.iter_mut().find(|(r, _)| *r == route) {
                Some((_, runs)) => *runs += 1,
                None => routes.push((route, 1)),
            }
        }
        peak_rss = peak_rss.max(report.peak_rss_bytes);
    }
    let felt_median = median(&from_start).unwrap_or(f64::NAN);
    let felt_max = from_start.iter().copied().fold(0.0, f64::max);
    let most_requests = requests.iter().copied().fold(0.0, f64::max);
    let fewest_requests = requests.iter().copied().fold(f64::INFINITY, f64::min);
    let peak_mib = peak_rss as f64 / MIB;
    let time_median = median(&elapsed).unwrap_or(f64::NAN);
    let time_max = elapsed.iter().copied().fold(0.0, f64::max);
    eprintln!(
        "bench: handle_push peak RSS {peak_mib:.1} MiB of the extension's ~{EXTENSION_LIMIT_MIB:.0} MB ({:.0} %)",
        100.0 * peak_mib / EXTENSION_LIMIT_MIB
    );
    Ok(vec![
        Figure::new("push_extension_peak_rss", peak_mib, "MiB", Better::Lower)
            .target(EXTENSION_LIMIT_MIB)
            .compared_to(format!(
                "VmHWM of a new process running handle_push on an APNs ids-only push (restore, fetch the post, notification content), highest of {runs}, {cached_posts} posts cached; the iOS notification service extension is ended at about {EXTENSION_LIMIT_MIB:.0} MB ({:.0} % used; Linux x86_64 here, the bench binary's own code included)",
                100.0 * peak_mib / EXTENSION_LIMIT_MIB
            )),
        Figure::new("push_extension_time", time_median, "ms", Better::Lower).compared_to(format!(
            "median of {runs} new processes from start to notification content, post fetched from the test server on loopback (max {time_max:.1} ms)"
        )),
        Figure::new("push_to_notification_time", felt_median, "ms", Better::Lower)
            .target(PUSH_TARGET_MS)
            .compared_to(format!(
                "median of {runs} ids-only pushes, each from starting a new process (exec and loading included) to the notification's title and body, message fetched from the test server on loopback, the store of the app's last sync present (max {felt_max:.1} ms)"
            )),
        Figure::new(
            "push_to_notification_requests",
            most_requests,
            "requests",
            Better::Lower,
        )
        .target(PUSH_TARGET_REQUESTS)
        .compared_to(format!(
            "most of {runs} pushes (fewest {fewest_requests:.0}), every request the new process made to the server, with the runs that made it: {}",
            routes
                .iter()
                .map(|(route, n)| format!("{route} ({n} of {runs})"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    ])
}

/// A request's path without its query and with ids as `{id}`, so that
/// the runs' requests can be named together.
fn route_of(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|segment| {
            let is_id = segment.len() == 26
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if is_id {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn routes_name_ids_and_drop_queries() {
        assert_eq!(
            route_of("/api/v4/posts/p1p1p1p1p1p1p1p1p1p1p1p1p1?x=1"),
            "/api/v4/posts/{id}"
        );
        assert_eq!(
            route_of("/api/v4/notifications/ack"),
            "/api/v4/notifications/ack"
        );
    }

    #[test]
    fn the_apns_body_is_the_gateways_ids_only_alert() {
        let push = json!({
            "type": "message", "server_id": "srv", "device_id": DEVICE_TOKEN,
            "post_id": "p1p1p1p1p1p1p1p1p1p1p1p1p1", "channel_id": "c1c1c1c1c1c1c1c1c1c1c1c1c1",
            "message": "geheim", "sender_name": "Frau Schulz", "badge": 1, "is_crt_enabled": true
        });
        let body: serde_json::Value = serde_json::from_slice(&apns_body(&push).unwrap()).unwrap();
        assert_eq!(body["aps"]["mutable-content"], 1);
        assert_eq!(body["post_id"], "p1p1p1p1p1p1p1p1p1p1p1p1p1");
        let text = body.to_string();
        assert!(!text.contains("geheim") && !text.contains("Schulz"));
    }
}
