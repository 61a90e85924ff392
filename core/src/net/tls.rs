//! TLS setup: rustls with the ring provider, the bundled Mozilla roots
//! (webpki-roots, so old Android trust stores do not matter) plus extra
//! roots a school adds. The same config serves HTTP (reqwest) and the
//! websocket (tokio-tungstenite).

use std::error::Error as StdError;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, RootCertStore};

use crate::error::TlsProblem;

/// Why extra root certificates or the TLS config could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsSetupError {
    #[error("no certificate found in the given data")]
    NoCertificate,
    #[error("the certificate could not be read: {0}")]
    Unreadable(String),
    #[error("the certificate was refused as a root: {0}")]
    Refused(String),
    #[error("TLS configuration failed: {0}")]
    Config(String),
}

impl From<TlsSetupError> for crate::Error {
    fn from(e: TlsSetupError) -> Self {
        crate::Error::Tls {
            problem: TlsProblem::Other(e.to_string()),
        }
    }
}

/// Reads certificates from PEM (one or more `BEGIN CERTIFICATE` blocks) or
/// from a single DER certificate.
pub fn parse_certificates(data: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    if data.windows(11).any(|w| w == b"-----BEGIN ") {
        let certs = CertificateDer::pem_slice_iter(data)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsSetupError::Unreadable(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsSetupError::NoCertificate);
        }
        return Ok(certs);
    }
    // DER: an X.509 certificate is an ASN.1 SEQUENCE (0x30).
    if data.first() == Some(&0x30) {
        return Ok(vec![CertificateDer::from(data.to_vec())]);
    }
    Err(TlsSetupError::NoCertificate)
}

/// The two configs the core needs: HTTP may negotiate h2, the websocket
/// must stay on HTTP/1.1.
#[derive(Clone)]
pub struct TlsConfigs {
    pub http: Arc<rustls::ClientConfig>,
    pub websocket: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for TlsConfigs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfigs { .. }")
    }
}

/// Builds the rustls configs: Mozilla roots + `extra_roots`, ring provider.
pub fn build_tls_configs(
    extra_roots: &[CertificateDer<'static>],
) -> Result<TlsConfigs, TlsSetupError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in extra_roots {
        roots
            .add(cert.clone())
            .map_err(|e| TlsSetupError::Refused(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let base = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Config(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut http = base.clone();
    http.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut websocket = base;
    websocket.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConfigs {
        http: Arc::new(http),
        websocket: Arc::new(websocket),
    })
}

/// Finds a rustls error in an error's source chain (reqwest → hyper →
/// io::Error → rustls::Error) and names the certificate problem.
pub fn tls_problem_in_chain(error: &(dyn StdError + 'static)) -> Option<TlsProblem> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(problem) = rustls_problem(e) {
            return Some(problem);
        }
        // io::Error::source() skips its own payload (which may itself be an
        // io::Error wrapping the rustls error): descend into the payload.
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(payload) => Some(payload as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

fn rustls_problem(e: &(dyn StdError + 'static)) -> Option<TlsProblem> {
    let err = e.downcast_ref::<rustls::Error>()?;
    Some(match err {
        rustls::Error::InvalidCertificate(cert) => certificate_problem(cert),
        rustls::Error::PeerIncompatible(_) => TlsProblem::Incompatible,
        rustls::Error::NoCertificatesPresented => TlsProblem::BadCertificate,
        other => TlsProblem::Other(other.to_string()),
    })
}

fn certificate_problem(cert: &CertificateError) -> TlsProblem {
    match cert {
        CertificateError::UnknownIssuer => TlsProblem::UnknownIssuer,
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => TlsProblem::Expired,
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            TlsProblem::NotValidYet
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            TlsProblem::NameMismatch
        }
        CertificateError::Revoked => TlsProblem::Revoked,
        _ => TlsProblem::BadCertificate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school_ca() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        rcgen::CertifiedKey {
            cert,
            signing_key: key,
        }
    }

    #[test]
    fn parses_pem_bundles_and_der() {
        let a = school_ca();
        let b = school_ca();
        let bundle = format!("{}\n{}", a.cert.pem(), b.cert.pem());
        assert_eq!(parse_certificates(bundle.as_bytes()).unwrap().len(), 2);
        let der = a.cert.der().to_vec();
        assert_eq!(parse_certificates(&der).unwrap()[0].as_ref(), &der[..]);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            parse_certificates(b"hello"),
            Err(TlsSetupError::NoCertificate)
        );
        assert_eq!(parse_certificates(b""), Err(TlsSetupError::NoCertificate));
        assert!(parse_certificates(
            b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"
        )
        .is_err());
        // DER-looking garbage is refused when added as a root.
        assert!(build_tls_configs(&[CertificateDer::from(vec![0x30, 0x03, 1, 2, 3])]).is_err());
    }

    #[test]
    fn builds_configs_with_extra_roots_and_alpn() {
        let ca = school_ca();
        let configs = build_tls_configs(&[ca.cert.der().clone()]).unwrap();
        assert_eq!(configs.websocket.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(configs.http.alpn_protocols.contains(&b"h2".to_vec()));
    }

    #[test]
    fn finds_rustls_error_behind_io_error() {
        let rustls_err = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        // hyper wraps it twice: io::Error(Other, io::Error(InvalidData, rustls)).
        let io = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls_err,
        ));
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let outer = Outer(io);
        assert_eq!(
            tls_problem_in_chain(&outer),
            Some(TlsProblem::UnknownIssuer)
        );
        let expired = rustls::Error::InvalidCertificate(CertificateError::Expired);
        assert_eq!(tls_problem_in_chain(&expired), Some(TlsProblem::Expired));
        assert_eq!(tls_problem_in_chain(&std::io::Error::other("x")), None);
    }
}
