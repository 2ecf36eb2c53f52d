//! The conformance suite: one set of scenarios every `Store` must pass. Each backend's
//! tests instantiate it with `baraza_store::conformance_suite!`; SQLite always runs it,
//! PostgreSQL whenever `BARAZA_TEST_POSTGRES_URL` is set.
#![expect(
    clippy::unwrap_used,
    reason = "test scenarios: a failed step is a failed test"
)]

use crate::portable::{Record, export_jsonl, for_each_record, import_jsonl};
use crate::{Store, StoreError, verify_journal};
use baraza_core::lifecycle::{Action, Actor};
use baraza_core::outbound;
use baraza_core::*;
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

/// A store made for one test, with a way to throw it away.
pub trait TestStore: Send + 'static {
    fn store(&self) -> Arc<dyn Store>;
    fn cleanup(self) -> impl Future<Output = ()> + Send;
}

/// Instantiate every scenario as a `#[tokio::test]`: `conformance_suite!(available_expr, make_fn)`.
#[macro_export]
macro_rules! conformance_suite {
    ($available:expr, $make:path) => {
        $crate::conformance_suite!(@each $available, $make;
            reference_data_is_upserted, users_and_tokens, intake_gives_a_reference_and_journals_it,
            intake_is_idempotent, citizens_are_matched_by_contact, actions_follow_the_lifecycle,
            refused_actions_store_nothing, concurrent_intake_keeps_one_unbroken_chain,
            lists_filter_and_paginate_stably, export_import_round_trips, import_refuses_a_non_empty_database,
            verify_catches_a_removed_head, intake_queues_an_acknowledgement, citizen_messages_close_the_loop,
            outbox_claims_retries_and_delivery_reports, figures_follow_the_journal,
            erasure_keeps_the_journal_verifiable, erasure_leaves_other_tampering_detectable,
            retention_erases_what_expired, rights_of_access_and_rectification,
            action_plans_are_journaled_commented_and_verified,
            chains_per_jurisdiction_follow_a_shared_chain,
            messages_arriving_together_are_each_handled_once);
    };
    (@each $available:expr, $make:path; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if !$available {
                    eprintln!("skipped {}: backend not configured", stringify!($name));
                    return;
                }
                $crate::conformance::$name(|| $make()).await;
            }
        )+
    };
}

pub mod fixtures {
    //! A small jurisdiction: part of Elgeyo Marakwet.
    use super::*;

    pub fn jurisdiction_id() -> JurisdictionId {
        JurisdictionId::parse("elgeyo-marakwet").expect("valid id")
    }

    pub fn jurisdiction() -> Jurisdiction {
        Jurisdiction {
            id: jurisdiction_id(),
            name: "Elgeyo Marakwet County".into(),
            reference_prefix: "EM".into(),
            levels: vec!["county".into(), "sub-county".into(), "ward".into()],
            country: "KE".into(),
            default_language: Language::English,
            timezone: "Africa/Nairobi".into(),
            policy: Default::default(),
            ward_map: None,
            open_contracting: Some(baraza_core::project::OpenContracting {
                ocid_prefix: "ocds-udd159-".into(),
                project_prefix: "ocds-udd159".into(),
                publisher: "Elgeyo Marakwet County Government".into(),
                currency: "KES".into(),
            }),
        }
    }

    pub fn areas() -> Vec<Area> {
        let a = |code: &str, name: &str, depth: u8, parent: Option<&str>| Area {
            jurisdiction: jurisdiction_id(),
            code: AreaCode(code.into()),
            name: name.into(),
            depth,
            parent: parent.map(|p| AreaCode(p.into())),
        };
        vec![
            a("028", "Elgeyo-Marakwet", 0, None),
            a("149", "Keiyo North", 1, Some("028")),
            a("150", "Keiyo South", 1, Some("028")),
            a("0741", "Emsoo", 2, Some("149")),
            a("0742", "Kamariny", 2, Some("149")),
            a("0746", "Chepkorio", 2, Some("150")),
        ]
    }

    pub fn tree() -> AreaTree {
        AreaTree::new(areas())
    }

    pub async fn seed(store: &dyn Store) {
        store
            .put_jurisdiction(&jurisdiction())
            .await
            .expect("jurisdiction");
        store.put_areas(&areas()).await.expect("areas");
        let names = |sw: &str, fr: &str| {
            [("sw", sw), ("fr", fr)]
                .into_iter()
                .map(|(l, n)| (l.to_owned(), n.to_owned()))
                .collect()
        };
        for (code, name, sw, fr) in [
            (
                "water",
                "Water and Sanitation",
                "Maji na Usafi",
                "Eau et assainissement",
            ),
            (
                "health",
                "Health Services",
                "Huduma za Afya",
                "Services de santé",
            ),
        ] {
            let d = Department {
                names: names(sw, fr),
                jurisdiction: jurisdiction_id(),
                code: code.into(),
                name: name.into(),
            };
            store.put_department(&d).await.expect("department");
        }
        let c = ServiceCategory {
            names: names("Hakuna maji", "Pas d'eau"),
            jurisdiction: jurisdiction_id(),
            code: "water-supply".into(),
            name: "No water supply".into(),
            department: "water".into(),
        };
        store.put_category(&c).await.expect("category");
    }

    pub fn new_case(ward: &str, channel: Channel, phone: Option<&str>) -> NewCase {
        let ward = AreaCode(ward.into());
        NewCase {
            department: None,
            jurisdiction: jurisdiction_id(),
            kind: CaseKind::Complaint,
            channel,
            category: None,
            ladder: tree().ladder(&ward),
            ward: Some(ward),
            location: None,
            description: "The borehole at Iten market has been dry since Monday".into(),
            attachments: vec![],
            citizen: phone.map(|p| NewCitizen {
                phone: Some(PhoneNumber::parse(p).expect("phone")),
                whatsapp_id: None,
                email: None,
                name: Some("Wanjiku".into()),
                language: Language::Kiswahili,
                gender: Some(Gender::Female),
                age_band: None,
                consent: Consent {
                    contact: true,
                    publish: false,
                },
            }),
            idempotency_key: None,
            acknowledged_on_intake: false,
            subject: None,
            request: None,
        }
    }

    pub fn desk() -> Actor {
        Actor::staff(
            UserId(uuid::Uuid::from_u128(1)),
            Role::CommunicationsDesk,
            Channel::Api,
        )
    }

    pub fn citizen() -> Actor {
        Actor::citizen(None, Channel::Sms)
    }

    pub fn now() -> Timestamp {
        SystemClock.now()
    }

    pub fn user(username: &str, role: Role, scope: Scope) -> StaffUser {
        StaffUser {
            id: UserId(uuid::Uuid::new_v4()),
            jurisdiction: jurisdiction_id(),
            username: username.into(),
            display_name: username.into(),
            role,
            scope,
            email: None,
            phone: None,
            disabled: false,
            created_at: now(),
        }
    }
}

use fixtures::*;

async fn act(
    store: &dyn Store,
    n: CaseNumber,
    actor: &Actor,
    action: Action,
) -> Result<crate::Acted, StoreError> {
    store
        .act(n, None, actor.clone(), action, Deadlines::default(), now())
        .await
}

async fn assert_verifies(store: &dyn Store) -> crate::VerifyReport {
    match verify_journal(store, None).await.expect("journal readable") {
        Ok(r) => r,
        Err(b) => panic!("journal does not verify: {b}"),
    }
}

pub async fn reference_data_is_upserted<T: TestStore, F: Future<Output = T>>(make: impl Fn() -> F) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    seed(&*s).await;
    assert_eq!(s.jurisdictions().await.unwrap(), vec![jurisdiction()]);
    let mut areas = s.areas(&jurisdiction_id()).await.unwrap();
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    let mut want = fixtures::areas();
    want.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(areas, want);
    assert_eq!(s.departments(&jurisdiction_id()).await.unwrap().len(), 2);
    let cats = s.categories(&jurisdiction_id()).await.unwrap();
    assert_eq!(cats.len(), 1);
    assert_eq!(cats[0].department, "water");
    // Renaming through an upsert keeps one row.
    let mut j = jurisdiction();
    j.name = "County Government of Elgeyo Marakwet".into();
    s.put_jurisdiction(&j).await.unwrap();
    assert_eq!(s.jurisdictions().await.unwrap(), vec![j]);
    t.cleanup().await;
}

