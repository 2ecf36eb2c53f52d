//! Information requests end to end, on both backends: by SMS from request to answer; the
//! deemed refusal recorded once by two processes; a transfer; one extension and not two;
//! Ghana's internal review; publication with a redaction and a hidden message; bad input
//! that changes nothing; and the annual report against a count made from the journal.

use super::*;
use baraza_core::information::{Prominence, RequestFile, RequestState, ReviewStage};
use baraza_core::outbound::Template;
use serde_json::{Value, json};

const APPLICANT: &str = "+254722000111";

fn file(c: &Case) -> &RequestFile {
    c.request.as_deref().expect("an information request")
}

async fn requests(app: &ConsoleApp) -> Vec<Case> {
    app.store
        .list_cases(&CaseFilter {
            information: Some(true),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn current(app: &ConsoleApp, c: &Case) -> Case {
    app.store.case_by_number(c.number).await.unwrap().unwrap()
}

/// An action through the JSON API, as a staff member with a token.
async fn api_act(app: &ConsoleApp, who: &str, c: &Case, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/cases/{}/actions",
            app.base,
            c.number.digits()
        ))
        .bearer_auth(format!("bz_{who}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// File a request for an applicant through the API (the counter).
async fn api_file(app: &ConsoleApp, who: &str, body: Value) -> Case {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/information-requests", app.base))
        .bearer_auth(format!("bz_{who}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let n = CaseNumber::parse(v["number"].as_str().unwrap()).unwrap();
    app.store.case_by_number(n).await.unwrap().unwrap()
}

/// The templates of the messages queued for a number, oldest first.
async fn told(app: &ConsoleApp, to: &str) -> Vec<Template> {
    app.store
        .outbox_to(to, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.message.template)
        .collect()
}

async fn public(app: &ConsoleApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn sms_happy_path(app: &ConsoleApp) {
    assert_eq!(
        app.sms(
            "at-req-1",
            APPLICANT,
            "OMBI The list of bursary beneficiaries of Kamariny ward"
        )
        .await,
        StatusCode::OK
    );
    // The provider's retry changes nothing.
    app.sms(
        "at-req-1",
        APPLICANT,
        "OMBI The list of bursary beneficiaries of Kamariny ward",
    )
    .await;
    let all = requests(app).await;
    assert_eq!(all.len(), 1);
    let r = all[0].clone();
    assert_eq!(r.kind, CaseKind::InformationRequest);
    // Acknowledged at intake by the SMS that carries its reference, as on every channel.
    assert_eq!(file(&r).state, RequestState::Acknowledged);
    // 21 days from Monday 23 November: Monday 14 December, the end of the day.
    assert_eq!(file(&r).due_local, "2026-12-14");
    assert!(matches!(
        told(app, APPLICANT).await.as_slice(),
        [Template::RequestReceived { due, .. }] if due == "2026-12-14"
    ));

    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "ask_clarification", "text": "Which year: 2025/26 or 2026/27?"}),
    )
    .await;
    assert_eq!(s, 200);
    // Three days later the applicant answers by SMS: the clock stopped meanwhile.
    app.clock.advance(chrono::Duration::days(3));
    app.sms("at-req-2", APPLICANT, "2025/26 please").await;
    let r = current(app, &r).await;
    assert_eq!(file(&r).state, RequestState::Acknowledged);
    assert_eq!(file(&r).due_local, "2026-12-17");

    let (s, body) = api_act(
        app,
        "information",
        &r,
        json!({"action": "decide", "decision": "granted", "reasons": "Bursary awards are public."}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    // The document, kept by its SHA-256, then given with the answer.
    let bytes = b"name,school,amount\nA. K.,Kamariny Sec,15000\n";
    let doc: Value = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/documents?filename=bursaries-2025.csv",
            app.base
        ))
        .bearer_auth("bz_information")
        .header("content-type", "text/csv")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sha = doc["sha256"].as_str().unwrap().to_owned();
    assert!(app.media.path().join("media").join(&sha).exists());
    let (s, body) = api_act(
        app,
        "information",
        &r,
        json!({"action": "provide", "text": "The list is attached.", "documents": [doc]}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["case"]["request"]["state"], "provided");
    let (s, _) = api_act(app, "information", &r, json!({"action": "close"})).await;
    assert_eq!(s, 200);
    app.sms("at-req-3", APPLICANT, "HALI").await;

    let mut kinds: Vec<&str> = told(app, APPLICANT).await.iter().map(|t| t.id()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "reply-noted",
            "request-clarification",
            "request-decided",
            "request-provided",
            "request-received",
            "request-status"
        ]
    );
    // In public: the correspondence and the document, and nothing of the applicant.
    let (status, page) = public(app, &format!("/information/{}", r.number.digits())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("bursary beneficiaries of Kamariny"), "{page}");
    assert!(page.contains("2025/26 please"));
    assert!(page.contains("bursaries-2025.csv"));
    assert!(!page.contains("722000111") && !page.contains("0722 000"));
    let (status, got) = public(
        app,
        &format!("/information/{}/documents/{sha}", r.number.digits()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got.as_bytes(), bytes);
    // The journal verifies with the request's own events in it.
    let events = app.store.case_events(r.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::InformationProvided)
    );
}

async fn deemed_refusal(app: &ConsoleApp) {
    let r = api_file(
        app,
        "information",
        json!({"channel": "counter", "description": "Minutes of the Keiyo North ward development committee, 2026",
               "citizen": {"phone": "0722 000 222"}}),
    )
    .await;
    let second = app.second_store().await;
    let one = baraza_jobs::information::DeemedRefusals::new(app.store.clone(), app.clock.clone());
    let two = baraza_jobs::information::DeemedRefusals::new(second, app.clock.clone());
    // Not before the due date.
    app.clock.advance(chrono::Duration::days(20));
    assert_eq!(one.run_once().await.unwrap(), 0);
    // Then once, however many processes run the job.
    app.clock.advance(chrono::Duration::days(2));
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(one.run_once().await.unwrap(), 0);
    let r = current(app, &r).await;
    assert_eq!(file(&r).state, RequestState::DeemedRefused);
    let events = app.store.case_events(r.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::DeemedRefused)
            .count(),
        1
    );
    // The applicant is told how to seek review; the head of the body is told it happened.
    assert!(
        told(app, "+254722000222")
            .await
            .iter()
            .any(|t| matches!(t, Template::RequestDeemedRefused { review, .. } if review.contains("Commission on Administrative Justice")))
    );
    assert!(
        told(app, "executive@county.example")
            .await
            .iter()
            .any(|t| matches!(t, Template::StaffDeemedRefused { .. }))
    );
    // Late, it shows as overdue; the officer may still decide.
    let (_, page) = public(app, "/information?late=overdue").await;
    assert!(page.contains(&r.number.display_with("EM")), "{page}");
    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "decide", "decision": "granted", "reasons": "Late, but public."}),
    )
    .await;
    assert_eq!(s, 200);
    // The applicant applies for review by SMS; a stranger cannot for them.
    let digits = r.number.digits();
    app.sms(
        "at-review-0",
        "+254722000999",
        &format!("REVIEW {digits} not mine"),
    )
    .await;
    assert_eq!(file(&current(app, &r).await).state, RequestState::Decided);
    app.sms(
        "at-review-1",
        "+254722000222",
        &format!("MAPITIO {digits} The minutes were due weeks ago"),
    )
    .await;
    let r = current(app, &r).await;
    assert_eq!(file(&r).state, RequestState::UnderReview);
    assert_eq!(
        file(&r).reviews[0].grounds,
        "The minutes were due weeks ago"
    );
}

