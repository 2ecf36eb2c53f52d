//! The public side over real HTTP: raising a concern on the web, following it, the
//! registry, the dashboard, open data and Open311 (validated against the GeoReport v2
//! schemas in `shared/reference`, vendored under `tests/schemas`), and a sweep proving
//! that no public answer carries a citizen's phone number, email or name.

use super::*;
use serde_json::Value;

const PHONE: &str = "+254712999001";
const EMAIL: &str = "wanjiru.kamau@example.org";
const NAME: &str = "Wanjiru Kamau";

/// Raise a concern through the web form (multipart, with its CSRF cookie).
async fn raise_on_the_web(app: &ConsoleApp, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let mut agent = Agent::new(app);
    let form_page = agent.get("/raise").await;
    let mut form = reqwest::multipart::Form::new().text("csrf", form_page.csrf());
    form = form.text("key", hidden(&form_page.body, "key"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = agent
        .http
        .post(format!("{}/raise", app.base))
        .header(COOKIE, agent.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    // Filed: post, redirect, get (a refresh shows the confirmation again).
    if r.status() == StatusCode::SEE_OTHER {
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/raise/received?ref="), "{to}");
        let page = agent.get(&to).await;
        return (page.status, page.body);
    }
    let status = r.status();
    (status, r.text().await.unwrap())
}

fn reference_in(body: &str) -> String {
    body.split("id=\"reference\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned()
}

/// Staff answer a case and the citizen confirms by SMS.
async fn resolve_with_confirmation(app: &ConsoleApp, n: CaseNumber, phone: &str, sms_id: &str) {
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let mut desk = Agent::signed_in(app, "desk").await;
    let p = desk
        .act(
            &case,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "medium"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let p = desk
        .act(
            &case,
            &[
                ("action", "respond"),
                ("text", "The kiosk is open again; call 0712 345 678 if not."),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(app.sms(sms_id, phone, "1").await, StatusCode::OK);
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(case.status, Status::Resolved, "confirmed by the citizen");
}

on_both!(
    raise_follow_and_find_it_resolved,
    postgres_raise_follow_and_find_it_resolved,
    raise_follow
);
on_both!(
    open311_answers_validate_against_the_schemas,
    postgres_open311_answers_validate_against_the_schemas,
    open311
);

on_both!(
    already_reported_then_follow_it_instead,
    postgres_already_reported_then_follow_it_instead,
    already_reported
);

/// "Already reported?": the open concerns of a ward and category, on their own page and
/// on the raise form; following one by its tracking page (a national number) or by SMS;
/// each follower told once per change of status; nobody's contact on any public page.
async fn already_reported(app: &ConsoleApp) {
    let (_, body) = raise_on_the_web(
        app,
        &[
            ("kind", "complaint"),
            (
                "description",
                "Burst pipe at Emsoo market. Wanjiru Kamau, 0712999001",
            ),
            ("ward", "0741"),
            ("category", "water-supply"),
            ("phone", PHONE),
            ("name", NAME),
            ("publish", "yes"),
        ],
    )
    .await;
    let reference = reference_in(&body);
    let n = CaseNumber::parse(&reference).unwrap();
    let mut web = Agent::new(app);
    let list = web.get("/concerns?ward=0741&category=water-supply").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&reference)
            && list.body.contains("opened today")
            && list.body.contains("Burst pipe at Emsoo market"),
        "{}",
        list.body
    );
    let other = web.get("/concerns?ward=0742").await;
    assert!(!other.body.contains(&reference) && other.body.contains("No open concern here"));
    // The raise form, once a ward and a category are checked, shows it first.
    let form = web.get("/raise?ward=0741&category=water-supply").await;
    assert!(form.body.contains("Already reported?"));
    let follow_link = format!("/track?ref={}#follow", n.digits());
    assert!(
        form.body.contains(&follow_link) && form.body.contains("Follow this one instead"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains("<option value=\"0741\" selected>"),
        "the form's ward is chosen"
    );
    let none = web.get("/raise?ward=0742&category=water-supply").await;
    assert!(none.body.contains("No open concern like this in this ward"));
    // Follow it from its page, with a number written the national way.
    let page = web.get(&format!("/track?ref={}", n.digits())).await;
    assert!(page.body.contains("Follow this concern"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let digits = n.digits();
    let forged = Agent::new(app)
        .post(
            "/track/follow",
            &[
                ("csrf", "forged"),
                ("ref", &digits),
                ("contact", "0712 999 222"),
            ],
        )
        .await;
    assert_ne!(
        forged.status,
        StatusCode::SEE_OTHER,
        "no token, no following"
    );
    let bad = web
        .post(
            "/track/follow",
            &[("csrf", &csrf), ("ref", &digits), ("contact", "07x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("07x"), "what was typed is kept");
    let csrf = hidden(&bad.body, "csrf");
    let ok = web
        .post(
            "/track/follow",
            &[
                ("csrf", &csrf),
                ("ref", &digits),
                ("contact", "0712 999 222"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let to = ok.location.unwrap();
    let page = web.get(&to).await;
    assert!(page.body.contains("You are following this concern"));
    // And by SMS, from another phone.
    assert_eq!(
        app.sms(
            "ATXid_follow1",
            "+254712999333",
            &format!("FOLLOW {reference}")
        )
        .await,
        StatusCode::OK
    );
    let told = app.store.outbox_to("+254712999333", 5).await.unwrap();
    assert!(
        told.iter().any(|e| matches!(
            e.message.template,
            baraza_core::outbound::Template::CaseFollowing { .. }
        )),
        "{told:?}"
    );
    // A change of status is told to each follower once; the citizen as before.
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let mut desk = Agent::signed_in(app, "desk").await;
    let p = desk
        .act(
            &case,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "medium"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    for follower in ["+254712999222", "+254712999333"] {
        let updates: Vec<_> = app
            .store
            .outbox_to(follower, 10)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| {
                matches!(
                    e.message.template,
                    baraza_core::outbound::Template::FollowedUpdate {
                        status: Status::Triaged,
                        ..
                    }
                )
            })
            .collect();
        assert_eq!(updates.len(), 1, "{follower}: {updates:?}");
        assert_eq!(updates[0].message.case_id, None, "not in the case's record");
    }
    // The follower's number is theirs to see in their record, and STOP ends it.
    let followed = app.store.followed_by("+254712999222").await.unwrap();
    assert_eq!(
        followed
            .iter()
            .map(|f| f.class.as_str())
            .collect::<Vec<_>>(),
        vec![format!("case:{digits}")]
    );
    // Nobody's contact on the public pages.
    for path in [
        "/concerns?ward=0741&category=water-supply".to_owned(),
        "/raise?ward=0741&category=water-supply".to_owned(),
        format!("/track?ref={digits}"),
    ] {
        let p = web.get(&path).await;
        for secret in [
            PHONE,
            "712999001",
            "712999222",
            "712999333",
            "Wanjiru",
            "Kamau",
        ] {
            assert!(!p.body.contains(secret), "{path} shows {secret}");
        }
    }
    // A closed concern is no longer followed.
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let p = desk
        .act(&case, &[("action", "respond"), ("text", "Mended.")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(app.sms("ATXid_follow2", PHONE, "1").await, StatusCode::OK);
    assert_eq!(
        app.store.case_by_number(n).await.unwrap().unwrap().status,
        Status::Resolved
    );
    let page = web.get(&format!("/track?ref={digits}")).await;
    assert!(!page.body.contains("Follow this concern"));
    assert!(
        !web.get("/concerns?ward=0741")
            .await
            .body
            .contains(&reference)
    );
}

async fn raise_follow(app: &ConsoleApp) {
    // A bad form names what is wrong and keeps what was typed.
    let (status, body) = raise_on_the_web(
        app,
        &[
            ("kind", "complaint"),
            ("description", "Kiosk closed"),
            ("phone", "07x"),
            ("ward", "0741"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Phone number:") && body.contains("Kiosk closed"),
        "{body}"
    );
    // Without the form's cookie token, nothing is filed.
    let r = reqwest::Client::new()
        .post(format!("{}/raise", app.base))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", "forged")
                .text("kind", "complaint")
                .text("description", "forged"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A concern with contact, agreeing to publication; one anonymous, not agreeing.
    let (status, body) = raise_on_the_web(
        app,
        &[
            ("kind", "complaint"),
            (
                "description",
                "The water kiosk at Emsoo market is closed. Wanjiru Kamau, 0712999001",
            ),
            ("ward", "0741"),
            ("category", "water-supply"),
            ("phone", PHONE),
            ("email", EMAIL),
            ("name", NAME),
            ("publish", "yes"),
            ("gender", "female"),
            ("age_band", "25_34"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reference = reference_in(&body);
    let n = CaseNumber::parse(&reference).unwrap();
    let (_, anon) = raise_on_the_web(
        app,
        &[
            ("kind", "suggestion"),
            ("description", "Plant trees by the road, says Otieno"),
            ("ward", "0742"),
        ],
    )
    .await;
    assert!(
        anon.contains("keep this number"),
        "the anonymous citizen is told to keep it"
    );
    let anon_ref = reference_in(&anon);
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(
        (case.channel, case.status),
        (Channel::Web, Status::Acknowledged)
    );
    // The acknowledgement goes by SMS too.
    assert_eq!(app.store.outbox_to(PHONE, 5).await.unwrap().len(), 1);
    let mut web = Agent::new(app);
    let p = web.get(&format!("/track?ref={}", n.digits())).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&reference) && p.body.contains("Acknowledged"));
    let p = web.get("/track?ref=1234-5678").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // Staff answer; the citizen confirms by SMS; the registry and dashboard show it.
    resolve_with_confirmation(app, n, PHONE, "ATXid_pub1").await;
    let p = web.get(&format!("/track?ref={reference}")).await;
    assert!(p.body.contains("Resolved (confirmed)"), "{}", p.body);
    assert!(
        p.body.contains("The kiosk is open again"),
        "the official response is public"
    );
    let p = web.get("/registry").await;
    assert!(p.body.contains(&reference));
    assert!(
        p.body.contains("water kiosk at Emsoo market"),
        "published with consent"
    );
    assert!(
        !p.body.contains(&anon_ref),
        "not resolved, not in the registry"
    );
    let p = web.get("/registry?ward=0742").await;
    assert!(!p.body.contains(&reference), "filtered by ward");
    let p = web.get("/dashboard?by=ward").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<svg") && p.body.contains("<title id=\"chart-title\">"));
    assert!(
        p.body.contains("fewer than 5"),
        "small groups are suppressed"
    );
    assert!(p.body.len() < 30_000, "a public page stays small");
    // Every ward is there, one without a case at 0 (an empty track in the chart, "no
    // data" for what cannot be measured), and every blank says why.
    let chepkorio = p
        .body
        .split("<tr>")
        .find(|r| r.starts_with("<th scope=\"row\">Chepkorio</th>"))
        .expect("a ward with no case is listed");
    assert!(
        chepkorio.contains("data-label=\"Concerns received\">0</td>")
            && chepkorio.contains(">no data<"),
        "{chepkorio}"
    );
    assert!(
        p.body.contains("Chepkorio: 0"),
        "in the chart's description"
    );
    assert!(
        p.body.contains(">suppressed<"),
        "a small group's blanks say why"
    );
    assert!(p.body.contains("id=\"blanks\""));
    let csv = web.get("/dashboard.csv?by=ward").await.body;
    assert!(csv.starts_with("dimension,key,label,cases"));
    assert!(csv.contains("ward,0741,Emsoo,<5"), "{csv}");
    assert!(csv.contains("ward,0746,Chepkorio,0,"), "{csv}");
    // With five more resolved cases the ward's figures appear.
    for i in 0..5 {
        let (_, body) = raise_on_the_web(
            app,
            &[
                ("kind", "complaint"),
                ("description", "No water"),
                ("ward", "0741"),
                ("phone", &format!("+25471299910{i}")),
            ],
        )
        .await;
        let n = CaseNumber::parse(&reference_in(&body)).unwrap();
        resolve_with_confirmation(
            app,
            n,
            &format!("+25471299910{i}"),
            &format!("ATXid_pub2{i}"),
        )
        .await;
    }
    let csv = web.get("/dashboard.csv?by=ward").await.body;
    let emsoo = csv.lines().find(|l| l.starts_with("ward,0741")).unwrap();
    assert!(emsoo.starts_with("ward,0741,Emsoo,6,"), "{emsoo}");
    assert!(emsoo.contains(",1.000,"), "all six confirmed: {emsoo}");
    let open = web.get("/open-data/cases.csv").await.body;
    assert!(open.contains(&reference) && open.contains(&anon_ref));
    let json: Value = serde_json::from_str(&web.get("/open-data/cases.json").await.body).unwrap();
    assert_eq!(json["licence"], "CC-BY-4.0");
    // Daily snapshots: written once a day, whole files only.
    let dir = tempfile::tempdir().unwrap();
    let state = baraza_web::AppState::new(app.store.clone(), app.clock.clone())
        .await
        .unwrap()
        .with_data_dir(dir.path().to_owned());
    let written = baraza_web::public::open_data::write_snapshots(&state)
        .await
        .unwrap();
    assert_eq!(written, 2, "CSV and JSON");
    assert_eq!(
        baraza_web::public::open_data::write_snapshots(&state)
            .await
            .unwrap(),
        0
    );
    let csv = std::fs::read_to_string(
        dir.path()
            .join("open-data/elgeyo-marakwet-2026-11-23-cases.csv"),
    )
    .unwrap();
    assert!(csv.contains(&reference) && !csv.contains(PHONE));
    assert_eq!(
        web.get("/open-data/snapshots/..%2Fsecret").await.status,
        StatusCode::NOT_FOUND
    );
    // No public page, export or Open311 answer carries the citizen's contact or name.
    let paths = [
        "/".to_owned(),
        format!("/track?ref={reference}"),
        "/registry".to_owned(),
        "/concerns".to_owned(),
        "/raise?ward=0742&category=water-supply".to_owned(),
        "/dashboard?by=gender".to_owned(),
        "/dashboard?by=age-band".to_owned(),
        "/dashboard.csv?by=gender".to_owned(),
        "/open-data".to_owned(),
        "/open-data/cases.csv".to_owned(),
        "/open-data/cases.json".to_owned(),
        "/open311/v2/requests.json".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        format!("/open311/v2/requests/{reference}.xml"),
        "/open311/v2/servicerequestupdates.json".to_owned(),
    ];
    for path in paths {
        let p = web.get(&path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for secret in [
            PHONE,
            "712999001",
            EMAIL,
            "Wanjiru",
            "Kamau",
            "Otieno",
            "0712 345 678",
        ] {
            assert!(!p.body.contains(secret), "{path} shows {secret}");
        }
    }
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!(
        "{}/tests/schemas/open311/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&serde_json::from_str(&text).unwrap())
        .unwrap()
}

fn valid(v: &jsonschema::Validator, value: &Value, what: &str) {
    assert!(value.is_object(), "{what}: {value}");
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate: {errors:?}\n{value}"
    );
}

/// The JSON an XML answer stands for, by GeoReport v2's rules: lists become arrays (even
/// of one), empty elements null, and typed fields typed.
fn xml_to_json(xml: &str) -> (String, Value) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    (root.tag_name().name().to_owned(), node(root))
}

fn node(n: roxmltree::Node) -> Value {
    const LISTS: &[&str] = &[
        "services",
        "service_requests",
        "attributes",
        "values",
        "endpoints",
        "formats",
        "errors",
        "service_request_updates",
    ];
    let name = n.tag_name().name();
    let children: Vec<roxmltree::Node> = n.children().filter(|c| c.is_element()).collect();
    if LISTS.contains(&name) {
        return Value::Array(children.into_iter().map(node).collect());
    }
    if children.is_empty() {
        let text = n.text().unwrap_or_default();
        if text.is_empty() {
            return Value::Null;
        }
        return match name {
            "metadata" | "variable" | "required" => Value::Bool(text == "true"),
            "order" | "code" => text
                .parse::<i64>()
                .map_or(Value::String(text.into()), Value::from),
            "lat" | "long" => Value::from(text.parse::<f64>().unwrap()),
            _ => Value::String(text.to_owned()),
        };
    }
    Value::Object(
        children
            .into_iter()
            .map(|c| (c.tag_name().name().to_owned(), node(c)))
            .collect(),
    )
}

/// An empty string and an empty element are the same thing in GeoReport v2.
fn empty_is_null(v: Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::Array(a) => Value::Array(a.into_iter().map(empty_is_null).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, empty_is_null(v))).collect())
        }
        other => other,
    }
}

/// GET an Open311 path in both formats; check they say the same; return the JSON.
async fn both_formats(app: &ConsoleApp, path: &str, root: &str) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let get = |fmt: &str| {
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        http.get(format!("{}/open311/v2/{p}.{fmt}?{q}", app.base))
            .send()
    };
    let json = get("json").await.unwrap();
    let status = json.status();
    assert!(
        json.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let json: Value = json.json().await.unwrap();
    let xml = get("xml").await.unwrap();
    assert_eq!(xml.status(), status);
    assert!(
        xml.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let (got_root, from_xml) = xml_to_json(&xml.text().await.unwrap());
    assert_eq!(got_root, root, "{path}");
    assert_eq!(
        from_xml,
        empty_is_null(json.clone()),
        "{path}: XML and JSON differ"
    );
    (status, json)
}

async fn open311(app: &ConsoleApp) {
    let http = reqwest::Client::new();
    let (_, discovery) = both_formats(app, "discovery", "discovery").await;
    assert_eq!(discovery["endpoints"][0]["formats"][1], "application/json");
    let (_, services) = both_formats(app, "services", "services").await;
    let service_schema = schema("service.json");
    for s in services.as_array().unwrap() {
        valid(&service_schema, s, "service");
    }
    assert_eq!(services[0]["service_code"], "water-supply");
    let (_, definition) = both_formats(app, "services/water-supply", "service_definition").await;
    valid(
        &schema("service-definition.json"),
        &definition,
        "service definition",
    );
    let (status, _) = both_formats(app, "services/no-such-thing", "errors").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Filing: api_key, a known service, a location.
    let post = |form: Vec<(&'static str, String)>| {
        http.post(format!("{}/open311/v2/requests.json", app.base))
            .form(&form)
            .send()
    };
    let base = || {
        vec![
            ("service_code", "water-supply".to_owned()),
            ("lat", "0.6702".to_owned()),
            ("long", "35.5081".to_owned()),
            (
                "description",
                "Pipe burst near the market; Achieng 0722 111 222".to_owned(),
            ),
            ("first_name", "Achieng".to_owned()),
            ("last_name", "Odhiambo".to_owned()),
            ("email", "achieng@example.org".to_owned()),
            ("attribute[ward]", "0741".to_owned()),
        ]
    };
    let r = post(base()).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut form = base();
    form.push(("api_key", "bz_observer".into()));
    assert_eq!(
        post(form).await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "observers do not file"
    );
    let mut form = base();
    form.push(("api_key", "bz_desk".into()));
    form[0].1 = "nope".into();
    assert_eq!(post(form).await.unwrap().status(), StatusCode::NOT_FOUND);
    let mut form: Vec<_> = base()
        .into_iter()
        .filter(|(k, _)| *k != "lat" && *k != "long")
        .collect();
    form.push(("api_key", "bz_desk".into()));
    let r = post(form).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let errors: Value = r.json().await.unwrap();
    assert_eq!(errors[0]["code"], 400);
    // FixMyStreet files with its own key (an Open311 integration).
    let mut form = base();
    form.push(("api_key", "bz_fixmystreet".into()));
    let r = post(form).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let created: Value = r.json().await.unwrap();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // An ordinary case: same reference, journal, deadlines once triaged.
    let n = CaseNumber::parse(&id).unwrap();
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(case.ward, Some(AreaCode("0741".into())));
    assert_eq!(
        app.store.case_events(case.id).await.unwrap()[0].kind,
        baraza_core::EventKind::Received
    );
    // Reading it back, in both formats, valid, without the citizen's name or text.
    let request_schema = schema("request.json");
    let (status, one) = both_formats(app, &format!("requests/{id}"), "service_requests").await;
    assert_eq!(status, StatusCode::OK);
    valid(&request_schema, &one[0], "request");
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["description"], Value::Null, "no consent to publish");
    let (_, list) = both_formats(
        app,
        "requests?status=open&service_code=water-supply",
        "service_requests",
    )
    .await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str())
    );
    for r in list.as_array().unwrap() {
        valid(&request_schema, r, "request in a list");
    }
    let (status, _) = both_formats(
        app,
        "requests?start_date=2026-01-01T00:00:00Z&end_date=2026-11-26T00:00:00Z",
        "errors",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "more than 90 days");
    let (status, _) = both_formats(app, "requests?status=pending", "errors").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = both_formats(app, "tokens/abc", "errors").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Updates, as FixMyStreet reads them: staff answer, the update says "fixed".
    let mut desk = Agent::signed_in(app, "desk").await;
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "low"),
        ],
    )
    .await;
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    desk.act(
        &case,
        &[("action", "respond"), ("text", "Fixed this morning.")],
    )
    .await;
    let (_, updates) = both_formats(app, "servicerequestupdates", "service_request_updates").await;
    let mine: Vec<&Value> = updates
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["service_request_id"] == id.as_str())
        .collect();
    assert!(
        mine.iter()
            .any(|u| u["status"] == "fixed" && u["description"] == "Fixed this morning.")
    );
    // The list carries each request's last official answer as its status notes, read
    // for the whole page at once; `max_requests` cuts the page (newest first).
    let (_, listed) = both_formats(app, "requests?max_requests=1", "service_requests").await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "max_requests=1");
    assert_eq!(listed[0]["service_request_id"], id.as_str());
    assert_eq!(listed[0]["status_notes"], "Fixed this morning.");
    for bad in ["0", "1001", "many"] {
        let (status, _) =
            both_formats(app, &format!("requests?max_requests={bad}"), "errors").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "max_requests={bad}");
    }
    // FixMyStreet relays the citizen's "fixed": recorded once, and it confirms.
    let update = |update_id: &'static str| {
        http.post(format!(
            "{}/open311/v2/servicerequestupdates.json",
            app.base
        ))
        .form(&[
            ("api_key", "bz_fixmystreet"),
            ("service_request_id", id.as_str()),
            ("update_id", update_id),
            ("status", "FIXED"),
            ("updated_datetime", "2026-11-23T10:00:00Z"),
            ("description", "Yes, water is back"),
        ])
        .send()
    };
    let first: Value = update("fms-77").await.unwrap().json().await.unwrap();
    let again: Value = update("fms-77").await.unwrap().json().await.unwrap();
    assert_eq!(first[0]["update_id"], again[0]["update_id"]);
    let events = app.store.case_events(case.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == baraza_core::EventKind::CitizenReplied)
            .count(),
        1
    );
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    assert_eq!(case.status, Status::Resolved);
    // Nothing of the citizen's in any answer.
    for path in ["requests.json", "requests.xml", "servicerequestupdates.xml"] {
        let body = http
            .get(format!("{}/open311/v2/{path}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for secret in ["Achieng", "Odhiambo", "achieng@example.org", "0722 111 222"] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
}

/// Pages answer errors as pages in the reader's language; the API and Open311 keep their
/// machine formats (Open311 in the format the path asks for).
#[tokio::test]
async fn errors_fit_the_surface() {
    let app = ConsoleApp::sqlite().await;
    let http = reqwest::Client::new();
    let get = |path: &str, lang: &str| {
        http.get(format!("{}{path}", app.base))
            .header("accept-language", lang)
            .send()
    };
    for (path, lang, words) in [
        ("/no-such-page", "sw", "Ukurasa haupatikani"),
        ("/no-such-page", "fr", "Page introuvable"),
        ("/staff/no-such-page", "en", "Page not found"),
    ] {
        let r = get(path, lang).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let body = r.text().await.unwrap();
        assert!(body.contains(words), "{path} in {lang}: {body}");
    }
    // A malformed query on a page: a page too, not a JSON document.
    let r = get("/registry?after=%ZZ", "en").await.unwrap();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // The API answers problem documents.
    let r = get("/api/v1/nothing", "sw").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Open311 answers in the format the path names.
    let r = get("/open311/v2/nothing.xml", "en").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(
        body.starts_with("<?xml") && body.contains("<errors>"),
        "{body}"
    );
    let r = get("/open311/v2/nothing.json", "en").await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v[0]["code"], 404);
    app.stop().await;
}

/// Pages, CSS, CSV and JSON go out gzip or brotli when the client takes it (2G users pay
/// for every byte), unchanged once decompressed; the console's pages, which carry the
/// session's CSRF token, never do (BREACH).
#[tokio::test]
async fn public_pages_and_data_go_out_compressed_but_never_the_console() {
    use std::io::Read;
    let app = ConsoleApp::sqlite().await;
    // No decompression in this client: bodies arrive as the server sent them.
    let http = reqwest::Client::new();
    let get = |path: &str, encoding: Option<&str>| {
        let mut r = http.get(format!("{}{path}", app.base));
        if let Some(e) = encoding {
            r = r.header("accept-encoding", e);
        }
        r.send()
    };
    for path in [
        "/projects",
        "/dashboard",
        "/static/baraza.css",
        "/projects/contracts.csv",
        "/api/v1/openapi.json",
        "/open311/v2/services.json",
    ] {
        let plain = get(path, None).await.unwrap();
        assert_eq!(plain.status(), StatusCode::OK, "{path}");
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.bytes().await.unwrap();
        let gz = get(path, Some("gzip")).await.unwrap();
        assert_eq!(
            gz.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
        let gz = gz.bytes().await.unwrap();
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain, "{path}: the same bytes once decompressed");
        let br = get(path, Some("br, gzip")).await.unwrap();
        assert_eq!(
            br.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some("br"),
            "{path}"
        );
        let br = br.bytes().await.unwrap().len();
        assert!(br < plain.len(), "{path}: {br} of {} bytes", plain.len());
        eprintln!(
            "{path}: {} bytes, gzip {}, brotli {br}",
            plain.len(),
            gz.len()
        );
    }
    for path in ["/staff/login", "/staff"] {
        let r = get(path, Some("gzip, br")).await.unwrap();
        assert!(r.headers().get("content-encoding").is_none(), "{path}");
    }
    app.stop().await;
}

/// `/metrics` speaks Prometheus to whoever holds the token, and to nobody else; `/readyz`
/// fails once a message has waited for a provider longer than the threshold.
#[tokio::test]
async fn operators_see_metrics_with_the_token_and_readiness_follows_the_outbox() {
    let app = ConsoleApp::sqlite().await;
    let http = reqwest::Client::new();
    let metrics = |token: Option<&str>| {
        let mut r = http.get(format!("{}/metrics", app.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(
        metrics(None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        metrics(Some("guess")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // A concern by SMS (its acknowledgement waits in the outbox: no provider here).
    let phone = "+254722000901";
    app.sms(
        "metrics-1",
        phone,
        "No water at the market tap since Monday",
    )
    .await;
    let ready = http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: Value = ready.json().await.unwrap();
    assert!(ready["outbox"]["pending"].as_u64().unwrap() >= 1, "{ready}");

    let page = metrics(Some(super::METRICS_TOKEN)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = page.text().await.unwrap();
    for needle in [
        "baraza_intakes_total{channel=\"sms\"}",
        "baraza_http_requests_total{route=\"/readyz\",method=\"GET\",status=\"200\"}",
        "baraza_http_request_duration_seconds_bucket{route=\"/readyz\",le=\"0.005\"}",
        "baraza_group_commit_batch_size_bucket{le=\"1\"}",
        "baraza_group_commit_seconds_count",
        "baraza_outbox_pending ",
        "baraza_outbox_oldest_pending_age_seconds ",
        "baraza_database_up 1",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    // Routes are patterns: no reference, phone or token in a label.
    assert!(!text.contains(phone) && !text.contains("guess"));

    // Half an hour later the acknowledgement still waits: not ready.
    app.clock.advance(chrono::Duration::minutes(31));
    let stuck = http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stuck.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = stuck.text().await.unwrap();
    assert!(body.contains("the outbox is stuck"), "{body}");
    app.stop().await;
}

/// The raise form as on GOV.UK: an error summary linking to each field, the message beside
/// the field, what was typed kept (a photo included, so it need not be chosen again);
/// then post-redirect-get to a confirmation that names the county's SMS number and USSD
/// code and when a first response is due.
#[tokio::test]
async fn the_raise_form_keeps_what_was_typed_and_confirms_after_a_redirect() {
    let app = ConsoleApp::sqlite().await;
    let mut agent = Agent::new(&app);
    let photo = b"\x89PNG\r\n\x1a\nnot really a picture, but named as one".to_vec();
    let send = |agent: &Agent, page: &Page, fields: &[(&str, &str)], photo: Option<Vec<u8>>| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", page.csrf())
            .text("key", hidden(&page.body, "key"));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some(bytes) = photo {
            form = form.part(
                "photo",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("pipe.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        }
        agent
            .http
            .post(format!("{}/raise", app.base))
            .header(COOKIE, agent.cookie_header())
            .multipart(form)
            .send()
    };
    let page = agent.get("/raise").await;
    let r = send(
        &agent,
        &page,
        &[
            ("kind", "complaint"),
            ("ward", "0742"),
            ("phone", "0712 34"),
        ],
        Some(photo.clone()),
    )
    .await
    .unwrap();
    let page = agent.keep(r).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = page.body;
    let summary = &body[body.find("id=\"error-summary\"").expect("an error summary")..];
    assert!(summary.contains("<a href=\"#description\">"), "{summary}");
    assert!(summary.contains("<a href=\"#phone\">"), "{summary}");
    assert!(body.contains("id=\"description-error\""));
    assert!(body.contains("id=\"phone-error\""));
    assert!(body.contains("value=\"0712 34\""), "what was typed stays");
    assert!(body.contains("id=\"photo-kept\""), "the photo stays");
    // Again, with the mistakes mended and no photo chosen: the kept one goes with it.
    let page = Page {
        status: StatusCode::OK,
        location: None,
        body,
    };
    let r = send(
        &agent,
        &page,
        &[
            ("kind", "complaint"),
            ("ward", "0742"),
            ("phone", "0712 345 678"),
            ("description", "The pipe at the school has burst"),
            ("kept_photo", &hidden(&page.body, "kept_photo")),
            ("kept_photo_type", "image/png"),
            ("kept_photo_name", "pipe.png"),
        ],
        None,
    )
    .await
    .unwrap();
    let posted = agent.keep(r).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let to = posted.location.unwrap();
    let done = agent.get(&to).await;
    assert_eq!(done.status, StatusCode::OK);
    let reference = reference_in(&done.body);
    let case = app
        .store
        .case_by_number(CaseNumber::parse(&reference).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.attachments.len(), 1, "the kept photo came with it");
    assert_eq!(case.attachments[0].size_bytes, photo.len() as u64);
    // The confirmation: the county's SMS number and USSD code, and a date for a first
    // response; a refresh shows it again.
    for needle in [
        "<strong>40404</strong>",
        "<strong>*384*40404#</strong>",
        "id=\"first-response-by\"",
    ] {
        assert!(done.body.contains(needle), "{needle}: {}", done.body);
    }
    assert_eq!(agent.get(&to).await.status, StatusCode::OK);
    assert_eq!(
        agent.get("/raise/received?ref=EM-0000-0000").await.status,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// Raise a concern on the web with a photo, as `agent` (who keeps the cookies): the
/// confirmation page after the redirect.
async fn raise_with_photo(
    app: &ConsoleApp,
    agent: &mut Agent,
    fields: &[(&str, &str)],
    photo: &[u8],
) -> Page {
    let page = agent.get("/raise").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", page.csrf())
        .text("key", hidden(&page.body, "key"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "photo",
        reqwest::multipart::Part::bytes(photo.to_vec())
            .file_name("pipe.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let r = agent
        .http
        .post(format!("{}/raise", app.base))
        .header(COOKIE, agent.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let posted = agent.keep(r).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    let to = posted.location.unwrap();
    agent.get(&to).await
}

on_both!(
    photos_are_shown_to_whom_they_may_be,
    postgres_photos_are_shown_to_whom_they_may_be,
    photos
);

/// A photo raised on the web: its citizen sees it on `/track` (this browser), staff on the
/// case page (scope checked), the public only once staff approved it and the citizen
/// agreed; Open311's `media_url` then points to it.
async fn photos(app: &ConsoleApp) {
    let bytes = include_bytes!("../fixtures/pipe.png").to_vec();
    let mut citizen = Agent::new(app);
    let done = raise_with_photo(
        app,
        &mut citizen,
        &[
            ("kind", "complaint"),
            ("ward", "0741"),
            ("category", "water-supply"),
            ("phone", "0712-999 444"),
            ("description", "Burst pipe by the school"),
            ("publish", "yes"),
        ],
        &bytes,
    )
    .await;
    // What was understood of the number, said back.
    assert!(
        done.body
            .contains("We understood your phone number as <strong>+254712999444</strong>"),
        "{}",
        done.body
    );
    let reference = reference_in(&done.body);
    let n = CaseNumber::parse(&reference).unwrap();
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let sha = case.attachments[0].sha256.clone();
    let url = format!("/track/{}/photo/{sha}", n.digits());
    // The citizen's browser sees it; nobody else yet.
    let mine = citizen.get(&format!("/track?ref={}", n.digits())).await;
    assert!(
        mine.body.contains(&url) && mine.body.contains("Your photo"),
        "{}",
        mine.body
    );
    let r = citizen
        .http
        .get(format!("{}{url}", app.base))
        .header(COOKIE, citizen.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // Pages show a thumbnail: a small JPEG made once, kept beside the photo.
    let thumb_url = format!("/track/{}/thumb/{sha}", n.digits());
    assert!(mine.body.contains(&thumb_url));
    let r = citizen
        .http
        .get(format!("{}{thumb_url}", app.base))
        .header(COOKIE, citizen.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(r.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
    assert!(
        app.media
            .path()
            .join("media/thumbs")
            .join(format!("{sha}.jpg"))
            .exists()
    );
    let mut anyone = Agent::new(app);
    assert!(
        !anyone
            .get(&format!("/track?ref={}", n.digits()))
            .await
            .body
            .contains(&url)
    );
    assert_eq!(anyone.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anyone.get(&thumb_url).await.status, StatusCode::NOT_FOUND);
    let open311 = anyone
        .get(&format!("/open311/v2/requests/{reference}.json"))
        .await;
    let v: Value = serde_json::from_str(&open311.body).unwrap();
    assert_eq!(v[0]["media_url"], Value::Null, "not approved yet");
    // Staff see it on the case page, under the case's scope.
    let mut desk = Agent::signed_in(app, "desk").await;
    let page = desk.get(&format!("/staff/cases/{}", n.digits())).await;
    let staff_url = format!("/staff/cases/{}/photos/{sha}", n.digits());
    assert!(page.body.contains(&staff_url) && page.body.contains("seen by staff only"));
    assert_eq!(desk.get(&staff_url).await.status, StatusCode::OK);
    let staff_thumb = format!("/staff/cases/{}/thumbs/{sha}", n.digits());
    assert!(page.body.contains(&staff_thumb));
    assert_eq!(desk.get(&staff_thumb).await.status, StatusCode::OK);
    let mut elsewhere = Agent::signed_in(app, "ward.kamariny").await;
    assert_eq!(
        elsewhere.get(&staff_url).await.status,
        StatusCode::NOT_FOUND
    );
    // The desk approves it: the public sees it, and Open311 points to it.
    let p = desk
        .act(
            &case,
            &[
                ("action", "publish_photo"),
                ("photo", &sha),
                ("publish", "true"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let said = desk.get(p.location.as_deref().unwrap()).await;
    assert!(said.body.contains("Photo approved"), "{}", said.body);
    assert!(
        anyone
            .get(&format!("/track?ref={}", n.digits()))
            .await
            .body
            .contains(&url)
    );
    assert_eq!(anyone.get(&url).await.status, StatusCode::OK);
    let v: Value = serde_json::from_str(
        &anyone
            .get(&format!("/open311/v2/requests/{reference}.json"))
            .await
            .body,
    )
    .unwrap();
    assert!(
        v[0]["media_url"].as_str().unwrap().ends_with(&url),
        "{}",
        v[0]["media_url"]
    );
    // Withdrawn: gone from the public again.
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let p = desk
        .act(
            &case,
            &[
                ("action", "publish_photo"),
                ("photo", &sha),
                ("publish", "false"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(anyone.get(&url).await.status, StatusCode::NOT_FOUND);
    // Without the citizen's agreement an approval shows nothing to the public.
    let mut other = Agent::new(app);
    let done = raise_with_photo(
        app,
        &mut other,
        &[
            ("kind", "complaint"),
            ("ward", "0741"),
            ("description", "Another burst pipe"),
            ("email", "Mwangi@Example.org"),
        ],
        b"\x89PNG\r\n\x1a\nanother pipe",
    )
    .await;
    assert!(
        done.body.contains("We understood your email address as"),
        "{}",
        done.body
    );
    let n2 = CaseNumber::parse(&reference_in(&done.body)).unwrap();
    let case2 = app.store.case_by_number(n2).await.unwrap().unwrap();
    let sha2 = case2.attachments[0].sha256.clone();
    let page = desk.get(&format!("/staff/cases/{}", n2.digits())).await;
    assert!(
        page.body.contains("did not agree to publication"),
        "{}",
        page.body
    );
    let p = desk
        .act(
            &case2,
            &[
                ("action", "publish_photo"),
                ("photo", &sha2),
                ("publish", "true"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(
        anyone
            .get(&format!("/track/{}/photo/{sha2}", n2.digits()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A photo the case does not have is refused by name.
    let case2 = app.store.case_by_number(n2).await.unwrap().unwrap();
    let p = desk
        .act(
            &case2,
            &[
                ("action", "publish_photo"),
                ("photo", &"0".repeat(64)),
                ("publish", "true"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("no such photo on this case"), "{}", p.body);
}

/// The visible words of the console's pages, read in `lang`.
async fn staff_words(desk: &mut Agent, lang: &str, pages: &[String]) -> Vec<Vec<String>> {
    desk.get(&format!("/staff/language?l={lang}&next=/staff"))
        .await;
    let mut out = Vec::new();
    for p in pages {
        out.push(visible_words(&desk.get(p).await.body));
    }
    out
}

/// The visible words of a page: text outside scripts, styles and drawings, and the
/// placeholder, alt, aria-label and title attributes; entities decoded, spaces collapsed.
fn visible_words(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    let decode = |s: &str| {
        s.replace("&#39;", "'")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#38;", "&")
            .replace("&amp;", "&")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    while let Some(open) = rest.find('<') {
        let text = decode(&rest[..open]);
        if !text.is_empty() {
            out.push(text);
        }
        let tag_end = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        let tag = &rest[open..tag_end];
        for attr in ["placeholder", "alt", "aria-label", "title"] {
            let needle = format!(" {attr}=\"");
            if let Some(i) = tag.find(&needle) {
                let v = &tag[i + needle.len()..];
                let v = decode(&v[..v.find('"').unwrap_or(v.len())]);
                if !v.is_empty() {
                    out.push(v);
                }
            }
        }
        rest = &rest[tag_end..];
        // Scripts, styles and drawings are not read; code (column names) is not prose.
        for skipped in ["script", "style", "svg", "code"] {
            if tag.starts_with(&format!("<{skipped}")) {
                let close = format!("</{skipped}>");
                rest = rest.find(&close).map_or("", |i| &rest[i + close.len()..]);
            }
        }
    }
    let text = decode(rest);
    if !text.is_empty() {
        out.push(text);
    }
    out
}

on_both!(
    no_english_left_on_kiswahili_and_french_pages,
    postgres_no_english_left_on_kiswahili_and_french_pages,
    translated
);

/// Every public page in Kiswahili and in French shows no English: interface words,
/// reference data (categories, departments), the system's timeline lines, the open
/// data's field descriptions, form errors and the 404 page. What may stay the same is
/// named here: proper names (places, the county, references), what citizens wrote, and
/// words that are the same in that language.
async fn translated(app: &ConsoleApp) {
    // Some content: a concern triaged, answered, reopened by its citizen.
    let (_, body) = raise_on_the_web(
        app,
        &[
            ("kind", "complaint"),
            ("description", "Burst pipe at the Emsoo market"),
            ("ward", "0741"),
            ("category", "water-supply"),
            ("phone", "0712 999 555"),
            ("publish", "yes"),
        ],
    )
    .await;
    let reference = reference_in(&body);
    let n = CaseNumber::parse(&reference).unwrap();
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let mut desk = Agent::signed_in(app, "desk").await;
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
    desk.act(&case, &[("action", "respond"), ("text", "Mended today.")])
        .await;
    app.sms("ATXid_tr1", "+254712999555", "2 still leaking")
        .await;
    let citizen_words = [
        "Burst pipe at the Emsoo market",
        "Mended today.",
        "still leaking",
    ];
    let proper: Vec<String> = {
        let mut v: Vec<String> = [
            "English",
            "Kiswahili",
            "Français",
            "Open311",
            "Creative Commons Attribution 4.0 (CC BY 4.0)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let j = app.store.jurisdictions().await.unwrap().remove(0);
        v.push(j.name.clone());
        v.extend(
            app.store
                .areas(&j.id)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.name),
        );
        v.push(reference.clone());
        v
    };
    // Words that are the same in the language, checked one by one.
    let same_in = |lang: &str| -> &'static [&'static str] {
        match lang {
            "fr" => &[
                "Suggestion",
                "Compliment",
                "Latitude",
                "Longitude",
                "Licence",
                "Photo",
                "Photos",
                "Type",
                "Total",
                "Budget",
                "Page",
                "Description",
                "Actions",
                "Note",
                "Web",
            ],
            _ => &[],
        }
    };
    let digits = n.digits();
    let pages = [
        "/".to_owned(),
        "/raise".to_owned(),
        "/raise?ward=0741&category=water-supply".to_owned(),
        "/concerns".to_owned(),
        format!("/track?ref={digits}"),
        "/registry".to_owned(),
        "/dashboard".to_owned(),
        "/dashboard?by=category".to_owned(),
        "/dashboard?by=department".to_owned(),
        "/open-data".to_owned(),
        "/no-such-page".to_owned(),
        "/information".to_owned(),
        "/information/new".to_owned(),
        "/information/disclosures".to_owned(),
        "/projects".to_owned(),
        "/plans".to_owned(),
        "/information/statistics".to_owned(),
        format!("/raise/received?ref={digits}"),
    ];
    let http = reqwest::Client::new();
    let get = |path: String, lang: &'static str| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            http.get(format!("{base}{path}"))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    // What a page in `lang` shows that its English page shows too, and may not.
    let left_in = |lang: &str, english: &[String], words: Vec<String>| -> Vec<String> {
        words
            .into_iter()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != ')')
                    .to_owned()
            })
            .filter(|w| {
                // Words, not acronyms, times (`09:00 EAT`) or file names (`cases.csv`).
                let letters: usize = w
                    .split_whitespace()
                    .filter(|t| t.chars().any(char::is_lowercase))
                    .map(|t| t.chars().filter(|c| c.is_alphabetic()).count())
                    .sum();
                let file_name = !w.contains(' ') && w.contains('.');
                letters >= 3
                    && !file_name
                    && english.contains(w)
                    && !proper.contains(w)
                    && !citizen_words.iter().any(|c| w.contains(c))
                    && !same_in(lang).contains(&w.as_str())
            })
            .collect()
    };
    let mut problems = Vec::new();
    for path in &pages {
        let english = visible_words(&get(path.clone(), "en").await);
        for lang in ["sw", "fr"] {
            let words = visible_words(&get(path.clone(), lang).await);
            for w in left_in(lang, &english, words) {
                problems.push(format!("{lang} {path}: {w:?}"));
            }
        }
    }
    // The console's pages, as the desk reads them.
    let staff_pages = [
        "/staff".to_owned(),
        "/staff?queue=all".to_owned(),
        format!("/staff/cases/{digits}"),
        "/staff/intake".to_owned(),
        "/staff/overview".to_owned(),
    ];
    let mut desk = Agent::signed_in(app, "desk").await;
    let english = staff_words(&mut desk, "en", &staff_pages).await;
    for lang in ["sw", "fr"] {
        let read = staff_words(&mut desk, lang, &staff_pages).await;
        for ((path, en), words) in staff_pages.iter().zip(&english).zip(read) {
            for w in left_in(lang, en, words) {
                problems.push(format!("{lang} {path}: {w:?}"));
            }
        }
    }
    // A form's mistakes, in the reader's language.
    for (lang, needle) in [
        ("sw", "nambari ya simu kama inavyoandikwa Kenya"),
        ("fr", "écrit au Kenya"),
    ] {
        let mut agent = Agent::new(app);
        agent.get(&format!("/language?l={lang}")).await;
        let form_page = agent.get("/raise").await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", form_page.csrf())
            .text("key", hidden(&form_page.body, "key"))
            .text("kind", "complaint")
            .text("description", "x")
            .text("phone", "07x")
            .text("lat", "north");
        let r = agent
            .http
            .post(format!("{}/raise", app.base))
            .header(COOKIE, agent.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{lang}: {body}");
        assert!(
            !body.contains("latitude and longitude are numbers"),
            "{lang}: {body}"
        );
    }
    assert!(
        problems.is_empty(),
        "English left:\n{}",
        problems.join("\n")
    );
}