pub async fn users_and_tokens<T: TestStore, F: Future<Output = T>>(make: impl Fn() -> F) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut ward = user(
        "kiprop",
        Role::WardAdministrator,
        Scope::Area(AreaCode("0741".into())),
    );
    ward.email = Some(Email::parse("kiprop@example.org").unwrap());
    ward.phone = Some(PhoneNumber::parse("+254700000001").unwrap());
    s.add_user(&ward).await.unwrap();
    let again = user("kiprop", Role::Auditor, Scope::Jurisdiction);
    assert!(matches!(
        s.add_user(&again).await,
        Err(StoreError::Conflict {
            code: "username_taken",
            ..
        })
    ));
    assert_eq!(
        s.user_by_username("kiprop").await.unwrap(),
        Some(ward.clone())
    );
    assert_eq!(s.user(ward.id).await.unwrap(), Some(ward.clone()));
    assert_eq!(s.users(Some(&jurisdiction_id())).await.unwrap().len(), 1);
    s.set_user_disabled(ward.id, true).await.unwrap();
    assert!(s.user(ward.id).await.unwrap().unwrap().disabled);
    assert!(matches!(
        s.set_user_disabled(UserId(uuid::Uuid::new_v4()), true)
            .await,
        Err(StoreError::NotFound(_))
    ));

    let secret = TokenSecret::generate(&mut rand::thread_rng());
    let token = ApiToken {
        id: uuid::Uuid::new_v4(),
        user: ward.id,
        name: "partner app".into(),
        secret_sha256: secret.sha256_hex(),
        created_at: now(),
        revoked_at: None,
    };
    s.add_token(&token).await.unwrap();
    assert_eq!(
        s.token_by_secret_sha256(&secret.sha256_hex())
            .await
            .unwrap(),
        Some(token.clone())
    );
    assert_eq!(s.token_by_secret_sha256("00").await.unwrap(), None);
    assert_eq!(s.tokens(Some(ward.id)).await.unwrap().len(), 1);
    s.revoke_token(token.id, now()).await.unwrap();
    assert!(
        s.token_by_secret_sha256(&secret.sha256_hex())
            .await
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
    assert!(matches!(
        s.revoke_token(uuid::Uuid::new_v4(), now()).await,
        Err(StoreError::NotFound(_))
    ));
    t.cleanup().await;
}

pub async fn intake_gives_a_reference_and_journals_it<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut new = new_case("0741", Channel::Web, Some("+254712345678"));
    new.acknowledged_on_intake = true;
    new.location = Some(GeoPoint::parse(0.6704, 35.5080).unwrap());
    new.attachments.push(Attachment {
        published: false,
        media_type: "image/jpeg".into(),
        size_bytes: 48_213,
        sha256: "ab".repeat(32),
        filename: Some("borehole.jpg".into()),
        url: None,
    });
    let intake = s.create_case(new, citizen(), now()).await.unwrap();
    assert!(intake.created);
    let case = intake.case;
    assert_eq!(case.status, Status::Acknowledged);
    assert_eq!(case.version, 2);
    let stored = s
        .case_by_number(case.number)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(stored, case);
    let events = s.case_events(case.id).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EventKind::Received, EventKind::Acknowledged]
    );
    assert_eq!(events[0].seq + 1, events[1].seq);
    assert_eq!(events[0].data()["description"], case.description.as_str());
    let citizen = s
        .citizen(case.citizen.expect("citizen"))
        .await
        .unwrap()
        .expect("stored citizen");
    assert_eq!(
        citizen.phone.as_ref().map(|p| p.as_str()),
        Some("+254712345678")
    );
    assert_eq!(citizen.language, Language::Kiswahili);
    assert_eq!(citizen.gender, Some(Gender::Female));
    let report = assert_verifies(&*s).await;
    assert_eq!(report.events, 2);
    assert_eq!(
        s.journal_head(&jurisdiction_id()).await.unwrap(),
        report.chains[&jurisdiction_id()]
    );
    assert_eq!(
        s.case_by_number(CaseNumber::parse("0000-0000").unwrap())
            .await
            .unwrap(),
        None
    );
    t.cleanup().await;
}

pub async fn intake_is_idempotent<T: TestStore, F: Future<Output = T>>(make: impl Fn() -> F) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut new = new_case("0742", Channel::Sms, Some("+254712345678"));
    new.idempotency_key = Some("ATXid_retry_1".into());
    // A provider retrying many times at once still makes one case.
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (s, new) = (s.clone(), new.clone());
        handles.push(tokio::spawn(async move {
            s.create_case(new, citizen(), now()).await
        }));
    }
    let mut numbers = HashSet::new();
    let mut created = 0;
    for h in handles {
        let i = h.await.unwrap().unwrap();
        numbers.insert(i.case.number);
        created += usize::from(i.created);
    }
    assert_eq!((numbers.len(), created), (1, 1));
    let all = s
        .list_cases(&CaseFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(assert_verifies(&*s).await.events, 1);
    t.cleanup().await;
}

pub async fn citizens_are_matched_by_contact<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let a = s
        .create_case(
            new_case("0741", Channel::Sms, Some("+254712345678")),
            citizen(),
            now(),
        )
        .await
        .unwrap();
    let b = s
        .create_case(
            new_case("0742", Channel::Sms, Some("+254712345678")),
            citizen(),
            now(),
        )
        .await
        .unwrap();
    let c = s
        .create_case(
            new_case("0742", Channel::Sms, Some("+254799999999")),
            citizen(),
            now(),
        )
        .await
        .unwrap();
    let anon = s
        .create_case(new_case("0742", Channel::Web, None), citizen(), now())
        .await
        .unwrap();
    assert_eq!(a.case.citizen, b.case.citizen);
    assert_ne!(a.case.citizen, c.case.citizen);
    assert_eq!(anon.case.citizen, None);
    t.cleanup().await;
}

pub async fn actions_follow_the_lifecycle<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let n = s
        .create_case(
            new_case("0741", Channel::Sms, Some("+254712345678")),
            citizen(),
            now(),
        )
        .await
        .unwrap()
        .case
        .number;
    let triage = Action::Triage {
        category: "water-supply".into(),
        priority: Priority::High,
        urgency: None,
        ward: Some(AreaCode("0742".into())),
        ladder: tree().ladder(&AreaCode("0742".into())),
        department: Some("water".into()),
    };
    let steps = [
        (desk(), Action::Acknowledge, Status::Acknowledged),
        (desk(), triage, Status::Triaged),
        (
            desk(),
            Action::Assign {
                department: "water".into(),
                officer: None,
                note: Some("borehole team".into()),
            },
            Status::Assigned,
        ),
        (
            desk(),
            Action::Note {
                text: "called the chief".into(),
            },
            Status::Assigned,
        ),
        (
            desk(),
            Action::Escalate {
                reason: "no action in 3 days".into(),
            },
            Status::Escalated,
        ),
        (desk(), Action::Start, Status::InProgress),
        (
            desk(),
            Action::Respond {
                text: "The pump is repaired.".into(),
            },
            Status::Responded,
        ),
        (
            citizen(),
            Action::Reopen {
                reason: "still dry".into(),
            },
            Status::Reopened,
        ),
        (
            desk(),
            Action::Respond {
                text: "Repaired again, new part.".into(),
            },
            Status::Responded,
        ),
        (citizen(), Action::Resolve, Status::Resolved),
        (citizen(), Action::Rate { score: 5 }, Status::Resolved),
        (desk(), Action::Close, Status::Closed),
    ];
    for (actor, action, want) in steps {
        let acted = act(&*s, n, &actor, action).await.unwrap();
        assert_eq!(acted.case.status, want);
        assert_eq!(s.case_by_number(n).await.unwrap().unwrap(), acted.case);
    }
    let case = s.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(case.ward, Some(AreaCode("0742".into())));
    assert_eq!(case.holder(), Some(&AreaCode("149".into())));
    assert_eq!(
        (case.reopen_count, case.satisfaction, case.version),
        (1, Some(5), 13)
    );
    assert!(case.resolution_due.is_some() && case.first_responded_at.is_some());
    let events = s.case_events(case.id).await.unwrap();
    assert_eq!(events.len(), 13);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.visibility == Visibility::Internal)
            .count(),
        1
    );
    assert_verifies(&*s).await;
    let missing = act(
        &*s,
        CaseNumber::parse("0000-0000").unwrap(),
        &desk(),
        Action::Start,
    )
    .await;
    assert!(matches!(missing, Err(StoreError::NotFound("case"))));
    t.cleanup().await;
}

pub async fn refused_actions_store_nothing<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let case = s
        .create_case(new_case("0741", Channel::Sms, None), citizen(), now())
        .await
        .unwrap()
        .case;
    let refused = act(&*s, case.number, &desk(), Action::Resolve).await;
    assert!(matches!(
        refused,
        Err(StoreError::Lifecycle(
            LifecycleError::TransitionNotAllowed { .. }
        ))
    ));
    let observer = Actor::staff(UserId(uuid::Uuid::new_v4()), Role::Observer, Channel::Api);
    let refused = act(
        &*s,
        case.number,
        &observer,
        Action::Note { text: "hi".into() },
    )
    .await;
    assert!(matches!(
        refused,
        Err(StoreError::Lifecycle(LifecycleError::RoleNotAllowed { .. }))
    ));
    let refused = act(
        &*s,
        case.number,
        &desk(),
        Action::Reject { reason: "".into() },
    )
    .await;
    assert!(matches!(
        refused,
        Err(StoreError::Lifecycle(LifecycleError::Invalid(_)))
    ));
    assert_eq!(s.case_by_number(case.number).await.unwrap().unwrap(), case);
    assert_eq!(s.case_events(case.id).await.unwrap().len(), 1);
    // Good and bad writes racing in the same batches: only the good ones land.
    let mut handles = Vec::new();
    for i in 0..40 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let action = if i % 2 == 0 {
                Action::Note {
                    text: format!("note {i}"),
                }
            } else {
                Action::Close
            };
            act(&*s, case.number, &desk(), action).await.is_ok()
        }));
    }
    let mut ok = 0;
    for h in handles {
        ok += usize::from(h.await.unwrap());
    }
    assert_eq!(ok, 20);
    assert_eq!(s.case_events(case.id).await.unwrap().len(), 21);
    assert_eq!(assert_verifies(&*s).await.events, 21);
    t.cleanup().await;
}

