//! WhatsApp Cloud API notifications: the envelope and its signature check.
#![no_main]
use baraza_channels::Secret;
use baraza_channels::whatsapp::{Envelope, signature_valid};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let secret = Secret::new("app-secret");
    let _ = signature_valid(&secret, data, Some("sha256=00"));
    let _ = signature_valid(&secret, data, std::str::from_utf8(data).ok());
    if let Ok(env) = serde_json::from_slice::<Envelope>(data) {
        let _ = format!("{env:?}");
    }
});
