//! Sign-in paths against the in-process test server: password (email or
//! username), MFA, wrong password, lockout, tokens, SSO, sign-up with email
//! verification, full name, session expiry, restore, logout, rate limits and
//! broken bodies.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pausenhof_core::net::SsoProvider;
use pausenhof_core::session::{FileSecretStore, MemorySecretStore, SecretStore, SessionState};
use pausenhof_core::{Client, Error};
use pausenhof_testserver::Corruption;
use pausenhof_testserver::{Role, ServerConfig, TestServer};

struct Setup {
    server: TestServer,
    client: Client,
    secrets: Arc<MemorySecretStore>,
    data_dir: PathBuf,
    _dir: tempfile::TempDir,
}

async fn setup_with(config: ServerConfig) -> Setup {
    let server = TestServer::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let secrets = Arc::new(MemorySecretStore::new());
    let client = Client::builder(&data_dir)
        .secret_store(secrets.clone())
        .build()
        .unwrap();
    Setup {
        server,
        client,
        secrets,
        data_dir,
        _dir: dir,
    }
}

async fn setup() -> Setup {
    setup_with(ServerConfig::default()).await
}

fn totp_code(secret_base32: &str) -> String {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret)
        .unwrap()
        .generate_current()
        .unwrap()
}

#[tokio::test]
async fn probe_reports_the_test_server() {
    let s = setup().await;
    let info = s.client.probe_server(&s.server.url()).await.unwrap();
    assert_eq!(info.site_name, "Pausenhof Testschule");
    assert!(info.sign_in.password());
}

#[tokio::test]
async fn password_sign_in_by_username_and_by_email() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    let mut state = s.client.session_state();
    assert_eq!(*state.borrow(), SessionState::SignedOut);

    let user = s
        .client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    assert_eq!(user.id, student.user_id);
    assert!(state.has_changed().unwrap());
    assert_eq!(
        *state.borrow_and_update(),
        SessionState::SignedIn {
            user_id: student.user_id.clone()
        }
    );
    assert_eq!(s.client.current_user().unwrap().username, student.username);
    let dir = s.client.account_dir().unwrap();
    assert!(dir.starts_with(s.data_dir.join("accounts")));
    assert!(dir.join("store.sqlite").exists());
    assert_eq!(s.secrets.len(), 1);
    // The session works for authenticated calls.
    assert_eq!(
        s.client.refresh_current_user().await.unwrap().id,
        student.user_id
    );

    let user = s
        .client
        .sign_in_with_password(&s.server.url(), &student.email, &student.password, None)
        .await
        .unwrap();
    assert_eq!(user.id, student.user_id);
    assert_eq!(s.client.account_dir().unwrap(), dir);
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials_and_stays_signed_out() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    let err = s
        .client
        .sign_in_with_password(&s.server.url(), &student.username, "wrong-password", None)
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidCredentials);
    let err = s
        .client
        .sign_in_with_password(&s.server.url(), "nobody-here", "x", None)
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidCredentials);
    assert_eq!(*s.client.session_state().borrow(), SessionState::SignedOut);
    assert!(s.client.current_user().is_none());
    assert!(s.secrets.is_empty());
}

#[tokio::test]
async fn repeated_failures_lock_the_account_out() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    let mut last = None;
    for _ in 0..12 {
        last = Some(
            s.client
                .sign_in_with_password(&s.server.url(), &student.username, "nope", None)
                .await
                .unwrap_err(),
        );
    }
    assert_eq!(last, Some(Error::LockedOut));
    // Even the right password is refused now.
    assert_eq!(
        s.client
            .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
            .await
            .unwrap_err(),
        Error::LockedOut
    );
}

#[tokio::test]
async fn mfa_is_two_steps() {
    let s = setup().await;
    let account = s
        .server
        .accounts()
        .into_iter()
        .find(|a| a.mfa_secret.is_some())
        .expect("an MFA account");
    let secret = account.mfa_secret.clone().unwrap();
    let err = s
        .client
        .sign_in_with_password(&s.server.url(), &account.username, &account.password, None)
        .await
        .unwrap_err();
    assert_eq!(err, Error::MfaRequired);
    let wrong = if totp_code(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        s.client
            .sign_in_with_password(
                &s.server.url(),
                &account.username,
                &account.password,
                Some(wrong)
            )
            .await
            .unwrap_err(),
        Error::MfaCodeInvalid,
        "a wrong code is not the same as no code"
    );
    let user = s
        .client
        .sign_in_with_password(
            &s.server.url(),
            &account.username,
            &account.password,
            Some(&totp_code(&secret)),
        )
        .await
        .unwrap();
    assert_eq!(user.id, account.user_id);
}