pub async fn concurrent_intake_keeps_one_unbroken_chain<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut handles = Vec::new();
    for i in 0..300 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let ward = ["0741", "0742", "0746"][i % 3];
            s.create_case(new_case(ward, Channel::Sms, None), citizen(), now())
                .await
                .unwrap()
                .case
                .number
        }));
    }
    let mut numbers = HashSet::new();
    for h in handles {
        numbers.insert(h.await.unwrap());
    }
    assert_eq!(numbers.len(), 300);
    let report = assert_verifies(&*s).await;
    assert_eq!((report.events, report.cases), (300, 300));
    t.cleanup().await;
}

pub async fn lists_filter_and_paginate_stably<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut all = Vec::new();
    for i in 0..25 {
        let ward = ["0741", "0742", "0746"][i % 3];
        let channel = [Channel::Sms, Channel::Web][i % 2];
        let mut new = new_case(ward, channel, None);
        if i % 5 == 0 {
            new.kind = CaseKind::Compliment;
        }
        // Several cases share a timestamp: the id breaks the tie, so paging stays stable.
        let at = chrono::DateTime::from_timestamp(1_780_000_000 + (i as i64 / 3), 0).unwrap();
        all.push(s.create_case(new, citizen(), at).await.unwrap().case);
    }
    act(&*s, all[0].number, &desk(), Action::Acknowledge)
        .await
        .unwrap();
    let page = |f: CaseFilter| {
        let s = s.clone();
        async move { s.list_cases(&f).await.unwrap() }
    };
    // Paging through everything returns each case once, newest first.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let rows = page(CaseFilter {
            limit: 7,
            after,
            ..Default::default()
        })
        .await;
        if rows.is_empty() {
            break;
        }
        after = rows.last().map(|c| (c.created_at, c.id));
        seen.extend(rows.into_iter().map(|c| c.number));
    }
    let mut want = all.clone();
    want.sort_by_key(|c| std::cmp::Reverse((c.created_at, c.id)));
    assert_eq!(seen, want.iter().map(|c| c.number).collect::<Vec<_>>());
    // Oldest first, by keyset too: the same cases the other way round.
    let mut oldest = Vec::new();
    let mut after = None;
    loop {
        let rows = page(CaseFilter {
            limit: 6,
            after,
            order: baraza_core::CaseOrder::Oldest,
            ..Default::default()
        })
        .await;
        if rows.is_empty() {
            break;
        }
        after = rows.last().map(|c| (c.created_at, c.id));
        oldest.extend(rows.into_iter().map(|c| c.number));
    }
    seen.reverse();
    assert_eq!(oldest, seen);
    let count = |f: CaseFilter| {
        let page = &page;
        async move { page(CaseFilter { limit: 100, ..f }).await.len() }
    };
    assert_eq!(
        count(CaseFilter {
            kind: Some(CaseKind::Compliment),
            ..Default::default()
        })
        .await,
        5
    );
    assert_eq!(
        count(CaseFilter {
            channel: Some(Channel::Web),
            ..Default::default()
        })
        .await,
        12
    );
    assert_eq!(
        count(CaseFilter {
            ward: Some(AreaCode("0746".into())),
            ..Default::default()
        })
        .await,
        8
    );
    assert_eq!(
        count(CaseFilter {
            statuses: vec![Status::Acknowledged],
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(CaseFilter {
            statuses: vec![Status::Received, Status::Acknowledged],
            ..Default::default()
        })
        .await,
        25
    );
    let wards_in = Some(vec![AreaCode("0741".into()), AreaCode("0742".into())]);
    assert_eq!(
        count(CaseFilter {
            wards_in,
            ..Default::default()
        })
        .await,
        17
    );
    assert_eq!(
        count(CaseFilter {
            wards_in: Some(vec![]),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(CaseFilter {
            department_in: Some("water".into()),
            ..Default::default()
        })
        .await,
        0
    );
    let from = chrono::DateTime::from_timestamp(1_780_000_003, 0);
    let to = chrono::DateTime::from_timestamp(1_780_000_005, 0);
    assert_eq!(
        count(CaseFilter {
            created_from: from,
            created_to: to,
            ..Default::default()
        })
        .await,
        6
    );
    let long_ago = chrono::DateTime::from_timestamp(1_700_000_000, 0);
    assert_eq!(
        count(CaseFilter {
            updated_before: long_ago,
            ..Default::default()
        })
        .await,
        0
    );
    let later = Some(now() + chrono::Duration::days(1));
    assert_eq!(
        count(CaseFilter {
            updated_before: later,
            ..Default::default()
        })
        .await,
        25
    );
    let other = JurisdictionId::parse("makueni").unwrap();
    assert_eq!(
        count(CaseFilter {
            jurisdiction: Some(other),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(CaseFilter {
            jurisdiction: Some(jurisdiction_id()),
            ..Default::default()
        })
        .await,
        25
    );
    // By priority (critical first, untriaged last) and by deadline, paged by offset.
    let triage = |category: &str, priority: Priority| Action::Triage {
        category: category.into(),
        priority,
        urgency: None,
        ward: None,
        ladder: vec![],
        department: None,
    };
    act(
        &*s,
        all[3].number,
        &desk(),
        triage("water-supply", Priority::Low),
    )
    .await
    .unwrap();
    act(
        &*s,
        all[7].number,
        &desk(),
        triage("water-supply", Priority::Critical),
    )
    .await
    .unwrap();
    let by_priority = page(CaseFilter {
        limit: 2,
        order: baraza_core::CaseOrder::Priority,
        ..Default::default()
    })
    .await;
    assert_eq!(by_priority[0].number, all[7].number);
    assert_eq!(by_priority[1].number, all[3].number);
    let by_deadline = page(CaseFilter {
        limit: 30,
        order: baraza_core::CaseOrder::Deadline,
        ..Default::default()
    })
    .await;
    assert!(by_deadline[0].deadline.is_some() && by_deadline[1].deadline.is_some());
    assert!(by_deadline[0].deadline <= by_deadline[1].deadline);
    assert!(
        by_deadline[2..].iter().all(|c| c.deadline.is_none()),
        "none last"
    );
    let second = page(CaseFilter {
        limit: 1,
        offset: 1,
        order: baraza_core::CaseOrder::Priority,
        ..Default::default()
    })
    .await;
    assert_eq!(second[0].number, all[3].number, "offset pages");
    assert_eq!(
        page(CaseFilter {
            limit: 30,
            priority: Some(Priority::Critical),
            ..Default::default()
        })
        .await
        .len(),
        1
    );

    t.cleanup().await;
}

/// Fill a store with a bit of everything, for round trips.
pub async fn populate(s: &dyn Store) {
    seed(s).await;
    s.add_user(&user("desk", Role::CommunicationsDesk, Scope::Jurisdiction))
        .await
        .unwrap();
    let u = user(
        "water.coord",
        Role::FeedbackCoordinator,
        Scope::Department("water".into()),
    );
    s.add_user(&u).await.unwrap();
    let token = ApiToken {
        id: uuid::Uuid::new_v4(),
        user: u.id,
        name: "ci".into(),
        secret_sha256: TokenSecret::generate(&mut rand::thread_rng()).sha256_hex(),
        created_at: now(),
        revoked_at: Some(now()),
    };
    s.add_token(&token).await.unwrap();
    for i in 0..30 {
        let phone = format!("+2547000000{:02}", i % 7);
        let mut new = new_case(["0741", "0742", "0746"][i % 3], Channel::Sms, Some(&phone));
        // What a bulk load must escape: tab, line ends, backslash, and text like NULL's mark.
        new.description = format!(
            "Concern {i}: «maji» – ünïcödé and \"quotes\"\tat the tab,\r\nnext line \\ \\N end"
        );
        new.idempotency_key = Some(format!("key-{i}"));
        if i % 5 == 0 {
            new.location = Some(baraza_core::GeoPoint {
                lat: 0.6731 + i as f64 * 1e-7,
                lon: 35.508_123_456_789,
            });
        }
        let n = s
            .create_case(new, citizen(), now())
            .await
            .unwrap()
            .case
            .number;
        if i % 2 == 0 {
            act(
                s,
                n,
                &desk(),
                Action::Triage {
                    category: "water-supply".into(),
                    priority: Priority::Normal,
                    urgency: None,
                    ward: None,
                    ladder: vec![],
                    department: Some("water".into()),
                },
            )
            .await
            .unwrap();
            act(
                s,
                n,
                &desk(),
                Action::Respond {
                    text: format!("Answer {i}"),
                },
            )
            .await
            .unwrap();
        }
    }
}

async fn records(s: &dyn Store) -> Vec<Record> {
    let mut out = Vec::new();
    for_each_record(s, None, |r| {
        out.push(r);
        Ok(())
    })
    .await
    .unwrap();
    out
}

pub async fn export_import_round_trips<T: TestStore, F: Future<Output = T>>(make: impl Fn() -> F) {
    let (a, b) = (make().await, make().await);
    let (src, dst) = (a.store(), b.store());
    populate(&*src).await;
    let mut file = Vec::new();
    let counts = export_jsonl(&*src, None, &mut file, now()).await.unwrap();
    assert_eq!(counts.get("case"), Some(&30));
    assert_eq!(counts.get("event"), Some(&60));
    let imported = import_jsonl(&*dst, &file[..]).await.unwrap();
    assert_eq!(imported, counts);
    assert_eq!(records(&*src).await, records(&*dst).await);
    assert_eq!(assert_verifies(&*dst).await, assert_verifies(&*src).await);
    // The imported database keeps working: new events chain onto the imported head.
    let n = dst
        .create_case(new_case("0741", Channel::Web, None), citizen(), now())
        .await
        .unwrap()
        .case
        .number;
    act(&*dst, n, &desk(), Action::Acknowledge).await.unwrap();
    assert_eq!(assert_verifies(&*dst).await.events, 62);
    a.cleanup().await;
    b.cleanup().await;
}

pub async fn import_refuses_a_non_empty_database<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let (a, b) = (make().await, make().await);
    populate(&*a.store()).await;
    let mut file = Vec::new();
    export_jsonl(&*a.store(), None, &mut file, now())
        .await
        .unwrap();
    let refused = import_jsonl(&*a.store(), &file[..]).await;
    assert!(matches!(
        refused,
        Err(StoreError::Conflict {
            code: "import_target_not_empty",
            ..
        })
    ));
    // A truncated file is refused, naming what is wrong.
    let text = String::from_utf8(file).unwrap();
    let cut: String = text.lines().take(20).map(|l| format!("{l}\n")).collect();
    let refused = import_jsonl(&*b.store(), cut.as_bytes()).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(ref e)) if e.message.contains("footer")),
        "{refused:?}"
    );
    // Nothing of the failed import stayed: the same database takes the whole file now.
    assert!(b.store().is_empty().await.unwrap());
    let mut whole = Vec::new();
    export_jsonl(&*a.store(), None, &mut whole, now())
        .await
        .unwrap();
    import_jsonl(&*b.store(), &whole[..]).await.unwrap();
    a.cleanup().await;
    b.cleanup().await;
}

pub async fn verify_catches_a_removed_head<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    // Import a journal whose last event was dropped but whose head still names it.
    let (a, b) = (make().await, make().await);
    populate(&*a.store()).await;
    let mut file = Vec::new();
    export_jsonl(&*a.store(), None, &mut file, now())
        .await
        .unwrap();
    let text = String::from_utf8(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let last_event = lines
        .iter()
        .rposition(|l| l.starts_with(r#"{"type":"event""#))
        .unwrap();
    let mut kept: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != last_event)
        .map(|(_, l)| l.to_string())
        .collect();
    let footer = kept
        .pop()
        .unwrap()
        .replace(r#""event":60"#, r#""event":59"#);
    kept.push(footer);
    let refused = import_jsonl(&*b.store(), kept.join("\n").as_bytes()).await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(ref m)) if m.contains("#60")),
        "{refused:?}"
    );
    a.cleanup().await;
    b.cleanup().await;
}

