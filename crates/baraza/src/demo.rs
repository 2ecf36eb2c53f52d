//! The demo jurisdiction: Elgeyo Marakwet County with its real sub-counties and wards
//! (from Kenya's ward list), county departments, service categories, one staff user per
//! role with a fixed demo API token, and a few cases filed through the normal path.
//! Loading twice changes nothing.

use crate::jurisdiction_file::{self, JurisdictionFile};
use anyhow::Context;
use baraza_core::lifecycle::{Action, Actor};
use baraza_core::*;
use baraza_store::Store;

/// Kenya's 47 counties, 290 constituencies (sub-counties) and 1,448 wards, from the npm
/// package kenya-locations 0.1.8 (MIT).
pub const KENYA_WARDS_CSV: &str = include_str!("../../../data/kenya-wards.csv");

/// The demo jurisdiction's file (identity, hierarchy, departments, categories).
/// The three seeds' action plans, from their OGP commitment pages.
pub const DEMO_PLANS: [&str; 3] = [
    include_str!("../../../data/action-plans/nairobi-KENMS0005.toml"),
    include_str!("../../../data/action-plans/kenya-KE0031.toml"),
    include_str!("../../../data/action-plans/sekondi-takoradi-GHST0001.toml"),
];

pub const DEMO_FILE: &str = include_str!("../../../data/jurisdictions/elgeyo-marakwet.toml");
/// The demo county's ward boundaries (CC BY 4.0, see data/boundaries/PROVENANCE.md).
pub const DEMO_BOUNDARIES: &str =
    include_str!("../../../data/boundaries/kenya-wards-elgeyo-marakwet.geojson");

/// Elgeyo Marakwet has 20 wards; the source list has 19. Marakwet West's ward with code
/// 0737 is missing there, and we do not invent it: add it when an official source is at hand.
pub const KNOWN_GAP: &str = "Elgeyo Marakwet has 20 wards but the source ward list (kenya-locations 0.1.8) \
     has 19: Marakwet West's ward code 0737 is missing. It is not invented here.";

pub fn jurisdiction_id() -> JurisdictionId {
    JurisdictionId::parse("elgeyo-marakwet").expect("a valid slug")
}

/// A demo user: role, username, display name, scope, and the fixed demo token secret.
pub struct DemoUser {
    pub role: Role,
    pub username: &'static str,
    pub name: &'static str,
    pub scope: Scope,
    pub token: &'static str,
}

