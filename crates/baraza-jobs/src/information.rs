//! The access-to-information clock: a request with no decision when its due date passes
//! is refused by law (Kenya ATI s.9(6); Ghana, silence is denial). This job records that
//! refusal, which tells the applicant how to seek review and the head of the body that it
//! happened (both through the outbox, in the same transaction).
//!
//! Like escalation it keeps no state: the request's `deadline` says when, and each
//! refusal names the version it saw, so two processes running the job record it once.

use baraza_core::lifecycle::{Action, Actor};
use baraza_core::{CaseFilter, Clock};
use baraza_store::{Store, StoreError, StoreResult};
use std::sync::Arc;

pub struct DeemedRefusals {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

const BATCH: u32 = 500;

impl DeemedRefusals {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Record a deemed refusal for every request past its due date; returns how many.
    pub async fn run_once(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let due = self
            .store
            .list_cases(&CaseFilter {
                information: Some(true),
                deadline_before: Some(now),
                limit: BATCH,
                ..Default::default()
            })
            .await?;
        let due: Vec<_> = due
            .into_iter()
            .filter(|c| {
                c.request.as_ref().is_some_and(|r| {
                    r.awaits_decision() && r.paused_since.is_none() && r.due <= now
                })
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let deadlines = crate::deadlines_by_jurisdiction(&*self.store).await?;
        let mut refused = 0;
        for case in due {
            let d = deadlines
                .get(&case.jurisdiction)
                .cloned()
                .unwrap_or_default();
            match self
                .store
                .act(
                    case.number,
                    Some(case.version),
                    Actor::system("information-clock"),
                    Action::DeemRefuse,
                    d,
                    now,
                )
                .await
            {
                Ok(_) => refused += 1,
                // Decided, or recorded by another process, meanwhile.
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
        if refused > 0 {
            tracing::info!(refused, "information requests deemed refused");
        }
        Ok(refused)
    }
}