fn sms(id: &str, from: &str, body: &str) -> crate::inbound::Arrival {
    crate::inbound::Arrival {
        message: outbound::InboundMessage {
            id: uuid::Uuid::new_v4(),
            // The store gives it the receiving jurisdiction's.
            jurisdiction: None,
            provider: "africastalking".into(),
            provider_message_id: id.into(),
            channel: Channel::Sms,
            from: from.into(),
            to: Some("40404".into()),
            body: body.into(),
            received_at: now(),
            case_id: None,
            outcome: outbound::InboundOutcome::Unhandled,
            media: None,
        },
        jurisdiction: jurisdiction_id(),
        default_language: Language::English,
        targets: Deadlines::default(),
        hold: None,
    }
}

async fn templates_to(s: &dyn Store, to: &str) -> Vec<outbound::Template> {
    let mut v: Vec<_> = s
        .outbox_to(to, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.message.template)
        .collect();
    v.reverse();
    v
}

pub async fn intake_queues_an_acknowledgement<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let case = s
        .create_case(
            new_case("0741", Channel::Web, Some("+254711000001")),
            citizen(),
            now(),
        )
        .await
        .unwrap()
        .case;
    let reference = case.number.display_with("EM");
    assert_eq!(
        templates_to(&*s, "+254711000001").await,
        vec![outbound::Template::Acknowledgement { reference }]
    );
    let queued = s.outbox_to("+254711000001", 10).await.unwrap();
    assert_eq!(
        (
            queued[0].status,
            queued[0].message.channel,
            queued[0].message.language
        ),
        (
            outbound::OutboxStatus::Pending,
            outbound::OutboundChannel::Sms,
            Language::Kiswahili
        )
    );
    // No contact, or no consent to be contacted: nothing is queued.
    s.create_case(new_case("0741", Channel::Web, None), citizen(), now())
        .await
        .unwrap();
    let mut silent = new_case("0741", Channel::Web, Some("+254711000002"));
    if let Some(c) = silent.citizen.as_mut() {
        c.consent.contact = false;
    }
    s.create_case(silent, citizen(), now()).await.unwrap();
    assert!(s.outbox_to("+254711000002", 10).await.unwrap().is_empty());
    // Staff answer: the citizen gets the answer with the question "is it solved?".
    act(
        &*s,
        case.number,
        &desk(),
        Action::Triage {
            category: "water-supply".into(),
            priority: Priority::High,
            urgency: None,
            ward: None,
            ladder: vec![],
            department: Some("water".into()),
        },
    )
    .await
    .unwrap();
    act(
        &*s,
        case.number,
        &desk(),
        Action::Respond {
            text: "Fixed on Tuesday.".into(),
        },
    )
    .await
    .unwrap();
    let last = templates_to(&*s, "+254711000001").await.pop().unwrap();
    assert_eq!(
        last,
        outbound::Template::Response {
            reference: case.number.display_with("EM"),
            text: "Fixed on Tuesday.".into()
        }
    );
    t.cleanup().await;
}

pub async fn citizen_messages_close_the_loop<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    use outbound::Template as M;
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let phone = "+254722000001";
    // A new concern by SMS: a case, and the acknowledgement with its reference, recorded
    // as on every channel: received, then acknowledged on the channel the reference took.
    let first = s
        .receive_message(sms("ATXid_1", phone, "Hakuna maji Kamariny tangu Jumatatu"))
        .await
        .unwrap();
    assert_eq!(first.message.outcome, outbound::InboundOutcome::NewCase);
    let case = first.case.unwrap();
    assert_eq!(
        (case.channel, case.status),
        (Channel::Sms, Status::Acknowledged)
    );
    let kinds: Vec<EventKind> = s
        .case_events(case.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EventKind::Received, EventKind::Acknowledged]);
    let reference = case.number.display_with("EM");
    assert_eq!(
        templates_to(&*s, phone).await,
        vec![M::Acknowledgement {
            reference: reference.clone()
        }]
    );
    // The provider retries the same callback: nothing happens twice.
    let again = s
        .receive_message(sms("ATXid_1", phone, "Hakuna maji Kamariny tangu Jumatatu"))
        .await
        .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        s.list_cases(&CaseFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        1
    );
    assert_eq!(templates_to(&*s, phone).await.len(), 1);
    // A status query, with the reference as typed on a keypad.
    let status = s
        .receive_message(sms(
            "ATXid_2",
            phone,
            &format!("HALI {}", case.number.digits()),
        ))
        .await
        .unwrap();
    assert_eq!(status.message.outcome, outbound::InboundOutcome::Status);
    assert_eq!(
        templates_to(&*s, phone).await.pop(),
        Some(M::Status {
            reference: reference.clone(),
            status: Status::Acknowledged
        })
    );
    // Staff answer; the citizen says "not solved": reopened and a level up holds it.
    let triage = Action::Triage {
        category: "water-supply".into(),
        priority: Priority::High,
        urgency: None,
        ward: Some(AreaCode("0742".into())),
        ladder: tree().ladder(&AreaCode("0742".into())),
        department: Some("water".into()),
    };
    act(&*s, case.number, &desk(), triage).await.unwrap();
    act(
        &*s,
        case.number,
        &desk(),
        Action::Respond {
            text: "The pump is repaired.".into(),
        },
    )
    .await
    .unwrap();
    let no = s
        .receive_message(sms("ATXid_3", phone, "2 bado hakuna maji"))
        .await
        .unwrap();
    assert_eq!(no.message.outcome, outbound::InboundOutcome::Reopened);
    let now_case = s.case_by_number(case.number).await.unwrap().unwrap();
    assert_eq!(
        (now_case.status, now_case.holder()),
        (Status::Escalated, Some(&AreaCode("149".into())))
    );
    assert_eq!(now_case.reason.as_deref(), Some("bado hakuna maji"));
    assert_eq!(
        templates_to(&*s, phone).await.pop(),
        Some(M::Reopened {
            reference: reference.clone()
        })
    );
    // Answered again; this time "1": resolved, confirmed by the citizen, then a rating.
    act(
        &*s,
        case.number,
        &desk(),
        Action::Respond {
            text: "New pump installed.".into(),
        },
    )
    .await
    .unwrap();
    let yes = s.receive_message(sms("ATXid_4", phone, "1")).await.unwrap();
    assert_eq!(yes.message.outcome, outbound::InboundOutcome::Confirmed);
    assert_eq!(
        templates_to(&*s, phone).await.pop(),
        Some(M::AskRating {
            reference: reference.clone()
        })
    );
    let rated = s.receive_message(sms("ATXid_5", phone, "5")).await.unwrap();
    assert_eq!(rated.message.outcome, outbound::InboundOutcome::Rated);
    let done = s.case_by_number(case.number).await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.satisfaction),
        (Status::Resolved, Some(5))
    );
    assert_eq!(
        templates_to(&*s, phone).await.pop(),
        Some(M::RatingThanks {
            reference: reference.clone()
        })
    );
    let events = s.case_events(done.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Resolved && e.actor_role == "citizen")
    );
    // Language, help and STOP.
    s.receive_message(sms("ATXid_6", phone, "kiswahili"))
        .await
        .unwrap();
    assert_eq!(
        s.outbox_to(phone, 1).await.unwrap()[0].message.language,
        Language::Kiswahili
    );
    s.receive_message(sms("ATXid_7", phone, "msaada"))
        .await
        .unwrap();
    assert_eq!(templates_to(&*s, phone).await.pop(), Some(M::Help));
    s.receive_message(sms("ATXid_8", phone, "STOP"))
        .await
        .unwrap();
    assert_eq!(templates_to(&*s, phone).await.pop(), Some(M::Stopped));
    let c = s.citizen(done.citizen.unwrap()).await.unwrap().unwrap();
    assert!(!c.consent.contact);
    // A flood is stored, never lost, but not acted upon.
    let mut flood = sms("ATXid_9", "+254733000009", "spam");
    flood.hold = Some(outbound::InboundOutcome::Throttled);
    let h = s.receive_message(flood).await.unwrap();
    assert_eq!(
        (h.message.outcome.as_str(), h.case.is_none()),
        ("throttled", true)
    );
    assert!(s.outbox_to("+254733000009", 10).await.unwrap().is_empty());
    assert_verifies(&*s).await;
    t.cleanup().await;
}

