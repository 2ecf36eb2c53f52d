//! Messages to citizens. Every one is decided here (which events warrant a message, on
//! which channel, in which language) and written to the outbox in the same transaction
//! as the case change that caused it; a worker renders and sends it later. The outbox
//! stores what to say (a template and its arguments), not the rendered text, so that
//! wording can be fixed without touching stored data.

use crate::{Case, Channel, Citizen, EventKind, JournalEvent, Language, Status, Timestamp};
use serde::{Deserialize, Serialize};

/// What to tell the citizen. Each variant has a message of the same name in every
/// language's Fluent file (`crates/baraza-channels/locales`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Template {
    Acknowledgement {
        reference: String,
    },
    Response {
        reference: String,
        text: String,
    },
    AskRating {
        reference: String,
    },
    RatingThanks {
        reference: String,
    },
    Reopened {
        reference: String,
    },
    Rejected {
        reference: String,
        reason: String,
    },
    Referred {
        reference: String,
        to: String,
        reason: String,
    },
    Duplicate {
        reference: String,
        of: String,
    },
    Reminder {
        reference: String,
    },
    ClosedUnconfirmed {
        reference: String,
    },
    ReplyNoted {
        reference: String,
    },
    Status {
        reference: String,
        status: Status,
    },
    StatusNotFound {
        reference: String,
    },
    NoCaseYet,
    BadReference {
        typed: String,
    },
    Help,
    Stopped,
    LanguageChanged,
    /// To staff: a case escalated to them.
    StaffEscalated {
        reference: String,
        reason: String,
    },
    /// To staff: a case forwarded to their department, or to them.
    StaffAssigned {
        reference: String,
        note: String,
    },
    /// Information requests: received, with the date a decision is due.
    RequestReceived {
        reference: String,
        due: String,
    },
    RequestClarification {
        reference: String,
        text: String,
    },
    RequestTransferred {
        reference: String,
        to: String,
    },
    RequestExtended {
        reference: String,
        due: String,
        reason: String,
    },
    RequestDecided {
        reference: String,
        decision: String,
        reasons: String,
        review: String,
    },
    RequestProvided {
        reference: String,
        text: String,
    },
    RequestDeemedRefused {
        reference: String,
        review: String,
    },
    RequestReviewDecided {
        reference: String,
        outcome: String,
        text: String,
    },
    RequestStatus {
        reference: String,
        state: String,
        due: String,
    },
    /// To the head of the body: a request deemed refused under their watch.
    StaffDeemedRefused {
        reference: String,
    },
    /// To a follower of a disclosure class: something new is published.
    DisclosurePublished {
        class: String,
        title: String,
        link: String,
    },
    /// `FOLLOW <class>` understood.
    Following {
        class: String,
    },
    /// `FOLLOW` with no class we know: the classes there are.
    FollowUnknown {
        typed: String,
        classes: String,
    },
    /// `COMMENT` on a commitment we do not know, or with nothing said: the commitments
    /// there are.
    CommitmentUnknown {
        typed: String,
        commitments: String,
    },
    /// `INFO <code>`: the project's name, status, budget and latest approved report.
    ProjectInfo {
        code: String,
        title: String,
        status: String,
        budget: String,
        /// The latest approved report's PMC status (`onTrack`…), or `none`.
        report_status: String,
        report_text: String,
    },
    /// `INFO` or `REPORT` with a code the county has no project for.
    ProjectUnknown {
        typed: String,
    },
    /// `FOLLOW <ward>` or USSD: news of the ward's public projects.
    WardFollowing {
        ward: String,
    },
    /// `FOLLOW <reference>` or the web's "follow this one instead": the case's changes
    /// of status will be told.
    CaseFollowing {
        reference: String,
    },
    /// To someone following a case that is not theirs: its status changed.
    FollowedUpdate {
        reference: String,
        status: Status,
    },
    /// The day's news of public projects in the wards a citizen follows.
    WardDigest {
        /// `CODE what; CODE what` (what: tender, contract, report, status).
        news: String,
    },
    /// A PMC member's report by SMS, kept as a draft for a validator.
    ReportDrafted {
        code: String,
        report: String,
    },
    /// To a milestone's owner: it ends soon, or a review that will look at it is due.
    MilestoneReminder {
        commitment: String,
        milestone: String,
        text: String,
        due: String,
        link: String,
    },
}

