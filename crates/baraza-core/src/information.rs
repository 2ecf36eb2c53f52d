//! Information requests under Kenya's Access to Information Act 2016 and Ghana's Right to
//! Information Act 2019 (Act 989): a kind of case with its own lifecycle, beside the
//! concern lifecycle. The rest is shared with concerns: reference numbers, the journal,
//! the outbox, scopes and the console.
//!
//! received -> acknowledged -> (awaiting clarification -> acknowledged) -> decided ->
//! provided -> closed; or transferred; or deemed refused when the clock runs out; then,
//! from a decision, review stage by stage (Ghana: internal, then the RTI Commission, then
//! the High Court; Kenya: the Commission on Administrative Justice).
//!
//! The clock runs from the first receipt in statutory days (calendar or working, on the
//! jurisdiction's calendar and holidays), stops while the body waits for a clarification,
//! moves once by the extension, and is 48 hours on the urgent track. The rules live in
//! [`RULES`]; [`decide`] is pure.

use crate::journal::{EventDraft, EventKind, Visibility};
use crate::lifecycle::{Action, ActionKind, Actor, ActorRole, LifecycleError, Transition, Who};
use crate::payload::{self as p, Payload as P};
use crate::{Attachment, Case, Deadlines, FieldError, Role, Status, Timestamp};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

string_enum! {
    /// Where an information request stands.
    pub enum RequestState {
        Received => "received",
        Acknowledged => "acknowledged",
        /// The body asked the applicant to clarify: the clock stops until they answer.
        AwaitingClarification => "awaiting_clarification",
        /// Sent on to the public body that holds the information.
        Transferred => "transferred",
        Decided => "decided",
        /// The information was given (documents, or inspection arranged).
        Provided => "provided",
        /// No decision in time: refused by law (Kenya s.9(6); Ghana, silence is denial).
        DeemedRefused => "deemed_refused",
        UnderReview => "under_review",
        Closed => "closed",
    }
}

string_enum! {
    pub enum Decision {
        Granted => "granted",
        GrantedInPart => "granted_in_part",
        Refused => "refused",
        NotHeld => "not_held",
        Deferred => "deferred",
    }
}

string_enum! {
    /// Who sees a request, or one message of it, on the public pages (Alaveteli's
    /// prominence): everyone and listed; everyone with the link, unlisted; the applicant
    /// only; nobody but staff.
    pub enum Prominence {
        Normal => "normal",
        Unlisted => "unlisted",
        RequesterOnly => "requester_only",
        Hidden => "hidden",
    }
}

string_enum! {
    pub enum ReviewStage {
        /// Ghana Act 989 ss.31-33: the head of the institution.
        Internal => "internal",
        /// Kenya: the Commission on Administrative Justice (s.14); Ghana: the RTI Commission.
        Commission => "commission",
        /// Ghana s.36: judicial review by the High Court.
        Court => "court",
    }
}

string_enum! {
    pub enum ReviewOutcome {
        Upheld => "upheld",
        Varied => "varied",
        Overturned => "overturned",
        Withdrawn => "withdrawn",
    }
}

string_enum! {
    /// How late a request is, as the public list shows it (Alaveteli's "overdue" and
    /// "long overdue": a request is late only from the day after its due date).
    pub enum Lateness { OnTime => "on_time", Overdue => "overdue", LongOverdue => "long_overdue" }
}

impl Prominence {
    /// Lowering prominence needs a reason; the order is normal > unlisted > requester only
    /// > hidden.
    pub fn rank(self) -> u8 {
        match self {
            Prominence::Normal => 0,
            Prominence::Unlisted => 1,
            Prominence::RequesterOnly => 2,
            Prominence::Hidden => 3,
        }
    }
    /// Shown to the public (listed or not).
    pub fn public(self) -> bool {
        self.rank() <= 1
    }
}

impl Decision {
    pub fn grants(self) -> bool {
        matches!(self, Decision::Granted | Decision::GrantedInPart)
    }
}

/// One exemption of the law, as cited in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    /// The section, e.g. `s.6(1)(d)`.
    pub section: String,
    pub ground: String,
}

