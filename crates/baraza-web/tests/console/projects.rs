//! Public projects and their open contracting data end to end, on both backends: a
//! project registered; planning, a tender (then amended), an award to a single bidder
//! and a contract published; the PMC elected; a payment before any approved report (a
//! red flag); a PMC member's report approved by a validator and published in the OCDS
//! implementation section; every role checked; every published release, record and
//! project package validated against the shared schemas, codelists included; an
//! ocportal-shaped release package imported and given back as it was; a citizen's
//! concern filed from the project page as a case about the project; the journal verifies.

use super::*;
use baraza_app::open_contracting::{Kind, check};
use serde_json::{Value, json};

const CODE: &str = "EM-WT-007";

pub(super) async fn api(app: &ConsoleApp, who: &str, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .bearer_auth(format!("bz_{who}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn act(app: &ConsoleApp, who: &str, body: Value) -> (u16, Value) {
    api(app, who, &format!("/api/v1/projects/{CODE}/actions"), body).await
}

async fn public_json(app: &ConsoleApp, path: &str) -> Value {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn public_text(app: &ConsoleApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn valid(kind: Kind, doc: &Value) {
    if let Err(e) = check(kind, doc) {
        panic!("{kind:?} does not validate: {e:?}\n{doc:#}");
    }
}

/// Releases shaped as ocportal publishes them (develop-elgeyo's converter): tags from the
/// sections present, md5-looking ids, the county's prefix.
fn ocportal_package() -> Value {
    let ocid = "ocds-udd159-4021";
    json!({
        "uri": "https://opencontracting.elgeyomarakwet.go.ke/api/ocds/package/all",
        "version": "1.1",
        "publishedDate": "2025-11-10T08:00:00Z",
        "publisher": {"name": "Elgeyo Marakwet County"},
        "license": "https://creativecommons.org/licenses/by-sa/4.0/",
        "releases": [
            {"ocid": ocid, "id": "9f1c0a7e2b6d4c3aa1e5f0b9c8d7e6f5", "date": "2025-02-03T10:15:00Z",
             "tag": ["planning", "tender"], "initiationType": "tender", "language": "en",
             "buyer": {"id": "elgeyo-marakwet", "name": "Elgeyo Marakwet County"},
             "planning": {"budget": {"id": "FY2024/25-0742-11", "amount": {"amount": 2500000, "currency": "KES"},
                          "project": "Kamariny dispensary maternity wing", "projectID": "P-0742-11"}},
             "tender": {"id": "EMC/HLT/011/2024-2025", "title": "Construction of a maternity wing at Kamariny dispensary",
                        "status": "active", "procurementMethod": "open",
                        "value": {"amount": 2450000, "currency": "KES"},
                        "tenderPeriod": {"startDate": "2025-02-03T00:00:00Z", "endDate": "2025-02-24T00:00:00Z"}}},
            {"ocid": ocid, "id": "0b8e4f2d9c1a4e6b8f3d2c1b0a9e8d7c", "date": "2025-03-18T09:00:00Z",
             "tag": ["award", "contract"], "initiationType": "tender",
             "parties": [{"id": "KE-PIN-P051234567X", "name": "Cherangany Contractors", "roles": ["supplier"]}],
             "awards": [{"id": "EMC/HLT/011-A1", "status": "active", "date": "2025-03-10T00:00:00Z",
                         "value": {"amount": 2390000, "currency": "KES"},
                         "suppliers": [{"id": "KE-PIN-P051234567X", "name": "Cherangany Contractors"}]}],
             "contracts": [{"id": "EMC/HLT/011-C1", "awardID": "EMC/HLT/011-A1", "status": "active",
                            "value": {"amount": 2390000, "currency": "KES"}, "dateSigned": "2025-03-18T00:00:00Z",
                            "period": {"startDate": "2025-03-20T00:00:00Z", "endDate": "2025-09-30T00:00:00Z"}}]}
        ]
    })
}

async fn projects(app: &ConsoleApp) {
    // Who may register a project: not the desk, and the fields are named when wrong.
    let new = json!({"code": CODE, "title": "Kapchemutwa water pan rehabilitation",
        "department": "water", "fiscal_year": "2025/26", "sector": "waterAndWaste",
        "wards": ["0742"], "budget": 3000000.0, "status": "implementation",
        "target_groups": ["youth", "women"]});
    let (s, _) = api(app, "desk", "/api/v1/projects", new.clone()).await;
    assert_eq!(s, 403);
    let (s, v) = api(
        app,
        "procurement",
        "/api/v1/projects",
        json!({"code": "x", "sector": "bridges", "wards": [], "fiscal_year": "2025/27",
               "title": "T", "department": "water", "budget": 1.0}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let text = v.to_string();
    for field in ["code", "sector", "wards"] {
        assert!(text.contains(field), "{field} not named: {v}");
    }
    let (s, v) = api(app, "procurement", "/api/v1/projects", new.clone()).await;
    assert_eq!(s, 201, "{v}");
    let (s, _) = api(app, "procurement", "/api/v1/projects", new).await;
    assert_eq!(s, 409, "the code is taken");

    // Planning, tender, amendment, award to a single bidder, contract.
    let (s, v) = act(
        app,
        "procurement",
        json!({"action": "plan", "budget": 3000000.0, "method": "open", "rationale": "ADP 2025/26"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let ocid = v["project"]["processes"][0]["ocid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(ocid, format!("ocds-udd159-{CODE}-1"));
    let tender = |rationale: &str, value: f64| {
        json!({"action": "tender", "ocid": ocid, "number": "EMC/WT/007/2025", "title": "Desilting of Kapchemutwa water pan",
               "value": value, "opens": "2025-08-01", "closes": "2025-08-22", "rationale": rationale,
               "items": [{"description": "Desilting", "quantity": 12000.0, "unit": "m3"}],
               "links": [{"title": "Tender notice", "url": "https://elgeyomarakwet.go.ke/tenders/007.pdf"}]})
    };
    let (s, v) = act(app, "procurement", tender("", 2_900_000.0)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(app, "procurement", tender("", 2_950_000.0)).await;
    assert_eq!(s, 422, "an amendment needs its reason: {v}");
    assert!(v.to_string().contains("rationale"));
    let (s, v) = act(
        app,
        "procurement",
        tender("Quantities corrected", 2_950_000.0),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = act(
        app,
        "implementation",
        json!({"action": "award", "ocid": ocid, "supplier": "Kerio Builders", "value": 3200000.0, "date": "2025-09-01", "tenderers": 1}),
    )
    .await;
    assert_eq!(s, 403, "the implementation side does not award");
    let (s, v) = act(
        app,
        "procurement",
        json!({"action": "award", "ocid": ocid, "supplier": "Kerio Builders", "value": 3200000.0, "date": "2025-09-01", "tenderers": 1}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(
        app,
        "procurement",
        json!({"action": "contract", "ocid": ocid, "number": "EMC/WT/007/C1", "value": 3200000.0,
               "signed": "2025-09-10", "starts": "2025-09-15", "ends": "2025-12-15"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // The implementing department elects the PMC and pays before any approved report.
    let (s, v) = act(
        app,
        "implementation",
        json!({"action": "elect_pmc", "elected_on": "2025-08-20", "forum": "Kamariny ward public forum",
               "members": [{"name": "Chebet Kiprono", "designation": "Chair", "phone": "0722 000 333"},
                           {"name": "Kibet Rotich", "designation": "Secretary"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = act(
        app,
        "implementation",
        json!({"action": "payment", "ocid": ocid, "amount": 1000000.0, "date": "2025-10-01"}),
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // The PMC member reports; only a validator approves, and then it is published.
    let report = json!({"action": "file_report", "status": "atRisk", "text": "Desilting half done; the spillway is cracked",
        "emerging_complaints": "Dust at Kapchemutwa primary", "social_safeguards": "Fenced at night"});
    let (s, _) = act(app, "procurement", report.clone()).await;
    assert_eq!(s, 403);
    let (s, v) = act(app, "pmc", report).await;
    assert_eq!(s, 200, "{v}");
    let (_, page) = public_text(app, &format!("/projects/{CODE}")).await;
    assert!(
        !page.contains("spillway is cracked"),
        "a draft is not public"
    );
    let (s, _) = act(app, "pmc", json!({"action": "approve_report", "report": 1})).await;
    assert_eq!(s, 403);
    let (s, v) = act(
        app,
        "validator",
        json!({"action": "approve_report", "report": 1}),
    )
    .await;
    assert_eq!(s, 200, "{v}");

    // Everything published validates; the implementation section carries the report.
    let package = public_json(app, &format!("/ocds/releases/{ocid}.json")).await;
    valid(Kind::ReleasePackage, &package);
    let releases = package["releases"].as_array().unwrap();
    let tags: Vec<&str> = releases
        .iter()
        .map(|r| r["tag"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "planning",
            "tender",
            "tenderAmendment",
            "award",
            "contract",
            "implementation",
            "implementation"
        ]
    );
    for r in releases {
        valid(Kind::Release, r);
    }
    let record = public_json(app, &format!("/ocds/records/{ocid}.json")).await;
    valid(Kind::RecordPackage, &record);
    let compiled = &record["records"][0]["compiledRelease"];
    assert_eq!(compiled["tag"], json!(["compiled"]));
    let milestone = &compiled["contracts"][0]["implementation"]["milestones"][0];
    assert_eq!(milestone["type"], "reporting");
    assert!(
        milestone["description"]
            .as_str()
            .unwrap()
            .contains("spillway")
    );
    assert_eq!(
        compiled["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"],
        1_000_000.0
    );
    let versions = &record["records"][0]["versionedRelease"]["tender"]["value"]["amount"];
    assert_eq!(versions.as_array().unwrap().len(), 2, "{versions}");
    let projects = public_json(app, "/oc4ids/projects.json").await;
    valid(Kind::ProjectPackage, &projects);
    let one = public_json(app, &format!("/oc4ids/projects/{CODE}.json")).await;
    valid(Kind::ProjectPackage, &one);
    assert_eq!(one["projects"][0]["id"], format!("ocds-udd159-{CODE}"));
    assert_eq!(
        one["projects"][0]["contractingProcesses"][0]["summary"]["contractValue"]["amount"],
        3_200_000.0
    );
    let bulk = public_json(app, "/ocds/releases.json").await;
    valid(Kind::ReleasePackage, &bulk);
    let (s, lines) = public_text(app, "/ocds/releases.jsonl").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(lines.lines().count(), 7);
    for l in lines.lines() {
        valid(Kind::Release, &serde_json::from_str(l).unwrap());
    }
    let (_, csv) = public_text(app, "/projects/contracts.csv").await;
    assert!(csv.starts_with("ocid,project_code"));
    assert!(csv.contains(&format!("{ocid},{CODE}")), "{csv}");

    // The pages: red flags computed from the data, the report, never a phone.
    let (s, page) = public_text(app, &format!("/projects/{CODE}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("spillway is cracked"));
    assert!(page.contains("Contract value above the budget"), "{page}");
    assert!(page.contains("A single bidder"));
    assert!(page.contains("Chebet Kiprono"));
    assert!(!page.contains("722000333") && !page.contains("0722 000 333"));
    assert!(page.len() < 30_000, "{} bytes", page.len());
    let (_, list) = public_text(app, "/projects?ward=0742").await;
    assert!(list.contains("Kapchemutwa water pan"));
    let (_, none) = public_text(app, "/projects?ward=0741").await;
    assert!(!none.contains("Kapchemutwa water pan"));
    // The Auditor-General's report on the project, published in the disclosure log by the
    // information officer, attached to the department, the fiscal year and the project.
    let audit = |agent: &Agent, csrf: String, project: &str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("class", "audit")
            .text("title", "Audit of the Kapchemutwa water pan 2024/25")
            .text("period", "2024/25")
            .text("department", "water")
            .text("project", project.to_owned())
            .text("published_on", "2025-12-19")
            .part(
                "document",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 audit".to_vec())
                    .file_name("audit-2024-25.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        agent
            .http
            .post(format!(
                "{}/staff/information/disclosures/publish",
                app.base
            ))
            .header(reqwest::header::COOKIE, agent.cookie_header())
            .multipart(form)
            .send()
    };
    let mut officer = Agent::signed_in(app, "information").await;
    let csrf = officer.get("/staff/information/disclosures").await.csrf();
    let wrong = audit(&officer, csrf, "EM-XX-404").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(
        wrong.contains("no project &quot;EM-XX-404&quot;")
            || wrong.contains("no project &#34;EM-XX-404&#34;"),
        "{wrong}"
    );
    let csrf = officer.get("/staff/information/disclosures").await.csrf();
    let done = audit(&officer, csrf, &CODE.to_lowercase()).await.unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (_, page) = public_text(app, &format!("/projects/{CODE}")).await;
    assert!(
        page.contains("Audit of the Kapchemutwa water pan 2024/25</a> (2024/25)"),
        "{page}"
    );
    let (_, log) = public_text(app, "/information/disclosures").await;
    let audits = &log[log.find("id=\"class-audit\"").unwrap()..];
    assert!(
        audits.contains(
            "· 2024/25 · Water and Sanitation · <a href=\"/projects/EM-WT-007\">EM-WT-007</a>"
        ),
        "{audits}"
    );

    // The ward map: drawn on the server from the boundaries, coloured by the number of
    // projects, each listed ward a link; the one ward the list lacks drawn apart; the
    // boundaries' licence cited; no script, and still a small page.
    let map = list
        .split_once("<figure class=\"map\">")
        .and_then(|(_, m)| m.split_once("</figure>"))
        .map(|(m, _)| m)
        .expect("a map on the projects page");
    assert_eq!(map.matches("<path ").count(), 20, "the county's 20 wards");
    assert!(
        map.contains("<a href=\"/projects?ward=0742\"><path d=\"M")
            && map.contains("class=\"c1 sel\"><title>Kamariny: 1</title>"),
        "{map}"
    );
    assert!(
        map.contains("class=\"c0\"><title>Emsoo: 0</title>"),
        "{map}"
    );
    assert!(
        map.contains(
            "class=\"cx\"><title>Cherang&#39;Any/Chebororwa: not in the county&#39;s ward list"
        ),
        "{map}"
    );
    assert!(map.contains("CC BY 4.0"));
    assert!(!list.contains("<script"));
    assert!(list.contains("Shown: 1–1 / 1"), "{list}");
    assert!(!list.contains("rel=\"next\""));
    assert!(list.len() < 30_000, "{} bytes", list.len());
    let (_, sw) = {
        let r = reqwest::Client::new()
            .get(format!("{}/projects/{CODE}", app.base))
            .header("accept-language", "sw")
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(sw.contains("Dalili za hatari"), "Kiswahili page");
    // The API gives the committee's phones to the project's workers only.
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/projects/{CODE}", app.base))
        .bearer_auth("bz_observer")
        .send()
        .await
        .unwrap();
    let seen: Value = r.json().await.unwrap();
    assert!(!seen.to_string().contains("722000333"));

    // A citizen's concern from the page is a case about the project.
    let mut citizen = Agent::new(app);
    let form = citizen.get(&format!("/projects/{CODE}")).await;
    let done = citizen
        .post(
            &format!("/projects/{CODE}"),
            &[
                ("csrf", &form.csrf()),
                ("key", "k1"),
                (
                    "description",
                    "The water pan fence is down and cattle walk in",
                ),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cases = app
        .store
        .list_cases(&CaseFilter {
            jurisdiction: Some(fixtures::jurisdiction_id()),
            subject: Some(Subject::Project(CODE.into())),
            limit: 10,
            ..CaseFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].ward.as_ref().map(AreaCode::as_str), Some("0742"));

    // An existing portal's releases come in as they were and go out the same.
    let jurisdiction = app
        .store
        .jurisdictions()
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.id == fixtures::jurisdiction_id())
        .unwrap();
    let clock = baraza_core::ManualClock::new(monday_morning());
    let catalog = baraza_app::Catalog::load(&*app.store).await.unwrap();
    let a = baraza_app::App::new(&*app.store, &clock, &catalog);
    let who = baraza_core::project::ProjectActor {
        name: "import".into(),
        role: Role::SystemAdministrator,
        phone: None,
    };
    let sample = ocportal_package();
    let mut bad = sample.clone();
    bad["releases"][1]["contracts"][0]["status"] = json!("signed");
    let err = baraza_app::projects::import_releases(
        &a,
        &jurisdiction,
        &bad,
        &who,
        baraza_core::lifecycle::Actor::system("import"),
        "https://county.example",
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:?}").contains("contracts/0/status"),
        "the schema path is named: {err:?}"
    );
    let imported = baraza_app::projects::import_releases(
        &a,
        &jurisdiction,
        &sample,
        &who,
        baraza_core::lifecycle::Actor::system("import"),
        "https://county.example",
    )
    .await
    .unwrap();
    assert_eq!(imported, (2, 0));
    let again = baraza_app::projects::import_releases(
        &a,
        &jurisdiction,
        &sample,
        &who,
        baraza_core::lifecycle::Actor::system("import"),
        "https://county.example",
    )
    .await
    .unwrap();
    assert_eq!(again, (0, 2), "nothing twice");
    let back = public_json(app, "/ocds/releases/ocds-udd159-4021.json").await;
    assert_eq!(
        back["releases"], sample["releases"],
        "the same releases back"
    );
    valid(
        Kind::RecordPackage,
        &public_json(app, "/ocds/records/ocds-udd159-4021.json").await,
    );

    // By SMS: the committee member reports, a citizen asks and reports, a wrong code
    // gets an answer.
    assert_eq!(
        app.sms(
            "pj-1",
            PMC_PHONE,
            "REPORT em-wt-007 Spillway repaired, desilting 80% done"
        )
        .await,
        StatusCode::OK
    );
    let out = app.store.outbox_to(PMC_PHONE, 10).await.unwrap();
    assert!(
        out.iter().any(|e| matches!(&e.message.template,
            baraza_core::outbound::Template::ReportDrafted { code, report } if code == CODE && report == "2")),
        "{out:?}"
    );
    let (s, v) = act(
        app,
        "validator",
        json!({"action": "approve_report", "report": 2}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let package = public_json(app, &format!("/ocds/releases/{ocid}.json")).await;
    valid(Kind::ReleasePackage, &package);
    let last = package["releases"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["tag"], json!(["implementation"]));
    assert!(last.to_string().contains("Spillway repaired"));
    let citizen = "+254733000111";
    assert_eq!(
        app.sms("pj-2", citizen, "INFO EM-WT-007").await,
        StatusCode::OK
    );
    assert_eq!(
        app.sms(
            "pj-3",
            citizen,
            "RIPOTI EM-WT-007 Cattle are drinking from the pan"
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        app.sms("pj-4", citizen, "INFO EM-XX-999").await,
        StatusCode::OK
    );
    let out = app.store.outbox_to(citizen, 10).await.unwrap();
    assert!(
        out.iter().any(|e| matches!(&e.message.template,
            baraza_core::outbound::Template::ProjectInfo { code, report_status, .. } if code == CODE && report_status == "onTrack")),
        "{out:?}"
    );
    assert!(
        out.iter().any(|e| matches!(&e.message.template,
            baraza_core::outbound::Template::ProjectUnknown { typed } if typed == "EM-XX-999")),
        "{out:?}"
    );
    let about = |app: &ConsoleApp| {
        let store = app.store.clone();
        async move {
            store
                .list_cases(&CaseFilter {
                    jurisdiction: Some(fixtures::jurisdiction_id()),
                    subject: Some(Subject::Project(CODE.into())),
                    channel: Some(Channel::Sms),
                    limit: 10,
                    ..CaseFilter::default()
                })
                .await
                .unwrap()
        }
    };
    let sms_cases = about(app).await;
    assert_eq!(sms_cases.len(), 1, "the citizen's REPORT is a case");
    let case = sms_cases[0].clone();
    assert_eq!(
        case.department.as_deref(),
        Some("water"),
        "routed at intake to the implementing department"
    );
    // The desk triages it on the priority framework; the implementing department's
    // coordinator answers it.
    let mut desk = Agent::signed_in(app, "desk").await;
    let triaged = desk
        .act(
            &case,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "medium"),
            ],
        )
        .await;
    // The confirmation says what happened, not "Done.".
    let shown = desk.get(triaged.location.as_deref().unwrap()).await;
    let notice = shown
        .body
        .split("id=\"notice\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        notice.starts_with("Triaged: No water supply, priority ")
            && notice.contains("for Water and Sanitation."),
        "{notice}"
    );
    let case = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.status, baraza_core::Status::Triaged);
    assert_eq!(case.department.as_deref(), Some("water"));
    let mut coordinator = Agent::signed_in(app, "coord.water").await;
    coordinator
        .act(
            &case,
            &[
                ("action", "respond"),
                ("text", "The water department fences the pan this week."),
            ],
        )
        .await;
    assert!(
        app.store
            .outbox_to(citizen, 10)
            .await
            .unwrap()
            .iter()
            .any(|e| matches!(&e.message.template,
                baraza_core::outbound::Template::Response { text, .. } if text.contains("fences the pan")))
    );
    let (_, page) = public_text(app, &format!("/projects/{CODE}")).await;
    assert!(page.contains("Concerns raised: 2"), "{page}");
    assert!(page.contains("answered: 1"), "{page}");

    // Ward alerts: followed by SMS and by USSD, then one digest a day each.
    let follower = "+254733000222";
    assert_eq!(
        app.sms("pj-5", follower, "FOLLOW Kamariny").await,
        StatusCode::OK
    );
    assert!(
        app.store
            .outbox_to(follower, 10)
            .await
            .unwrap()
            .iter()
            .any(|e| matches!(
                &e.message.template,
                baraza_core::outbound::Template::WardFollowing { ward } if ward == "Kamariny"
            ))
    );
    let ussd = |text: &'static str| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/webhooks/africastalking/{AT_SECRET}/ussd"))
                .form(&[
                    ("sessionId", "ATUid_pj"),
                    ("serviceCode", "*384*123#"),
                    ("phoneNumber", "+254733000333"),
                    ("text", text),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(ussd("7").await.contains("Alerts"), "the projects menu");
    let shown = ussd("7*2*1").await;
    assert!(shown.contains("Kamariny"), "{shown}");
    let done = ussd("7*2*1*2").await;
    assert!(
        done.starts_with("END") && done.contains("Kamariny"),
        "{done}"
    );
    let evening = Arc::new(baraza_core::ManualClock::new(
        monday_morning() + chrono::Duration::hours(9),
    ));
    let digests = baraza_jobs::ward_alerts::WardDigests::new(app.store.clone(), evening);
    assert_eq!(digests.run_once().await.unwrap(), 2);
    digests.run_once().await.unwrap();
    let told: Vec<String> = app
        .store
        .outbox_to(follower, 20)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.message.template {
            baraza_core::outbound::Template::WardDigest { news } => Some(news),
            _ => None,
        })
        .collect();
    assert_eq!(told.len(), 1, "one digest a day: {told:?}");
    assert!(
        told[0].contains(&format!("{CODE} tender published")),
        "{told:?}"
    );
    assert!(
        told[0].contains(&format!("{CODE} report approved")),
        "{told:?}"
    );
    // Before the hour, nothing goes.
    let morning = Arc::new(baraza_core::ManualClock::new(monday_morning()));
    let early = baraza_jobs::ward_alerts::WardDigests::new(app.store.clone(), morning);
    assert_eq!(early.run_once().await.unwrap(), 0);

    // The journal proves every project as stored.
    let report = baraza_store::verify::verify_journal(&*app.store, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.projects, 2);
}

on_both!(
    a_project_is_contracted_reported_on_and_published_as_valid_open_contracting_data,
    postgres_a_project_is_contracted_reported_on_and_published_as_valid_open_contracting_data,
    projects
);

/// Post a project action form from the project's console page (multipart, with the
/// page's CSRF token and version), with a photo if given.
async fn console_act(
    app: &ConsoleApp,
    agent: &mut Agent,
    code: &str,
    fields: &[(&str, &str)],
    photo: Option<(&str, &[u8])>,
) -> Page {
    let page = agent.get(&format!("/staff/projects/{code}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", page.csrf())
        .text("version", hidden(&page.body, "version"));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes)) = photo {
        form = form.part(
            "document",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str("image/jpeg")
                .unwrap(),
        );
    }
    let r = agent
        .http
        .post(format!("{}/staff/projects/{code}/act", app.base))
        .header(COOKIE, agent.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    agent.keep(r).await
}

async fn console(app: &ConsoleApp) {
    // Only the project roles see the register; the desk is turned away.
    let mut desk = Agent::signed_in(app, "desk").await;
    let refused = desk.get("/staff/projects").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The procurement officer registers a project from the list page; a bad ward is named.
    let mut proc = Agent::signed_in(app, "procurement").await;
    let list = proc.get("/staff/projects").await;
    assert_eq!(list.status, StatusCode::OK);
    let csrf = list.csrf();
    let form = |wards: &'static str| {
        vec![
            ("code", "EM-RD-020"),
            ("title", "Iten - Kamariny footbridge"),
            ("department", "water"),
            ("fiscal_year", "2025/26"),
            ("sector", "transport.road"),
            ("wards", wards),
            ("budget", "1,500,000"),
            ("status", "implementation"),
            ("group-youth", "on"),
        ]
    };
    let mut bad = form("9999");
    bad.push(("csrf", &csrf));
    let page = proc.post("/staff/projects", &bad).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("9999 is not a ward"), "{}", page.body);
    let mut good = form("0742");
    good.push(("csrf", &csrf));
    let page = proc.post("/staff/projects", &good).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let code = "EM-RD-020";
    let done = console_act(
        app,
        &mut proc,
        code,
        &[
            ("action", "plan"),
            ("budget", "1500000"),
            ("method", "direct"),
        ],
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The implementing department (water) records the committee with the member's phone.
    let mut imp = Agent::signed_in(app, "implementation").await;
    let done = console_act(
        app,
        &mut imp,
        code,
        &[
            ("action", "elect_pmc"),
            ("elected_on", "2025-09-01"),
            ("forum", "Kamariny baraza"),
            (
                "members",
                "Chebet Kiprono | Chair | 0722 000 333\nKibet Rotich | Member |",
            ),
        ],
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // The PMC member files a report from the phone form, with a photo.
    let mut pmc = Agent::signed_in(app, "pmc").await;
    let photo: &[u8] = b"\xff\xd8\xff\xe0 a tiny jpeg";
    let done = console_act(
        app,
        &mut pmc,
        code,
        &[
            ("action", "file_report"),
            ("kind", "pmc"),
            ("status", "onTrack"),
            ("text", "Footings cast on both banks"),
            ("challenges", "Rain delays"),
        ],
        Some(("footings.jpg", photo)),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Not yet public; the PMC member cannot approve it; the validator does.
    let (_, public) = public_text(app, &format!("/projects/{code}")).await;
    assert!(!public.contains("Footings cast"));
    let refused = console_act(
        app,
        &mut pmc,
        code,
        &[("action", "approve_report"), ("report", "1")],
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let mut validator = Agent::signed_in(app, "validator").await;
    let page = validator.get(&format!("/staff/projects/{code}")).await;
    assert!(page.body.contains("approve-1"), "{}", page.body);
    let done = console_act(
        app,
        &mut validator,
        code,
        &[("action", "approve_report"), ("report", "1")],
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, public) = public_text(app, &format!("/projects/{code}")).await;
    assert!(public.contains("Footings cast"), "{public}");
    let sha = public
        .split(&format!("/projects/{code}/files/"))
        .nth(1)
        .map(|s| s[..64].to_owned())
        .expect("the photo is on the public page");
    let r = reqwest::get(format!("{}/projects/{code}/files/{sha}", app.base))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), photo);
    // A department's officer acts only on its department's projects.
    let roads = json!({"code": "EM-HL-021", "title": "Emsoo dispensary ward", "department": "health",
        "fiscal_year": "2025/26", "sector": "health", "wards": ["0741"], "budget": 900000.0});
    let (s, v) = api(app, "procurement", "/api/v1/projects", roads).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = api(
        app,
        "implementation",
        "/api/v1/projects/EM-HL-021/actions",
        json!({"action": "set_status", "status": "completion", "note": "Done"}),
    )
    .await;
    assert_eq!(s, 403, "another department's project: {v}");
}

on_both!(
    projects_are_worked_on_in_the_console_by_each_role,
    postgres_projects_are_worked_on_in_the_console_by_each_role,
    console
);
