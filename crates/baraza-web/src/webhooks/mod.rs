//! Providers' callbacks: citizens' messages coming in, delivery reports. Each checks the
//! provider's authentication before anything else, answers 4xx to a bad request without
//! changing anything, and never logs a citizen's number or words.

pub mod africastalking;
pub mod twilio;
pub mod whatsapp;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The channels this server takes messages on, as configured.
#[derive(Debug, Default, Clone)]
pub struct Channels {
    pub africastalking: Option<baraza_channels::africastalking::Config>,
    pub whatsapp: Option<baraza_channels::whatsapp::Config>,
    pub twilio: Option<baraza_channels::twilio::Config>,
}

/// At most `max` messages per sender per `window` are acted upon; the rest are stored
/// (never lost) and marked throttled. Protects the county's SMS budget and staff's queues
/// from one number flooding.
pub struct SenderLimiter {
    window: Duration,
    max: u32,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Default for SenderLimiter {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            max: 10,
            seen: Mutex::new(HashMap::new()),
        }
    }
}

impl SenderLimiter {
    /// Count a message from `sender`; true if it is over the limit.
    pub fn throttled(&self, sender: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| start.elapsed() < self.window);
        }
        let entry = seen.entry(sender.to_owned()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 > self.max
    }
}
