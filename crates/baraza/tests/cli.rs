//! The `baraza` binary as an operator uses it: every subcommand documents itself, the
//! demo server keeps its data across restarts, export -> import -> verify round-trips
//! (SQLite to SQLite, and to PostgreSQL when configured), and `verify` names a tampered
//! event with a failing exit code.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

fn baraza(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("baraza").unwrap();
    c.current_dir(dir)
        .env_remove("BARAZA_DATABASE_URL")
        .env_remove("BARAZA_DATA_DIR")
        .env_remove("BARAZA_LISTEN");
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["jurisdiction", "--help"],
        vec!["jurisdiction", "load", "--help"],
        vec!["jurisdiction", "list", "--help"],
        vec!["user", "--help"],
        vec!["user", "add", "--help"],
        vec!["user", "list", "--help"],
        vec!["user", "disable", "--help"],
        vec!["user", "enable", "--help"],
        vec!["token", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["export", "--help"],
        vec!["import", "--help"],
        vec!["verify", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["bench", "--help"],
        vec!["privacy", "--help"],
        vec!["privacy", "access", "--help"],
        vec!["privacy", "rectify", "--help"],
        vec!["privacy", "erase", "--help"],
        vec!["privacy", "retention", "--help"],
        vec!["privacy", "report", "--help"],
    ] {
        let text = stdout(baraza(dir.path()).args(&args));
        assert!(text.contains("Usage:"), "{args:?}");
    }
}

#[test]
fn users_and_tokens_are_managed_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    stdout(baraza(dir.path()).arg("demo"));
    let added = stdout(baraza(dir.path()).args([
        "user",
        "add",
        "--username",
        "ward.tambach",
        "--role",
        "ward_administrator",
        "--area",
        "0744",
    ]));
    assert!(added.contains("added ward.tambach"));
    // Bad input is refused with a reason, and nothing is added.
    let out = baraza(dir.path())
        .args([
            "user",
            "add",
            "--username",
            "x.y",
            "--role",
            "ward_administrator",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("scoped to an area"));
    let out = baraza(dir.path())
        .args(["user", "add", "--username", "zed", "--role", "mayor"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown value \"mayor\""));
    let list = stdout(baraza(dir.path()).args(["user", "list"]));
    assert!(list.contains("ward.tambach") && !list.contains("x.y"));
    let secret = stdout(baraza(dir.path()).args(["token", "create", "--user", "ward.tambach"]));
    assert!(secret.trim().starts_with("bz_") && secret.trim().len() > 40);
    let tokens = stdout(baraza(dir.path()).args(["token", "list", "--user", "ward.tambach"]));
    assert!(
        !tokens.contains(secret.trim()),
        "token list must never show secrets"
    );
    let id = tokens
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(stdout(baraza(dir.path()).args(["token", "revoke", &id])).contains("revoked"));
    assert!(
        stdout(baraza(dir.path()).args(["user", "disable", "ward.tambach"])).contains("disabled")
    );
    assert!(stdout(baraza(dir.path()).args(["user", "list"])).contains("disabled"));
}

#[test]
fn export_import_verify_and_tampering() {
    let dir = tempfile::tempdir().unwrap();
    stdout(baraza(dir.path()).arg("demo"));
    stdout(baraza(dir.path()).args(["export", "--output", "dump.jsonl"]));
    let dump = std::fs::read_to_string(dir.path().join("dump.jsonl")).unwrap();
    assert!(dump.starts_with(r#"{"type":"header""#) && dump.trim_end().ends_with('}'));
    // Into a second SQLite database chosen through the environment.
    let other = format!("sqlite://{}", dir.path().join("other/copy.db").display());
    let imported = stdout(baraza(dir.path()).env("BARAZA_DATABASE_URL", &other).args([
        "import",
        "--input",
        "dump.jsonl",
    ]));
    assert!(imported.contains("the journal verifies"));
    let again = baraza(dir.path())
        .env("BARAZA_DATABASE_URL", &other)
        .args(["import", "--input", "dump.jsonl"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty database"));
    assert!(stdout(baraza(dir.path()).arg("verify")).contains("journal intact"));

    // Someone edits an event with a database tool: verify fails and names it.
    let db = rusqlite::Connection::open(dir.path().join("baraza-data/baraza.db")).unwrap();
    db.execute_batch("DROP TRIGGER journal_is_append_only_update; UPDATE journal SET payload = '{}' WHERE seq = 4;").unwrap();
    drop(db);
    let out = baraza(dir.path()).arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("event #4") && text.contains("payload was altered"),
        "{text}"
    );
}

#[test]
fn sqlite_export_imports_into_postgres() {
    let Some(admin) = std::env::var("BARAZA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pool = rt
        .block_on(baraza_store_postgres::AdminPool::connect(&admin))
        .expect("PostgreSQL reachable");
    let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
    rt.block_on(pool.execute(&format!("CREATE DATABASE {name}")))
        .unwrap();
    let pg = baraza_store_postgres::url_with_database(&admin, &name);
    let dir = tempfile::tempdir().unwrap();
    stdout(baraza(dir.path()).arg("demo"));
    stdout(baraza(dir.path()).args(["export", "-o", "dump.jsonl"]));
    stdout(baraza(dir.path()).args(["--database-url", &pg, "import", "-i", "dump.jsonl"]));
    stdout(baraza(dir.path()).args(["--database-url", &pg, "export", "-o", "back.jsonl"]));
    let strip = |s: String| s.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
    let a = strip(std::fs::read_to_string(dir.path().join("dump.jsonl")).unwrap());
    let b = strip(std::fs::read_to_string(dir.path().join("back.jsonl")).unwrap());
    assert_eq!(
        a, b,
        "SQLite -> PostgreSQL -> export must give back the same records"
    );
    assert!(
        stdout(baraza(dir.path()).args(["--database-url", &pg, "verify"]))
            .contains("journal intact")
    );
    let _ = rt.block_on(pool.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
}

/// Start `serve --demo` on a free port on the default SQLite database; returns the child
/// and its base URL.
fn serve(dir: &Path) -> (std::process::Child, String) {
    serve_on(dir, None)
}

#[test]
fn the_demo_server_keeps_its_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = |base: &str| {
        rt.block_on(async {
            let c = reqwest::Client::new();
            let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
            assert!(ready.status().is_success());
            let body: serde_json::Value = c
                .get(format!("{base}/api/v1/cases?limit=200"))
                .bearer_auth("bz_demo_desk")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["cases"].as_array().unwrap().len()
        })
    };
    let (mut first, base) = serve(dir.path());
    // Five sample concerns and three sample information requests.
    assert_eq!(count(&base), 8);
    first.kill().unwrap();
    first.wait().unwrap();
    let (mut second, base) = serve(dir.path());
    assert_eq!(
        count(&base),
        8,
        "a second start reuses the data and adds no duplicate demo cases"
    );
    second.kill().unwrap();
    second.wait().unwrap();
}

#[test]
fn the_benchmark_runs_and_prints_its_ratio() {
    // A smoke run: the figures themselves are read by people, never asserted.
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(
        baraza(dir.path())
            .env_remove("BARAZA_BENCH_POSTGRES_URL")
            .args(["bench", "--seconds", "1", "--clients", "4", "--rate", "50"]),
    );
    assert!(text.contains("ratio (a)/(b) = "), "{text}");
    assert!(text.contains("journal verifies"), "{text}");
}

#[test]
fn jurisdictions_load_from_files_and_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/jurisdictions");
    let makueni = data.join("makueni.toml");
    let out = stdout(
        baraza(dir.path())
            .args(["jurisdiction", "load"])
            .arg(&makueni),
    );
    assert!(out.contains("1 county, 6 sub-county, 30 ward"), "{out}");
    // Loading again changes nothing; a second county sits beside the first.
    stdout(
        baraza(dir.path())
            .args(["jurisdiction", "load"])
            .arg(&makueni),
    );
    stdout(baraza(dir.path()).arg("demo"));
    let list = stdout(baraza(dir.path()).args(["jurisdiction", "list"]));
    assert!(
        list.contains("makueni") && list.contains("elgeyo-marakwet"),
        "{list}"
    );
    // A broken file is refused with the reason, and nothing is stored.
    std::fs::write(
        dir.path().join("bad.toml"),
        std::fs::read_to_string(&makueni)
            .unwrap()
            .replace("\"MK\"", "\"mk\"")
            .replace(
                "../kenya-wards.csv",
                &data.join("../kenya-wards.csv").display().to_string(),
            )
            .replace(
                "../boundaries/",
                &format!("{}/", data.join("../boundaries").display()),
            ),
    )
    .unwrap();
    let out = baraza(dir.path())
        .args(["jurisdiction", "load", "bad.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reference_prefix"));
    // Users need a jurisdiction named once there are several.
    let out = baraza(dir.path())
        .args([
            "user",
            "add",
            "--username",
            "desk.mk",
            "--role",
            "communications_desk",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--jurisdiction"));
    stdout(baraza(dir.path()).args([
        "user",
        "add",
        "--username",
        "desk.mk",
        "--role",
        "communications_desk",
        "--jurisdiction",
        "makueni",
    ]));
}

#[test]
fn the_demo_simulator_plays_a_citizen_on_sms() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, base) = serve(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page = rt.block_on(async {
        let c = reqwest::Client::new();
        let sent = c
            .post(format!("{base}/simulator/sms"))
            .form(&[
                ("phone", "+254700999888"),
                ("text", "The bridge at Chebiemit is broken"),
            ])
            .send()
            .await
            .unwrap();
        assert!(sent.status().is_success() || sent.status().is_redirection());
        // The outbox worker runs every two seconds: wait for the acknowledgement.
        for _ in 0..40 {
            let page = c
                .get(format!("{base}/simulator?phone=%2B254700999888"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if page.contains("Ref EM-") {
                return page;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        panic!("no acknowledgement reached the simulated phone");
    });
    assert!(page.contains("The bridge at Chebiemit is broken"));
    // Times in the county's zone; one form, so the number typed counts for every button
    // without pressing Enter.
    assert!(page.contains(" EAT</span>"), "{page}");
    assert_eq!(page.matches("<form").count(), 1, "{page}");
    let form = &page[page.find("<form").unwrap()..page.find("</form>").unwrap()];
    for id in ["id=\"phone\"", "id=\"send-sms\"", "id=\"dial\""] {
        assert!(form.contains(id), "{id} outside the phone's form");
    }
    // USSD on the same simulated phone: dial, then choose "check a case".
    let ussd = rt.block_on(async {
        let c = reqwest::Client::new();
        let form = |extra: (&'static str, &'static str)| vec![("phone", "+254700999888"), extra];
        c.post(format!("{base}/simulator/ussd"))
            .form(&form(("dial", "1")))
            .send()
            .await
            .unwrap();
        let dialled = c
            .get(format!("{base}/simulator?phone=%2B254700999888"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        c.post(format!("{base}/simulator/ussd"))
            .form(&form(("input", "2")))
            .send()
            .await
            .unwrap();
        let next = c
            .get(format!("{base}/simulator?phone=%2B254700999888"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (dialled, next)
    });
    assert!(ussd.0.contains("1. Raise a concern"), "{}", ussd.0);
    assert!(ussd.1.contains("Enter the reference number"), "{}", ussd.1);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn a_citizens_rights_from_the_cli_access_rectify_erase_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    stdout(baraza(dir.path()).arg("demo"));
    let phone = "+254700100001";
    // Access: everything held, as JSON and as a page.
    let json = stdout(baraza(dir.path()).args([
        "privacy",
        "access",
        "--contact",
        phone,
        "--html",
        "access.html",
    ]));
    let record: serde_json::Value = serde_json::from_str(&json).unwrap();
    let citizen = &record["citizens"][0];
    assert_eq!(citizen["phone"], phone);
    assert!(!citizen["cases"].as_array().unwrap().is_empty());
    let page = std::fs::read_to_string(dir.path().join("access.html")).unwrap();
    assert!(page.contains(phone) && page.contains("<table>"));
    // A bad contact is refused, naming it.
    let bad = baraza(dir.path())
        .args(["privacy", "access", "--contact", "nobody"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("contact"));
    // Rectification.
    let fixed = stdout(baraza(dir.path()).args([
        "privacy",
        "rectify",
        "--contact",
        phone,
        "--name",
        "Chebet J.",
    ]));
    assert!(fixed.contains("rectified 1"));
    // Erasure needs a second person.
    let alone = baraza(dir.path())
        .args([
            "privacy",
            "erase",
            "--contact",
            phone,
            "--basis",
            "request",
            "--by",
            "admin",
            "--approved-by",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("second person"));
    let erased = stdout(baraza(dir.path()).args([
        "privacy",
        "erase",
        "--contact",
        phone,
        "--basis",
        "request of 2026-12-01 under DPA 2019 s.40",
        "--by",
        "admin",
        "--approved-by",
        "auditor",
    ]));
    assert!(erased.contains("erased: "), "{erased}");
    // verify passes and names the erased events.
    let verified = stdout(baraza(dir.path()).arg("verify"));
    assert!(verified.contains("journal intact"), "{verified}");
    assert!(
        verified.contains("erased under data protection"),
        "{verified}"
    );
    // Nothing is held any more, and the export carries no trace of the number.
    let after = stdout(baraza(dir.path()).args(["privacy", "access", "--contact", phone]));
    assert!(
        serde_json::from_str::<serde_json::Value>(&after).unwrap()["citizens"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let export = stdout(baraza(dir.path()).arg("export"));
    assert!(!export.contains("700100001") && !export.contains("Chebet J."));
    // The register of processing names retention and who sees what.
    let report = stdout(baraza(dir.path()).args(["privacy", "report"]));
    assert!(report.contains("How long it is kept") && report.contains("observer"));
    let kept = stdout(baraza(dir.path()).args(["privacy", "retention"]));
    assert!(kept.contains("citizen(s) erased"));
}

/// A journal exported by the release before typed events and erasure (commit 0d6edd1):
/// imported and verified by this one, to the same head.
#[test]
fn a_journal_written_before_typed_events_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/journal-written-before-typed-events.jsonl");
    stdout(baraza(dir.path()).args(["import", "-i", file.to_str().unwrap()]));
    let verified = stdout(baraza(dir.path()).arg("verify"));
    let head = "#16 570a0644e7d9a4d75926089c1637dde985323b3fad981b5aa2ead93722d746fb";
    assert!(
        verified.contains(&format!(
            "journal intact: 16 events, 5 cases, 0 action plans, 0 projects; heads: shared chain (before chains per jurisdiction) {head}; elgeyo-marakwet {head}"
        )),
        "{verified}"
    );
    // The county leaves with its own chain, which follows the shared one.
    let out = dir.path().join("em.jsonl");
    stdout(baraza(dir.path()).args([
        "export",
        "--jurisdiction",
        "elgeyo-marakwet",
        "-o",
        out.to_str().unwrap(),
    ]));
    let elsewhere = tempfile::tempdir().unwrap();
    stdout(baraza(elsewhere.path()).args(["import", "-i", out.to_str().unwrap()]));
    let again =
        stdout(baraza(elsewhere.path()).args(["verify", "--jurisdiction", "elgeyo-marakwet"]));
    assert!(
        again.contains(&format!("elgeyo-marakwet {head}")),
        "{again}"
    );
    let unknown = baraza(dir.path())
        .args(["verify", "--jurisdiction", "nairobi"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("has no such jurisdiction (it has: elgeyo-marakwet)"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}

/// `serve --demo` on a given database; returns the child and its base URL.
fn serve_on(dir: &Path, database_url: Option<&str>) -> (std::process::Child, String) {
    let bin = assert_cmd::cargo::cargo_bin("baraza");
    let mut cmd = std::process::Command::new(bin);
    cmd.current_dir(dir).env_remove("BARAZA_DATABASE_URL");
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    let mut child = cmd
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    (child, base)
}

/// File cases with Idempotency-Keys from `clients` clients for `for_ms`, against the
/// given servers in turn; returns the references the servers acknowledged, by key.
async fn hammer(
    bases: &[String],
    clients: usize,
    for_ms: u64,
    same_key_everywhere: bool,
) -> Vec<(String, String)> {
    let http = reqwest::Client::new();
    let until = std::time::Instant::now() + std::time::Duration::from_millis(for_ms);
    let tasks = (0..clients).map(|c| {
        let http = http.clone();
        let bases = bases.to_vec();
        async move {
            let mut acked = Vec::new();
            let mut i = 0;
            while std::time::Instant::now() < until {
                let key = format!("load-{c}-{i}");
                let targets: Vec<&String> = if same_key_everywhere {
                    bases.iter().collect()
                } else {
                    vec![&bases[i % bases.len()]]
                };
                for base in targets {
                    let r = http
                        .post(format!("{base}/api/v1/cases"))
                        .bearer_auth("bz_demo_desk")
                        .header("Idempotency-Key", &key)
                        .json(&serde_json::json!({"kind": "complaint", "ward": "0741", "description": format!("load test {key}")}))
                        .send()
                        .await;
                    if let Ok(r) = r
                        && r.status().is_success()
                        && let Ok(v) = r.json::<serde_json::Value>().await
                    {
                        acked.push((key.clone(), v["reference"].as_str().unwrap_or_default().to_owned()));
                    }
                }
                i += 1;
            }
            acked
        }
    });
    futures::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn every_acknowledged_intake_survives_kill_9_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mut server, base) = serve_on(dir.path(), None);
    let load = {
        let base = base.clone();
        rt.spawn(async move { hammer(&[base], 16, 2000, false).await })
    };
    std::thread::sleep(std::time::Duration::from_millis(1200));
    // kill -9 in the middle of the load.
    server.kill().unwrap();
    server.wait().unwrap();
    let acked = rt.block_on(load).unwrap();
    assert!(
        acked.len() > 50,
        "only {} intakes before the kill",
        acked.len()
    );
    let (mut again, base) = serve_on(dir.path(), None);
    let missing = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut missing = Vec::new();
        for (_, reference) in &acked {
            let r = http
                .get(format!("{base}/api/v1/cases/{reference}"))
                .bearer_auth("bz_demo_desk")
                .send()
                .await
                .unwrap();
            if !r.status().is_success() {
                missing.push(reference.clone());
            }
        }
        missing
    });
    again.kill().unwrap();
    again.wait().unwrap();
    assert!(
        missing.is_empty(),
        "{} acknowledged intakes lost: {missing:?}",
        missing.len()
    );
    assert!(stdout(baraza(dir.path()).arg("verify")).contains("journal intact"));
}

#[test]
fn three_processes_on_one_postgres_make_no_duplicates() {
    let Some(url) = std::env::var("BARAZA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: BARAZA_TEST_POSTGRES_URL is not set");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
    let admin = rt
        .block_on(baraza_store_postgres::AdminPool::connect(&url))
        .expect("PostgreSQL reachable");
    rt.block_on(admin.execute(&format!("CREATE DATABASE {name}")))
        .unwrap();
    let db = baraza_store_postgres::url_with_database(&url, &name);
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..3 {
        let (child, base) = serve_on(dir.path(), Some(&db));
        servers.push(child);
        bases.push(base);
    }
    // The same keys to all three processes at once, and the same SMS to all three.
    let acked = rt.block_on(hammer(&bases, 6, 1500, true));
    let sms = rt.block_on(async {
        let http = reqwest::Client::new();
        let mut posts = Vec::new();
        for i in 0..20 {
            for base in &bases {
                let form = [
                    ("from", format!("+2547009{i:05}")),
                    ("to", "40404".to_owned()),
                    ("text", format!("Hakuna maji {i}")),
                    ("id", format!("ATXthree{i}")),
                    ("date", "2026-11-23 09:00:00".to_owned()),
                ];
                posts.push(
                    http.post(format!("{base}/webhooks/africastalking/demo-at-secret/sms"))
                        .form(&form)
                        .send(),
                );
            }
        }
        futures::future::join_all(posts)
            .await
            .into_iter()
            .filter(|r| r.as_ref().is_ok_and(|r| r.status().is_success()))
            .count()
    });
    for mut s in servers {
        s.kill().unwrap();
        s.wait().unwrap();
    }
    assert_eq!(sms, 60);
    // One case per key, whichever process answered.
    let mut by_key: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        Default::default();
    for (k, r) in &acked {
        by_key.entry(k).or_default().insert(r);
    }
    assert!(by_key.len() > 20, "{}", by_key.len());
    assert!(
        by_key.values().all(|refs| refs.len() == 1),
        "a key made two cases"
    );
    let export = stdout(baraza(dir.path()).args(["--database-url", &db, "export"]));
    let sms_cases = export
        .lines()
        .filter(|l| l.contains(r#""type":"case""#) && l.contains("Hakuna maji"))
        .count();
    assert_eq!(sms_cases, 20, "one case per provider message id");
    let load_cases = export
        .lines()
        .filter(|l| l.contains(r#""type":"case""#) && l.contains("load test"))
        .count();
    assert_eq!(load_cases, by_key.len());
    assert!(
        stdout(baraza(dir.path()).args(["--database-url", &db, "verify"]))
            .contains("journal intact")
    );
    let _ = rt.block_on(admin.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
}

/// A SQLite database written before text was cleaned at the edge holds NUL in messages
/// it kept without acting on them, which PostgreSQL cannot store: it imports whole all
/// the same, and verifies.
#[test]
fn a_sqlite_database_holding_nul_imports_into_postgres_and_verifies() {
    let Some(admin) = std::env::var("BARAZA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    stdout(baraza(dir.path()).arg("demo"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use baraza_store::Store;
        let url = format!(
            "sqlite://{}",
            dir.path().join("baraza-data/baraza.db").display()
        );
        let store = baraza_store_sqlite::SqliteStore::open(&url).await.unwrap();
        let j = store.jurisdictions().await.unwrap().remove(0);
        let handled = store
            .receive_message(baraza_store::inbound::Arrival {
                message: baraza_core::outbound::InboundMessage {
                    id: uuid::Uuid::now_v7(),
                    // The store gives it the receiving jurisdiction's.
                    jurisdiction: None,
                    provider: "africastalking".into(),
                    provider_message_id: "ATXlegacy\0".into(),
                    channel: baraza_core::Channel::Sms,
                    from: "+254700555666".into(),
                    to: Some("40404".into()),
                    body: "spam\0 spam".into(),
                    received_at: chrono::Utc::now(),
                    case_id: None,
                    outcome: baraza_core::outbound::InboundOutcome::Unhandled,
                    media: None,
                },
                jurisdiction: j.id.clone(),
                default_language: j.default_language,
                targets: Default::default(),
                hold: Some(baraza_core::outbound::InboundOutcome::Throttled),
            })
            .await
            .unwrap();
        assert!(handled.case.is_none());
    });
    assert!(stdout(baraza(dir.path()).arg("verify")).contains("journal intact"));
    stdout(baraza(dir.path()).args(["export", "-o", "legacy.jsonl"]));
    assert!(
        std::fs::read_to_string(dir.path().join("legacy.jsonl"))
            .unwrap()
            .contains("\\u0000")
    );
    let pool = rt
        .block_on(baraza_store_postgres::AdminPool::connect(&admin))
        .expect("PostgreSQL reachable");
    let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
    rt.block_on(pool.execute(&format!("CREATE DATABASE {name}")))
        .unwrap();
    let pg = baraza_store_postgres::url_with_database(&admin, &name);
    stdout(baraza(dir.path()).args(["--database-url", &pg, "import", "-i", "legacy.jsonl"]));
    let verified = stdout(baraza(dir.path()).args(["--database-url", &pg, "verify"]));
    assert!(verified.contains("journal intact"), "{verified}");
    let _ = rt.block_on(pool.execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
}

/// A backup taken while the server is under load is whole and verifies; after the server
/// is killed with -9, the backup restores into an empty data directory (media included)
/// and verifies there; nothing is overwritten on the way.
#[test]
fn a_backup_taken_under_load_restores_and_verifies_after_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mut server, base) = serve_on(dir.path(), None);
    let load = {
        let base = base.clone();
        rt.spawn(async move { hammer(&[base], 8, 2500, false).await })
    };
    std::thread::sleep(std::time::Duration::from_millis(800));
    let copy = dir.path().join("backups").join("under-load.db");
    let made = stdout(baraza(dir.path()).arg("backup").arg(&copy));
    assert!(
        made.contains("backup written") && made.contains("journal intact"),
        "{made}"
    );
    assert!(copy.is_file());
    let media = dir.path().join("backups").join("media");
    let photos = std::fs::read_dir(&media).unwrap().count();
    assert!(photos > 0, "the demo's documents go with the copy");
    // Never over an existing copy.
    let again = baraza(dir.path())
        .arg("backup")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // kill -9 in the middle of the load.
    std::thread::sleep(std::time::Duration::from_millis(500));
    server.kill().unwrap();
    server.wait().unwrap();
    let acked = rt.block_on(load).unwrap();
    assert!(acked.len() > 20, "only {} intakes", acked.len());

    let fresh = tempfile::tempdir().unwrap();
    let restored = stdout(baraza(fresh.path()).arg("restore").arg(&copy));
    assert!(
        restored.contains("restored") && restored.contains("journal intact"),
        "{restored}"
    );
    assert_eq!(
        std::fs::read_dir(fresh.path().join("baraza-data").join("media"))
            .unwrap()
            .count(),
        photos
    );
    let verified = stdout(baraza(fresh.path()).arg("verify"));
    assert!(verified.contains("journal intact"), "{verified}");
    // The copy holds intakes made under load, and the same head as its own report.
    let head = made.split("heads: ").nth(1).unwrap().trim();
    assert!(verified.contains(head), "{verified} vs {made}");
    // A second restore would overwrite: refused.
    let twice = baraza(fresh.path())
        .arg("restore")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already holds a database"));
    // And the live database, killed mid-load, still verifies too.
    assert!(stdout(baraza(dir.path()).arg("verify")).contains("journal intact"));
}

/// `[backup]` makes the server write a verified copy when it starts, then on its schedule,
/// keeping the newest `keep`.
#[test]
fn scheduled_backups_rotate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("baraza.toml"),
        "[backup]\ndir = \"nightly\"\nkeep = 2\nevery_hours = 24\n",
    )
    .unwrap();
    for _ in 0..3 {
        let (mut server, _) = serve_on(dir.path(), None);
        let nightly = dir.path().join("nightly");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let count = || {
            std::fs::read_dir(&nightly)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .filter(|e| e.file_name().to_string_lossy().ends_with(".db"))
                        .count()
                })
                .unwrap_or(0)
        };
        let before = count();
        while count() == before && count() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        // Names carry the second: the next start must not reuse it.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        server.kill().unwrap();
        server.wait().unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("nightly"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".db"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "the newest two kept: {names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("baraza-") && n.ends_with("Z.db"))
    );
}

/// `log_format = "json"` gives one JSON object per line on standard error, for a log
/// collector; anything else but "text" is refused by name.
#[test]
fn logs_can_be_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("baraza");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .env_remove("BARAZA_DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("BARAZA_LOG_FORMAT", "json")
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["level"], "INFO", "{first}");
    assert!(
        v["timestamp"].is_string() && v["message"].is_string(),
        "{first}"
    );

    let out = baraza(dir.path())
        .env("BARAZA_LOG_FORMAT", "xml")
        .arg("verify")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("log_format"));
}

/// `bench --processes 2 --jurisdictions 3`: real `serve` processes on one database, two
/// counties' intakes and SMS at once; nothing duplicated or lost, every chain verifying.
#[test]
fn bench_runs_several_processes_for_several_jurisdictions() {
    let Some(url) = std::env::var("BARAZA_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: BARAZA_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = stdout(baraza(dir.path()).args([
        "bench",
        "--postgres-url",
        &url,
        "--processes",
        "2",
        "--jurisdictions",
        "3",
        "--seconds",
        "2",
        "--clients",
        "6",
    ]));
    for expected in [
        "2 `baraza serve` processes on one PostgreSQL database, 3 jurisdictions (elgeyo-marakwet, makueni, nairobi)",
        "0 duplicate references; 0 keys with two cases; 0 provider message ids with two cases; 0 accepted SMS without a case; 0 messages sent twice",
        "journal verifies:",
        "in 3 chains",
    ] {
        assert!(out.contains(expected), "{expected:?} not in:\n{out}");
    }
}
