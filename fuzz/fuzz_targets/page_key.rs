//! Meld page keys and limits (`before`, `after`, `limit`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sandbank::meld::page::{Kind, Paging};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parts = text.splitn(3, '\n');
        let (before, after, limit) = (parts.next(), parts.next(), parts.next());
        let mut errors = Vec::new();
        let _ = Paging::parse(
            Kind::Transaction,
            before,
            after,
            limit,
            (10, 100),
            &mut errors,
        );
    }
});
