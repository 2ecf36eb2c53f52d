//! Escalation: when the holder of an open case lets its deadline pass, the case moves one
//! rung up its ladder (ward -> sub-county -> county headquarters), the new holders are
//! told (in the same transaction, through the outbox), and the journal says why.
//!
//! The job keeps no state of its own: `escalation_due` on the case says when to act, so
//! a restart loses nothing. Each escalation names the case version it saw, so a breach
//! escalates once however many processes run the job; the escalation itself gives the new
//! holder a fresh deadline (or none at the top of the ladder).

use baraza_core::lifecycle::{Action, Actor};
use baraza_core::{CaseFilter, Clock, clock::canonical};
use baraza_store::{Store, StoreError, StoreResult};
use std::sync::Arc;

pub struct Escalation {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

/// How many cases one round looks at; the next round takes the rest.
const BATCH: u32 = 500;

impl Escalation {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Escalate every case whose deadline has passed; returns how many moved.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let due = self
            .store
            .list_cases(&CaseFilter {
                escalation_due_by: Some(now),
                limit: BATCH,
                ..Default::default()
            })
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let deadlines = crate::deadlines_by_jurisdiction(&*self.store).await?;
        let mut moved = 0;
        for case in due {
            let Some(deadline) = case.escalation_due else {
                continue;
            };
            let reason = format!(
                "no action by the deadline ({} UTC)",
                &canonical(&deadline)[..16].replace('T', " ")
            );
            let d = deadlines
                .get(&case.jurisdiction)
                .cloned()
                .unwrap_or_default();
            match self
                .store
                .act(
                    case.number,
                    Some(case.version),
                    Actor::system("escalation"),
                    Action::Escalate { reason },
                    d,
                    now,
                )
                .await
            {
                Ok(_) => moved += 1,
                // Someone acted on the case meanwhile: its deadline is theirs to keep now.
                Err(
                    StoreError::Conflict {
                        code: "version_mismatch",
                        ..
                    }
                    | StoreError::Lifecycle(_),
                ) => {}
                Err(e) => return Err(e),
            }
        }
        if moved > 0 {
            tracing::info!(moved, "escalated cases past their deadline");
        }
        Ok(moved)
    }
}
