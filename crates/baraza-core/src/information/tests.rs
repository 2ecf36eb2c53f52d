use super::*;
use crate::lifecycle::{LifecycleError, decide as decide_any, receive};
use crate::{CaseId, CaseKind, CaseNumber, Channel, JurisdictionId, NewCase, Policy};
use chrono::{NaiveDate, Utc};

fn t(s: &str) -> Timestamp {
    s.parse::<chrono::DateTime<Utc>>().unwrap()
}

fn deadlines(policy: InformationPolicy) -> Deadlines {
    let mut p = Policy::default();
    p.calendar.holidays = vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()];
    p.information = policy;
    p.resolve("Africa/Nairobi").unwrap()
}

fn officer() -> Actor {
    Actor::staff(
        crate::UserId(uuid::Uuid::nil()),
        Role::InformationOfficer,
        Channel::Web,
    )
}

fn request(d: &Deadlines, at: Timestamp, urgent: Option<&str>) -> Case {
    let new = NewCase {
        department: None,
        jurisdiction: JurisdictionId::parse("elgeyo-marakwet").unwrap(),
        kind: CaseKind::InformationRequest,
        channel: Channel::Sms,
        category: None,
        ward: None,
        ladder: vec![],
        location: None,
        description: "The 2025/26 bursary beneficiaries of Kamariny ward".into(),
        attachments: vec![],
        citizen: None,
        idempotency_key: None,
        acknowledged_on_intake: false,
        subject: None,
        request: Some(open(d, at, urgent.map(String::from))),
    };
    let n = CaseNumber::random(&mut rand::thread_rng());
    receive(&new, CaseId(uuid::Uuid::nil()), n, None, &officer(), at).0
}

fn act(
    d: &Deadlines,
    case: &Case,
    who: &Actor,
    a: Action,
    at: &str,
) -> Result<Case, LifecycleError> {
    decide_any(case, who, &a, d, t(at)).map(|t| t.case)
}

fn file(c: &Case) -> &RequestFile {
    c.request.as_deref().unwrap()
}

#[test]
fn kenya_counts_21_calendar_days_from_receipt() {
    let d = deadlines(InformationPolicy::kenya());
    // Received Monday 2026-11-02 10:00 EAT: due at the end of Monday 23 November.
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    assert_eq!(file(&c).due, t("2026-11-23T21:00:00Z"));
    assert_eq!(c.deadline, Some(file(&c).due));
    // Received 2026-12-04 (Friday): 21 days is Friday 25 December, a holiday, then the
    // weekend: due at the end of Monday 28 December.
    let c = request(&d, t("2026-12-04T07:00:00Z"), None);
    assert_eq!(file(&c).due, t("2026-12-28T21:00:00Z"));
}

#[test]
fn working_days_skip_weekends_and_holidays() {
    let mut p = InformationPolicy::ghana();
    p.working_days = true;
    let d = deadlines(p);
    // Monday 2026-12-14 + 14 working days, skipping 25 December: Monday 4 January.
    let c = request(&d, t("2026-12-14T07:00:00Z"), None);
    assert_eq!(file(&c).due, t("2027-01-04T21:00:00Z"));
}

#[test]
fn the_urgent_track_is_48_hours() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), Some("a detained relative"));
    assert!(file(&c).urgent);
    assert_eq!(file(&c).due, t("2026-11-04T07:00:00Z"));
}

#[test]
fn one_extension_and_never_two() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let c = act(
        &d,
        &c,
        &officer(),
        Action::Extend {
            reason: "consulting the ward offices".into(),
        },
        "2026-11-10T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).due, t("2026-12-07T21:00:00Z"));
    let e = act(
        &d,
        &c,
        &officer(),
        Action::Extend {
            reason: "again".into(),
        },
        "2026-11-11T07:00:00Z",
    )
    .unwrap_err();
    assert_eq!(e, LifecycleError::AlreadyExtended);
    assert_eq!(e.code(), "already_extended");
}

