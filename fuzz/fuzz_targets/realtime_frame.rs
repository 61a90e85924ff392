//! One websocket text frame from the server, as the realtime connection
//! reads it: decoded, and its typed event (if any) taken apart.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pausenhof_core::realtime::events::{decode_frame, Frame};

fuzz_target!(|data: &[u8]| {
    // tungstenite hands over text frames only as valid UTF-8.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode_frame(text) {
        Ok(Frame::Event(frame)) => {
            // Errors are logged: their text must be buildable for any input.
            if let Err(error) = &frame.event {
                let _ = error.to_string();
            }
            let _ = format!("{:?}", frame.event);
        }
        Ok(Frame::Reply(reply)) => {
            let _ = reply.data.to_string();
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
