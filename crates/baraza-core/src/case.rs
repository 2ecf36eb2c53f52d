//! Cases: what a citizen raised, where, on which channel, and where it stands now.
//! A case's current state is a projection of its journal; the lifecycle changes it.

use crate::{
    AreaCode, CaseNumber, CitizenId, FieldError, JurisdictionId, NewCitizen, Priority, Timestamp,
    UserId,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub uuid::Uuid);

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

string_enum! {
    pub enum CaseKind {
        Complaint => "complaint",
        ServiceRequest => "service_request",
        InformationRequest => "information_request",
        Compliment => "compliment",
        Suggestion => "suggestion",
    }
}

string_enum! {
    /// How the concern reached the county; answers go back the same way.
    pub enum Channel {
        Sms => "sms", Whatsapp => "whatsapp", Ussd => "ussd", Voice => "voice", Web => "web",
        Counter => "counter", Email => "email", Post => "post", Api => "api",
    }
}

string_enum! {
    pub enum Status {
        Received => "received",
        Acknowledged => "acknowledged",
        Triaged => "triaged",
        Assigned => "assigned",
        InProgress => "in_progress",
        Responded => "responded",
        Resolved => "resolved",
        Closed => "closed",
        Reopened => "reopened",
        Escalated => "escalated",
        Rejected => "rejected",
        Referred => "referred",
        Duplicate => "duplicate",
        ClosedUnconfirmed => "closed_unconfirmed",
    }
}

impl Status {
    /// Someone at the county still has to act.
    pub fn is_open(self) -> bool {
        use Status::*;
        matches!(
            self,
            Received | Acknowledged | Triaged | Assigned | InProgress | Reopened | Escalated
        )
    }
    /// The county has answered and waits for the citizen to confirm.
    pub fn is_waiting_for_citizen(self) -> bool {
        self == Status::Responded
    }
    /// Nothing more will happen unless the case is reopened.
    pub fn is_final(self) -> bool {
        use Status::*;
        matches!(
            self,
            Closed | Rejected | Referred | Duplicate | ClosedUnconfirmed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// The distance to another point along the Earth's surface, in metres (haversine,
    /// on a sphere of the mean radius: within 0.5 % at a county's scale).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }

    pub fn parse(lat: f64, lon: f64) -> Result<Self, FieldError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(FieldError::new(
                "location.lat",
                "latitude must be between -90 and 90",
            ));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(FieldError::new(
                "location.lon",
                "longitude must be between -180 and 180",
            ));
        }
        Ok(Self { lat, lon })
    }
}

/// Metadata of a file attached to a case (the bytes live in the media store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub media_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub filename: Option<String>,
    pub url: Option<String>,
    /// Approved by staff for the public (a photo; shown only if its citizen agreed too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub published: bool,
}

pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Parse a description: required, trimmed, at most 4,000 characters (Open311's limit).
pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    let cleaned = crate::text::clean(raw);
    let s = cleaned.trim();
    if s.is_empty() {
        return Err(FieldError::new("description", "say what the concern is"));
    }
    if s.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(
            "description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(s.to_owned())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub number: CaseNumber,
    pub jurisdiction: JurisdictionId,
    pub kind: CaseKind,
    pub channel: Channel,
    pub status: Status,
    pub category: Option<String>,
    pub ward: Option<AreaCode>,
    /// The escalation ladder: the ward, then each level above it.
    pub ladder: Vec<AreaCode>,
    /// Which rung of the ladder holds the case now (0 = the ward).
    pub ladder_position: u8,
    pub location: Option<GeoPoint>,
    pub description: String,
    pub attachments: Vec<Attachment>,
    pub priority: Option<Priority>,
    pub department: Option<String>,
    pub officer: Option<UserId>,
    pub citizen: Option<CitizenId>,
    pub first_response_due: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    /// When the current holder must act by (first response, or resolution after it; a
    /// fresh window after each escalation or reopening). None unless open and triaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Timestamp>,
    /// When the escalation job moves the case up its ladder: the deadline, while a rung
    /// above remains. Version-checked, so one breach escalates once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_due: Option<Timestamp>,
    /// Since when the county waits for the citizen (the clock stops meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<Timestamp>,
    pub first_responded_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub duplicate_of: Option<CaseNumber>,
    /// Why it was rejected, referred or reopened last.
    pub reason: Option<String>,
    /// Where a referred citizen should go instead.
    pub referred_to: Option<String>,
    pub reopen_count: u32,
    pub satisfaction: Option<u8>,
    /// The intake's idempotency key (a client's key or a provider's message id).
    pub idempotency_key: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// How many journal events this case has: optimistic-concurrency and replay check.
    pub version: u32,
    /// An information request's own state; none for a concern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Box<crate::information::RequestFile>>,
    /// What the case is about, beyond its category: a commitment of an action plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
}

/// What a citizen's case is about when it is about part of the open government
/// register: `commitment:KENMS0005`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    /// A commitment of an action plan, by its OGP id.
    Commitment(String),
    /// A public project, by its code.
    Project(String),
}

