//! The case lifecycle: which action is allowed from which status, for which role, and
//! what it changes. The rules live in [`RULES`] and nowhere else; [`decide`] is pure.
//!
//! received -> acknowledged -> triaged -> assigned -> in_progress -> responded -> resolved
//! (confirmed by the citizen) -> closed; plus reopened, escalated, rejected, referred,
//! duplicate and closed_unconfirmed.

use crate::journal::{EventDraft, EventKind, Visibility};
use crate::payload::{self as p, Payload as P};
use crate::{
    AreaCode, Case, CaseId, CaseNumber, Channel, CitizenId, Deadlines, FieldError, NewCase,
    Priority, Role, Status, Timestamp, Urgency, UserId,
};
use serde::{Deserialize, Serialize};

/// Who acts: a staff role, the citizen, or the system (deadline jobs, channels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorRole {
    Staff(Role),
    Citizen,
    System,
}

impl ActorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorRole::Staff(r) => r.as_str(),
            ActorRole::Citizen => "citizen",
            ActorRole::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: ActorRole,
    /// The staff user's id, the citizen's id, or the system component's name.
    pub id: Option<String>,
    /// The channel the action came through.
    pub via: Channel,
}

impl Actor {
    pub fn staff(user: UserId, role: Role, via: Channel) -> Self {
        Self {
            role: ActorRole::Staff(role),
            id: Some(user.to_string()),
            via,
        }
    }
    pub fn citizen(citizen: Option<CitizenId>, via: Channel) -> Self {
        Self {
            role: ActorRole::Citizen,
            id: citizen.map(|c| c.0.to_string()),
            via,
        }
    }
    pub fn system(component: &str) -> Self {
        Self {
            role: ActorRole::System,
            id: Some(component.to_owned()),
            via: Channel::Api,
        }
    }
}

string_enum! {
    pub enum ActionKind {
        Acknowledge => "acknowledge",
        Triage => "triage",
        Assign => "assign",
        Start => "start",
        Respond => "respond",
        Escalate => "escalate",
        Resolve => "resolve",
        Rate => "rate",
        Reopen => "reopen",
        Close => "close",
        CloseUnconfirmed => "close_unconfirmed",
        Reject => "reject",
        Refer => "refer",
        MarkDuplicate => "mark_duplicate",
        Note => "note",
        Remind => "remind",
        CitizenReply => "citizen_reply",
        AttachMedia => "attach_media",
        RevealContact => "reveal_contact",
        AskClarification => "ask_clarification",
        Transfer => "transfer",
        Extend => "extend",
        Decide => "decide",
        Provide => "provide",
        DeemRefuse => "deem_refuse",
        AskReview => "ask_review",
        DecideReview => "decide_review",
        SetProminence => "set_prominence",
        PublishPhoto => "publish_photo",
    }
}

impl ActionKind {
    /// Actions that only information requests know.
    pub fn request_only(self) -> bool {
        use ActionKind::*;
        matches!(
            self,
            AskClarification
                | Transfer
                | Extend
                | Decide
                | Provide
                | DeemRefuse
                | AskReview
                | DecideReview
                | SetProminence
        )
    }
}