#[test]
fn a_clarification_stops_the_clock() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let due = file(&c).due;
    let c = act(
        &d,
        &c,
        &officer(),
        Action::AskClarification {
            text: "Which year?".into(),
        },
        "2026-11-03T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).state, RequestState::AwaitingClarification);
    assert_eq!(
        file(&c).lateness(&InformationPolicy::kenya(), t("2027-01-01T00:00:00Z")),
        Lateness::OnTime
    );
    let citizen = Actor::citizen(None, Channel::Sms);
    let c = act(
        &d,
        &c,
        &citizen,
        Action::CitizenReply {
            text: "2025".into(),
            source: None,
        },
        "2026-11-08T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).state, RequestState::Acknowledged);
    // Five days waited: 23 November + 5 is Saturday 28th, so Monday 30th.
    assert_eq!(due, t("2026-11-23T21:00:00Z"));
    assert_eq!(file(&c).due, t("2026-11-30T21:00:00Z"));
}

#[test]
fn a_refusal_cites_a_known_exemption() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let refuse = |ex: Option<&str>| Action::Decide {
        decision: Decision::Refused,
        reasons: "Personal records of pupils".into(),
        exemption: ex.map(String::from),
        fee: None,
    };
    let e = act(&d, &c, &officer(), refuse(None), "2026-11-05T07:00:00Z").unwrap_err();
    assert!(
        matches!(&e, LifecycleError::Invalid(f) if f.field == "exemption"),
        "{e}"
    );
    let e = act(
        &d,
        &c,
        &officer(),
        refuse(Some("s.99")),
        "2026-11-05T07:00:00Z",
    )
    .unwrap_err();
    assert!(e.to_string().contains("not an exemption"), "{e}");
    let c = act(
        &d,
        &c,
        &officer(),
        refuse(Some("s.6(1)(d)")),
        "2026-11-05T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).decision, Some(Decision::Refused));
    assert_eq!(c.status, Status::Closed);
    // Nothing to provide after a refusal; a review is open (Kenya: the CAJ).
    let e = act(
        &d,
        &c,
        &officer(),
        Action::Provide {
            text: "x".into(),
            documents: vec![],
        },
        "2026-11-06T07:00:00Z",
    )
    .unwrap_err();
    assert!(matches!(
        e,
        LifecycleError::RequestTransitionNotAllowed { .. } | LifecycleError::NothingGranted
    ));
}

#[test]
fn deemed_refusal_only_after_the_due_date_and_only_by_the_system() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let sys = Actor::system("information-clock");
    let e = act(&d, &c, &sys, Action::DeemRefuse, "2026-11-23T20:59:59Z").unwrap_err();
    assert!(matches!(e, LifecycleError::NotYetDue { .. }));
    let e = act(
        &d,
        &c,
        &officer(),
        Action::DeemRefuse,
        "2026-11-24T07:00:00Z",
    )
    .unwrap_err();
    assert!(matches!(e, LifecycleError::RoleNotAllowed { .. }));
    let c = act(&d, &c, &sys, Action::DeemRefuse, "2026-11-24T07:00:00Z").unwrap();
    assert_eq!(file(&c).state, RequestState::DeemedRefused);
    // Kenya's one review: the Commission on Administrative Justice, within 30 days.
    let citizen = Actor::citizen(None, Channel::Sms);
    let late = act(
        &d,
        &c,
        &citizen,
        Action::AskReview {
            grounds: "no answer".into(),
        },
        "2027-01-05T07:00:00Z",
    )
    .unwrap_err();
    assert!(matches!(late, LifecycleError::ReviewTooLate { .. }));
    let c = act(
        &d,
        &c,
        &citizen,
        Action::AskReview {
            grounds: "no answer".into(),
        },
        "2026-11-30T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).reviews[0].stage, ReviewStage::Commission);
}

#[test]
fn ghana_reviews_go_stage_by_stage() {
    let d = deadlines(InformationPolicy::ghana());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let c = act(
        &d,
        &c,
        &officer(),
        Action::Decide {
            decision: Decision::NotHeld,
            reasons: "We do not hold it".into(),
            exemption: None,
            fee: None,
        },
        "2026-11-04T07:00:00Z",
    )
    .unwrap();
    let citizen = Actor::citizen(None, Channel::Web);
    let c = act(
        &d,
        &c,
        &citizen,
        Action::AskReview {
            grounds: "It is on the website".into(),
        },
        "2026-11-05T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).reviews[0].stage, ReviewStage::Internal);
    let head = Actor::staff(
        crate::UserId(uuid::Uuid::nil()),
        Role::CountyExecutive,
        Channel::Web,
    );
    let c = act(
        &d,
        &c,
        &head,
        Action::DecideReview {
            outcome: ReviewOutcome::Upheld,
            text: "Not held".into(),
        },
        "2026-11-10T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).state, RequestState::Decided);
    let c = act(
        &d,
        &c,
        &citizen,
        Action::AskReview {
            grounds: "appeal".into(),
        },
        "2026-11-11T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).reviews[1].stage, ReviewStage::Commission);
    let c = act(
        &d,
        &c,
        &officer(),
        Action::DecideReview {
            outcome: ReviewOutcome::Overturned,
            text: "Search again".into(),
        },
        "2026-11-20T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).state, RequestState::Acknowledged);
    assert!(file(&c).decision.is_none());
    assert!(c.status.is_open());
}

#[test]
fn concerns_and_requests_keep_to_their_own_actions() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let desk = Actor::staff(
        crate::UserId(uuid::Uuid::nil()),
        Role::CommunicationsDesk,
        Channel::Web,
    );
    let e = act(&d, &c, &desk, Action::Start, "2026-11-03T07:00:00Z").unwrap_err();
    assert_eq!(e.code(), "not_for_information_requests");
    let mut concern = c.clone();
    concern.request = None;
    let e = act(
        &d,
        &concern,
        &officer(),
        Action::Extend { reason: "x".into() },
        "2026-11-03T07:00:00Z",
    )
    .unwrap_err();
    assert_eq!(e.code(), "only_for_information_requests");
}

#[test]
fn lowering_prominence_needs_a_reason() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), None);
    let hide = |reason: &str| Action::SetProminence {
        prominence: Prominence::Hidden,
        reason: reason.into(),
        event: Some(2),
    };
    let e = act(&d, &c, &officer(), hide(" "), "2026-11-03T07:00:00Z").unwrap_err();
    assert!(matches!(&e, LifecycleError::Invalid(f) if f.field == "reason"));
    let c = act(
        &d,
        &c,
        &officer(),
        hide("names a third party"),
        "2026-11-03T07:00:00Z",
    )
    .unwrap();
    assert_eq!(file(&c).prominence_of(2), Prominence::Hidden);
    assert_eq!(file(&c).prominence_of(1), Prominence::Normal);
}

#[test]
fn every_request_rule_names_a_request_action() {
    for r in RULES {
        assert!(
            r.action.request_only() || crate::lifecycle::rule(r.action).action == r.action,
            "{}",
            r.action
        );
    }
}

#[test]
fn architecture_md_shows_the_request_rules_as_they_are() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ARCHITECTURE.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (open, close) = (
        "<!-- request-rules:start -->\n",
        "<!-- request-rules:end -->",
    );
    let start = doc.find(open).expect("start marker") + open.len();
    let end = doc.find(close).expect("end marker");
    let want = rules_markdown();
    if std::env::var("UPDATE_ARCHITECTURE").is_ok() {
        std::fs::write(&path, format!("{}{want}{}", &doc[..start], &doc[end..])).unwrap();
        return;
    }
    assert!(
        doc[start..end] == want,
        "ARCHITECTURE.md's request table is stale; run with UPDATE_ARCHITECTURE=1:\n{want}"
    );
}

