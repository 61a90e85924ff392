//! Exit codes that mean something to scripts, and a hint for each failure
//! that says what to do next.

use pausenhof_core::{Error, StorageProblem};

/// A command line clap could not read (clap's own code for it).
pub const USAGE: u8 = 2;

/// Documented in `pausenhof --help`'s long text and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    Failure = 1,
    // 2 is clap's usage error.
    NotSignedIn = 3,
    Offline = 4,
    SignInRefused = 5,
    NotFound = 6,
    Server = 7,
    Storage = 8,
}

/// The exit status and a one-line hint for an error that ended a command.
pub fn classify(error: &anyhow::Error) -> (ExitStatus, Option<&'static str>) {
    let Some(core) = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
    else {
        if error
            .chain()
            .any(|cause| cause.downcast_ref::<QueuedOffline>().is_some())
        {
            return (
                ExitStatus::Offline,
                Some("it stays queued and goes out on the next online run (`pausenhof send`, `tail`)"),
            );
        }
        if error.chain().any(|cause| {
            cause
                .downcast_ref::<crate::account_choice::UnknownAccount>()
                .is_some()
                || cause
                    .downcast_ref::<crate::account_choice::AmbiguousAccount>()
                    .is_some()
        }) {
            return (
                ExitStatus::NotFound,
                Some("`pausenhof accounts` lists the signed-in accounts as user@server"),
            );
        }
        if error.chain().any(|cause| {
            cause.downcast_ref::<UnknownTeam>().is_some()
                || cause.downcast_ref::<UnknownPerson>().is_some()
        }) {
            return (
                ExitStatus::NotFound,
                Some("check the name: `pausenhof teams` lists your teams"),
            );
        }
        if error
            .chain()
            .any(|cause| cause.downcast_ref::<BadDuration>().is_some())
        {
            return (
                ExitStatus::Failure,
                Some("write durations like 30m, 1h, 2h30m or 1d"),
            );
        }
        if error
            .chain()
            .any(|cause| cause.downcast_ref::<UnknownChannel>().is_some())
        {
            return (
                ExitStatus::NotFound,
                Some("run `pausenhof channels` to see the channel names"),
            );
        }
        if error
            .chain()
            .any(|cause| cause.downcast_ref::<LocalStorage>().is_some())
        {
            return (
                ExitStatus::Storage,
                Some("check that the data directory (see --data-dir) and the output file are writable"),
            );
        }
        return (ExitStatus::Failure, None);
    };
    match core {
        Error::Unauthorized => (
            ExitStatus::NotSignedIn,
            Some("sign in first: `pausenhof login <server>`"),
        ),
        Error::SessionExpired => (
            ExitStatus::NotSignedIn,
            Some("the server ended the session: sign in again with `pausenhof login <server>`"),
        ),
        Error::Offline | Error::Network { .. } => (
            ExitStatus::Offline,
            Some("check the network; cached data is still readable, and `send` queues messages"),
        ),
        Error::RateLimited { .. } => (ExitStatus::Offline, Some("wait a moment and try again")),
        Error::InvalidServer { .. } => (
            ExitStatus::Failure,
            Some("give the server address as in the browser, e.g. chat.schule.example"),
        ),
        Error::NotMattermost => (
            ExitStatus::Failure,
            Some("check the address: it should be the one of your school's Mattermost"),
        ),
        Error::ServerTooOld { .. } => (
            ExitStatus::Server,
            Some("ask your school's IT to update Mattermost to 9.11 or newer"),
        ),
        Error::Tls { .. } => (
            ExitStatus::Offline,
            Some("the server's certificate is not trusted; if your school uses its own CA, ask IT for it"),
        ),
        Error::InvalidCredentials => (
            ExitStatus::SignInRefused,
            Some("check login and password (login is your email or username)"),
        ),
        Error::MfaRequired => (
            ExitStatus::SignInRefused,
            Some("enter the current code from your authenticator app"),
        ),
        Error::MfaCodeInvalid => (
            ExitStatus::SignInRefused,
            Some("the code was wrong or already used; wait for the next code"),
        ),
        Error::EmailNotVerified => (
            ExitStatus::SignInRefused,
            Some("open the link in the verification email first"),
        ),
        Error::LockedOut => (
            ExitStatus::SignInRefused,
            Some("too many attempts: wait, or ask your school's IT to unlock the account"),
        ),
        Error::Forbidden { .. } => (ExitStatus::Server, Some("your account is not allowed to do this")),
        Error::NotFound { .. } => (ExitStatus::NotFound, None),
        Error::ChannelArchived => (
            ExitStatus::Failure,
            Some("the channel is archived: it can be read, not written to"),
        ),
        Error::NameTaken => (ExitStatus::Failure, Some("choose another name")),
        Error::EmailDomainNotAllowed => (
            ExitStatus::Server,
            Some("this team admits other email addresses only; ask your school's IT"),
        ),
        Error::Storage { problem, .. } => (ExitStatus::Storage, Some(storage_hint(*problem))),
        Error::SecretStore { .. } => (
            ExitStatus::Storage,
            Some("check that the data directory is writable (see --data-dir)"),
        ),
        Error::Server { .. } | Error::InvalidResponse { .. } | Error::ResponseTooLarge { .. } => {
            (ExitStatus::Server, Some("the server had a problem; try again later"))
        }
        _ => (ExitStatus::Failure, None),
    }
}

