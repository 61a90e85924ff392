//! Networking: server addresses, TLS, the HTTP transport and server probing.

pub mod http;
pub mod probe;
pub mod server_url;
pub mod tls;

pub use http::HttpLimits;
pub use probe::{ServerInfo, SignInMethods, SsoProvider, MINIMUM_SERVER_VERSION};
pub use server_url::{ServerUrl, ServerUrlError};
pub use tls::{build_tls_configs, parse_certificates, TlsConfigs, TlsSetupError};