pub fn demo_users() -> Vec<DemoUser> {
    let area = |c: &str| Scope::Area(AreaCode(c.into()));
    let dept = |c: &str| Scope::Department(c.into());
    vec![
        DemoUser {
            role: Role::CommunicationsDesk,
            username: "desk",
            name: "Communications desk",
            scope: Scope::Jurisdiction,
            token: "bz_demo_desk",
        },
        DemoUser {
            role: Role::WardAdministrator,
            username: "ward.kamariny",
            name: "Kamariny ward administrator",
            scope: area("0742"),
            token: "bz_demo_ward_kamariny",
        },
        DemoUser {
            role: Role::WardAdministrator,
            username: "ward.emsoo",
            name: "Emsoo ward administrator",
            scope: area("0741"),
            token: "bz_demo_ward_emsoo",
        },
        DemoUser {
            role: Role::SubCountyAdministrator,
            username: "subcounty.keiyo-north",
            name: "Keiyo North sub-county administrator",
            scope: area("149"),
            token: "bz_demo_subcounty",
        },
        DemoUser {
            role: Role::FeedbackCoordinator,
            username: "coordinator.water",
            name: "Water feedback coordinator",
            scope: dept("water"),
            token: "bz_demo_coordinator_water",
        },
        DemoUser {
            role: Role::DepartmentDirector,
            username: "director.water",
            name: "Director of Water",
            scope: dept("water"),
            token: "bz_demo_director_water",
        },
        DemoUser {
            role: Role::CountyExecutive,
            username: "executive",
            name: "County executive",
            scope: Scope::Jurisdiction,
            token: "bz_demo_executive",
        },
        DemoUser {
            role: Role::Observer,
            username: "observer.csonet",
            name: "EM CSO Network observer",
            scope: Scope::Jurisdiction,
            token: "bz_demo_observer",
        },
        DemoUser {
            role: Role::Auditor,
            username: "auditor",
            name: "Internal auditor",
            scope: Scope::Jurisdiction,
            token: "bz_demo_auditor",
        },
        DemoUser {
            role: Role::SystemAdministrator,
            username: "admin",
            name: "System administrator",
            scope: Scope::Jurisdiction,
            token: "bz_demo_admin",
        },
        DemoUser {
            role: Role::InformationOfficer,
            username: "information.officer",
            name: "Information access officer",
            scope: Scope::Jurisdiction,
            token: "bz_demo_information",
        },
        DemoUser {
            role: Role::OgpPointOfContact,
            username: "ogp.contact",
            name: "Open government point of contact",
            scope: Scope::Jurisdiction,
            token: "bz_demo_ogp",
        },
        DemoUser {
            role: Role::CivilSociety,
            username: "civil.society",
            name: "Civil-society forum member (demo)",
            scope: Scope::Jurisdiction,
            token: "bz_demo_civil_society",
        },
        DemoUser {
            role: Role::ProcurementOfficer,
            username: "procurement.officer",
            name: "Procurement officer",
            scope: Scope::Jurisdiction,
            token: "bz_demo_procurement",
        },
        DemoUser {
            role: Role::ImplementationOfficer,
            username: "implementation.roads",
            name: "Roads implementation officer",
            scope: dept("roads"),
            token: "bz_demo_implementation",
        },
        DemoUser {
            role: Role::PmcMember,
            username: "pmc.member",
            name: "Tambach road PMC chair (demo)",
            scope: Scope::Jurisdiction,
            token: "bz_demo_pmc",
        },
        DemoUser {
            role: Role::ProjectValidator,
            username: "project.validator",
            name: "Project report validator",
            scope: Scope::Jurisdiction,
            token: "bz_demo_validator",
        },
        DemoUser {
            role: Role::Open311Integration,
            username: "fixmystreet",
            name: "FixMyStreet (Open311 integration)",
            scope: Scope::Jurisdiction,
            token: "bz_demo_fixmystreet",
        },
    ]
}

pub struct DemoSummary {
    pub sub_counties: usize,
    pub wards: usize,
    pub cases_added: usize,
    pub requests_added: usize,
    pub plans_added: usize,
    pub projects_added: usize,
}

/// The demo PMC member's number (a demo number, not a real person's).
pub const DEMO_PMC_PHONE: &str = "+254700000101";

