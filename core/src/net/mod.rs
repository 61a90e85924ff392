//! Networking: server addresses, TLS and the HTTP transport.

pub mod http;
pub mod server_url;
mod sso_provider;
pub mod tls;

pub use http::HttpLimits;
pub use server_url::{ServerUrl, ServerUrlError};
pub use sso_provider::SsoProvider;
pub use tls::{build_tls_configs, parse_certificates, TlsConfigs, TlsSetupError};
