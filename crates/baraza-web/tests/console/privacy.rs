//! The personal-data sweep: cases filed with a citizen's name, phone number and email
//! address on SMS, USSD, the web form, the JSON API, the console's intake and Open311, then
//! every answer read as every role and as the public: API lists and cases, console queues,
//! case pages and overview, the tracking page, the registry, the dashboard, open data and
//! Open311. Each audience may see only what the privacy projection allows it.

use super::*;
use serde_json::Value;

const NAME: &str = "Mary Chebet";
/// The contacts on the citizen record (never shown outside a journaled reveal).
const PHONE: &str = "+254722111222";
const EMAIL: &str = "mary.chebet@example.org";
/// What the citizen wrote in their own words: their name, their number in local form,
/// another address.
const WORDS: &str = "Call me on 0722 111 222 or mary@example.com - Mary Chebet. The borehole pump at Kamariny is broken";

/// Strings that identify Mary: none may reach an observer or the public.
const IDENTIFYING: &[&str] = &[
    "Mary",
    "Chebet",
    "0722 111 222",
    "722111222",
    "722 111 222",
    "mary@example.com",
    "mary.chebet@example.org",
];

/// Strings only a journaled reveal may show to staff: the record's contacts in clear.
const CONTACTS: &[&str] = &["+254722111222", "254722111222", "mary.chebet@example.org"];

fn assert_none(body: &str, forbidden: &[&str], who: &str, what: &str) {
    for f in forbidden {
        assert!(
            !body.contains(f),
            "{who} reads {f:?} in {what}:\n{}",
            &body[body.find(f).unwrap_or(0).saturating_sub(200)..]
                .chars()
                .take(400)
                .collect::<String>()
        );
    }
}

