//! Twilio's signed form posts: parameters, the signature over them, status words.
#![no_main]
use baraza_channels::Secret;
use baraza_channels::twilio::{outcome, signature, signature_valid};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let params: Vec<(String, String)> = serde_urlencoded::from_bytes(data).unwrap_or_default();
    let token = Secret::new("auth-token");
    let url = "https://county.example/webhooks/twilio";
    let sig = signature(&token, url, &params);
    assert!(signature_valid(&token, url, &params, Some(&sig)));
    for (_, v) in &params {
        let _ = outcome(v);
    }
});
