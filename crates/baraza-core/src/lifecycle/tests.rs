use super::*;
use crate::{Channel, JurisdictionId};
use proptest::prelude::*;

fn now() -> Timestamp {
    chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap()
}

fn new_case() -> Case {
    let new = NewCase {
        department: None,
        jurisdiction: JurisdictionId::parse("em").unwrap(),
        kind: crate::CaseKind::Complaint,
        channel: Channel::Sms,
        category: None,
        ward: Some(AreaCode("0741".into())),
        ladder: vec![
            AreaCode("0741".into()),
            AreaCode("149".into()),
            AreaCode("028".into()),
        ],
        location: None,
        description: "No water at Iten market since Monday".into(),
        attachments: vec![crate::Attachment {
            published: false,
            media_type: "image/jpeg".into(),
            size_bytes: 3,
            sha256: "ab".repeat(32),
            filename: None,
            url: None,
        }],
        citizen: None,
        idempotency_key: None,
        acknowledged_on_intake: false,
        subject: None,
        request: None,
    };
    let mut rng = rand::thread_rng();
    receive(
        &new,
        CaseId(uuid::Uuid::new_v4()),
        CaseNumber::random(&mut rng),
        None,
        &Actor::citizen(None, Channel::Sms),
        now(),
    )
    .0
}

fn staff(role: Role) -> Actor {
    Actor::staff(UserId(uuid::Uuid::nil()), role, Channel::Api)
}

fn sample_action(kind: ActionKind) -> Action {
    match kind {
        ActionKind::Acknowledge => Action::Acknowledge,
        ActionKind::Triage => Action::Triage {
            category: "water-supply".into(),
            priority: Priority::High,
            urgency: None,
            ward: None,
            ladder: vec![],
            department: Some("water".into()),
        },
        ActionKind::Assign => Action::Assign {
            department: "water".into(),
            officer: None,
            note: None,
        },
        ActionKind::Start => Action::Start,
        ActionKind::Respond => Action::Respond {
            text: "A bowser comes on Thursday.".into(),
        },
        ActionKind::Escalate => Action::Escalate {
            reason: "no action in time".into(),
        },
        ActionKind::Resolve => Action::Resolve,
        ActionKind::Rate => Action::Rate { score: 4 },
        ActionKind::Reopen => Action::Reopen {
            reason: "still no water".into(),
        },
        ActionKind::Close => Action::Close,
        ActionKind::CloseUnconfirmed => Action::CloseUnconfirmed,
        ActionKind::Reject => Action::Reject {
            reason: "national government matter".into(),
        },
        ActionKind::Refer => Action::Refer {
            reason: "police matter".into(),
            to: "Iten police station".into(),
        },
        ActionKind::MarkDuplicate => Action::MarkDuplicate {
            of: CaseNumber::parse("00000000").unwrap(),
        },
        ActionKind::Note => Action::Note {
            text: "called the citizen".into(),
        },
        ActionKind::Remind => Action::Remind,
        ActionKind::CitizenReply => Action::CitizenReply {
            text: "the pump is still broken".into(),
            source: None,
        },
        ActionKind::AttachMedia => Action::AttachMedia {
            attachment: crate::Attachment {
                published: false,
                media_type: "image/jpeg".into(),
                size_bytes: 3,
                sha256: "ab".repeat(32),
                filename: None,
                url: None,
            },
        },
        ActionKind::RevealContact => Action::RevealContact {
            reason: "calling back about the pump".into(),
        },
        ActionKind::AskClarification => Action::AskClarification {
            text: "Which year?".into(),
        },
        ActionKind::Transfer => Action::Transfer {
            to: "KeRRA".into(),
            reason: "a national road".into(),
        },
        ActionKind::Extend => Action::Extend {
            reason: "consultations".into(),
        },
        ActionKind::Decide => Action::Decide {
            decision: crate::information::Decision::Granted,
            reasons: "public budget data".into(),
            exemption: None,
            fee: None,
        },
        ActionKind::Provide => Action::Provide {
            text: "attached".into(),
            documents: vec![],
        },
        ActionKind::DeemRefuse => Action::DeemRefuse,
        ActionKind::AskReview => Action::AskReview {
            grounds: "incomplete".into(),
        },
        ActionKind::DecideReview => Action::DecideReview {
            outcome: crate::information::ReviewOutcome::Upheld,
            text: "stands".into(),
        },
        ActionKind::SetProminence => Action::SetProminence {
            prominence: crate::information::Prominence::Hidden,
            reason: "a third party's name".into(),
            event: None,
        },
        ActionKind::PublishPhoto => Action::PublishPhoto {
            sha256: "ab".repeat(32),
            publish: true,
        },
    }
}

