//! Closing the loop when the citizen goes quiet: an answered case waiting for "is it
//! solved?" gets one reminder after `remind_after`, then is closed unconfirmed after
//! `close_after` more. Confirmed and unconfirmed closures stay apart (`resolved`/`closed`
//! vs `closed_unconfirmed`). Each action names the case version it saw, so two processes
//! running this job never remind twice or close twice.

use baraza_core::lifecycle::{Action, Actor};
use baraza_core::{CaseFilter, Clock, Deadlines, Status};
use baraza_store::{Store, StoreError, StoreResult};
use std::sync::Arc;

pub struct FollowUp {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    pub remind_after: chrono::Duration,
    pub close_after: chrono::Duration,
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub reminded: usize,
    pub closed_unconfirmed: usize,
}

impl FollowUp {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        remind_after: chrono::Duration,
        close_after: chrono::Duration,
    ) -> Self {
        Self {
            store,
            clock,
            remind_after,
            close_after,
        }
    }

    pub async fn run_once(&self) -> StoreResult<Round> {
        let now = self.clock.now();
        let mut round = Round::default();
        let waiting = self
            .store
            .list_cases(&CaseFilter {
                statuses: vec![Status::Responded],
                updated_before: Some(now - self.remind_after),
                limit: 500,
                ..Default::default()
            })
            .await?;
        for case in waiting {
            let reminded = self
                .store
                .case_events(case.id)
                .await?
                .last()
                .is_some_and(|e| e.kind == baraza_core::EventKind::Reminded);
            let action = match (reminded, case.updated_at <= now - self.close_after) {
                (false, _) => Action::Remind,
                (true, true) => Action::CloseUnconfirmed,
                (true, false) => continue,
            };
            let closing = action == Action::CloseUnconfirmed;
            let actor = Actor::system("follow-up");
            match self
                .store
                .act(
                    case.number,
                    Some(case.version),
                    actor,
                    action,
                    Deadlines::default(),
                    now,
                )
                .await
            {
                Ok(_) if closing => round.closed_unconfirmed += 1,
                Ok(_) => round.reminded += 1,
                // Someone (the citizen, staff, another process) acted first: nothing to do.
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
        Ok(round)
    }
}
