//! `pausenhof export`: the GDPR Art. 20 export of the user's own data.

use std::path::Path;

use anyhow::Result;
use pausenhof_core::Client;
use serde_json::json;

use crate::exit::LocalStorage;
use crate::output::Output;
use crate::sync_progress::refresh;

pub async fn run(client: &Client, file: &Path, output: Output) -> Result<()> {
    refresh(client, output).await?;
    let export = client.export_my_data().await?;
    let text = serde_json::to_vec_pretty(&export)?;
    write_private(file, &text).map_err(|source| LocalStorage {
        what: format!("could not write {}", file.display()),
        source,
    })?;
    if output.json {
        output.json_value(&json!({
            "file": file,
            "posts": export.posts.len(),
            "complete": export.posts_complete,
        }));
    } else {
        output.line(format!(
            "Wrote {} ({} teams, {} channels, {} of your posts).",
            file.display(),
            export.teams.len(),
            export.channels.len(),
            export.posts.len()
        ));
        if !export.posts_complete {
            output.line("Offline: only the posts cached on this device are included.");
        }
    }
    Ok(())
}

/// Personal data: readable by the user only.
fn write_private(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file)?.write_all(bytes)
}