/// An action on a case, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Acknowledge,
    Triage {
        category: String,
        priority: Priority,
        /// The urgency judged at triage, when the priority came from the matrix.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        urgency: Option<Urgency>,
        /// A new ward, with its escalation ladder, when triage moves the case.
        ward: Option<AreaCode>,
        #[serde(default)]
        ladder: Vec<AreaCode>,
        /// The category's department, routed to at triage.
        department: Option<String>,
    },
    Assign {
        department: String,
        officer: Option<UserId>,
        note: Option<String>,
    },
    Start,
    Respond {
        text: String,
    },
    Escalate {
        reason: String,
    },
    Resolve,
    Rate {
        score: u8,
    },
    Reopen {
        reason: String,
    },
    Close,
    CloseUnconfirmed,
    Reject {
        reason: String,
    },
    Refer {
        reason: String,
        to: String,
    },
    MarkDuplicate {
        of: CaseNumber,
    },
    Note {
        text: String,
    },
    /// Ask again whether an answered case is solved (once, by the follow-up job).
    Remind,
    /// A message from the citizen about their case, recorded on it.
    CitizenReply {
        text: String,
        /// Where it came from, when another system relayed it (e.g. `open311:<update id>`):
        /// the same relayed message is recorded once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// A file the citizen sent (a photo), once fetched from the provider.
    AttachMedia {
        attachment: crate::Attachment,
    },
    /// A staff member looked at the citizen's contact details: journaled, with why.
    RevealContact {
        reason: String,
    },
    /// Information requests: ask the applicant to clarify (the clock stops).
    AskClarification {
        text: String,
    },
    /// Send the request on to the public body that holds the information.
    Transfer {
        to: String,
        reason: String,
    },
    /// The one extension of the decision period, with reasons.
    Extend {
        reason: String,
    },
    /// The decision: granted, in part, refused (citing an exemption), not held, deferred.
    Decide {
        decision: crate::information::Decision,
        reasons: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exemption: Option<String>,
        /// The notice of fees for copies; the law's own notice when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fee: Option<String>,
    },
    /// The information given: documents attached, or inspection arranged.
    Provide {
        text: String,
        #[serde(default)]
        documents: Vec<crate::Attachment>,
    },
    /// The clock ran out without a decision (the system's deadline job only).
    DeemRefuse,
    /// The applicant applies for the next stage of review.
    AskReview {
        grounds: String,
    },
    /// The outcome of the review under way.
    DecideReview {
        outcome: crate::information::ReviewOutcome,
        text: String,
    },
    /// Show a request, or one of its messages (`event`, a journal sequence number), more
    /// or less; a reason is required to lower it.
    SetProminence {
        prominence: crate::information::Prominence,
        #[serde(default)]
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<i64>,
    },
    /// Staff approve a photo of the case for the public (nobody's face, nothing
    /// personal), or withdraw it. The public sees it only if the citizen agreed too.
    PublishPhoto {
        sha256: String,
        publish: bool,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Acknowledge => ActionKind::Acknowledge,
            Action::Triage { .. } => ActionKind::Triage,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Start => ActionKind::Start,
            Action::Respond { .. } => ActionKind::Respond,
            Action::Escalate { .. } => ActionKind::Escalate,
            Action::Resolve => ActionKind::Resolve,
            Action::Rate { .. } => ActionKind::Rate,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Close => ActionKind::Close,
            Action::CloseUnconfirmed => ActionKind::CloseUnconfirmed,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Refer { .. } => ActionKind::Refer,
            Action::MarkDuplicate { .. } => ActionKind::MarkDuplicate,
            Action::Note { .. } => ActionKind::Note,
            Action::Remind => ActionKind::Remind,
            Action::CitizenReply { .. } => ActionKind::CitizenReply,
            Action::AttachMedia { .. } => ActionKind::AttachMedia,
            Action::RevealContact { .. } => ActionKind::RevealContact,
            Action::AskClarification { .. } => ActionKind::AskClarification,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::Extend { .. } => ActionKind::Extend,
            Action::Decide { .. } => ActionKind::Decide,
            Action::Provide { .. } => ActionKind::Provide,
            Action::DeemRefuse => ActionKind::DeemRefuse,
            Action::AskReview { .. } => ActionKind::AskReview,
            Action::DecideReview { .. } => ActionKind::DecideReview,
            Action::SetProminence { .. } => ActionKind::SetProminence,
            Action::PublishPhoto { .. } => ActionKind::PublishPhoto,
        }
    }
}