fn all_actors() -> Vec<Actor> {
    let mut v: Vec<Actor> = Role::ALL.iter().map(|r| staff(*r)).collect();
    v.push(Actor::citizen(None, Channel::Sms));
    v.push(Actor::system("test"));
    v
}

/// The lifecycle drawn as a graph, independently of RULES: every status change decide()
/// makes must be one of these edges.
fn edge_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    let open = [
        Received,
        Acknowledged,
        Triaged,
        Assigned,
        InProgress,
        Reopened,
        Escalated,
    ];
    match to {
        Acknowledged => from == Received,
        Triaged => matches!(
            from,
            Received | Acknowledged | Triaged | Reopened | Escalated
        ),
        Assigned => matches!(from, Triaged | Assigned | InProgress | Reopened | Escalated),
        InProgress => matches!(from, Assigned | Reopened | Escalated),
        Responded => matches!(from, Triaged | Assigned | InProgress | Reopened | Escalated),
        Resolved => matches!(from, Responded | ClosedUnconfirmed),
        Closed => from == Resolved,
        ClosedUnconfirmed => from == Responded,
        Reopened => matches!(from, Responded | Resolved | Closed | ClosedUnconfirmed),
        Escalated | Rejected | Referred | Duplicate => open.contains(&from),
        Received => false,
    }
}

#[test]
fn rules_are_indexed_by_action() {
    assert_eq!(RULES.len(), ActionKind::ALL.len());
    for (i, k) in ActionKind::ALL.iter().enumerate() {
        assert_eq!(RULES[i].action, *k);
        assert_eq!(rule(*k).action, *k);
    }
}

#[test]
fn the_happy_path_closes_the_loop() {
    let mut c = new_case();
    let steps = [
        (
            staff(Role::CommunicationsDesk),
            ActionKind::Acknowledge,
            Status::Acknowledged,
        ),
        (
            staff(Role::WardAdministrator),
            ActionKind::Triage,
            Status::Triaged,
        ),
        (
            staff(Role::WardAdministrator),
            ActionKind::Assign,
            Status::Assigned,
        ),
        (
            staff(Role::FeedbackCoordinator),
            ActionKind::Start,
            Status::InProgress,
        ),
        (
            staff(Role::FeedbackCoordinator),
            ActionKind::Respond,
            Status::Responded,
        ),
        (
            Actor::citizen(None, Channel::Sms),
            ActionKind::Resolve,
            Status::Resolved,
        ),
        (
            Actor::citizen(None, Channel::Sms),
            ActionKind::Rate,
            Status::Resolved,
        ),
        (
            Actor::system("follow-up"),
            ActionKind::Close,
            Status::Closed,
        ),
    ];
    for (actor, kind, want) in steps {
        c = decide(
            &c,
            &actor,
            &sample_action(kind),
            &Deadlines::default(),
            now(),
        )
        .unwrap()
        .case;
        assert_eq!(c.status, want, "{kind}");
    }
    assert_eq!(c.version, 9);
    assert_eq!(c.satisfaction, Some(4));
    assert!(c.first_responded_at.is_some() && c.resolved_at.is_some() && c.closed_at.is_some());
    let due = Deadlines::default().resolution(now(), Priority::High);
    assert_eq!(c.resolution_due, Some(due));
    assert!(
        due >= now() + chrono::Duration::hours(27),
        "working hours only"
    );
}

#[test]
fn read_only_roles_can_never_act() {
    for role in [
        Role::CountyExecutive,
        Role::Observer,
        Role::Auditor,
        Role::SystemAdministrator,
        Role::Open311Integration,
    ] {
        for status in Status::ALL {
            let mut c = new_case();
            c.status = *status;
            for kind in ActionKind::ALL {
                // Reading a contact is journaled like an action; executives and auditors may.
                let reads = matches!(role, Role::CountyExecutive | Role::Auditor);
                if reads && *kind == ActionKind::RevealContact {
                    continue;
                }
                let r = decide(
                    &c,
                    &staff(role),
                    &sample_action(*kind),
                    &Deadlines::default(),
                    now(),
                );
                assert!(
                    matches!(r, Err(LifecycleError::RoleNotAllowed { .. }))
                        || kind.request_only()
                            && matches!(r, Err(LifecycleError::OnlyForRequests { .. })),
                    "{role} {kind} from {status}"
                );
            }
        }
    }
}