/// What to do about a failed disk or database; queued messages wait
/// through all of these.
fn storage_hint(problem: StorageProblem) -> &'static str {
    match problem {
        StorageProblem::Full => "the disk is full: free some space; queued messages stay queued",
        StorageProblem::ReadOnly => "the data directory cannot be written (see --data-dir)",
        StorageProblem::Locked => {
            "another pausenhof is using this data directory; try again when it is done"
        }
        StorageProblem::Damaged => "a damaged cache was found; run the command again to rebuild it",
        _ => "check that the data directory is writable (see --data-dir)",
    }
}

/// A channel reference that matches nothing in the cache.
#[derive(Debug, thiserror::Error)]
#[error("no channel `{0}` (name it `team/channel-name` or `@username`)")]
pub struct UnknownChannel(pub String);

/// A team name that is none of the user's (or joinable) teams.
#[derive(Debug, thiserror::Error)]
#[error("no team `{0}`")]
pub struct UnknownTeam(pub String);

/// A username nobody active has.
#[derive(Debug, thiserror::Error)]
#[error("no one is called `{0}`")]
pub struct UnknownPerson(pub String);

/// A duration that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("not a duration: {0}")]
pub struct BadDuration(pub String);

/// A file of the command's own (the data directory, the export file)
/// could not be made or written: the same status as core's storage errors.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct LocalStorage {
    pub what: String,
    #[source]
    pub source: std::io::Error,
}

/// `send` could not reach the server in time; the message waits in the
/// outbox (durable) and is not lost.
#[derive(Debug, thiserror::Error)]
#[error("not sent yet: the server cannot be reached")]
pub struct QueuedOffline {
    pub client_key: String,
    pub channel_id: String,
}

/// What `--json` adds to the error document of a failed command, so that
/// every command prints exactly one document.
pub fn json_details(error: &anyhow::Error) -> Option<serde_json::Value> {
    let queued = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<QueuedOffline>())?;
    Some(serde_json::json!({
        "client_key": queued.client_key,
        "channel_id": queued.channel_id,
        "delivered": false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_expiry_asks_to_sign_in_again() {
        let error = anyhow::Error::new(Error::SessionExpired).context("reading channel");
        let (status, hint) = classify(&error);
        assert_eq!(status, ExitStatus::NotSignedIn);
        assert!(hint.unwrap().contains("pausenhof login"));
    }

    #[test]
    fn offline_is_its_own_status() {
        let (status, _) = classify(&anyhow::Error::new(Error::Offline));
        assert_eq!(status, ExitStatus::Offline);
    }

    #[test]
    fn unknown_channel_is_not_found() {
        let error = anyhow::Error::new(UnknownChannel("gsm/nope".into()));
        assert_eq!(classify(&error).0, ExitStatus::NotFound);
    }

    #[test]
    fn a_message_left_queued_is_offline_not_a_failure() {
        let error = anyhow::Error::new(QueuedOffline {
            client_key: "k".into(),
            channel_id: "c".into(),
        });
        assert_eq!(classify(&error).0, ExitStatus::Offline);
        assert_eq!(json_details(&error).unwrap()["client_key"], "k");
    }

    #[test]
    fn storage_problems_say_what_to_do() {
        let full = anyhow::Error::new(Error::Storage {
            problem: StorageProblem::Full,
            reason: "database or disk is full".into(),
        });
        let (status, hint) = classify(&full);
        assert_eq!(status, ExitStatus::Storage);
        assert!(hint.unwrap().contains("free some space"));
        let local = anyhow::Error::new(LocalStorage {
            what: "could not write x".into(),
            source: std::io::Error::other("no"),
        });
        assert_eq!(classify(&local).0, ExitStatus::Storage);
    }

    #[test]
    fn other_errors_are_plain_failures() {
        assert_eq!(classify(&anyhow::anyhow!("boom")).0, ExitStatus::Failure);
    }
}
