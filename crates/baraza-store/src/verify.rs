//! `baraza verify`: walk one consistent snapshot, recompute every event's hash and link,
//! and replay each case's statuses from its events to check the current-state tables.

use crate::portable::{Record, for_each_record};
use crate::{Store, StoreResult};
use baraza_core::lifecycle::status_after_event;
use baraza_core::{CaseId, ChainBreak, ChainHead, Status};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: i64,
    pub cases: u64,
    pub head: ChainHead,
}

/// `Ok(Err(break))` when the journal was tampered with; `Err` when it could not be read.
pub async fn verify_journal(store: &dyn Store) -> StoreResult<Result<VerifyReport, ChainBreak>> {
    let mut head = ChainHead::genesis();
    let mut broken: Option<ChainBreak> = None;
    let mut recorded: Option<ChainHead> = None;
    // Per case: the status its current-state row claims, its version, and the replay.
    let mut cases: HashMap<CaseId, (Status, u32, Option<Status>, u32)> = HashMap::new();
    for_each_record(store, |r| {
        if broken.is_some() {
            return Ok(());
        }
        match r {
            Record::Case(c) => {
                cases.insert(c.id, (c.status, c.version, None, 0));
            }
            Record::Event(ev) => match head.check_next(&ev) {
                Ok(next) => {
                    head = next;
                    match cases.get_mut(&ev.case_id) {
                        Some(entry) => {
                            entry.2 = status_after_event(&ev.kind, entry.2);
                            entry.3 += 1;
                        }
                        None => {
                            broken = Some(ChainBreak::OrphanEvent {
                                seq: ev.seq,
                                case: ev.case_id.to_string(),
                            })
                        }
                    }
                }
                Err(b) => broken = Some(b),
            },
            Record::Head(h) => recorded = Some(h),
            _ => {}
        }
        Ok(())
    })
    .await?;
    if let Some(b) = broken {
        return Ok(Err(b));
    }
    let recorded = recorded.unwrap_or_else(ChainHead::genesis);
    if recorded.seq != head.seq {
        return Ok(Err(ChainBreak::Truncated {
            expected: recorded.seq,
            found: head.seq,
        }));
    }
    if recorded.hash != head.hash {
        return Ok(Err(ChainBreak::EventAltered { seq: head.seq }));
    }
    for (id, (status, version, replayed, events)) in &cases {
        if Some(*status) != *replayed || *version != *events {
            return Ok(Err(ChainBreak::ProjectionMismatch {
                case: id.to_string(),
            }));
        }
    }
    Ok(Ok(VerifyReport {
        events: head.seq,
        cases: cases.len() as u64,
        head,
    }))
}