/// One step of review after a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStep {
    pub stage: ReviewStage,
    /// Who reviews: "Commission on Administrative Justice".
    pub body: String,
    /// Days after the decision (or the deemed refusal) within which to apply; none where
    /// the law sets none we could confirm.
    pub apply_within_days: Option<u32>,
    /// How the applicant applies, in a sentence for the message that tells them.
    pub how: String,
}

/// A jurisdiction's access-to-information law: its clocks, exemptions, fees, reviews and
/// annual report. Kenya's and Ghana's come ready ([`InformationPolicy::kenya`],
/// [`InformationPolicy::ghana`]); the jurisdiction file may change any of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InformationPolicy {
    /// The law's name, as quoted to applicants.
    pub law: String,
    /// Days to a decision from the first receipt.
    pub decision_days: u32,
    /// Count working days (skipping weekends and holidays); otherwise calendar days, a
    /// due date on a non-working day moving to the next working day.
    pub working_days: bool,
    /// The urgent track (life or liberty, or a stated urgency): hours, counted every hour.
    pub urgent_hours: u32,
    /// The one extension, in days.
    pub extension_days: u32,
    /// Days from receipt within which a transfer must be made, and the applicant told.
    pub transfer_days: Option<u32>,
    pub transfer_notice_days: Option<u32>,
    /// Days after the due date from which a request is "long overdue".
    pub long_overdue_after_days: u32,
    pub exemptions: Vec<Exemption>,
    /// The notice of fees sent with a grant.
    pub fees: String,
    pub review: Vec<ReviewStep>,
    /// Who the annual report goes to, and when.
    pub report_to: String,
    pub report_due: String,
    /// What is taken out of everything published (Alaveteli's censor rules): a text or
    /// a pattern, and what stands in its place.
    pub redactions: Vec<Redaction>,
    /// The proactive disclosure log: classes published on a schedule.
    pub disclosure: Vec<crate::disclosure::DisclosureClass>,
}

/// One redaction rule of a jurisdiction: applied by the privacy projection to every
/// published text of every information request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// The text to take out (any case), or a regular expression when `regex` is true.
    pub pattern: String,
    #[serde(default)]
    pub regex: bool,
    /// What is shown instead, e.g. `[name removed]`.
    pub replacement: String,
}

impl Redaction {
    /// The rule as a regular expression (a plain text is matched literally, any case).
    pub fn compile(&self) -> Result<regex::Regex, FieldError> {
        let src = if self.regex {
            self.pattern.clone()
        } else {
            format!("(?i){}", regex::escape(&self.pattern))
        };
        regex::RegexBuilder::new(&src)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                FieldError::new(
                    "policy.information.redactions",
                    format!("{:?} is not a pattern: {e}", self.pattern),
                )
            })
    }
}

impl Default for InformationPolicy {
    fn default() -> Self {
        Self::kenya()
    }
}

impl InformationPolicy {
    /// Kenya's Access to Information Act 2016 (No. 31): ss.6, 9, 10, 12, 14, 27.
    pub fn kenya() -> Self {
        let e = |s: &str, g: &str| Exemption {
            section: s.into(),
            ground: g.into(),
        };
        Self {
            law: "Access to Information Act 2016".into(),
            decision_days: 21,
            working_days: false,
            urgent_hours: 48,
            extension_days: 14,
            transfer_days: Some(5),
            transfer_notice_days: Some(7),
            long_overdue_after_days: 14,
            exemptions: vec![
                e("s.6(1)(a)", "undermine the national security of Kenya"),
                e("s.6(1)(b)", "impede the due process of law"),
                e("s.6(1)(c)", "endanger the safety, health or life of any person"),
                e(
                    "s.6(1)(d)",
                    "involve the unwarranted invasion of the privacy of an individual",
                ),
                e(
                    "s.6(1)(e)",
                    "substantially prejudice the commercial interests of an entity or third party",
                ),
                e(
                    "s.6(1)(f)",
                    "cause substantial harm to the ability of the Government to manage the economy",
                ),
                e(
                    "s.6(1)(g)",
                    "significantly undermine a public or private entity's ability to give adequate and judicious consideration to a matter",
                ),
                e(
                    "s.6(1)(h)",
                    "damage a public entity's position in legal proceedings",
                ),
                e("s.6(1)(i)", "infringe professional confidentiality"),
            ],
            fees: "No fee is charged for applying (s.12(1)). Copies are charged at no more than their actual cost (s.12(2)); you will be told the amount and how to pay before they are made.".into(),
            review: vec![ReviewStep {
                stage: ReviewStage::Commission,
                body: "Commission on Administrative Justice".into(),
                apply_within_days: Some(30),
                how: "Apply to the Commission on Administrative Justice within 30 days (s.14): complain@ombudsman.go.ke, toll-free 0800221349.".into(),
            }],
            report_to: "Commission on Administrative Justice (s.27)".into(),
            report_due: "by 30 June each year".into(),
            redactions: Vec::new(),
            disclosure: Vec::new(),
        }
    }

