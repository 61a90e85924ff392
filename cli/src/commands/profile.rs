//! `profile [--first-name ..] [--last-name ..] [--nickname ..] [--position ..]`:
//! shows the own profile, or changes the fields given.

use anyhow::Result;
use pausenhof_core::model::User;
use pausenhof_core::{Client, ProfileChanges};
use serde_json::json;

use crate::args::ProfileArgs;
use crate::output::Output;

pub async fn run(client: &Client, args: ProfileArgs, output: Output) -> Result<()> {
    let changes = ProfileChanges {
        first_name: args.first_name,
        last_name: args.last_name,
        nickname: args.nickname,
        position: args.position,
    };
    let user = if changes == ProfileChanges::default() {
        client.refresh_current_user().await?
    } else {
        client.edit_profile(changes).await?
    };
    print(&user, output);
    Ok(())
}

fn print(user: &User, output: Output) {
    if output.json {
        output.json_value(&json!({
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "nickname": user.nickname,
            "position": user.position,
        }));
        return;
    }
    output.line(format!(
        "@{}: {} {}",
        user.username, user.first_name, user.last_name
    ));
    for (label, value) in [("Nickname", &user.nickname), ("Position", &user.position)] {
        if !value.is_empty() {
            output.line(format!("{label}: {value}"));
        }
    }
}