/// Who may take an action.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Who {
    Staff(&'static [Role]),
    StaffOrCitizen(&'static [Role]),
    StaffOrSystem(&'static [Role]),
    /// Only the system (a deadline job).
    SystemOnly,
}

impl Who {
    /// The roles, and `citizen` or `system`, in words for the documentation.
    pub(crate) fn describe(self) -> String {
        let (roles, extra): (&[Role], _) = match self {
            Who::Staff(rs) => (rs, None),
            Who::StaffOrCitizen(rs) => (rs, Some("citizen")),
            Who::StaffOrSystem(rs) => (rs, Some("system")),
            Who::SystemOnly => (&[], Some("system")),
        };
        roles
            .iter()
            .map(|r| r.as_str())
            .chain(extra)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn allows(self, role: ActorRole) -> bool {
        match (self, role) {
            (
                Who::Staff(rs) | Who::StaffOrCitizen(rs) | Who::StaffOrSystem(rs),
                ActorRole::Staff(r),
            ) => rs.contains(&r),
            (Who::StaffOrCitizen(_), ActorRole::Citizen) => true,
            (Who::StaffOrSystem(_) | Who::SystemOnly, ActorRole::System) => true,
            _ => false,
        }
    }
}

/// One rule: an action, the statuses it may start from, who may take it, where it leads.
/// `to: None` keeps the status (notes, ratings).
pub struct Rule {
    pub action: ActionKind,
    pub from: &'static [Status],
    who: Who,
    pub to: Option<Status>,
    pub event: EventKind,
    pub visibility: Visibility,
}

use Role::*;
use Status::*;

/// Roles that work cases; the executive, observers, auditors and system administrators only read.
const CASEWORKERS: &[Role] = &[
    CommunicationsDesk,
    WardAdministrator,
    SubCountyAdministrator,
    FeedbackCoordinator,
    DepartmentDirector,
];
const TRIAGERS: &[Role] = &[
    CommunicationsDesk,
    WardAdministrator,
    SubCountyAdministrator,
];
const ESCALATORS: &[Role] = &[
    CommunicationsDesk,
    WardAdministrator,
    SubCountyAdministrator,
    FeedbackCoordinator,
];
/// Roles that may see a citizen's contact details, each time on the record.
const REVEALERS: &[Role] = &[
    CommunicationsDesk,
    WardAdministrator,
    SubCountyAdministrator,
    FeedbackCoordinator,
    DepartmentDirector,
    CountyExecutive,
    Auditor,
];
const OPEN: &[Status] = &[
    Received,
    Acknowledged,
    Triaged,
    Assigned,
    InProgress,
    Reopened,
    Escalated,
];
const WORKABLE: &[Status] = &[Triaged, Assigned, InProgress, Reopened, Escalated];
const ANY: &[Status] = Status::ALL;

pub const RULES: &[Rule] = &[
    Rule {
        action: ActionKind::Acknowledge,
        from: &[Received],
        who: Who::StaffOrSystem(&[CommunicationsDesk]),
        to: Some(Acknowledged),
        event: EventKind::Acknowledged,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Triage,
        from: &[Received, Acknowledged, Triaged, Reopened, Escalated],
        who: Who::Staff(TRIAGERS),
        to: Some(Triaged),
        event: EventKind::Triaged,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Assign,
        from: WORKABLE,
        who: Who::Staff(CASEWORKERS),
        to: Some(Assigned),
        event: EventKind::Assigned,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Start,
        from: &[Assigned, Reopened, Escalated],
        who: Who::Staff(CASEWORKERS),
        to: Some(InProgress),
        event: EventKind::Started,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Respond,
        from: WORKABLE,
        who: Who::Staff(CASEWORKERS),
        to: Some(Responded),
        event: EventKind::Responded,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Escalate,
        from: OPEN,
        who: Who::StaffOrSystem(ESCALATORS),
        to: Some(Escalated),
        event: EventKind::Escalated,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Resolve,
        from: &[Responded, ClosedUnconfirmed],
        who: Who::StaffOrCitizen(TRIAGERS),
        to: Some(Resolved),
        event: EventKind::Resolved,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Rate,
        from: &[Resolved, Closed],
        who: Who::StaffOrCitizen(&[CommunicationsDesk]),
        to: None,
        event: EventKind::Rated,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Reopen,
        from: &[Responded, Resolved, Closed, ClosedUnconfirmed],
        who: Who::StaffOrCitizen(CASEWORKERS),
        to: Some(Reopened),
        event: EventKind::Reopened,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Close,
        from: &[Resolved],
        who: Who::StaffOrSystem(&[CommunicationsDesk]),
        to: Some(Closed),
        event: EventKind::Closed,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::CloseUnconfirmed,
        from: &[Responded],
        who: Who::StaffOrSystem(&[CommunicationsDesk]),
        to: Some(ClosedUnconfirmed),
        event: EventKind::ClosedUnconfirmed,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Reject,
        from: OPEN,
        who: Who::Staff(CASEWORKERS),
        to: Some(Rejected),
        event: EventKind::Rejected,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Refer,
        from: OPEN,
        who: Who::Staff(CASEWORKERS),
        to: Some(Referred),
        event: EventKind::Referred,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::MarkDuplicate,
        from: OPEN,
        who: Who::Staff(ESCALATORS),
        to: Some(Duplicate),
        event: EventKind::MarkedDuplicate,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Note,
        from: ANY,
        who: Who::Staff(CASEWORKERS),
        to: None,
        event: EventKind::NoteAdded,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::Remind,
        from: &[Responded],
        who: Who::StaffOrSystem(&[CommunicationsDesk]),
        to: None,
        event: EventKind::Reminded,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::CitizenReply,
        from: &[
            Received,
            Acknowledged,
            Triaged,
            Assigned,
            InProgress,
            Responded,
            Reopened,
            Escalated,
        ],
        who: Who::StaffOrCitizen(&[]),
        to: None,
        event: EventKind::CitizenReplied,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::AttachMedia,
        from: ANY,
        who: Who::StaffOrSystem(&[]),
        to: None,
        event: EventKind::MediaAttached,
        visibility: Visibility::Internal,
    },
    Rule {
        action: ActionKind::RevealContact,
        from: ANY,
        who: Who::Staff(REVEALERS),
        to: None,
        event: EventKind::ContactRevealed,
        visibility: Visibility::Internal,
    },
    // Information requests only (`crate::information::RULES`): never on a concern.
    Rule {
        action: ActionKind::AskClarification,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::ClarificationAsked,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Transfer,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::RequestTransferred,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Extend,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::RequestExtended,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Decide,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::RequestDecided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::Provide,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::InformationProvided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::DeemRefuse,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::DeemedRefused,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::AskReview,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::ReviewAsked,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::DecideReview,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::ReviewDecided,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::SetProminence,
        from: &[],
        who: Who::Staff(&[]),
        to: None,
        event: EventKind::ProminenceChanged,
        visibility: Visibility::Public,
    },
    Rule {
        action: ActionKind::PublishPhoto,
        from: ANY,
        who: Who::Staff(TRIAGERS),
        to: None,
        event: EventKind::PhotoPublished,
        visibility: Visibility::Internal,
    },
];

pub fn rule(action: ActionKind) -> &'static Rule {
    // RULES lists one rule per ActionKind in declaration order; a unit test checks it.
    &RULES[action as usize]
}

/// The status a case has after an event of `kind`, replaying its journal.
pub fn status_after_event(kind: EventKind, current: Option<Status>) -> Option<Status> {
    if kind == EventKind::Received {
        return Some(Received);
    }
    match RULES.iter().find(|r| r.event == kind) {
        Some(Rule { to: Some(to), .. }) => Some(*to),
        Some(_) => current,
        // Events of kinds this version does not know leave the status as it was.
        None => current,
    }
}

/// Whether `role` may ever take `action` (from some status).
pub fn may(role: ActorRole, action: ActionKind) -> bool {
    rule(action).who.allows(role)
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LifecycleError {
    #[error("a {role} may not {action} a case")]
    RoleNotAllowed {
        role: &'static str,
        action: ActionKind,
    },
    #[error("cannot {action} a case that is {status}")]
    TransitionNotAllowed { action: ActionKind, status: Status },
    #[error("the case is already held at the top of its escalation ladder")]
    LadderExhausted,
    #[error("the case has already been rated")]
    AlreadyRated,
    #[error("only information requests can be {action}: this case is a concern")]
    OnlyForRequests { action: ActionKind },
    #[error("an information request cannot be {action}: that is for concerns")]
    NotForRequests { action: ActionKind },
    #[error("cannot {action} an information request that is {state}")]
    RequestTransitionNotAllowed {
        action: ActionKind,
        state: crate::information::RequestState,
    },
    #[error("the request has already been extended once; the law allows one extension")]
    AlreadyExtended,
    #[error("nothing was granted: information is provided only after a grant")]
    NothingGranted,
    #[error("the decision is not due until {due}: a request is deemed refused only after")]
    NotYetDue { due: Timestamp },
    #[error("no stage of review is left for this request")]
    NoReviewLeft,
    #[error("a review by {body} must be applied for within {days} days of the decision")]
    ReviewTooLate { body: String, days: u32 },
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

impl LifecycleError {
    /// Stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::RoleNotAllowed { .. } => "role_not_allowed",
            LifecycleError::TransitionNotAllowed { .. } => "transition_not_allowed",
            LifecycleError::LadderExhausted => "escalation_ladder_exhausted",
            LifecycleError::AlreadyRated => "already_rated",
            LifecycleError::OnlyForRequests { .. } => "only_for_information_requests",
            LifecycleError::NotForRequests { .. } => "not_for_information_requests",
            LifecycleError::RequestTransitionNotAllowed { .. } => "transition_not_allowed",
            LifecycleError::AlreadyExtended => "already_extended",
            LifecycleError::NothingGranted => "nothing_granted",
            LifecycleError::NotYetDue { .. } => "not_yet_due",
            LifecycleError::NoReviewLeft => "no_review_left",
            LifecycleError::ReviewTooLate { .. } => "review_too_late",
            LifecycleError::Invalid(_) => "invalid_action",
        }
    }
}

/// The result of a decision: the case as it will be, and the event that records why.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub case: Case,
    pub event: EventDraft,
}

fn required_text(field: &str, s: &str, max: usize) -> Result<(), FieldError> {
    if s.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    Ok(())
}

/// Decide whether `actor` may take `action` on `case` now, and what follows.
pub fn decide(
    case: &Case,
    actor: &Actor,
    action: &Action,
    deadlines: &Deadlines,
    now: Timestamp,
) -> Result<Transition, LifecycleError> {
    if let Some(file) = &case.request {
        return crate::information::decide(case, file, actor, action, deadlines, now);
    }
    if action.kind().request_only() {
        return Err(LifecycleError::OnlyForRequests {
            action: action.kind(),
        });
    }
    let rule = rule(action.kind());
    if !rule.who.allows(actor.role) {
        return Err(LifecycleError::RoleNotAllowed {
            role: actor.role.as_str(),
            action: rule.action,
        });
    }
    if !rule.from.contains(&case.status) {
        return Err(LifecycleError::TransitionNotAllowed {
            action: rule.action,
            status: case.status,
        });
    }
    let mut next = case.clone();
    let data = match action {
        Action::Acknowledge => P::Acknowledged(p::Acknowledged::default()),
        Action::Triage {
            category,
            priority,
            urgency,
            ward,
            ladder,
            department,
        } => {
            required_text("category", category, 64)?;
            next.category = Some(category.clone());
            next.priority = Some(*priority);
            if let Some(w) = ward {
                if ladder.first() != Some(w) {
                    return Err(FieldError::new(
                        "ward",
                        "the escalation ladder must start at the ward",
                    )
                    .into());
                }
                next.ward = Some(w.clone());
                next.ladder = ladder.clone();
                next.ladder_position = 0;
            }
            // A concern about a project stays with the implementing department it was
            // routed to at intake; the category only routes the others (assign moves it).
            let routed = matches!(case.subject, Some(crate::Subject::Project(_)))
                && case.department.is_some();
            if let Some(d) = department
                && !routed
            {
                next.department = Some(d.clone());
            }
            next.first_response_due = Some(deadlines.first_response(case.created_at, *priority));
            next.resolution_due = Some(deadlines.resolution(case.created_at, *priority));
            next.deadline = if next.first_responded_at.is_none() {
                next.first_response_due
            } else {
                next.resolution_due
            };
            P::Triaged(p::Triaged {
                category: category.clone(),
                priority: *priority,
                urgency: *urgency,
                ward: next.ward.clone(),
                department: next.department.clone(),
                first_response_due: next.first_response_due,
                resolution_due: next.resolution_due,
            })
        }
        Action::Assign {
            department,
            officer,
            note,
        } => {
            required_text("department", department, 64)?;
            if let Some(n) = note {
                required_text("note", n, 2000)?;
            }
            next.department = Some(department.clone());
            next.officer = *officer;
            P::Assigned(p::Assigned {
                department: department.clone(),
                officer: *officer,
                note: note.clone(),
            })
        }
        Action::Start => P::Started(p::Nothing {}),
        Action::Respond { text } => {
            required_text("text", text, 2000)?;
            next.first_responded_at.get_or_insert(now);
            next.waiting_since = Some(now);
            P::Responded(p::Text { text: text.clone() })
        }
        Action::Escalate { reason } => {
            required_text("reason", reason, 2000)?;
            let to = usize::from(case.ladder_position) + 1;
            if to >= case.ladder.len() {
                return Err(LifecycleError::LadderExhausted);
            }
            next.ladder_position = to as u8;
            // The new holder gets a fresh window to act.
            next.deadline = Some(deadlines.first_response(now, holder_priority(case)));
            P::Escalated(p::Escalated {
                reason: reason.clone(),
                from: case.holder().cloned(),
                to: next.holder().cloned(),
                deadline: next.deadline,
            })
        }
        Action::Resolve => {
            next.resolved_at = Some(now);
            P::Resolved(p::Resolved {
                confirmed_by: actor.role.as_str().to_owned(),
            })
        }
        Action::Rate { score } => {
            if !(1..=5).contains(score) {
                return Err(FieldError::new(
                    "score",
                    "a rating is from 1 (very unhappy) to 5 (very happy)",
                )
                .into());
            }
            if case.satisfaction.is_some() {
                return Err(LifecycleError::AlreadyRated);
            }
            next.satisfaction = Some(*score);
            P::Rated(p::Rated { score: *score })
        }
        Action::Reopen { reason } => {
            required_text("reason", reason, 2000)?;
            next.reopen_count += 1;
            next.resolved_at = None;
            next.closed_at = None;
            next.satisfaction = None;
            next.reason = Some(reason.clone());
            // The time spent waiting for the citizen did not count against the county.
            if let (Some(since), Some(due)) = (case.waiting_since, case.resolution_due) {
                next.resolution_due =
                    Some(deadlines.paused(due, since, now, holder_priority(case)));
            }
            next.waiting_since = None;
            next.deadline = Some(deadlines.first_response(now, holder_priority(case)));
            P::Reopened(p::Reopened {
                reason: reason.clone(),
                previous_status: case.status,
            })
        }
        Action::Close => {
            next.closed_at = Some(now);
            P::Closed(p::Nothing {})
        }
        Action::CloseUnconfirmed => {
            next.closed_at = Some(now);
            P::ClosedUnconfirmed(p::Nothing {})
        }
        Action::Reject { reason } => {
            required_text("reason", reason, 2000)?;
            next.reason = Some(reason.clone());
            next.closed_at = Some(now);
            P::Rejected(p::Reason {
                reason: reason.clone(),
            })
        }
        Action::Refer { reason, to } => {
            required_text("reason", reason, 2000)?;
            required_text("to", to, 500)?;
            next.reason = Some(reason.clone());
            next.referred_to = Some(to.clone());
            next.closed_at = Some(now);
            P::Referred(p::Referred {
                reason: reason.clone(),
                to: to.clone(),
            })
        }
        Action::MarkDuplicate { of } => {
            if *of == case.number {
                return Err(FieldError::new("of", "a case cannot duplicate itself").into());
            }
            next.duplicate_of = Some(*of);
            next.closed_at = Some(now);
            P::MarkedDuplicate(p::MarkedDuplicate { of: *of })
        }
        Action::Note { text } => {
            required_text("text", text, 4000)?;
            P::NoteAdded(p::Text { text: text.clone() })
        }
        Action::Remind => P::Reminded(p::Nothing {}),
        Action::CitizenReply { text, source } => {
            required_text("text", text, 4000)?;
            P::CitizenReplied(p::CitizenReplied {
                text: text.clone(),
                source: source.clone(),
            })
        }
        Action::AttachMedia { attachment } => {
            next.attachments.push(attachment.clone());
            P::MediaAttached(p::MediaAttached {
                attachment: attachment.clone(),
            })
        }
        Action::RevealContact { reason } => {
            required_text("reason", reason, 500)?;
            P::ContactRevealed(p::Reason {
                reason: reason.clone(),
            })
        }
        Action::PublishPhoto { sha256, publish } => {
            let Some(a) = next.attachments.iter_mut().find(|a| &a.sha256 == sha256) else {
                return Err(FieldError::new("photo", "no such photo on this case").into());
            };
            if !a.media_type.starts_with("image/") {
                return Err(FieldError::new("photo", "only a photo can be published").into());
            }
            a.published = *publish;
            P::PhotoPublished(p::PhotoPublished {
                sha256: sha256.clone(),
                published: *publish,
            })
        }
        _ => {
            return Err(LifecycleError::OnlyForRequests {
                action: action.kind(),
            });
        }
    };
    if let Some(to) = rule.to {
        next.status = to;
    }
    if !next.status.is_open() {
        next.deadline = None;
    }
    next.escalation_due = next
        .deadline
        .filter(|_| usize::from(next.ladder_position) + 1 < next.ladder.len());
    next.updated_at = now;
    next.version += 1;
    let event = EventDraft {
        case_id: case.id,
        at: now,
        actor: actor.clone(),
        kind: rule.event,
        visibility: rule.visibility,
        data: with_digest(data.to_value(), &next),
    };
    Ok(Transition { case: next, event })
}

/// What a case says in place of the citizen's words once they are erased.
pub const ERASED_TEXT: &str = "[erased]";

/// An erasure of a citizen's personal data, as recorded on each of their cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRecord {
    /// The legal basis: the data subject's request (Kenya DPA 2019 s.40, Ghana Act 843
    /// s.33), or the jurisdiction's retention period.
    pub basis: String,
    /// Who approved it (a second person, for a request); none for retention.
    pub approved_by: Option<String>,
    /// The events whose payloads were taken out, by sequence number.
    pub erased_events: Vec<i64>,
}