pub async fn outbox_claims_retries_and_delivery_reports<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    for i in 0..4 {
        s.create_case(
            new_case("0741", Channel::Sms, Some(&format!("+25474400000{i}"))),
            citizen(),
            now(),
        )
        .await
        .unwrap();
    }
    let at = now() + chrono::Duration::seconds(1);
    let lease = at + chrono::Duration::seconds(60);
    let claimed = s.claim_outbox(at, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 4);
    // Claimed messages are hidden from another worker until their lease ends.
    assert!(s.claim_outbox(at, lease, 10).await.unwrap().is_empty());
    // One is sent, one fails for now (retried later), one fails for good.
    let (sent, retry, failed) = (
        &mut claimed[0].clone(),
        &mut claimed[1].clone(),
        &mut claimed[2].clone(),
    );
    sent.status = outbound::OutboxStatus::Sent;
    sent.provider = Some("africastalking".into());
    sent.provider_message_id = Some("ATXid_out_1".into());
    sent.attempts = 1;
    retry.attempts = 1;
    retry.next_attempt_at = at + outbound::backoff(1);
    retry.last_error = Some("502 from provider".into());
    failed.status = outbound::OutboxStatus::Failed;
    failed.last_error = Some("InvalidPhoneNumber".into());
    let round: Vec<_> = [&*sent, &*retry, &*failed]
        .into_iter()
        .map(|e| (e.clone(), lease))
        .collect();
    assert_eq!(s.update_outbox(&round).await.unwrap(), vec![true; 3]);
    // A worker whose claim was overtaken records nothing; in the same round, a claim
    // that still holds is recorded.
    let mut again = claimed[3].clone();
    again.status = outbound::OutboxStatus::Sent;
    again.provider_message_id = Some("ATXid_out_2".into());
    assert_eq!(
        s.update_outbox(&[(retry.clone(), lease), (again, lease)])
            .await
            .unwrap(),
        vec![false, true]
    );
    assert!(
        s.claim_outbox(at + chrono::Duration::seconds(5), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = s
        .claim_outbox(
            at + outbound::backoff(1),
            lease + chrono::Duration::hours(1),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        later.iter().map(|e| e.message.id).collect::<Vec<_>>(),
        vec![retry.message.id]
    );
    // Delivery reports: accepted for our own id only.
    assert!(
        s.outbox_delivery(
            "africastalking",
            "ATXid_out_1",
            outbound::OutboxStatus::Delivered,
            None,
            now()
        )
        .await
        .unwrap()
    );
    assert!(
        !s.outbox_delivery(
            "africastalking",
            "ATXid_forged",
            outbound::OutboxStatus::Delivered,
            None,
            now()
        )
        .await
        .unwrap()
    );
    let to = &sent.message.to;
    assert_eq!(
        s.outbox_to(to, 1).await.unwrap()[0].status,
        outbound::OutboxStatus::Delivered
    );
    t.cleanup().await;
}

/// The dashboard's reads: every case once, then exactly the cases the journal touched
/// since, in commit order; with figures only (gender and age band from the citizen).
pub async fn figures_follow_the_journal<T: TestStore, F: Future<Output = T>>(make: impl Fn() -> F) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let mut cases = Vec::new();
    for (i, ward) in ["0741", "0742", "0746"].iter().enumerate() {
        let phone = format!("+25471100010{i}");
        let c = s
            .create_case(new_case(ward, Channel::Sms, Some(&phone)), citizen(), now())
            .await
            .unwrap()
            .case;
        cases.push(c);
    }
    let head = u64::try_from(s.journal_head(&jurisdiction_id()).await.unwrap().seq).unwrap();
    let all = s.case_stats(&jurisdiction_id(), None, 2).await.unwrap();
    assert_eq!(all.len(), 2);
    let rest = s
        .case_stats(&jurisdiction_id(), Some(all[1].id), 2)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert!(all[0].id < all[1].id && all[1].id < rest[0].id, "id order");
    assert_eq!(all[0].gender, Some(Gender::Female));
    let (none, same) = s
        .case_stats_changed(&jurisdiction_id(), head, 100)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(same, head);
    // A note on the second case: only it comes back, with the new head.
    let acted = s
        .act(
            cases[1].number,
            None,
            desk(),
            Action::Note {
                text: "called".into(),
            },
            Deadlines::default(),
            now(),
        )
        .await
        .unwrap();
    let (changed, last) = s
        .case_stats_changed(&jurisdiction_id(), head, 100)
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, cases[1].id);
    assert_eq!(last, u64::try_from(acted.event.seq).unwrap());
    // Another jurisdiction's chain has not moved: nothing of its own, nothing read.
    let other = JurisdictionId::parse("makueni").unwrap();
    let (theirs, last_other) = s.case_stats_changed(&other, head, 100).await.unwrap();
    assert!(theirs.is_empty());
    assert_eq!(last_other, head);
}

/// A citizen with personal data on SMS and the web, a second citizen, and the first one's
/// cases answered: what erasure scenarios start from. Returns the first citizen's phone.
async fn citizen_with_history(s: &dyn Store) -> (&'static str, CitizenId) {
    seed(s).await;
    let phone = "+254722111222";
    let by_sms = s
        .receive_message(sms(
            "ATXid_e1",
            phone,
            "Call me on 0722 111 222 or mary@example.com - Mary Chebet, no water at Kamariny",
        ))
        .await
        .unwrap();
    // Acknowledged at intake: the SMS with its reference is queued in the same transaction.
    assert_eq!(by_sms.case.unwrap().status, Status::Acknowledged);
    assert_verifies(s).await;
    let mut web = new_case("0742", Channel::Web, Some(phone));
    web.description = "Mary Chebet here: the clinic tap is broken, 0722111222".into();
    web.citizen.as_mut().unwrap().name = Some("Mary Chebet".into());
    web.citizen.as_mut().unwrap().email = Some(Email::parse("mary@example.com").unwrap());
    let created = s.create_case(web, citizen(), now()).await.unwrap();
    let n2 = created.case.number;
    let id = created.case.citizen.unwrap();
    assert_verifies(s).await;
    act(s, n2, &desk(), Action::Acknowledge).await.unwrap();
    assert_verifies(s).await;
    act(
        s,
        n2,
        &desk(),
        Action::Note {
            text: "Mary says she lives by the clinic".into(),
        },
    )
    .await
    .unwrap();
    // Someone else, untouched by the erasure.
    s.create_case(
        new_case("0741", Channel::Web, Some("+254733000000")),
        citizen(),
        now(),
    )
    .await
    .unwrap();
    (phone, id)
}

fn erasure_of(citizen: CitizenId, basis: &str) -> crate::erasure::Erasure {
    crate::erasure::Erasure {
        citizen,
        basis: basis.into(),
        approved_by: Some("approver (auditor)".into()),
        actor: desk(),
        at: now(),
    }
}

