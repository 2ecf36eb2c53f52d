//! Reminders to milestones' owners: before a milestone's end month closes, and before
//! each review that will look at it (`action_plan::reminders_due`), by email or SMS,
//! through the outbox. Each reminder has its own idempotency key (plan, milestone, and the
//! end month or review date), so running the job daily, or in two processes, sends it once.

use baraza_core::action_plan::{Reminder, reminders_due};
use baraza_core::outbound::{OutboundChannel, OutboundMessage, OutboxEntry, Template};
use baraza_core::{Clock, Language};
use baraza_store::{Store, StoreResult};
use std::sync::Arc;

pub struct MilestoneReminders {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// How many days ahead to remind.
    pub ahead_days: i64,
}

impl MilestoneReminders {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            ahead_days: 14,
        }
    }

    /// Queue every reminder due today; returns how many were queued (a reminder queued
    /// before is not queued again, whatever this counts).
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let deadlines = crate::deadlines_by_jurisdiction(&*self.store).await?;
        let mut entries = Vec::new();
        for plan in self.store.all_plans().await? {
            let today = deadlines
                .get(&plan.jurisdiction)
                .cloned()
                .unwrap_or_default()
                .local_date(now);
            let due = reminders_due(&plan, today, self.ahead_days);
            if due.is_empty() {
                continue;
            }
            let staff = self.store.users(Some(&plan.jurisdiction)).await?;
            for (c, m, key, why) in due {
                let Some(owner) = staff
                    .iter()
                    .find(|u| !u.disabled && Some(&u.username) == m.owner.as_ref())
                else {
                    continue;
                };
                let (channel, to) = match (&owner.email, &owner.phone) {
                    (Some(e), _) => (OutboundChannel::Email, e.as_str().to_owned()),
                    (None, Some(p)) => (OutboundChannel::Sms, p.as_str().to_owned()),
                    (None, None) => continue,
                };
                let due = match why {
                    Reminder::EndsSoon { ends } => ends.to_string(),
                    Reminder::ReviewDue { body, due } => format!("{due} ({body})"),
                };
                let mut text: String = m.text.chars().take(80).collect();
                if m.text.chars().count() > 80 {
                    text.push('…');
                }
                entries.push(OutboxEntry::new(OutboundMessage {
                    id: uuid::Uuid::now_v7(),
                    jurisdiction: Some(plan.jurisdiction.clone()),
                    idempotency_key: key,
                    case_id: None,
                    channel,
                    to,
                    language: Language::English,
                    template: Template::MilestoneReminder {
                        commitment: c.ogp_id.clone(),
                        milestone: m.number.to_string(),
                        text,
                        due,
                        link: format!("/staff/plans/{}", plan.slug),
                    },
                    created_at: now,
                }));
            }
        }
        let n = entries.len();
        if n > 0 {
            self.store.notify(entries).await?;
        }
        Ok(n)
    }
}