impl Subject {
    pub fn code(&self) -> &str {
        match self {
            Subject::Commitment(c) | Subject::Project(c) => c,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Commitment(c) => write!(f, "commitment:{c}"),
            Subject::Project(c) => write!(f, "project:{c}"),
        }
    }
}

impl std::str::FromStr for Subject {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        match s.split_once(':') {
            Some(("commitment", id)) => crate::action_plan::parse_ogp_id(id)
                .map(Subject::Commitment)
                .map_err(|e| FieldError::new("subject", e.message)),
            Some(("project", code)) => crate::project::parse_code(code)
                .map(Subject::Project)
                .map_err(|e| FieldError::new("subject", e.message)),
            _ => Err(FieldError::new(
                "subject",
                format!("{s:?}: expected commitment:<OGP id> or project:<code>"),
            )),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse()
            .map_err(|e: FieldError| serde::de::Error::custom(e.message))
    }
}

impl Case {
    /// Whether this case is an information request (its own lifecycle).
    pub fn is_request(&self) -> bool {
        self.request.is_some()
    }

    /// The area that holds the case now (ward, then sub-county... after escalations).
    pub fn holder(&self) -> Option<&AreaCode> {
        self.ladder.get(usize::from(self.ladder_position))
    }
}

/// A concern at intake, already parsed at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    pub jurisdiction: JurisdictionId,
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: Option<String>,
    pub ward: Option<AreaCode>,
    pub ladder: Vec<AreaCode>,
    pub location: Option<GeoPoint>,
    pub description: String,
    pub attachments: Vec<Attachment>,
    pub citizen: Option<NewCitizen>,
    /// A client's or provider's key: the same key never makes a second case.
    pub idempotency_key: Option<String>,
    /// The reference reaches the citizen at intake, in the response itself (web, API,
    /// counter, USSD) or by a message queued in the same transaction (SMS, WhatsApp,
    /// email): the case is acknowledged at once, the same way on every channel. False only
    /// when nobody has been given the reference yet (a request transferred in).
    pub acknowledged_on_intake: bool,
    /// An information request, with its clock: the case follows the request lifecycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<crate::information::NewRequest>,
    /// What it is about in the open government register (a commitment, a project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// The department that owns it from intake: a concern about a project is routed to
    /// the implementing department (filled in by the writer from the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// Which cases to list. Scope restrictions (`wards_in`, `department_in`) come from the
