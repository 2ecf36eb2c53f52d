//! Africa's Talking's callback forms (incoming SMS, delivery reports) as the provider,
//! or an attacker, posts them.
#![no_main]
use baraza_channels::africastalking::{DeliveryReport, IncomingSms};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sms) = serde_urlencoded::from_bytes::<IncomingSms>(data) {
        let cleaned = baraza_core::text::clean(&sms.text);
        assert!(!cleaned.contains('\0'));
    }
    if let Ok(report) = serde_urlencoded::from_bytes::<DeliveryReport>(data) {
        let _ = report.outcome();
    }
});