async fn transfer_and_extension(app: &ConsoleApp) {
    let r = api_file(
        app,
        "information",
        json!({"channel": "counter", "description": "Traffic counts on the Iten-Kabarnet highway",
               "citizen": {"phone": "+254722000333"}}),
    )
    .await;
    app.clock.advance(chrono::Duration::days(2));
    let (s, body) = api_act(
        app,
        "information",
        &r,
        json!({"action": "transfer", "to": "Kenya National Highways Authority", "reason": "A national road: KeNHA holds the counts."}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["case"]["request"]["state"], "transferred");
    assert_eq!(body["event"]["data"]["within_time"], true);
    assert!(
        told(app, "+254722000333")
            .await
            .iter()
            .any(|t| matches!(t, Template::RequestTransferred { to, .. } if to.contains("KeNHA") || to.contains("Highways")))
    );

    let r = api_file(
        app,
        "information",
        json!({"channel": "counter", "description": "All road contracts of 2024/25 with their payments"}),
    )
    .await;
    let due = file(&r).due;
    let (s, body) = api_act(
        app,
        "information",
        &r,
        json!({"action": "extend", "reason": "Large volume: forty contracts."}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let r = current(app, &r).await;
    assert_eq!(file(&r).due, due + chrono::Duration::days(14));
    let before = r.version;
    let (s, body) = api_act(
        app,
        "information",
        &r,
        json!({"action": "extend", "reason": "Still reconciling."}),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    assert_eq!(body["code"], "already_extended");
    assert_eq!(current(app, &r).await.version, before);
}

/// A Ghanaian assembly on the same server, with an RTI officer (`bz_rti.officer`) and
/// its chief executive (`bz_mce`).
async fn ghana(app: &ConsoleApp) -> JurisdictionId {
    // A Ghanaian assembly on the same server: Act 989's clock and review ladder.
    let gh = JurisdictionId::parse("sekondi-takoradi").unwrap();
    let mut j = Jurisdiction {
        id: gh.clone(),
        name: "Sekondi-Takoradi Metropolitan Assembly".into(),
        reference_prefix: "ST".into(),
        levels: vec!["metropolis".into()],
        country: "GH".into(),
        default_language: Language::English,
        timezone: "Africa/Accra".into(),
        policy: Default::default(),
        open_contracting: None,
        ward_map: None,
    };
    j.policy.information = baraza_core::information::InformationPolicy::ghana();
    app.store.put_jurisdiction(&j).await.unwrap();
    app.store
        .put_areas(&[Area {
            jurisdiction: gh.clone(),
            code: AreaCode("stma".into()),
            name: "Sekondi-Takoradi".into(),
            depth: 0,
            parent: None,
        }])
        .await
        .unwrap();
    for (name, role) in [
        ("rti.officer", Role::InformationOfficer),
        ("mce", Role::CountyExecutive),
    ] {
        let mut u = fixtures::user(name, role, Scope::Jurisdiction);
        u.jurisdiction = gh.clone();
        app.store.add_user(&u).await.unwrap();
        let secret = format!("bz_{name}");
        app.store
            .add_token(&ApiToken {
                id: uuid::Uuid::new_v4(),
                user: u.id,
                name: "test".into(),
                secret_sha256: TokenSecret::from_presented(&secret).sha256_hex(),
                created_at: fixtures::now(),
                revoked_at: None,
            })
            .await
            .unwrap();
    }
    gh
}

async fn internal_review(app: &ConsoleApp) {
    ghana(app).await;
    let r = api_file(
        app,
        "rti.officer",
        json!({"channel": "counter", "description": "The assembly's 2026 procurement plan",
               "citizen": {"phone": "024 123 4567"}}),
    )
    .await;
    // Ghana: 14 days.
    assert_eq!(
        file(&r).due_local,
        (monday_morning() + chrono::Duration::days(14))
            .format("%Y-%m-%d")
            .to_string()
    );
    let steps: [(&str, Value); 4] = [
        (
            "rti.officer",
            json!({"action": "decide", "decision": "not_held", "reasons": "The plan is not yet adopted."}),
        ),
        (
            "rti.officer",
            json!({"action": "ask_review", "grounds": "The draft plan is held by the procurement unit."}),
        ),
        (
            "mce",
            json!({"action": "decide_review", "outcome": "upheld", "text": "Only the adopted plan is the assembly's."}),
        ),
        (
            "rti.officer",
            json!({"action": "ask_review", "grounds": "Applying to the RTI Commission."}),
        ),
    ];
    for (who, body) in steps {
        let (s, out) = api_act(app, who, &r, body.clone()).await;
        assert_eq!(s, 200, "{who} {body}: {out}");
    }
    let r = current(app, &r).await;
    let f = file(&r);
    assert_eq!(f.state, RequestState::UnderReview);
    assert_eq!(
        f.reviews.iter().map(|r| r.stage).collect::<Vec<_>>(),
        [ReviewStage::Internal, ReviewStage::Commission]
    );
    assert_eq!(
        f.reviews[0].outcome,
        Some(baraza_core::information::ReviewOutcome::Upheld)
    );
    // The Commission overturns: the assembly decides again, within a fresh period.
    let (s, out) = api_act(
        app,
        "rti.officer",
        &r,
        json!({"action": "decide_review", "outcome": "overturned", "text": "The draft is information held."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["case"]["request"]["state"], "acknowledged");
    // Elgeyo Marakwet's officer cannot reach Sekondi-Takoradi's request.
    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "note", "text": "x"}),
    )
    .await;
    assert_eq!(s, 404);
}

async fn publication(app: &ConsoleApp) {
    let r = api_file(
        app,
        "information",
        json!({"channel": "counter",
               "description": "The minutes where Kiprop Kibet, the ward clerk, approved the 2025 bursaries. Call me on 0722 000 444.",
               "citizen": {"phone": "0722 000 444", "name": "Wanjiru Njeri"}}),
    )
    .await;
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "decide", "decision": "granted_in_part", "exemption": "s.6(1)(d)",
               "reasons": "The minutes are given; the pupils' names and Kiprop Kibet's home address are withheld."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let decided_seq = out["event"]["seq"].as_i64().unwrap();
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "note", "text": "Kiprop Kibet asked to be consulted."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let path = format!("/information/{}", r.number.digits());
    let (_, page) = public(app, &path).await;
    assert!(page.contains("[name removed]"), "{page}");
    for secret in [
        "Kiprop",
        "0722 000",
        "Wanjiru",
        "Njeri",
        "asked to be consulted",
    ] {
        assert!(!page.contains(secret), "{secret} in {page}");
    }
    assert!(page.contains("s.6(1)(d)"));
    // A search finds what is published, never what a redaction or the mask took out.
    let (_, found) = public(app, "/information?q=bursaries").await;
    assert!(found.contains(&r.number.digits()));
    for hidden in ["Kiprop", "0722000444", "Wanjiru"] {
        let (_, found) = public(app, &format!("/information?q={hidden}")).await;
        assert!(!found.contains(&r.number.digits()), "{hidden} found it");
    }
    // Hiding a message needs a reason; with one, it is gone from the public page.
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "set_prominence", "prominence": "hidden", "event": decided_seq}),
    )
    .await;
    assert_eq!(s, 422, "{out}");
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "set_prominence", "prominence": "hidden", "event": decided_seq,
               "reason": "The reasons name a pupil's family."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    let (_, page) = public(app, &path).await;
    assert!(!page.contains(&format!("id=\"m{decided_seq}\"")), "{page}");
    assert!(page.contains("bursaries"));
    // Unlisted: out of the list, still at its address; hidden: gone.
    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "set_prominence", "prominence": "unlisted", "reason": "Names a staff member."}),
    )
    .await;
    assert_eq!(s, 200);
    let (_, list) = public(app, "/information").await;
    assert!(!list.contains(&r.number.digits()));
    let (_, json) = public(app, "/information/requests.json").await;
    assert!(!json.contains(&r.number.digits()), "{json}");
    assert_eq!(public(app, &path).await.0, StatusCode::OK);
    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "set_prominence", "prominence": "hidden", "reason": "Court order."}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(public(app, &path).await.0, StatusCode::NOT_FOUND);
    // Nor does Open311 show it, by id or in its list: requests are no service requests.
    let open311 = format!("/open311/v2/requests/{}.json", r.number.digits());
    assert_eq!(public(app, &open311).await.0, StatusCode::NOT_FOUND);
    let (_, list) = public(app, "/open311/v2/requests.json").await;
    assert!(!list.contains(&r.number.digits()));
    let f = file(&current(app, &r).await).clone();
    assert_eq!(f.prominence, Prominence::Hidden);
    assert_eq!(
        f.message_prominence.get(&decided_seq),
        Some(&Prominence::Hidden)
    );
}

