//! Defects an adversarial test found, each kept fixed: staff cannot speak as the citizen
//! through Open311, Open311 filing keeps the API's scope, an update id is taken once under
//! concurrency, updates keep the 90-day window, control characters never lose a message,
//! and nobody can lock the county out of administration.

use super::*;
use serde_json::Value;

async fn open311_file(app: &ConsoleApp, key: &str, ward: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/open311/v2/requests.json", app.base))
        .form(&[
            ("api_key", key),
            ("service_code", "water-supply"),
            ("lat", "0.6702"),
            ("long", "35.5081"),
            ("description", "The kiosk tap is broken"),
            ("attribute[ward]", ward),
        ])
        .send()
        .await
        .unwrap()
}

async fn update(
    app: &ConsoleApp,
    key: &str,
    id: &str,
    update_id: &str,
    status: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!(
            "{}/open311/v2/servicerequestupdates.json",
            app.base
        ))
        .form(&[
            ("api_key", key),
            ("service_request_id", id),
            ("update_id", update_id),
            ("status", status),
            ("description", "from the field"),
        ])
        .send()
        .await
        .unwrap()
}

/// A case filed by FixMyStreet in `ward`, triaged to water and answered.
async fn answered(app: &ConsoleApp, ward: &str) -> (String, CaseNumber) {
    let r = open311_file(app, "bz_fixmystreet", ward).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
    let n = CaseNumber::parse(&id).unwrap();
    let mut desk = Agent::signed_in(app, "desk").await;
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "medium"),
        ],
    )
    .await;
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    desk.act(&case, &[("action", "respond"), ("text", "Fixed.")])
        .await;
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(case.status, Status::Responded);
    (id, n)
}

