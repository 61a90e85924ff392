//! The server under test: what a scenario needs to know about a server,
//! whether it is our test server or a real Mattermost server seeded by
//! `cargo xtask real-server`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// A seeded person the scenarios may sign in as.
#[derive(Clone, Debug, Deserialize)]
pub struct Person {
    #[serde(rename = "user_id")]
    pub id: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

/// The seeded facts every server under test provides: two students who
/// share a team, and the team's town square (every member is in it).
#[derive(Clone, Debug)]
pub struct School {
    pub team: String,
    pub student: Person,
    pub classmate: Person,
    /// The system admin, for what only an administrator may set up.
    pub admin: Person,
}

impl School {
    pub const SHARED_CHANNEL: &'static str = "town-square";

    /// Both servers hand out accounts of the same shape and order; the
    /// scenarios sign in as the first two students without MFA.
    fn from_accounts(accounts: Vec<SeededAccount>) -> School {
        let admin = accounts
            .iter()
            .find(|a| a.role == "admin" && a.mfa_secret.is_none())
            .map(|a| a.person.clone())
            .expect("the seed has an admin without MFA");
        let mut students = accounts
            .into_iter()
            .filter(|a| a.role == "student" && a.mfa_secret.is_none())
            .map(|a| a.person);
        let student = students.next().expect("the seed has a student without MFA");
        let classmate = students
            .next()
            .expect("the seed has two students without MFA");
        School {
            team: "gsm".into(),
            student,
            classmate,
            admin,
        }
    }
}

/// An account as the test server and the real-server seed manifest list it.
#[derive(Clone, Debug, Deserialize)]
struct SeededAccount {
    #[serde(flatten)]
    person: Person,
    role: String,
    #[serde(default)]
    mfa_secret: Option<String>,
}

pub trait ServerUnderTest: Send + Sync {
    /// "test server" or "Mattermost"; shown in failure messages.
    fn name(&self) -> &'static str;
    /// The server's base URL (what a user would type).
    fn url(&self) -> String;
    /// Its socket address, for a [`crate::proxy::CuttableProxy`] in front.
    fn addr(&self) -> SocketAddr;
    fn school(&self) -> School;
    /// The base URL of the Pausenhof push gateway the server sends its
    /// pushes to (it accepts `http://127.0.0.1` UnifiedPush endpoints).
    fn push_gateway(&self) -> String;
}

/// Our own server, in this process, pushing (with full contents, as the
/// real server in the harness) through a push gateway in this process.
pub struct OurTestServer {
    pub server: pausenhof_testserver::TestServer,
    pub gateway: push_gateway::Gateway,
    _gateway_dir: tempfile::TempDir,
}

impl OurTestServer {
    pub async fn start() -> Result<Self> {
        let gateway_dir = tempfile::tempdir()?;
        let gateway =
            push_gateway::Gateway::start(push_gateway::Config::loopback(gateway_dir.path()))
                .await
                .context("starting the push gateway")?;
        let server = pausenhof_testserver::TestServer::start(pausenhof_testserver::ServerConfig {
            dataset: pausenhof_testserver::Dataset::Small,
            seed: 1,
            push_proxy_url: Some(gateway.url()),
            push_contents: pausenhof_testserver::PushContents::Full,
            ..Default::default()
        })
        .await
        .context("starting the test server")?;
        Ok(Self {
            server,
            gateway,
            _gateway_dir: gateway_dir,
        })
    }
}

impl ServerUnderTest for OurTestServer {
    fn name(&self) -> &'static str {
        "test server"
    }

    fn url(&self) -> String {
        self.server.url()
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    fn school(&self) -> School {
        let accounts = serde_json::to_value(self.server.accounts())
            .and_then(serde_json::from_value)
            .expect("test server accounts have the seed manifest's shape");
        School::from_accounts(accounts)
    }

    fn push_gateway(&self) -> String {
        self.gateway.url()
    }
}

/// A real Mattermost server started and seeded by `cargo xtask real-server`,
/// described by the `PAUSENHOF_REAL_SERVER_*` environment variables.
pub struct RealMattermost {
    url: String,
    addr: SocketAddr,
    accounts: Vec<SeededAccount>,
    push_gateway: String,
}

#[derive(Deserialize)]
struct SeedManifest {
    accounts: Vec<SeededAccount>,
}

impl RealMattermost {
    pub const URL_VAR: &'static str = "PAUSENHOF_REAL_SERVER_URL";
    pub const SEED_VAR: &'static str = "PAUSENHOF_REAL_SERVER_SEED";
    pub const PUSH_GATEWAY_VAR: &'static str = "PAUSENHOF_REAL_SERVER_PUSH_GATEWAY";

    pub fn from_env() -> Result<Self> {
        let url = std::env::var(Self::URL_VAR).with_context(|| {
            format!(
                "{} is not set: run these through `cargo xtask real-server`",
                Self::URL_VAR
            )
        })?;
        let seed: PathBuf = std::env::var(Self::SEED_VAR)
            .with_context(|| format!("{} is not set", Self::SEED_VAR))?
            .into();
        let manifest: SeedManifest = serde_json::from_slice(
            &std::fs::read(&seed).with_context(|| format!("reading {}", seed.display()))?,
        )
        .context("parsing the seed manifest")?;
        let parsed = url::Url::parse(&url).context("PAUSENHOF_REAL_SERVER_URL")?;
        let Some(addr) = parsed.socket_addrs(|| None)?.into_iter().next() else {
            bail!("{url} has no address");
        };
        let push_gateway = std::env::var(Self::PUSH_GATEWAY_VAR)
            .with_context(|| format!("{} is not set", Self::PUSH_GATEWAY_VAR))?;
        Ok(Self {
            url: url.trim_end_matches('/').to_string(),
            addr,
            accounts: manifest.accounts,
            push_gateway: push_gateway.trim_end_matches('/').to_string(),
        })
    }
}

impl ServerUnderTest for RealMattermost {
    fn name(&self) -> &'static str {
        "Mattermost"
    }

    fn url(&self) -> String {
        self.url.clone()
    }

    fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn school(&self) -> School {
        School::from_accounts(self.accounts.clone())
    }

    fn push_gateway(&self) -> String {
        self.push_gateway.clone()
    }
}
