//! `pausenhof`: a terminal client on the Pausenhof core.

mod account_choice;
mod args;
mod channel_ref;
mod commands;
mod context;
mod demo;
mod duration;
mod exit;
mod output;
mod prompt;
mod sync_progress;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let output = Output::new(cli.json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("pausenhof: could not start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli, output)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let (status, hint) = exit::classify(&error);
            if output.json {
                let mut document = serde_json::json!({
                    "error": format!("{error:#}"),
                    "exit_code": status as u8,
                    "hint": hint,
                });
                if let (Some(serde_json::Value::Object(details)), Some(fields)) =
                    (exit::json_details(&error), document.as_object_mut())
                {
                    fields.extend(details);
                }
                output.json_value(&document);
            }
            eprintln!("pausenhof: {error:#}");
            if let Some(hint) = hint {
                eprintln!("  {hint}");
            }
            ExitCode::from(status as u8)
        }
    }
}

/// Logs go to stderr, quiet unless `RUST_LOG` asks for more; the core never
/// logs tokens or message text, so any level is safe to share.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
