//! The console in a real browser: headless Chromium driven over WebDriver (Debian's
//! chromium and chromium-driver, installed by `.ci/run`). Staff of different roles work a
//! case from triage to the citizen's confirmation, on a 360-pixel-wide window.
//!
//! Without chromedriver the test says so and stops, unless `BARAZA_REQUIRE_BROWSER` is
//! set (as `.ci/run` sets it), when a missing browser is a failure.

use super::*;
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_program(env: &str, candidates: &[&str]) -> Option<String> {
    std::env::var(env)
        .ok()
        .into_iter()
        .chain(candidates.iter().map(|s| (*s).to_owned()))
        .find(|p| std::path::Path::new(p).exists())
}

async fn driver() -> Option<Driver> {
    let chromedriver = find_program(
        "BARAZA_CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    );
    let chromium = find_program(
        "BARAZA_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        assert!(
            std::env::var_os("BARAZA_REQUIRE_BROWSER").is_none(),
            "BARAZA_REQUIRE_BROWSER is set but chromium/chromedriver are not installed \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "SKIPPED: browser test needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            // A feature phone's screen: 360 CSS pixels wide.
            "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 2.0}},
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=360,780", "--lang=en"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(client) = ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return Some(Driver { child, client });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start on port {port}");
}

async fn sign_in(c: &Client, base: &str, username: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/staff")).await.unwrap();
    // Sent to the sign-in page first.
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/staff/login")
    );
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit(c, Locator::Id("sign-in")).await;
    let at = c.current_url().await.unwrap();
    if at.path() != "/staff" {
        let body = c.source().await.unwrap();
        panic!("signing in as {username} ended at {at}: {body}");
    }
}

/// Click something that loads a new page, and wait until the new page is there (a
/// WebDriver click may return before a form's navigation has finished).
async fn submit(c: &Client, locator: Locator<'_>) {
    c.execute("window.__old_page = true;", vec![])
        .await
        .unwrap();
    c.find(locator).await.unwrap().click().await.unwrap();
    wait_for_new_page(c).await;
}