impl Template {
    /// The Fluent message id.
    pub fn id(&self) -> &'static str {
        match self {
            Template::Acknowledgement { .. } => "acknowledgement",
            Template::Response { .. } => "response",
            Template::AskRating { .. } => "ask-rating",
            Template::RatingThanks { .. } => "rating-thanks",
            Template::Reopened { .. } => "reopened",
            Template::Rejected { .. } => "rejected",
            Template::Referred { .. } => "referred",
            Template::Duplicate { .. } => "duplicate",
            Template::Reminder { .. } => "reminder",
            Template::ClosedUnconfirmed { .. } => "closed-unconfirmed",
            Template::ReplyNoted { .. } => "reply-noted",
            Template::Status { .. } => "status",
            Template::StatusNotFound { .. } => "status-not-found",
            Template::NoCaseYet => "no-case-yet",
            Template::BadReference { .. } => "bad-reference",
            Template::Help => "help",
            Template::Stopped => "stopped",
            Template::LanguageChanged => "language-changed",
            Template::StaffEscalated { .. } => "staff-escalated",
            Template::StaffAssigned { .. } => "staff-assigned",
            Template::RequestReceived { .. } => "request-received",
            Template::RequestClarification { .. } => "request-clarification",
            Template::RequestTransferred { .. } => "request-transferred",
            Template::RequestExtended { .. } => "request-extended",
            Template::RequestDecided { .. } => "request-decided",
            Template::RequestProvided { .. } => "request-provided",
            Template::RequestDeemedRefused { .. } => "request-deemed-refused",
            Template::RequestReviewDecided { .. } => "request-review-decided",
            Template::RequestStatus { .. } => "request-status",
            Template::StaffDeemedRefused { .. } => "staff-deemed-refused",
            Template::DisclosurePublished { .. } => "disclosure-published",
            Template::Following { .. } => "following",
            Template::FollowUnknown { .. } => "follow-unknown",
            Template::CommitmentUnknown { .. } => "commitment-unknown",
            Template::MilestoneReminder { .. } => "milestone-reminder",
            Template::ProjectInfo { .. } => "project-info",
            Template::ProjectUnknown { .. } => "project-unknown",
            Template::ReportDrafted { .. } => "report-drafted",
            Template::WardFollowing { .. } => "ward-following",
            Template::WardDigest { .. } => "ward-digest",
            Template::CaseFollowing { .. } => "case-following",
            Template::FollowedUpdate { .. } => "followed-update",
        }
    }

    /// The template's arguments, by name, for the renderer.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Template::Acknowledgement { reference }
            | Template::AskRating { reference }
            | Template::RatingThanks { reference }
            | Template::Reopened { reference }
            | Template::Reminder { reference }
            | Template::ClosedUnconfirmed { reference }
            | Template::ReplyNoted { reference }
            | Template::StatusNotFound { reference }
            | Template::CaseFollowing { reference }
            | Template::StaffDeemedRefused { reference } => vec![("reference", reference.clone())],
            Template::RequestReceived { reference, due } => {
                vec![("reference", reference.clone()), ("due", due.clone())]
            }
            Template::RequestClarification { reference, text }
            | Template::RequestProvided { reference, text } => {
                vec![("reference", reference.clone()), ("text", text.clone())]
            }
            Template::RequestTransferred { reference, to } => {
                vec![("reference", reference.clone()), ("to", to.clone())]
            }
            Template::RequestExtended {
                reference,
                due,
                reason,
            } => vec![
                ("reference", reference.clone()),
                ("due", due.clone()),
                ("reason", reason.clone()),
            ],
            Template::RequestDecided {
                reference,
                decision,
                reasons,
                review,
            } => vec![
                ("reference", reference.clone()),
                ("decision", decision.clone()),
                ("reasons", reasons.clone()),
                ("review", review.clone()),
            ],
            Template::DisclosurePublished { class, title, link } => vec![
                ("class", class.clone()),
                ("title", title.clone()),
                ("link", link.clone()),
            ],
            Template::Following { class } => vec![("class", class.clone())],
            Template::FollowUnknown { typed, classes } => {
                vec![("typed", typed.clone()), ("classes", classes.clone())]
            }
            Template::ProjectInfo {
                code,
                title,
                status,
                budget,
                report_status,
                report_text,
            } => vec![
                ("code", code.clone()),
                ("title", title.clone()),
                ("status", status.clone()),
                ("budget", budget.clone()),
                ("report_status", report_status.clone()),
                ("report_text", report_text.clone()),
            ],
            Template::ProjectUnknown { typed } => vec![("typed", typed.clone())],
            Template::WardFollowing { ward } => vec![("ward", ward.clone())],
            Template::WardDigest { news } => vec![("news", news.clone())],
            Template::ReportDrafted { code, report } => {
                vec![("code", code.clone()), ("report", report.clone())]
            }
            Template::CommitmentUnknown { typed, commitments } => vec![
                ("typed", typed.clone()),
                ("commitments", commitments.clone()),
            ],
            Template::MilestoneReminder {
                commitment,
                milestone,
                text,
                due,
                link,
            } => vec![
                ("commitment", commitment.clone()),
                ("milestone", milestone.clone()),
                ("text", text.clone()),
                ("due", due.clone()),
                ("link", link.clone()),
            ],
            Template::RequestDeemedRefused { reference, review } => {
                vec![("reference", reference.clone()), ("review", review.clone())]
            }
            Template::RequestReviewDecided {
                reference,
                outcome,
                text,
            } => vec![
                ("reference", reference.clone()),
                ("outcome", outcome.clone()),
                ("text", text.clone()),
            ],
            Template::RequestStatus {
                reference,
                state,
                due,
            } => vec![
                ("reference", reference.clone()),
                ("state", state.clone()),
                ("due", due.clone()),
            ],
            Template::Response { reference, text } => {
                vec![("reference", reference.clone()), ("text", text.clone())]
            }
            Template::Rejected { reference, reason }
            | Template::StaffEscalated { reference, reason } => {
                vec![("reference", reference.clone()), ("reason", reason.clone())]
            }
            Template::Referred {
                reference,
                to,
                reason,
            } => {
                vec![
                    ("reference", reference.clone()),
                    ("to", to.clone()),
                    ("reason", reason.clone()),
                ]
            }
            Template::StaffAssigned { reference, note } => {
                vec![("reference", reference.clone()), ("note", note.clone())]
            }
            Template::Duplicate { reference, of } => {
                vec![("reference", reference.clone()), ("of", of.clone())]
            }
            Template::Status { reference, status }
            | Template::FollowedUpdate { reference, status } => {
                vec![
                    ("reference", reference.clone()),
                    ("status", status.as_str().to_owned()),
                ]
            }
            Template::BadReference { typed } => vec![("typed", typed.clone())],
            Template::NoCaseYet
            | Template::Help
            | Template::Stopped
            | Template::LanguageChanged => vec![],
        }
    }
}

