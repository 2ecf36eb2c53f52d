//! What a citizen's SMS or WhatsApp text means, whatever they send, in every waiting state.
#![no_main]
use baraza_core::CaseNumber;
use baraza_core::conversation::{Awaiting, interpret};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let n = CaseNumber::parse("48210937").ok();
    for awaiting in [
        Awaiting {
            confirmation: None,
            rating: None,
        },
        Awaiting {
            confirmation: n,
            rating: None,
        },
        Awaiting {
            confirmation: None,
            rating: n,
        },
        Awaiting {
            confirmation: n,
            rating: n,
        },
    ] {
        let _ = interpret(data, &awaiting);
    }
});
