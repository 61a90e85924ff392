//! Probing servers: what answers, what it is called, how to sign in, and
//! the distinct failures (unreachable, not Mattermost, too old, hostile).

mod tls_support;

use std::sync::Arc;

use pausenhof_core::net::SsoProvider;
use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error};
use tls_support::{mattermost_like, start, Reply};

fn client() -> Client {
    Client::builder(tempfile::tempdir().unwrap().keep())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap()
}

#[tokio::test]
async fn probe_reports_name_version_and_sign_in_methods() {
    let server = start(None, mattermost_like("Schulchat Nord", "9.11.3")).await;
    let info = client().probe_server(&server.http_url()).await.unwrap();
    assert_eq!(info.site_name, "Schulchat Nord");
    assert_eq!(info.version, "9.11.3");
    assert!(info.sign_in.email && info.sign_in.username && info.sign_in.mfa);
    assert!(!info.sign_in.open_sign_up);
    assert_eq!(info.sign_in.sso, vec![SsoProvider::GitLab]);
    assert_eq!(info.url.as_str(), server.http_url());
}

#[tokio::test]
async fn sub_path_and_trailing_slash_are_kept() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let inner = mattermost_like("x", "10.0.0");
    let handler: tls_support::Handler = Arc::new(move |method, path| {
        log.lock().unwrap().push(path.to_owned());
        match path.strip_prefix("/mattermost") {
            Some(rest) => inner(method, rest),
            None => Reply::text(404, "nope"),
        }
    });
    let server = start(None, handler).await;
    let info = client()
        .probe_server(&format!("{}/mattermost/", server.http_url()))
        .await
        .unwrap();
    assert_eq!(
        info.url.as_str(),
        format!("{}/mattermost", server.http_url())
    );
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .all(|p| p.starts_with("/mattermost/api/v4/")));
}

#[tokio::test]
async fn too_old_server_is_refused_with_its_version() {
    let server = start(None, mattermost_like("x", "9.10.2")).await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::ServerTooOld {
            version: "9.10.2".into()
        }
    );
}

#[tokio::test]
async fn a_web_page_is_not_mattermost() {
    let server = start(
        None,
        Arc::new(|_, _| Reply::text(200, "<html>Schule</html>")),
    )
    .await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::NotMattermost
    );
    let server = start(None, Arc::new(|_, _| Reply::text(404, "not here"))).await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::NotMattermost
    );
    // Ping fine, but no usable config.
    let server = start(
        None,
        Arc::new(|_, path| {
            if path.contains("ping") {
                Reply::json(200, r#"{"status":"OK"}"#)
            } else {
                Reply::json(200, r#"{"Version":5}"#)
            }
        }),
    )
    .await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::NotMattermost
    );
}

#[tokio::test]
async fn closed_port_is_offline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    assert_eq!(
        client()
            .probe_server(&format!("http://{addr}"))
            .await
            .unwrap_err(),
        Error::Offline
    );
}

#[tokio::test]
async fn invalid_addresses_are_refused_before_any_request() {
    let c = client();
    assert!(matches!(
        c.probe_server("http://chat.schule.example").await,
        Err(Error::InvalidServer { .. })
    ));
    assert!(matches!(
        c.probe_server("").await,
        Err(Error::InvalidServer { .. })
    ));
}

#[tokio::test]
async fn hostile_sizes_are_refused() {
    // Declared huge: refused before reading.
    let server = start(
        None,
        Arc::new(|_, _| {
            let mut r = Reply::json(200, r#"{"status":"OK"}"#);
            r.content_length = Some(10 * 1024 * 1024 * 1024);
            r
        }),
    )
    .await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::ResponseTooLarge { limit: 64 * 1024 }
    );
    // Really big body with honest length above the cap.
    let big = format!(r#"{{"status":"OK","pad":"{}"}}"#, "x".repeat(200 * 1024));
    let server = start(None, Arc::new(move |_, _| Reply::json(200, &big))).await;
    assert_eq!(
        client().probe_server(&server.http_url()).await.unwrap_err(),
        Error::ResponseTooLarge { limit: 64 * 1024 }
    );
}

#[tokio::test]
async fn truncated_body_is_a_typed_error() {
    let server = start(
        None,
        Arc::new(|_, _| {
            let mut r = Reply::json(200, r#"{"status":"O"#);
            r.content_length = Some(100);
            r
        }),
    )
    .await;
    let err = client().probe_server(&server.http_url()).await.unwrap_err();
    assert!(
        matches!(err, Error::Network { .. } | Error::InvalidResponse { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and reads, but never writes a byte.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::builder(tempfile::tempdir().unwrap().keep())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .request_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    assert_eq!(
        client
            .probe_server(&format!("http://{addr}"))
            .await
            .unwrap_err(),
        Error::Network {
            problem: pausenhof_core::NetworkProblem::Timeout
        }
    );
    silent.abort();
}
