//! The journal: every change to a case is an event, appended in the same transaction as
//! the change and chained by SHA-256 to the event before it, so that `baraza verify` can
//! prove that no event was altered, removed or reordered.
//!
//! The hash covers the payload's digest rather than the payload itself, so personal data
//! in a payload could one day be erased (payload set to null) without breaking the chain.

use crate::clock::canonical;
use crate::{Actor, CaseId, Channel, JurisdictionId, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

string_enum! {
    /// Public events appear on the citizen's timeline; internal ones only to staff.
    pub enum Visibility { Public => "public", Internal => "internal" }
}

string_enum! {
    /// What happened to a case. The stored form is the text (`case.triaged`), exactly as
    /// it has always been hashed.
    pub enum EventKind {
        Received => "case.received",
        Acknowledged => "case.acknowledged",
        Triaged => "case.triaged",
        Assigned => "case.assigned",
        Started => "case.started",
        Responded => "case.responded",
        Escalated => "case.escalated",
        Resolved => "case.resolved",
        Rated => "case.rated",
        Reopened => "case.reopened",
        Closed => "case.closed",
        ClosedUnconfirmed => "case.closed_unconfirmed",
        Rejected => "case.rejected",
        Referred => "case.referred",
        MarkedDuplicate => "case.marked_duplicate",
        NoteAdded => "case.note_added",
        Reminded => "case.reminded",
        CitizenReplied => "case.citizen_replied",
        MediaAttached => "case.media_attached",
        PhotoPublished => "case.photo_published",
        ContactRevealed => "case.contact_revealed",
        PersonalDataErased => "case.personal_data_erased",
        ClarificationAsked => "request.clarification_asked",
        RequestTransferred => "request.transferred",
        RequestExtended => "request.extended",
        RequestDecided => "request.decided",
        InformationProvided => "request.information_provided",
        DeemedRefused => "request.deemed_refused",
        ReviewAsked => "request.review_asked",
        ReviewDecided => "request.review_decided",
        ProminenceChanged => "request.prominence_changed",
        PlanCreated => "plan.created",
        CommitmentAdded => "plan.commitment_added",
        MilestoneAdded => "plan.milestone_added",
        MilestoneStatusChanged => "plan.milestone_status_changed",
        EvidenceAdded => "plan.evidence_added",
        MilestoneOwnerSet => "plan.milestone_owner_set",
        IrmAssessed => "plan.irm_assessed",
        ProposalMade => "plan.proposal_made",
        ProposalAccepted => "plan.proposal_accepted",
        ProposalAnswered => "plan.proposal_answered",
        MilestoneCommented => "plan.milestone_commented",
        ReviewRecorded => "plan.review_recorded",
        ReviewApproved => "plan.review_approved",
        ProjectCreated => "project.created",
        ProjectStatusChanged => "project.status_changed",
        ProjectReleased => "project.released",
        PmcElected => "project.pmc_elected",
        ReportFiled => "project.report_filed",
        ReportApproved => "project.report_approved",
        ReportReturned => "project.report_returned",
        ProjectDocumentAdded => "project.document_added",
    }
}

/// An event before it has its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub case_id: CaseId,
    pub at: Timestamp,
    pub actor: Actor,
    pub kind: EventKind,
    pub visibility: Visibility,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEvent {
    /// The jurisdiction whose chain holds the event (not hashed: the chain it is in, and
    /// its stream's case, plan or project, already say it).
    pub jurisdiction: JurisdictionId,
    /// Position in its chain, without gaps: the shared chain of a database made before
    /// chains per jurisdiction (from 1), then the jurisdiction's own (after the shared
    /// chain's end).
    pub seq: i64,
    pub case_id: CaseId,
    pub at: Timestamp,
    /// `citizen`, `system`, or a staff role.
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub channel: Channel,
    pub kind: EventKind,
    pub visibility: Visibility,
    /// The event's data as JSON text, exactly as hashed; `None` once erased.
    pub payload: Option<String>,
    pub payload_sha256: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Payload fields that can hold personal data: the citizen's words and whereabouts, who
/// they are, what they sent, and staff's free text about them.
pub const PERSONAL_KEYS: &[&str] = &[
    "description",
    "text",
    "reason",
    "note",
    "to",
    "location",
    "attachments",
    "attachment",
    "citizen",
    "source",
    "grounds",
    "reasons",
    "documents",
];

impl EventKind {
    /// Kinds whose payload erasure takes out when it holds personal data: every kind
    /// that carries free text or the citizen's data. The erasure records themselves and
    /// events without text are kept whole.
    pub fn erasable(self) -> bool {
        matches!(
            self,
            EventKind::Received
                | EventKind::Escalated
                | EventKind::ContactRevealed
                | EventKind::CitizenReplied
                | EventKind::Reopened
                | EventKind::Responded
                | EventKind::NoteAdded
                | EventKind::Assigned
                | EventKind::Rejected
                | EventKind::Referred
                | EventKind::MediaAttached
                | EventKind::ClarificationAsked
                | EventKind::RequestTransferred
                | EventKind::RequestExtended
                | EventKind::RequestDecided
                | EventKind::InformationProvided
                | EventKind::ReviewAsked
                | EventKind::ReviewDecided
                | EventKind::ProminenceChanged
        )
    }
}

impl JournalEvent {
    /// Whether erasure takes this event's payload out: an erasable kind whose payload
    /// (still there) has a personal field with a value.
    pub fn holds_personal_data(&self) -> bool {
        if !self.kind.erasable() || self.payload.is_none() {
            return false;
        }
        let data = self.data();
        PERSONAL_KEYS.iter().any(|k| {
            data.get(*k).is_some_and(|v| {
                !v.is_null() && v.as_str() != Some("") && v.as_array().is_none_or(|a| !a.is_empty())
            })
        })
    }

    pub fn data(&self) -> serde_json::Value {
        self.payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// The end of the chain: the last event's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl ChainHead {
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }

    /// Give a draft its place after this head, in `jurisdiction`'s chain.
    pub fn seal(&self, jurisdiction: &JurisdictionId, draft: EventDraft) -> JournalEvent {
        let payload = draft.data.to_string();
        let payload_sha256 = hex::encode(Sha256::digest(payload.as_bytes()));
        let mut ev = JournalEvent {
            jurisdiction: jurisdiction.clone(),
            seq: self.seq + 1,
            case_id: draft.case_id,
            at: draft.at,
            actor_role: draft.actor.role.as_str().to_owned(),
            actor_id: draft.actor.id,
            channel: draft.actor.via,
            kind: draft.kind,
            visibility: draft.visibility,
            payload: Some(payload),
            payload_sha256,
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        ev.hash = event_hash(&ev);
        ev
    }

    pub fn after(ev: &JournalEvent) -> Self {
        Self {
            seq: ev.seq,
            hash: ev.hash.clone(),
        }
    }

    /// Check that `ev` follows this head; returns the new head.
    pub fn check_next(&self, ev: &JournalEvent) -> Result<ChainHead, ChainBreak> {
        if ev.seq != self.seq + 1 {
            return Err(ChainBreak::SequenceGap {
                expected: self.seq + 1,
                found: ev.seq,
            });
        }
        if ev.prev_hash != self.hash {
            return Err(ChainBreak::PreviousHashMismatch { seq: ev.seq });
        }
        if let Some(p) = &ev.payload
            && hex::encode(Sha256::digest(p.as_bytes())) != ev.payload_sha256
        {
            return Err(ChainBreak::PayloadAltered { seq: ev.seq });
        }
        if event_hash(ev) != ev.hash {
            return Err(ChainBreak::EventAltered { seq: ev.seq });
        }
        Ok(ChainHead::after(ev))
    }

    /// Check that another jurisdiction's event, known only by its link, follows this head
    /// in the shared chain; returns the new head.
    pub fn check_link(&self, link: &ChainLink) -> Result<ChainHead, ChainBreak> {
        if link.seq != self.seq + 1 {
            return Err(ChainBreak::SequenceGap {
                expected: self.seq + 1,
                found: link.seq,
            });
        }
        if link.prev_hash != self.hash {
            return Err(ChainBreak::PreviousHashMismatch { seq: link.seq });
        }
        Ok(ChainHead {
            seq: link.seq,
            hash: link.hash.clone(),
        })
    }
}

/// An event of the shared chain (a database made before chains per jurisdiction) that
/// belongs to another jurisdiction, known by its place and hashes only: enough to prove
/// that the events around it are linked as they were, and nothing of what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl From<&JournalEvent> for ChainLink {
    fn from(ev: &JournalEvent) -> Self {
        Self {
            seq: ev.seq,
            prev_hash: ev.prev_hash.clone(),
            hash: ev.hash.clone(),
        }
    }
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ChainBreak {
    #[error(
        "event #{expected} is missing (the next event found is #{found}): events were removed or reordered"
    )]
    SequenceGap { expected: i64, found: i64 },
    #[error(
        "event #{seq} does not chain to the event before it: an earlier event was altered or removed"
    )]
    PreviousHashMismatch { seq: i64 },
    #[error("event #{seq}: its payload was altered (digest mismatch)")]
    PayloadAltered { seq: i64 },
    #[error("event #{seq}: its fields were altered (hash mismatch)")]
    EventAltered { seq: i64 },
    #[error(
        "the journal ends at event #{found} but its recorded head is #{expected}: events at the end were removed"
    )]
    Truncated { expected: i64, found: i64 },
    #[error("event #{seq} belongs to case {case}, which is missing from the cases table")]
    OrphanEvent { seq: i64, case: String },
    #[error("case {case}: its current state does not match its journal (edited outside Baraza)")]
    ProjectionMismatch { case: String },
    #[error("event #{seq}: its payload is missing (erased or deleted outside Baraza)")]
    PayloadMissing { seq: i64 },
    /// A break in one jurisdiction's chain.
    #[error("in the chain of {jurisdiction}: {inner}")]
    InChain {
        jurisdiction: String,
        inner: Box<ChainBreak>,
    },
    #[error(
        "the chain of {jurisdiction} has events but no recorded head: the export or database is incomplete"
    )]
    HeadMissing { jurisdiction: String },
}

