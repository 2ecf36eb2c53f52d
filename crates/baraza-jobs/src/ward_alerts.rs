//! The low-tech portal: citizens who follow a ward (by USSD, or `FOLLOW <ward>` by SMS)
//! get one SMS a day with what happened to public projects there: a tender published, a
//! contract signed or amended, a report approved, a status changed. Sent through the
//! outbox once the jurisdiction's day reaches `hour` (local time), with the idempotency
//! key `ward-digest:<jurisdiction>:<address>:<local date>`: at most one digest per
//! subscriber per day however often the job runs, in however many processes. The news
//! window is the 26 hours before the run, so a run an hour later than yesterday's misses
//! nothing (a change may then be told twice, never not at all).

use baraza_core::disclosure::Subscription;
use baraza_core::journal::Visibility;
use baraza_core::outbound::{OutboundMessage, OutboxEntry, Template};
use baraza_core::project::{
    ProjectChange, WARD_ALERT_PREFIX, alert_of, alert_word, ward_of_alert_class,
};
use baraza_core::{AreaCode, Clock};
use baraza_store::{Store, StoreResult};
use chrono::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub struct WardDigests {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// The local hour from which the day's digest goes out.
    pub hour: i64,
}

impl WardDigests {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            hour: 17,
        }
    }

    /// Queue today's digests; returns how many were queued this time (a digest queued
    /// before today is not queued again, whatever this counts).
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let deadlines = crate::deadlines_by_jurisdiction(&*self.store).await?;
        let mut entries = Vec::new();
        for j in self.store.jurisdictions().await? {
            let d = deadlines.get(&j.id).cloned().unwrap_or_default();
            let today = d.local_date(now);
            // Past the hour locally: the same local date `hour` hours ago.
            if d.local_date(now - Duration::hours(self.hour)) != today {
                continue;
            }
            let followers = self.store.followers_with(&j.id, WARD_ALERT_PREFIX).await?;
            if followers.is_empty() {
                continue;
            }
            // What happened in each ward: (project code, kind), in order.
            let since = now - Duration::hours(26);
            let mut news: BTreeMap<AreaCode, Vec<(String, &'static str)>> = BTreeMap::new();
            for p in self.store.projects(&j.id).await? {
                if p.updated_at < since {
                    continue;
                }
                for e in self.store.case_events(p.id.stream()).await? {
                    if e.at < since || e.visibility != Visibility::Public {
                        continue;
                    }
                    let Ok(change) = serde_json::from_value::<ProjectChange>(e.data()) else {
                        continue;
                    };
                    if let Some(kind) = alert_of(&change) {
                        for w in &p.wards {
                            let list = news.entry(w.clone()).or_default();
                            if !list.contains(&(p.code.clone(), kind)) {
                                list.push((p.code.clone(), kind));
                            }
                        }
                    }
                }
            }
            let mut by_address: BTreeMap<&str, (&Subscription, BTreeSet<AreaCode>)> =
                BTreeMap::new();
            for f in &followers {
                if let Some(w) = ward_of_alert_class(&f.class) {
                    by_address
                        .entry(f.address.as_str())
                        .or_insert_with(|| (f, BTreeSet::new()))
                        .1
                        .insert(w);
                }
            }
            for (address, (sub, wards)) in by_address {
                let mut items: Vec<String> = Vec::new();
                for w in &wards {
                    for (code, kind) in news.get(w).into_iter().flatten() {
                        let item = format!("{code} {}", alert_word(kind, sub.language));
                        if !items.contains(&item) {
                            items.push(item);
                        }
                    }
                }
                if items.is_empty() {
                    continue;
                }
                entries.push(OutboxEntry::new(OutboundMessage {
                    id: uuid::Uuid::now_v7(),
                    jurisdiction: Some(j.id.clone()),
                    idempotency_key: format!("ward-digest:{}:{address}:{today}", j.id),
                    case_id: None,
                    channel: sub.channel,
                    to: address.to_owned(),
                    language: sub.language,
                    template: Template::WardDigest {
                        news: items.join("; "),
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