/// Elgeyo Marakwet's demo projects, one at each stage: a road contracted to a single
/// bidder above its budget and paid before any approved report (red flags), with its
/// PMC and an approved report; a water extension at tender; a maternity wing in
/// planning. Made through the same application layer as staff's actions, so every
/// release is checked against the OCDS schema. Demo data, not the county's.
async fn sample_projects(store: &dyn Store, now: Timestamp) -> anyhow::Result<usize> {
    let catalog = baraza_app::Catalog::load(store).await?;
    let clock = baraza_core::ManualClock::new(now);
    let app = baraza_app::App::new(store, &clock, &catalog);
    let users = store.users(None).await?;
    let user = |name: &str| {
        users
            .iter()
            .find(|u| u.username == name)
            .cloned()
            .with_context(|| format!("the demo user {name}"))
    };
    let (proc, imp, pmc, validator) = (
        user("procurement.officer")?,
        user("implementation.roads")?,
        user("pmc.member")?,
        user("project.validator")?,
    );
    let base = "http://localhost:8080";
    let body = |v: serde_json::Value| -> anyhow::Result<baraza_app::input::ProjectActionRequest> {
        Ok(serde_json::from_value(v)?)
    };
    let mut added = 0;
    let projects = [
        (
            "EM-RD-014",
            "Tambach - Kessup road grading and murraming",
            "roads",
            "transport.road",
            "0744",
            4_000_000.0,
            "implementation",
        ),
        (
            "EM-WT-003",
            "Kapsowar water supply extension",
            "water",
            "waterAndWaste",
            "0739",
            6_500_000.0,
            "preparation",
        ),
        (
            "EM-HL-021",
            "Chepkorio dispensary maternity wing",
            "health",
            "health",
            "0746",
            2_800_000.0,
            "identification",
        ),
    ];
    for (code, title, dept, sector, ward, budget, status) in projects {
        let j = &proc.jurisdiction;
        if store.project(j, code).await?.is_some() {
            continue;
        }
        let new: baraza_app::input::ProjectBody = serde_json::from_value(serde_json::json!({
            "code": code, "title": title, "department": dept, "fiscal_year": "2025/26",
            "sector": sector, "wards": [ward], "budget": budget, "status": status,
            "target_groups": ["youth", "women", "pwd"],
            "description": "Demo project (not the county's data)."}))?;
        app.create_project(&proc, new, base)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        added += 1;
        if code == "EM-HL-021" {
            continue;
        }
        let act = |who: &StaffUser, v: serde_json::Value| {
            let who = who.clone();
            let app = &app;
            async move {
                app.act_on_project(&who, code, body(v)?, None, base)
                    .await
                    .map(|_| ())
                    .map_err(|e| anyhow::anyhow!("{code}: {e:?}"))
            }
        };
        let ocid = format!("ocds-udd159-{code}-1");
        act(&proc, serde_json::json!({"action": "plan", "budget": budget, "method": "open", "rationale": "Annual development plan 2025/26"})).await?;
        act(&proc, serde_json::json!({"action": "tender", "ocid": ocid, "number": format!("EMC/{code}/2025"),
            "title": title, "value": budget * 0.97, "opens": "2025-08-01", "closes": "2025-08-22",
            "items": [{"description": "Works as in the bill of quantities", "quantity": 1.0, "unit": "lot"}]})).await?;
        if code != "EM-RD-014" {
            continue;
        }
        act(&proc, serde_json::json!({"action": "award", "ocid": ocid, "supplier": "Kerio Valley Builders (demo)",
            "value": 4_200_000.0, "date": "2025-09-01", "tenderers": 1})).await?;
        act(&proc, serde_json::json!({"action": "contract", "ocid": ocid, "number": "EMC/EM-RD-014/2025/C1",
            "value": 4_200_000.0, "signed": "2025-09-10", "starts": "2025-09-15", "ends": "2026-03-15"})).await?;
        act(&imp, serde_json::json!({"action": "elect_pmc", "elected_on": "2025-08-28", "forum": "Tambach ward public forum (demo)",
            "members": [{"name": "Tambach road PMC chair (demo)", "designation": "Chair", "phone": DEMO_PMC_PHONE},
                        {"name": "PMC secretary (demo)", "designation": "Secretary"}]})).await?;
        act(&imp, serde_json::json!({"action": "payment", "ocid": ocid, "amount": 1_200_000.0, "date": "2025-10-15"})).await?;
        act(&pmc, serde_json::json!({"action": "file_report", "status": "atRisk",
            "text": "Grading done to km 3; two culverts not yet laid (demo report).",
            "emerging_complaints": "Dust near Tambach primary school", "social_safeguards": "Workers have protective gear"})).await?;
        act(
            &validator,
            serde_json::json!({"action": "approve_report", "report": 1}),
        )
        .await?;
    }
    Ok(added)
}

