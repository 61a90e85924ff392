//! Secrets stay secret: after signing in, using the session, failing calls
//! syncing the database, and logging at TRACE level for every crate, neither the session token nor
//! the password appears in the logs, in any file of the data directory
//! (SQLite database included) or in any error's Display/Debug.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use pausenhof_core::session::{MemorySecretStore, SecretStore};
use pausenhof_core::{api, Client, Error};
use pausenhof_testserver::{Role, ServerConfig, TestServer};

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_containing(dir: &Path, needle: &[u8], found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_containing(&path, needle, found);
        } else {
            let data = std::fs::read(&path).unwrap();
            if data.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
}

#[tokio::test]
async fn token_and_password_never_leak() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .unwrap();

    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let secrets = Arc::new(MemorySecretStore::new());
    let client = Client::builder(&data_dir)
        .secret_store(secrets.clone())
        .build()
        .unwrap();
    let student = server.account(Role::Student);

    let mut errors: Vec<Error> = Vec::new();
    errors.push(
        client
            .sign_in_with_password(&server.url(), &student.username, "falsches-passwort", None)
            .await
            .unwrap_err(),
    );
    client
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    let account_key = client
        .account_dir()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let token = secrets
        .get(&format!("pausenhof.session.{account_key}"))
        .unwrap()
        .expect("token in the secret store");
    assert!(token.len() >= 16);

    // Use the session: reads with ids in the path, a write, a failing call.
    let api_client = client.api().unwrap();
    let teams = api::teams::my_teams(&api_client).await.unwrap();
    let channels = api::channels::my_team_channels(&api_client, &teams[0].id)
        .await
        .unwrap();
    api::posts::channel_posts(
        &api_client,
        &channels[0].id,
        &api::posts::PostsPage::Page {
            page: 0,
            per_page: 5,
        },
        false,
    )
    .await
    .unwrap();
    client.set_full_name("Geheim", "Name").await.unwrap();
    let secret_message = "Vertraulich: Notenliste Klasse 7b";
    api::posts::create_post(
        &api_client,
        &api::posts::NewPost {
            channel_id: channels[0].id.clone(),
            message: secret_message.into(),
            pending_post_id: "pending-secret-1".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Fill the account's database the way the app does.
    pausenhof_core::sync::sync(
        &api_client,
        &client.store().unwrap(),
        &pausenhof_core::sync::SyncOptions::default(),
    )
    .await
    .unwrap();
    // The synced post is in the database files (WAL included), so the
    // search for secrets below looks at real data.
    let mut with_message = Vec::new();
    files_containing(
        &client.account_dir().unwrap(),
        secret_message.as_bytes(),
        &mut with_message,
    );
    assert!(
        with_message.iter().any(|f| f.contains("store.sqlite")),
        "sync wrote the post: {with_message:?}"
    );
    errors.push(
        api::posts::post(&api_client, "doesnotexistdoesnotexist00")
            .await
            .unwrap_err(),
    );
    server.expire_sessions(&student.user_id);
    errors.push(client.refresh_current_user().await.unwrap_err());
    errors.push(
        client
            .sign_in_with_token(&server.url(), &token)
            .await
            .unwrap_err(),
    );

    // Files: the data directory holds no token and no password.
    let mut found = Vec::new();
    files_containing(&data_dir, token.as_bytes(), &mut found);
    files_containing(&data_dir, student.password.as_bytes(), &mut found);
    assert!(found.is_empty(), "secret found in {found:?}");
    assert!(client.account_dir().unwrap().join("store.sqlite").exists());

    // Errors and debug output.
    for error in &errors {
        let text = format!("{error} {error:?}");
        assert!(!text.contains(&token), "token in error {error:?}");
        assert!(!text.contains(&student.password));
    }
    let debug = format!("{client:?} {api_client:?}");
    assert!(!debug.contains(&token));

    // Logs: requests were traced (so the check below means something), but
    // without token, password or the ids in paths.
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("/users/me"), "requests are traced");
    assert!(text.contains("/channels/{id}/posts"), "ids are templated");
    assert!(text.contains("status=200"));
    assert!(!text.contains(&token), "token in logs");
    assert!(!text.contains(&student.password), "password in logs");
    assert!(!text.contains(&channels[0].id), "channel id in logs");
    assert!(!text.contains(secret_message), "message text in logs");

    client.sign_out().await.unwrap();
    assert!(secrets.is_empty());
}
