//! A citizen's message, handled in the writer's transaction: stored once (a provider's
//! retry is a no-op), understood (`baraza_core::conversation`), acted upon (a new case,
//! a confirmation, a rating...), and answered through the outbox, all or nothing.

use crate::StoreResult;
use crate::group_commit::{BatchTx, act_in_tx, create_in_tx};
use baraza_core::conversation::{Awaiting, Intent, interpret};
use baraza_core::lifecycle::{Action, Actor};
use baraza_core::outbound::{
    self, InboundMessage, InboundOutcome, OutboundChannel, OutboundMessage, OutboxEntry, Template,
};
use baraza_core::{
    Case, CaseKind, Channel, Consent, Deadlines, JurisdictionId, Language, NewCase, NewCitizen,
    PhoneNumber, Status,
    case::parse_description,
    disclosure::Subscription,
    information::{self, RequestState},
};

/// A message as it arrives, with what the writer needs to handle it.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub message: InboundMessage,
    /// The jurisdiction the receiving number or account belongs to.
    pub jurisdiction: JurisdictionId,
    pub default_language: Language,
    pub targets: Deadlines,
    /// Store the message with this outcome and do nothing else: `throttled` (too many
    /// from this sender lately) or `failed` (handling it failed; kept for a person to see).
    /// A STOP is obeyed even then.
    pub hold: Option<InboundOutcome>,
}

/// What came of a message.
#[derive(Debug, Clone)]
pub struct Handled {
    pub message: InboundMessage,
    /// The provider sent this message before: nothing was done again.
    pub duplicate: bool,
    pub case: Option<Case>,
}

fn reply_channel(c: Channel) -> OutboundChannel {
    match c {
        Channel::Whatsapp => OutboundChannel::Whatsapp,
        Channel::Email => OutboundChannel::Email,
        _ => OutboundChannel::Sms,
    }
}

/// The sender as a contact: a phone number for SMS and USSD, a WhatsApp id (and its
/// number) for WhatsApp.
/// Who a message comes from, as a citizen to match or add (by the channel's contact).
pub fn sender(m: &InboundMessage, language: Language) -> NewCitizen {
    let digits: String = m.from.chars().filter(|c| c.is_ascii_digit()).collect();
    let (phone, whatsapp_id, email) = match m.channel {
        Channel::Whatsapp => (
            PhoneNumber::parse(&format!("+{digits}")).ok(),
            Some(digits),
            None,
        ),
        Channel::Email => (None, None, baraza_core::Email::parse(&m.from).ok()),
        _ => (PhoneNumber::parse(&m.from).ok(), None, None),
    };
    NewCitizen {
        phone,
        whatsapp_id,
        email,
        name: None,
        language,
        gender: None,
        age_band: None,
        consent: Consent {
            contact: true,
            publish: false,
        },
    }
}

