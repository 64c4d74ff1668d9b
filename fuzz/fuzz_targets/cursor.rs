//! Basiq `next` cursors: client input decoded into a page position.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sandbank::basiq::data::cursor_is_valid(text);
    }
});