/// The seeds' action plans, loaded as their OGP pages give them (statuses the pages do
/// not mark load as not started, and say so), then one demo change on Nairobi's
/// milestone 2, marked as a demo change in its note.
async fn sample_plans(
    store: &dyn Store,
    j: &JurisdictionId,
    now: Timestamp,
) -> anyhow::Result<usize> {
    use baraza_core::action_plan::{Evidence, MilestoneStatus, PlanActor, PlanCommand};
    let who = PlanActor {
        username: "system".into(),
        name: baraza_app::plans::OGP_PAGE.into(),
        role: Role::SystemAdministrator,
    };
    let mut added = 0;
    for text in DEMO_PLANS {
        let file =
            baraza_app::plans::PlanFile::parse(text).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let (plan, new) =
            baraza_app::plans::load_plan(store, j, file, &who, Actor::system("demo"), now)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if !new {
            continue;
        }
        added += 1;
        if plan.slug.starts_with("nairobi") {
            let contact = PlanActor {
                username: "ogp.contact".into(),
                name: "Open government point of contact".into(),
                role: Role::OgpPointOfContact,
            };
            let changes = baraza_core::action_plan::decide(
                Some(&plan),
                PlanCommand::SetStatus {
                    commitment: "KENMS0005".into(),
                    milestone: 2,
                    status: MilestoneStatus::InProgress,
                    note: "Demo change, not a real one: the OGP unit's terms of reference drafted."
                        .into(),
                    evidence: vec![Evidence::link(
                        "https://www.opengovpartnership.org/members/nairobi-kenya/",
                    )?],
                    demo: true,
                },
                &contact,
                plan.id,
                j,
                now,
            )?;
            store
                .write_plan(baraza_store::plans::PlanWrite {
                    plan: plan.id,
                    expected_version: plan.version,
                    changes,
                    actor: Actor::system("demo"),
                    at: now,
                })
                .await?;
        }
    }
    Ok(added)
}

/// Every demo user's console password (printed by `serve --demo`; demo only).
pub const DEMO_PASSWORD: &str = "baraza-demo";

/// Load (or top up) the demo data. Documents of the sample information requests are kept
/// under `media_dir` when given.
pub async fn load(
    store: &dyn Store,
    now: Timestamp,
    media_dir: Option<&std::path::Path>,
) -> anyhow::Result<DemoSummary> {
    let loaded =
        JurisdictionFile::parse(DEMO_FILE)?.check(KENYA_WARDS_CSV, Some(DEMO_BOUNDARIES))?;
    jurisdiction_file::store(store, &loaded).await?;
    let (j, areas) = (&loaded.jurisdiction, &loaded.areas);
    let (sub_counties, wards) = (loaded.count_at(1), loaded.count_at(2));
    let mut desk = None;
    let mut officer = None;
    for du in demo_users() {
        let user = match store.user_by_username(du.username).await? {
            Some(u) => u,
            None => {
                let u = StaffUser {
                    id: UserId(uuid::Uuid::new_v4()),
                    jurisdiction: j.id.clone(),
                    username: du.username.into(),
                    display_name: du.name.into(),
                    role: du.role,
                    scope: du.scope.clone(),
                    email: None,
                    // The PMC member files reports from this (demo) number.
                    phone: (du.role == Role::PmcMember)
                        .then(|| baraza_core::PhoneNumber::parse(DEMO_PMC_PHONE))
                        .transpose()?,
                    disabled: false,
                    created_at: now,
                };
                store.add_user(&u).await?;
                u
            }
        };
        let creds = store.credentials(user.id).await?;
        if creds.is_some_and(|c| c.password_hash.is_none()) {
            let phc = baraza_web::console::password::hash(DEMO_PASSWORD)
                .map_err(|e| anyhow::anyhow!(e))?;
            store.set_password(user.id, &phc).await?;
        }
        let secret = TokenSecret::from_presented(du.token);
        if store
            .token_by_secret_sha256(&secret.sha256_hex())
            .await?
            .is_none()
        {
            store
                .add_token(&ApiToken {
                    id: uuid::Uuid::new_v4(),
                    user: user.id,
                    name: "demo".into(),
                    secret_sha256: secret.sha256_hex(),
                    created_at: now,
                    revoked_at: None,
                })
                .await?;
        }
        match du.role {
            Role::CommunicationsDesk => desk = Some(user),
            Role::InformationOfficer => officer = Some(user),
            _ => {}
        }
    }
    let desk = desk.context("the demo desk user")?;
    let cases_added = sample_cases(store, j, areas, &desk, now).await?;
    let officer = officer.context("the demo information officer")?;
    let requests_added = sample_requests(store, j, &officer, now, media_dir).await?;
    sample_publications(store, j, &officer, now, media_dir).await?;
    let plans_added = sample_plans(store, &j.id, now).await?;
    let projects_added = sample_projects(store, now).await?;
    Ok(DemoSummary {
        plans_added,
        projects_added,
        sub_counties,
        wards,
        cases_added,
        requests_added,
    })
}

