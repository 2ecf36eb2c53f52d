use super::*;

fn now() -> Timestamp {
    chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap()
}

fn ym(s: &str) -> YearMonth {
    s.parse().unwrap()
}

fn actor(role: Role, username: &str) -> PlanActor {
    PlanActor {
        username: username.into(),
        name: username.into(),
        role,
    }
}

fn contact() -> PlanActor {
    actor(Role::OgpPointOfContact, "poc")
}

fn j() -> JurisdictionId {
    JurisdictionId::parse("nairobi").unwrap()
}

fn run(
    plan: Option<ActionPlan>,
    cmd: PlanCommand,
    who: &PlanActor,
) -> Result<ActionPlan, PlanError> {
    let id = plan.as_ref().map_or(PlanId(uuid::Uuid::nil()), |p| p.id);
    let changes = decide(plan.as_ref(), cmd, who, id, &j(), now())?;
    Ok(changes
        .iter()
        .fold(plan, |p, c| apply(p, c, now()))
        .unwrap())
}

fn plan() -> ActionPlan {
    let p = run(
        None,
        PlanCommand::Create(Box::new(NewPlan {
            slug: "nairobi-2025-2027".into(),
            title: "Nairobi action plan".into(),
            government: "Nairobi City County Government".into(),
            level: PlanLevel::Local,
            country: "KE".into(),
            starts: ym("2025-06"),
            ends: ym("2027-11"),
            forum: None,
            source_url: None,
            schedules: vec![Schedule {
                body: "Steering committee".into(),
                every_months: 6,
                from: ym("2025-07"),
                until: ym("2027-04"),
                basis: String::new(),
            }],
        })),
        &contact(),
    )
    .unwrap();
    let p = run(
        Some(p),
        PlanCommand::AddCommitment(Box::new(Commitment {
            ogp_id: "kenms0005".into(),
            title: "Institutionalise open government".into(),
            starts: ym("2025-06"),
            ends: ym("2027-11"),
            lead: "Office of the Governor".into(),
            supporting: vec![],
            policy_areas: vec![],
            values: vec![OgpValue::Transparency],
            problem: String::new(),
            status_quo: String::new(),
            action: String::new(),
            results: String::new(),
            irm: vec![],
            milestones: vec![],
        })),
        &contact(),
    )
    .unwrap();
    run(
        Some(p),
        PlanCommand::AddMilestone {
            commitment: "KENMS0005".into(),
            milestone: NewMilestone {
                number: 2,
                text: "An OGP unit".into(),
                starts: ym("2025-07"),
                ends: ym("2026-03"),
                institution: None,
                person: None,
                owner: None,
                status: MilestoneStatus::NotStarted,
                status_origin: StatusOrigin::NotGiven,
                page_status: None,
            },
        },
        &contact(),
    )
    .unwrap()
}

#[test]
fn months_parse_both_ways_and_refuse_nonsense() {
    assert_eq!(ym("06/2025"), ym("2025-06"));
    assert_eq!(ym("2025-06").to_string(), "2025-06");
    assert_eq!(ym("2024-02").last_day().to_string(), "2024-02-29");
    assert!("2025-13".parse::<YearMonth>().is_err());
    assert!("June".parse::<YearMonth>().is_err());
}

#[test]
fn the_government_side_changes_a_status_with_evidence_and_civil_society_proposes() {
    let p = plan();
    assert_eq!(p.version, 3);
    let evidence = vec![Evidence::link("https://nairobi.go.ke/ogp-unit").unwrap()];
    let set = PlanCommand::SetStatus {
        commitment: "KENMS0005".into(),
        milestone: 2,
        status: MilestoneStatus::InProgress,
        note: "Unit staffed".into(),
        evidence: evidence.clone(),
        demo: false,
    };
    let cso = actor(Role::CivilSociety, "cso");
    assert!(matches!(
        run(Some(p.clone()), set.clone(), &cso),
        Err(PlanError::Forbidden { .. })
    ));
    let p = run(Some(p), set, &contact()).unwrap();
    let m = p.commitment("KENMS0005").unwrap().milestone(2).unwrap();
    assert_eq!(m.status, MilestoneStatus::InProgress);
    assert_eq!(m.status_origin, StatusOrigin::Recorded);
    assert_eq!(m.evidence[0].evidence, evidence);

    let propose = PlanCommand::Propose {
        commitment: "KENMS0005".into(),
        milestone: 2,
        status: Some(MilestoneStatus::Stuck),
        note: "No budget released".into(),
        evidence: vec![],
    };
    assert!(run(Some(p.clone()), propose.clone(), &contact()).is_err());
    let p = run(Some(p), propose.clone(), &cso).unwrap();
    let p = run(Some(p), propose, &cso).unwrap();
    // Nothing changes until the government side accepts.
    let m = p.commitment("KENMS0005").unwrap().milestone(2).unwrap();
    assert_eq!(m.status, MilestoneStatus::InProgress);
    let p = run(
        Some(p),
        PlanCommand::Accept {
            proposal: 1,
            note: "Agreed".into(),
        },
        &contact(),
    )
    .unwrap();
    let m = p.commitment("KENMS0005").unwrap().milestone(2).unwrap();
    assert_eq!(m.status, MilestoneStatus::Stuck);
    assert_eq!(m.status_set_by.role, Role::CivilSociety);
    let p = run(
        Some(p),
        PlanCommand::Answer {
            proposal: 2,
            reply: "Already recorded".into(),
        },
        &contact(),
    )
    .unwrap();
    assert_eq!(p.proposal(2).unwrap().state, ProposalState::Answered);
    assert!(matches!(
        run(
            Some(p),
            PlanCommand::Accept {
                proposal: 2,
                note: String::new()
            },
            &contact()
        ),
        Err(PlanError::Conflict(_))
    ));
}