async fn open311_updates_speak_for_whom_they_may(app: &ConsoleApp) {
    // Defect 1: a ward administrator's key does not confirm as the citizen.
    let (id, n) = answered(app, "0742").await;
    let r = update(app, "bz_ward.emsoo", &id, "w-1", "FIXED").await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a Kamariny case is outside Emsoo"
    );
    let r = update(app, "bz_ward.kamariny", &id, "w-2", "FIXED").await;
    assert_eq!(r.status(), StatusCode::OK);
    let events = app
        .store
        .case_events(app.store.case_by_number(n).await.unwrap().unwrap().id)
        .await
        .unwrap();
    assert!(
        events.iter().all(|e| e.actor_role != "citizen"),
        "no event speaks as the citizen: {:?}",
        events
            .iter()
            .map(|e| (e.kind, e.actor_role.clone()))
            .collect::<Vec<_>>()
    );
    let resolved = events
        .iter()
        .find(|e| e.kind == EventKind::Resolved)
        .unwrap();
    assert_eq!(resolved.actor_role, "ward_administrator");
    // An observer's key is refused; a coordinator outside the department sees nothing.
    let (id2, _) = answered(app, "0741").await;
    assert_eq!(
        update(app, "bz_observer", &id2, "o-1", "FIXED")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // An integration relays only on requests it filed itself.
    let mut desk_filed = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth("bz_desk")
        .json(&serde_json::json!({"kind": "complaint", "ward": "0741", "description": "filed at the counter"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let other = desk_filed["reference"].take();
    let r = update(
        app,
        "bz_fixmystreet",
        other.as_str().unwrap(),
        "f-0",
        "FIXED",
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Defect 3: five concurrent posts of one update id make one event, and one answer.
    let posts = (0..5).map(|_| update(app, "bz_fixmystreet", &id2, "fms-race", "FIXED"));
    let answers = futures::future::join_all(posts).await;
    let mut ids = Vec::new();
    for r in answers {
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        ids.push(v[0]["update_id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let n2 = CaseNumber::parse(&id2).unwrap();
    let case = app.store.case_by_number(n2).await.unwrap().unwrap();
    let events = app.store.case_events(case.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::CitizenReplied)
            .count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::Resolved)
            .count(),
        1
    );
    assert_eq!(
        case.status,
        Status::Resolved,
        "the citizen's confirmation, relayed"
    );
}

async fn open311_filing_keeps_the_scope(app: &ConsoleApp) {
    // Defect 2: the API refuses a ward administrator filing in another ward; so does Open311.
    let r = open311_file(app, "bz_ward.emsoo", "0742").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = open311_file(app, "bz_ward.emsoo", "0741").await;
    assert_eq!(r.status(), StatusCode::OK);
    // Defect 11: updates keep the 90-day window.
    let r = reqwest::Client::new()
        .get(format!(
            "{}/open311/v2/servicerequestupdates.json?start_date=1900-01-01T00:00:00Z",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn control_characters_lose_no_message(app: &ConsoleApp) {
    // Defect 4: a NUL (and spoofing characters) in an SMS: stored, answered, once.
    let status = app
        .sms(
            "ATXnul1",
            "+254711000222",
            "Maji\u{0} hakuna\u{202E} Kamariny",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.sms(
            "ATXnul1",
            "+254711000222",
            "Maji\u{0} hakuna\u{202E} Kamariny"
        )
        .await,
        StatusCode::OK
    );
    let found = app
        .store
        .list_cases(&CaseFilter {
            text: Some("Kamariny".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let case = found
        .iter()
        .find(|c| c.description.contains("hakuna"))
        .unwrap();
    assert_eq!(case.description, "Maji hakuna Kamariny");
    assert_eq!(
        found
            .iter()
            .filter(|c| c.description.contains("hakuna"))
            .count(),
        1
    );
    // The API too.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth("bz_desk")
        .json(&serde_json::json!({"kind": "complaint", "description": "dry\u{0000} tap", "ward": "0741"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["description"], "dry tap");
}

async fn administration_cannot_be_locked_out(app: &ConsoleApp) {
    // Defect 9: an administrator cannot disable themselves, nor the last active one.
    let mut admin = Agent::signed_in(app, "admin").await;
    let page = admin.get("/staff/users").await;
    let csrf = page.csrf();
    let me = app.users["admin"].id;
    let p = admin
        .post(&format!("/staff/users/{me}/disable"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.body);
    assert!(!app.store.user(me).await.unwrap().unwrap().disabled);
    // Disabling someone else still works, once confirmed.
    let desk = app.users["desk"].id;
    let p = admin
        .post(&format!("/staff/users/{desk}/disable"), &[("csrf", &csrf)])
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(p.body.contains("signed out everywhere"), "{}", p.body);
    assert!(
        !app.store.user(desk).await.unwrap().unwrap().disabled,
        "not before it is confirmed"
    );
    let p = admin
        .post(
            &format!("/staff/users/{desk}/disable"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert!(app.store.user(desk).await.unwrap().unwrap().disabled);
}

async fn pages_carry_security_headers(app: &ConsoleApp) {
    // Defect 10: CSP (the one inline script by its hash), nosniff, referrer, frames.
    for path in ["/", "/raise", "/staff/login"] {
        let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
    }
    let mut desk = Agent::signed_in(app, "desk").await;
    let case = app.file("0741", "+254711000333").await;
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "low"),
        ],
    )
    .await;
    let r = desk
        .http
        .get(format!("{}/staff/cases/{}", app.base, case.number.digits()))
        .header(COOKIE, desk.cookie_header())
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = r.text().await.unwrap();
    let script = body
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    use base64::Engine;
    use sha2::Digest;
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
}

on_both!(
    open311_updates_speak_only_for_whom_they_may,
    postgres_open311_updates_speak_only_for_whom_they_may,
    open311_updates_speak_for_whom_they_may
);
on_both!(
    open311_filing_keeps_the_apis_scope,
    postgres_open311_filing_keeps_the_apis_scope,
    open311_filing_keeps_the_scope
);
on_both!(
    control_characters_never_lose_a_message,
    postgres_control_characters_never_lose_a_message,
    control_characters_lose_no_message
);
on_both!(
    administration_cannot_be_locked_out_by_its_own_hand,
    postgres_administration_cannot_be_locked_out_by_its_own_hand,
    administration_cannot_be_locked_out
);
on_both!(
    pages_carry_security_headers_and_a_hashed_script,
    postgres_pages_carry_security_headers_and_a_hashed_script,
    pages_carry_security_headers
);

async fn ussd(app: &ConsoleApp, session: &str, text: &str) -> String {
    reqwest::Client::new()
        .post(format!(
            "{}/webhooks/africastalking/{AT_SECRET}/ussd",
            app.base
        ))
        .form(&[
            ("sessionId", session),
            ("serviceCode", "*384*1#"),
            ("phoneNumber", "+254711000444"),
            ("networkCode", "63902"),
            ("text", text),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn ussd_answers_fit_and_make_no_junk(app: &ConsoleApp) {
    // Defect 7: "3*1" with nothing waiting for an answer files nothing.
    let before = app.store.count_cases(&CaseFilter::default()).await.unwrap();
    let screen = ussd(app, "s-1", "3*1").await;
    assert!(screen.starts_with("END "), "{screen}");
    assert_eq!(
        app.store.count_cases(&CaseFilter::default()).await.unwrap(),
        before
    );
    // However long the input, the screen fits in 182 characters.
    let long = "7".repeat(500);
    for typed in [
        format!("2*{long}"),
        long.clone(),
        format!("1*{long}"),
        format!("4*{long}"),
    ] {
        let screen = ussd(app, "s-2", &typed).await;
        let text = screen.get(4..).unwrap_or_default();
        assert!(
            text.chars().count() <= 182,
            "{} characters: {screen}",
            text.chars().count()
        );
    }
}

on_both!(
    ussd_screens_fit_and_no_answer_makes_a_junk_case,
    postgres_ussd_screens_fit_and_no_answer_makes_a_junk_case,
    ussd_answers_fit_and_make_no_junk
);

/// The standing role × action × scope matrix over the JSON API: for every user and every
/// action, on a case inside and outside their scope, the answer is what the lifecycle's
/// role rules and the one scope rule say (404 outside scope, exactly as for a case that
/// does not exist; 403 for a role that may never take the action; otherwise the
/// lifecycle or the fields decide, never the gate).
async fn role_action_scope_matrix(app: &ConsoleApp) {
    use baraza_core::lifecycle::{ActionKind, ActorRole, may};
    // A water case in Emsoo (0741, Keiyo North), and a health case in Chepkorio (0746,
    // Keiyo South) that only jurisdiction-wide staff see.
    let mut desk = Agent::signed_in(app, "desk").await;
    let inside = app.file("0741", "+254711000555").await;
    desk.act(
        &inside,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "low"),
        ],
    )
    .await;
    let outside = app.file("0746", "+254711000666").await;
    // And an information request, which has its own lifecycle and the same scope rule.
    let request = app
        .store
        .create_case(
            NewCase {
                department: None,
                kind: CaseKind::InformationRequest,
                channel: Channel::Counter,
                ward: None,
                ladder: vec![],
                acknowledged_on_intake: true,
                subject: None,
                request: Some(baraza_core::information::open(
                    &Deadlines::default(),
                    app.clock.now(),
                    None,
                )),
                ..fixtures::new_case("0741", Channel::Counter, Some("+254711000777"))
            },
            fixtures::citizen(),
            app.clock.now(),
        )
        .await
        .unwrap()
        .case;
    let http = reqwest::Client::new();
    let catalog = baraza_app::Catalog::load(&*app.store).await.unwrap();
    let cat = catalog.get(&fixtures::jurisdiction_id()).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (name, user) in &app.users {
        let token = format!("bz_{name}");
        for kind in ActionKind::ALL {
            for case in [&inside, &outside, &request] {
                let current = app
                    .store
                    .case_by_number(case.number)
                    .await
                    .unwrap()
                    .unwrap();
                let visible = baraza_app::scope::visible(user, &current, &cat);
                let allowed = if current.is_request() {
                    baraza_core::information::may(ActorRole::Staff(user.role), *kind)
                } else {
                    may(ActorRole::Staff(user.role), *kind)
                };
                let r = http
                    .post(format!(
                        "{}/api/v1/cases/{}/actions",
                        app.base,
                        case.number.digits()
                    ))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"action": kind.as_str()}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let ok = if !visible {
                    status == 404
                } else if !allowed {
                    status == 403
                } else {
                    ![403, 404, 500].contains(&status)
                };
                checked += 1;
                if !ok {
                    wrong.push(format!(
                        "{name} {kind} visible={visible} allowed={allowed}: {status}"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked >= 12 * 28 * 3, "{checked}");
}

on_both!(
    every_role_action_and_scope_answers_as_the_rules_say,
    postgres_every_role_action_and_scope_answers_as_the_rules_say,
    role_action_scope_matrix
);

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(2)</script>",
    "{{7*7}}<b>bold</b>",
];

/// Every payload, filed everywhere a citizen or staff member can type, comes back escaped
/// on every page.
async fn xss_sweep(app: &ConsoleApp) {
    let http = reqwest::Client::new();
    let mut numbers = Vec::new();
    for (i, p) in XSS.iter().enumerate() {
        let r = http
            .post(format!("{}/api/v1/cases", app.base))
            .bearer_auth("bz_desk")
            .json(&serde_json::json!({
                "kind": "complaint", "ward": "0741", "category": "water-supply",
                "description": format!("broken {p}"),
                "citizen": {"name": p, "phone": format!("+2547110099{i:02}"), "consent_publish": true}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        numbers.push(CaseNumber::parse(v["number"].as_str().unwrap()).unwrap());
        assert_eq!(
            app.sms(&format!("ATXxss{i}"), &format!("+2547220099{i:02}"), p)
                .await,
            StatusCode::OK
        );
    }
    let mut desk = Agent::signed_in(app, "desk").await;
    let case = app.store.case_by_number(numbers[0]).await.unwrap().unwrap();
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "low"),
        ],
    )
    .await;
    let case = app.store.case_by_number(numbers[0]).await.unwrap().unwrap();
    desk.act(&case, &[("action", "respond"), ("text", XSS[0])])
        .await;
    let mut pages = vec![
        "/staff?queue=all".to_owned(),
        "/staff/overview".to_owned(),
        "/registry".to_owned(),
        "/dashboard".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        "/open311/v2/servicerequestupdates.xml".to_owned(),
        format!("/raise?description={}", XSS[1]),
        format!("/track?ref={}", XSS[0]),
    ];
    for n in &numbers {
        pages.push(format!("/staff/cases/{}", n.digits()));
        pages.push(format!("/track?ref={}", n.digits()));
    }
    let mut observer = Agent::signed_in(app, "observer").await;
    let mut checked = 0;
    for path in &pages {
        for agent in [&mut desk, &mut observer] {
            let page = agent.get(path).await;
            assert!(page.status.as_u16() < 500, "{path}: {}", page.status);
            for p in XSS {
                let raw_tag = p.contains('<') && page.body.contains(p);
                assert!(!raw_tag, "{path} shows {p:?} unescaped");
            }
            checked += 1;
        }
    }
    assert!(checked >= 40);
}

/// Malformed input on every endpoint that takes some: never a 5xx, never a case stored.
async fn malformed_sweep(app: &ConsoleApp) {
    let http = reqwest::Client::new();
    let before = app.store.count_cases(&CaseFilter::default()).await.unwrap();
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"{".to_vec()),
        ("application/json", b"[]".to_vec()),
        (
            "application/json",
            br#"{"kind": 7, "description": []}"#.to_vec(),
        ),
        (
            "application/json",
            br#"{"kind":"complaint","description":"x","ward":"nowhere"}"#.to_vec(),
        ),
        (
            "application/json",
            format!(
                r#"{{"kind":"complaint","description":"{}"}}"#,
                "x".repeat(5000)
            )
            .into_bytes(),
        ),
        ("application/json", vec![0xff, 0xfe, 0x00, 0x7b]),
        ("text/plain", b"hello".to_vec()),
        ("application/x-www-form-urlencoded", b"%zz=%zz&&&=".to_vec()),
        (
            "application/x-www-form-urlencoded",
            b"text=%00%ff&from=%00".to_vec(),
        ),
        ("multipart/form-data; boundary=x", b"--x\r\nbroken".to_vec()),
    ];
    let endpoints = [
        "/api/v1/cases",
        "/api/v1/cases/48210937/actions",
        "/api/v1/cases/not-a-ref/actions",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        "/open311/v2/servicerequestupdates.json",
        &format!("/webhooks/africastalking/{AT_SECRET}/sms"),
        &format!("/webhooks/africastalking/{AT_SECRET}/delivery"),
        &format!("/webhooks/africastalking/{AT_SECRET}/ussd"),
        "/webhooks/africastalking/wrong-secret/sms",
        "/raise",
        "/staff/login",
        "/staff/intake",
        "/staff/privacy/erase",
    ];
    let mut tried = 0;
    for path in endpoints {
        for (ctype, body) in &bodies {
            let r = http
                .post(format!("{}{path}", app.base))
                .bearer_auth("bz_desk")
                .header("content-type", *ctype)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert!(r.status().as_u16() < 500, "{path} {ctype}: {}", r.status());
            tried += 1;
        }
    }
    for path in [
        "/api/v1/cases?limit=abc&status=nope&cursor=%ff",
        "/api/v1/cases/%00",
        "/open311/v2/requests.json?start_date=yesterday&end_date=%00",
        "/open311/v2/requests/..%2F..%2Fetc%2Fpasswd.json",
        "/track?ref=%00%ff",
        "/registry?after=9999999999999999999_x&ward=%00",
        "/dashboard?by=%00",
        "/open-data/snapshots/..%2F..%2Fetc%2Fpasswd",
        "/language?l=xx&next=//evil.example",
    ] {
        let r = http
            .get(format!("{}{path}", app.base))
            .bearer_auth("bz_desk")
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
        tried += 1;
    }
    // Rejected input stored nothing (the SMS webhook keeps what it can parse: a message
    // is never lost; none of these parse as one).
    assert_eq!(
        app.store.count_cases(&CaseFilter::default()).await.unwrap(),
        before
    );
    assert!(tried > 140);
}

/// A provider's retries, three at once: one case, one acknowledgement.
async fn webhook_replay(app: &ConsoleApp) {
    let sends = (0..3).map(|_| app.sms("ATXreplay1", "+254733444555", "Hakuna maji Emsoo"));
    for s in futures::future::join_all(sends).await {
        assert_eq!(s, StatusCode::OK);
    }
    let cases = app
        .store
        .list_cases(&CaseFilter {
            text: Some("Hakuna maji Emsoo".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    let acks = app.store.outbox_to("+254733444555", 10).await.unwrap();
    assert_eq!(acks.len(), 1);
}

on_both!(
    xss_payloads_are_escaped_on_every_page,
    postgres_xss_payloads_are_escaped_on_every_page,
    xss_sweep
);
on_both!(
    malformed_input_never_answers_5xx_nor_stores,
    postgres_malformed_input_never_answers_5xx_nor_stores,
    malformed_sweep
);
on_both!(
    a_webhook_replayed_three_times_at_once_is_one_case,
    postgres_a_webhook_replayed_three_times_at_once_is_one_case,
    webhook_replay
);

/// Citizens' numbers as people write them in Kenya are understood and kept in E.164.
#[tokio::test]
async fn national_phone_numbers_are_understood() {
    let app = ConsoleApp::sqlite().await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth("bz_desk")
        .json(
            &serde_json::json!({"kind": "complaint", "ward": "0741", "description": "dry tap",
            "citizen": {"phone": "0712 345 678"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let found = app
        .store
        .citizens_by_contact("+254712345678")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    app.stop().await;
}
