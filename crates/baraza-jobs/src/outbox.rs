//! The outbox sender. Claims due messages (a lease hides them from other workers, in this
//! process or another), renders each in the citizen's language, sends it through the
//! gateway for its channel, and records the outcome: sent (with the provider's id and
//! cost), retried later with exponential backoff, or failed for good. A provider outage
//! delays messages; it never loses them.
//!
//! A round claims a batch in one statement, sends up to `concurrency` messages at once,
//! each channel no faster than its provider allows (`rate_per_second`), and records the
//! whole round's outcomes in one transaction: so the sender keeps pace with intake
//! (thousands a second against a fast provider) instead of paying a commit per message.

use baraza_channels::templates::Templates;
use baraza_channels::{Gateway, Outgoing, SendError};
use baraza_core::outbound::{MAX_ATTEMPTS, OutboundChannel, OutboxEntry, OutboxStatus, backoff};
use baraza_core::{Channel, Clock, Timestamp};
use baraza_store::{Store, StoreResult};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a claimed message stays hidden from other workers.
const LEASE: chrono::Duration = chrono::Duration::seconds(120);

/// How fast the outbox sends (`[outbox]` in baraza.toml, or `BARAZA_OUTBOX__*`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pace {
    /// Messages claimed per round.
    pub batch: u32,
    /// Messages being sent at once.
    pub concurrency: usize,
    /// Messages per second through each channel's provider at most (its rate limit, from
    /// the provider's contract); 0 for no limit.
    pub rate_per_second: u32,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            batch: 200,
            concurrency: 16,
            rate_per_second: 100,
        }
    }
}

impl Pace {
    /// A round's batch, small enough to be sent well within its lease at the provider's
    /// rate: a message claimed again by another worker would be sent twice.
    fn batch(&self) -> u32 {
        let within_lease = match self.rate_per_second {
            0 => u32::MAX,
            r => r.saturating_mul((LEASE.num_seconds() / 2) as u32),
        };
        self.batch.clamp(1, within_lease.max(1))
    }
}

/// One channel's provider, no faster than its rate: each send takes the next free slot.
struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(rate_per_second: u32) -> Self {
        Self {
            interval: (rate_per_second > 0)
                .then(|| Duration::from_secs_f64(1.0 / f64::from(rate_per_second))),
            next: Mutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

pub struct OutboxWorker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    templates: Arc<Templates>,
    gateways: HashMap<OutboundChannel, (Arc<dyn Gateway>, Arc<Pacer>)>,
    pace: Pace,
}

impl OutboxWorker {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, templates: Arc<Templates>) -> Self {
        Self {
            store,
            clock,
            templates,
            gateways: HashMap::new(),
            pace: Pace::default(),
        }
    }

    /// How fast to send: each gateway, before or after, gets a pacer at this rate.
    pub fn with_pace(mut self, pace: Pace) -> Self {
        self.pace = pace;
        for (_, pacer) in self.gateways.values_mut() {
            *pacer = Arc::new(Pacer::new(pace.rate_per_second));
        }
        self
    }

    pub fn with_gateway(mut self, g: Arc<dyn Gateway>) -> Self {
        let pacer = Arc::new(Pacer::new(self.pace.rate_per_second));
        self.gateways.insert(g.channel(), (g, pacer));
        self
    }

    /// Send what is due now; returns how many messages were attempted.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let due = self
            .store
            .claim_outbox(now, now + LEASE, self.pace.batch())
            .await?;
        let n = due.len();
        let outcomes: Vec<StoreResult<(OutboxEntry, Timestamp)>> = futures::stream::iter(due)
            .map(|e| self.attempt(e))
            .buffer_unordered(self.pace.concurrency.max(1))
            .collect()
            .await;
        let mut round = Vec::with_capacity(n);
        let mut failed = None;
        for o in outcomes {
            match o {
                Ok(r) => round.push(r),
                Err(e) => failed = Some(e),
            }
        }
        self.record(&round).await?;
        match failed {
            Some(e) => Err(e),
            None => Ok(n),
        }
    }

    /// Send one message; returns it with its outcome, to be recorded with the round.
    async fn attempt(&self, mut e: OutboxEntry) -> StoreResult<(OutboxEntry, Timestamp)> {
        let claimed_until = e.next_attempt_at;
        let now = self.clock.now();
        e.updated_at = now;
        let Some((gateway, pacer)) = self.gateways.get(&e.message.channel) else {
            // Not configured (yet): keep it, and look again later.
            e.attempts += 1;
            e.next_attempt_at = now + backoff(e.attempts);
            e.last_error = Some(format!("no gateway configured for {}", e.message.channel));
            return Ok((e, claimed_until));
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
                return Ok((e, claimed_until));
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
        pacer.wait().await;
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
        Ok((e, claimed_until))
    }

    /// Record a round's outcomes in one write. The messages are already sent: if the
    /// database refuses, try again before giving up (a message left claimed is sent again
    /// when its lease ends).
    async fn record(&self, round: &[(OutboxEntry, Timestamp)]) -> StoreResult<()> {
        let mut tries = 0;
        let recorded = loop {
            match self.store.update_outbox(round).await {
                Ok(r) => break r,
                Err(e) if tries < 3 => {
                    tries += 1;
                    tracing::warn!(error = %e, tries, "recording sent messages failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => return Err(e),
            }
        };
        for ((e, _), done) in round.iter().zip(recorded) {
            if !done {
                // Our lease ran out and another worker claimed the message meanwhile.
                tracing::warn!(id = %e.message.id, "outcome not recorded: the message was claimed again");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_fits_in_half_a_lease_at_the_providers_rate() {
        let pace = |batch, rate_per_second| Pace {
            batch,
            concurrency: 8,
            rate_per_second,
        };
        // One a second: at most 60 claimed, sent within a minute of a two-minute lease.
        assert_eq!(pace(200, 1).batch(), 60);
        assert_eq!(pace(200, 100).batch(), 200);
        assert_eq!(pace(200, 0).batch(), 200);
        assert_eq!(pace(0, 0).batch(), 1);
    }

    #[tokio::test]
    async fn the_pacer_spaces_sends_at_the_rate() {
        let pacer = Pacer::new(100);
        let start = Instant::now();
        for _ in 0..11 {
            pacer.wait().await;
        }
        // Eleven sends at 100 a second: the last no sooner than 100 ms after the first.
        assert!(start.elapsed() >= Duration::from_millis(100));
        // No limit: no slots to wait for.
        assert!(Pacer::new(0).interval.is_none());
    }
}