#[test]
fn exhaustive_actor_action_status_grid() {
    for status in Status::ALL {
        for actor in all_actors() {
            for kind in ActionKind::ALL {
                let mut c = new_case();
                c.status = *status;
                c.first_responded_at = Some(now());
                let r = decide(
                    &c,
                    &actor,
                    &sample_action(*kind),
                    &Deadlines::default(),
                    now(),
                );
                let Ok(t) = r else { continue };
                let (from, to) = (*status, t.case.status);
                if from != to {
                    assert!(
                        edge_allowed(from, to),
                        "{} {kind}: {from} -> {to}",
                        actor.role.as_str()
                    );
                }
                // A citizen only confirms, rates or reopens; the system never works a case.
                if actor.role == ActorRole::Citizen {
                    assert!(
                        matches!(
                            kind,
                            ActionKind::Resolve
                                | ActionKind::Rate
                                | ActionKind::Reopen
                                | ActionKind::CitizenReply
                        ),
                        "{kind}"
                    );
                }
                if actor.role == ActorRole::System {
                    assert!(
                        matches!(
                            kind,
                            ActionKind::Acknowledge
                                | ActionKind::Escalate
                                | ActionKind::Close
                                | ActionKind::CloseUnconfirmed
                                | ActionKind::Remind
                                | ActionKind::AttachMedia
                        ),
                        "{kind}"
                    );
                }
                // From a final status only reopening, rating a closed case, a note, a
                // late photo, or a late confirmation of a case closed unconfirmed.
                if from.is_final() {
                    let late_confirmation =
                        from == Status::ClosedUnconfirmed && kind == &ActionKind::Resolve;
                    assert!(
                        late_confirmation
                            || matches!(
                                kind,
                                ActionKind::Reopen
                                    | ActionKind::Rate
                                    | ActionKind::Note
                                    | ActionKind::AttachMedia
                                    | ActionKind::RevealContact
                                    | ActionKind::PublishPhoto
                            ),
                        "{kind} from {from}"
                    );
                }
                assert_eq!(t.case.version, c.version + 1);
                assert_eq!(t.event.case_id, c.id);
            }
        }
    }
}

#[test]
fn escalation_climbs_the_ladder_then_stops() {
    let mut c = new_case();
    let desk = staff(Role::CommunicationsDesk);
    let esc = Action::Escalate {
        reason: "overdue".into(),
    };
    for holder in ["149", "028"] {
        c = decide(&c, &desk, &esc, &Deadlines::default(), now())
            .unwrap()
            .case;
        assert_eq!(c.holder(), Some(&AreaCode(holder.into())));
    }
    assert_eq!(
        decide(&c, &desk, &esc, &Deadlines::default(), now()),
        Err(LifecycleError::LadderExhausted)
    );
}

#[test]
fn bad_payloads_name_the_field() {
    let c = new_case();
    let desk = staff(Role::CommunicationsDesk);
    let r = decide(
        &c,
        &desk,
        &Action::Reject {
            reason: "  ".into(),
        },
        &Deadlines::default(),
        now(),
    );
    assert!(
        matches!(r, Err(LifecycleError::Invalid(FieldError { ref field, .. })) if field == "reason")
    );
    let r = decide(
        &c,
        &desk,
        &Action::MarkDuplicate { of: c.number },
        &Deadlines::default(),
        now(),
    );
    assert!(
        matches!(r, Err(LifecycleError::Invalid(FieldError { ref field, .. })) if field == "of")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_sequences_keep_the_invariants(steps in prop::collection::vec((0usize..11, 0usize..18), 1..60)) {
        let actors = all_actors();
        let mut c = new_case();
        let mut successes = 0u32;
        for (a, k) in steps {
            let actor = &actors[a % actors.len()];
            let kind = ActionKind::ALL[k % ActionKind::ALL.len()];
            if let Ok(t) = decide(&c, actor, &sample_action(kind), &Deadlines::default(), now()) {
                prop_assert!(t.case.status == c.status || edge_allowed(c.status, t.case.status));
                c = t.case;
                successes += 1;
            }
            prop_assert_eq!(c.version, 1 + successes);
            prop_assert!(usize::from(c.ladder_position) < c.ladder.len());
            if matches!(c.status, Status::Responded | Status::Resolved | Status::Closed | Status::ClosedUnconfirmed) {
                prop_assert!(c.first_responded_at.is_some(), "answered without a response: {}", c.status);
            }
            if c.status == Status::Resolved {
                prop_assert!(c.resolved_at.is_some());
            }
            if c.status == Status::Reopened {
                prop_assert!(c.resolved_at.is_none() && c.closed_at.is_none() && c.reopen_count > 0);
            }
        }
    }
}

#[test]
fn architecture_md_shows_the_rules_as_they_are() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc
        .find("<!-- lifecycle-rules:start -->\n")
        .expect("start marker")
        + "<!-- lifecycle-rules:start -->\n".len();
    let end = doc
        .find("<!-- lifecycle-rules:end -->")
        .expect("end marker");
    let want = rules_markdown();
    if std::env::var("UPDATE_ARCHITECTURE").is_ok() {
        let updated = format!("{}{want}{}", &doc[..start], &doc[end..]);
        std::fs::write(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md"),
            updated,
        )
        .unwrap();
        return;
    }
    assert!(
        doc[start..end] == want,
        "ARCHITECTURE.md's lifecycle table is stale; run `UPDATE_ARCHITECTURE=1 cargo test -p baraza-core architecture` or replace it with:\n{want}"
    );
}