    /// Ghana's Right to Information Act 2019 (Act 989): ss.1(4), 5-16, 23, 25, 31-33, 36.
    /// Review periods the sources do not confirm are left open.
    pub fn ghana() -> Self {
        let e = |s: &str, g: &str| Exemption {
            section: s.into(),
            ground: g.into(),
        };
        Self {
            law: "Right to Information Act 2019 (Act 989)".into(),
            decision_days: 14,
            working_days: false,
            urgent_hours: 48,
            extension_days: 7,
            transfer_days: None,
            transfer_notice_days: None,
            long_overdue_after_days: 7,
            exemptions: vec![
                e("s.5", "information for the President and Vice-President"),
                e("s.6", "information relating to Cabinet"),
                e("s.7", "law enforcement and public safety"),
                e("s.8", "international relations"),
                e("s.9", "defence and security"),
                e("s.10", "economic and other interests"),
                e("s.11", "tax information"),
                e("s.12", "internal working information"),
                e("s.13", "parliamentary privilege and fair trial"),
                e("s.14", "privileged information"),
                e("s.15", "disclosure of personal matters"),
                e("s.16", "information of a third party"),
            ],
            fees: "No fee is charged for applying. Reproduction and translation are charged under s.75; you will be told the amount before copies are made.".into(),
            review: vec![
                ReviewStep {
                    stage: ReviewStage::Internal,
                    body: "the head of the institution".into(),
                    apply_within_days: None,
                    how: "Ask the head of the institution for an internal review (ss.31-33): send REVIEW, your reference and your grounds.".into(),
                },
                ReviewStep {
                    stage: ReviewStage::Commission,
                    body: "Right to Information Commission".into(),
                    apply_within_days: None,
                    how: "Apply to the Right to Information Commission, free of charge.".into(),
                },
                ReviewStep {
                    stage: ReviewStage::Court,
                    body: "the High Court".into(),
                    apply_within_days: None,
                    how: "Apply to the High Court for judicial review (s.36).".into(),
                },
            ],
            report_to: "Right to Information Commission".into(),
            report_due: "within 60 days after 31 December".into(),
            redactions: Vec::new(),
            disclosure: Vec::new(),
        }
    }

    /// The ready-made law of a country (ISO 3166 alpha-2), if we have one.
    pub fn for_country(country: &str) -> Option<Self> {
        match country.to_ascii_uppercase().as_str() {
            "KE" => Some(Self::kenya()),
            "GH" => Some(Self::ghana()),
            _ => None,
        }
    }

    pub fn exemption(&self, section: &str) -> Option<&Exemption> {
        let want = section.trim();
        self.exemptions
            .iter()
            .find(|e| e.section.eq_ignore_ascii_case(want))
    }

    fn check(&self) -> Result<(), FieldError> {
        if self.decision_days == 0 || self.urgent_hours == 0 {
            return Err(FieldError::new(
                "policy.information",
                "the decision period and the urgent track must be at least a day and an hour",
            ));
        }
        for r in &self.redactions {
            if r.pattern.trim().is_empty() {
                return Err(FieldError::new(
                    "policy.information.redactions",
                    "a redaction needs a pattern",
                ));
            }
            r.compile()?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.disclosure {
            c.check()?;
            if !seen.insert(c.code.as_str()) {
                return Err(FieldError::new(
                    "policy.information.disclosure",
                    format!("class {:?} appears twice", c.code),
                ));
            }
        }
        Ok(())
    }

    pub fn disclosure_class(&self, code: &str) -> Option<&crate::disclosure::DisclosureClass> {
        let code = code.trim().to_ascii_lowercase();
        self.disclosure.iter().find(|c| c.code == code)
    }
}

/// A review applied for, and its outcome once known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub stage: ReviewStage,
    pub requested_at: Timestamp,
    pub grounds: String,
    pub outcome: Option<ReviewOutcome>,
    pub decided_at: Option<Timestamp>,
}

