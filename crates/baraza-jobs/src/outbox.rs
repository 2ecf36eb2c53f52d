//! The outbox sender. Claims due messages (a lease hides them from other workers, in this
//! process or another), renders each in the citizen's language, sends it through the
//! gateway for its channel, and records the outcome: sent (with the provider's id and
//! cost), retried later with exponential backoff, or failed for good. A provider outage
//! delays messages; it never loses them.

use baraza_channels::templates::Templates;
use baraza_channels::{Gateway, Outgoing, SendError};
use baraza_core::outbound::{MAX_ATTEMPTS, OutboundChannel, OutboxEntry, OutboxStatus, backoff};
use baraza_core::{Channel, Clock};
use baraza_store::{Store, StoreResult};
use std::collections::HashMap;
use std::sync::Arc;

/// How long a claimed message stays hidden from other workers.
const LEASE: chrono::Duration = chrono::Duration::seconds(120);
/// How many messages one round sends at most (concurrently).
const BATCH: u32 = 32;

pub struct OutboxWorker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    templates: Arc<Templates>,
    gateways: HashMap<OutboundChannel, Arc<dyn Gateway>>,
}

impl OutboxWorker {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, templates: Arc<Templates>) -> Self {
        Self {
            store,
            clock,
            templates,
            gateways: HashMap::new(),
        }
    }

    pub fn with_gateway(mut self, g: Arc<dyn Gateway>) -> Self {
        self.gateways.insert(g.channel(), g);
        self
    }

    /// Send what is due now; returns how many messages were attempted.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let due = self.store.claim_outbox(now, now + LEASE, BATCH).await?;
        let n = due.len();
        let results = futures::future::join_all(due.into_iter().map(|e| self.attempt(e))).await;
        for r in results {
            r?;
        }
        Ok(n)
    }

    async fn attempt(&self, mut e: OutboxEntry) -> StoreResult<()> {
        let claimed_until = e.next_attempt_at;
        let now = self.clock.now();
        e.updated_at = now;
        let Some(gateway) = self.gateways.get(&e.message.channel) else {
            // Not configured (yet): keep it, and look again later.
            e.attempts += 1;
            e.next_attempt_at = now + backoff(e.attempts);
            e.last_error = Some(format!("no gateway configured for {}", e.message.channel));
            return self.record(&e, claimed_until).await;
        };
        let text = match self.templates.render(
            &e.message.template,
            e.message.language,
            e.message.channel,
        ) {
            Ok(t) => t,
            Err(err) => {
                e.status = OutboxStatus::Failed;
                e.last_error = Some(err.to_string());
                tracing::error!(id = %e.message.id, error = %err, "a message template did not render");
                return self.record(&e, claimed_until).await;
            }
        };
        let last_inbound = match e.message.channel {
            OutboundChannel::Whatsapp => {
                self.store
                    .last_inbound_at(Channel::Whatsapp, &e.message.to)
                    .await?
            }
            _ => None,
        };
        let asks_if_solved = matches!(
            e.message.template,
            baraza_core::outbound::Template::Response { .. }
                | baraza_core::outbound::Template::Reminder { .. }
        );
        // Email replies find their case by the Reply-To address (case-<ref>@...).
        let case_digits = match (e.message.channel, e.message.case_id) {
            (OutboundChannel::Email, Some(id)) => self
                .store
                .case_by_id(id)
                .await
                .ok()
                .flatten()
                .map(|c| c.number.digits()),
            _ => None,
        };
        let outgoing = Outgoing {
            to: &e.message.to,
            text: &text,
            language: e.message.language,
            last_inbound,
            now,
            asks_if_solved,
            case_digits,
        };
        e.attempts += 1;
        match gateway.send(&outgoing).await {
            Ok(sent) => {
                e.status = OutboxStatus::Sent;
                e.provider = Some(sent.provider.to_owned());
                e.provider_message_id = sent.provider_message_id;
                e.cost = sent.cost;
                e.last_error = None;
            }
            Err(SendError::Uncertain(why)) => {
                // Perhaps sent: at most once matters more to a citizen than at least once.
                tracing::warn!(id = %e.message.id, error = %why, "send outcome unknown; not sending again");
                e.status = OutboxStatus::Uncertain;
                e.provider = Some(gateway.provider().to_owned());
                e.last_error = Some(why);
            }
            Err(SendError::Retryable(why)) if e.attempts < MAX_ATTEMPTS => {
                tracing::warn!(id = %e.message.id, attempts = e.attempts, error = %why, "sending failed; will retry");
                e.next_attempt_at = now + backoff(e.attempts);
                e.last_error = Some(why);
            }
            Err(err) => {
                tracing::warn!(id = %e.message.id, error = %err, "sending failed for good");
                e.status = OutboxStatus::Failed;
                e.provider = Some(gateway.provider().to_owned());
                e.last_error = Some(err.to_string());
            }
        }
        self.record(&e, claimed_until).await
    }

    async fn record(
        &self,
        e: &OutboxEntry,
        claimed_until: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        if !self.store.update_outbox(e, claimed_until).await? {
            // Our lease ran out and another worker claimed the message meanwhile.
            tracing::warn!(id = %e.message.id, "outcome not recorded: the message was claimed again");
        }
        Ok(())
    }
}