#[test]
fn erasure_takes_the_applicants_own_words_out_of_the_request() {
    let d = deadlines(InformationPolicy::kenya());
    let c = request(&d, t("2026-11-02T07:00:00Z"), Some("my son is detained"));
    let c = act(
        &d,
        &c,
        &officer(),
        Action::Decide {
            decision: Decision::NotHeld,
            reasons: "Not held".into(),
            exemption: None,
            fee: None,
        },
        "2026-11-03T07:00:00Z",
    )
    .unwrap();
    let citizen = Actor::citizen(None, Channel::Sms);
    let c = act(
        &d,
        &c,
        &citizen,
        Action::AskReview {
            grounds: "My son Kibet is held at Iten".into(),
        },
        "2026-11-04T07:00:00Z",
    )
    .unwrap();
    let record = crate::lifecycle::ErasureRecord {
        basis: "test".into(),
        approved_by: None,
        erased_events: vec![],
    };
    let erased = crate::lifecycle::erase(
        &c,
        &Actor::system("erasure"),
        &record,
        t("2026-11-05T07:00:00Z"),
    )
    .case;
    let f = file(&erased);
    assert_eq!(f.urgency_reason.as_deref(), Some("[erased]"));
    assert_eq!(f.reviews[0].grounds, "[erased]");
    assert_eq!(
        f.decision,
        Some(Decision::NotHeld),
        "the body's own record stays"
    );
}