/// An information request's own state, kept on its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFile {
    pub state: RequestState,
    pub urgent: bool,
    /// Why the applicant says it is urgent (Ghana s.1(4)), or life or liberty (Kenya s.9(2)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency_reason: Option<String>,
    /// The first receipt, by this body or the one that transferred it: the clock runs
    /// from here.
    pub received_at: Timestamp,
    /// When a decision is due.
    pub due: Timestamp,
    /// The due date as the applicant reads it: the last day, local (or day and time on
    /// the urgent track).
    pub due_local: String,
    /// Since when the body waits for a clarification (the clock is stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provided_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
    pub prominence: Prominence,
    /// Messages (journal events, by sequence number) shown less than the request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub message_prominence: BTreeMap<i64, Prominence>,
}

impl RequestFile {
    /// How late the request is at `now`: while a decision is still awaited, or after a
    /// deemed refusal until the body decides after all.
    pub fn lateness(&self, policy: &InformationPolicy, now: Timestamp) -> Lateness {
        let waiting = self.awaits_decision()
            || (self.state == RequestState::DeemedRefused && self.decision.is_none());
        if !waiting || self.paused_since.is_some() || now < self.due {
            return Lateness::OnTime;
        }
        if now >= self.due + Duration::days(i64::from(policy.long_overdue_after_days)) {
            Lateness::LongOverdue
        } else {
            Lateness::Overdue
        }
    }

    /// The body still has to decide.
    pub fn awaits_decision(&self) -> bool {
        matches!(
            self.state,
            RequestState::Received
                | RequestState::Acknowledged
                | RequestState::AwaitingClarification
        )
    }

    /// How a message (by journal sequence number) is shown.
    pub fn prominence_of(&self, seq: i64) -> Prominence {
        let own = self
            .message_prominence
            .get(&seq)
            .copied()
            .unwrap_or(Prominence::Normal);
        if own.rank() > self.prominence.rank() {
            own
        } else {
            self.prominence
        }
    }

    /// The review stage an applicant may apply for next, if any is left.
    pub fn next_review<'p>(&self, policy: &'p InformationPolicy) -> Option<&'p ReviewStep> {
        let done = self.reviews.len();
        policy.review.get(done)
    }

    /// The concern status a request shows where the two are listed together: open while
    /// the body has to act, closed once it has decided or sent it on.
    pub fn case_status(&self) -> Status {
        match self.state {
            RequestState::Received => Status::Received,
            RequestState::Acknowledged => Status::Acknowledged,
            RequestState::AwaitingClarification | RequestState::UnderReview => Status::InProgress,
            RequestState::Transferred => Status::Referred,
            RequestState::Decided if self.decision.is_some_and(Decision::grants) => {
                Status::InProgress
            }
            RequestState::Decided
            | RequestState::Provided
            | RequestState::DeemedRefused
            | RequestState::Closed => Status::Closed,
        }
    }
}

/// A request at intake: whether it is urgent, when the clock started, and when a decision
/// is due. Made by [`open`] from the jurisdiction's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub urgent: bool,
    pub urgency_reason: Option<String>,
    pub received_at: Timestamp,
    pub due: Timestamp,
    pub due_local: String,
}

/// Start a request's clock at `received_at` (the first receipt).
pub fn open(
    deadlines: &Deadlines,
    received_at: Timestamp,
    urgency_reason: Option<String>,
) -> NewRequest {
    let policy = &deadlines.policy().information;
    let urgency_reason = urgency_reason
        .map(|r| crate::text::clean(&r).trim().to_owned())
        .filter(|r| !r.is_empty());
    let due = match &urgency_reason {
        Some(_) => received_at + Duration::hours(i64::from(policy.urgent_hours)),
        None => deadlines.statutory_due(received_at, policy.decision_days, policy.working_days),
    };
    NewRequest {
        urgent: urgency_reason.is_some(),
        due_local: deadlines.due_text(due, urgency_reason.is_some()),
        urgency_reason,
        received_at,
        due,
    }
}

