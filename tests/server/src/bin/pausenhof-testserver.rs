//! `pausenhof-testserver --listen 127.0.0.1:0 --dataset small|large --seed N
//! [--sso] [--require-email-verification] [--school-ca FILE] [--licensed [--terms-of-service TEXT]]`
//!
//! Prints one JSON line (`{"url", "accounts"}`) on stdout, then serves until
//! killed.

use std::io::Write;
use std::net::SocketAddr;

use clap::{Parser, ValueEnum};
use pausenhof_testserver::{Dataset, ServerConfig, TestServer};

#[derive(Clone, Copy, ValueEnum)]
enum DatasetArg {
    Empty,
    Small,
    Large,
    /// The real-server harness's school (fixed names, for recordings).
    Miniature,
}

#[derive(Parser)]
#[command(about = "A Mattermost-compatible server for tests, demos and benchmarks")]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    #[arg(long, value_enum, default_value = "small")]
    dataset: DatasetArg,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Base URL of a push proxy (`{url}/api/v1/send_push`).
    #[arg(long)]
    push_proxy_url: Option<String>,
    /// Offer GitLab and OpenID sign-in (the test server is the identity
    /// provider: its sign-in page takes the seeded accounts' passwords).
    #[arg(long)]
    sso: bool,
    /// New accounts must confirm their email before signing in; the link
    /// of the last mail to an address is at `/_mailbox/{email}`.
    #[arg(long)]
    require_email_verification: bool,
    /// Serve HTTPS with a certificate of a school CA made at start, and
    /// write that CA (PEM) to FILE, as a school hands it to its users.
    #[arg(long, value_name = "FILE")]
    school_ca: Option<std::path::PathBuf>,
    /// Claim an Enterprise licence (terms of service reach clients only then).
    #[arg(long)]
    licensed: bool,
    /// Require these terms of service (Markdown) from every user.
    #[arg(long, value_name = "TEXT", requires = "licensed")]
    terms_of_service: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let tls = match &args.school_ca {
        Some(file) => {
            let ca = pausenhof_testserver::school_ca::SchoolCa::generate()?;
            std::fs::write(file, &ca.ca_pem)?;
            Some(ca.server_config)
        }
        None => None,
    };
    let config = ServerConfig {
        listen: args.listen,
        dataset: match args.dataset {
            DatasetArg::Empty => Dataset::Empty,
            DatasetArg::Small => Dataset::Small,
            DatasetArg::Large => Dataset::Large,
            DatasetArg::Miniature => Dataset::Miniature,
        },
        seed: args.seed,
        push_proxy_url: args.push_proxy_url,
        licensed: args.licensed,
        enable_sso: args.sso,
        require_email_verification: args.require_email_verification,
        tls,
        ..ServerConfig::default()
    };
    let server = TestServer::start(config).await?;
    if let Some(text) = &args.terms_of_service {
        server.require_terms_of_service(text);
    }
    // Written by hand so that "url" comes first, as documented.
    let line = format!(
        "{{\"url\":{},\"accounts\":{}}}",
        serde_json::to_string(&server.url())?,
        serde_json::to_string(&server.accounts())?
    );
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    drop(stdout);
    tokio::signal::ctrl_c().await?;
    server.stop().await;
    Ok(())
}
