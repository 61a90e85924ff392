//! VAPID (RFC 8292): the gateway's signing key and the `Authorization`
//! header that identifies it to push services.
//!
//! Signing is jwt-simple's ES256 (RustCrypto p256). We build the claims
//! ourselves only so that the audience is the endpoint's full origin,
//! including a non-default port, as section 2 of the RFC requires.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use url::Url;
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;

#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    #[error("cannot read or write the VAPID key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the VAPID key file {0} is not a PEM P-256 private key")]
    Malformed(String),
    #[error("cannot sign a VAPID token for this endpoint: {0}")]
    Sign(String),
}

/// The gateway's VAPID identity. `Debug` shows the public half only.
pub struct VapidKey {
    key_pair: ES256KeyPair,
    subject: String,
    public_key: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public_key", &self.public_key)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl VapidKey {
    /// Reads the key at `path`, or creates one there (mode 0600) when the
    /// file does not exist. An existing file that does not parse is an
    /// error, never silently replaced: a new key would break every
    /// subscription a distributor bound to the old one.
    pub fn load_or_create(path: &Path, subject: &str) -> Result<VapidKey, VapidError> {
        let io_error = |source| VapidError::Io {
            path: path.display().to_string(),
            source,
        };
        let key_pair = match std::fs::read_to_string(path) {
            Ok(pem) => ES256KeyPair::from_pem(&pem)
                .map_err(|_| VapidError::Malformed(path.display().to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key_pair = ES256KeyPair::generate();
                let pem = key_pair
                    .to_pem()
                    .map_err(|e| VapidError::Sign(e.to_string()))?;
                write_private_file(path, pem.as_bytes()).map_err(io_error)?;
                tracing::info!(path = %path.display(), "generated a new VAPID key");
                key_pair
            }
            Err(e) => return Err(io_error(e)),
        };
        Ok(VapidKey::from_key_pair(key_pair, subject))
    }

    pub fn generate(subject: &str) -> VapidKey {
        VapidKey::from_key_pair(ES256KeyPair::generate(), subject)
    }

    fn from_key_pair(key_pair: ES256KeyPair, subject: &str) -> VapidKey {
        let public_key =
            URL_SAFE_NO_PAD.encode(key_pair.public_key().public_key().to_bytes_uncompressed());
        VapidKey {
            key_pair,
            subject: subject.to_string(),
            public_key,
        }
    }

    /// The uncompressed public key, base64url: what an app hands its
    /// UnifiedPush distributor and what push services see in `k=`.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// `vapid t=<JWT>, k=<public key>` for a request to `endpoint`.
    pub fn authorization(&self, endpoint: &Url, valid_for: Duration) -> Result<String, VapidError> {
        let audience = endpoint.origin().ascii_serialization();
        if audience == "null" {
            return Err(VapidError::Sign("endpoint has no origin".into()));
        }
        // RFC 8292: expiry no more than 24 hours ahead.
        let valid_for = valid_for.min(Duration::from_secs(24 * 60 * 60));
        let claims = Claims::create(valid_for.into())
            .with_audience(audience)
            .with_subject(&self.subject);
        let token = self
            .key_pair
            .sign(claims)
            .map_err(|e| VapidError::Sign(e.to_string()))?;
        Ok(format!("vapid t={token}, k={}", self.public_key))
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use web_push_native::jwt_simple::algorithms::ES256PublicKey;
    use web_push_native::jwt_simple::claims::NoCustomClaims;
    use web_push_native::jwt_simple::common::VerificationOptions;

    fn verify(header: &str, audience: &str) -> Result<(), String> {
        let rest = header.strip_prefix("vapid t=").ok_or("no vapid scheme")?;
        let (token, key) = rest.split_once(", k=").ok_or("no k=")?;
        let key = URL_SAFE_NO_PAD.decode(key).map_err(|e| e.to_string())?;
        let public = ES256PublicKey::from_bytes(&key).map_err(|e| e.to_string())?;
        let options = VerificationOptions {
            allowed_audiences: Some(HashSet::from([audience.to_string()])),
            required_subject: Some("mailto:admin@schule.example".into()),
            ..Default::default()
        };
        public
            .verify_token::<NoCustomClaims>(token, Some(options))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn header_verifies_with_origin_audience_including_port() {
        let key = VapidKey::generate("mailto:admin@schule.example");
        let endpoint = Url::parse("https://push.example:8443/up/abc?x=1").unwrap();
        let header = key
            .authorization(&endpoint, Duration::from_secs(3600))
            .unwrap();
        verify(&header, "https://push.example:8443").unwrap();
        assert!(verify(&header, "https://push.example").is_err());
        assert!(header.ends_with(key.public_key()));
    }

    #[test]
    fn another_key_does_not_verify() {
        let key = VapidKey::generate("mailto:admin@schule.example");
        let other = VapidKey::generate("mailto:admin@schule.example");
        let endpoint = Url::parse("https://push.example/up/abc").unwrap();
        let header = key
            .authorization(&endpoint, Duration::from_secs(60))
            .unwrap();
        let forged = header.replace(key.public_key(), other.public_key());
        assert!(verify(&forged, "https://push.example").is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vapid.pem");
        let created = VapidKey::load_or_create(&path, "mailto:a@b.example").unwrap();
        let loaded = VapidKey::load_or_create(&path, "mailto:a@b.example").unwrap();
        assert_eq!(created.public_key(), loaded.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{created:?}").contains("PRIVATE"));
    }

    #[test]
    fn garbage_key_file_is_an_error_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vapid.pem");
        std::fs::write(&path, "not a key").unwrap();
        let err = VapidKey::load_or_create(&path, "mailto:a@b.example").unwrap_err();
        assert!(matches!(err, VapidError::Malformed(_)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a key");
    }
}
