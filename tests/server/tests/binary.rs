//! The `pausenhof-testserver` binary prints its JSON line and serves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_url_and_accounts_then_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_pausenhof-testserver"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--dataset",
                "small",
                "--seed",
                "4",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("binary starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    assert!(line.starts_with("{\"url\":"), "{line}");
    let v: Value = serde_json::from_str(&line).unwrap();
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"));
    let accounts = v["accounts"].as_array().unwrap();
    for role in ["student", "teacher", "admin"] {
        assert!(accounts.iter().any(|a| a["role"] == role), "{role}");
    }
    assert!(accounts.iter().any(|a| a["mfa_secret"].is_string()));
    assert!(accounts
        .iter()
        .all(|a| a["username"].is_string() && a["password"].is_string() && a["email"].is_string()));

    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();
    let plain = accounts.iter().find(|a| a["mfa_secret"].is_null()).unwrap();
    let r = http
        .post(format!("{url}/api/v4/users/login"))
        .json(&serde_json::json!({"login_id": plain["username"], "password": plain["password"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn binary_rejects_unknown_datasets() {
    let out = Command::new(env!("CARGO_BIN_EXE_pausenhof-testserver"))
        .args(["--dataset", "huge"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
