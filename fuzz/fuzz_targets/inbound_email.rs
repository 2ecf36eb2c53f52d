//! Whatever bytes arrive as an email, reading them never fails, and the text kept of a
//! reply never holds the lines it quotes.
#![no_main]
use baraza_channels::inbound_email::read_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let m = read_message(data, "", vec!["information@baraza.test".into()]);
    assert!(!m.id.is_empty());
    assert!(m.text.lines().all(|l| !l.trim_start().starts_with('>')));
});