/// File Mary's concern on every channel this server takes; returns the case numbers.
async fn file_everywhere(app: &ConsoleApp) -> Vec<CaseNumber> {
    let http = reqwest::Client::new();
    let mut numbers = Vec::new();
    // SMS, through Africa's Talking's webhook.
    assert_eq!(app.sms("ATXpd1", PHONE, WORDS).await, StatusCode::OK);
    let by_sms = app
        .store
        .list_cases(&CaseFilter {
            channel: Some(Channel::Sms),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    numbers.push(by_sms.number);
    // The JSON API, at the counter on Mary's behalf.
    let r = http
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth("bz_desk")
        .json(&serde_json::json!({
            "kind": "complaint", "channel": "counter", "ward": "0742",
            "category": "water-supply", "description": WORDS,
            "location": {"lat": 0.6702, "lon": 35.5081},
            "citizen": {"name": NAME, "phone": PHONE, "email": EMAIL, "consent_publish": false}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    numbers.push(CaseNumber::parse(v["number"].as_str().unwrap()).unwrap());
    // The console's intake form.
    let mut desk = Agent::signed_in(app, "desk").await;
    let form = desk.get("/staff/intake").await;
    let p = desk
        .post(
            "/staff/intake",
            &[
                ("csrf", &form.csrf()),
                ("key", &hidden(&form.body, "key")),
                ("kind", "complaint"),
                ("channel", "voice"),
                ("ward", "0741"),
                ("category", "water-supply"),
                ("description", WORDS),
                ("name", NAME),
                ("phone", PHONE),
                ("email", EMAIL),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    numbers.push(app.newest_in("0741").await.number);
    // Open311, as FixMyStreet files it.
    let r = http
        .post(format!("{}/open311/v2/requests.json", app.base))
        .form(&[
            ("api_key", "bz_desk"),
            ("service_code", "water-supply"),
            ("lat", "0.6702"),
            ("long", "35.5081"),
            ("description", WORDS),
            ("first_name", "Mary"),
            ("last_name", "Chebet"),
            ("email", EMAIL),
            ("phone", PHONE),
            ("attribute[ward]", "0742"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    numbers.push(CaseNumber::parse(v[0]["service_request_id"].as_str().unwrap()).unwrap());
    // USSD, through Africa's Talking's webhook: water, its category, Keiyo North, Emsoo.
    let before = app.store.count_cases(&CaseFilter::default()).await.unwrap();
    let screen = http
        .post(format!(
            "{}/webhooks/africastalking/{AT_SECRET}/ussd",
            app.base
        ))
        .form(&[
            ("sessionId", "pd-ussd-1"),
            ("serviceCode", "*384*1#"),
            ("phoneNumber", PHONE),
            ("networkCode", "63902"),
            ("text", &format!("1*1*1*1*1*{WORDS}")),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(screen.starts_with("END "), "{screen}");
    assert_eq!(
        app.store.count_cases(&CaseFilter::default()).await.unwrap(),
        before + 1
    );
    numbers.push(app.newest_in("0741").await.number);
    // The public web form, without consent to publish.
    let mut web = Agent::new(app);
    let page = web.get("/raise").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", page.csrf())
        .text("key", hidden(&page.body, "key"));
    for (k, v) in [
        ("kind", "complaint"),
        ("ward", "0742"),
        ("category", "water-supply"),
        ("description", WORDS),
        ("name", NAME),
        ("phone", PHONE),
        ("email", EMAIL),
    ] {
        form = form.text(k, v);
    }
    let r = web
        .http
        .post(format!("{}/raise", app.base))
        .header(COOKIE, web.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    numbers.push(app.newest_in("0742").await.number);
    // Staff answer one of them, quoting her, and the case moves on.
    let case = app.store.case_by_number(numbers[1]).await.unwrap().unwrap();
    let p = desk
        .act(
            &case,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "high"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = app.store.case_by_number(numbers[1]).await.unwrap().unwrap();
    let p = desk
        .act(
            &case,
            &[
                ("action", "note"),
                ("text", "Mary Chebet called again from 0722111222"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = app.store.case_by_number(numbers[1]).await.unwrap().unwrap();
    let p = desk
        .act(
            &case,
            &[
                ("action", "respond"),
                ("text", "Dear Mary Chebet, the pump is fixed"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // Mary reopens it by SMS, in her own words.
    assert_eq!(
        app.sms("ATXpd2", PHONE, "2 still broken, Mary Chebet 0722 111 222")
            .await,
        StatusCode::OK
    );
    // And she asks for information: by SMS, on the web form, at the counter (the API).
    assert_eq!(
        app.sms("ATXpd3", PHONE, &format!("REQUEST URGENT {WORDS}"))
            .await,
        StatusCode::OK
    );
    let mut web = Agent::new(app);
    let form = web.get("/information/new").await;
    let csrf = form.csrf();
    let filed = web
        .post(
            "/information/new",
            &[
                ("csrf", &csrf),
                ("key", "pd-web-request"),
                ("description", WORDS),
                ("name", NAME),
                ("phone", PHONE),
                ("email", EMAIL),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let r = http
        .post(format!("{}/api/v1/information-requests", app.base))
        .bearer_auth("bz_information")
        .json(
            &serde_json::json!({"channel": "counter", "description": WORDS,
            "citizen": {"name": NAME, "phone": PHONE, "email": EMAIL}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let requests = app
        .store
        .list_cases(&CaseFilter {
            information: Some(true),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(requests.len(), 3);
    for req in &requests {
        let s = http
            .post(format!(
                "{}/api/v1/cases/{}/actions",
                app.base,
                req.number.digits()
            ))
            .bearer_auth("bz_information")
            .json(
                &serde_json::json!({"action": "decide", "decision": "granted",
                "reasons": "Dear Mary Chebet, here it is: call 0722 111 222 if unclear."}),
            )
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(s, StatusCode::OK);
        numbers.push(req.number);
    }
    // And she comments on an action plan's commitment: by SMS and on its page.
    super::plans::load(app).await;
    assert_eq!(
        app.sms("ATXpd4", PHONE, &format!("MAONI KENMS0005 {WORDS}"))
            .await,
        StatusCode::OK
    );
    let page = "/plans/nairobi-2025-2027/commitments/KENMS0005";
    let form = web.get(page).await;
    let csrf = form.csrf();
    let filed = web
        .post(
            page,
            &[
                ("csrf", &csrf),
                ("key", "pd-web-comment"),
                ("description", WORDS),
                ("phone", PHONE),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let comments = app
        .store
        .list_cases(&CaseFilter {
            subject: Some(Subject::Commitment("KENMS0005".into())),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(comments.len(), 2);
    numbers.extend(comments.iter().map(|c| c.number));
    numbers
}

async fn sweep(app: &ConsoleApp) {
    let numbers = file_everywhere(app).await;
    // Mary is one citizen, known by her name wherever she gave it.
    let marys = app.store.citizens_by_contact(PHONE).await.unwrap();
    assert_eq!(marys.len(), 1, "{marys:?}");
    assert_eq!(marys[0].name.as_deref(), Some(NAME));
    let http = reqwest::Client::new();
    let staff_roles = [
        "information",
        "executive",
        "desk",
        "ward.emsoo",
        "ward.kamariny",
        "sc.keiyo-north",
        "coord.water",
        "director.water",
        "admin",
        "ogp",
        "cso",
    ];
    for who in staff_roles.iter().chain(["observer"].iter()) {
        let forbidden: Vec<&str> = if *who == "observer" {
            IDENTIFYING.iter().chain(CONTACTS).copied().collect()
        } else {
            CONTACTS.to_vec()
        };
        // The JSON API.
        let token = format!("bz_{who}");
        let list = http
            .get(format!("{}/api/v1/cases?limit=200", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_none(&list, &forbidden, who, "GET /api/v1/cases");
        let list = http
            .get(format!(
                "{}/api/v1/information-requests?queue=all",
                app.base
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_none(&list, &forbidden, who, "GET /api/v1/information-requests");
        let list = http
            .get(format!("{}/api/v1/plans", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_none(&list, &forbidden, who, "GET /api/v1/plans");
        for n in &numbers {
            let r = http
                .get(format!("{}/api/v1/cases/{}", app.base, n.digits()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let body = r.text().await.unwrap();
            assert_none(&body, &forbidden, who, &format!("GET /api/v1/cases/{n}"));
        }
        // The console.
        let mut agent = Agent::signed_in(app, who).await;
        for path in [
            "/staff?queue=all",
            "/staff?queue=triage",
            "/staff/overview",
            "/staff/information?queue=all",
            "/staff/information/report?year=2026",
            "/staff/information/report?year=2026&format=csv",
            "/staff/plans",
            "/staff/plans/nairobi-2025-2027",
        ] {
            let page = agent.get(path).await;
            assert_none(&page.body, &forbidden, who, path);
        }
        for n in &numbers {
            for path in [
                format!("/staff/cases/{}", n.digits()),
                format!("/staff/information/{}", n.digits()),
            ] {
                let page = agent.get(&path).await;
                assert_none(&page.body, &forbidden, who, &path);
            }
        }
    }
    // The observer sees the flow: the cases, their statuses, the county's answers.
    let as_observer = http
        .get(format!("{}/api/v1/cases/{}", app.base, numbers[1].digits()))
        .bearer_auth("bz_observer")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(as_observer.contains("the pump is fixed"), "{as_observer}");
    assert!(as_observer.contains("[…]"), "texts are masked, not dropped");
    // The public, and Open311 clients, see nothing identifying.
    let mut public = vec![
        "/registry".to_owned(),
        "/dashboard".to_owned(),
        "/dashboard.csv".to_owned(),
        "/open-data/cases.csv".to_owned(),
        "/open-data/cases.json".to_owned(),
        "/open311/v2/requests.json".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        "/open311/v2/servicerequestupdates.json".to_owned(),
        "/open311/v2/servicerequestupdates.xml".to_owned(),
        "/information".to_owned(),
        "/information?late=overdue".to_owned(),
        "/information/statistics".to_owned(),
        "/information/requests.json".to_owned(),
        "/information/disclosures".to_owned(),
        "/plans".to_owned(),
        "/plans/nairobi-2025-2027".to_owned(),
        "/plans/nairobi-2025-2027/plan.json".to_owned(),
        "/plans/nairobi-2025-2027/commitments/KENMS0005".to_owned(),
        "/plans/data/commitments.csv".to_owned(),
        "/plans/data/milestones.json".to_owned(),
        "/plans/feed.atom".to_owned(),
        "/projects".to_owned(),
    ];
    for n in &numbers {
        public.push(format!("/track?ref={}", n.digits()));
        public.push(format!("/raise/received?ref={}", n.digits()));
        let case = app.store.case_by_number(*n).await.unwrap().unwrap();
        if case.is_request() {
            // Published on their own pages; Open311 does not list them (404 there).
            public.push(format!("/information/{}", n.digits()));
        } else {
            public.push(format!("/open311/v2/requests/{}.json", n.digits()));
        }
    }
    let all: Vec<&str> = IDENTIFYING.iter().chain(CONTACTS).copied().collect();
    for path in &public {
        let r = http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        assert_none(&body, &all, "the public", path);
    }
    // A reveal shows the contact to the one who asked, on the record, and to nobody else.
    let r = http
        .post(format!(
            "{}/api/v1/cases/{}/actions",
            app.base,
            numbers[1].digits()
        ))
        .bearer_auth("bz_desk")
        .json(
            &serde_json::json!({"action": "reveal_contact", "reason": "call back about the pump"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["contact"]["phone"], PHONE);
    assert_eq!(revealed["contact"]["name"], NAME);
    let again = http
        .get(format!("{}/api/v1/cases/{}", app.base, numbers[1].digits()))
        .bearer_auth("bz_observer")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_none(&again, &all, "observer", "a case after a reveal");
}

on_both!(
    personal_data_reaches_no_audience_its_rules_forbid,
    postgres_personal_data_reaches_no_audience_its_rules_forbid,
    sweep
);

/// A system administrator answers a citizen's request in the console: the record as a page
/// and as JSON, a correction, and an erasure only a second person's password lets through.
async fn rights(app: &ConsoleApp) {
    file_everywhere(app).await;
    let mut desk = Agent::signed_in(app, "desk").await;
    assert_eq!(
        desk.get("/staff/privacy").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Agent::signed_in(app, "admin").await;
    let form = admin.get("/staff/privacy").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let page = admin
        .post(
            "/staff/privacy/access",
            &[("csrf", &csrf), ("contact", PHONE), ("format", "html")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(NAME) && page.body.contains("Who saw your contact details"));
    let json = admin
        .post(
            "/staff/privacy/access",
            &[("csrf", &csrf), ("contact", PHONE), ("format", "json")],
        )
        .await;
    let record: Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(record["citizens"][0]["name"], NAME);
    assert!(record["citizens"][0]["cases"].as_array().unwrap().len() >= 4);
    // Without the CSRF token, nothing.
    let p = admin
        .post("/staff/privacy/access", &[("contact", PHONE)])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Rectification.
    let p = admin
        .post(
            "/staff/privacy/rectify",
            &[
                ("csrf", &csrf),
                ("contact", PHONE),
                ("name", "Mary C."),
                ("phone", "not a phone"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Phone number"), "{}", p.body);
    let p = admin
        .post(
            "/staff/privacy/rectify",
            &[("csrf", &csrf), ("contact", PHONE), ("name", "Mary C.")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(
        app.store.citizens_by_contact(PHONE).await.unwrap()[0]
            .name
            .as_deref(),
        Some("Mary C.")
    );
    // A photo of hers, with its thumbnail, is kept in the media folder.
    let photo = b"\x89PNG\r\n\x1a\nher street".to_vec();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&photo));
    let media = app.media.path().join("media");
    std::fs::create_dir_all(media.join("thumbs")).unwrap();
    std::fs::write(media.join(&sha), &photo).unwrap();
    std::fs::write(media.join("thumbs").join(format!("{sha}.jpg")), b"thumb").unwrap();
    let hers = app.newest_in("0742").await;
    app.store
        .act(
            hers.number,
            None,
            baraza_core::lifecycle::Actor::system("media"),
            baraza_core::lifecycle::Action::AttachMedia {
                attachment: baraza_core::Attachment {
                    media_type: "image/png".into(),
                    size_bytes: photo.len() as u64,
                    sha256: sha.clone(),
                    filename: None,
                    url: None,
                    published: false,
                },
            },
            Deadlines::default(),
            app.clock.now(),
        )
        .await
        .unwrap();
    // Erasure: a wrong password, or oneself as approver, changes nothing.
    let erase = |approver: &'static str, pw: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("contact", PHONE.to_owned()),
            (
                "basis",
                "request of 2026-11-23 under DPA 2019 s.40".to_owned(),
            ),
            ("approver", approver.to_owned()),
            ("approver_password", pw.to_owned()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let f = as_refs(&erase("auditor", "wrong"));
    let p = admin
        .post(
            "/staff/privacy/erase",
            &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let f = as_refs(&erase("admin", PASSWORD));
    let p = admin
        .post(
            "/staff/privacy/erase",
            &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.citizens_by_contact(PHONE).await.unwrap().len(), 1);
    let f = as_refs(&erase("auditor", PASSWORD));
    let p = admin
        .post(
            "/staff/privacy/erase",
            &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("Erased:"));
    // Her photo goes with the rest, thumbnail and all.
    assert!(p.body.contains("1 photo file(s) removed"), "{}", p.body);
    assert!(
        !media.join(&sha).exists() && !media.join("thumbs").join(format!("{sha}.jpg")).exists()
    );
    assert!(
        app.store
            .citizens_by_contact(PHONE)
            .await
            .unwrap()
            .is_empty()
    );
    let report = baraza_store::verify_journal(&*app.store, None)
        .await
        .unwrap()
        .unwrap();
    assert!(!report.erased.is_empty());
    // The erasure is on the record, with who approved it.
    let n = app.newest_in("0742").await;
    let last = app.store.case_events(n.id).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, EventKind::PersonalDataErased);
    assert_eq!(last.data()["approved_by"], "auditor (auditor)");
}

on_both!(
    a_citizens_rights_in_the_console,
    postgres_a_citizens_rights_in_the_console,
    rights
);