string_enum! {
    /// Where an outbound message goes out.
    pub enum OutboundChannel { Sms => "sms", Whatsapp => "whatsapp", Email => "email" }
}

string_enum! {
    /// What came of a citizen's message (stored with it).
    pub enum InboundOutcome {
        /// Not handled yet: the value a message has until its transaction decides.
        Unhandled => "unhandled",
        NewCase => "new_case",
        Status => "status",
        Help => "help",
        Stopped => "stopped",
        Language => "language",
        Confirmed => "confirmed",
        Reopened => "reopened",
        Rated => "rated",
        /// An update relayed by an Open311 integration.
        CitizenUpdate => "citizen_update",
        /// FOLLOW: a disclosure class followed (or the classes listed).
        Followed => "followed",
        /// INFO: a project's status answered.
        ProjectInfo => "project_info",
        /// REPORT from a member of the project's committee: a report draft.
        ReportDrafted => "report_drafted",
        /// Stored and not acted upon: too many from this sender lately.
        Throttled => "throttled",
        /// Stored and not acted upon: handling it failed; kept for a person to see.
        Failed => "failed",
        /// Stored and not acted upon: a machine sent it (a bounce, an auto-reply).
        Automatic => "automatic",
    }
}

string_enum! {
    /// Where fetching a file a citizen sent stands.
    pub enum MediaStatus {
        Pending => "pending",
        Fetched => "fetched",
        Failed => "failed",
    }
}

