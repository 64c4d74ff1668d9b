//! The scenario parser and validator: any text is a scenario or a list of located problems.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = sandbank::scenario::parse("fuzz.toml", text) {
            // Rendering the problems is part of what `validate` does.
            let _ = e.to_string();
        }
    }
});
