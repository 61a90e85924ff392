//! `pausenhof status` and the line printed after signing in.

use std::path::Path;

use anyhow::Result;
use pausenhof_core::model::User;
use pausenhof_core::session::SessionState;
use pausenhof_core::Client;
use serde_json::json;

use crate::context;
use crate::output::{Output, Style};

pub fn signed_in(client: &Client, user: &User, output: Output) {
    let server = client
        .server_url()
        .map(|url| url.as_str().to_string())
        .unwrap_or_default();
    if output.json {
        output.json_value(&json!({
            "signed_in": true,
            "server": server,
            "user_id": user.id,
            "username": user.username,
        }));
    } else {
        output.line(format!(
            "Signed in to {server} as {}",
            output.paint(Style::Heading, &user.username)
        ));
    }
}

pub async fn run(data_dir: &Path, account: Option<&str>, output: Output) -> Result<()> {
    let client = context::open_client(data_dir)?;
    let mut restored = client.restore().await?;
    if let (Some(choice), Some(_)) = (account, &restored) {
        let key = crate::account_choice::choose(&client.accounts()?, choice)?;
        restored = Some(client.switch_account(&key).await?);
    }
    let state = client.session_state().borrow().clone();
    let server = client.server_url().map(|url| url.as_str().to_string());
    if output.json {
        output.json_value(&json!({
            "signed_in": restored.is_some(),
            "session": session_name(&state),
            "server": server,
            "username": restored.as_ref().map(|u| u.username.clone()),
            "data_dir": data_dir,
        }));
        return Ok(());
    }
    match restored {
        None => output.line("Not signed in. Sign in with `pausenhof login <server>`."),
        Some(user) => {
            output.line(format!(
                "Signed in to {} as {}",
                server.unwrap_or_default(),
                output.paint(Style::Heading, &user.username)
            ));
            output.line(format!("Session: {}", session_name(&state)));
        }
    }
    output.line(format!("Data: {}", data_dir.display()));
    Ok(())
}

/// `pausenhof accounts`: every signed-in account, the active one marked.
pub async fn accounts(data_dir: &Path, output: Output) -> Result<()> {
    let client = context::open_client(data_dir)?;
    client.restore().await?;
    let accounts = client.accounts()?;
    if output.json {
        let list: Vec<_> = accounts
            .iter()
            .map(|a| {
                json!({
                    "account": crate::account_choice::label(a),
                    "server": a.server_url,
                    "user_id": a.user_id,
                    "username": a.username,
                    "display_name": a.display_name,
                    "active": a.active,
                })
            })
            .collect();
        output.json_value(&json!(list));
        return Ok(());
    }
    if accounts.is_empty() {
        output.line("Not signed in. Sign in with `pausenhof login <server>`.");
    }
    for account in &accounts {
        let marker = if account.active { "*" } else { " " };
        output.line(format!(
            "{marker} {} ({})",
            output.paint(Style::Heading, &crate::account_choice::label(account)),
            account.display_name
        ));
    }
    Ok(())
}

fn session_name(state: &SessionState) -> &'static str {
    match state {
        SessionState::SignedOut => "signed out",
        SessionState::SignedIn { .. } => "signed in",
        SessionState::Expired { .. } => "expired",
    }
}