string_enum! {
    pub enum OutboxStatus {
        /// Waiting for the worker (first attempt or a retry).
        Pending => "pending",
        /// Accepted by the provider.
        Sent => "sent",
        /// The provider reports it reached the phone.
        Delivered => "delivered",
        /// Given up: a final error from the provider, or too many attempts.
        Failed => "failed",
        /// Handed to the provider without an answer (a timeout, a dropped connection): it
        /// may have been sent, so it is never sent again.
        Uncertain => "uncertain",
    }
}

/// A message to send, as written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    pub id: uuid::Uuid,
    /// The jurisdiction it is sent for (its case's, its publication's, its plan's).
    /// `None` only in messages queued before messages said it (exports of version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<crate::JurisdictionId>,
    /// One message per cause: a retried cause never sends twice.
    pub idempotency_key: String,
    pub case_id: Option<crate::CaseId>,
    pub channel: OutboundChannel,
    /// E.164 number, WhatsApp id or email address.
    pub to: String,
    pub language: Language,
    pub template: Template,
    pub created_at: Timestamp,
}

/// How to reach a citizen: on the channel they used where it can carry a reply, else by
/// SMS, else by email. `None` when they gave no contact or withdrew consent.
pub fn reach(citizen: &Citizen, came_in_on: Channel) -> Option<(OutboundChannel, String)> {
    if !citizen.consent.contact {
        return None;
    }
    let sms = citizen
        .phone
        .as_ref()
        .map(|p| (OutboundChannel::Sms, p.as_str().to_owned()));
    let whatsapp = citizen
        .whatsapp_id
        .as_ref()
        .map(|w| (OutboundChannel::Whatsapp, w.clone()));
    let email = citizen
        .email
        .as_ref()
        .map(|e| (OutboundChannel::Email, e.as_str().to_owned()));
    match came_in_on {
        Channel::Whatsapp => whatsapp.or(sms).or(email),
        Channel::Email => email.or(sms).or(whatsapp),
        _ => sms.or(whatsapp).or(email),
    }
}

