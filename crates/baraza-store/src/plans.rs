//! Writes to an action plan in the writer's transaction: the plan as it stands is read
//! and locked, its version checked against what the caller decided on, each change folded
//! in and sealed as a journal event (carrying the plan's digest after it), and the plan
//! stored, all or nothing.

use crate::group_commit::BatchTx;
use crate::{StoreError, StoreResult};
use baraza_core::action_plan::{self, ActionPlan, PLAN_DIGEST_KEY, PlanChange, PlanId};
use baraza_core::journal::{EventDraft, Visibility};
use baraza_core::payload::Payload;
use baraza_core::{Actor, JournalEvent, Timestamp};

/// Changes decided on a plan at a version (0 before it exists).
#[derive(Debug, Clone)]
pub struct PlanWrite {
    pub plan: PlanId,
    pub expected_version: u32,
    pub changes: Vec<PlanChange>,
    pub actor: Actor,
    pub at: Timestamp,
}

/// The plan after the write, and the events that recorded it.
#[derive(Debug, Clone)]
pub struct PlanWritten {
    pub plan: ActionPlan,
    pub events: Vec<JournalEvent>,
}

pub(crate) async fn write_in_tx<T: BatchTx>(
    tx: &mut T,
    w: PlanWrite,
    head: &mut crate::group_commit::Heads,
) -> StoreResult<PlanWritten> {
    let current = tx.plan_for_update(w.plan).await?;
    let version = current.as_ref().map_or(0, |p| p.version);
    if version != w.expected_version {
        return Err(StoreError::Conflict {
            code: "version_mismatch",
            message: format!(
                "the plan changed since version {}; it is now at version {version}: reload and try again",
                w.expected_version
            ),
        });
    }
    if w.changes.is_empty() {
        return Err(StoreError::Invalid(baraza_core::FieldError::new(
            "change",
            "nothing to change",
        )));
    }
    let mut plan = current;
    let mut events = Vec::with_capacity(w.changes.len());
    for change in &w.changes {
        plan = action_plan::apply(plan, change, w.at);
        let Some(p) = &plan else {
            return Err(StoreError::NotFound("action plan"));
        };
        let mut data = Payload::Plan(Box::new(change.clone())).to_value();
        if let Some(obj) = data.as_object_mut() {
            obj.insert(
                PLAN_DIGEST_KEY.to_owned(),
                serde_json::Value::String(action_plan::plan_digest(p)),
            );
        }
        let ev = head
            .append(
                tx,
                &p.jurisdiction,
                EventDraft {
                    case_id: w.plan.stream(),
                    at: w.at,
                    actor: w.actor.clone(),
                    kind: change.kind(),
                    visibility: if change.public() {
                        Visibility::Public
                    } else {
                        Visibility::Internal
                    },
                    data,
                },
            )
            .await?;

        events.push(ev);
    }
    let plan = plan.ok_or(StoreError::NotFound("action plan"))?;
    if let Some(other) = tx.plan_by_slug(&plan.jurisdiction, &plan.slug).await?
        && other.id != plan.id
    {
        return Err(StoreError::Conflict {
            code: "slug_taken",
            message: format!("another plan is already at {:?}", plan.slug),
        });
    }
    tx.put_plan(&plan).await?;
    Ok(PlanWritten { plan, events })
}
