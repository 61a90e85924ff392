//! Addresses from outside: a server address as typed or pasted (first
//! line), and a link, SSO callback or `goto_location` met on that server
//! (the rest).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pausenhof_core::composer::parse_location;
use pausenhof_core::links::{parse_link, LinkTarget};
use pausenhof_core::net::{ServerUrl, SsoProvider};
use pausenhof_core::push::gateway::{gateway_for, parse_gateway};
use pausenhof_core::realtime::connection::websocket_url;
use pausenhof_core::session::sso::parse_callback;
use pausenhof_core::session::PendingSso;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (address, rest) = text.split_once('\n').unwrap_or((text, ""));
    let _ = parse_gateway(address);
    let _ = ServerUrl::parse(rest);
    let Ok(server) = ServerUrl::parse(address) else {
        return;
    };
    // The normalised form is what is stored and read again at start-up.
    let again = ServerUrl::parse(server.as_str())
        .unwrap_or_else(|e| panic!("{:?} does not parse again: {e}", server.as_str()));
    assert_eq!(
        again,
        server,
        "normalising {:?} twice differs",
        server.as_str()
    );
    if !server.is_loopback() {
        assert!(server.as_str().starts_with("https://"));
    }
    let _ = server.websocket_url();
    let _ = server.file_key();
    let _ = gateway_for(&server);
    if let Ok(base) = url::Url::parse(server.as_str()) {
        let _ = websocket_url(&base, None);
    }

    match parse_link(rest, &server) {
        LinkTarget::Post { post_id, .. } => assert_eq!(post_id.len(), 26),
        LinkTarget::OtherServer { url } => {
            let url = url::Url::parse(&url).expect("another server's link is a URL");
            let own = url::Url::parse(server.as_str()).expect("the server is a URL");
            assert_ne!(
                url.origin(),
                own.origin(),
                "own link taken for another server's"
            );
        }
        _ => {}
    }
    let _ = parse_location(rest, server.as_str());
    let pending = PendingSso::new(server.clone(), SsoProvider::GitLab);
    if let Ok(callback) = parse_callback(rest, &pending) {
        let _ = format!("{callback:?}");
    }
});
