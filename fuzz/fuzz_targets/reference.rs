//! Reference numbers as citizens type them: parsing never panics, and what parses shows
//! and parses back to itself.
#![no_main]
use baraza_core::CaseNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(n) = CaseNumber::parse(data) {
        let shown = n.display_with("EM");
        assert_eq!(CaseNumber::parse(&shown).ok(), Some(n));
        assert_eq!(CaseNumber::parse(&n.digits()).ok(), Some(n));
    }
});