#[tokio::test]
async fn personal_access_token_sign_in() {
    let s = setup().await;
    let teacher = s.server.account(Role::Teacher);
    let token = s.server.mint_session(&teacher.user_id).unwrap();
    let user = s
        .client
        .sign_in_with_token(&s.server.url(), &token)
        .await
        .unwrap();
    assert_eq!(user.id, teacher.user_id);
    assert_eq!(
        s.client
            .sign_in_with_token(&s.server.url(), "not-a-valid-token")
            .await
            .unwrap_err(),
        Error::InvalidCredentials
    );
    // The refused token did not end the good session.
    assert!(matches!(
        *s.client.session_state().borrow(),
        SessionState::SignedIn { .. }
    ));
}

#[tokio::test]
async fn sso_with_login_code_and_with_token() {
    let s = setup().await;
    let teacher = s.server.account(Role::Teacher);
    let url = s
        .client
        .start_sso(&s.server.url(), SsoProvider::OpenId, "pausenhof://callback")
        .unwrap();
    assert!(url.path().ends_with("/oauth/openid/mobile_login"));
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let code = s.server.mint_login_code(&teacher.user_id).unwrap();
    let user = s
        .client
        .complete_sso(&format!(
            "pausenhof://callback?login_code={code}&state={state}"
        ))
        .await
        .unwrap();
    assert_eq!(user.id, teacher.user_id);
    // A code works once.
    s.client
        .start_sso(&s.server.url(), SsoProvider::Saml, "pausenhof://callback")
        .unwrap();
    assert!(s
        .client
        .complete_sso(&format!("pausenhof://callback?login_code={code}"))
        .await
        .is_err());

    let student = s.server.account(Role::Student);
    let token = s.server.mint_session(&student.user_id).unwrap();
    s.client
        .start_sso(&s.server.url(), SsoProvider::GitLab, "pausenhof://callback")
        .unwrap();
    let user = s
        .client
        .complete_sso(&format!(
            "pausenhof://callback?MMAUTHTOKEN={token}&MMCSRF=x"
        ))
        .await
        .unwrap();
    assert_eq!(user.id, student.user_id);
}

/// What a browser does with the URL `start_sso` gives: shows the identity
/// provider's sign-in page, submits it, and hands the redirect to the app.
async fn sign_in_in_the_browser(url: url::Url, login: &str, password: &str) -> String {
    // The core configures its own TLS; the test's browser needs a provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form"));
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url.query_pairs())
        .append_pair("login_id", login)
        .append_pair("password", password)
        .finish();
    let answer = browser
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// The whole browser round: the redirect to the app carries a one-time
/// code, which only the start that asked for it can exchange.
#[tokio::test]
async fn sso_through_the_browser_redirects_to_the_app_with_a_code() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    let start = || {
        s.client
            .start_sso(&s.server.url(), SsoProvider::OpenId, "pausenhof://sso")
            .unwrap()
    };
    let stale = sign_in_in_the_browser(start(), &student.username, &student.password).await;
    assert!(stale.starts_with("pausenhof://sso?login_code="), "{stale}");
    // A newer start has another state and verifier.
    let url = start();
    assert!(s.client.complete_sso(&stale).await.is_err());
    assert!(s.client.current_user().is_none());

    let back = sign_in_in_the_browser(url, &student.username, &student.password).await;
    let user = s.client.complete_sso(&back).await.unwrap();
    assert_eq!(user.id, student.user_id);
}

#[tokio::test]
async fn sign_up_verify_email_then_full_name() {
    let s = setup_with(ServerConfig {
        require_email_verification: true,
        ..ServerConfig::default()
    })
    .await;
    let url = s.server.url();
    let email = "neu.schueler@schule.example";
    let user = s
        .client
        .sign_up(&url, email, "neu.schueler", "Passwort-1234", "", "")
        .await
        .unwrap();
    assert_eq!(user.username, "neu.schueler");
    assert_eq!(
        s.client
            .sign_in_with_password(&url, email, "Passwort-1234", None)
            .await
            .unwrap_err(),
        Error::EmailNotVerified
    );
    s.client.send_verification_email(&url, email).await.unwrap();
    let token = s
        .server
        .verification_token(email)
        .expect("a verification mail");
    assert!(s.client.verify_email(&url, "wrong-token").await.is_err());
    s.client.verify_email(&url, &token).await.unwrap();
    s.client
        .sign_in_with_password(&url, email, "Passwort-1234", None)
        .await
        .unwrap();

    assert!(s.client.needs_full_name());
    assert!(matches!(
        s.client.set_full_name("  ", "Muster").await,
        Err(Error::InvalidInput { .. })
    ));
    let user = s.client.set_full_name("Maxi", "Muster").await.unwrap();
    assert_eq!(
        (user.first_name.as_str(), user.last_name.as_str()),
        ("Maxi", "Muster")
    );
    assert!(!s.client.needs_full_name());
    assert_eq!(
        s.client.refresh_current_user().await.unwrap().last_name,
        "Muster"
    );
}