pub async fn erasure_keeps_the_journal_verifiable<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let (a, b) = (make().await, make().await);
    let s = a.store();
    let (phone, id) = citizen_with_history(&*s).await;
    // Her name in a reason on the case row, an escalation, and an answer in the outbox.
    let cases = s.cases_of_citizen(id, 10).await.unwrap();
    let (sms_case, web_case) = if cases[0].channel == Channel::Sms {
        (cases[0].number, cases[1].number)
    } else {
        (cases[1].number, cases[0].number)
    };
    act(
        &*s,
        sms_case,
        &desk(),
        Action::Reject {
            reason: "Mary Chebet: not ours".into(),
        },
    )
    .await
    .unwrap();
    act(
        &*s,
        web_case,
        &desk(),
        Action::Escalate {
            reason: "Mary Chebet waited 3 weeks".into(),
        },
    )
    .await
    .unwrap();
    act(
        &*s,
        web_case,
        &desk(),
        Action::Respond {
            text: "Dear Mary Chebet, it is fixed".into(),
        },
    )
    .await
    .unwrap();
    // Her photo on one case; the same picture (a forwarded image) on someone else's.
    let photo = |sha: &str| Attachment {
        media_type: "image/jpeg".into(),
        size_bytes: 10,
        sha256: sha.repeat(32),
        filename: None,
        url: None,
        published: false,
    };
    for sha in ["ab", "cd"] {
        act(
            &*s,
            web_case,
            &Actor::system("media"),
            Action::AttachMedia {
                attachment: photo(sha),
            },
        )
        .await
        .unwrap();
    }
    let mut other = new_case("0746", Channel::Web, None);
    other.attachments = vec![photo("cd")];
    s.create_case(other, citizen(), now()).await.unwrap();
    // Whoever knows her number cannot attach their own address to her record.
    let mut intruder = new_case("0741", Channel::Web, Some(phone));
    intruder.citizen.as_mut().unwrap().email = Some(Email::parse("intruder@example.org").unwrap());
    s.create_case(intruder, citizen(), now()).await.unwrap();
    assert_eq!(s.citizen(id).await.unwrap().unwrap().email, None);
    let before = assert_verifies(&*s).await;
    assert!(before.erased.is_empty());
    let done = s
        .erase_citizen(erasure_of(id, "request under DPA 2019 s.40"))
        .await
        .unwrap();
    assert_eq!(done.cases, 3);
    assert!(!done.events.is_empty());
    // Her photo's file is hers to remove; the one another case holds stays.
    assert_eq!(done.files, vec!["ab".repeat(32)]);
    assert!(done.inbound_messages >= 1 && done.outbox_messages >= 1);
    // The journal verifies, naming the erased events.
    let after = assert_verifies(&*s).await;
    let mut erased = done.events.clone();
    erased.sort_unstable();
    assert_eq!(after.erased, erased);
    assert_eq!(after.events, before.events + 3);
    // Nothing personal is left in the citizen, the cases, the journal or the messages.
    let records = records(&*s).await;
    let text = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "Mary",
        "Chebet",
        // Not "0722" alone: four digits turn up by chance in hashes and ids.
        "0722 111 222",
        "722111222",
        "mary@example.com",
        "clinic tap",
    ] {
        assert!(!text.contains(needle), "{needle:?} is still held");
    }
    let z = s.citizen(id).await.unwrap().unwrap();
    assert_eq!((z.phone, z.name, z.email), (None, None, None));
    assert!(s.citizens_by_contact(phone).await.unwrap().is_empty());
    // The public facts stay, and the erasure is on the record with its basis.
    let cases = s.cases_of_citizen(id, 10).await.unwrap();
    assert!(
        cases
            .iter()
            .all(|c| c.description == "[erased]" && c.location.is_none())
    );
    assert!(
        cases
            .iter()
            .any(|c| c.ward == Some(AreaCode("0742".into())))
    );
    let events = s.case_events(cases[0].id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, EventKind::PersonalDataErased);
    assert_eq!(last.data()["basis"], "request under DPA 2019 s.40");
    // The other citizen is untouched.
    assert_eq!(
        s.citizens_by_contact("+254733000000").await.unwrap().len(),
        1
    );
    // The journal stays append-only for anything but erasure: no other edit gets through.
    // Export and import of the erased database verify, and name the same events.
    let mut file = Vec::new();
    export_jsonl(&*s, None, &mut file, now()).await.unwrap();
    import_jsonl(&*b.store(), &file[..]).await.unwrap();
    assert_eq!(assert_verifies(&*b.store()).await.erased, erased);
    a.cleanup().await;
    b.cleanup().await;
}

