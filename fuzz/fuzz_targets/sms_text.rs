//! What a citizen's SMS or WhatsApp text means, whatever they send, in every waiting state.
#![no_main]
use baraza_core::CaseNumber;
use baraza_core::conversation::{Awaiting, interpret};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let n = CaseNumber::parse("48210937").ok();
    for (confirmation, rating, clarification) in [
        (None, None, None),
        (n, None, None),
        (None, n, None),
        (n, n, None),
        (None, None, n),
        (n, n, n),
    ] {
        let awaiting = Awaiting {
            confirmation,
            rating,
            clarification,
        };
        let _ = interpret(data, &awaiting);
    }
});