/// The message a journal event warrants, if any. `prefix` is the jurisdiction's
/// reference prefix (`EM`).
pub fn for_event(
    case: &Case,
    event: &JournalEvent,
    citizen: &Citizen,
    prefix: &str,
) -> Option<OutboundMessage> {
    if let Some(file) = &case.request {
        let template = request_template(case, file, event, prefix)?;
        return message(case, event, citizen, template);
    }
    // Most events warrant no message: decide that before reading the payload back.
    const NEEDS_DATA: &[EventKind] = &[
        EventKind::Responded,
        EventKind::Rejected,
        EventKind::Referred,
        EventKind::MarkedDuplicate,
    ];
    let data = if NEEDS_DATA.contains(&event.kind) {
        event.data()
    } else {
        serde_json::Value::Null
    };
    let reference = case.number.display_with(prefix);
    let text = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let template = match event.kind {
        EventKind::Received => Template::Acknowledgement { reference },
        EventKind::Responded => Template::Response {
            reference,
            text: text("text"),
        },
        EventKind::Resolved => Template::AskRating { reference },
        EventKind::Rated => Template::RatingThanks { reference },
        EventKind::Reopened => Template::Reopened { reference },
        EventKind::Rejected => Template::Rejected {
            reference,
            reason: text("reason"),
        },
        EventKind::Referred => Template::Referred {
            reference,
            to: text("to"),
            reason: text("reason"),
        },
        EventKind::MarkedDuplicate => {
            let of = crate::CaseNumber::parse(&text("of"))
                .map(|n| n.display_with(prefix))
                .unwrap_or_default();
            Template::Duplicate { reference, of }
        }
        EventKind::Reminded => Template::Reminder { reference },
        EventKind::ClosedUnconfirmed => Template::ClosedUnconfirmed { reference },
        EventKind::CitizenReplied => Template::ReplyNoted { reference },
        _ => return None,
    };
    message(case, event, citizen, template)
}

/// What a case is followed under, among the followers of the disclosure log's classes
/// and of wards: `case:<digits>`.
pub fn case_follow_class(number: crate::CaseNumber) -> String {
    format!("{CASE_FOLLOW_PREFIX}{}", number.digits())
}

pub const CASE_FOLLOW_PREFIX: &str = "case:";

/// What someone following a case (not its citizen) is told when an action changed its
/// status; nothing when the status stayed. Once per event and follower.
pub fn follower_update(
    before: Status,
    case: &Case,
    event: &JournalEvent,
    follower: &crate::disclosure::Subscription,
    prefix: &str,
) -> Option<OutboundMessage> {
    if before == case.status {
        return None;
    }
    Some(OutboundMessage {
        id: uuid::Uuid::now_v7(),
        jurisdiction: Some(case.jurisdiction.clone()),
        idempotency_key: format!("follow:{:012}:{}", event.seq, follower.address),
        // Not the case's citizen: their message stays out of the case's record (and of
        // the citizen's subject access), as a disclosure follower's does.
        case_id: None,
        channel: follower.channel,
        to: follower.address.clone(),
        language: follower.language,
        template: Template::FollowedUpdate {
            reference: case.number.display_with(prefix),
            status: case.status,
        },
        created_at: event.at,
    })
}

/// The message for an event, to the citizen on their channel.
fn message(
    case: &Case,
    event: &JournalEvent,
    citizen: &Citizen,
    template: Template,
) -> Option<OutboundMessage> {
    let (channel, to) = reach(citizen, case.channel)?;
    Some(OutboundMessage {
        id: uuid::Uuid::now_v7(),
        jurisdiction: Some(case.jurisdiction.clone()),
        // The sequence number leads, so that the key's index only ever grows at its end.
        idempotency_key: format!("event:{:012}:{}", event.seq, &event.hash[..16]),
        case_id: Some(case.id),
        channel,
        to,
        language: citizen.language,
        template,
        created_at: event.at,
    })
}

/// Where a case stands, as a message: a concern's status, or an information request's
/// state and due date (`STATUS <ref>` by SMS, "check a case" on USSD).
pub fn status_of(c: &Case, prefix: &str) -> Template {
    let reference = c.number.display_with(prefix);
    match &c.request {
        Some(r) => Template::RequestStatus {
            reference,
            state: r.state.as_str().to_owned(),
            due: r.due_local.clone(),
        },
        None => Template::Status {
            reference,
            status: c.status,
        },
    }
}