/// The file a new request starts with.
pub fn file_for(new: &NewRequest) -> RequestFile {
    RequestFile {
        state: RequestState::Received,
        urgent: new.urgent,
        urgency_reason: new.urgency_reason.clone(),
        received_at: new.received_at,
        due: new.due,
        due_local: new.due_local.clone(),
        paused_since: None,
        extended_at: None,
        transferred_to: None,
        decision: None,
        exemption: None,
        decided_at: None,
        provided_at: None,
        documents: Vec::new(),
        reviews: Vec::new(),
        prominence: Prominence::Normal,
        message_prominence: BTreeMap::new(),
    }
}

/// One rule of the request lifecycle.
pub struct Rule {
    pub action: ActionKind,
    pub from: &'static [RequestState],
    pub(crate) who: Who,
    pub to: Option<RequestState>,
    pub event: EventKind,
    pub visibility: Visibility,
}

use RequestState::*;
use Role::{CommunicationsDesk, CountyExecutive, InformationOfficer};

const OFFICERS: &[Role] = &[InformationOfficer];
const DESK: &[Role] = &[InformationOfficer, CommunicationsDesk];
const UNDECIDED: &[RequestState] = &[Received, Acknowledged];
const LIVE: &[RequestState] = &[
    Received,
    Acknowledged,
    AwaitingClarification,
    Decided,
    Provided,
    DeemedRefused,
    UnderReview,
];
const ANY: &[RequestState] = RequestState::ALL;

/// The request lifecycle. Actions not listed here do not apply to information requests.
pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Acknowledge,
        from: &[Received],
        who: Who::StaffOrSystem(DESK),
        to: Some(Acknowledged),
        event: EventKind::Acknowledged,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::AskClarification,
        from: UNDECIDED,
        who: Who::Staff(OFFICERS),
        to: Some(AwaitingClarification),
        event: EventKind::ClarificationAsked,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::CitizenReply,
        from: LIVE,
        who: Who::StaffOrCitizen(DESK),
        to: None,
        event: EventKind::CitizenReplied,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Transfer,
        from: &[Received, Acknowledged, AwaitingClarification],
        who: Who::Staff(OFFICERS),
        to: Some(Transferred),
        event: EventKind::RequestTransferred,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Extend,
        from: UNDECIDED,
        who: Who::Staff(OFFICERS),
        to: None,
        event: EventKind::RequestExtended,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Decide,
        // Late is better than never: a body may still decide after a deemed refusal.
        from: &[Received, Acknowledged, DeemedRefused],
        who: Who::Staff(OFFICERS),
        to: Some(Decided),
        event: EventKind::RequestDecided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Provide,
        from: &[Decided],
        who: Who::Staff(OFFICERS),
        to: Some(Provided),
        event: EventKind::InformationProvided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::DeemRefuse,
        from: UNDECIDED,
        who: Who::SystemOnly,
        to: Some(DeemedRefused),
        event: EventKind::DeemedRefused,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::AskReview,
        from: &[Decided, Provided, DeemedRefused],
        who: Who::StaffOrCitizen(DESK),
        to: Some(UnderReview),
        event: EventKind::ReviewAsked,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::DecideReview,
        from: &[UnderReview],
        who: Who::Staff(&[InformationOfficer, CountyExecutive]),
        to: None,
        event: EventKind::ReviewDecided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Close,
        from: &[Decided, Provided, DeemedRefused],
        who: Who::StaffOrSystem(OFFICERS),
        to: Some(Closed),
        event: EventKind::Closed,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Assign,
        from: LIVE,
        who: Who::Staff(OFFICERS),
        to: None,
        event: EventKind::Assigned,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::SetProminence,
        from: ANY,
        who: Who::Staff(OFFICERS),
        to: None,
        event: EventKind::ProminenceChanged,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::Note,
        from: ANY,
        who: Who::Staff(&[
            InformationOfficer,
            CommunicationsDesk,
            CountyExecutive,
            Role::FeedbackCoordinator,
            Role::DepartmentDirector,
        ]),
        to: None,
        event: EventKind::NoteAdded,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::RevealContact,
        from: ANY,
        who: Who::Staff(&[
            InformationOfficer,
            CommunicationsDesk,
            CountyExecutive,
            Role::Auditor,
        ]),
        to: None,
        event: EventKind::ContactRevealed,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::AttachMedia,
        from: ANY,
        who: Who::StaffOrSystem(&[]),
        to: None,
        event: EventKind::MediaAttached,
        visibility: Visibility::Internal,
    },
];

