//! `pausenhof login`: password (with MFA), personal access token, or SSO.

use anyhow::{Context, Result};
use pausenhof_core::model::User;
use pausenhof_core::net::SsoProvider;
use pausenhof_core::{Client, Error};

use crate::args::LoginArgs;
use crate::output::{Output, Style};
use crate::prompt;

/// Where the SSO browser flow sends the user back to. The terminal cannot
/// receive it, so the user pastes the address they land on.
const SSO_REDIRECT: &str = "pausenhof://sso-callback";

pub async fn run(client: &Client, args: LoginArgs, output: Output) -> Result<User> {
    let server = client
        .probe_server(&args.server)
        .await
        .context("checking the server")?;
    if !output.json {
        output.line(format!(
            "{} ({}, Mattermost {})",
            output.paint(Style::Heading, &server.site_name),
            server.url.as_str(),
            server.version
        ));
    }
    let address = server.url.as_str().to_string();
    let user = if args.token {
        let token = prompt::secret("Personal access token", "PAUSENHOF_TOKEN")?;
        client.sign_in_with_token(&address, &token).await?
    } else if let Some(provider) = args.sso {
        sign_in_with_sso(client, &address, &provider, output).await?
    } else {
        sign_in_with_password(client, &address, args.login_id).await?
    };
    if client.needs_full_name() {
        ask_for_full_name(client, output).await?;
    }
    Ok(user)
}

async fn sign_in_with_password(
    client: &Client,
    server: &str,
    login_id: Option<String>,
) -> Result<User> {
    let login_id = match login_id {
        Some(id) => id,
        None => prompt::ask("Email or username")?,
    };
    let password = prompt::secret("Password", "PAUSENHOF_PASSWORD")?;
    match client
        .sign_in_with_password(server, &login_id, &password, None)
        .await
    {
        Err(Error::MfaRequired) => {
            let code = prompt::secret("Code from your authenticator app", "PAUSENHOF_MFA_CODE")?;
            Ok(client
                .sign_in_with_password(server, &login_id, &password, Some(&code))
                .await?)
        }
        other => Ok(other?),
    }
}

async fn sign_in_with_sso(
    client: &Client,
    server: &str,
    provider: &str,
    output: Output,
) -> Result<User> {
    let provider = sso_provider(provider).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown SSO provider `{provider}` (gitlab, saml, openid, office365, google)"
        )
    })?;
    let url = client.start_sso(server, provider, SSO_REDIRECT)?;
    output.line("Open this address in your browser and sign in:");
    output.line(format!("  {url}"));
    let answer = prompt::ask("Then paste the address you were sent to (or the token)")?;
    if answer.contains("://") {
        Ok(client.complete_sso(&answer).await?)
    } else {
        Ok(client.sign_in_with_token(server, &answer).await?)
    }
}

/// The schools require a full name; ask once after the first sign-in.
async fn ask_for_full_name(client: &Client, output: Output) -> Result<()> {
    if !prompt::interactive() {
        eprintln!("pausenhof: your profile has no full name; your school requires one (run `pausenhof login` in a terminal to set it)");
        return Ok(());
    }
    output.line("Your school asks everyone to use their full name.");
    let first = prompt::ask("First name")?;
    let last = prompt::ask("Last name")?;
    client.set_full_name(&first, &last).await?;
    Ok(())
}

fn sso_provider(name: &str) -> Option<SsoProvider> {
    let name = name.to_ascii_lowercase();
    SsoProvider::ALL
        .into_iter()
        .find(|provider| provider.oauth_service().unwrap_or("saml") == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_a_name_to_type() {
        for name in ["gitlab", "google", "office365", "openid", "saml", "GitLab"] {
            assert!(sso_provider(name).is_some(), "{name}");
        }
        assert!(sso_provider("facebook").is_none());
    }
}
