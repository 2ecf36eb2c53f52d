//! What a surface hands the application layer: intake and action requests, loose (every
//! field optional) so that one answer can name every invalid field at once. The JSON API
//! documents them as they are; forms and Open311 fill them from their own fields.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    /// `complaint`, `service_request`, `information_request`, `compliment` or `suggestion`.
    #[schema(example = "complaint")]
    pub kind: Option<String>,
    /// How the concern arrived: `sms`, `whatsapp`, `ussd`, `voice`, `web`, `counter`,
    /// `email`, `post` or `api` (the default).
    #[schema(example = "counter")]
    pub channel: Option<String>,
    /// A service category code of the jurisdiction (see `GET /api/v1/jurisdiction`).
    #[schema(example = "water-supply")]
    pub category: Option<String>,
    /// A ward code (the lowest level of the hierarchy).
    #[schema(example = "0741")]
    pub ward: Option<String>,
    pub location: Option<LocationBody>,
    /// What the concern is: 1 to 4,000 characters.
    #[schema(example = "The borehole at Iten market has been dry since Monday")]
    pub description: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
    /// Omit for an anonymous concern.
    pub citizen: Option<CitizenBody>,
    /// information_request: why it is urgent (life or liberty, Kenya ATI s.9(2); a stated
    /// urgency, Ghana Act 989 s.1(4)): puts it on the 48-hour track.
    #[serde(default)]
    pub urgency: Option<String>,
    /// What it is about in the open government register: `commitment:<OGP id>` for a
    /// comment on an action plan's commitment (`commitment:KENMS0005`).
    #[serde(default)]
    #[schema(example = json!(null))]
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    #[schema(example = 0.6704)]
    pub lat: f64,
    #[schema(example = 35.508)]
    pub lon: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentBody {
    pub media_type: String,
    pub size_bytes: u64,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub filename: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitizenBody {
    /// As people write it where the jurisdiction is (`0712 345 678`, `254712345678`) or
    /// E.164 (`+254712345678`); stored in E.164.
    pub phone: Option<String>,
    pub whatsapp_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    /// `en`, `sw` or `fr`; defaults to the jurisdiction's language.
    pub language: Option<String>,
    /// Self-declared, optional: `female`, `male`, `other`, `prefer_not_to_say`.
    pub gender: Option<String>,
    /// Optional: `under_18`, `18_24`, `25_34`, `35_49`, `50_64`, `65_plus`.
    pub age_band: Option<String>,
    /// May we contact the citizen about this case? Defaults to true when a contact is given.
    pub consent_contact: Option<bool>,
    /// May the case appear in the public registry with its text? Defaults to false.
    pub consent_publish: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `acknowledge`, `triage`, `assign`, `start`, `respond`, `escalate`, `resolve`, `rate`,
    /// `reopen`, `close`, `close_unconfirmed`, `reject`, `refer`, `mark_duplicate` or `note`.
    #[schema(example = "triage")]
    pub action: Option<String>,
    /// triage: the category code.
    pub category: Option<String>,
    /// triage: `critical`, `high`, `normal` or `low`; or leave it out and give `urgency`.
    pub priority: Option<String>,
    /// triage: `high`, `medium` or `low`: the jurisdiction's matrix gives the priority.
    pub urgency: Option<String>,
    /// triage: move the case to another ward.
    pub ward: Option<String>,
    /// assign: the department code (triage routes to the category's department).
    pub department: Option<String>,
    /// assign: a staff user's id.
    pub officer: Option<String>,
    /// assign: an optional note for the department.
    pub note: Option<String>,
    /// respond, note: the text.
    pub text: Option<String>,
    /// escalate, reopen, reject, refer, reveal_contact: why.
    pub reason: Option<String>,
    /// refer: where the citizen should go instead.
    pub to: Option<String>,
    /// mark_duplicate: the reference of the original case.
    pub of: Option<String>,
    /// rate: 1 to 5.
    pub score: Option<u8>,
    /// decide (information requests): `granted`, `granted_in_part`, `refused`, `not_held`
    /// or `deferred`.
    pub decision: Option<String>,
    /// decide: the reasons, as the applicant will read them.
    pub reasons: Option<String>,
    /// decide: the exemption's section (required for a refusal), e.g. `s.6(1)(d)`.
    pub exemption: Option<String>,
    /// decide: the notice of fees for copies (the law's own notice when left out).
    pub fee: Option<String>,
    /// ask_review: the grounds.
    pub grounds: Option<String>,
    /// decide_review: `upheld`, `varied`, `overturned` or `withdrawn`.
    pub outcome: Option<String>,
    /// set_prominence: `normal`, `unlisted`, `requester_only` or `hidden`.
    pub prominence: Option<String>,
    /// set_prominence: one message of the request (its journal sequence number).
    pub event: Option<i64>,
    /// provide: documents already uploaded (`POST /api/v1/documents`), by SHA-256.
    #[serde(default)]
    pub documents: Vec<AttachmentBody>,
    /// publish_photo: the photo's SHA-256, as listed in the case's attachments.
    pub photo: Option<String>,
    /// publish_photo: true to show it to the public (if its citizen agreed), false to
    /// withdraw it.
    pub publish: Option<bool>,
}

/// A change to an action plan, as the console's forms and the API hand it over.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanActionRequest {
    /// `set_status`, `add_evidence`, `set_owner`, `assess`, `propose`, `accept`,
    /// `answer`, `comment`, `record_review` or `approve_review`.
    #[schema(example = "set_status")]
    pub action: Option<String>,
    /// The commitment's OGP id.
    #[schema(example = "KENMS0005")]
    pub commitment: Option<String>,
    /// The milestone's number within the commitment.
    pub milestone: Option<u32>,
    /// `not_started`, `in_progress`, `stuck` or `complete`.
    pub status: Option<String>,
    /// What happened, in words (a status change, evidence, a proposal, an acceptance).
    pub note: Option<String>,
    /// A comment, or the answer to a proposal.
    pub text: Option<String>,
    /// Links given as evidence (https://...).
    #[serde(default)]
    pub links: Vec<String>,
    /// Documents and photos given as evidence, already kept (`POST /api/v1/documents`).
    #[serde(default)]
    pub documents: Vec<AttachmentBody>,
    /// set_owner: the staff username reminded of the milestone (empty: nobody).
    pub owner: Option<String>,
    /// accept / answer: the proposal's number.
    pub proposal: Option<u32>,
    /// approve_review: the review's number.
    pub review: Option<u32>,
    /// assess: `verifiable`, `open_government_lens`, `potential_for_results`,
    /// `completion`, `did_it_open_government` or `early_results`.
    pub indicator: Option<String>,
    /// assess: a value of the indicator's scale.
    pub value: Option<String>,
    /// assess: the month the IRM assessed it (YYYY-MM).
    pub assessed: Option<String>,
    /// assess: the IRM product the value comes from.
    pub source: Option<String>,
    /// record_review: which scheduled body met.
    pub body: Option<String>,
    /// record_review: the date it met (YYYY-MM-DD).
    pub held_on: Option<String>,
    /// record_review: the chair's username (they approve the record).
    pub chair: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberBody>,
    #[serde(default)]
    pub items: Vec<ReviewItemBody>,
    #[serde(default)]
    pub decisions: Vec<String>,
    /// record_review: the minutes, already kept.
    pub minutes: Option<AttachmentBody>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    pub name: String,
    /// `government` or `civil_society`.
    pub side: String,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewItemBody {
    pub commitment: String,
    pub milestone: u32,
    pub status: String,
    #[serde(default)]
    pub note: String,
}

/// A project as a procurement or implementation officer registers it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectBody {
    /// The short code citizens type by SMS (3-20 letters, digits, hyphens).
    #[schema(example = "EM-RD-014")]
    pub code: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The implementing department's code.
    pub department: Option<String>,
    /// e.g. `2025/26`.
    pub fiscal_year: Option<String>,
    /// An OC4IDS projectSector code (`transport.road`, `waterAndWaste`, `health`…).
    pub sector: Option<String>,
    /// Ward codes.
    #[serde(default)]
    pub wards: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub budget: Option<f64>,
    /// An OC4IDS projectStatus (`identification` … `completion`).
    pub status: Option<String>,
    /// `youth`, `women`, `pwd`, `citizen_contractor`, `local_contractor`, `general`.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// YYYY-MM-DD.
    pub planned_end: Option<String>,
}

