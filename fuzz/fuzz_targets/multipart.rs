//! Statement uploads: the first line is the `Content-Type`, the rest the multipart body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (head, body) = data.split_at(split);
    if let Ok(content_type) = std::str::from_utf8(head) {
        let _ = sandbank::basiq::statements::read_multipart(content_type, body);
    }
});
