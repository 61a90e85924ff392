//! A push as the platform hands it over (the full Mattermost message or the
//! gateway's ids-only one).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pausenhof_core::push::payload::{decode_push, MAX_PUSH_PAYLOAD_BYTES};

fuzz_target!(|data: &[u8]| {
    match decode_push(data) {
        Ok(push) => {
            assert!(data.len() <= MAX_PUSH_PAYLOAD_BYTES);
            // Only ids come out of a push, never text: every id is short.
            for id in [
                &push.ack_id,
                &push.server_id,
                &push.post_id,
                &push.channel_id,
                &push.root_id,
                &push.team_id,
                &push.sender_id,
            ] {
                assert!(id.len() <= 64, "an id of {} bytes was accepted", id.len());
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