/// A case with the citizen's personal data taken out, and the event that records it.
/// The public facts (ward, category, department, dates, status) stay; the description,
/// the point on the map and the attachments go. Allowed from any status, by the system.
pub fn erase(case: &Case, actor: &Actor, record: &ErasureRecord, now: Timestamp) -> Transition {
    let mut next = case.clone();
    next.description = ERASED_TEXT.to_owned();
    next.reason = next.reason.as_ref().map(|_| ERASED_TEXT.to_owned());
    next.referred_to = next.referred_to.as_ref().map(|_| ERASED_TEXT.to_owned());
    next.location = None;
    next.attachments = Vec::new();
    // An information request's own words of the applicant: why it is urgent, the
    // grounds of a review.
    if let Some(r) = next.request.as_deref_mut() {
        r.urgency_reason = r.urgency_reason.as_ref().map(|_| ERASED_TEXT.to_owned());
        for review in &mut r.reviews {
            review.grounds = ERASED_TEXT.to_owned();
        }
    }
    next.updated_at = now;
    next.version += 1;
    let data = P::PersonalDataErased(p::PersonalDataErased {
        basis: record.basis.clone(),
        approved_by: record.approved_by.clone(),
        erased_events: record.erased_events.clone(),
    })
    .to_value();
    let event = EventDraft {
        case_id: case.id,
        at: now,
        actor: actor.clone(),
        kind: EventKind::PersonalDataErased,
        visibility: Visibility::Internal,
        data: with_digest(data, &next),
    };
    Transition { case: next, event }
}

