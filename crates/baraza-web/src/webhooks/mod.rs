//! Providers' callbacks: citizens' messages coming in, delivery reports. Each checks the
//! provider's authentication before anything else, answers 4xx to a bad request without
//! changing anything, and never logs a citizen's number or words.

pub mod africastalking;
pub mod email;
pub mod twilio;
pub mod whatsapp;

use crate::AppState;
use crate::error::AppError;
use baraza_app::JurisdictionCatalog;
use baraza_core::JurisdictionId;
use baraza_store::inbound::{Arrival, Handled};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The channels this server takes messages on, as configured.
#[derive(Debug, Default, Clone)]
pub struct Channels {
    pub africastalking: Option<baraza_channels::africastalking::Config>,
    pub whatsapp: Option<baraza_channels::whatsapp::Config>,
    pub twilio: Option<baraza_channels::twilio::Config>,
}

impl Channels {
    /// The number or short code citizens text, as configured, if any.
    pub fn sms_number(&self) -> Option<String> {
        self.africastalking
            .as_ref()
            .and_then(|a| a.sender_id.clone())
            .or_else(|| self.twilio.as_ref().and_then(|t| t.sms_from.clone()))
    }

    /// The USSD code citizens dial, as configured, if any.
    pub fn ussd_code(&self) -> Option<String> {
        self.africastalking
            .as_ref()
            .and_then(|a| a.ussd_code.clone())
    }
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

/// The jurisdiction a provider account serves (`section` names its configuration), with
/// its reference data.
pub(crate) async fn served_jurisdiction(
    state: &AppState,
    section: &str,
    configured: &str,
) -> Result<(JurisdictionId, Arc<JurisdictionCatalog>), AppError> {
    let id = JurisdictionId::parse(configured)
        .map_err(|e| AppError::Internal(format!("{section}.jurisdiction: {}", e.message)))?;
    let cat = state
        .catalog
        .fresh(&*state.store, &id, |_| true)
        .await?
        .ok_or_else(|| AppError::Internal(format!("{section}.jurisdiction {id} is not loaded")))?;
    Ok((id, cat))
}

/// Hand a citizen's message to the store. If handling it fails, it is still kept, marked
/// `failed`, for a person to see; only a database outage answers an error (so that the
/// provider tries again later).
pub(crate) async fn keep(
    state: &AppState,
    arrival: Arrival,
    what: &str,
) -> Result<Handled, AppError> {
    let handled = match state.store.receive_message(arrival.clone()).await {
        Ok(h) => h,
        Err(e @ baraza_store::StoreError::Unavailable(_)) => return Err(e.into()),
        Err(e) => {
            tracing::error!(error = %e, channel = what, "a message could not be handled; stored as failed");
            state
                .store
                .receive_message(Arrival {
                    hold: Some(baraza_core::outbound::InboundOutcome::Failed),
                    ..arrival
                })
                .await?
        }
    };
    tracing::info!(channel = what, outcome = %handled.message.outcome, duplicate = handled.duplicate, "message received");
    Ok(handled)
}