#[tokio::test]
async fn closed_server_refuses_sign_up() {
    let s = setup_with(ServerConfig {
        open_server: false,
        ..ServerConfig::default()
    })
    .await;
    assert_eq!(
        s.client
            .sign_up(
                &s.server.url(),
                "a@schule.example",
                "anna.neu",
                "Passwort-1234",
                "A",
                "B"
            )
            .await
            .unwrap_err(),
        Error::SignUpClosed
    );
}

#[tokio::test]
async fn session_expiry_is_observed_and_data_stays_for_the_same_user() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    let url = s.server.url();
    s.client
        .sign_in_with_password(&url, &student.username, &student.password, None)
        .await
        .unwrap();
    let dir = s.client.account_dir().unwrap();
    std::fs::write(dir.join("cached-file"), b"kept").unwrap();
    let mut state = s.client.session_state();
    state.borrow_and_update();

    s.server.expire_sessions(&student.user_id);
    assert_eq!(
        s.client.refresh_current_user().await.unwrap_err(),
        Error::SessionExpired
    );
    state.changed().await.unwrap();
    assert_eq!(
        *state.borrow(),
        SessionState::Expired {
            user_id: student.user_id.clone()
        }
    );
    // Any authenticated call reports it, through the REST layer too.
    let api = s.client.api().unwrap();
    assert_eq!(
        pausenhof_core::api::teams::my_teams(&api)
            .await
            .unwrap_err(),
        Error::SessionExpired
    );
    assert!(dir.join("cached-file").exists());

    // Same user again: same directory, data kept.
    s.client
        .sign_in_with_password(&url, &student.username, &student.password, None)
        .await
        .unwrap();
    assert_eq!(s.client.account_dir().unwrap(), dir);
    assert!(dir.join("cached-file").exists());
    assert!(matches!(
        *state.borrow_and_update(),
        SessionState::SignedIn { .. }
    ));

    // Another user: a fresh directory of their own.
    let teacher = s.server.account(Role::Teacher);
    s.client
        .sign_in_with_password(&url, &teacher.username, &teacher.password, None)
        .await
        .unwrap();
    let teacher_dir = s.client.account_dir().unwrap();
    assert_ne!(teacher_dir, dir);
    assert!(!teacher_dir.join("cached-file").exists());
}

#[tokio::test]
async fn logout_wipes_every_local_trace_and_ends_the_server_session() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    s.client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    let api = s.client.api().unwrap();
    let dir = s.client.account_dir().unwrap();
    std::fs::write(dir.join("attachment.bin"), b"file").unwrap();

    s.client.sign_out().await.unwrap();
    assert!(!dir.exists());
    assert!(s.secrets.is_empty());
    assert_eq!(*s.client.session_state().borrow(), SessionState::SignedOut);
    assert!(s.client.current_user().is_none());
    assert_eq!(s.client.api().unwrap_err(), Error::Unauthorized);
    let index = std::fs::read_to_string(s.data_dir.join("accounts.json")).unwrap();
    assert!(!index.contains(&student.user_id));
    // The old token is dead on the server.
    assert_eq!(
        pausenhof_core::api::users::me(&api).await.unwrap_err(),
        Error::SessionExpired
    );
    assert_eq!(s.client.restore().await.unwrap(), None);
}

/// Other users of the machine (or apps sharing storage) must not read an
/// account's data: every folder the core makes is 0700, every file 0600,
/// the database's WAL and shared-memory files included.
#[cfg(unix)]
#[tokio::test]
async fn account_data_on_disk_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup().await;
    let student = s.server.account(Role::Student);
    s.client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    s.client.sync().await.unwrap();

    let mut pending = vec![s.data_dir.clone()];
    let (mut folders, mut files) = (0, 0);
    while let Some(path) = pending.pop() {
        let meta = std::fs::metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            assert_eq!(mode, 0o700, "{} is {mode:o}", path.display());
            folders += 1;
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
            files += 1;
        }
    }
    let names: Vec<String> = walk_names(&s.data_dir);
    assert!(
        names.iter().any(|n| n.ends_with(".sqlite-wal")),
        "the check must cover the WAL: {names:?}"
    );
    assert!(
        folders >= 3 && files >= 4,
        "{folders} folders, {files} files"
    );
}

#[cfg(unix)]
fn walk_names(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            names.extend(walk_names(&path));
        } else {
            names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    names
}