/// The priority deadlines are counted at: the case's, or normal before triage.
fn holder_priority(case: &Case) -> Priority {
    case.priority.unwrap_or(Priority::Normal)
}

/// The SHA-256 of a case's whole state, recorded in each event it follows from: `verify`
/// compares it with the case as stored, so that an edit to any column is caught.
pub fn case_digest(case: &Case) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_string(case).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// The key under which events record the digest of the case state they led to.
pub const CASE_DIGEST_KEY: &str = "case_sha256";

pub(crate) fn with_digest(mut data: serde_json::Value, case: &Case) -> serde_json::Value {
    if let Some(obj) = data.as_object_mut() {
        obj.insert(
            CASE_DIGEST_KEY.to_owned(),
            serde_json::Value::String(case_digest(case)),
        );
    }
    data
}

/// A new case at intake, and the events that record its arrival.
pub fn receive(
    new: &NewCase,
    id: CaseId,
    number: CaseNumber,
    citizen: Option<CitizenId>,
    actor: &Actor,
    now: Timestamp,
) -> (Case, Vec<EventDraft>) {
    let mut case = Case {
        id,
        number,
        jurisdiction: new.jurisdiction.clone(),
        kind: new.kind,
        channel: new.channel,
        status: Received,
        category: new.category.clone(),
        ward: new.ward.clone(),
        ladder: new.ladder.clone(),
        ladder_position: 0,
        location: new.location,
        description: new.description.clone(),
        attachments: new.attachments.clone(),
        priority: None,
        department: new.department.clone(),
        officer: None,
        citizen,
        first_response_due: None,
        resolution_due: None,
        deadline: None,
        escalation_due: None,
        waiting_since: None,
        first_responded_at: None,
        resolved_at: None,
        closed_at: None,
        duplicate_of: None,
        reason: None,
        referred_to: None,
        reopen_count: 0,
        satisfaction: None,
        idempotency_key: new.idempotency_key.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
        request: new
            .request
            .as_ref()
            .map(|r| Box::new(crate::information::file_for(r))),
        subject: new.subject.clone(),
    };
    if let Some(r) = &case.request {
        case.deadline = Some(r.due);
    }
    let received = EventDraft {
        case_id: id,
        at: now,
        actor: actor.clone(),
        kind: EventKind::Received,
        visibility: Visibility::Public,
        data: with_digest(
            P::Received(p::Received {
                reference: number,
                kind: new.kind,
                channel: new.channel,
                category: new.category.clone(),
                ward: new.ward.clone(),
                location: new.location,
                description: new.description.clone(),
                attachments: new.attachments.clone(),
                citizen,
                request: new.request.clone(),
                subject: new.subject.clone(),
                department: new.department.clone(),
            })
            .to_value(),
            &case,
        ),
    };
    let mut events = vec![received];
    if new.acknowledged_on_intake {
        case.status = Acknowledged;
        if let Some(r) = case.request.as_mut() {
            r.state = crate::information::RequestState::Acknowledged;
        }
        case.version += 1;
        events.push(EventDraft {
            case_id: id,
            at: now,
            actor: Actor {
                via: new.channel,
                ..Actor::system("intake")
            },
            kind: EventKind::Acknowledged,
            visibility: Visibility::Public,
            data: with_digest(
                P::Acknowledged(p::Acknowledged {
                    reference_given_on: Some(new.channel),
                })
                .to_value(),
                &case,
            ),
        });
    }
    (case, events)
}

#[cfg(test)]
mod tests;

/// The rules as a Markdown table, for ARCHITECTURE.md (a test keeps the two equal).
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| action | from | to | who | journal event |\n|---|---|---|---|---|\n");
    for r in RULES.iter().filter(|r| !r.action.request_only()) {
        let from = if r.from.len() == Status::ALL.len() {
            "any".to_owned()
        } else {
            r.from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let to = r.to.map_or("(unchanged)", |s| s.as_str());
        let who = r.who.describe();
        let event = format!("`{}` ({})", r.event, r.visibility);
        out.push_str(&format!(
            "| {} | {from} | {to} | {who} | {event} |\n",
            r.action
        ));
    }
    out
}