/// The message an information request's event warrants, if any.
fn request_template(
    case: &Case,
    file: &crate::information::RequestFile,
    event: &JournalEvent,
    prefix: &str,
) -> Option<Template> {
    use crate::payload::Payload as P;
    let reference = case.number.display_with(prefix);
    let data = || {
        let mut v = event.data();
        if let Some(o) = v.as_object_mut() {
            o.remove(crate::lifecycle::CASE_DIGEST_KEY);
        }
        P::read(event.kind, &v).ok()
    };
    Some(match event.kind {
        EventKind::Received => Template::RequestReceived {
            reference,
            due: file.due_local.clone(),
        },
        EventKind::ClarificationAsked => match data()? {
            P::ClarificationAsked(p) => Template::RequestClarification {
                reference,
                text: p.text,
            },
            _ => return None,
        },
        EventKind::RequestTransferred => match data()? {
            P::RequestTransferred(p) => Template::RequestTransferred {
                reference,
                to: p.to,
            },
            _ => return None,
        },
        EventKind::RequestExtended => match data()? {
            P::RequestExtended(p) => Template::RequestExtended {
                reference,
                due: file.due_local.clone(),
                reason: p.reason,
            },
            _ => return None,
        },
        EventKind::RequestDecided => match data()? {
            P::RequestDecided(p) => Template::RequestDecided {
                reference,
                decision: p.decision.as_str().to_owned(),
                reasons: match &p.exemption {
                    Some(e) => format!("{} ({e})", p.reasons),
                    None => p.reasons,
                },
                // A grant's fee notice, and how to seek review (a grant in part is partly
                // a refusal; fees themselves may be reviewed).
                review: [p.fee, p.review]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            _ => return None,
        },
        EventKind::InformationProvided => match data()? {
            P::InformationProvided(p) => Template::RequestProvided {
                reference,
                text: p.text,
            },
            _ => return None,
        },
        EventKind::DeemedRefused => match data()? {
            P::DeemedRefused(p) => Template::RequestDeemedRefused {
                reference,
                review: p.review.unwrap_or_default(),
            },
            _ => return None,
        },
        EventKind::ReviewDecided => match data()? {
            P::ReviewDecided(p) => Template::RequestReviewDecided {
                reference,
                outcome: p.outcome.as_str().to_owned(),
                text: p.text,
            },
            _ => return None,
        },
        EventKind::CitizenReplied | EventKind::ReviewAsked => Template::ReplyNoted { reference },
        _ => return None,
    })
}

/// Whom a staff notice is for.
type Concerns = dyn Fn(&crate::StaffUser) -> bool;

/// Messages to staff an event concerns: for `case.escalated`, those who hold the case now
/// (the rung's area administrators; at the top of the ladder, the communications desk and
/// the director of its department); for `case.triaged` and `case.assigned`, the feedback
/// coordinators of the department it was routed to, and the officer named. By email and by SMS, as far as each has them;
/// never to the one who acted.
pub fn staff_notices(
    case: &Case,
    event: &JournalEvent,
    staff: &[crate::StaffUser],
    prefix: &str,
) -> Vec<OutboundMessage> {
    use crate::{Role, Scope};
    let data = event.data();
    let text = |k: &str| {
        data.get(k)
            .and_then(|r| r.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let reference = case.number.display_with(prefix);
    let (template, concerned): (Template, Box<Concerns>) = match event.kind {
        EventKind::Escalated => {
            let Some(holder) = case.holder().cloned() else {
                return Vec::new();
            };
            let at_top = usize::from(case.ladder_position) + 1 >= case.ladder.len();
            let department = case.department.clone();
            (
                Template::StaffEscalated {
                    reference,
                    reason: text("reason"),
                },
                Box::new(move |u| match (&u.role, &u.scope) {
                    (Role::WardAdministrator | Role::SubCountyAdministrator, Scope::Area(a)) => {
                        *a == holder
                    }
                    (Role::CommunicationsDesk, _) => at_top,
                    (Role::DepartmentDirector, Scope::Department(d)) => {
                        at_top && department.as_deref() == Some(d.as_str())
                    }
                    _ => false,
                }),
            )
        }
        EventKind::Assigned | EventKind::Triaged => {
            let department = text("department");
            let officer = case.officer;
            (
                Template::StaffAssigned {
                    reference,
                    note: text("note"),
                },
                Box::new(move |u| {
                    officer == Some(u.id)
                        || matches!((&u.role, &u.scope),
                                (Role::FeedbackCoordinator, Scope::Department(d)) if *d == department)
                }),
            )
        }
        EventKind::DeemedRefused => (
            Template::StaffDeemedRefused { reference },
            Box::new(|u| matches!(u.role, Role::CountyExecutive | Role::InformationOfficer)),
        ),
        _ => return Vec::new(),
    };
    let actor = event.actor_id.as_deref();
    let mut out = Vec::new();
    for u in staff.iter().filter(|u| !u.disabled && concerned(u)) {
        if actor == Some(u.id.to_string().as_str()) {
            continue;
        }
        let contacts = [
            u.email
                .as_ref()
                .map(|e| (OutboundChannel::Email, e.as_str().to_owned())),
            u.phone
                .as_ref()
                .map(|p| (OutboundChannel::Sms, p.as_str().to_owned())),
        ];
        for (channel, to) in contacts.into_iter().flatten() {
            out.push(OutboundMessage {
                id: uuid::Uuid::now_v7(),
                jurisdiction: Some(case.jurisdiction.clone()),
                idempotency_key: format!(
                    "event:{:012}:{}:{}:{channel}",
                    event.seq,
                    &event.hash[..16],
                    u.id
                ),
                case_id: Some(case.id),
                channel,
                to,
                language: Language::English,
                template: template.clone(),
                created_at: event.at,
            });
        }
    }
    out
}

/// An outbox row: the message and where its sending stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    #[serde(flatten)]
    pub message: OutboundMessage,
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    /// Which provider took it (`africastalking`, ...), once sent.
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    /// As the provider reports it, e.g. `KES 0.8000`.
    pub cost: Option<String>,
    pub last_error: Option<String>,
    pub updated_at: Timestamp,
}

impl OutboxEntry {
    pub fn new(message: OutboundMessage) -> Self {
        let at = message.created_at;
        Self {
            message,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: at,
            provider: None,
            provider_message_id: None,
            cost: None,
            last_error: None,
            updated_at: at,
        }
    }
}

/// How long to wait before attempt `n + 1` after `n` failed: 20 s, 40 s, 80 s ... capped
/// at one hour, so an outage of a day is retried about 30 times, not thousands.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let secs = 10i64.saturating_mul(1i64 << attempts.min(16));
    chrono::Duration::seconds(secs.min(3600))
}

/// After this many attempts a message is marked failed (about two days at the cap).
pub const MAX_ATTEMPTS: u32 = 50;

/// A message a citizen sent, as received from a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub id: uuid::Uuid,
    /// The jurisdiction whose number or account received it (set when it is stored).
    /// `None` only in messages received before messages said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<crate::JurisdictionId>,
    /// `africastalking`, `whatsapp`, `twilio`.
    pub provider: String,
    /// The provider's id: the same id twice is one message.
    pub provider_message_id: String,
    pub channel: Channel,
    pub from: String,
    pub to: Option<String>,
    pub body: String,
    pub received_at: Timestamp,
    /// The case it opened or joined, once handled.
    pub case_id: Option<crate::CaseId>,
    /// What came of it.
    pub outcome: InboundOutcome,
    /// A photo or file sent with the message, to fetch from the provider later.
    pub media: Option<MediaRef>,
}

/// The provider's handle on a file a citizen sent, and where fetching it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    pub id: String,
    pub media_type: Option<String>,
    pub status: MediaStatus,
}
