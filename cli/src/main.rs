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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
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

/// Help and version go out as clap prints them; a usage mistake exits 2
/// and, under `--json`, still prints one JSON document, so a script never
/// has to tell a usage error from a result by an empty output.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    // Read without clap: the parse that would have set `--json` failed.
    let json = std::env::args_os()
        .skip(1)
        .take_while(|arg| arg != "--")
        .any(|arg| arg == "--json");
    if json {
        let rendered = error.render().to_string();
        let first_line = rendered
            .lines()
            .next()
            .unwrap_or("usage error")
            .trim_start_matches("error: ");
        Output::new(true).json_value(&serde_json::json!({
            "error": first_line,
            "exit_code": exit::USAGE,
            "hint": "`pausenhof --help` lists the commands and their arguments",
        }));
    }
    // clap's own text (what was wrong, the usage line) on stderr.
    let _ = error.print();
    ExitCode::from(exit::USAGE)
}

/// Logs go to stderr, quiet unless `RUST_LOG` asks for more. The core never
/// logs tokens, names or message text; the websocket library does at TRACE
/// (every message in full), so it is held at INFO whatever `RUST_LOG`
/// says, and any level stays safe to share.
fn init_logging() {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    for quiet in ["tungstenite=info", "tokio_tungstenite=info"] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