#[test]
fn bad_input_names_its_field() {
    let p = plan();
    let field = |r: Result<ActionPlan, PlanError>| match r {
        Err(PlanError::Invalid(f) | PlanError::NotFound(f)) => f.field,
        other => panic!("{other:?}"),
    };
    let milestone = |number, starts: &str, ends: &str| PlanCommand::AddMilestone {
        commitment: "KENMS0005".into(),
        milestone: NewMilestone {
            number,
            text: "x".into(),
            starts: ym(starts),
            ends: ym(ends),
            institution: None,
            person: None,
            owner: None,
            status: MilestoneStatus::NotStarted,
            status_origin: StatusOrigin::Recorded,
            page_status: None,
        },
    };
    assert_eq!(
        field(run(
            Some(p.clone()),
            milestone(3, "2025-01", "2025-09"),
            &contact()
        )),
        "starts"
    );
    assert_eq!(
        field(run(
            Some(p.clone()),
            milestone(2, "2025-07", "2025-09"),
            &contact()
        )),
        "number"
    );
    assert_eq!(
        field(run(
            Some(p.clone()),
            PlanCommand::SetStatus {
                commitment: "KE9999".into(),
                milestone: 1,
                status: MilestoneStatus::Complete,
                note: "x".into(),
                evidence: vec![],
                demo: false,
            },
            &contact()
        )),
        "commitment"
    );
    assert!("finished".parse::<MilestoneStatus>().is_err());
    assert_eq!(
        field(run(
            Some(p),
            PlanCommand::Assess {
                commitment: "KENMS0005".into(),
                assessment: IrmAssessment {
                    indicator: IrmIndicator::Completion,
                    value: "huge".into(),
                    assessed: None,
                    source: "IRM".into(),
                    note: None,
                },
            },
            &contact()
        )),
        "value"
    );
}

#[test]
fn reviews_fall_overdue_on_schedule_and_only_the_chair_approves() {
    let p = plan();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let s = &p.schedules[0];
    assert_eq!(s.due_dates()[0], d("2025-12-31"));
    assert_eq!(*s.due_dates().last().unwrap(), d("2027-04-30"));
    let st = s.standing(&[], d("2026-01-15"));
    assert_eq!(st.overdue_since, Some(d("2025-12-31")));
    let st = s.standing(&[d("2025-11-20")], d("2026-01-15"));
    assert_eq!(st.overdue_since, None);
    assert_eq!(st.next_due, Some(d("2026-06-30")));

    let review = NewReview {
        body: "Steering committee".into(),
        held_on: d("2025-11-20"),
        chair: "chair".into(),
        chair_name: "The chair".into(),
        members: vec![Member {
            name: "A. Otieno".into(),
            side: Side::CivilSociety,
        }],
        items: vec![ReviewItem {
            commitment: "KENMS0005".into(),
            milestone: 2,
            status: MilestoneStatus::InProgress,
            note: "On track".into(),
        }],
        minutes: None,
        decisions: vec!["Meet again in May".into()],
    };
    let p = run(
        Some(p),
        PlanCommand::RecordReview(Box::new(review)),
        &contact(),
    )
    .unwrap();
    assert!(!p.reviews[0].published());
    assert!(
        run(
            Some(p.clone()),
            PlanCommand::ApproveReview { review: 1 },
            &contact()
        )
        .is_err()
    );
    let p = run(
        Some(p),
        PlanCommand::ApproveReview { review: 1 },
        &actor(Role::CivilSociety, "chair"),
    )
    .unwrap();
    assert!(p.reviews[0].published());
}

#[test]
fn a_late_milestone_counts_as_late_and_its_owner_is_reminded_once_per_cause() {
    let mut p = plan();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(p.progress(d("2026-04-01")).late, 1);
    assert_eq!(p.progress(d("2026-03-31")).late, 0);
    assert!(
        reminders_due(&p, d("2026-03-20"), 14).is_empty(),
        "no owner yet"
    );
    p = run(
        Some(p),
        PlanCommand::SetOwner {
            commitment: "KENMS0005".into(),
            milestone: 2,
            owner: Some("poc".into()),
        },
        &contact(),
    )
    .unwrap();
    let due = reminders_due(&p, d("2026-03-20"), 14);
    assert_eq!(due.len(), 1);
    assert!(matches!(due[0].3, Reminder::EndsSoon { .. }));
    let at_review = reminders_due(&p, d("2025-12-20"), 14);
    assert!(
        at_review
            .iter()
            .any(|r| matches!(r.3, Reminder::ReviewDue { .. }))
    );
}