struct Sample {
    key: &'static str,
    kind: CaseKind,
    channel: Channel,
    ward: &'static str,
    text: &'static str,
    phone: Option<&'static str>,
    /// How far through triage, assignment and response the sample goes.
    steps: usize,
}

/// A few cases at different stages, filed and worked through the ordinary path. Their
/// idempotency keys make a second load add nothing.
async fn sample_cases(
    store: &dyn Store,
    j: &Jurisdiction,
    areas: &[Area],
    desk: &StaffUser,
    now: Timestamp,
) -> anyhow::Result<usize> {
    let tree = AreaTree::new(areas.to_vec());
    let staff = Actor::staff(desk.id, desk.role, Channel::Api);
    let samples = [
        Sample {
            key: "demo-1",
            kind: CaseKind::Complaint,
            channel: Channel::Sms,
            ward: "0742",
            text: "Maji hayajatoka Kamariny tangu Jumatatu.",
            phone: Some("+254700100001"),
            steps: 0,
        },
        Sample {
            key: "demo-2",
            kind: CaseKind::ServiceRequest,
            channel: Channel::Counter,
            ward: "0741",
            text: "The road from Emsoo to Iten is impassable after the rains.",
            phone: None,
            steps: 2,
        },
        Sample {
            key: "demo-3",
            kind: CaseKind::Complaint,
            channel: Channel::Whatsapp,
            ward: "0746",
            text: "Chepkorio dispensary has had no malaria drugs for two weeks.",
            phone: Some("+254700100003"),
            steps: 3,
        },
        Sample {
            key: "demo-4",
            kind: CaseKind::ServiceRequest,
            channel: Channel::Web,
            ward: "0739",
            text: "When will ECDE bursary applications open in Kapsowar?",
            phone: None,
            steps: 1,
        },
        Sample {
            key: "demo-5",
            kind: CaseKind::Compliment,
            channel: Channel::Voice,
            ward: "0744",
            text: "Thank you for the new water kiosk at Tambach.",
            phone: Some("+254700100005"),
            steps: 0,
        },
    ];
    let mut added = 0;
    for Sample {
        key,
        kind,
        channel,
        ward,
        text,
        phone,
        steps,
    } in samples
    {
        let ward = AreaCode(ward.into());
        let citizen = phone.map(|p| NewCitizen {
            phone: PhoneNumber::parse(p).ok(),
            whatsapp_id: None,
            email: None,
            name: None,
            language: if text.starts_with("Maji") {
                Language::Kiswahili
            } else {
                Language::English
            },
            gender: None,
            age_band: None,
            consent: Consent {
                contact: true,
                publish: false,
            },
        });
        let new = NewCase {
            department: None,
            jurisdiction: j.id.clone(),
            kind,
            channel,
            category: None,
            ladder: tree.ladder(&ward),
            ward: Some(ward),
            location: None,
            description: text.into(),
            attachments: vec![],
            citizen,
            idempotency_key: Some(key.into()),
            acknowledged_on_intake: true,
            subject: None,
            request: None,
        };
        let intake = store
            .create_case(new, Actor::citizen(None, channel), now)
            .await?;
        if !intake.created {
            continue;
        }
        added += 1;
        let (category, dept) = match key {
            "demo-2" => ("roads-impassable", "roads"),
            "demo-3" => ("health-medicine", "health"),
            "demo-4" => ("edu-bursary", "education"),
            _ => ("water-supply", "water"),
        };
        let actions = [
            Action::Triage {
                category: category.into(),
                priority: Priority::High,
                urgency: None,
                ward: None,
                ladder: vec![],
                department: Some(dept.into()),
            },
            Action::Assign {
                department: dept.into(),
                officer: None,
                note: None,
            },
            Action::Respond {
                text: "The county has dispatched a team; please reply 1 if solved, 2 if not."
                    .into(),
            },
        ];
        for action in actions.into_iter().take(steps) {
            store
                .act(
                    intake.case.number,
                    None,
                    staff.clone(),
                    action,
                    Deadlines::default(),
                    now,
                )
                .await?;
        }
    }
    Ok(added)
}

