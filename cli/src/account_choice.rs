//! `--account`: which of the signed-in accounts a command uses, named by
//! server (`chat.schule.example`), user (`anna`) or both (`anna@chat.schule.example`).

use pausenhof_core::net::ServerUrl;
use pausenhof_core::AccountSummary;

/// No signed-in account fits `--account`.
#[derive(Debug, thiserror::Error)]
#[error("no signed-in account matches `{0}`")]
pub struct UnknownAccount(pub String);

/// `--account` fits several accounts; lists them as `user@server`.
#[derive(Debug, thiserror::Error)]
#[error("`{choice}` matches several accounts: {matches}")]
pub struct AmbiguousAccount {
    pub choice: String,
    pub matches: String,
}

/// The key of the one account `choice` names.
pub fn choose(accounts: &[AccountSummary], choice: &str) -> anyhow::Result<String> {
    let choice = choice.trim();
    if let Some(exact) = accounts.iter().find(|a| a.key == choice) {
        return Ok(exact.key.clone());
    }
    let found: Vec<&AccountSummary> = accounts.iter().filter(|a| fits(a, choice)).collect();
    match found.as_slice() {
        [] => Err(UnknownAccount(choice.to_owned()).into()),
        [one] => Ok(one.key.clone()),
        several => Err(AmbiguousAccount {
            choice: choice.to_owned(),
            matches: several
                .iter()
                .map(|a| label(a))
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into()),
    }
}

/// `user@server`, as `--account` accepts it.
pub fn label(account: &AccountSummary) -> String {
    format!(
        "{}@{}",
        account.username,
        without_scheme(&account.server_url)
    )
}

fn fits(account: &AccountSummary, choice: &str) -> bool {
    match choice.rsplit_once('@') {
        Some((user, server)) => {
            user.eq_ignore_ascii_case(&account.username) && same_server(account, server)
        }
        None => choice.eq_ignore_ascii_case(&account.username) || same_server(account, choice),
    }
}

/// Compared after normalising; `chat.schule.example` is parsed as https,
/// yet an account on plain http (a local server) is still meant by its
/// host and port.
fn same_server(account: &AccountSummary, typed: &str) -> bool {
    match (
        ServerUrl::parse(typed),
        ServerUrl::parse(&account.server_url),
    ) {
        (Ok(typed), Ok(known)) => {
            typed == known || without_scheme(typed.as_str()) == without_scheme(known.as_str())
        }
        _ => false,
    }
}

fn without_scheme(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(key: &str, server: &str, username: &str) -> AccountSummary {
        AccountSummary {
            key: key.into(),
            server_url: server.into(),
            user_id: key.into(),
            username: username.into(),
            display_name: username.into(),
            active: false,
        }
    }

    fn accounts() -> Vec<AccountSummary> {
        vec![
            account("k1", "https://chat.schule-a.example", "anna"),
            account("k2", "https://chat.schule-a.example", "ben"),
            account("k3", "http://127.0.0.1:8065", "anna"),
        ]
    }

    #[test]
    fn a_user_a_server_or_both_name_one_account() {
        let all = accounts();
        assert_eq!(choose(&all, "ben").unwrap(), "k2");
        assert_eq!(choose(&all, "127.0.0.1:8065").unwrap(), "k3");
        assert_eq!(choose(&all, "anna@chat.schule-a.example").unwrap(), "k1");
        assert_eq!(
            choose(&all, "ANNA@https://chat.schule-a.example").unwrap(),
            "k1"
        );
        assert_eq!(choose(&all, "anna@127.0.0.1:8065").unwrap(), "k3");
        assert_eq!(choose(&all, "k2").unwrap(), "k2");
    }

    #[test]
    fn several_or_no_matches_are_errors_that_say_so() {
        let all = accounts();
        let ambiguous = choose(&all, "anna").unwrap_err().to_string();
        assert!(
            ambiguous.contains("anna@chat.schule-a.example"),
            "{ambiguous}"
        );
        assert!(ambiguous.contains("anna@127.0.0.1:8065"), "{ambiguous}");
        assert!(choose(&all, "chat.schule-a.example").is_err());
        let unknown = choose(&all, "carla").unwrap_err();
        assert!(unknown.downcast_ref::<UnknownAccount>().is_some());
        assert!(choose(&all, "ben@other.example").is_err());
        assert!(choose(&[], "anna").is_err());
    }
}