/// Wait until the page marked with `window.__old_page` has been replaced.
async fn wait_for_new_page(c: &Client) {
    for _ in 0..200 {
        let fresh = c
            .execute(
                "return window.__old_page === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await
            .map(|v| v == serde_json::Value::Bool(true))
            .unwrap_or(false);
        if fresh {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no new page");
}

async fn open_action(c: &Client, kind: &str) {
    c.find(Locator::Css(&format!("#act-{kind} summary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn select(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_work_a_case_from_triage_to_the_citizens_confirmation() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    let phone = "+254712345001";
    assert_eq!(
        app.sms(
            "ATXid_b1",
            phone,
            "No water at the Emsoo borehole since Monday"
        )
        .await,
        StatusCode::OK
    );
    let case = app
        .store
        .list_cases(&CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let reference = case.number.display_with("EM");

    // The communications desk finds it to triage, and triages it.
    sign_in(c, &app.base, "desk").await;
    let count = text_of(c, "#queue-triage .count").await;
    assert_eq!(count, "1");
    submit(c, Locator::LinkText(&reference)).await;
    assert_eq!(text_of(c, "#reference").await, reference);
    let body = c.source().await.unwrap();
    assert!(!body.contains(phone), "the contact is masked");
    open_action(c, "triage").await;
    select(c, "triage-category", "water-supply").await;
    select(c, "triage-urgency", "medium").await;
    select(c, "triage-ward", "0741").await;
    submit(c, Locator::Id("do-triage")).await;
    // The confirmation says what happened.
    let notice = text_of(c, "#notice").await;
    assert!(
        notice.starts_with("Triaged: No water supply, priority "),
        "{notice}"
    );
    let facts = text_of(c, "#facts").await;
    assert!(
        facts.contains("Triaged") && facts.contains("Emsoo"),
        "{facts}"
    );
    assert!(
        facts.contains("Water and Sanitation"),
        "routed by its category: {facts}"
    );

    // The water department's coordinator starts work and answers the citizen; the SMS
    // counter follows the typing.
    sign_in(c, &app.base, "coord.water").await;
    c.goto(&format!("{}/staff?queue=all", app.base))
        .await
        .unwrap();
    submit(c, Locator::LinkText(&reference)).await;
    open_action(c, "assign").await;
    select(c, "assign-department", "water").await;
    c.find(Locator::Id("assign-note"))
        .await
        .unwrap()
        .send_keys("Please send the bowser crew")
        .await
        .unwrap();
    submit(c, Locator::Id("do-assign")).await;
    open_action(c, "start").await;
    submit(c, Locator::Id("do-start")).await;
    open_action(c, "respond").await;
    let before = text_of(c, "#sms-count").await;
    assert!(before.contains("1 part"), "{before}");
    c.find(Locator::Id("respond-text"))
        .await
        .unwrap()
        .send_keys(&"The pump is repaired; water flows again from today. ".repeat(3))
        .await
        .unwrap();
    let after = text_of(c, "#sms-count").await;
    assert!(
        after.contains("2 part"),
        "the count follows the text: {after}"
    );
    submit(c, Locator::Id("do-respond")).await;
    assert!(
        text_of(c, "#facts")
            .await
            .contains("waiting for the citizen")
    );

    // The citizen confirms by SMS: only now is it resolved.
    assert_eq!(app.sms("ATXid_b2", phone, "1").await, StatusCode::OK);
    c.refresh().await.unwrap();
    assert!(text_of(c, "#facts").await.contains("Resolved (confirmed)"));
    let timeline = text_of(c, "#timeline").await;
    assert!(timeline.contains("Resolved: confirmed") && timeline.contains("the citizen"));

    // A civil-society observer follows the whole flow, without personal data or notes.
    sign_in(c, &app.base, "observer").await;
    c.goto(&format!(
        "{}/staff/cases/{}",
        app.base,
        case.number.digits()
    ))
    .await
    .unwrap();
    let body = c.source().await.unwrap();
    assert!(body.contains("Resolved (confirmed)"));
    assert!(!body.contains("+2547") && !body.contains("bowser crew"));
    // The page fits a 360-pixel phone: nothing wider than the window.
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    let viewport = c.execute("return window.innerWidth", vec![]).await.unwrap();
    assert_eq!(viewport.as_u64(), Some(360));
    assert!(width.as_u64().unwrap() <= 360, "page is {width} px wide");
    // And in Kiswahili.
    submit(c, Locator::LinkText("Kiswahili")).await;
    let lang = c
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "sw");
    d.client.clone().close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn a_citizen_raises_on_the_web_tracks_it_and_finds_it_in_the_registry() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    let phone = "+254712345002";
    // The citizen raises it on the web, on a phone-sized screen, without JavaScript needs.
    c.goto(&format!("{}/raise", app.base)).await.unwrap();
    select(c, "kind", "complaint").await;
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("The Emsoo dispensary has had no malaria tests for two weeks")
        .await
        .unwrap();
    select(c, "ward", "0741").await;
    select(c, "category", "water-supply").await;
    c.find(Locator::Id("phone"))
        .await
        .unwrap()
        .send_keys(phone)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=publish]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, Locator::Id("send")).await;
    let reference = text_of(c, "#reference").await;
    let n = CaseNumber::parse(&reference).unwrap();
    // It follows the concern with its reference.
    submit(c, Locator::Id("track-link")).await;
    assert!(text_of(c, ".status").await.contains("Acknowledged"));
    // Staff work it in the console; the citizen confirms by SMS.
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    let mut desk = Agent::signed_in(&app, "desk").await;
    desk.act(
        &case,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "high"),
        ],
    )
    .await;
    let case = app.store.case_by_number(n).await.unwrap().unwrap();
    desk.act(
        &case,
        &[("action", "respond"), ("text", "Tests delivered today.")],
    )
    .await;
    assert_eq!(app.sms("ATXid_web1", phone, "1").await, StatusCode::OK);
    c.refresh().await.unwrap();
    assert!(text_of(c, ".status").await.contains("Resolved (confirmed)"));
    assert!(
        text_of(c, ".timeline")
            .await
            .contains("Tests delivered today.")
    );
    // It is in the registry, with its text (the citizen agreed), and in the figures.
    c.goto(&format!("{}/registry", app.base)).await.unwrap();
    let registry = c.source().await.unwrap();
    assert!(registry.contains(&reference) && registry.contains("no malaria tests"));
    assert!(!registry.contains(phone));
    c.goto(&format!("{}/dashboard?by=channel", app.base))
        .await
        .unwrap();
    let total = text_of(c, "#total").await;
    assert!(
        total.contains("1") || total.contains("fewer than 5"),
        "{total}"
    );
    let web_row = c.source().await.unwrap();
    assert!(web_row.contains(">Web<"), "the web channel is counted");
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(
        width.as_u64().unwrap() <= 360,
        "dashboard is {width} px wide"
    );
    d.client.clone().close().await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn an_applicant_asks_on_the_web_and_the_officer_extends_then_grants_with_a_document() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    // The applicant asks, on a phone's browser, without signing in.
    c.goto(&format!("{}/information/new", app.base))
        .await
        .unwrap();
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("The 2026 budget for water projects in Emsoo ward")
        .await
        .unwrap();
    c.find(Locator::Id("phone"))
        .await
        .unwrap()
        .send_keys("0712 345 002")
        .await
        .unwrap();
    submit(c, Locator::Id("send")).await;
    // Post-redirect-get: the request's own page, saying what happens next.
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/information/"), "{url}");
    let digits = url.path().trim_start_matches("/information/").to_owned();
    let filed = text_of(c, "#filed").await;
    let reference = CaseNumber::parse(&digits).unwrap().display_with("EM");
    assert!(filed.contains(&reference), "{filed}");
    assert!(filed.contains("2026-12-14"), "the due date: {filed}");

    // The information officer extends the time once, then grants, with a document.
    sign_in(c, &app.base, "information").await;
    c.goto(&format!("{}/staff/information", app.base))
        .await
        .unwrap();
    submit(c, Locator::LinkText(&reference)).await;
    open_action(c, "extend").await;
    submit(c, Locator::Id("do-extend")).await;
    assert!(text_of(c, "#notice").await.contains("Done"));
    assert!(text_of(c, "#due").await.contains("2026-12-28"));
    open_action(c, "decide").await;
    select(c, "decide-decision", "granted").await;
    submit(c, Locator::Id("do-decide")).await;
    assert_eq!(text_of(c, "#decision").await, "Granted");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emsoo-water-budget-2026.csv");
    std::fs::write(&path, "project,kes\nEmsoo borehole,2400000\n").unwrap();
    open_action(c, "provide").await;
    c.find(Locator::Id("provide-document"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    submit(c, Locator::Id("do-provide")).await;
    assert!(text_of(c, "#notice").await.contains("Done"));

    // The public page shows the whole exchange and the document, and not the applicant.
    c.goto(&format!("{}/information/{digits}", app.base))
        .await
        .unwrap();
    assert_eq!(text_of(c, "#state").await, "Information provided");
    let letters = text_of(c, "#letters").await;
    assert!(letters.contains("Time extended once"), "{letters}");
    assert!(letters.contains("Granted"), "{letters}");
    assert_eq!(
        text_of(c, "a.document").await,
        "emsoo-water-budget-2026.csv"
    );
    let body = c.source().await.unwrap();
    assert!(!body.contains("345 002") && !body.contains("712345002"));
    let href = c
        .find(Locator::Css("a.document"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let got = reqwest::get(format!("{}{href}", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(got, "project,kes\nEmsoo borehole,2400000\n");
    app.stop().await;
}

#[tokio::test]
async fn the_point_of_contact_updates_a_milestone_and_civil_societys_proposal_is_accepted() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    super::plans::load(&app).await;
    let c = &d.client;
    let plan = format!("{}/staff/plans/nairobi-2025-2027", app.base);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ogp-unit-gazette.pdf");
    std::fs::write(&path, "%PDF-1.4 the gazette notice").unwrap();

    // The OGP point of contact: milestone 2 in progress, with the gazette notice.
    sign_in(c, &app.base, "ogp").await;
    c.goto(&plan).await.unwrap();
    c.find(Locator::Css("#milestone-KENMS0005-2 summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    select(c, "status-KENMS0005-2", "in_progress").await;
    c.find(Locator::Id("note-KENMS0005-2"))
        .await
        .unwrap()
        .send_keys("The OGP unit is gazetted")
        .await
        .unwrap();
    c.find(Locator::Id("document-KENMS0005-2"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    submit(c, Locator::Id("update-KENMS0005-2")).await;
    let notice = text_of(c, "#notice").await;
    assert!(
        notice.contains("Milestone 2 of KENMS0005 is now in_progress"),
        "{notice}"
    );

    // A civil-society member proposes that milestone 3 is in progress.
    sign_in(c, &app.base, "cso").await;
    c.goto(&plan).await.unwrap();
    c.find(Locator::Css("#milestone-KENMS0005-3 summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    select(c, "status-KENMS0005-3", "in_progress").await;
    c.find(Locator::Id("note-KENMS0005-3"))
        .await
        .unwrap()
        .send_keys("Two policy briefs are drafted")
        .await
        .unwrap();
    c.find(Locator::Id("link-KENMS0005-3"))
        .await
        .unwrap()
        .send_keys("https://example.org/briefs")
        .await
        .unwrap();
    // Enter in the link field sends the form (its first button: "Propose").
    c.execute("window.__old_page = true;", vec![])
        .await
        .unwrap();
    c.find(Locator::Id("link-KENMS0005-3"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    wait_for_new_page(c).await;
    assert!(
        text_of(c, "#notice")
            .await
            .contains("Proposal on milestone 3")
    );

    // The point of contact accepts it.
    sign_in(c, &app.base, "ogp").await;
    c.goto(&plan).await.unwrap();
    submit(c, Locator::Id("accept-1")).await;
    assert!(text_of(c, "#notice").await.contains("Proposal 1 accepted"));

    // The public page shows both, with their history, without JavaScript's help.
    c.goto(&format!(
        "{}/plans/nairobi-2025-2027/commitments/KENMS0005",
        app.base
    ))
    .await
    .unwrap();
    let m2 = text_of(c, "#milestone-2").await;
    assert!(
        m2.contains("In progress") && m2.contains("recorded here"),
        "{m2}"
    );
    let m3 = text_of(c, "#milestone-3").await;
    assert!(m3.contains("In progress"), "{m3}");
    let history = text_of(c, "#history").await;
    assert!(history.contains("The OGP unit is gazetted"), "{history}");
    assert!(history.contains("ogp-unit-gazette.pdf"), "{history}");
    assert!(
        history.contains("Two policy briefs are drafted"),
        "{history}"
    );
    assert!(history.contains("accepted"), "{history}");
    let proposals = text_of(c, "#proposal-1").await;
    assert!(
        proposals.contains("Accepted") || proposals.contains("accepted"),
        "{proposals}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_committee_reports_from_a_phone_a_validator_publishes_it_and_a_citizen_asks() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let code = "EM-RD-030";
    // Registered and the committee elected through the API (tested elsewhere).
    let (s, v) = super::projects::api(
        &app,
        "procurement",
        "/api/v1/projects",
        serde_json::json!({"code": code, "title": "Kamariny - Iten footbridge", "department": "water",
            "fiscal_year": "2025/26", "sector": "transport.road", "wards": ["0742"],
            "budget": 1500000.0, "status": "implementation"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = super::projects::api(
        &app,
        "implementation",
        &format!("/api/v1/projects/{code}/actions"),
        serde_json::json!({"action": "elect_pmc", "elected_on": "2025-09-01", "forum": "Kamariny baraza",
            "members": [{"name": "Chebet Kiprono", "designation": "Chair", "phone": "0722 000 333"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let c = &d.client;
    let console = format!("{}/staff/projects/{code}", app.base);
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("footings.png");
    // A real one-pixel PNG, so that the public page's <img> must decode it.
    std::fs::write(&photo, b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\xda\x63\x64\xf8\xcf\x50\x0f\x00\x03\x86\x01\x80\x5a\x34\x7d\x6b\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82").unwrap();

    // The committee member, on a 360-pixel phone: the report form is open at once.
    sign_in(c, &app.base, "pmc").await;
    c.goto(&console).await.unwrap();
    select(c, "report-status", "atRisk").await;
    c.find(Locator::Id("report-text"))
        .await
        .unwrap()
        .send_keys("Footings cast on both banks; the river is rising")
        .await
        .unwrap();
    c.find(Locator::Id("challenges"))
        .await
        .unwrap()
        .send_keys("Rain delays")
        .await
        .unwrap();
    c.find(Locator::Id("report-photo"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    submit(c, Locator::Id("file-report")).await;
    let notice = text_of(c, "#notice").await;
    assert!(notice.contains("Report filed"), "{notice}");
    let public = format!("{}/projects/{code}", app.base);
    c.goto(&public).await.unwrap();
    assert!(
        !c.source().await.unwrap().contains("Footings cast"),
        "a draft is not public"
    );

    // The validator approves it.
    sign_in(c, &app.base, "validator").await;
    c.goto(&console).await.unwrap();
    submit(c, Locator::Id("approve-1")).await;
    let notice = text_of(c, "#notice").await;
    assert!(notice.contains("Report approved"), "{notice}");

    // The public page shows it with its photo, and a citizen raises a concern there.
    c.delete_all_cookies().await.unwrap();
    c.goto(&public).await.unwrap();
    let report = text_of(c, "#report-1").await;
    assert!(report.contains("Footings cast on both banks"), "{report}");
    let shown = c
        .execute_async(
            "const done = arguments[0]; const i = document.querySelector('#report-1 img'); \
             if (!i) { done('none'); } else if (i.complete) { done(i.naturalWidth > 0 ? 'img' : 'broken'); } \
             else { i.onload = () => done('img'); i.onerror = () => done('broken'); }",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, serde_json::json!("img"), "the photo is on the page");
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("The footbridge site has no fence and children play there")
        .await
        .unwrap();
    submit(
        c,
        Locator::Css(&format!(
            "form[action$='/projects/{code}'] button[type=submit]"
        )),
    )
    .await;
    let filed = text_of(c, "#filed").await;
    assert!(filed.chars().any(|ch| ch.is_ascii_digit()), "{filed}");
    let counts = text_of(c, "#feedback + p").await;
    assert!(counts.contains('1'), "{counts}");
    app.stop().await;
}

/// With `BARAZA_SCREENSHOTS=1`, keep what the browser shows in `docs/screenshots/` (the
/// README links them): the pages as a county will see them, on a phone.
async fn shot(c: &Client, name: &str) {
    if std::env::var_os("BARAZA_SCREENSHOTS").is_none() {
        return;
    }
    let png = c.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn type_into(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// No page wider than the phone.
async fn fits_the_phone(c: &Client) {
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 360, "{width} px wide");
}

/// In Kiswahili and in French: a mistake named beside its field, then a concern raised
/// with a phone number written the Kenyan way and a photo; the confirmation says what was
/// understood, and the tracking page shows the photo to this browser.
#[tokio::test]
async fn in_two_languages_a_citizen_raises_with_a_local_number_and_a_photo_and_sees_it() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    for (i, lang) in ["sw", "fr"].into_iter().enumerate() {
        c.delete_all_cookies().await.unwrap();
        c.goto(&format!("{}/language?l={lang}", app.base))
            .await
            .unwrap();
        c.goto(&format!("{}/raise", app.base)).await.unwrap();
        let page = c.source().await.unwrap();
        assert!(page.contains(&format!("lang=\"{lang}\"")) && page.contains("id=\"already\""));
        type_into(
            c,
            "description",
            "Bomba limepasuka karibu na shule ya Emsoo",
        )
        .await;
        type_into(c, "phone", "0712").await;
        submit(c, Locator::Id("send")).await;
        let summary = text_of(c, "#error-summary").await;
        assert!(summary.contains("Kenya"), "{lang}: {summary}");
        assert!(c.source().await.unwrap().contains("id=\"phone-error\""));
        fits_the_phone(c).await;
        if i == 0 {
            shot(c, "raise-form-errors-sw").await;
        }
        // Mend it, add a photo, send.
        let phone = c.find(Locator::Id("phone")).await.unwrap();
        phone.clear().await.unwrap();
        phone.send_keys(&format!("0712 345 67{i}")).await.unwrap();
        select(c, "ward", "0741").await;
        select(c, "category", "water-supply").await;
        let photo =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipe.png");
        c.find(Locator::Id("photo"))
            .await
            .unwrap()
            .send_keys(photo.to_str().unwrap())
            .await
            .unwrap();
        submit(c, Locator::Id("send")).await;
        let understood = text_of(c, "#understood").await;
        assert!(
            understood.contains(&format!("+25471234567{i}")),
            "{understood}"
        );
        fits_the_phone(c).await;
        if i == 0 {
            shot(c, "raise-confirmation-sw").await;
        }
        submit(c, Locator::Id("track-link")).await;
        // The thumbnail is made on first asking: wait for the picture to arrive.
        let mut loaded = serde_json::Value::Null;
        for _ in 0..100 {
            loaded = c
                .execute(
                    "var i = document.querySelector('.photos img'); return i && i.complete ? i.naturalWidth : 0",
                    vec![],
                )
                .await
                .unwrap();
            if loaded.as_u64() != Some(0) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(loaded.as_u64(), Some(160), "{lang}: the photo is shown");
        fits_the_phone(c).await;
        if i == 0 {
            shot(c, "track-with-photo-sw").await;
        }
    }
    d.client.clone().close().await.unwrap();
    app.stop().await;
}

/// In French and in English: "already reported?" on the raise form leads to following
/// the open concern instead of filing it twice.
#[tokio::test]
async fn in_two_languages_already_reported_leads_to_following_the_open_concern() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    let mut new = fixtures::new_case("0741", Channel::Web, Some("+254712345009"));
    new.category = Some("water-supply".into());
    let open = app
        .store
        .create_case(new, fixtures::citizen(), app.clock.now())
        .await
        .unwrap()
        .case;
    let reference = open.number.display_with("EM");
    for (i, lang) in ["fr", "en"].into_iter().enumerate() {
        c.delete_all_cookies().await.unwrap();
        c.goto(&format!("{}/language?l={lang}", app.base))
            .await
            .unwrap();
        c.goto(&format!("{}/raise", app.base)).await.unwrap();
        select(c, "check-ward", "0741").await;
        select(c, "check-category", "water-supply").await;
        submit(c, Locator::Id("check")).await;
        let already = text_of(c, "#already").await;
        assert!(already.contains(&reference), "{lang}: {already}");
        fits_the_phone(c).await;
        if i == 0 {
            assert!(already.contains("Déjà signalé"), "{already}");
            shot(c, "already-reported-fr").await;
        }
        submit(c, Locator::Css(".follow-this")).await;
        let number = format!("0722 000 11{i}");
        type_into(c, "contact", &number).await;
        submit(c, Locator::Id("follow-button")).await;
        assert!(
            c.find(Locator::Css("p#follow[role=status]")).await.is_ok(),
            "{lang}"
        );
        let followed = app
            .store
            .followed_by(&format!("+25472200011{i}"))
            .await
            .unwrap();
        assert_eq!(followed.len(), 1, "{lang}");
    }
    d.client.clone().close().await.unwrap();
    app.stop().await;
}

/// Staff search from their landing queue and find cases of every queue (in English and
/// Kiswahili); an administrator adds a user (English and French); the dashboard draws a
/// ward with no case as an empty bar (Kiswahili and French). At 360 px.
#[tokio::test]
async fn staff_search_every_queue_an_admin_adds_a_user_and_a_zero_is_an_empty_bar() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    app.sms("ATXid_s1", "+254712345011", "Burst pipe at the Iten market")
        .await;
    app.sms(
        "ATXid_s2",
        "+254712345012",
        "Burst pipe by the Emsoo school",
    )
    .await;
    let first = app
        .store
        .list_cases(&CaseFilter {
            limit: 1,
            order: baraza_core::CaseOrder::Oldest,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    let mut desk = Agent::signed_in(&app, "desk").await;
    desk.act(
        &first,
        &[
            ("action", "triage"),
            ("category", "water-supply"),
            ("urgency", "high"),
            ("ward", "0741"),
        ],
    )
    .await;
    for lang in ["en", "sw"] {
        sign_in(c, &app.base, "desk").await;
        c.goto(&format!("{}/staff/language?l={lang}&next=/staff", app.base))
            .await
            .unwrap();
        c.goto(&format!("{}/staff", app.base)).await.unwrap();
        assert!(
            c.source()
                .await
                .unwrap()
                .contains(&format!("lang=\"{lang}\""))
        );
        // Landed on "to triage", which holds only the second; the search finds both.
        assert!(
            c.find(Locator::Css("#queue-triage[aria-current=page]"))
                .await
                .is_ok(),
            "{lang}"
        );
        type_into(c, "q", "burst pipe").await;
        submit(c, Locator::Id("search")).await;
        let rows = text_of(c, "table.rows").await;
        assert!(rows.contains(&first.number.display_with("EM")), "{rows}");
        assert_eq!(
            c.execute(
                "return document.querySelectorAll('table.rows tbody tr').length",
                vec![]
            )
            .await
            .unwrap()
            .as_u64(),
            Some(2),
            "{lang}"
        );
        fits_the_phone(c).await;
        if lang == "en" {
            shot(c, "console-search").await;
            let case_link = first.number.display_with("EM");
            submit(c, Locator::LinkText(&case_link)).await;
            fits_the_phone(c).await;
            shot(c, "console-case").await;
        }
    }
    // An administrator adds a user, in English and in French.
    for (i, lang) in ["en", "fr"].into_iter().enumerate() {
        sign_in(c, &app.base, "admin").await;
        c.goto(&format!("{}/staff/language?l={lang}&next=/staff", app.base))
            .await
            .unwrap();
        c.goto(&format!("{}/staff/users", app.base)).await.unwrap();
        type_into(c, "new-username", &format!("ward.emsoo{i}")).await;
        type_into(c, "new-name", &format!("Kiprop Chebet {i}")).await;
        select(c, "new-role", "ward_administrator").await;
        select(c, "new-area", "0741").await;
        submit(c, Locator::Id("do-add-user")).await;
        assert!(!text_of(c, "#new-password").await.is_empty(), "{lang}");
        assert!(
            c.source()
                .await
                .unwrap()
                .contains(&format!("Kiprop Chebet {i}"))
        );
        fits_the_phone(c).await;
    }
    // The dashboard: a ward without cases is an empty bar.
    for lang in ["sw", "fr"] {
        c.goto(&format!("{}/language?l={lang}", app.base))
            .await
            .unwrap();
        c.goto(&format!("{}/dashboard?by=ward", app.base))
            .await
            .unwrap();
        let page = c.source().await.unwrap();
        assert!(page.contains(&format!("lang=\"{lang}\"")) && page.contains("Chepkorio: 0"));
        // Every ward has a track; a zero draws no bar on it (and fewer than 5 is
        // suppressed: no figure, no bar).
        let (tracks, bars) = (
            c.execute(
                "return document.querySelectorAll('svg rect[fill=\"#eceff1\"]').length",
                vec![],
            )
            .await
            .unwrap(),
            c.execute(
                "return document.querySelectorAll('svg rect[fill=\"#0b5394\"]').length",
                vec![],
            )
            .await
            .unwrap(),
        );
        assert!(tracks.as_u64().unwrap() > 0, "{tracks}");
        assert_eq!(bars.as_u64(), Some(0), "a zero is an empty track");
        fits_the_phone(c).await;
        if lang == "sw" {
            shot(c, "dashboard-sw").await;
        }
    }
    d.client.clone().close().await.unwrap();
    app.stop().await;
}

/// With scripts and reachable tiles, a tap on the map fills the coordinates; the concern
/// keeps the point.
#[tokio::test]
async fn a_citizen_picks_the_place_on_the_map() {
    let Some(d) = driver().await else { return };
    let app = ConsoleApp::sqlite().await;
    let c = &d.client;
    c.goto(&format!("{}/raise", app.base)).await.unwrap();
    // The map shows once Leaflet has run.
    for _ in 0..100 {
        let shown = c
            .execute("var m = document.getElementById('map'); return !!m && !m.hidden && !!m.querySelector('.leaflet-tile-loaded')", vec![])
            .await
            .unwrap();
        if shown == serde_json::Value::Bool(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        c.find(Locator::Css("#use-location"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap(),
        "use my location is offered"
    );
    c.find(Locator::Id("map"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let lat = c
        .execute("return document.getElementById('lat').value", vec![])
        .await
        .unwrap();
    assert!(
        !lat.as_str().unwrap().is_empty(),
        "the tap filled the latitude"
    );
    assert!(c.find(Locator::Css(".leaflet-marker-icon")).await.is_ok());
    fits_the_phone(c).await;
    type_into(c, "description", "Burst pipe here").await;
    select(c, "ward", "0741").await;
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pipe.png");
    c.find(Locator::Id("photo"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    submit(c, Locator::Id("send")).await;
    let reference = text_of(c, "#reference").await;
    let case = app
        .store
        .case_by_number(CaseNumber::parse(&reference).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(case.location.is_some(), "the point is kept");
    // Staff see the point on the ward map, and the photo's thumbnail.
    sign_in(c, &app.base, "desk").await;
    c.goto(&format!(
        "{}/staff/cases/{}",
        app.base,
        case.number.digits()
    ))
    .await
    .unwrap();
    assert!(c.find(Locator::Css("#place")).await.is_ok());
    assert!(c.find(Locator::Css("#photos img")).await.is_ok());
    c.execute(
        "document.getElementById('description').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    fits_the_phone(c).await;
    shot(c, "console-case-with-place").await;
    d.client.clone().close().await.unwrap();
    app.stop().await;
}
