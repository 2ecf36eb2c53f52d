//! The typed payload of each kind of journal event. Events are written from these types
//! and read back into them; the stored form is the JSON object they serialise to (keys
//! sorted, as `serde_json` writes maps), exactly as before they were typed, so that old
//! journals verify unchanged. Every payload also carries `case_sha256`, the digest of
//! the case state it led to (added by the lifecycle, ignored when reading).

use crate::{
    AreaCode, Attachment, CaseKind, CaseNumber, Channel, CitizenId, EventKind, GeoPoint, Priority,
    Status, Timestamp, Urgency, UserId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub reference: CaseNumber,
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: Option<String>,
    pub ward: Option<AreaCode>,
    pub location: Option<GeoPoint>,
    pub description: String,
    pub attachments: Vec<Attachment>,
    pub citizen: Option<CitizenId>,
    /// An information request's clock at intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<crate::information::NewRequest>,
    /// What it is about in the open government register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<crate::Subject>,
    /// The department it was routed to at intake (a project's implementing department).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Acknowledged {
    /// On intake: the channel the reference went back on. Absent when staff acknowledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_given_on: Option<Channel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triaged {
    pub category: String,
    pub priority: Priority,
    pub urgency: Option<Urgency>,
    pub ward: Option<AreaCode>,
    pub department: Option<String>,
    pub first_response_due: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub department: String,
    pub officer: Option<UserId>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalated {
    pub reason: String,
    pub from: Option<AreaCode>,
    pub to: Option<AreaCode>,
    pub deadline: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    /// `citizen`, or the staff role that recorded the citizen's confirmation.
    pub confirmed_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rated {
    pub score: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reopened {
    pub reason: String,
    pub previous_status: Status,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referred {
    pub reason: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkedDuplicate {
    pub of: CaseNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenReplied {
    pub text: String,
    /// Where a relayed message came from (`open311:<update id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaAttached {
    pub attachment: Attachment,
}

/// A photo approved for the public, or withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoPublished {
    pub sha256: String,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDataErased {
    pub basis: String,
    pub approved_by: Option<String>,
    pub erased_events: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTransferred {
    pub to: String,
    pub reason: String,
    pub first_received_at: Timestamp,
    pub days_after_receipt: u32,
    /// Made within the law's period for transfers (Kenya s.10: 5 days).
    pub within_time: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestExtended {
    pub reason: String,
    pub days: u32,
    pub due: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDecided {
    pub decision: crate::information::Decision,
    pub reasons: String,
    pub exemption: Option<String>,
    /// The notice of fees, with a grant.
    pub fee: Option<String>,
    pub on_time: bool,
    /// How to seek review, as told to the applicant.
    pub review: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InformationProvided {
    pub text: String,
    pub documents: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeemedRefused {
    pub due: Timestamp,
    pub review: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAsked {
    pub stage: crate::information::ReviewStage,
    pub body: String,
    pub grounds: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecided {
    pub stage: crate::information::ReviewStage,
    pub outcome: crate::information::ReviewOutcome,
    pub text: String,
    /// The next stage open to the applicant, if any.
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProminenceChanged {
    pub prominence: crate::information::Prominence,
    pub reason: String,
    /// The message concerned (journal sequence number); the whole request when absent.
    pub event: Option<i64>,
}

/// An event without details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Nothing {}

/// Every event's payload, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Received(Received),
    Acknowledged(Acknowledged),
    Triaged(Triaged),
    Assigned(Assigned),
    Started(Nothing),
    Responded(Text),
    Escalated(Escalated),
    Resolved(Resolved),
    Rated(Rated),
    Reopened(Reopened),
    Closed(Nothing),
    ClosedUnconfirmed(Nothing),
    Rejected(Reason),
    Referred(Referred),
    MarkedDuplicate(MarkedDuplicate),
    NoteAdded(Text),
    Reminded(Nothing),
    CitizenReplied(CitizenReplied),
    MediaAttached(MediaAttached),
    PhotoPublished(PhotoPublished),
    ContactRevealed(Reason),
    PersonalDataErased(PersonalDataErased),
    ClarificationAsked(Text),
    RequestTransferred(RequestTransferred),
    RequestExtended(RequestExtended),
    RequestDecided(RequestDecided),
    InformationProvided(InformationProvided),
    DeemedRefused(DeemedRefused),
    ReviewAsked(ReviewAsked),
    ReviewDecided(ReviewDecided),
    ProminenceChanged(ProminenceChanged),
    /// A change to an open government action plan (its own stream in the journal).
    Plan(Box<crate::action_plan::PlanChange>),
    /// A change to a public project or its contracting (its own stream in the journal).
    Project(Box<crate::project::ProjectChange>),
}

impl Payload {
    /// The kind of event this payload belongs to.
    pub fn kind(&self) -> EventKind {
        use EventKind as K;
        match self {
            Payload::Received(_) => K::Received,
            Payload::Acknowledged(_) => K::Acknowledged,
            Payload::Triaged(_) => K::Triaged,
            Payload::Assigned(_) => K::Assigned,
            Payload::Started(_) => K::Started,
            Payload::Responded(_) => K::Responded,
            Payload::Escalated(_) => K::Escalated,
            Payload::Resolved(_) => K::Resolved,
            Payload::Rated(_) => K::Rated,
            Payload::Reopened(_) => K::Reopened,
            Payload::Closed(_) => K::Closed,
            Payload::ClosedUnconfirmed(_) => K::ClosedUnconfirmed,
            Payload::Rejected(_) => K::Rejected,
            Payload::Referred(_) => K::Referred,
            Payload::MarkedDuplicate(_) => K::MarkedDuplicate,
            Payload::NoteAdded(_) => K::NoteAdded,
            Payload::Reminded(_) => K::Reminded,
            Payload::CitizenReplied(_) => K::CitizenReplied,
            Payload::MediaAttached(_) => K::MediaAttached,
            Payload::PhotoPublished(_) => K::PhotoPublished,
            Payload::ContactRevealed(_) => K::ContactRevealed,
            Payload::PersonalDataErased(_) => K::PersonalDataErased,
            Payload::ClarificationAsked(_) => K::ClarificationAsked,
            Payload::RequestTransferred(_) => K::RequestTransferred,
            Payload::RequestExtended(_) => K::RequestExtended,
            Payload::RequestDecided(_) => K::RequestDecided,
            Payload::InformationProvided(_) => K::InformationProvided,
            Payload::DeemedRefused(_) => K::DeemedRefused,
            Payload::ReviewAsked(_) => K::ReviewAsked,
            Payload::ReviewDecided(_) => K::ReviewDecided,
            Payload::ProminenceChanged(_) => K::ProminenceChanged,
            Payload::Plan(c) => c.kind(),
            Payload::Project(c) => c.kind(),
        }
    }

    /// The stored form (a JSON object, keys sorted).
    pub fn to_value(&self) -> serde_json::Value {
        let v = match self {
            Payload::Received(p) => serde_json::to_value(p),
            Payload::Acknowledged(p) => serde_json::to_value(p),
            Payload::Triaged(p) => serde_json::to_value(p),
            Payload::Assigned(p) => serde_json::to_value(p),
            Payload::Started(p)
            | Payload::Closed(p)
            | Payload::ClosedUnconfirmed(p)
            | Payload::Reminded(p) => serde_json::to_value(p),
            Payload::Responded(p) | Payload::NoteAdded(p) | Payload::ClarificationAsked(p) => {
                serde_json::to_value(p)
            }
            Payload::RequestTransferred(p) => serde_json::to_value(p),
            Payload::RequestExtended(p) => serde_json::to_value(p),
            Payload::RequestDecided(p) => serde_json::to_value(p),
            Payload::InformationProvided(p) => serde_json::to_value(p),
            Payload::DeemedRefused(p) => serde_json::to_value(p),
            Payload::ReviewAsked(p) => serde_json::to_value(p),
            Payload::ReviewDecided(p) => serde_json::to_value(p),
            Payload::ProminenceChanged(p) => serde_json::to_value(p),
            Payload::Escalated(p) => serde_json::to_value(p),
            Payload::Resolved(p) => serde_json::to_value(p),
            Payload::Rated(p) => serde_json::to_value(p),
            Payload::Reopened(p) => serde_json::to_value(p),
            Payload::Rejected(p) | Payload::ContactRevealed(p) => serde_json::to_value(p),
            Payload::Referred(p) => serde_json::to_value(p),
            Payload::MarkedDuplicate(p) => serde_json::to_value(p),
            Payload::CitizenReplied(p) => serde_json::to_value(p),
            Payload::MediaAttached(p) => serde_json::to_value(p),
            Payload::PhotoPublished(p) => serde_json::to_value(p),
            Payload::PersonalDataErased(p) => serde_json::to_value(p),
            Payload::Plan(c) => serde_json::to_value(c),
            Payload::Project(c) => serde_json::to_value(c),
        };
        // Plain data with string keys: serialising it cannot fail.
        v.unwrap_or(serde_json::Value::Null)
    }

    /// A stored payload read back as its kind's type.
    pub fn read(kind: EventKind, v: &serde_json::Value) -> Result<Payload, serde_json::Error> {
        use serde_json::from_value as r;
        let v = v.clone();
        Ok(match kind {
            EventKind::Received => Payload::Received(r(v)?),
            EventKind::Acknowledged => Payload::Acknowledged(r(v)?),
            EventKind::Triaged => Payload::Triaged(r(v)?),
            EventKind::Assigned => Payload::Assigned(r(v)?),
            EventKind::Started => Payload::Started(r(v)?),
            EventKind::Responded => Payload::Responded(r(v)?),
            EventKind::Escalated => Payload::Escalated(r(v)?),
            EventKind::Resolved => Payload::Resolved(r(v)?),
            EventKind::Rated => Payload::Rated(r(v)?),
            EventKind::Reopened => Payload::Reopened(r(v)?),
            EventKind::Closed => Payload::Closed(r(v)?),
            EventKind::ClosedUnconfirmed => Payload::ClosedUnconfirmed(r(v)?),
            EventKind::Rejected => Payload::Rejected(r(v)?),
            EventKind::Referred => Payload::Referred(r(v)?),
            EventKind::MarkedDuplicate => Payload::MarkedDuplicate(r(v)?),
            EventKind::NoteAdded => Payload::NoteAdded(r(v)?),
            EventKind::Reminded => Payload::Reminded(r(v)?),
            EventKind::CitizenReplied => Payload::CitizenReplied(r(v)?),
            EventKind::MediaAttached => Payload::MediaAttached(r(v)?),
            EventKind::PhotoPublished => Payload::PhotoPublished(r(v)?),
            EventKind::ContactRevealed => Payload::ContactRevealed(r(v)?),
            EventKind::PersonalDataErased => Payload::PersonalDataErased(r(v)?),
            EventKind::ClarificationAsked => Payload::ClarificationAsked(r(v)?),
            EventKind::RequestTransferred => Payload::RequestTransferred(r(v)?),
            EventKind::RequestExtended => Payload::RequestExtended(r(v)?),
            EventKind::RequestDecided => Payload::RequestDecided(r(v)?),
            EventKind::InformationProvided => Payload::InformationProvided(r(v)?),
            EventKind::DeemedRefused => Payload::DeemedRefused(r(v)?),
            EventKind::ReviewAsked => Payload::ReviewAsked(r(v)?),
            EventKind::ReviewDecided => Payload::ReviewDecided(r(v)?),
            EventKind::ProminenceChanged => Payload::ProminenceChanged(r(v)?),
            EventKind::PlanCreated
            | EventKind::CommitmentAdded
            | EventKind::MilestoneAdded
            | EventKind::MilestoneStatusChanged
            | EventKind::EvidenceAdded
            | EventKind::MilestoneOwnerSet
            | EventKind::IrmAssessed
            | EventKind::ProposalMade
            | EventKind::ProposalAccepted
            | EventKind::ProposalAnswered
            | EventKind::MilestoneCommented
            | EventKind::ReviewRecorded
            | EventKind::ReviewApproved => Payload::Plan(Box::new(r(v)?)),
            EventKind::ProjectCreated
            | EventKind::ProjectStatusChanged
            | EventKind::ProjectReleased
            | EventKind::PmcElected
            | EventKind::ReportFiled
            | EventKind::ReportApproved
            | EventKind::ReportReturned
            | EventKind::ProjectDocumentAdded => Payload::Project(Box::new(r(v)?)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every payload of a journal written before payloads were typed reads back into its
    /// type and serialises to exactly the bytes that were hashed.
    #[test]
    fn typed_payloads_write_what_was_written_before() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../baraza/tests/fixtures/journal-written-before-typed-events.jsonl");
        let text = std::fs::read_to_string(path).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for line in text.lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            if record["type"] != "event" {
                continue;
            }
            // Written before chains per jurisdiction: the event does not say its own.
            let mut fields = record["data"].clone();
            fields["jurisdiction"] = "elgeyo-marakwet".into();
            let ev: crate::JournalEvent = serde_json::from_value(fields).unwrap();
            let stored = ev.payload.clone().unwrap();
            let mut data = ev.data();
            let digest = data
                .as_object_mut()
                .unwrap()
                .remove(crate::lifecycle::CASE_DIGEST_KEY)
                .unwrap();
            let typed = Payload::read(ev.kind, &data).unwrap();
            assert_eq!(typed.kind(), ev.kind);
            let mut again = typed.to_value();
            again
                .as_object_mut()
                .unwrap()
                .insert(crate::lifecycle::CASE_DIGEST_KEY.into(), digest);
            assert_eq!(again.to_string(), stored, "{}", ev.kind);
            seen.insert(ev.kind);
        }
        assert!(seen.len() >= 5, "{seen:?}");
    }

    #[test]
    fn absent_values_are_written_as_they_were() {
        let t = Payload::Triaged(Triaged {
            category: "water-supply".into(),
            priority: Priority::High,
            urgency: None,
            ward: None,
            department: None,
            first_response_due: None,
            resolution_due: None,
        });
        assert_eq!(
            t.to_value().to_string(),
            r#"{"category":"water-supply","department":null,"first_response_due":null,"priority":"high","resolution_due":null,"urgency":null,"ward":null}"#
        );
        let ack = Payload::Acknowledged(Acknowledged::default());
        assert_eq!(ack.to_value().to_string(), "{}");
        let reply = Payload::CitizenReplied(CitizenReplied {
            text: "1".into(),
            source: None,
        });
        assert_eq!(reply.to_value().to_string(), r#"{"text":"1"}"#);
    }
}