#[tokio::test]
async fn logout_offline_still_wipes_locally() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    s.client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    let dir = s.client.account_dir().unwrap();
    let api = s.client.api().unwrap();
    s.server.faults().set_down(true);
    s.client.sign_out().await.unwrap();
    assert!(!dir.exists());
    assert_eq!(s.client.restore().await.unwrap(), None);
    // Only the token to end the server session with is kept, under a key
    // that restoring never reads.
    assert_eq!(s.secrets.len(), 1);

    // Back online: the next start ends the session, then forgets the token.
    s.server.faults().set_down(false);
    let next_start = Client::builder(&s.data_dir)
        .secret_store(s.secrets.clone())
        .build()
        .unwrap();
    assert_eq!(next_start.restore().await.unwrap(), None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !s.secrets.is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "sign-out never settled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        pausenhof_core::api::users::me(&api).await.unwrap_err(),
        Error::SessionExpired
    );
}

#[tokio::test]
async fn restore_reopens_the_last_account_in_a_new_process() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let secrets_file = dir.path().join("secrets.json");
    let student = server.account(Role::Student);
    let build = || {
        Client::builder(&data_dir)
            .secret_store(Arc::new(FileSecretStore::new(&secrets_file)))
            .build()
            .unwrap()
    };
    let first = build();
    assert_eq!(first.restore().await.unwrap(), None);
    first
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    drop(first);

    let second = build();
    server.faults().set_down(true);
    // Offline: restored from disk alone.
    let user = second.restore().await.unwrap().unwrap();
    assert_eq!(user.id, student.user_id);
    assert_eq!(
        *second.session_state().borrow(),
        SessionState::SignedIn {
            user_id: student.user_id.clone()
        }
    );
    server.faults().set_down(false);
    assert_eq!(
        second.refresh_current_user().await.unwrap().id,
        student.user_id
    );

    // Without the token in the secret store there is nothing to restore.
    FileSecretStore::new(&secrets_file)
        .delete(&format!(
            "pausenhof.session.{}",
            second
                .account_dir()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
        ))
        .unwrap();
    assert_eq!(build().restore().await.unwrap(), None);
}

#[tokio::test]
async fn rate_limited_reads_are_retried_and_writes_report_it() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    s.client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    s.server.faults().rate_limit("/api/v4/users/me", 2, 1);
    s.server.reset_request_log();
    assert_eq!(
        s.client.refresh_current_user().await.unwrap().id,
        student.user_id
    );
    let statuses: Vec<u16> = s
        .server
        .request_log()
        .iter()
        .filter(|r| r.path.ends_with("/users/me"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 429, 200]);

    s.server.faults().rate_limit("/api/v4/users/me/patch", 1, 1);
    assert_eq!(
        s.client
            .set_full_name("Anna", "Beispiel")
            .await
            .unwrap_err(),
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
}

#[tokio::test]
async fn corrupted_and_truncated_bodies_are_typed_errors() {
    let s = setup().await;
    let student = s.server.account(Role::Student);
    s.client
        .sign_in_with_password(&s.server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    s.server
        .faults()
        .corrupt_next("GET", "/api/v4/users/me", 1, Corruption::Garbage);
    assert!(matches!(
        s.client.refresh_current_user().await.unwrap_err(),
        Error::InvalidResponse { .. }
    ));
    s.server
        .faults()
        .corrupt_next("GET", "/api/v4/users/me", 1, Corruption::Truncate);
    let err = s.client.refresh_current_user().await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidResponse { .. } | Error::Network { .. }),
        "{err:?}"
    );
    // Still signed in and working afterwards.
    assert_eq!(
        s.client.refresh_current_user().await.unwrap().id,
        student.user_id
    );
}

#[tokio::test]
async fn rate_limit_retries_are_bounded_and_long_waits_are_not_slept() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder(dir.path())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .limits(pausenhof_core::net::HttpLimits {
            max_rate_limit_retries: 1,
            ..Default::default()
        })
        .build()
        .unwrap();
    let student = server.account(Role::Student);
    client
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();

    // A wait longer than we sleep inside a call goes straight to the caller.
    server.faults().rate_limit("/api/v4/users/me", 1, 600);
    server.reset_request_log();
    assert_eq!(
        client.refresh_current_user().await.unwrap_err(),
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(600))
        }
    );
    assert_eq!(server.request_log().len(), 1);

    // More 429s than allowed retries: one retry, then the error.
    server.faults().clear();
    server.faults().rate_limit("/api/v4/users/me", 3, 1);
    server.reset_request_log();
    assert!(matches!(
        client.refresh_current_user().await.unwrap_err(),
        Error::RateLimited { .. }
    ));
    assert_eq!(server.request_log().len(), 2);
}