pub(crate) async fn handle<T: BatchTx>(
    tx: &mut T,
    arrival: Arrival,
    head: &mut crate::group_commit::Heads,
    numbers: &mut crate::group_commit::Numbers<'_>,
) -> StoreResult<Handled> {
    let Arrival {
        mut message,
        jurisdiction,
        default_language,
        targets,
        hold,
    } = arrival;
    // A message is of the jurisdiction whose number or account received it.
    message.jurisdiction = Some(jurisdiction.clone());
    if !tx.insert_inbound(&message).await? {
        return Ok(Handled {
            message,
            duplicate: true,
            case: None,
        });
    }
    if let Some(outcome) = hold
        && interpret(&message.body, &Awaiting::default()) != Intent::Stop
    {
        tx.set_inbound_outcome(message.id, outcome, None).await?;
        message.outcome = outcome;
        return Ok(Handled {
            message,
            duplicate: false,
            case: None,
        });
    }
    let contact = sender(&message, default_language);
    let citizen = if contact.has_contact() {
        tx.find_citizen(&jurisdiction, &contact).await?
    } else {
        None
    };
    let recent = match &citizen {
        Some(c) => tx.recent_cases_of(c.id, 10).await?,
        None => Vec::new(),
    };
    let awaiting = Awaiting {
        confirmation: recent
            .iter()
            .find(|c| matches!(c.status, Status::Responded | Status::ClosedUnconfirmed))
            .map(|c| c.number),
        rating: recent
            .iter()
            .find(|c| !c.is_request() && c.status == Status::Resolved && c.satisfaction.is_none())
            .map(|c| c.number),
        clarification: recent
            .iter()
            .find(|c| {
                c.request
                    .as_ref()
                    .is_some_and(|r| r.state == RequestState::AwaitingClarification)
            })
            .map(|c| c.number),
    };
    let actor = Actor::citizen(citizen.as_ref().map(|c| c.id), message.channel);
    let prefix = tx.reference_prefix(&jurisdiction).await?;
    let mut language = citizen.as_ref().map_or(default_language, |c| c.language);
    let intent = match addressed(&message) {
        // Mail to a case's own address is a reply on it, from the person who raised it.
        Some(Addressed::Case(n)) => match tx.case_for_update(n).await? {
            Some(c)
                if c.jurisdiction == jurisdiction
                    && c.citizen.is_some()
                    && c.citizen == citizen.as_ref().map(|z| z.id) =>
            {
                Intent::Clarify(n, message.body.clone())
            }
            // Not theirs: what they wrote is a concern of its own, with its own reference.
            _ => Intent::NewConcern(message.body.clone()),
        },
        Some(Addressed::NewRequest) => Intent::NewRequest {
            text: message.body.clone(),
            urgent: false,
        },
        None => interpret(&message.body, &awaiting),
    };
    // Writing to us with a concern, or for help, after STOP: they want answers again.
    if let Some(c) = &citizen
        && !c.consent.contact
        && matches!(intent, Intent::NewConcern(_) | Intent::Help)
    {
        let mut c = c.clone();
        c.consent.contact = true;
        tx.update_citizen(&c).await?;
    }

    let acted_on = |case: Option<Case>, outcome: InboundOutcome| (outcome, case, None::<Template>);
    // For a new case: whether it is an information request, and then whether urgent.
    let intent_kind = match &intent {
        Intent::NewRequest { urgent, .. } => Some(*urgent),
        _ => None,
    };
    let (outcome, case, reply) = match intent {
        // A new concern, or an information request (its clock from the message's arrival;
        // urgent: the request's own words say why, Ghana Act 989 s.1(4)).
        Intent::NewConcern(text) | Intent::NewRequest { text, .. } => {
            let request = intent_kind;
            match parse_description(&text) {
                Ok(description) => {
                    let new = NewCase {
                        department: None,
                        jurisdiction: jurisdiction.clone(),
                        kind: if request.is_some() {
                            CaseKind::InformationRequest
                        } else {
                            CaseKind::Complaint
                        },
                        channel: message.channel,
                        category: None,
                        ward: None,
                        ladder: vec![],
                        location: None,
                        request: request.map(|urgent| {
                            information::open(
                                &targets,
                                message.received_at,
                                urgent.then(|| description.clone()),
                            )
                        }),
                        description,
                        attachments: vec![],
                        citizen: Some(NewCitizen {
                            language,
                            ..contact
                        }),
                        idempotency_key: Some(format!(
                            "{}:{}",
                            message.provider, message.provider_message_id
                        )),
                        // The reference goes back on the citizen's channel in this same transaction.
                        acknowledged_on_intake: true,
                        subject: None,
                    };
                    // The acknowledgement with the reference is queued with the case's first event.
                    let intake =
                        create_in_tx(tx, new, &actor, message.received_at, head, numbers).await?;
                    acted_on(Some(intake.case), InboundOutcome::NewCase)
                }
                Err(_) => (InboundOutcome::Help, None, Some(Template::Help)),
            }
        }
        Intent::Follow(typed) => {
            let policy = &targets.policy().information;
            match policy.disclosure_class(&typed) {
                Some(class) => {
                    tx.put_follower(&Subscription {
                        jurisdiction: jurisdiction.clone(),
                        class: class.code.clone(),
                        channel: reply_channel(message.channel),
                        address: message.from.clone(),
                        language,
                        created_at: message.received_at,
                    })
                    .await?;
                    (
                        InboundOutcome::Followed,
                        None,
                        Some(Template::Following {
                            class: class.name.clone(),
                        }),
                    )
                }
                None if let Ok(number) = baraza_core::CaseNumber::parse(&typed)
                    && let Some(case) = tx.case_for_update(number).await?
                    && case.jurisdiction == jurisdiction
                    && !case.is_request() =>
                {
                    // Someone else's concern, like their own: its changes of status.
                    tx.put_follower(&Subscription {
                        jurisdiction: jurisdiction.clone(),
                        class: baraza_core::outbound::case_follow_class(case.number),
                        channel: reply_channel(message.channel),
                        address: message.from.clone(),
                        language,
                        created_at: message.received_at,
                    })
                    .await?;
                    let prefix = tx.reference_prefix(&jurisdiction).await?;
                    (
                        InboundOutcome::Followed,
                        None,
                        Some(Template::CaseFollowing {
                            reference: case.number.display_with(&prefix),
                        }),
                    )
                }
                None if let Some((ward, name)) = tx.area_named(&jurisdiction, &typed).await? => {
                    // A ward: news of its public projects, at most one SMS a day.
                    tx.put_follower(&Subscription {
                        jurisdiction: jurisdiction.clone(),
                        class: baraza_core::project::ward_alert_class(&ward),
                        channel: reply_channel(message.channel),
                        address: message.from.clone(),
                        language,
                        created_at: message.received_at,
                    })
                    .await?;
                    (
                        InboundOutcome::Followed,
                        None,
                        Some(Template::WardFollowing { ward: name }),
                    )
                }
                None => (
                    InboundOutcome::Followed,
                    None,
                    Some(Template::FollowUnknown {
                        typed,
                        classes: policy
                            .disclosure
                            .iter()
                            .map(|c| c.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                ),
            }
        }
        Intent::Comment { commitment, text } => {
            let plans = tx.plans_in(&jurisdiction).await?;
            let known = plans
                .iter()
                .find_map(|p| p.commitment(&commitment))
                .map(|c| c.ogp_id.clone());
            match (known, parse_description(&text)) {
                (Some(ogp_id), Ok(description)) => {
                    let new = NewCase {
                        department: None,
                        jurisdiction: jurisdiction.clone(),
                        kind: CaseKind::Suggestion,
                        channel: message.channel,
                        category: None,
                        ward: None,
                        ladder: vec![],
                        location: None,
                        request: None,
                        description,
                        attachments: vec![],
                        citizen: Some(NewCitizen {
                            language,
                            ..contact
                        }),
                        idempotency_key: Some(format!(
                            "{}:{}",
                            message.provider, message.provider_message_id
                        )),
                        // The reference goes back on the citizen's channel in this same transaction.
                        acknowledged_on_intake: true,
                        subject: Some(baraza_core::Subject::Commitment(ogp_id)),
                    };
                    let intake =
                        create_in_tx(tx, new, &actor, message.received_at, head, numbers).await?;
                    acted_on(Some(intake.case), InboundOutcome::NewCase)
                }
                _ => (
                    InboundOutcome::Help,
                    None,
                    Some(Template::CommitmentUnknown {
                        typed: commitment,
                        commitments: plans
                            .iter()
                            .flat_map(|p| p.commitments.iter().map(|c| c.ogp_id.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                ),
            }
        }
        Intent::ProjectInfo(code) => match tx.project_by_code(&jurisdiction, &code).await? {
            Some(p) => {
                let (report_status, report_text) = match p.latest_approved_report() {
                    Some(r) => (r.filed.status.to_string(), short(&r.filed.text, 90)),
                    None => ("none".to_owned(), String::new()),
                };
                (
                    InboundOutcome::ProjectInfo,
                    None,
                    Some(Template::ProjectInfo {
                        code: p.code.clone(),
                        title: short(&p.title, 60),
                        status: p.status.to_string(),
                        budget: format!("{} {:.0}", p.currency, p.budget),
                        report_status,
                        report_text,
                    }),
                )
            }
            None => (
                InboundOutcome::Help,
                None,
                Some(Template::ProjectUnknown { typed: code }),
            ),
        },
        Intent::ProjectReport { project, text } => {
            let found = tx.project_by_code(&jurisdiction, &project).await?;
            let member = found.as_ref().and_then(|p| {
                let phone = contact.phone.as_ref()?;
                p.pmc.as_ref()?.member_by_phone(phone).cloned()
            });
            match (found, member, parse_description(&text)) {
                // A member of the project's committee: a report draft for a validator.
                (Some(p), Some(m), Ok(description)) => {
                    let who = baraza_core::project::ProjectActor {
                        name: m.name.clone(),
                        role: baraza_core::Role::PmcMember,
                        phone: m.phone.clone(),
                    };
                    let report = baraza_core::project::NewReport {
                        kind: baraza_core::project::ReportKind::Pmc,
                        // An SMS says no status: the validator reads the text.
                        status: baraza_core::project::PmcStatus::OnTrack,
                        social_safeguards: String::new(),
                        emerging_complaints: String::new(),
                        challenges: String::new(),
                        text: description,
                        photos: vec![],
                        handover: false,
                        authorizes_payment: false,
                        channel: "sms".into(),
                    };
                    let changes = baraza_core::project::decide(
                        Some(&p),
                        baraza_core::project::ProjectCommand::File(Box::new(report)),
                        &who,
                        p.id,
                        &jurisdiction,
                        None,
                        "",
                        message.received_at,
                    )
                    .map_err(|e| {
                        crate::StoreError::Invalid(baraza_core::FieldError::new(
                            "report",
                            e.to_string(),
                        ))
                    })?;
                    let id = changes.iter().find_map(|c| match c {
                        baraza_core::project::ProjectChange::ReportFiled { report } => {
                            Some(report.id)
                        }
                        _ => None,
                    });
                    crate::projects::write_in_tx(
                        tx,
                        crate::projects::ProjectWrite {
                            project: p.id,
                            expected_version: p.version,
                            changes,
                            actor: actor.clone(),
                            at: message.received_at,
                        },
                        head,
                    )
                    .await?;
                    (
                        InboundOutcome::ReportDrafted,
                        None,
                        Some(Template::ReportDrafted {
                            code: p.code.clone(),
                            report: id.map(|i| i.to_string()).unwrap_or_default(),
                        }),
                    )
                }
                // Anyone else: a concern about the project, answered through the ordinary
                // loop (triage gives it its ward and department, as for any SMS).
                (Some(p), None, Ok(description)) => {
                    let new = NewCase {
                        department: None,
                        jurisdiction: jurisdiction.clone(),
                        kind: CaseKind::Complaint,
                        channel: message.channel,
                        category: None,
                        ladder: vec![],
                        ward: None,
                        location: None,
                        request: None,
                        description,
                        attachments: vec![],
                        citizen: Some(NewCitizen {
                            language,
                            ..contact
                        }),
                        idempotency_key: Some(format!(
                            "{}:{}",
                            message.provider, message.provider_message_id
                        )),
                        // The reference goes back on the citizen's channel in this same transaction.
                        acknowledged_on_intake: true,
                        subject: Some(baraza_core::Subject::Project(p.code.clone())),
                    };
                    let intake =
                        create_in_tx(tx, new, &actor, message.received_at, head, numbers).await?;
                    acted_on(Some(intake.case), InboundOutcome::NewCase)
                }
                (None, _, _) => (
                    InboundOutcome::Help,
                    None,
                    Some(Template::ProjectUnknown { typed: project }),
                ),
                // REPORT <code> with nothing said.
                (Some(p), _, Err(_)) => (
                    InboundOutcome::Help,
                    None,
                    Some(Template::ProjectUnknown {
                        typed: format!("{} …", p.code),
                    }),
                ),
            }
        }
        Intent::Review(n, grounds) => {
            // Only the applicant applies, on their own request.
            let theirs = match tx.case_for_update(n).await? {
                Some(c) => {
                    c.jurisdiction == jurisdiction
                        && c.is_request()
                        && c.citizen.is_some()
                        && c.citizen == citizen.as_ref().map(|z| z.id)
                }
                None => false,
            };
            if theirs {
                let grounds = if grounds.is_empty() {
                    "The applicant asks for a review of the decision.".to_owned()
                } else {
                    grounds
                };
                let case = act(
                    tx,
                    n,
                    &actor,
                    Action::AskReview { grounds },
                    &targets,
                    &message,
                    head,
                )
                .await?;
                acted_on(case, InboundOutcome::CitizenUpdate)
            } else {
                (
                    InboundOutcome::Status,
                    None,
                    Some(Template::StatusNotFound {
                        reference: n.display_with(&prefix),
                    }),
                )
            }
        }
        Intent::Clarify(n, text) => {
            // A reply longer than a case's text keeps its beginning (the whole message is
            // stored as it came).
            let text: String = text
                .chars()
                .take(baraza_core::case::MAX_DESCRIPTION_CHARS)
                .collect();
            let case = act(
                tx,
                n,
                &actor,
                Action::CitizenReply { text, source: None },
                &targets,
                &message,
                head,
            )
            .await?;
            acted_on(case, InboundOutcome::CitizenUpdate)
        }
        Intent::Status(Some(n)) => match tx.case_for_update(n).await? {
            // Another jurisdiction's case does not exist from here.
            Some(c) if c.jurisdiction == jurisdiction => (
                InboundOutcome::Status,
                None,
                Some(outbound::status_of(&c, &prefix)),
            ),
            _ => (
                InboundOutcome::Status,
                None,
                Some(Template::StatusNotFound {
                    reference: n.display_with(&prefix),
                }),
            ),
        },
        Intent::Status(None) => match recent.first() {
            Some(c) => (
                InboundOutcome::Status,
                None,
                Some(outbound::status_of(c, &prefix)),
            ),
            None => (InboundOutcome::Status, None, Some(Template::NoCaseYet)),
        },
        Intent::BadReference(typed) => (
            InboundOutcome::Status,
            None,
            Some(Template::BadReference { typed }),
        ),
        Intent::Help => (InboundOutcome::Help, None, Some(Template::Help)),
        Intent::Stop => {
            if let Some(mut c) = citizen.clone() {
                c.consent.contact = false;
                tx.update_citizen(&c).await?;
            }
            tx.drop_follower(&message.from).await?;
            (InboundOutcome::Stopped, None, Some(Template::Stopped))
        }
        Intent::SetLanguage(l) => {
            language = l;
            if let Some(mut c) = citizen.clone() {
                c.language = l;
                tx.update_citizen(&c).await?;
            }
            (
                InboundOutcome::Language,
                None,
                Some(Template::LanguageChanged),
            )
        }
        Intent::Confirm(n) => {
            let case = act(tx, n, &actor, Action::Resolve, &targets, &message, head).await?;
            acted_on(case, InboundOutcome::Confirmed)
        }
        Intent::Deny(n, reason) => {
            let reason = reason.unwrap_or_else(|| "the citizen says it is not solved".into());
            let reopened = act(
                tx,
                n,
                &actor,
                Action::Reopen {
                    reason: reason.clone(),
                },
                &targets,
                &message,
                head,
            )
            .await?;
            // Not solved at this level: a level above now holds it (if there is one).
            let escalated = match &reopened {
                Some(_) => {
                    let up = Action::Escalate {
                        reason: format!("reopened by the citizen: {reason}"),
                    };
                    act(
                        tx,
                        n,
                        &Actor::system("follow-up"),
                        up,
                        &targets,
                        &message,
                        head,
                    )
                    .await?
                }
                None => None,
            };
            acted_on(escalated.or(reopened), InboundOutcome::Reopened)
        }
        Intent::Rate(n, score) => {
            let case = act(
                tx,
                n,
                &actor,
                Action::Rate { score },
                &targets,
                &message,
                head,
            )
            .await?;
            acted_on(case, InboundOutcome::Rated)
        }
    };
    if let Some(template) = reply {
        let out = OutboundMessage {
            id: uuid::Uuid::now_v7(),
            jurisdiction: message.jurisdiction.clone(),
            idempotency_key: format!(
                "inbound:{}:{}",
                message.provider, message.provider_message_id
            ),
            case_id: case.as_ref().map(|c| c.id),
            channel: reply_channel(message.channel),
            to: message.from.clone(),
            language,
            template,
            created_at: message.received_at,
        };
        tx.insert_outbox(&OutboxEntry::new(out)).await?;
    }
    let case_id = case.as_ref().map(|c| c.id);
    tx.set_inbound_outcome(message.id, outcome, case_id).await?;
    message.outcome = outcome;
    message.case_id = case_id;
    Ok(Handled {
        message,
        duplicate: false,
        case,
    })
}

/// Where an email was sent, when the address itself says what it is for.
enum Addressed {
    /// `case-<digits>@` or `request-<digits>@`: a reply on that case.
    Case(baraza_core::CaseNumber),
    /// `information@`, `request@`, `ombi@`, `demande@`: a new information request.
    NewRequest,
}

fn addressed(m: &InboundMessage) -> Option<Addressed> {
    if m.channel != Channel::Email {
        return None;
    }
    let local = m.to.as_deref()?.split('@').next()?.to_ascii_lowercase();
    if let Some(digits) = local
        .strip_prefix("case-")
        .or_else(|| local.strip_prefix("request-"))
    {
        return baraza_core::CaseNumber::parse(digits)
            .ok()
            .map(Addressed::Case);
    }
    matches!(
        local.as_str(),
        "information" | "request" | "requests" | "ombi" | "demande"
    )
    .then_some(Addressed::NewRequest)
}

/// Act for the citizen; a refusal by the lifecycle (the case moved on meanwhile) leaves
/// the message stored and answered by nothing rather than lost.
async fn act<T: BatchTx>(
    tx: &mut T,
    number: baraza_core::CaseNumber,
    actor: &Actor,
    action: Action,
    targets: &Deadlines,
    message: &InboundMessage,
    head: &mut crate::group_commit::Heads,
) -> StoreResult<Option<Case>> {
    let Some(case) = tx.case_for_update(number).await? else {
        return Ok(None);
    };
    match act_in_tx(
        tx,
        &case,
        actor,
        &action,
        targets,
        message.received_at,
        head,
    )
    .await
    {
        Ok(acted) => Ok(Some(acted.case)),
        Err(crate::StoreError::Lifecycle(e)) => {
            tracing::info!(error = %e, "a citizen's message could not act on their case");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// At most `n` characters, with an ellipsis when cut (an SMS has little room).
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>().trim_end())
    }
}
