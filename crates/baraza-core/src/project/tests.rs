use super::*;
use chrono::TimeZone;

fn oc() -> OpenContracting {
    OpenContracting {
        ocid_prefix: "ocds-udd159-".into(),
        project_prefix: "ocds-udd159".into(),
        publisher: "Elgeyo Marakwet County".into(),
        currency: "KES".into(),
    }
}

fn actor(role: Role) -> ProjectActor {
    ProjectActor {
        name: format!("a {role}"),
        role,
        phone: None,
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(d: &str) -> Timestamp {
    chrono::Utc.from_utc_datetime(&day(d).and_hms_opt(9, 0, 0).unwrap())
}

struct World {
    p: Option<Project>,
    j: JurisdictionId,
}

impl World {
    fn run(
        &mut self,
        cmd: ProjectCommand,
        who: &ProjectActor,
        now: &str,
    ) -> Result<Vec<ProjectChange>, ProjectError> {
        let changes = decide(
            self.p.as_ref(),
            cmd,
            who,
            ProjectId(uuid::Uuid::nil()),
            &self.j,
            Some(&oc()),
            "https://baraza.example",
            at(now),
        )?;
        for c in &changes {
            self.p = apply(self.p.take(), c, at(now));
        }
        Ok(changes)
    }
    fn p(&self) -> &Project {
        self.p.as_ref().unwrap()
    }
}

fn new_project() -> NewProject {
    NewProject {
        code: "em-rd-014".into(),
        title: "Kamariny - Iten road grading".into(),
        description: "Grading and murraming 4 km".into(),
        department: "roads".into(),
        fiscal_year: "2025/26".into(),
        sector: Sector::Road,
        wards: vec![AreaCode("0742".into())],
        location: None,
        budget: 4_000_000.0,
        status: ProjectStatus::Implementation,
        target_groups: vec![TargetGroup::Youth],
        planned_end: None,
    }
}

#[test]
fn a_project_goes_from_plan_to_contract_and_its_reports_are_published_once_approved() {
    let mut w = World {
        p: None,
        j: JurisdictionId::parse("elgeyo-marakwet").unwrap(),
    };
    let proc = actor(Role::ProcurementOfficer);
    let imp = actor(Role::ImplementationOfficer);
    let validator = actor(Role::ProjectValidator);
    // Only the procurement or implementation side registers a project.
    assert!(matches!(
        w.run(
            ProjectCommand::Create(Box::new(new_project())),
            &actor(Role::PmcMember),
            "2025-07-01"
        ),
        Err(ProjectError::Forbidden { .. })
    ));
    w.run(
        ProjectCommand::Create(Box::new(new_project())),
        &proc,
        "2025-07-01",
    )
    .unwrap();
    assert_eq!(w.p().code, "EM-RD-014");
    assert_eq!(w.p().oc4ids_id(&oc()), "ocds-udd159-EM-RD-014");
    let c = w
        .run(
            ProjectCommand::Plan {
                budget: 4_000_000.0,
                method: ProcurementMethod::Open,
                rationale: "ADP 2025/26".into(),
            },
            &proc,
            "2025-07-02",
        )
        .unwrap();
    let ocid = "ocds-udd159-EM-RD-014-1".to_owned();
    let ProjectChange::Released { release, .. } = &c[0] else {
        panic!()
    };
    assert_eq!(release["tag"], json!(["planning"]));
    assert_eq!(release["id"], "ocds-udd159-EM-RD-014-1-001");
    let tender = |rationale: &str, value: f64| ProjectCommand::Tender {
        ocid: ocid.clone(),
        number: "EMC/RD/014/2025".into(),
        title: "Grading of Kamariny - Iten road".into(),
        description: String::new(),
        value,
        opens: day("2025-08-01"),
        closes: day("2025-08-21"),
        items: vec![Item {
            description: "Murram".into(),
            quantity: 400.0,
            unit: "m3".into(),
        }],
        documents: vec![("Tender notice".into(), "https://example.org/t.pdf".into())],
        rationale: rationale.into(),
    };
    w.run(tender("", 3_900_000.0), &proc, "2025-08-01").unwrap();
    // Changing a published tender is an amendment, and needs its reason.
    assert!(matches!(
        w.run(tender("", 3_950_000.0), &proc, "2025-08-05"),
        Err(ProjectError::Invalid(FieldError { ref field, .. })) if field == "rationale"
    ));
    let c = w
        .run(
            tender("Bill of quantities corrected", 3_950_000.0),
            &proc,
            "2025-08-05",
        )
        .unwrap();
    let ProjectChange::Released { release, .. } = &c[0] else {
        panic!()
    };
    assert_eq!(release["tag"], json!(["tenderAmendment"]));
    assert_eq!(
        release["tender"]["amendments"][0]["amendsReleaseID"],
        "ocds-udd159-EM-RD-014-1-002"
    );
    // A contract before its award is refused; the award records one bidder.
    let contract = ProjectCommand::Contract {
        ocid: ocid.clone(),
        number: "EMC/RD/014/2025/C1".into(),
        value: 4_200_000.0,
        signed: day("2025-09-10"),
        starts: day("2025-09-15"),
        ends: day("2025-12-15"),
        documents: vec![],
    };
    assert!(w.run(contract.clone(), &proc, "2025-09-10").is_err());
    w.run(
        ProjectCommand::Award {
            ocid: ocid.clone(),
            supplier: "Kerio Builders Ltd".into(),
            value: 4_200_000.0,
            date: day("2025-09-01"),
            tenderers: 1,
        },
        &proc,
        "2025-09-01",
    )
    .unwrap();
    w.run(contract, &proc, "2025-09-10").unwrap();
    // The implementation side pays before any report is approved.
    w.run(
        ProjectCommand::Payment {
            ocid: ocid.clone(),
            amount: 1_000_000.0,
            date: day("2025-10-01"),
        },
        &imp,
        "2025-10-01",
    )
    .unwrap();
    let flags: Vec<&str> = w
        .p()
        .red_flags(day("2026-01-10"))
        .iter()
        .map(RedFlag::code)
        .collect();
    assert_eq!(
        flags,
        [
            "value_above_budget",
            "single_bidder",
            "past_end_without_extension",
            "payment_without_approved_report"
        ]
    );
    // The PMC: only a member's phone files a PMC report.
    let phone = PhoneNumber::parse("+254722000111").unwrap();
    w.run(
        ProjectCommand::ElectPmc(Pmc {
            elected_on: day("2025-08-15"),
            forum: "Kamariny ward baraza".into(),
            members: vec![PmcMember {
                name: "Chebet Kiprono".into(),
                designation: "Chair".into(),
                phone: Some(phone.clone()),
            }],
        }),
        &imp,
        "2025-08-15",
    )
    .unwrap();
    let report = || {
        ProjectCommand::File(Box::new(NewReport {
            kind: ReportKind::Pmc,
            status: PmcStatus::AtRisk,
            social_safeguards: String::new(),
            emerging_complaints: "Dust at the school".into(),
            challenges: String::new(),
            text: "Grading done to km 2, culverts missing".into(),
            photos: vec![],
            handover: false,
            authorizes_payment: false,
            channel: "sms".into(),
        }))
    };
    let stranger = ProjectActor {
        phone: Some(PhoneNumber::parse("+254733000999").unwrap()),
        ..actor(Role::PmcMember)
    };
    assert!(matches!(
        w.run(report(), &stranger, "2025-11-01"),
        Err(ProjectError::Forbidden { .. })
    ));
    let member = ProjectActor {
        name: "Chebet Kiprono".into(),
        role: Role::PmcMember,
        phone: Some(phone),
    };
    w.run(report(), &member, "2025-11-01").unwrap();
    assert_eq!(w.p().reports[0].state, ReportState::Draft);
    assert!(matches!(
        w.run(ProjectCommand::Approve { report: 1 }, &proc, "2025-11-02"),
        Err(ProjectError::Forbidden { .. })
    ));
    let c = w
        .run(
            ProjectCommand::Approve { report: 1 },
            &validator,
            "2025-11-02",
        )
        .unwrap();
    assert_eq!(c.len(), 2, "approved, and published in OCDS");
    let ProjectChange::Released { release, .. } = &c[1] else {
        panic!()
    };
    assert_eq!(release["tag"], json!(["implementation"]));
    let m = &release["contracts"][0]["implementation"]["milestones"][0];
    assert_eq!(m["type"], "reporting");
    assert_eq!(m["status"], "notMet");
    assert_eq!(w.p().latest_approved_report().unwrap().id, 1);
    // An extension clears the lateness flag; the compiled release holds everything.
    w.run(
        ProjectCommand::AmendContract {
            ocid: ocid.clone(),
            value: None,
            ends: Some(day("2026-03-15")),
            rationale: "Rains".into(),
        },
        &proc,
        "2025-12-01",
    )
    .unwrap();
    let v = ProcessView::of(w.p().process(&ocid).unwrap());
    assert_eq!(v.contract_ends.as_deref(), Some("2026-03-15T00:00:00Z"));
    assert_eq!(v.amendments.len(), 1);
    assert_eq!(v.paid, 1_000_000.0);
    assert_eq!(v.tenderers, Some(1));
    let flags: Vec<&str> = w
        .p()
        .red_flags(day("2026-01-10"))
        .iter()
        .map(RedFlag::code)
        .collect();
    assert!(!flags.contains(&"past_end_without_extension"));
    assert_eq!(w.p().version, 12);
    let compiled = w.p().process(&ocid).unwrap().compiled();
    assert_eq!(
        compiled["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"],
        1_000_000.0
    );
    assert_eq!(
        compiled["awards"][0]["suppliers"][0]["name"],
        "Kerio Builders Ltd"
    );
}

#[test]
fn codes_fiscal_years_and_prefixes_are_checked() {
    assert_eq!(parse_code(" em-rd-014 ").unwrap(), "EM-RD-014");
    assert!(parse_code("x").is_err());
    assert!(parse_code("EM RD").is_err());
    assert!(fiscal_year("2025/26").is_ok());
    assert!(fiscal_year("2025/27").is_err());
    assert!(oc().check().is_ok());
    let mut bad = oc();
    bad.ocid_prefix = "ocds-udd159".into();
    assert_eq!(
        bad.check().unwrap_err().field,
        "open_contracting.ocid_prefix"
    );
    assert_eq!(slug("Kerio Builders Ltd."), "kerio-builders-ltd");
}
