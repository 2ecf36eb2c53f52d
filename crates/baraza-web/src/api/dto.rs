//! The JSON API's request and response bodies. Requests arrive loose (every field
//! optional) so that one 422 can name every invalid field at once; `parse` turns them
//! into domain types. Responses never carry a citizen's contact in clear.

use baraza_app::privacy::{CaseView, EventView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use baraza_app::input::{
    ActionRequest, AttachmentBody, CitizenBody, CreateCaseRequest, LocationBody,
};

#[derive(Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Comma-separated statuses, e.g. `received,acknowledged`.
    pub status: Option<String>,
    pub kind: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub ward: Option<String>,
    pub department: Option<String>,
    /// Created at or after (RFC 3339, or a date `2026-11-01` from 00:00 UTC).
    pub created_from: Option<String>,
    /// Created before (RFC 3339), or up to the end of a date (`2026-11-30`, whole day, UTC).
    pub created_to: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 200; default 50.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBody {
    /// As shown to the citizen: `EM-4821-0937`.
    #[schema(example = "EM-4821-0937")]
    pub reference: String,
    /// The digits alone, as typed on a keypad.
    #[schema(example = "48210937")]
    pub number: String,
    pub jurisdiction: String,
    pub kind: String,
    pub channel: String,
    pub status: String,
    pub category: Option<String>,
    pub ward: Option<String>,
    /// The area holding the case now: the ward, or a level above after escalation.
    pub held_by: Option<String>,
    pub location: Option<LocationBody>,
    pub description: String,
    pub attachments: Vec<AttachmentBody>,
    pub priority: Option<String>,
    pub department: Option<String>,
    pub officer: Option<String>,
    pub citizen: Option<CitizenSummary>,
    pub first_response_due: Option<String>,
    pub resolution_due: Option<String>,
    pub first_responded_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub duplicate_of: Option<String>,
    pub reason: Option<String>,
    pub referred_to: Option<String>,
    pub reopen_count: u32,
    pub satisfaction: Option<u8>,
    pub created_at: String,
    pub updated_at: String,
    pub version: u32,
    /// An information request's own state: its clock, decision, reviews, prominence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestBody>,
    /// What the case is about in the open government register (`commitment:KENMS0005`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// An information request's state (Access to Information Act 2016; Act 989).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestBody {
    /// `received`, `acknowledged`, `awaiting_clarification`, `transferred`, `decided`,
    /// `provided`, `deemed_refused`, `under_review` or `closed`.
    pub state: String,
    pub urgent: bool,
    pub received_at: String,
    /// When a decision is due (RFC 3339), and as the applicant reads it.
    pub due: String,
    pub due_local: String,
    /// `on_time`, `overdue` or `long_overdue`.
    pub lateness: String,
    pub clock_stopped: bool,
    pub extended: bool,
    pub transferred_to: Option<String>,
    pub decision: Option<String>,
    pub exemption: Option<String>,
    pub documents: Vec<AttachmentBody>,
    /// Each review applied for: `stage` and `outcome` (none while pending).
    pub reviews: Vec<ReviewBody>,
    /// `normal`, `unlisted`, `requester_only` or `hidden`.
    pub prominence: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewBody {
    pub stage: String,
    pub requested_at: String,
    pub outcome: Option<String>,
}

/// A citizen as the API shows them: contacts masked, name withheld.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitizenSummary {
    pub id: String,
    #[schema(example = "+2547******78")]
    pub phone: Option<String>,
    pub has_whatsapp: bool,
    pub has_email: bool,
    pub language: String,
    pub consent_contact: bool,
    pub consent_publish: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    pub seq: i64,
    pub at: String,
    /// e.g. `case.triaged`.
    pub kind: String,
    pub actor_role: String,
    pub actor_id: Option<String>,
    pub channel: String,
    /// `public` or `internal`.
    pub visibility: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: CaseBody,
    /// The case's journal, oldest first.
    pub journal: Vec<EventBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionResult {
    pub case: CaseBody,
    pub event: EventBody,
    /// reveal_contact only: the citizen's contact details, now on the record as seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBody>,
}

/// A citizen's contact details, shown only after a journaled `reveal_contact`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub whatsapp: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JurisdictionBody {
    pub id: String,
    pub name: String,
    pub reference_prefix: String,
    pub levels: Vec<String>,
    pub areas: Vec<AreaBody>,
    pub departments: Vec<CodeName>,
    pub categories: Vec<CategoryBody>,
    pub priorities: Vec<PriorityBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryBody {
    pub code: String,
    pub name: String,
    pub department: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityBody {
    pub code: String,
    pub first_response_hours: u32,
    pub resolution_hours: u32,
}

fn time(t: &baraza_core::Timestamp) -> String {
    baraza_core::clock::canonical(t)
}

/// A case as the API shows it to one audience: built only from its privacy projection.
/// A request's state as the API shows it, with its lateness at `now`.
pub fn request_body(
    f: &baraza_core::information::RequestFile,
    policy: &baraza_core::information::InformationPolicy,
    now: baraza_core::Timestamp,
) -> RequestBody {
    RequestBody {
        state: f.state.to_string(),
        urgent: f.urgent,
        received_at: time(&f.received_at),
        due: time(&f.due),
        due_local: f.due_local.clone(),
        lateness: f.lateness(policy, now).to_string(),
        clock_stopped: f.paused_since.is_some(),
        extended: f.extended_at.is_some(),
        transferred_to: f.transferred_to.clone(),
        decision: f.decision.map(|d| d.to_string()),
        exemption: f.exemption.clone(),
        documents: f
            .documents
            .iter()
            .map(|a| AttachmentBody {
                media_type: a.media_type.clone(),
                size_bytes: a.size_bytes,
                sha256: a.sha256.clone(),
                filename: a.filename.clone(),
                url: a.url.clone(),
            })
            .collect(),
        reviews: f
            .reviews
            .iter()
            .map(|r| ReviewBody {
                stage: r.stage.to_string(),
                requested_at: time(&r.requested_at),
                outcome: r.outcome.map(|o| o.to_string()),
            })
            .collect(),
        prominence: f.prominence.to_string(),
    }
}

pub fn case_body(v: &CaseView<'_>, prefix: &str) -> CaseBody {
    let c = v.case;
    CaseBody {
        request: None,
        subject: c.subject.as_ref().map(|s| s.to_string()),
        reference: c.number.display_with(prefix),
        number: c.number.digits(),
        jurisdiction: c.jurisdiction.to_string(),
        kind: c.kind.to_string(),
        channel: c.channel.to_string(),
        status: c.status.to_string(),
        category: c.category.clone(),
        ward: c.ward.as_ref().map(|w| w.to_string()),
        held_by: c.holder().map(|h| h.to_string()),
        location: v.location.map(|l| LocationBody {
            lat: l.lat,
            lon: l.lon,
        }),
        description: v.description.clone().unwrap_or_default(),
        attachments: v
            .attachments
            .iter()
            .map(|a| AttachmentBody {
                media_type: a.media_type.clone(),
                size_bytes: a.size_bytes,
                sha256: a.sha256.clone(),
                filename: a.filename.clone(),
                url: a.url.clone(),
            })
            .collect(),
        priority: c.priority.map(|p| p.to_string()),
        department: c.department.clone(),
        officer: c.officer.map(|o| o.to_string()),
        citizen: v.citizen.as_ref().map(|z| CitizenSummary {
            id: z.id.map(|i| i.0.to_string()).unwrap_or_default(),
            phone: z.phone.clone(),
            has_whatsapp: z.has_whatsapp,
            has_email: z.has_email,
            language: z.language.to_string(),
            consent_contact: z.consent_contact,
            consent_publish: z.consent_publish,
        }),
        first_response_due: c.first_response_due.as_ref().map(time),
        resolution_due: c.resolution_due.as_ref().map(time),
        first_responded_at: c.first_responded_at.as_ref().map(time),
        resolved_at: c.resolved_at.as_ref().map(time),
        closed_at: c.closed_at.as_ref().map(time),
        duplicate_of: c.duplicate_of.map(|d| d.display_with(prefix)),
        reason: v.reason.clone(),
        referred_to: v.referred_to.clone(),
        reopen_count: c.reopen_count,
        satisfaction: c.satisfaction,
        created_at: time(&c.created_at),
        updated_at: time(&c.updated_at),
        version: c.version,
    }
}

/// A journal event as the API shows it to one audience: from its privacy projection.
pub fn event_body(v: &EventView<'_>) -> EventBody {
    let e = v.event;
    EventBody {
        seq: e.seq,
        at: time(&e.at),
        kind: e.kind.to_string(),
        actor_role: e.actor_role.clone(),
        actor_id: v.actor_id.clone(),
        channel: e.channel.to_string(),
        visibility: e.visibility.to_string(),
        data: v.data.clone(),
        hash: e.hash.clone(),
    }
}
