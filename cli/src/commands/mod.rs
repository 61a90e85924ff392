//! One module per subcommand; `run` dispatches.

mod drafts;
mod export;
pub mod live;
mod login;
mod membership;
mod open;
mod people;
mod profile;
pub mod reads;
mod slash;
mod status;
mod threads;

use anyhow::Result;

use crate::args::{Cli, Command};
use crate::context;
use crate::output::Output;

pub async fn run(cli: Cli, output: Output) -> Result<()> {
    let data_dir = context::data_dir(cli.data_dir)?;
    let account = cli.account.as_deref();
    match cli.command {
        Command::Demo => crate::demo::run(output).await,
        Command::Login(args) => {
            let client = context::open_client(&data_dir)?;
            let user = login::run(&client, args, output).await?;
            status::signed_in(&client, &user, output);
            Ok(())
        }
        Command::Logout => {
            let client = context::open_client(&data_dir)?;
            client.restore().await?;
            match account {
                Some(choice) => {
                    let key = crate::account_choice::choose(&client.accounts()?, choice)?;
                    client.sign_out_account(&key).await?;
                }
                None => client.sign_out().await?,
            }
            if output.json {
                output.json_value(&serde_json::json!({"signed_out": true}));
            } else {
                output.line("Signed out. Everything this account kept on this device is erased.");
            }
            Ok(())
        }
        Command::Status {
            status: None,
            duration: None,
        } => status::run(&data_dir, account, output).await,
        Command::Accounts => status::accounts(&data_dir, output).await,
        Command::Status {
            status: None,
            duration: Some(text),
        } => Err(crate::exit::BadDuration(format!("{text} (name the status first)")).into()),
        Command::Status {
            status: Some(choice),
            duration,
        } => {
            people::set_status(
                &context::signed_in_client(&data_dir, account).await?,
                choice,
                duration.as_deref(),
                output,
            )
            .await
        }
        Command::Join { what } => {
            membership::join(
                &context::signed_in_client(&data_dir, account).await?,
                &what,
                output,
            )
            .await
        }
        Command::Leave { what } => {
            membership::leave(
                &context::signed_in_client(&data_dir, account).await?,
                &what,
                output,
            )
            .await
        }
        Command::Dm { people: who } => {
            people::dm(
                &context::signed_in_client(&data_dir, account).await?,
                &who,
                output,
            )
            .await
        }
        Command::Teams => {
            reads::teams(
                &context::signed_in_client(&data_dir, account).await?,
                output,
            )
            .await
        }
        Command::Profile(args) => {
            profile::run(
                &context::signed_in_client(&data_dir, account).await?,
                args,
                output,
            )
            .await
        }
        Command::Channels { team } => {
            reads::channels(
                &context::signed_in_client(&data_dir, account).await?,
                team,
                output,
            )
            .await
        }
        Command::Read { channel, limit } => {
            reads::read(
                &context::signed_in_client(&data_dir, account).await?,
                &channel,
                limit,
                output,
            )
            .await
        }
        Command::Search { terms, offline } => {
            reads::search(
                &context::signed_in_client(&data_dir, account).await?,
                &terms,
                offline,
                output,
            )
            .await
        }
        Command::Threads { team } => {
            threads::list(
                &context::signed_in_client(&data_dir, account).await?,
                team,
                output,
            )
            .await
        }
        Command::Drafts => {
            drafts::list(
                &context::signed_in_client(&data_dir, account).await?,
                output,
            )
            .await
        }
        Command::Send { channel, text } => {
            live::send(
                &context::signed_in_client(&data_dir, account).await?,
                &channel,
                &text,
                output,
            )
            .await
        }
        Command::Open { link } => {
            open::run(
                &context::signed_in_client(&data_dir, account).await?,
                &link,
                output,
            )
            .await
        }
        Command::Tail => {
            live::tail(
                &context::signed_in_client(&data_dir, account).await?,
                output,
            )
            .await
        }
        Command::Export { output: file } => {
            export::run(
                &context::signed_in_client(&data_dir, account).await?,
                &file,
                output,
            )
            .await
        }
    }
}