pub async fn erasure_leaves_other_tampering_detectable<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let (a, b, c) = (make().await, make().await, make().await);
    let s = a.store();
    let (_, id) = citizen_with_history(&*s).await;
    let done = s.erase_citizen(erasure_of(id, "request")).await.unwrap();
    let mut file = Vec::new();
    export_jsonl(&*s, None, &mut file, now()).await.unwrap();
    let text = String::from_utf8(file).unwrap();
    // An event's payload emptied without an erasure naming it: refused, named.
    let victim = text
        .lines()
        .filter(|l| l.starts_with(r#"{"type":"event""#) && l.contains(r#""payload":"{"#))
        .find(|l| {
            !done
                .events
                .iter()
                .any(|s| l.contains(&format!(r#""seq":{s},"#)))
        })
        .unwrap()
        .to_owned();
    let mut v: serde_json::Value = serde_json::from_str(&victim).unwrap();
    let seq = v["data"]["seq"].as_i64().unwrap();
    v["data"]["payload"] = serde_json::Value::Null;
    let emptied = text.replace(&victim, &v.to_string());
    let refused = import_jsonl(&*b.store(), emptied.as_bytes()).await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(ref m)) if m.contains(&format!("#{seq}"))),
        "{refused:?}"
    );
    // An erased event's other fields edited: refused, as before.
    let erased = text
        .lines()
        .find(|l| l.contains(&format!(r#""seq":{},"#, done.events[0])))
        .unwrap()
        .to_owned();
    let edited = text.replace(
        &erased,
        &erased.replace(r#""actor_role":"#, r#""actor_role":"x"#),
    );
    assert!(import_jsonl(&*c.store(), edited.as_bytes()).await.is_err());
    a.cleanup().await;
    b.cleanup().await;
    c.cleanup().await;
}

pub async fn retention_erases_what_expired<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    let (phone, id) = citizen_with_history(&*s).await;
    // Nothing has settled: nobody is past retention, however short.
    let soon = now() + chrono::Duration::days(1);
    assert!(
        s.citizens_past_retention(&jurisdiction_id(), soon)
            .await
            .unwrap()
            .is_empty()
    );
    for c in s.cases_of_citizen(id, 10).await.unwrap() {
        act(
            &*s,
            c.number,
            &desk(),
            Action::Reject {
                reason: "not ours".into(),
            },
        )
        .await
        .unwrap();
    }
    // Settled, but not long enough ago.
    assert!(
        s.citizens_past_retention(&jurisdiction_id(), now() - chrono::Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.citizens_past_retention(&jurisdiction_id(), soon)
            .await
            .unwrap(),
        vec![id]
    );
    assert!(
        s.expire_message_texts(&jurisdiction_id(), soon)
            .await
            .unwrap()
            >= 1
    );
    s.erase_citizen(erasure_of(id, "retention")).await.unwrap();
    assert!(
        s.citizens_past_retention(&jurisdiction_id(), soon)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.citizens_by_contact(phone).await.unwrap().is_empty());
    assert_verifies(&*s).await;
    t.cleanup().await;
}

pub async fn rights_of_access_and_rectification<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    let (phone, id) = citizen_with_history(&*s).await;
    let found = s.citizens_by_contact(phone).await.unwrap();
    assert_eq!(found.len(), 1);
    let cases: Vec<CaseId> = s
        .cases_of_citizen(id, 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let inbound = s.inbound_of(&[phone.to_owned()], &cases).await.unwrap();
    assert!(inbound.iter().any(|m| m.body.contains("Mary Chebet")));
    let outbox = s.outbox_of(&[phone.to_owned()], &cases).await.unwrap();
    assert!(!outbox.is_empty());
    let mut fixed = found[0].clone();
    fixed.name = Some("Mary C.".into());
    fixed.phone = Some(PhoneNumber::parse("+254722999888").unwrap());
    s.rectify_citizen(&fixed).await.unwrap();
    assert_eq!(s.citizen(id).await.unwrap().unwrap(), fixed);
    assert!(s.citizens_by_contact(phone).await.unwrap().is_empty());
    t.cleanup().await;
}

/// An action plan's life on the store: created with a commitment and milestone, a status
/// changed with evidence, civil society's proposals accepted and answered, a review
/// recorded then approved, a citizen's SMS comment filed as a case about the commitment;
/// all of it exported, imported and verified, and an edited plan record caught.
pub async fn action_plans_are_journaled_commented_and_verified<
    T: TestStore,
    F: Future<Output = T>,
>(
    make: impl Fn() -> F,
) {
    use baraza_core::action_plan::*;
    let (t, other, third) = (make().await, make().await, make().await);
    let s = t.store();
    seed(&*s).await;
    let j = jurisdiction_id();
    let poc = PlanActor {
        username: "poc".into(),
        name: "Point of contact".into(),
        role: Role::OgpPointOfContact,
    };
    let cso = PlanActor {
        username: "cso".into(),
        name: "Forum member".into(),
        role: Role::CivilSociety,
    };
    let id = PlanId(uuid::Uuid::now_v7());
    let ym = |x: &str| x.parse::<YearMonth>().unwrap();
    let step = |plan: Option<ActionPlan>, cmd: PlanCommand, who: PlanActor| {
        let s = s.clone();
        let j = j.clone();
        async move {
            let changes = decide(plan.as_ref(), cmd, &who, id, &j, now()).unwrap();
            s.write_plan(crate::plans::PlanWrite {
                plan: id,
                expected_version: plan.as_ref().map_or(0, |p| p.version),
                changes,
                actor: Actor::system("test"),
                at: now(),
            })
            .await
            .unwrap()
            .plan
        }
    };
    let plan = step(
        None,
        PlanCommand::Create(Box::new(NewPlan {
            slug: "em-2025-2027".into(),
            title: "Elgeyo Marakwet action plan".into(),
            government: "Elgeyo Marakwet County Government".into(),
            level: PlanLevel::Local,
            country: "KE".into(),
            starts: ym("2025-01"),
            ends: ym("2027-12"),
            forum: Some("Multi-stakeholder forum".into()),
            source_url: None,
            schedules: vec![Schedule {
                body: "Steering committee".into(),
                every_months: 3,
                from: ym("2025-01"),
                until: ym("2027-12"),
                basis: String::new(),
            }],
        })),
        poc.clone(),
    )
    .await;
    let milestone = |n: u32| Milestone {
        number: n,
        text: format!("Milestone {n}"),
        starts: ym("2025-02"),
        ends: ym("2027-06"),
        institution: None,
        person: None,
        owner: None,
        status: MilestoneStatus::NotStarted,
        status_origin: StatusOrigin::NotGiven,
        page_status: None,
        status_set_at: now(),
        status_set_by: Changer {
            name: "OGP commitment page".into(),
            role: Role::SystemAdministrator,
        },
        evidence: vec![],
        comments: vec![],
    };
    let plan = step(
        Some(plan),
        PlanCommand::AddCommitment(Box::new(Commitment {
            ogp_id: "EM0001".into(),
            title: "Feedback that closes".into(),
            starts: ym("2025-01"),
            ends: ym("2027-12"),
            lead: "Office of the Governor".into(),
            supporting: vec![],
            policy_areas: vec![],
            values: vec![OgpValue::CivicParticipation],
            problem: String::new(),
            status_quo: String::new(),
            action: String::new(),
            results: String::new(),
            irm: vec![],
            milestones: vec![milestone(1), milestone(2)],
        })),
        poc.clone(),
    )
    .await;
    let minutes = Evidence::Document {
        sha256: "ab".repeat(32),
        name: "minutes.pdf".into(),
        media_type: "application/pdf".into(),
        size_bytes: 1200,
    };
    let plan = step(
        Some(plan),
        PlanCommand::SetStatus {
            commitment: "EM0001".into(),
            milestone: 1,
            status: MilestoneStatus::InProgress,
            note: "Desk staffed".into(),
            evidence: vec![minutes.clone()],
            demo: false,
        },
        poc.clone(),
    )
    .await;
    let propose = |n: u32, status| PlanCommand::Propose {
        commitment: "EM0001".into(),
        milestone: n,
        status: Some(status),
        note: "Seen on the ground".into(),
        evidence: vec![],
    };
    let plan = step(
        Some(plan),
        propose(2, MilestoneStatus::InProgress),
        cso.clone(),
    )
    .await;
    let plan = step(
        Some(plan),
        propose(1, MilestoneStatus::Complete),
        cso.clone(),
    )
    .await;
    let plan = step(
        Some(plan),
        PlanCommand::Accept {
            proposal: 1,
            note: "Agreed".into(),
        },
        poc.clone(),
    )
    .await;
    let plan = step(
        Some(plan),
        PlanCommand::Answer {
            proposal: 2,
            reply: "Not yet: the register is not public".into(),
        },
        poc.clone(),
    )
    .await;
    let m = |p: &ActionPlan, n| p.commitment("EM0001").unwrap().milestone(n).unwrap().status;
    assert_eq!(m(&plan, 1), MilestoneStatus::InProgress);
    assert_eq!(m(&plan, 2), MilestoneStatus::InProgress);
    let today = plan.starts.first_day() + chrono::Duration::days(100);
    assert!(plan.schedule_standing(today)[0].1.overdue_since.is_some());
    let start = plan.starts.first_day();
    let plan = step(
        Some(plan),
        PlanCommand::RecordReview(Box::new(NewReview {
            body: "Steering committee".into(),
            held_on: start + chrono::Duration::days(40),
            chair: "cso".into(),
            chair_name: "Forum member".into(),
            members: vec![
                Member {
                    name: "Forum member".into(),
                    side: Side::CivilSociety,
                },
                Member {
                    name: "Point of contact".into(),
                    side: Side::Government,
                },
            ],
            items: vec![],
            minutes: Some(minutes),
            decisions: vec!["Publish the register".into()],
        })),
        poc.clone(),
    )
    .await;
    assert!(plan.schedule_standing(today)[0].1.overdue_since.is_none());
    let plan = step(
        Some(plan),
        PlanCommand::ApproveReview { review: 1 },
        cso.clone(),
    )
    .await;
    assert!(plan.reviews[0].published());
    assert_eq!(s.plans(&j).await.unwrap(), vec![plan.clone()]);

    // A version decided on an old plan is refused, and stores nothing.
    let stale = s
        .write_plan(crate::plans::PlanWrite {
            plan: id,
            expected_version: 3,
            changes: vec![],
            actor: Actor::system("test"),
            at: now(),
        })
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );

    // A citizen comments by SMS: a case about the commitment, acknowledged.
    let phone = "+254722000077";
    let handled = s
        .receive_message(sms(
            "ATXid_c1",
            phone,
            "COMMENT em0001 Publish the minutes on the notice board too",
        ))
        .await
        .unwrap();
    let case = handled.case.unwrap();
    assert_eq!(case.subject, Some(Subject::Commitment("EM0001".into())));
    assert_eq!(case.kind, CaseKind::Suggestion);
    let about = s
        .list_cases(&CaseFilter {
            subject: Some(Subject::Commitment("EM0001".into())),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(about.len(), 1);
    let unknown = s
        .receive_message(sms("ATXid_c2", phone, "COMMENT XX0009 hello"))
        .await
        .unwrap();
    assert!(unknown.case.is_none());
    assert!(matches!(
        templates_to(&*s, phone).await.last(),
        Some(outbound::Template::CommitmentUnknown { commitments, .. }) if commitments == "EM0001"
    ));
    let report = assert_verifies(&*s).await;
    assert_eq!(report.plans, 1);
    let events = s.case_events(id.stream()).await.unwrap();
    assert_eq!(events.len() as u32, plan.version);

    // The whole record moves to a fresh server and verifies there; an edited plan does not.
    let mut file = Vec::new();
    export_jsonl(&*s, None, &mut file, now()).await.unwrap();
    import_jsonl(&*other.store(), file.as_slice())
        .await
        .unwrap();
    assert_eq!(other.store().plans(&j).await.unwrap(), vec![plan]);
    let text = String::from_utf8(file).unwrap();
    let edited = text.replace("Desk staffed", "Desk fully staffed");
    assert_ne!(edited, text);
    let refused = import_jsonl(&*third.store(), edited.as_bytes()).await;
    assert!(refused.is_err(), "an edited plan imported: {refused:?}");
    t.cleanup().await;
    other.cleanup().await;
    third.cleanup().await;
}

/// Cases of two jurisdictions in one shared chain, as a database made before chains per
/// jurisdiction held them (a version 1 export): imported, written to again (each
/// jurisdiction in its own chain, after the shared chain's end), exported for one
/// jurisdiction (the other's events as links only), imported alone, verified, and still
/// written to.
pub async fn chains_per_jurisdiction_follow_a_shared_chain<T: TestStore, F: Future<Output = T>>(
    make: impl Fn() -> F,
) {
    let (a, b, scratch) = (make().await, make().await, make().await);
    let (src, dst) = (a.store(), b.store());
    let (v1, shared) = two_jurisdictions_in_one_chain(&*scratch.store()).await;
    import_jsonl(&*src, v1.as_bytes()).await.unwrap();
    chains_go_on_from_the_shared_chain(&*src, &*dst, &shared).await;
    let text = {
        let mut file = Vec::new();
        export_jsonl(&*src, Some(&jurisdiction_id()), &mut file, now())
            .await
            .unwrap();
        String::from_utf8(file).unwrap()
    };

    // A link altered in transit is caught.
    let forged = text.replacen(
        r#"{"type":"link","data":{"seq":2,"prev_hash":""#,
        r#"{"type":"link","data":{"seq":2,"prev_hash":"0"#,
        1,
    );
    assert_ne!(forged, text);
    let c = make().await;
    let refused = import_jsonl(&*c.store(), forged.as_bytes()).await;
    assert!(
        matches!(refused, Err(StoreError::Corrupt(ref m)) if m.contains("does not chain")),
        "{refused:?}"
    );
    // Or takes its part of the whole export: the same as its own export.
    let d = make().await;
    let mut whole = Vec::new();
    export_jsonl(&*src, None, &mut whole, now()).await.unwrap();
    crate::portable::import_jsonl_of(&*d.store(), &whole[..], Some(&jurisdiction_id()))
        .await
        .unwrap();
    let mut own = Vec::new();
    for_each_record(&*src, Some(&jurisdiction_id()), |r| {
        own.push(r);
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(records(&*d.store()).await, own);
    let absent = crate::portable::import_jsonl_of(
        &*c.store(),
        &whole[..],
        Some(&JurisdictionId::parse("nairobi").unwrap()),
    )
    .await;
    assert!(
        matches!(absent, Err(StoreError::Invalid(ref e)) if e.message.contains("no jurisdiction nairobi")),
        "{absent:?}"
    );
    assert!(c.store().is_empty().await.unwrap());
    for t in [a, b, c, d, scratch] {
        t.cleanup().await;
    }
}

/// Makueni, beside the fixtures' Elgeyo Marakwet.
pub fn makueni() -> Jurisdiction {
    Jurisdiction {
        id: JurisdictionId::parse("makueni").unwrap(),
        name: "Makueni County".into(),
        reference_prefix: "MK".into(),
        ..jurisdiction()
    }
}

/// A version 1 export (one chain for all, as written before chains per jurisdiction):
/// six cases, by turns in Elgeyo Marakwet and Makueni, in one chain. `scratch` (an empty
/// store) lends the reference data. Returns the file and its chain's head.
pub async fn two_jurisdictions_in_one_chain(scratch: &dyn Store) -> (String, ChainHead) {
    let em = jurisdiction();
    let mk = makueni();
    // The reference data of both, as an export writes it.
    seed(scratch).await;
    scratch.put_jurisdiction(&mk).await.unwrap();
    let mk_areas: Vec<Area> = areas()
        .into_iter()
        .map(|a| Area {
            jurisdiction: mk.id.clone(),
            ..a
        })
        .collect();
    scratch.put_areas(&mk_areas).await.unwrap();
    let mut file = Vec::new();
    export_jsonl(scratch, None, &mut file, now()).await.unwrap();
    let mut lines: Vec<serde_json::Value> = String::from_utf8(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| {
            !matches!(v["type"].as_str(), Some("head" | "chain" | "footer"))
        })
        .collect();
    lines[0]["data"]["version"] = 1.into();
    // Six cases, by turns in each jurisdiction, in one chain; events without a jurisdiction.
    let mut shared = ChainHead::genesis();
    let mut events = Vec::new();
    for i in 0..6u32 {
        let j = if i % 2 == 0 { &em } else { &mk };
        let mut new = new_case("0741", Channel::Web, None);
        new.jurisdiction = j.id.clone();
        let (case, drafts) = baraza_core::lifecycle::receive(
            &new,
            CaseId(uuid::Uuid::now_v7()),
            (10_000_000u32..)
                .filter_map(|v| CaseNumber::from_value(v).ok())
                .nth(i as usize)
                .unwrap(),
            None,
            &citizen(),
            now(),
        );
        lines.push(serde_json::json!({"type": "case", "data": case}));
        for d in drafts {
            let ev = shared.seal(&j.id, d);
            shared = ChainHead::after(&ev);
            let mut v = serde_json::to_value(&ev).unwrap();
            v.as_object_mut().unwrap().remove("jurisdiction");
            events.push(serde_json::json!({"type": "event", "data": v}));
        }
    }
    lines.extend(events);
    lines.push(serde_json::json!({"type": "head", "data": shared}));
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for l in &lines[1..] {
        *counts
            .entry(l["type"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    lines.push(serde_json::json!({"type": "footer", "data": {"counts": counts}}));
    (lines.iter().map(|l| format!("{l}\n")).collect(), shared)
}

/// A database holding `two_jurisdictions_in_one_chain` as its shared chain (imported, or
/// migrated): it verifies; new writes go on in each jurisdiction's chain from the shared
/// chain's end; one jurisdiction's export holds nothing of the other's, imports alone
/// into `empty`, verifies, and is written to again.
pub async fn chains_go_on_from_the_shared_chain(
    src: &dyn Store,
    empty: &dyn Store,
    shared: &ChainHead,
) {
    let (em, mk) = (jurisdiction(), makueni());
    let shared = shared.clone();
    let before = assert_verifies(src).await;
    assert_eq!(before.shared, shared);
    assert_eq!(before.chains[&em.id], shared);
    assert_eq!(before.chains[&mk.id], shared);

    // New writes: each jurisdiction's chain goes on from the shared chain's end.
    for j in [&em, &mk] {
        let mut new = new_case("0742", Channel::Sms, Some("+254712000111"));
        new.jurisdiction = j.id.clone();
        src.create_case(new, citizen(), now()).await.unwrap();
    }
    let after = assert_verifies(src).await;
    assert_eq!(after.shared, shared);
    for j in [&em, &mk] {
        let head = src.journal_head(&j.id).await.unwrap();
        assert!(head.seq > shared.seq, "{j:?}: {head:?}");
        assert_eq!(after.chains[&j.id], head);
    }
    let em_events: Vec<JournalEvent> = {
        let mut out = Vec::new();
        for_each_record(src, Some(&em.id), |r| {
            if let Record::Event(e) = r {
                out.push(e);
            }
            Ok(())
        })
        .await
        .unwrap();
        out
    };
    // The first event after the shared chain links to its end.
    let first = em_events.iter().find(|e| e.seq == shared.seq + 1).unwrap();
    assert_eq!(first.prev_hash, shared.hash);
    assert!(em_events.iter().all(|e| e.jurisdiction == em.id));
    assert!(verify_journal(src, Some(&mk.id)).await.unwrap().is_ok());

    // One jurisdiction leaves: its record, and nothing of the other's.
    let mut file = Vec::new();
    let counts = export_jsonl(src, Some(&em.id), &mut file, now())
        .await
        .unwrap();
    let text = String::from_utf8(file).unwrap();
    assert!(!text.contains("makueni") && !text.contains("Makueni"));
    assert_eq!(counts.get("link"), Some(&3), "{counts:?}");
    import_jsonl(empty, text.as_bytes()).await.unwrap();
    let alone = assert_verifies(empty).await;
    assert_eq!(alone.shared, shared);
    assert_eq!(
        alone.chains.keys().collect::<Vec<_>>(),
        vec![&em.id],
        "{alone:?}"
    );
    assert_eq!(alone.chains[&em.id], after.chains[&em.id]);
    // And goes on writing there.
    empty
        .create_case(new_case("0746", Channel::Web, None), citizen(), now())
        .await
        .unwrap();
    assert!(assert_verifies(empty).await.chains[&em.id].seq > alone.chains[&em.id].seq);
}

/// Messages that arrive together (one batch) are each handled once and understood by
/// what came before: twelve citizens whose cases were answered each confirm with "1"
/// (delivered twice by the provider) and, at the same moment, raise a new concern.
pub async fn messages_arriving_together_are_each_handled_once<
    T: TestStore,
    F: Future<Output = T>,
>(
    make: impl Fn() -> F,
) {
    let t = make().await;
    let s = t.store();
    seed(&*s).await;
    let phones: Vec<String> = (0..12).map(|i| format!("+2547225{i:05}")).collect();
    let mut answered = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        let first = s
            .receive_message(sms(
                &format!("ATXtogether_a{i}"),
                phone,
                "Hakuna maji Emsoo",
            ))
            .await
            .unwrap();
        let case = first.case.unwrap();
        let triage = Action::Triage {
            category: "water-supply".into(),
            priority: Priority::Normal,
            urgency: None,
            ward: Some(AreaCode("0741".into())),
            ladder: tree().ladder(&AreaCode("0741".into())),
            department: Some("water".into()),
        };
        act(&*s, case.number, &desk(), triage).await.unwrap();
        act(
            &*s,
            case.number,
            &desk(),
            Action::Respond {
                text: "The borehole is repaired.".into(),
            },
        )
        .await
        .unwrap();
        answered.push(case.number);
    }
    let mut tasks = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        for (id, body) in [
            (format!("ATXtogether_b{i}"), "1".to_owned()),
            (format!("ATXtogether_b{i}"), "1".to_owned()),
            (
                format!("ATXtogether_c{i}"),
                format!("Barabara imeharibika {i}"),
            ),
        ] {
            let (s, phone) = (s.clone(), phone.clone());
            tasks.push(tokio::spawn(async move {
                s.receive_message(sms(&id, &phone, &body)).await.unwrap()
            }));
        }
    }
    let mut handled = Vec::new();
    for task in tasks {
        handled.push(task.await.unwrap());
    }
    for (i, n) in answered.iter().enumerate() {
        let id = format!("ATXtogether_b{i}");
        let confirms: Vec<_> = handled
            .iter()
            .filter(|h| h.message.provider_message_id == id)
            .collect();
        assert_eq!(
            confirms.iter().filter(|h| !h.duplicate).count(),
            1,
            "one of the two deliveries of {id} is handled"
        );
        let case = s.case_by_number(*n).await.unwrap().unwrap();
        assert_eq!(case.status, Status::Resolved, "{id}: {confirms:?}");
    }
    let concerns = s
        .list_cases(&CaseFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.description.starts_with("Barabara imeharibika"))
        .count();
    assert_eq!(concerns, phones.len());
    let report = assert_verifies(&*s).await;
    assert_eq!(report.cases as usize, phones.len() * 2);
    t.cleanup().await;
}