pub fn rule(action: ActionKind) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.action == action)
}

/// Whether `role` may ever take `action` on an information request.
pub fn may(role: ActorRole, action: ActionKind) -> bool {
    rule(action).is_some_and(|r| r.who.allows(role))
}

/// The actions a role may take on a request in its state now (for the console's forms).
pub fn actions_for(role: ActorRole, file: &RequestFile) -> Vec<ActionKind> {
    RULES
        .iter()
        .filter(|r| r.from.contains(&file.state) && r.who.allows(role))
        .map(|r| r.action)
        .collect()
}

fn required(field: &str, s: &str, max: usize) -> Result<(), FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    Ok(())
}

/// Decide whether `actor` may take `action` on the request `case` now, and what follows.
pub fn decide(
    case: &Case,
    file: &RequestFile,
    actor: &Actor,
    action: &Action,
    deadlines: &Deadlines,
    now: Timestamp,
) -> Result<Transition, LifecycleError> {
    let kind = action.kind();
    let Some(rule) = rule(kind) else {
        return Err(LifecycleError::NotForRequests { action: kind });
    };
    if !rule.who.allows(actor.role) {
        return Err(LifecycleError::RoleNotAllowed {
            role: actor.role.as_str(),
            action: kind,
        });
    }
    if !rule.from.contains(&file.state) {
        return Err(LifecycleError::RequestTransitionNotAllowed {
            action: kind,
            state: file.state,
        });
    }
    let policy = &deadlines.policy().information;
    let mut next = case.clone();
    let mut f = file.clone();
    let data = match action {
        Action::Acknowledge => P::Acknowledged(p::Acknowledged::default()),
        Action::AskClarification { text } => {
            required("text", text, 2000)?;
            f.paused_since = Some(now);
            P::ClarificationAsked(p::Text { text: text.clone() })
        }
        Action::CitizenReply { text, source } => {
            required("text", text, 4000)?;
            // An answer to a clarification starts the clock again: the days waited are
            // added to the due date.
            if let Some(since) = f.paused_since.take() {
                f.state = Acknowledged;
                let days = deadlines.statutory_days_between(since, now, policy.working_days);
                f.due = if f.urgent {
                    f.due + (now - since)
                } else {
                    deadlines.shift_due(f.due, days, policy.working_days)
                };
            }
            P::CitizenReplied(p::CitizenReplied {
                text: text.clone(),
                source: source.clone(),
            })
        }
        Action::Transfer { to, reason } => {
            required("to", to, 300)?;
            required("reason", reason, 2000)?;
            let days = deadlines.statutory_days_between(f.received_at, now, false);
            let within = policy.transfer_days.is_none_or(|d| days <= d);
            f.transferred_to = Some(to.clone());
            f.paused_since = None;
            next.referred_to = Some(to.clone());
            next.reason = Some(reason.clone());
            P::RequestTransferred(p::RequestTransferred {
                to: to.clone(),
                reason: reason.clone(),
                first_received_at: f.received_at,
                days_after_receipt: days,
                within_time: within,
            })
        }
        Action::Extend { reason } => {
            required("reason", reason, 2000)?;
            if f.extended_at.is_some() {
                return Err(LifecycleError::AlreadyExtended);
            }
            if f.urgent {
                return Err(FieldError::new(
                    "action",
                    "a request on the urgent track (life or liberty) cannot be extended",
                )
                .into());
            }
            f.extended_at = Some(now);
            f.due = deadlines.shift_due(f.due, policy.extension_days, policy.working_days);
            P::RequestExtended(p::RequestExtended {
                reason: reason.clone(),
                days: policy.extension_days,
                due: f.due,
            })
        }
        Action::Decide {
            decision,
            reasons,
            exemption,
            fee,
        } => {
            required("reasons", reasons, 4000)?;
            let exemption = match (decision, exemption.as_deref().map(str::trim)) {
                (Decision::Refused, None | Some("")) => {
                    return Err(FieldError::new(
                        "exemption",
                        format!(
                            "a refusal must cite the exemption it rests on: one of {}",
                            policy
                                .exemptions
                                .iter()
                                .map(|e| e.section.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .into());
                }
                (_, None | Some("")) => None,
                (_, Some(s)) => Some(
                    policy
                        .exemption(s)
                        .ok_or_else(|| {
                            FieldError::new(
                                "exemption",
                                format!("{s:?} is not an exemption of the {}", policy.law),
                            )
                        })?
                        .section
                        .clone(),
                ),
            };
            if exemption.is_some()
                && !matches!(decision, Decision::Refused | Decision::GrantedInPart)
            {
                return Err(FieldError::new(
                    "exemption",
                    "only a refusal or a grant in part cites an exemption",
                )
                .into());
            }
            let fee = decision.grants().then(|| {
                fee.clone()
                    .filter(|f| !f.trim().is_empty())
                    .unwrap_or_else(|| policy.fees.clone())
            });
            f.decision = Some(*decision);
            f.exemption = exemption.clone();
            f.decided_at = Some(now);
            f.paused_since = None;
            P::RequestDecided(p::RequestDecided {
                decision: *decision,
                reasons: reasons.clone(),
                exemption,
                fee,
                on_time: now <= f.due,
                review: f.next_review(policy).map(|s| s.how.clone()),
            })
        }
        Action::Provide { text, documents } => {
            required("text", text, 4000)?;
            if !f.decision.is_some_and(Decision::grants) {
                return Err(LifecycleError::NothingGranted);
            }
            f.documents.extend(documents.iter().cloned());
            f.provided_at = Some(now);
            P::InformationProvided(p::InformationProvided {
                text: text.clone(),
                documents: documents.clone(),
            })
        }
        Action::DeemRefuse => {
            if now < f.due {
                return Err(LifecycleError::NotYetDue { due: f.due });
            }
            f.decided_at = Some(now);
            P::DeemedRefused(p::DeemedRefused {
                due: f.due,
                review: f.next_review(policy).map(|s| s.how.clone()),
            })
        }
        Action::AskReview { grounds } => {
            required("grounds", grounds, 4000)?;
            let Some(step) = f.next_review(policy) else {
                return Err(LifecycleError::NoReviewLeft);
            };
            let since = f
                .reviews
                .last()
                .and_then(|r| r.decided_at)
                .or(f.decided_at)
                .unwrap_or(f.received_at);
            if let Some(days) = step.apply_within_days
                && now > since + Duration::days(i64::from(days))
            {
                return Err(LifecycleError::ReviewTooLate {
                    body: step.body.clone(),
                    days,
                });
            }
            let stage = step.stage;
            f.reviews.push(Review {
                stage,
                requested_at: now,
                grounds: grounds.clone(),
                outcome: None,
                decided_at: None,
            });
            P::ReviewAsked(p::ReviewAsked {
                stage,
                body: step.body.clone(),
                grounds: grounds.clone(),
            })
        }
        Action::DecideReview { outcome, text } => {
            required("text", text, 4000)?;
            let stage = f.reviews.last().map_or(ReviewStage::Internal, |r| r.stage);
            if let Some(r) = f.reviews.last_mut() {
                r.outcome = Some(*outcome);
                r.decided_at = Some(now);
            }
            // Overturned or varied: the body decides again, within a fresh period.
            f.state = match outcome {
                ReviewOutcome::Overturned | ReviewOutcome::Varied => {
                    f.decision = None;
                    f.exemption = None;
                    f.due = deadlines.statutory_due(now, policy.decision_days, policy.working_days);
                    Acknowledged
                }
                _ if f.provided_at.is_some() => Provided,
                _ if f.decision.is_some() => Decided,
                _ => DeemedRefused,
            };
            P::ReviewDecided(p::ReviewDecided {
                stage,
                outcome: *outcome,
                text: text.clone(),
                next: f.next_review(policy).map(|s| s.how.clone()),
            })
        }
        Action::Close => {
            next.closed_at = Some(now);
            P::Closed(p::Nothing {})
        }
        Action::Assign {
            department,
            officer,
            note,
        } => {
            required("department", department, 64)?;
            if let Some(n) = note {
                required("note", n, 2000)?;
            }
            next.department = Some(department.clone());
            next.officer = *officer;
            P::Assigned(p::Assigned {
                department: department.clone(),
                officer: *officer,
                note: note.clone(),
            })
        }
        Action::SetProminence {
            prominence,
            reason,
            event,
        } => {
            let current = match event {
                Some(seq) => f.prominence_of(*seq),
                None => f.prominence,
            };
            let lowers = prominence.rank() > current.rank();
            if lowers && reason.trim().is_empty() {
                return Err(FieldError::new(
                    "reason",
                    "say why it is shown less: a reason is required to lower prominence",
                )
                .into());
            }
            if reason.chars().count() > 1000 {
                return Err(FieldError::new("reason", "at most 1000 characters").into());
            }
            match event {
                Some(seq) => {
                    if *seq < 1 {
                        return Err(
                            FieldError::new("event", "name a message of this request").into()
                        );
                    }
                    f.message_prominence.insert(*seq, *prominence);
                }
                None => f.prominence = *prominence,
            }
            P::ProminenceChanged(p::ProminenceChanged {
                prominence: *prominence,
                reason: reason.clone(),
                event: *event,
            })
        }
        Action::Note { text } => {
            required("text", text, 4000)?;
            P::NoteAdded(p::Text { text: text.clone() })
        }
        Action::RevealContact { reason } => {
            required("reason", reason, 500)?;
            P::ContactRevealed(p::Reason {
                reason: reason.clone(),
            })
        }
        Action::AttachMedia { attachment } => {
            next.attachments.push(attachment.clone());
            P::MediaAttached(p::MediaAttached {
                attachment: attachment.clone(),
            })
        }
        _ => return Err(LifecycleError::NotForRequests { action: kind }),
    };
    if let Some(to) = rule.to {
        f.state = to;
    }
    f.due_local = deadlines.due_text(f.due, f.urgent);
    next.status = f.case_status();
    if next.status.is_open() {
        next.closed_at = None;
    } else if next.closed_at.is_none() {
        next.closed_at = Some(now);
    }
    if next.first_responded_at.is_none()
        && matches!(
            rule.event,
            EventKind::RequestDecided
                | EventKind::ClarificationAsked
                | EventKind::RequestTransferred
                | EventKind::RequestExtended
        )
    {
        next.first_responded_at = Some(now);
    }
    // The clock stops while the body waits for a clarification: no deadline meanwhile.
    next.deadline = (f.awaits_decision() && f.paused_since.is_none()).then_some(f.due);
    next.request = Some(Box::new(f));
    next.updated_at = now;
    next.version += 1;
    let event = EventDraft {
        case_id: case.id,
        at: now,
        actor: actor.clone(),
        kind: rule.event,
        visibility: rule.visibility,
        data: crate::lifecycle::with_digest(data.to_value(), &next),
    };
    Ok(Transition { case: next, event })
}

/// The request lifecycle as a Markdown table, for ARCHITECTURE.md.
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| action | from | to | who | journal event |\n|---|---|---|---|---|\n");
    for r in RULES {
        let from = if r.from.len() == RequestState::ALL.len() {
            "any".to_owned()
        } else {
            r.from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let to = r.to.map_or("(unchanged)", |s| s.as_str());
        out.push_str(&format!(
            "| {} | {from} | {to} | {} | `{}` ({}) |\n",
            r.action,
            r.who.describe(),
            r.event,
            r.visibility
        ));
    }
    out
}

impl InformationPolicy {
    /// Check a policy read from a jurisdiction file.
    pub fn validate(&self) -> Result<(), FieldError> {
        self.check()
    }
}

#[cfg(test)]
mod tests;