impl ChainBreak {
    /// This break, as found in `jurisdiction`'s chain.
    pub fn in_chain(self, jurisdiction: &JurisdictionId) -> Self {
        ChainBreak::InChain {
            jurisdiction: jurisdiction.to_string(),
            inner: Box::new(self),
        }
    }
}

fn event_hash(ev: &JournalEvent) -> String {
    // A JSON array has one serialisation for these scalar fields: a stable, unambiguous input.
    let input = serde_json::json!([
        1,
        ev.seq,
        ev.prev_hash,
        ev.case_id.0.to_string(),
        canonical(&ev.at),
        ev.actor_role,
        ev.actor_id,
        ev.channel.as_str(),
        ev.kind.as_str(),
        ev.visibility.as_str(),
        ev.payload_sha256,
    ]);
    hex::encode(Sha256::digest(input.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActorRole, Role};

    fn draft(n: u128) -> EventDraft {
        EventDraft {
            case_id: CaseId(uuid::Uuid::from_u128(n)),
            at: chrono::DateTime::from_timestamp(1_700_000_000 + n as i64, 123_456_000).unwrap(),
            actor: Actor {
                role: ActorRole::Staff(Role::CommunicationsDesk),
                id: Some("u1".into()),
                via: Channel::Api,
            },
            kind: EventKind::NoteAdded,
            visibility: Visibility::Internal,
            data: serde_json::json!({"text": format!("note {n}")}),
        }
    }

    fn chain(n: usize) -> Vec<JournalEvent> {
        let mut head = ChainHead::genesis();
        (0..n)
            .map(|i| {
                let ev = head.seal(
                    &crate::JurisdictionId::parse("test").unwrap(),
                    draft(i as u128),
                );
                head = ChainHead::after(&ev);
                ev
            })
            .collect()
    }

    fn verify(events: &[JournalEvent]) -> Result<ChainHead, ChainBreak> {
        events
            .iter()
            .try_fold(ChainHead::genesis(), |h, e| h.check_next(e))
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)).unwrap().seq, 5);
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let mut c = chain(5);
        c[2].payload = Some(r#"{"text":"rewritten"}"#.into());
        assert_eq!(verify(&c), Err(ChainBreak::PayloadAltered { seq: 3 }));

        let mut c = chain(5);
        c[2].actor_role = "system".into();
        assert_eq!(verify(&c), Err(ChainBreak::EventAltered { seq: 3 }));

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c),
            Err(ChainBreak::SequenceGap {
                expected: 2,
                found: 3
            })
        );

        // Removing an event and renumbering the rest still breaks the hash links.
        let mut c = chain(5);
        c.remove(1);
        for e in c.iter_mut().skip(1) {
            e.seq -= 1;
        }
        assert_eq!(verify(&c), Err(ChainBreak::PreviousHashMismatch { seq: 2 }));
    }

    #[test]
    fn erasing_a_payload_keeps_the_chain() {
        let mut c = chain(3);
        c[1].payload = None;
        assert!(verify(&c).is_ok());
    }
}
