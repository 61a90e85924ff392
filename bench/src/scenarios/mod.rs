//! The measurements, each against the large school on the test server
//! (the push gateway's against a push service on loopback).

pub mod catch_up;
pub mod cold_start;
pub mod first_sync;
pub mod gateway;
pub mod history;
pub mod ingest;
pub mod official;
pub mod offline;
pub mod push_extension;
pub mod scale;
pub mod search;
pub mod size;

use std::path::PathBuf;

use pausenhof_testserver::{Account, Dataset, Role, ServerConfig, TestServer};

use crate::recorder::Recorder;

/// The large school behind the recording proxy, and the accounts measured.
pub struct School {
    pub server: TestServer,
    pub proxy: Recorder,
    /// The administrator, a member of every team and channel it could be
    /// in (all but the direct messages between two other people): 10 teams,
    /// about 700 channels. Syncs, catch-up, ingest, the official client.
    pub account: Account,
    /// A teacher who is also in the direct messages of everybody else, so
    /// its cache can hold the whole school: 1,000 channels, 200,000 posts.
    /// Cold start and offline search.
    pub archive: Account,
    /// Scratch space for account directories.
    pub work: PathBuf,
}

impl School {
    pub async fn start(work: PathBuf) -> anyhow::Result<School> {
        let server = TestServer::start(ServerConfig {
            dataset: Dataset::Large,
            seed: 1,
            ..ServerConfig::default()
        })
        .await?;
        let proxy = Recorder::start(&server.url()).await?;
        let account = server.account(Role::Admin);
        let archive = server.account(Role::Teacher);
        for (who, others) in [(&account, false), (&archive, true)] {
            server
                .join_every_channel(&who.user_id, others)
                .map_err(|e| anyhow::anyhow!("joining every channel: {}", e.message))?;
        }
        Ok(School {
            server,
            proxy,
            account,
            archive,
            work,
        })
    }

    pub fn url(&self) -> String {
        self.proxy.url()
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }
}
