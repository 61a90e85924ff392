//! Typed REST v4 calls, one file per area. Every function takes the shared
//! [`ApiClient`] and returns model types; sync, realtime and the outbox
//! build on these.

mod client;
pub(crate) mod errors;

pub mod autocomplete;
pub mod channels;
pub mod commands;
pub mod drafts;
pub mod files;
pub mod pins;
pub mod posts;
pub mod preferences;
pub mod probe;
pub mod push;
pub mod system;
pub mod teams;
pub mod terms;
pub mod users;

pub use client::{ApiClient, Body, RawResponse, RequestOptions};
pub use probe::{ServerInfo, SignInMethods, MINIMUM_SERVER_VERSION};

/// Percent-encodes one path segment (ids are safe already; emoji names,
/// usernames and file names may not be).
pub(crate) fn seg(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod server_tests;

#[cfg(test)]
mod tests {
    #[test]
    fn seg_escapes_reserved_characters() {
        assert_eq!(super::seg("abc123"), "abc123");
        assert_eq!(super::seg("+1"), "%2B1");
        assert_eq!(super::seg("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(super::seg("ä"), "%C3%A4");
    }
}
