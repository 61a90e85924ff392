//! A minimal loopback HTTP(S) responder for transport tests: a school CA
//! and leaf certificates made with rcgen, tokio-rustls on the server side,
//! and canned answers per path. Not a Mattermost server: just enough to
//! exercise TLS, probing and hostile responses.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// A canned HTTP answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Declared Content-Length if different from the body (to lie).
    pub content_length: Option<u64>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            content_length: None,
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.as_bytes().to_vec(),
            content_length: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&str, &str) -> Reply + Send + Sync>;

/// A Mattermost-like answer for the two probe endpoints.
pub fn mattermost_like(site_name: &'static str, version: &'static str) -> Handler {
    Arc::new(move |_method, path| {
        if path.starts_with("/api/v4/system/ping") {
            Reply::json(200, r#"{"status":"OK"}"#)
        } else if path.starts_with("/api/v4/config/client") {
            Reply::json(
                200,
                &format!(
                    r#"{{"SiteName":"{site_name}","Version":"{version}","EnableSignInWithEmail":"true",
                       "EnableSignInWithUsername":"true","EnableMultifactorAuthentication":"true",
                       "EnableSignUpWithGitLab":"true","EnableSaml":"false","EnableOpenServer":"false"}}"#
                ),
            )
        } else {
            Reply::json(
                404,
                r#"{"id":"api.context.404.app_error","status_code":404}"#,
            )
        }
    })
}

pub struct MiniServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MiniServer {
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn https_url(&self, host: &str) -> String {
        format!("https://{host}:{}", self.addr.port())
    }
}

impl Drop for MiniServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `handler` on 127.0.0.1:0, over TLS when `tls` is given.
pub async fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> MiniServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    Some(acceptor) => {
                        // A refused handshake is what several tests expect.
                        if let Ok(stream) = acceptor.accept(socket).await {
                            serve(stream, handler).await;
                        }
                    }
                    None => serve(socket, handler).await,
                }
            });
        }
    });
    MiniServer { addr, task }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, handler: Handler) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let content_length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end - 4;
    while have < content_length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => have += n,
        }
    }
    let reply = handler(&method, &path);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let declared = reply.content_length.unwrap_or(reply.body.len() as u64);
    out.push_str(&format!("Content-Length: {declared}\r\n\r\n"));
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.write_all(&reply.body).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

/// A school's own certificate authority.
pub struct SchoolCa {
    pub cert: CertificateDer<'static>,
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl SchoolCa {
    pub fn new() -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Schul-CA Test");
        let cert = params.self_signed(&key).unwrap();
        SchoolCa {
            pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf certificate for `names` (DNS names or IP addresses), valid
    /// now unless `expired`, as a ready rustls server config.
    pub fn server_config(&self, names: &[&str], expired: bool) -> Arc<rustls::ServerConfig> {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let leaf = params.signed_by(&key, &self.issuer).unwrap();
        let chain = vec![leaf.der().clone(), self.cert.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        Arc::new(config)
    }
}
