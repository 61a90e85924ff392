//! `push-gateway --config /etc/pausenhof/push-gateway.toml`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use push_gateway::config::LogFormat;
use push_gateway::{Config, Gateway};

#[derive(Parser)]
#[command(
    version,
    about = "Pausenhof push gateway: Mattermost push-proxy API to ids-only Web Push"
)]
struct Args {
    /// TOML config file.
    #[arg(long, env = "PUSH_GATEWAY_CONFIG")]
    config: PathBuf,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = match Config::from_file(&args.config) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("push-gateway: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    let gateway = match Gateway::start(config).await {
        Ok(gateway) => gateway,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    shutdown_signal().await;
    tracing::info!("shutting down");
    match gateway.stop().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}