/// The budget extract given with the demo's granted request (a real file, kept by its
/// SHA-256 like any document).
const DEMO_DOCUMENT: &str = "ward,allocation_kes\n# demo sample: not the county's figures\nKamariny,12500000\nEmsoo,11800000\nTambach,13100000\nKapchemutwa,12200000\n";

/// Information requests at several stages, filed and worked through the ordinary path at
/// past dates: one long overdue (deemed refused, no decision yet), one refused citing an
/// exemption, one extended then granted with a document.
async fn sample_requests(
    store: &dyn Store,
    j: &Jurisdiction,
    officer: &StaffUser,
    now: Timestamp,
    media_dir: Option<&std::path::Path>,
) -> anyhow::Result<usize> {
    use baraza_core::information::{self, Decision};
    use chrono::Duration;
    let targets = j
        .policy
        .resolve(&j.timezone)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let staff = Actor::staff(officer.id, officer.role, Channel::Web);
    let days = |n: i64| now - Duration::days(n);
    let document = {
        use sha2::{Digest, Sha256};
        let sha256 = hex::encode(Sha256::digest(DEMO_DOCUMENT.as_bytes()));
        if let Some(dir) = media_dir {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(&sha256), DEMO_DOCUMENT)?;
        }
        Attachment {
            published: false,
            media_type: "text/csv".into(),
            size_bytes: DEMO_DOCUMENT.len() as u64,
            sha256,
            filename: Some("keiyo-north-ward-allocations-2025-26.csv".into()),
            url: None,
        }
    };
    struct Req {
        key: &'static str,
        channel: Channel,
        text: &'static str,
        phone: Option<&'static str>,
        received: Timestamp,
        steps: Vec<(Timestamp, Action, bool)>,
    }
    let samples = vec![
        Req {
            key: "demo-request-1",
            channel: Channel::Sms,
            text: "The list of bursary beneficiaries for Kamariny ward, 2025/26, with the amounts.",
            phone: Some("+254700100011"),
            received: days(45),
            // Acknowledged at intake, by the SMS carrying its reference.
            steps: vec![],
        },
        Req {
            key: "demo-request-2",
            channel: Channel::Web,
            text: "A copy of the contract for drilling the Iten market borehole, with the contractor's bid.",
            phone: Some("+254700100012"),
            received: days(20),
            steps: vec![(
                days(12),
                Action::Decide {
                    decision: Decision::Refused,
                    reasons: "The contractor's bid holds its prices and methods; publishing it would substantially prejudice its commercial interests. The contract's value and dates are on the county's procurement notices.".into(),
                    exemption: Some("s.6(1)(e)".into()),
                    fee: None,
                },
                false,
            )],
        },
        Req {
            key: "demo-request-3",
            channel: Channel::Counter,
            text: "The 2025/26 development budget allocations for each ward of Keiyo North.",
            phone: Some("+254700100013"),
            received: days(30),
            steps: vec![
                (
                    days(15),
                    Action::Extend {
                        reason: "The allocations are being reconciled with the finance department.".into(),
                    },
                    false,
                ),
                (
                    days(6),
                    Action::Decide {
                        decision: Decision::Granted,
                        reasons: "The allocations are public budget information.".into(),
                        exemption: None,
                        fee: None,
                    },
                    false,
                ),
                (
                    days(5),
                    Action::Provide {
                        text: "The ward allocations are attached.".into(),
                        documents: vec![document.clone()],
                    },
                    false,
                ),
            ],
        },
    ];
    let mut added = 0;
    for r in samples {
        let new = NewCase {
            department: None,
            jurisdiction: j.id.clone(),
            kind: CaseKind::InformationRequest,
            channel: r.channel,
            category: None,
            ward: None,
            ladder: vec![],
            location: None,
            description: r.text.into(),
            attachments: vec![],
            citizen: r.phone.map(|p| NewCitizen {
                phone: PhoneNumber::parse(p).ok(),
                whatsapp_id: None,
                email: None,
                name: None,
                language: Language::English,
                gender: None,
                age_band: None,
                consent: Consent {
                    contact: true,
                    publish: false,
                },
            }),
            idempotency_key: Some(r.key.into()),
            acknowledged_on_intake: true,
            subject: None,
            request: Some(information::open(&targets, r.received, None)),
        };
        let intake = store
            .create_case(new, Actor::citizen(None, r.channel), r.received)
            .await?;
        if !intake.created {
            continue;
        }
        added += 1;
        for (at, action, _) in r.steps {
            store
                .act(
                    intake.case.number,
                    None,
                    staff.clone(),
                    action,
                    targets.clone(),
                    at,
                )
                .await?;
        }
        // The long-overdue one: the law's clock has run out; the job records it as it
        // would have, at the due date.
        if r.key == "demo-request-1"
            && let Some(case) = store.case_by_number(intake.case.number).await?
            && let Some(file) = case.request.as_deref()
        {
            store
                .act(
                    case.number,
                    Some(case.version),
                    Actor::system("information-clock"),
                    Action::DeemRefuse,
                    targets.clone(),
                    file.due,
                )
                .await?;
        }
    }
    Ok(added)
}