#[test]
fn deadlines_follow_the_holder() {
    let d = Deadlines::default();
    let desk = staff(Role::CommunicationsDesk);
    let mut c = new_case();
    c.ladder = vec![
        crate::AreaCode("0741".into()),
        crate::AreaCode("146".into()),
        crate::AreaCode("028".into()),
    ];
    c = decide(&c, &desk, &sample_action(ActionKind::Triage), &d, now())
        .unwrap()
        .case;
    // Triaged: the first response is due; the job escalates then.
    assert_eq!(c.deadline, c.first_response_due);
    assert_eq!(c.escalation_due, c.deadline);
    // Escalated: the sub-county gets a fresh window.
    let later = now() + chrono::Duration::days(3);
    c = decide(
        &c,
        &Actor::system("escalation"),
        &sample_action(ActionKind::Escalate),
        &d,
        later,
    )
    .unwrap()
    .case;
    assert_eq!(c.deadline, Some(d.first_response(later, Priority::High)));
    assert_eq!(c.escalation_due, c.deadline);
    // At the top of the ladder the deadline stays (overdue shows), but nothing escalates.
    c = decide(&c, &desk, &sample_action(ActionKind::Escalate), &d, later)
        .unwrap()
        .case;
    assert!(c.deadline.is_some());
    assert_eq!(c.escalation_due, None);
    // Answered: waiting for the citizen, no deadline runs.
    c = decide(&c, &desk, &sample_action(ActionKind::Respond), &d, later)
        .unwrap()
        .case;
    assert_eq!((c.deadline, c.waiting_since), (None, Some(later)));
    // Reopened a week later: the resolution target moves by the working time waited.
    let due_before = c.resolution_due.unwrap();
    let reopened_at = later + chrono::Duration::days(7);
    let r = decide(
        &c,
        &desk,
        &sample_action(ActionKind::Reopen),
        &d,
        reopened_at,
    )
    .unwrap()
    .case;
    assert_eq!(r.waiting_since, None);
    assert!(r.resolution_due.unwrap() >= due_before + chrono::Duration::hours(45));
    assert_eq!(
        r.deadline,
        Some(d.first_response(reopened_at, Priority::High))
    );
}

#[test]
fn staff_publish_a_photo_of_the_case_and_withdraw_it() {
    let c = new_case();
    let desk = staff(Role::CommunicationsDesk);
    let publish = |sha: &str, publish: bool| Action::PublishPhoto {
        sha256: sha.to_owned(),
        publish,
    };
    let d = decide(
        &c,
        &desk,
        &publish(&"ab".repeat(32), true),
        &Deadlines::default(),
        now(),
    )
    .unwrap();
    assert!(d.case.attachments[0].published);
    assert_eq!(d.case.status, c.status, "the status stays");
    assert_eq!(d.event.kind, EventKind::PhotoPublished);
    let back = decide(
        &d.case,
        &desk,
        &publish(&"ab".repeat(32), false),
        &Deadlines::default(),
        now(),
    )
    .unwrap();
    assert!(!back.case.attachments[0].published);
    // Only a photo the case has; only triaging roles.
    let e = decide(
        &c,
        &desk,
        &publish(&"cd".repeat(32), true),
        &Deadlines::default(),
        now(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("photo"), "{e}");
    let coordinator = staff(Role::FeedbackCoordinator);
    assert!(matches!(
        decide(
            &c,
            &coordinator,
            &publish(&"ab".repeat(32), true),
            &Deadlines::default(),
            now()
        ),
        Err(LifecycleError::RoleNotAllowed { .. })
    ));
}

#[test]
fn a_concern_about_a_project_stays_with_the_implementing_department_through_triage() {
    let mut c = new_case();
    c.subject = Some(crate::Subject::Project("EM-WT-003".into()));
    c.department = Some("water".into());
    let triage = Action::Triage {
        category: "roads-impassable".into(),
        priority: Priority::Normal,
        urgency: None,
        ward: None,
        ladder: vec![],
        department: Some("roads".into()),
    };
    let desk = staff(Role::CommunicationsDesk);
    let d = decide(&c, &desk, &triage, &Deadlines::default(), now()).unwrap();
    assert_eq!(d.case.department.as_deref(), Some("water"));
    // Any other concern goes where its category says.
    let mut other = new_case();
    other.department = Some("water".into());
    let d = decide(&other, &desk, &triage, &Deadlines::default(), now()).unwrap();
    assert_eq!(d.case.department.as_deref(), Some("roads"));
}
