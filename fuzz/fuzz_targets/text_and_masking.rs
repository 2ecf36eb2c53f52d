//! Text cleaned at the edge and masked for readers: never a control character after
//! cleaning, cleaning twice changes nothing, and masking never leaves a run of seven
//! digits.
#![no_main]
use baraza_app::privacy::mask;
use baraza_core::text::clean;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let once = clean(data);
    assert_eq!(clean(&once), once);
    assert!(
        !once
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    );
    let masked = mask(data);
    let mut run = 0;
    for c in masked.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        assert!(run < 7, "{masked:?}");
    }
});
