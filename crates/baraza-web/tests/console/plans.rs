//! Open government action plans end to end, on both backends: a seed's plan loaded; the
//! point of contact updates a milestone with a document; civil society proposes, one
//! proposal accepted and one answered; a review overdue, then recorded with minutes and
//! published once its chair approves; a citizen's SMS comment becomes a case about the
//! commitment and is answered; bad input refused naming the field, changing nothing; the
//! open data, the feed and the reminders.

use super::*;
use baraza_core::action_plan::{ActionPlan, MilestoneStatus, PlanActor, ProposalState};
use baraza_core::outbound::Template;
use serde_json::{Value, json};

const SLUG: &str = "nairobi-2025-2027";
const NAIROBI: &str = include_str!("../../../../data/action-plans/nairobi-KENMS0005.toml");

pub(crate) async fn load(app: &ConsoleApp) -> ActionPlan {
    let who = PlanActor {
        username: "system".into(),
        name: baraza_app::plans::OGP_PAGE.into(),
        role: Role::SystemAdministrator,
    };
    let file = baraza_app::plans::PlanFile::parse(NAIROBI).unwrap();
    let (plan, added) = baraza_app::plans::load_plan(
        &*app.store,
        &fixtures::jurisdiction_id(),
        file,
        &who,
        baraza_core::lifecycle::Actor::system("test"),
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(added);
    plan
}

async fn plan(app: &ConsoleApp) -> ActionPlan {
    app.store
        .plans(&fixtures::jurisdiction_id())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.slug == SLUG)
        .unwrap()
}

