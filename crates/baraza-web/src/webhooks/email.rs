//! Inbound email, from the SMTP/LMTP listener (`baraza_channels::inbound_email`) into the
//! same conversation flow as SMS: stored once per message id, then understood. The
//! address says what a message is for: `case-<ref>@` or `request-<ref>@` is a reply on
//! that case (the address Baraza's own emails give as Reply-To), `information@` opens an
//! information request, any other address of the domain a concern.

use crate::AppState;
use baraza_channels::inbound_email::{Deliver, InboundEmail};
use baraza_core::outbound::{InboundMessage, InboundOutcome};
use baraza_core::{Channel, JurisdictionId};
use baraza_store::inbound::Arrival;

pub const PROVIDER: &str = "email";

/// Where the listener hands its messages: one jurisdiction's inbox.
pub struct Inbox {
    pub state: AppState,
    pub jurisdiction: JurisdictionId,
}

#[async_trait::async_trait]
impl Deliver for Inbox {
    async fn deliver(&self, mail: InboundEmail) -> Result<(), String> {
        let cat = self
            .state
            .catalog
            .fresh(&*self.state.store, &self.jurisdiction, |_| true)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no jurisdiction {}", self.jurisdiction))?;
        // A reply's own words; a new message's subject says what it is about.
        let subject = mail.subject.trim();
        let is_reply = subject.to_ascii_lowercase().starts_with("re:");
        let body = if subject.is_empty() || is_reply || mail.text.is_empty() {
            if mail.text.is_empty() {
                subject.to_owned()
            } else {
                mail.text.clone()
            }
        } else {
            format!("{subject}\n\n{}", mail.text)
        };
        // A machine's message (a bounce, an auto-reply) is stored and not acted upon, so
        // that Baraza and another machine never answer each other in a loop; so is a
        // sender's flood.
        let hold = if mail.automatic {
            Some(InboundOutcome::Automatic)
        } else if self
            .state
            .senders
            .throttled(&format!("email:{}", mail.from))
        {
            Some(InboundOutcome::Throttled)
        } else {
            None
        };
        for to in &mail.to {
            let arrival = Arrival {
                message: InboundMessage {
                    id: uuid::Uuid::now_v7(),
                    // The store gives it the receiving jurisdiction's.
                    jurisdiction: None,
                    provider: PROVIDER.into(),
                    provider_message_id: format!("{}:{to}", mail.id),
                    channel: Channel::Email,
                    from: mail.from.clone(),
                    to: Some(to.clone()),
                    body: baraza_core::text::clean(&body),
                    received_at: self.state.clock.now(),
                    case_id: None,
                    outcome: InboundOutcome::Unhandled,
                    media: None,
                },
                jurisdiction: self.jurisdiction.clone(),
                default_language: cat.jurisdiction.default_language,
                targets: cat.targets.clone(),
                hold,
            };
            super::keep(&self.state, arrival, "email")
                .await
                .map_err(|e| format!("{e:?}"))?;
        }
        Ok(())
    }
}
