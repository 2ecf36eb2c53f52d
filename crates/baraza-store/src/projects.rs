//! Writes to a public project in the writer's transaction: the project as it stands is
//! read and locked, its version checked against what the caller decided on, each change
//! folded in and sealed as a journal event (carrying the project's digest after it), and
//! the project stored, all or nothing. The same shape as `plans`.

use crate::group_commit::BatchTx;
use crate::{StoreError, StoreResult};
use baraza_core::journal::{EventDraft, Visibility};
use baraza_core::payload::Payload;
use baraza_core::project::{self, PROJECT_DIGEST_KEY, Project, ProjectChange, ProjectId};
use baraza_core::{Actor, JournalEvent, Timestamp};

/// Changes decided on a project at a version (0 before it exists).
#[derive(Debug, Clone)]
pub struct ProjectWrite {
    pub project: ProjectId,
    pub expected_version: u32,
    pub changes: Vec<ProjectChange>,
    pub actor: Actor,
    pub at: Timestamp,
}

/// The project after the write, and the events that recorded it.
#[derive(Debug, Clone)]
pub struct ProjectWritten {
    pub project: Project,
    pub events: Vec<JournalEvent>,
}

pub(crate) async fn write_in_tx<T: BatchTx>(
    tx: &mut T,
    w: ProjectWrite,
    head: &mut crate::group_commit::Heads,
) -> StoreResult<ProjectWritten> {
    let current = tx.project_for_update(w.project).await?;
    let version = current.as_ref().map_or(0, |p| p.version);
    if version != w.expected_version {
        return Err(StoreError::Conflict {
            code: "version_mismatch",
            message: format!(
                "the project changed since version {}; it is now at version {version}: reload and try again",
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
    let mut current = current;
    let mut events = Vec::with_capacity(w.changes.len());
    for change in &w.changes {
        current = project::apply(current, change, w.at);
        let Some(p) = &current else {
            return Err(StoreError::NotFound("project"));
        };
        let mut data = Payload::Project(Box::new(change.clone())).to_value();
        if let Some(obj) = data.as_object_mut() {
            obj.insert(
                PROJECT_DIGEST_KEY.to_owned(),
                serde_json::Value::String(project::project_digest(p)),
            );
        }
        let ev = head
            .append(
                tx,
                &p.jurisdiction,
                EventDraft {
                    case_id: w.project.stream(),
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
    let p = current.ok_or(StoreError::NotFound("project"))?;
    if let Some(other) = tx.project_by_code(&p.jurisdiction, &p.code).await?
        && other.id != p.id
    {
        return Err(StoreError::Conflict {
            code: "code_taken",
            message: format!("another project already has the code {:?}", p.code),
        });
    }
    tx.put_project(&p).await?;
    Ok(ProjectWritten { project: p, events })
}
