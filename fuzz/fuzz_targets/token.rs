//! HS256 tokens: anything a client sends as a bearer token is verified or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sandbank::jwt::verify::<serde_json::Value>(b"fuzzing key", text);
    }
});
