//! Basiq's filter grammar (`account.id.eq('…'),transaction.postDate.bt('…','…')`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sandbank::basiq::filter::parse(text);
    }
});