async fn bad_input(app: &ConsoleApp) {
    let r = api_file(
        app,
        "information",
        json!({"channel": "counter", "description": "Health facility staffing lists"}),
    )
    .await;
    let unchanged = |before: &Case, after: &Case| assert_eq!(before.version, after.version);
    let before = current(app, &r).await;
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "decide", "decision": "refused", "reasons": "Personnel files."}),
    )
    .await;
    assert_eq!(s, 422, "{out}");
    assert!(out.to_string().contains("exemption"), "{out}");
    unchanged(&before, &current(app, &r).await);
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "decide", "decision": "refused", "reasons": "x", "exemption": "s.99"}),
    )
    .await;
    assert_eq!(s, 422, "{out}");
    // A concern's action on a request, and a request's action on a concern.
    let (s, out) = api_act(app, "desk", &r, json!({"action": "start"})).await;
    assert!(s == 403 || s == 409, "{s} {out}");
    let concern = app.file("0741", "+254722000555").await;
    let (s, out) = api_act(
        app,
        "desk",
        &concern,
        json!({"action": "extend", "reason": "x"}),
    )
    .await;
    assert_eq!(s, 403, "{out}");
    // After closing, nothing more but notes.
    for body in [
        json!({"action": "decide", "decision": "not_held", "reasons": "We hold no such list."}),
        json!({"action": "close"}),
    ] {
        let (s, out) = api_act(app, "information", &r, body).await;
        assert_eq!(s, 200, "{out}");
    }
    let closed = current(app, &r).await;
    for body in [
        json!({"action": "extend", "reason": "late"}),
        json!({"action": "provide", "text": "here"}),
        json!({"action": "decide", "decision": "granted", "reasons": "changed our mind"}),
    ] {
        let (s, out) = api_act(app, "information", &r, body.clone()).await;
        assert_eq!(s, 409, "{body}: {out}");
        assert!(
            out["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("closed"),
            "{out}"
        );
    }
    unchanged(&closed, &current(app, &r).await);
    // A second extension, on a fresh request: 409, as above; unknown fields: 422.
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "note", "text": "filed", "grounds": "x"}),
    )
    .await;
    assert_eq!(s, 422, "{out}");
}

