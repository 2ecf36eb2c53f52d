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
