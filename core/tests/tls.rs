//! TLS against a loopback HTTPS server with a school CA: refused without
//! the extra root (and the problem is named), accepted with it.

mod tls_support;

use pausenhof_core::session::MemorySecretStore;
use pausenhof_core::{Client, Error, TlsProblem};
use std::sync::Arc;
use tls_support::{mattermost_like, start, SchoolCa};

fn client(extra_root: Option<&[u8]>) -> Client {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut builder = Client::builder(dir).secret_store(Arc::new(MemorySecretStore::new()));
    if let Some(root) = extra_root {
        builder = builder.add_root_certificate(root).unwrap();
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn school_ca_is_refused_without_extra_root_and_named_unknown_issuer() {
    let ca = SchoolCa::new();
    let server = start(
        Some(ca.server_config(&["127.0.0.1", "localhost"], false)),
        mattermost_like("Schulchat", "10.5.0"),
    )
    .await;
    let err = client(None)
        .probe_server(&server.https_url("127.0.0.1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Tls {
            problem: TlsProblem::UnknownIssuer
        }
    );
    assert!(err.to_string().contains("unknown authority"));
}

#[tokio::test]
async fn school_ca_is_accepted_with_extra_root_pem_or_der() {
    let ca = SchoolCa::new();
    let server = start(
        Some(ca.server_config(&["127.0.0.1", "localhost"], false)),
        mattermost_like("Schulchat", "10.5.0"),
    )
    .await;
    let info = client(Some(ca.pem.as_bytes()))
        .probe_server(&server.https_url("127.0.0.1"))
        .await
        .unwrap();
    assert_eq!(info.site_name, "Schulchat");
    let info = client(Some(ca.cert.as_ref()))
        .probe_server(&server.https_url("localhost"))
        .await
        .unwrap();
    assert_eq!(info.version, "10.5.0");
}

#[tokio::test]
async fn name_mismatch_is_named() {
    let ca = SchoolCa::new();
    let server = start(
        Some(ca.server_config(&["chat.other-school.example"], false)),
        mattermost_like("x", "10.5.0"),
    )
    .await;
    let err = client(Some(ca.pem.as_bytes()))
        .probe_server(&server.https_url("127.0.0.1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Tls {
            problem: TlsProblem::NameMismatch
        }
    );
}

#[tokio::test]
async fn expired_certificate_is_named() {
    let ca = SchoolCa::new();
    let server = start(
        Some(ca.server_config(&["127.0.0.1"], true)),
        mattermost_like("x", "10.5.0"),
    )
    .await;
    let err = client(Some(ca.pem.as_bytes()))
        .probe_server(&server.https_url("127.0.0.1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::Tls {
            problem: TlsProblem::Expired
        }
    );
}

#[tokio::test]
async fn garbage_root_certificate_is_refused_by_the_builder() {
    let result = Client::builder(tempfile::tempdir().unwrap().keep())
        .secret_store(Arc::new(MemorySecretStore::new()))
        .add_root_certificate(b"definitely not a certificate");
    assert!(result.is_err());
}

/// The test server the apps' tests use, in its school-CA mode: the whole
/// sign-in works over HTTPS once the school's CA is added.
#[tokio::test]
async fn the_test_server_with_a_school_ca_signs_in_once_the_ca_is_added() {
    let ca = pausenhof_testserver::school_ca::SchoolCa::generate().unwrap();
    let server = pausenhof_testserver::TestServer::start(pausenhof_testserver::ServerConfig {
        tls: Some(ca.server_config.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(server.url().starts_with("https://"));
    let err = client(None).probe_server(&server.url()).await.unwrap_err();
    assert_eq!(
        err,
        Error::Tls {
            problem: TlsProblem::UnknownIssuer
        }
    );
    let student = server.account(pausenhof_testserver::Role::Student);
    let user = client(Some(ca.ca_pem.as_bytes()))
        .sign_in_with_password(&server.url(), &student.username, &student.password, None)
        .await
        .unwrap();
    assert_eq!(user.id, student.user_id);
}