async fn report(app: &ConsoleApp) {
    // Five requests, worked differently.
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(
            api_file(
                app,
                "information",
                json!({"channel": if i % 2 == 0 {"counter"} else {"api"},
                       "description": format!("Request number {i} about ward budgets")}),
            )
            .await,
        );
    }
    let decide = |d: &str, ex: Option<&str>| {
        let mut v = json!({"action": "decide", "decision": d, "reasons": "As the law says."});
        if let Some(e) = ex {
            v["exemption"] = json!(e);
        }
        v
    };
    for (r, body) in [
        (&all[0], decide("granted", None)),
        (&all[1], decide("refused", Some("s.6(1)(d)"))),
        (&all[2], decide("refused", Some("s.6(1)(e)"))),
        (&all[3], json!({"action": "extend", "reason": "Volume."})),
    ] {
        let (s, out) = api_act(app, "information", r, body).await;
        assert_eq!(s, 200, "{out}");
    }
    let (s, out) = api_act(
        app,
        "information",
        &all[1],
        json!({"action": "ask_review", "grounds": "Public interest."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    // Past both due dates (14 and 28 December), still in 2026.
    app.clock.advance(chrono::Duration::days(36));
    baraza_jobs::information::DeemedRefusals::new(app.store.clone(), app.clock.clone())
        .run_once()
        .await
        .unwrap();

    // The officer's report, as CSV, for the year.
    let mut agent = Agent::signed_in(app, "information").await;
    let csv = agent
        .get("/staff/information/report?from=2026-01-01&to=2026-12-31&format=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let figure = |section: &str, item: &str| -> u64 {
        csv.body
            .lines()
            .find(|l| l.starts_with(&format!("{section},{item},")))
            .and_then(|l| l.rsplit(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    // The same figures, counted directly from the journal.
    let mut counted: HashMap<String, u64> = HashMap::new();
    let mut exemptions: HashMap<String, u64> = HashMap::new();
    for r in requests(app).await {
        for e in app.store.case_events(r.id).await.unwrap() {
            *counted.entry(e.kind.as_str().to_owned()).or_default() += 1;
            if e.kind == EventKind::RequestDecided {
                let d = e.data();
                *counted
                    .entry(format!("decision:{}", d["decision"].as_str().unwrap()))
                    .or_default() += 1;
                if let Some(x) = d["exemption"].as_str() {
                    *exemptions.entry(x.to_owned()).or_default() += 1;
                }
            }
        }
    }
    let c = |k: &str| counted.get(k).copied().unwrap_or(0);
    assert_eq!(figure("requests", "received"), c("case.received"));
    assert_eq!(figure("requests", "received"), 5);
    assert_eq!(figure("decisions", "granted"), c("decision:granted"));
    assert_eq!(figure("decisions", "refused"), c("decision:refused"));
    assert_eq!(figure("decisions", "refused"), 2);
    assert_eq!(
        figure("decisions", "deemed refused (no decision in time)"),
        c("request.deemed_refused")
    );
    assert_eq!(c("request.deemed_refused"), 2);
    assert_eq!(figure("requests", "extended"), c("request.extended"));
    assert_eq!(
        figure("refusals by exemption", "s.6(1)(d)"),
        exemptions["s.6(1)(d)"]
    );
    assert_eq!(
        figure("refusals by exemption", "s.6(1)(e)"),
        exemptions["s.6(1)(e)"]
    );
    assert_eq!(
        figure("reviews applied for", "commission"),
        c("request.review_asked")
    );
    // The public figures agree.
    let (_, stats) = public(app, "/information/statistics?year=2026").await;
    assert!(stats.contains("id=\"received\">5<"), "{stats}");
    assert!(stats.contains("id=\"decided\">3<"), "{stats}");
    // And on the dashboard: three decisions in time of five (two deemed refused).
    let (_, dashboard) = public(app, "/dashboard").await;
    assert!(
        dashboard.contains("id=\"information-on-time\">60%<"),
        "{dashboard}"
    );
    assert!(dashboard.contains("s.6(1)(d): 1"), "{dashboard}");
}

on_both!(
    an_information_request_by_sms_from_request_to_answer,
    postgres_an_information_request_by_sms_from_request_to_answer,
    sms_happy_path
);
on_both!(
    the_clock_deems_a_request_refused_once_with_two_processes,
    postgres_the_clock_deems_a_request_refused_once_with_two_processes,
    deemed_refusal
);
on_both!(
    a_transfer_and_one_extension_not_two,
    postgres_a_transfer_and_one_extension_not_two,
    transfer_and_extension
);
on_both!(
    ghana_internal_review_then_the_commission,
    postgres_ghana_internal_review_then_the_commission,
    internal_review
);
on_both!(
    published_with_redactions_and_a_hidden_message,
    postgres_published_with_redactions_and_a_hidden_message,
    publication
);
on_both!(
    bad_information_actions_change_nothing,
    postgres_bad_information_actions_change_nothing,
    bad_input
);
on_both!(
    the_annual_report_counts_what_the_journal_holds,
    postgres_the_annual_report_counts_what_the_journal_holds,
    report
);

/// The proactive disclosure log: a late class shows as overdue; citizens follow it by SMS
/// and on the web; the officer records a publication with its document, and each
/// follower is told once; STOP ends it; only the officer records.
async fn disclosure_log(app: &ConsoleApp) {
    let (_, page) = public(app, "/information/disclosures").await;
    let budget = &page[page.find("id=\"class-budget\"").unwrap()..];
    let budget = &budget[..budget.find("</section>").unwrap()];
    assert!(budget.contains("overdue"), "{budget}");
    let minutes = &page[page.find("id=\"class-minutes\"").unwrap()..];
    assert!(!minutes[..minutes.find("</section>").unwrap()].contains("overdue"));

    // Follow by SMS, in Kiswahili; an unknown class lists the ones there are.
    app.sms("at-follow-1", "+254722000666", "FUATA budget")
        .await;
    app.sms("at-follow-2", "+254722000777", "FOLLOW roads")
        .await;
    assert!(matches!(
        told(app, "+254722000666").await.as_slice(),
        [Template::Following { class }] if class == "County budget estimates"
    ));
    assert!(matches!(
        told(app, "+254722000777").await.as_slice(),
        [Template::FollowUnknown { classes, .. }] if classes == "budget, minutes, audit"
    ));
    // And on the web, with an email address.
    let mut web = Agent::new(app);
    let form = web.get("/information/disclosures").await;
    let csrf = form.csrf();
    let done = web
        .post(
            "/information/disclosures/follow",
            &[
                ("csrf", &csrf),
                ("class", "budget"),
                ("contact", "reader@example.org"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You will be told"), "{}", done.body);
    let csrf = done.csrf();
    let bad = web
        .post(
            "/information/disclosures/follow",
            &[
                ("csrf", &csrf),
                ("class", "budget"),
                ("contact", "not a number"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Only the information officer records publications.
    let record = |agent: &Agent, csrf: String, title: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("class", "budget")
            .text("title", title.to_owned())
            .text("period", "2026/27")
            .text("published_on", "2026-11-23")
            .part(
                "document",
                reqwest::multipart::Part::bytes(b"department,kes\nWater,1\n".to_vec())
                    .file_name("budget-2026-27.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        agent
            .http
            .post(format!(
                "{}/staff/information/disclosures/publish",
                app.base
            ))
            .header(COOKIE, agent.cookie_header())
            .multipart(form)
            .send()
    };
    let mut desk = Agent::signed_in(app, "desk").await;
    let csrf = desk.get("/staff/information/disclosures").await.csrf();
    let refused = record(&desk, csrf, "Budget 2026/27").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let mut officer = Agent::signed_in(app, "information").await;
    let csrf = officer.get("/staff/information/disclosures").await.csrf();
    let done = record(&officer, csrf, "Budget estimates 2026/27")
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);

    // Each follower is told once; the class is on time now; the document is served.
    let published = |t: &Template| matches!(t, Template::DisclosurePublished { title, .. } if title == "Budget estimates 2026/27");
    assert_eq!(
        told(app, "+254722000666")
            .await
            .iter()
            .filter(|t| published(t))
            .count(),
        1
    );
    assert_eq!(
        told(app, "reader@example.org")
            .await
            .iter()
            .filter(|t| published(t))
            .count(),
        1
    );
    let (_, page) = public(app, "/information/disclosures").await;
    let budget = &page[page.find("id=\"class-budget\"").unwrap()..];
    let budget = &budget[..budget.find("</section>").unwrap()];
    assert!(!budget.contains("overdue"), "{budget}");
    assert!(
        budget.contains("2027-06-30"),
        "the next is due next June: {budget}"
    );
    let href = budget
        .split("href=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .unwrap()
        .to_owned();
    let (status, got) = public(app, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, "department,kes\nWater,1\n");

    // The reader's record lists what they follow (right of access), though they filed
    // nothing.
    let subject = baraza_app::rights::access(&*app.store, &*app.clock, "reader@example.org")
        .await
        .unwrap();
    assert!(subject.citizens.is_empty());
    assert_eq!(subject.following.len(), 1);
    assert_eq!(subject.following[0].class, "budget");
    // STOP: no more news to that number.
    app.sms("at-follow-3", "+254722000666", "STOP").await;
    let csrf = officer.get("/staff/information/disclosures").await.csrf();
    record(&officer, csrf, "Budget estimates 2026/27, revised")
        .await
        .unwrap();
    assert!(!told(app, "+254722000666").await.iter().any(
        |t| matches!(t, Template::DisclosurePublished { title, .. } if title.contains("revised"))
    ));
    assert!(told(app, "reader@example.org").await.iter().any(
        |t| matches!(t, Template::DisclosurePublished { title, .. } if title.contains("revised"))
    ));
    assert_eq!(
        app.store
            .publications(&fixtures::jurisdiction_id())
            .await
            .unwrap()
            .len(),
        2
    );
}

on_both!(
    the_disclosure_log_shows_what_is_late_and_tells_its_followers,
    postgres_the_disclosure_log_shows_what_is_late_and_tells_its_followers,
    disclosure_log
);

/// Email, through a real SMTP conversation with the listener on a port: a request to
/// `information@`, the same message delivered twice, the applicant's reply to the case's
/// own address (which restarts the clock), a stranger's reply, a concern to another
/// address of the domain, and a recipient at another domain refused.
async fn email(app: &ConsoleApp) {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let state = baraza_web::AppState::new(app.store.clone(), app.clock.clone())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(baraza_channels::inbound_email::serve(
        listener,
        "baraza.test".into(),
        "baraza.test".into(),
        Arc::new(baraza_web::webhooks::email::Inbox {
            state,
            jurisdiction: fixtures::jurisdiction_id(),
        }),
    ));
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .build();
    let mail = |from: &str, to: &str, id: &str, subject: &str, body: &str| {
        Message::builder()
            .from(from.parse().unwrap())
            .to(to.parse().unwrap())
            .message_id(Some(id.to_owned()))
            .subject(subject)
            .body(body.to_owned())
            .unwrap()
    };
    let ask = mail(
        "Wanjiku <wanjiku@example.org>",
        "information@baraza.test",
        "<ask-1@example.org>",
        "Bursary list",
        "Please send the 2025 bursary list of Kamariny ward.",
    );
    smtp.send(ask.clone()).await.unwrap();
    smtp.send(ask).await.unwrap();
    let all = requests(app).await;
    assert_eq!(all.len(), 1, "one message, delivered twice, is one request");
    let r = all[0].clone();
    assert_eq!(r.channel, Channel::Email);
    assert!(
        r.description.starts_with("Bursary list"),
        "{}",
        r.description
    );
    assert!(matches!(
        told(app, "wanjiku@example.org").await.as_slice(),
        [Template::RequestReceived { .. }]
    ));
    let (s, _) = api_act(
        app,
        "information",
        &r,
        json!({"action": "ask_clarification", "text": "Which year?"}),
    )
    .await;
    assert_eq!(s, 200);
    let case_address = format!("case-{}@baraza.test", r.number.digits());
    smtp.send(mail(
        "wanjiku@example.org",
        &case_address,
        "<reply-1@example.org>",
        "Re: Your request",
        "2025/26 please.\n\nOn Mon, 23 Nov 2026, Baraza wrote:\n> Which year?\n",
    ))
    .await
    .unwrap();
    let r = current(app, &r).await;
    assert_eq!(file(&r).state, RequestState::Acknowledged);
    let events = app.store.case_events(r.id).await.unwrap();
    let reply = events
        .iter()
        .rfind(|e| e.kind == EventKind::CitizenReplied)
        .unwrap();
    assert_eq!(reply.data()["text"], "2025/26 please.");
    // Someone else writing to the case's address does not speak for the applicant.
    smtp.send(mail(
        "stranger@example.net",
        &case_address,
        "<reply-2@example.net>",
        "Re: Your request",
        "Close this request.",
    ))
    .await
    .unwrap();
    assert_eq!(current(app, &r).await.version, r.version);
    // Any other address of the domain takes a concern.
    smtp.send(mail(
        "otieno@example.org",
        "feedback@baraza.test",
        "<concern-1@example.org>",
        "No water",
        "The Kamariny borehole is dry.",
    ))
    .await
    .unwrap();
    let concerns = app
        .store
        .list_cases(&CaseFilter {
            information: Some(false),
            channel: Some(Channel::Email),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(concerns.len(), 2, "the stranger's and Otieno's");
    // By email too: FOLLOW a class of the disclosure log, then STOP in reply.
    smtp.send(mail(
        "reader@example.org",
        "feedback@baraza.test",
        "<follow-1@example.org>",
        "",
        "FOLLOW minutes",
    ))
    .await
    .unwrap();
    assert_eq!(
        app.store
            .followed_by("reader@example.org")
            .await
            .unwrap()
            .len(),
        1
    );
    smtp.send(mail(
        "reader@example.org",
        "feedback@baraza.test",
        "<stop-1@example.org>",
        "Re: Published by the county",
        "STOP\n\nOn Tue, Baraza wrote:\n> Published by the county",
    ))
    .await
    .unwrap();
    assert!(
        app.store
            .followed_by("reader@example.org")
            .await
            .unwrap()
            .is_empty()
    );
    // A machine's answer (an auto-reply, a bounce) is stored and never answered.
    let before = app
        .store
        .list_cases(&CaseFilter {
            channel: Some(Channel::Email),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    let envelope = lettre::address::Envelope::new(
        Some("away@example.org".parse().unwrap()),
        vec!["feedback@baraza.test".parse().unwrap()],
    )
    .unwrap();
    smtp.send_raw(
        &envelope,
        b"From: away@example.org\r\nTo: feedback@baraza.test\r\nSubject: Out of office\r\n\
Auto-Submitted: auto-replied\r\nMessage-ID: <away-1@example.org>\r\n\r\nI am away until Monday.\r\n",
    )
    .await
    .unwrap();
    let after = app
        .store
        .list_cases(&CaseFilter {
            channel: Some(Channel::Email),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "no case from an auto-reply");
    assert!(told(app, "away@example.org").await.is_empty());
    // This is no open relay.
    let refused = smtp
        .send(mail(
            "spam@example.com",
            "someone@elsewhere.example",
            "<relay@example.com>",
            "Hi",
            "relay me",
        ))
        .await;
    assert!(refused.is_err());
    server.abort();
}

on_both!(
    email_reaches_requests_and_concerns_through_a_real_smtp_listener,
    postgres_email_reaches_requests_and_concerns_through_a_real_smtp_listener,
    email
);

/// A request transferred to a body that is on this server opens there, for the same
/// applicant, its clock running from the first receipt.
async fn transfer_on_this_server(app: &ConsoleApp) {
    let gh = ghana(app).await;
    let received = app.clock.now();
    let r = api_file(
        app,
        "information",
        json!({"channel": "counter", "description": "Sekondi-Takoradi's 2026 procurement plan",
               "citizen": {"phone": "0722 000 888"}}),
    )
    .await;
    app.clock.advance(chrono::Duration::days(3));
    let (s, out) = api_act(
        app,
        "information",
        &r,
        json!({"action": "transfer", "to": "Sekondi-Takoradi Metropolitan Assembly",
               "reason": "The assembly holds its own plan."}),
    )
    .await;
    assert_eq!(s, 200, "{out}");
    assert_eq!(out["event"]["kind"], "request.transferred");
    let there = app
        .store
        .list_cases(&CaseFilter {
            jurisdiction: Some(gh),
            information: Some(true),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(there.len(), 1);
    let f = file(&there[0]);
    assert_eq!(
        f.received_at, received,
        "the clock runs from the first receipt"
    );
    assert_eq!(
        f.due_local,
        (received + chrono::Duration::days(14))
            .format("%Y-%m-%d")
            .to_string()
    );
    // The applicant hears from the assembly, with its own reference.
    assert!(told(app, "+254722000888").await.iter().any(
        |t| matches!(t, Template::RequestReceived { reference, .. } if reference.starts_with("ST-"))
    ));
    // The original says where it went; a retried transfer opens nothing twice.
    let events = app.store.case_events(r.id).await.unwrap();
    assert!(events.iter().any(|e| {
        e.kind == EventKind::NoteAdded
            && e.data()["text"]
                .as_str()
                .unwrap_or_default()
                .contains("ST-")
    }));
    let state = baraza_web::AppState::new(app.store.clone(), app.clock.clone())
        .await
        .unwrap();
    let officer = &app.users["information"];
    let target = state
        .app()
        .jurisdiction_named("sekondi-takoradi", &officer.jurisdiction)
        .await
        .unwrap()
        .unwrap();
    let original = current(app, &r).await;
    state
        .app()
        .open_transferred(officer, Channel::Api, &original, &target)
        .await
        .unwrap();
    let again = app
        .store
        .list_cases(&CaseFilter {
            jurisdiction: Some(target.id.clone()),
            information: Some(true),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}

on_both!(
    a_transfer_to_a_body_on_this_server_opens_there_on_the_first_receipts_clock,
    postgres_a_transfer_to_a_body_on_this_server_opens_there_on_the_first_receipts_clock,
    transfer_on_this_server
);

/// The register pages 20 at a time, keeping its filters, and each page stays small.
async fn register_pages(app: &ConsoleApp) {
    for i in 0..22 {
        api_file(
            app,
            "information",
            json!({"channel": "counter", "description": format!("Ward budget question number {i}")}),
        )
        .await;
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let (_, first) = public(app, "/information?q=budget").await;
    assert_eq!(first.matches("class=\"case\"").count(), 20);
    assert!(first.len() < 30 * 1024, "{} bytes", first.len());
    let more = first
        .split("id=\"more\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(
        more.contains("q=budget") && more.contains("after="),
        "{more}"
    );
    let (status, second) = public(app, &more).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second.matches("class=\"case\"").count(), 2, "{more}");
    assert!(second.contains("number 0") && !second.contains("id=\"more\""));
    let (status, _) = public(app, "/information?after=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both!(
    the_register_pages_twenty_at_a_time,
    postgres_the_register_pages_twenty_at_a_time,
    register_pages
);