/// caller's role, the rest from the query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    pub jurisdiction: Option<JurisdictionId>,
    pub statuses: Vec<Status>,
    pub kind: Option<CaseKind>,
    pub channel: Option<Channel>,
    pub category: Option<String>,
    pub ward: Option<AreaCode>,
    pub department: Option<String>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// Only cases about this (a commitment's comments).
    pub subject: Option<Subject>,
    /// Only cases last changed before this time (follow-up jobs).
    pub updated_before: Option<Timestamp>,
    /// Only cases in these wards (a scoped user's reach).
    pub wards_in: Option<Vec<AreaCode>>,
    /// Only cases of this department (a coordinator's reach).
    pub department_in: Option<String>,
    /// Words that must all appear in the description (case-insensitive).
    pub text: Option<String>,
    /// Only open cases whose holder's deadline is before this time (overdue, due soon).
    pub deadline_before: Option<Timestamp>,
    /// Only cases whose holder's deadline is at or after this time.
    pub deadline_from: Option<Timestamp>,
    /// Only cases whose escalation is due by this time (the escalation job).
    pub escalation_due_by: Option<Timestamp>,
    /// Only cases reopened at least once.
    pub reopened: bool,
    /// Only cases whose citizen confirmed them solved (the public registry).
    pub confirmed: bool,
    /// Only cases assigned to this officer.
    pub officer: Option<UserId>,
    /// Only information requests (`Some(true)`), or only concerns (`Some(false)`).
    pub information: Option<bool>,
    /// Only cases of this priority.
    pub priority: Option<crate::Priority>,
    /// The order of a listing (newest first unless said).
    pub order: CaseOrder,
    /// Keyset cursor: cases strictly after (created_at, id) in the listing's order
    /// (newest or oldest first only).
    pub after: Option<(Timestamp, CaseId)>,
    /// Cases to skip first (orders that have no keyset cursor: deadline, priority).
    pub offset: u32,
    pub limit: u32,
}

string_enum! {
    /// How a listing is ordered: by age (newest or oldest first), by the holder's
    /// deadline (soonest first, none last), or by priority (critical first, then oldest).
    #[derive(Default)]
    pub enum CaseOrder {
        #[default]
        Newest => "newest",
        Oldest => "oldest",
        Deadline => "deadline",
        Priority => "priority",
    }
}

impl CaseOrder {
    /// Whether a listing in this order pages by keyset (`after`) rather than `offset`.
    pub fn keyset(self) -> bool {
        matches!(self, CaseOrder::Newest | CaseOrder::Oldest)
    }
}

/// What the transparency dashboard and open data need of a case: no text, no contact;
/// the citizen's self-declared gender and age band only (for disaggregated figures).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseStat {
    pub id: CaseId,
    pub number: CaseNumber,
    pub kind: CaseKind,
    pub channel: Channel,
    pub status: Status,
    pub category: Option<String>,
    pub ward: Option<AreaCode>,
    pub holder: Option<AreaCode>,
    pub department: Option<String>,
    pub priority: Option<Priority>,
    pub created_at: Timestamp,
    pub first_responded_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub resolution_due: Option<Timestamp>,
    pub reopen_count: u32,
    pub satisfaction: Option<u8>,
    pub gender: Option<crate::Gender>,
    pub age_band: Option<crate::AgeBand>,
    /// The citizen agreed to their concern's text being published.
    pub publishable: bool,
    pub updated_at: Timestamp,
}

impl CaseStat {
    pub fn of(case: &Case, citizen: Option<&crate::Citizen>) -> Self {
        Self {
            id: case.id,
            number: case.number,
            kind: case.kind,
            channel: case.channel,
            status: case.status,
            category: case.category.clone(),
            ward: case.ward.clone(),
            holder: case.holder().cloned(),
            department: case.department.clone(),
            priority: case.priority,
            created_at: case.created_at,
            first_responded_at: case.first_responded_at,
            resolved_at: case.resolved_at,
            closed_at: case.closed_at,
            resolution_due: case.resolution_due,
            reopen_count: case.reopen_count,
            satisfaction: case.satisfaction,
            gender: citizen.and_then(|c| c.gender),
            age_band: citizen.and_then(|c| c.age_band),
            publishable: citizen.is_some_and(|c| c.consent.publish),
            updated_at: case.updated_at,
        }
    }
}

#[cfg(test)]
mod distance_tests {
    use super::GeoPoint;

    #[test]
    fn distances_are_in_metres() {
        // Iten to Kapsowar, about 32 km apart; a thousandth of a degree of latitude, 111 m.
        let iten = GeoPoint {
            lat: 0.6703,
            lon: 35.5081,
        };
        let kapsowar = GeoPoint {
            lat: 0.9833,
            lon: 35.5667,
        };
        let d = iten.distance_m(&kapsowar);
        assert!((34_000.0..36_000.0).contains(&d), "{d}");
        let near = GeoPoint {
            lat: 0.6713,
            lon: 35.5081,
        };
        assert!((iten.distance_m(&near) - 111.2).abs() < 0.5);
        assert_eq!(iten.distance_m(&iten), 0.0);
    }
}