async fn public(app: &ConsoleApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Post a plan action form from the plan's console page (multipart, with the page's
/// CSRF token and version), with a document if given.
async fn plan_act(
    app: &ConsoleApp,
    agent: &mut Agent,
    fields: &[(&str, &str)],
    document: Option<(&str, &[u8], &str)>,
) -> reqwest::Response {
    let page = agent.get(&format!("/staff/plans/{SLUG}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", page.csrf())
        .text("version", hidden(&page.body, "version"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes, mime)) = document {
        form = form.part(
            "document",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str(mime)
                .unwrap(),
        );
    }
    agent
        .http
        .post(format!("{}/staff/plans/{SLUG}/act", app.base))
        .header(COOKIE, agent.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn api(app: &ConsoleApp, who: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .bearer_auth(format!("bz_{who}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn register_end_to_end(app: &ConsoleApp) {
    let loaded = load(app).await;
    assert_eq!(loaded.commitments[0].milestones.len(), 6);
    let (s, body) = public(app, "/plans").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("6 Milestones"), "{body}");
    let (_, body) = public(app, &format!("/plans/{SLUG}")).await;
    assert!(body.contains(r#"id="count-not_started">6<"#), "{body}");
    assert!(body.contains("the OGP page gives no status"), "{body}");

    // The point of contact updates milestone 2 with a document.
    let mut ogp = Agent::signed_in(app, "ogp").await;
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "set_status"),
            ("commitment", "KENMS0005"),
            ("milestone", "2"),
            ("status", "in_progress"),
            ("note", "OGP unit gazetted"),
        ],
        Some(("gazette-notice.pdf", b"%PDF-1.4 gazette", "application/pdf")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
    let done = ogp.get(&to).await;
    assert!(done.body.contains("is now in_progress"), "{}", done.body);
    let p = plan(app).await;
    let m2 = p.commitments[0].milestone(2).unwrap();
    assert_eq!(m2.status, MilestoneStatus::InProgress);
    let sha = m2.evidence[0].evidence[0].sha256().unwrap().to_owned();
    let (s, file) = public(app, &format!("/plans/{SLUG}/files/{sha}")).await;
    assert_eq!((s, file.as_str()), (StatusCode::OK, "%PDF-1.4 gazette"));

    // Evidence alone, the status unchanged.
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "set_status"),
            ("commitment", "KENMS0005"),
            ("milestone", "2"),
            ("status", ""),
            ("note", "Unit staff appointed"),
            ("link", "https://example.org/appointments"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let m2 = plan(app).await.commitments[0].milestone(2).unwrap().clone();
    assert_eq!(
        (m2.status, m2.evidence.len()),
        (MilestoneStatus::InProgress, 2)
    );

    // Civil society cannot set a status, only propose.
    let mut cso = Agent::signed_in(app, "cso").await;
    let refused = plan_act(
        app,
        &mut cso,
        &[
            ("action", "set_status"),
            ("commitment", "KENMS0005"),
            ("milestone", "3"),
            ("status", "complete"),
            ("note", "Done"),
        ],
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    for (n, status, note) in [
        ("3", "in_progress", "Policy briefs drafted for two clusters"),
        ("4", "complete", "The committee met"),
    ] {
        let r = plan_act(
            app,
            &mut cso,
            &[
                ("action", "propose"),
                ("commitment", "KENMS0005"),
                ("milestone", n),
                ("status", status),
                ("note", note),
                ("link", "https://example.org/briefs"),
            ],
            None,
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(
        plan(app).await.commitments[0].milestone(3).unwrap().status,
        MilestoneStatus::NotStarted,
        "a proposal changes nothing until accepted"
    );
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "accept"),
            ("proposal", "1"),
            ("note", "Confirmed"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "answer"),
            ("proposal", "2"),
            ("text", "Only one of the two meetings was held"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p = plan(app).await;
    assert_eq!(
        p.commitments[0].milestone(3).unwrap().status,
        MilestoneStatus::InProgress
    );
    assert_eq!(p.proposal(2).unwrap().state, ProposalState::Answered);
    let (_, body) = public(app, &format!("/plans/{SLUG}/commitments/KENMS0005")).await;
    assert!(body.contains("OGP unit gazetted"), "{body}");
    assert!(body.contains("gazette-notice.pdf"), "{body}");
    assert!(
        body.contains("Only one of the two meetings was held"),
        "{body}"
    );
    assert!(body.contains("Policy briefs drafted"), "{body}");
    assert!(body.len() < 30_000, "{} bytes", body.len());

    // The steering committee should have met by the end of June 2026: overdue.
    let page = ogp.get(&format!("/staff/plans/{SLUG}")).await;
    assert!(page.body.contains("Overdue since"), "{}", page.body);
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "record_review"),
            ("body", "Multi-stakeholder steering committee"),
            ("held_on", "2026-11-20"),
            ("chair", "cso"),
            (
                "members",
                "Amina Wanjiru | government\nPeter Otieno | civil_society",
            ),
            ("items", "KENMS0005 2 | in_progress | Unit gazetted"),
            ("decisions", "Publish the unit's work plan"),
        ],
        Some(("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf")),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body) = public(app, &format!("/plans/{SLUG}")).await;
    assert!(
        !body.contains("Publish the unit"),
        "unapproved review published"
    );
    // Only its chair approves it.
    let p = plan(app).await;
    let r = plan_act(
        app,
        &mut ogp,
        &[("action", "approve_review"), ("review", "1")],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(plan(app).await.version, p.version);
    let r = plan_act(
        app,
        &mut cso,
        &[("action", "approve_review"), ("review", "1")],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body) = public(app, &format!("/plans/{SLUG}")).await;
    assert!(body.contains("Publish the unit"), "{body}");
    assert!(body.contains("Peter Otieno (civil society)"), "{body}");
    let p = plan(app).await;
    let sha = p.reviews[0]
        .minutes
        .as_ref()
        .unwrap()
        .sha256()
        .unwrap()
        .to_owned();
    let (s, _) = public(app, &format!("/plans/{SLUG}/files/{sha}")).await;
    assert_eq!(s, StatusCode::OK);

    // Bad input through the API: each named, nothing changed.
    let before = plan(app).await.version;
    let path = format!("/api/v1/plans/{SLUG}/actions");
    for (body, field) in [
        (
            json!({"action": "set_status", "commitment": "KE9999", "milestone": 1, "status": "complete", "note": "x"}),
            "commitment",
        ),
        (
            json!({"action": "set_status", "commitment": "KENMS0005", "milestone": 9, "status": "complete", "note": "x"}),
            "milestone",
        ),
        (
            json!({"action": "set_status", "commitment": "KENMS0005", "milestone": 1, "status": "finished", "note": "x"}),
            "status",
        ),
        (
            json!({"action": "record_review", "body": "Multi-stakeholder steering committee", "held_on": "2030-01-10", "chair": "cso", "members": [{"name": "A", "side": "government"}]}),
            "held_on",
        ),
    ] {
        let (s, v) = api(app, "ogp", &path, body).await;
        assert_eq!(s, 422, "{v}");
        assert!(v.to_string().contains(field), "{field}: {v}");
    }
    let mut bad_plan: Value = json!({
        "plan": {"slug": "em-2026", "title": "EM plan", "government": "Elgeyo Marakwet County Government",
                 "level": "local", "country": "KE", "starts": "2026-01", "ends": "2027-12"},
        "commitment": [{"ogp_id": "EM0001", "title": "Feedback", "starts": "2026-01", "ends": "2027-12",
                        "lead": "Office of the Governor",
                        "milestone": [{"number": 1, "text": "A desk", "starts": "2025-03", "ends": "2026-06", "status": "not_started"}]}]
    });
    let (s, v) = api(app, "ogp", "/api/v1/plans", bad_plan.clone()).await;
    assert_eq!(s, 422, "{v}");
    assert!(v.to_string().contains("milestone.starts"), "{v}");
    bad_plan["commitment"][0]["milestone"][0]["starts"] = json!("2026-03");
    let (s, v) = api(app, "observer", "/api/v1/plans", bad_plan.clone()).await;
    assert_eq!(s, 403, "{v}");
    let (s, v) = api(app, "ogp", "/api/v1/plans", bad_plan).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(plan(app).await.version, before);
    let (s, _) = api(
        app,
        "observer",
        &path,
        json!({"action": "comment", "commitment": "KENMS0005", "milestone": 1, "text": "hi"}),
    )
    .await;
    assert_eq!(s, 403);

    // A citizen comments by SMS; the comment is a case, answered through the loop.
    let citizen = "+254722000333";
    assert_eq!(
        app.sms(
            "at-c-1",
            citizen,
            "MAONI KENMS0005 Publish the unit's budget too"
        )
        .await,
        StatusCode::OK
    );
    let cases = app
        .store
        .list_cases(&CaseFilter {
            subject: Some(Subject::Commitment("KENMS0005".into())),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    let case = cases[0].clone();
    let mut desk = Agent::signed_in(app, "desk").await;
    let shown = desk
        .get(&format!("/staff/cases/{}", case.number.digits()))
        .await;
    assert!(shown.body.contains("About commitment"), "{}", shown.body);
    let v: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/cases/{}",
            app.base,
            case.number.digits()
        ))
        .bearer_auth("bz_desk")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["subject"], "commitment:KENMS0005", "{v}");
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "medium"),
        ],
    )
    .await;
    let case = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, Status::Triaged);
    desk.act(
        &case,
        &[
            ("action", "respond"),
            (
                "text",
                "The unit's budget will be on the county website by January.",
            ),
        ],
    )
    .await;
    let case = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, Status::Responded);
    assert!(
        app.store
            .outbox_to(citizen, 10)
            .await
            .unwrap()
            .iter()
            .any(|e| matches!(&e.message.template, Template::Response { text, .. } if text.contains("county website")))
    );
    let (_, body) = public(app, &format!("/plans/{SLUG}/commitments/KENMS0005")).await;
    assert!(
        body.contains("Comments from citizens: 1 · answered: 1"),
        "{body}"
    );

    // Open data, the feed, and the whole record verified.
    let (s, csv) = public(app, "/plans/data/milestones.csv").await;
    assert_eq!(s, StatusCode::OK);
    assert!(csv.lines().count() >= 8, "{csv}");
    assert!(csv.contains("KENMS0005,2,"), "{csv}");
    let (s, _) = public(app, "/plans/data/reviews.json").await;
    assert_eq!(s, StatusCode::OK);
    let (s, feed) = public(app, "/plans/feed.atom").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"),
        "{feed}"
    );
    assert!(feed.contains("OGP unit gazetted"), "{feed}");
    let report = baraza_store::verify_journal(&*app.store, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.plans, 2);

    // Reminders: milestone 2 ends in March 2026, long past; milestone 1 ends May 2027.
    // Name the point of contact its owner, move to two weeks before its end: one
    // reminder, once, however often the job runs.
    let r = plan_act(
        app,
        &mut ogp,
        &[
            ("action", "set_owner"),
            ("commitment", "KENMS0005"),
            ("milestone", "1"),
            ("owner", "ogp"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let target: Timestamp = "2027-05-20T06:00:00Z".parse().unwrap();
    app.clock.advance(target - app.clock.now());
    let job = baraza_jobs::plans::MilestoneReminders::new(app.store.clone(), app.clock.clone());
    job.run_once().await.unwrap();
    job.run_once().await.unwrap();
    let reminders: Vec<_> = app
        .store
        .outbox_to("ogp@county.example", 20)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(&e.message.template, Template::MilestoneReminder { milestone, .. } if milestone == "1"))
        .collect();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
}

on_both!(
    an_action_plan_lives_in_public_with_evidence_proposals_reviews_and_comments,
    postgres_an_action_plan_lives_in_public_with_evidence_proposals_reviews_and_comments,
    register_end_to_end
);

/// Every role against every plan action, through the API and the console's page: the
/// government side's actions to the point of contact (and an administrator loading
/// plans), proposals to civil society, comments and reviews to both, approval to the
/// chair alone. A refusal is 403 and changes nothing; an allowed action is never 403.
async fn every_role_against_every_plan_action(app: &ConsoleApp) {
    load(app).await;
    let path = format!("/api/v1/plans/{SLUG}/actions");
    let (s, _) = api(
        app,
        "cso",
        &path,
        json!({"action": "propose", "commitment": "KENMS0005", "milestone": 1, "status": "in_progress", "note": "Seen"}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = api(
        app,
        "ogp",
        &path,
        json!({"action": "record_review", "body": "Multi-stakeholder steering committee", "held_on": "2026-11-20", "chair": "cso",
               "members": [{"name": "A. Otieno", "side": "civil_society"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let government = ["ogp", "admin"];
    let actions: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"action": "set_status", "commitment": "KENMS0005", "milestone": 2, "status": "stuck", "note": "x"}),
            government.to_vec(),
        ),
        (
            json!({"action": "add_evidence", "commitment": "KENMS0005", "milestone": 2, "note": "x", "links": ["https://example.org/x"]}),
            government.to_vec(),
        ),
        (
            json!({"action": "set_owner", "commitment": "KENMS0005", "milestone": 2, "owner": "ogp"}),
            government.to_vec(),
        ),
        (
            json!({"action": "assess", "commitment": "KENMS0005", "indicator": "verifiable", "value": "yes", "source": "IRM"}),
            government.to_vec(),
        ),
        (
            json!({"action": "answer", "proposal": 1, "text": "x"}),
            government.to_vec(),
        ),
        (
            json!({"action": "propose", "commitment": "KENMS0005", "milestone": 3, "status": "stuck", "note": "x"}),
            vec!["cso"],
        ),
        (
            json!({"action": "comment", "commitment": "KENMS0005", "milestone": 3, "text": "x"}),
            vec!["ogp", "admin", "cso"],
        ),
        (
            json!({"action": "record_review", "body": "Multi-stakeholder steering committee", "held_on": "2026-11-21", "chair": "ogp",
                   "members": [{"name": "B", "side": "government"}]}),
            vec!["ogp", "admin", "cso"],
        ),
        (
            json!({"action": "approve_review", "review": 1}),
            vec!["cso"],
        ),
    ];
    let mut checked = 0;
    for (who, user) in &app.users {
        let may_see = matches!(
            user.role,
            Role::OgpPointOfContact | Role::CivilSociety | Role::SystemAdministrator
        );
        let mut agent = Agent::signed_in(app, who).await;
        let page = agent.get(&format!("/staff/plans/{SLUG}")).await;
        assert_eq!(
            page.status == StatusCode::OK,
            may_see,
            "{who}: {}",
            page.status
        );
        for (body, allowed) in &actions {
            let before = plan(app).await.version;
            let (s, v) = api(app, who, &path, body.clone()).await;
            if allowed.contains(who) {
                assert_ne!(s, 403, "{who} refused {body}: {v}");
            } else {
                assert_eq!(s, 403, "{who} allowed {body}: {v}");
                assert_eq!(plan(app).await.version, before, "{who}: {body}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, app.users.len() * actions.len());
}

on_both!(
    every_role_meets_every_plan_action_as_the_register_says,
    postgres_every_role_meets_every_plan_action_as_the_register_says,
    every_role_against_every_plan_action
);