/// The budget's summary, published in the demo's disclosure log.
/// The contracts of the demo's first quarter (sample data).
const DEMO_CONTRACTS: &str = "contract,supplier,value_kes\n# demo sample: not the county's contracts\nBorehole rehabilitation,Sample Drilling Ltd,4800000\n";

const DEMO_BUDGET: &str = "department,estimate_kes\n# demo sample: not the county's figures\nWater,412000000\nHealth,1650000000\nRoads,530000000\n";

/// The disclosure log's demo publications: the budget (on time) and the first quarter's
/// contracts; the procurement plan is left unpublished, so it shows as overdue. Fixed ids
/// make a second load add nothing.
async fn sample_publications(
    store: &dyn Store,
    j: &Jurisdiction,
    officer: &StaffUser,
    now: Timestamp,
    media_dir: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use baraza_core::disclosure::Publication;
    use sha2::{Digest, Sha256};
    let keep = |name: &str, text: &str| -> anyhow::Result<Attachment> {
        let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        if let Some(dir) = media_dir {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(&sha256), text)?;
        }
        Ok(Attachment {
            published: false,
            media_type: "text/csv".into(),
            size_bytes: text.len() as u64,
            sha256,
            filename: Some(name.into()),
            url: None,
        })
    };
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d");
    let samples = [
        Publication {
            id: uuid::Uuid::from_u128(0xa0d17),
            jurisdiction: j.id.clone(),
            class: "audit".into(),
            title: "Audit of the Tambach - Kessup road works, 2024/25 (demo sample)".into(),
            period: "2024/25".into(),
            published_on: date("2025-12-19")?,
            document: None,
            url: Some("https://www.oagkenya.go.ke/".into()),
            recorded_by: Some(officer.id),
            recorded_at: now,
            department: Some("roads".into()),
            project: Some("EM-RD-014".into()),
        },
        Publication {
            id: uuid::Uuid::from_u128(0xb0d9e7),
            jurisdiction: j.id.clone(),
            class: "budget".into(),
            title: "Budget estimates 2026/27 (summary by department)".into(),
            period: "2026/27".into(),
            published_on: date("2026-06-26")?,
            document: Some(keep("budget-estimates-2026-27.csv", DEMO_BUDGET)?),
            url: None,
            recorded_by: Some(officer.id),
            recorded_at: now,
            department: None,
            project: None,
        },
        Publication {
            id: uuid::Uuid::from_u128(0xc0a7),
            jurisdiction: j.id.clone(),
            class: "contracts".into(),
            title: "Contracts awarded, July to September 2026 (demo sample)".into(),
            period: "Q1 2026/27".into(),
            published_on: date("2026-10-02")?,
            document: Some(keep("contracts-awarded-2026-q1.csv", DEMO_CONTRACTS)?),
            url: None,
            recorded_by: Some(officer.id),
            recorded_at: now,
            department: None,
            project: None,
        },
    ];
    let classes = &j.policy.information;
    for p in samples {
        let class_name = classes
            .disclosure_class(&p.class)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        store
            .publish(baraza_store::Publish {
                publication: p,
                class_name,
                link: "/information/disclosures".into(),
            })
            .await?;
    }
    Ok(())
}