/// A PMC member as recorded at their election.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PmcMemberBody {
    pub name: String,
    #[serde(default)]
    pub designation: String,
    /// The number they file reports from by SMS.
    pub phone: Option<String>,
}

/// A tender's item.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    pub description: String,
    pub quantity: f64,
    pub unit: String,
}

/// A published document: a title and where it is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub title: String,
    pub url: String,
}

/// What staff do to a project. `action` says which; each action reads its own fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectActionRequest {
    /// `set_status`, `plan`, `tender`, `award`, `contract`, `amend_contract`, `payment`,
    /// `elect_pmc`, `file_report`, `approve_report`, `return_report` or `add_document`.
    #[schema(example = "tender")]
    pub action: Option<String>,
    /// The contracting process (tender … payment).
    pub ocid: Option<String>,
    /// set_status: an OC4IDS projectStatus; file_report: `onTrack`, `atRisk`, `offTrack`.
    pub status: Option<String>,
    pub note: Option<String>,
    /// plan: the budget line.
    pub budget: Option<f64>,
    /// plan: `open`, `selective`, `limited` or `direct`.
    pub method: Option<String>,
    /// plan, tender (amending a published one), amend_contract: why.
    pub rationale: Option<String>,
    /// tender, contract: its number.
    pub number: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// tender, award, contract, amend_contract: the value.
    pub value: Option<f64>,
    /// tender: YYYY-MM-DD.
    pub opens: Option<String>,
    pub closes: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemBody>,
    #[serde(default)]
    pub links: Vec<LinkBody>,
    /// award: the supplier's name.
    pub supplier: Option<String>,
    /// award, payment: YYYY-MM-DD.
    pub date: Option<String>,
    /// award: how many bids there were.
    pub tenderers: Option<u32>,
    /// contract: YYYY-MM-DD.
    pub signed: Option<String>,
    pub starts: Option<String>,
    pub ends: Option<String>,
    /// payment: the amount paid.
    pub amount: Option<f64>,
    /// elect_pmc: the date and the forum.
    pub elected_on: Option<String>,
    pub forum: Option<String>,
    #[serde(default)]
    pub members: Vec<PmcMemberBody>,
    /// file_report: `pmc` or `inspection`.
    pub kind: Option<String>,
    pub text: Option<String>,
    pub social_safeguards: Option<String>,
    pub emerging_complaints: Option<String>,
    pub challenges: Option<String>,
    #[serde(default)]
    pub handover: bool,
    #[serde(default)]
    pub authorizes_payment: bool,
    /// file_report: photos; add_document: the document (kept with `POST /api/v1/documents`).
    #[serde(default)]
    pub documents: Vec<AttachmentBody>,
    /// approve_report, return_report: the report's number.
    pub report: Option<u32>,
    /// return_report: why.
    pub reason: Option<String>,
    /// add_document: `finalAudit`, `billOfQuantity`, `projectPlan`,
    /// `completionCertificate` or `other`.
    pub document_kind: Option<String>,
    /// add_document: the fiscal year an audit covers.
    pub fiscal_year: Option<String>,
}
