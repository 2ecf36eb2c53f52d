//! `baraza bench --public N`: the public pages with N cases (a million by default in the
//! README). A fresh SQLite database is filled through the ordinary import path with N
//! cases made by the real lifecycle (received, triaged, answered, confirmed or closed
//! unconfirmed, some reopened), each with its hash-chained journal, over 18 months and
//! every ward; then a real server on a port is timed: the dashboard (first load, every
//! breakdown, and after new cases arrive), the registry, and Open311's request list.
//! Times are printed beside a `/healthz` round trip measured in the same run.

use crate::demo;
use crate::jurisdiction_file::JurisdictionFile;
use baraza_core::lifecycle::{Action, Actor, decide, receive};
use baraza_core::*;
use baraza_store::{Record, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Fill `store` with `n` cases through `Store::import`, in one transaction.
async fn fill(store: &Arc<dyn Store>, n: usize) -> anyhow::Result<()> {
    let loaded = JurisdictionFile::parse(demo::DEMO_FILE)?
        .check(demo::KENYA_WARDS_CSV, Some(demo::DEMO_BOUNDARIES))?;
    let j = loaded.jurisdiction.clone();
    let tree = AreaTree::new(loaded.areas.clone());
    let wards: Vec<AreaCode> = tree.leaves().map(|a| a.code.clone()).collect();
    let categories = loaded.categories.clone();
    let deadlines = j
        .policy
        .resolve(&j.timezone)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (tx, rx) = tokio::sync::mpsc::channel(4096);
    let importer = {
        let store = store.clone();
        tokio::spawn(async move { store.import(rx).await })
    };
    let send = |r: Record| {
        let tx = tx.clone();
        async move {
            tx.send(Ok(r))
                .await
                .map_err(|_| anyhow::anyhow!("the import stopped"))
        }
    };
    send(Record::Jurisdiction(Box::new(j.clone()))).await?;
    for a in &loaded.areas {
        send(Record::Area(a.clone())).await?;
    }
    for d in &loaded.departments {
        send(Record::Department(d.clone())).await?;
    }
    for c in &categories {
        send(Record::Category(c.clone())).await?;
    }
    let mut rng = StdRng::seed_from_u64(311);
    let mut head = ChainHead::genesis();
    // No shared chain (a database made before chains per jurisdiction): the
    // jurisdiction's own chain starts at the genesis.
    send(Record::Head(ChainHead::genesis())).await?;
    // Eighteen months up to now; what was raised more than two weeks ago has long been
    // answered and settled, as in a county that works its queue (otherwise `serve`'s
    // jobs would spend the run escalating and closing a year of backlog).
    let end: Timestamp = SystemClock.now();
    let settled_before = end - chrono::Duration::days(14);
    let desk = Actor::staff(
        UserId(uuid::Uuid::from_u128(1)),
        Role::CommunicationsDesk,
        Channel::Web,
    );
    let mut numbers = std::collections::HashSet::new();
    let mut events = 0u64;
    let mut citizens = 0u64;
    let bar = crate::progress::count("cases generated and imported", n as u64);
    for i in 0..n {
        let ward = wards[rng.gen_range(0..wards.len())].clone();
        let category = &categories[rng.gen_range(0..categories.len())];
        let created = end - chrono::Duration::minutes(rng.gen_range(0..(548 * 24 * 60)));
        let channel = [
            Channel::Sms,
            Channel::Sms,
            Channel::Ussd,
            Channel::Whatsapp,
            Channel::Web,
            Channel::Counter,
            Channel::Voice,
        ][rng.gen_range(0..7)];
        let citizen = (i % 3 == 0).then(|| Citizen {
            id: CitizenId(uuid::Uuid::from_u128(0xC000_0000 + i as u128)),
            jurisdiction: j.id.clone(),
            phone: None,
            whatsapp_id: None,
            email: None,
            name: None,
            language: Language::Kiswahili,
            gender: Some(Gender::ALL[rng.gen_range(0..Gender::ALL.len())]),
            age_band: Some(AgeBand::ALL[rng.gen_range(0..AgeBand::ALL.len())]),
            consent: Consent {
                contact: false,
                publish: rng.gen_bool(0.4),
            },
            created_at: created,
        });
        let new = NewCase {
            department: None,
            jurisdiction: j.id.clone(),
            kind: CaseKind::Complaint,
            channel,
            category: None,
            ladder: tree.ladder(&ward),
            ward: Some(ward),
            location: None,
            description: format!("Benchmark concern {i}: {}", category.name),
            attachments: vec![],
            citizen: None,
            idempotency_key: None,
            acknowledged_on_intake: true,
            subject: None,
            request: None,
        };
        let number = loop {
            let n = CaseNumber::random(&mut rng);
            if numbers.insert(n) {
                break n;
            }
        };
        let id = CaseId(uuid::Uuid::from_u128(i as u128 + 1));
        let citizen_actor = Actor::citizen(citizen.as_ref().map(|c| c.id), channel);
        let (mut case, drafts) = receive(
            &new,
            id,
            number,
            citizen.as_ref().map(|c| c.id),
            &citizen_actor,
            created,
        );
        let mut sealed = Vec::new();
        for d in drafts {
            let ev = head.seal(&j.id, d);
            head = ChainHead::after(&ev);
            sealed.push(ev);
        }
        // What happened next: most are answered; most answers are confirmed.
        let mut fate = rng.gen_range(0..100);
        if created < settled_before && fate < 35 {
            fate += 35;
        }
        let mut at = created;
        let mut steps: Vec<(Actor, Action)> = Vec::new();
        if fate >= 15 {
            steps.push((
                desk.clone(),
                Action::Triage {
                    category: category.code.clone(),
                    priority: [Priority::High, Priority::Normal, Priority::Low]
                        [rng.gen_range(0..3)],
                    urgency: None,
                    ward: None,
                    ladder: vec![],
                    department: Some(category.department.clone()),
                },
            ));
        }
        if fate >= 25 {
            steps.push((
                desk.clone(),
                Action::Respond {
                    text: "Done; please confirm.".into(),
                },
            ));
        }
        if (35..45).contains(&fate) {
            steps.push((
                citizen_actor.clone(),
                Action::Reopen {
                    reason: "not yet".into(),
                },
            ));
            steps.push((
                desk.clone(),
                Action::Respond {
                    text: "Done again.".into(),
                },
            ));
        }
        if (35..90).contains(&fate) {
            steps.push((citizen_actor.clone(), Action::Resolve));
            if rng.gen_bool(0.5) {
                steps.push((
                    citizen_actor.clone(),
                    Action::Rate {
                        score: rng.gen_range(1..=5),
                    },
                ));
            }
        } else if fate >= 90 {
            steps.push((Actor::system("follow-up"), Action::CloseUnconfirmed));
        }
        for (actor, action) in steps {
            // Nothing happens after now.
            at = (at + chrono::Duration::minutes(rng.gen_range(30..(6 * 24 * 60)))).min(end);
            let t = decide(&case, &actor, &action, &deadlines, at)?;
            case = t.case;
            let ev = head.seal(&j.id, t.event);
            head = ChainHead::after(&ev);
            sealed.push(ev);
        }
        if let Some(c) = citizen {
            send(Record::Citizen(c)).await?;
            citizens += 1;
        }
        send(Record::Case(Box::new(case))).await?;
        events += sealed.len() as u64;
        for ev in sealed {
            send(Record::Event(ev)).await?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    send(Record::Chain {
        jurisdiction: j.id.clone(),
        head,
    })
    .await?;
    let counts = [
        ("cases".to_owned(), n as u64),
        ("events".to_owned(), events),
        ("citizens".to_owned(), citizens),
    ]
    .into_iter()
    .collect();
    send(Record::Footer { counts }).await?;
    importer.await??;
    Ok(())
}

/// Time `times` GETs of `path`; returns (first, median, p95) in ms.
async fn time(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    times: usize,
) -> anyhow::Result<(f64, f64, f64)> {
    let mut all = Vec::new();
    for _ in 0..times {
        let t = Instant::now();
        let r = http.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
        let _ = r.bytes().await?;
        all.push(ms(t.elapsed()));
    }
    let first = all[0];
    let mut rest = if all.len() > 1 {
        all[1..].to_vec()
    } else {
        all.clone()
    };
    rest.sort_by(f64::total_cmp);
    let median = rest[rest.len() / 2];
    let p95 = rest[((rest.len() as f64 * 0.95) as usize).min(rest.len() - 1)];
    Ok((first, median, p95))
}

/// The demo jurisdiction's wards, in the order `fill` draws them from.
fn demo_wards() -> anyhow::Result<Vec<AreaCode>> {
    let loaded = JurisdictionFile::parse(demo::DEMO_FILE)?
        .check(demo::KENYA_WARDS_CSV, Some(demo::DEMO_BOUNDARIES))?;
    let tree = AreaTree::new(loaded.areas);
    Ok(tree.leaves().map(|a| a.code.clone()).collect())
}

/// Import `file` into `target`, timed: what a county does when it moves or restores.
async fn import_timed(
    file: &std::path::Path,
    target: Arc<dyn Store>,
    name: &str,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let input = tokio::io::BufReader::new(tokio::fs::File::open(file).await?);
    let counts = baraza_store::portable::import_jsonl(&*target, input).await?;
    let records: u64 = counts.values().sum();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "import into {name}: {secs:.1} s ({:.0} records/s)",
        records as f64 / secs
    );
    Ok(())
}

/// `baraza bench --public CASES`: fill, export, import, then a real `serve` process on
/// each backend, timed from outside. With `keep`, the filled databases and the export
/// stay in that folder (and PostgreSQL's database `baraza_public_CASES`) and are reused.
pub async fn run(
    cases: usize,
    postgres_url: Option<&str>,
    keep: Option<&std::path::Path>,
    seconds: u64,
) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = keep.unwrap_or(tmp.path()).to_path_buf();
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("public-{cases}.db"));
    let file = dir.join(format!("public-{cases}.jsonl"));
    let url = format!("sqlite://{}", db.display());
    println!("Public pages with {cases} cases, one run on this machine.");
    let wards = demo_wards()?;
    if db.exists() {
        println!("reusing {} (--keep)", db.display());
    } else {
        let store = crate::open_store(&url).await?;
        let t = Instant::now();
        fill(&store, cases).await?;
        // The demo's staff and their tokens, to read the staff API.
        demo::load(&*store, SystemClock.now(), None).await?;
        println!(
            "filled in {:.1} s through the import path (cases and their hash-chained journal)",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(&file).await?);
        let counts =
            baraza_store::portable::export_jsonl(&*store, None, &mut out, SystemClock.now())
                .await?;
        let records: u64 = counts.values().sum();
        println!(
            "export: {records} records ({:.0} MB) in {:.1} s",
            tokio::fs::metadata(&file).await?.len() as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        drop(store);
        let copy = dir.join("imported.db");
        let copy_url = format!("sqlite://{}", copy.display());
        import_timed(&file, crate::open_store(&copy_url).await?, "SQLite").await?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
        }
    }
    pages("SQLite", &url, &dir, cases, seconds, &wards).await?;
    if let Some(admin) = postgres_url {
        let imported = |url: String| {
            let (file, dir, wards) = (file.clone(), dir.clone(), wards.clone());
            async move {
                let store = crate::open_store(&url).await?;
                if store.is_empty().await? {
                    anyhow::ensure!(
                        file.exists(),
                        "{} is gone: remove the kept SQLite database to fill again",
                        file.display()
                    );
                    import_timed(&file, store.clone(), "PostgreSQL").await?;
                } else {
                    println!("reusing the PostgreSQL database (--keep)");
                }
                drop(store);
                pages("PostgreSQL", &url, &dir, cases, seconds, &wards).await
            }
        };
        if keep.is_some() {
            let url = crate::bench::database_kept(admin, &format!("baraza_public_{cases}")).await?;
            imported(url).await?;
        } else {
            crate::bench::on_temporary_database(admin, false, imported).await?;
        }
    }
    Ok(())
}

/// Resident memory of a process, from `/proc` (Linux): (now, peak, anonymous), in MB.
fn rss(pid: u32) -> Option<(f64, f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?, field("RssAnon:")?))
}

fn print_rss(when: &str, pid: u32) {
    match rss(pid) {
        Some((now, peak, anon)) => println!(
            "memory {when:<36} RSS {now:>6.0} MB (anonymous {anon:.0} MB, peak so far {peak:.0} MB)"
        ),
        None => println!("memory {when:<36} (no /proc on this system)"),
    }
}

/// CPU seconds a process has used (Linux `/proc`).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Wait until the server has done its start-up work (the open data snapshot, the jobs'
/// first rounds): under a tenth of a core for a second. Returns how long it took.
async fn wait_idle(pid: u32) -> Duration {
    let t = Instant::now();
    let mut quiet = 0;
    let mut last = cpu_seconds(pid);
    while quiet < 2 && t.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = cpu_seconds(pid);
        match (last, now) {
            (Some(a), Some(b)) if b - a < 0.05 => quiet += 1,
            (Some(_), Some(_)) => quiet = 0,
            _ => return t.elapsed(),
        }
        last = now;
    }
    t.elapsed()
}

/// Many GETs of one path from `clients` connections for `seconds`, like `wrk`.
async fn load(
    http: &reqwest::Client,
    url: String,
    token: Option<&'static str>,
    clients: usize,
    seconds: u64,
) -> crate::bench::Measured {
    let http = http.clone();
    crate::bench::closed_loop(clients, seconds, 0, move |_| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let mut req = http.get(&url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                _ => false,
            }
        }
    })
    .await
}

/// A real `baraza serve` on `url`, timed and measured from outside, as a county's visitors
/// and clients meet it.
async fn pages(
    name: &str,
    url: &str,
    dir: &std::path::Path,
    cases: usize,
    seconds: u64,
    wards: &[AreaCode],
) -> anyhow::Result<()> {
    let data = dir.join(format!("serve-{}", name.to_lowercase()));
    let t = Instant::now();
    let (mut child, base) = crate::bench::serve_child(
        name,
        url,
        &data,
        &[("BARAZA_METRICS_TOKEN", "bench-metrics")],
        Duration::from_secs(600),
    )
    .await?;
    let pid = child.id().unwrap_or(0);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    println!();
    println!(
        "{name}: `baraza serve` on {cases} cases answers in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    print_rss("after start", pid);
    let t = Instant::now();
    let r = http.get(format!("{base}/dashboard?by=ward")).send().await?;
    anyhow::ensure!(r.status().is_success(), "dashboard: {}", r.status());
    let _ = r.bytes().await?;
    println!(
        "first dashboard (the figures of every case) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    print_rss("with the dashboard's figures", pid);
    // What the figures themselves hold, as the server counts it.
    let metrics = http
        .get(format!("{base}/metrics"))
        .bearer_auth("bench-metrics")
        .send()
        .await?
        .text()
        .await?;
    let gauge = |name: &str| {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    if let (Some(rows), Some(bytes)) = (
        gauge("baraza_dashboard_cases "),
        gauge("baraza_dashboard_memory_bytes "),
    ) {
        println!(
            "memory of which the dashboard's figures: {:.0} MB for {rows:.0} cases ({:.0} bytes a case)",
            bytes / 1e6,
            bytes / rows.max(1.0)
        );
    }

    println!(
        "start-up work (open data snapshot, the jobs' first rounds) done {:.1} s later",
        wait_idle(pid).await.as_secs_f64()
    );
    print_rss("when idle", pid);
    // Throughput, like `wrk -t1 -c16`: the client runs on the same two cores.
    let clients = 16;
    println!(
        "{:<52} {:>8} {:>8} {:>8} {:>9}",
        format!("{name}: {clients} connections, {seconds} s each"),
        "req/s",
        "p50 ms",
        "p99 ms",
        "/ healthz"
    );
    let health = load(&http, format!("{base}/healthz"), None, clients, seconds).await;
    let line = |what: &str, m: &crate::bench::Measured| {
        println!(
            "{what:<52} {:>8.0} {:>8.2} {:>8.2} {:>9.2}{}",
            m.rate(),
            m.pct(0.5),
            m.pct(0.99),
            m.rate() / health.rate(),
            if m.errors > 0 {
                format!("  ({} errors)", m.errors)
            } else {
                String::new()
            }
        );
    };
    line("GET /healthz (baseline)", &health);
    let ward = &wards[0].0;
    for (what, path, token) in [
        (
            "API cases, page of 25",
            "/api/v1/cases?limit=25".to_owned(),
            true,
        ),
        (
            "API cases, page of 25, status=responded",
            "/api/v1/cases?limit=25&status=responded".to_owned(),
            true,
        ),
        (
            "API cases, page of 25, one ward",
            format!("/api/v1/cases?limit=25&ward={ward}"),
            true,
        ),
        (
            "API cases, page of 25, department water",
            "/api/v1/cases?limit=25&department=water".to_owned(),
            true,
        ),
        (
            "Open311 requests.json, max_requests=25",
            "/open311/v2/requests.json?max_requests=25".to_owned(),
            false,
        ),
    ] {
        let m = load(
            &http,
            format!("{base}{path}"),
            token.then_some("bz_demo_desk"),
            clients,
            seconds,
        )
        .await;
        line(what, &m);
    }
    let (_, health_ms, _) = time(&http, &base, "/healthz", 51).await?;
    println!("baseline: GET /healthz median {health_ms:.2} ms, one at a time");
    println!("(first: the first request; then the median and p95 of the rest)");
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>9}",
        "page", "first ms", "median ms", "p95 ms", "x healthz"
    );
    let row = |name: &str, (first, median, p95): (f64, f64, f64)| {
        println!(
            "{name:<44} {first:>10.1} {median:>10.1} {p95:>10.1} {:>9.0}",
            median / health_ms
        );
    };
    // The last 90 days (the default window) hold well over 1,000 requests.
    let open311 = "/open311/v2/requests.json";
    row(
        "Open311 requests.json, 1,000 requests",
        time(&http, &base, open311, 11).await?,
    );
    row(
        "dashboard by ward",
        time(&http, &base, "/dashboard?by=ward", 21).await?,
    );
    for by in [
        "sub-county",
        "department",
        "category",
        "channel",
        "month",
        "gender",
        "age-band",
    ] {
        row(
            &format!("dashboard by {by}"),
            time(&http, &base, &format!("/dashboard?by={by}"), 21).await?,
        );
    }
    row(
        "dashboard CSV by ward",
        time(&http, &base, "/dashboard.csv?by=ward", 21).await?,
    );
    // New cases arrive: the next page reads only them, then recomputes its breakdown.
    let mut after = Vec::new();
    for round in 0..10 {
        for i in 0..10 {
            let ward = &wards[(round * 10 + i) % wards.len()];
            let r = http
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth("bz_demo_desk")
                .json(&serde_json::json!({
                    "kind": "complaint", "channel": "sms", "ward": ward.0,
                    "description": "A new concern during the benchmark",
                }))
                .send()
                .await?;
            anyhow::ensure!(r.status().is_success(), "new case: {}", r.status());
        }
        let (first, _, _) = time(&http, &base, "/dashboard?by=ward", 1).await?;
        after.push(first);
    }
    after.sort_by(f64::total_cmp);
    println!(
        "{:<44} {:>10} {:>10.1} {:>10.1} {:>9.0}",
        "dashboard by ward, after 10 new cases",
        "-",
        after[after.len() / 2],
        after[after.len() - 1],
        after[after.len() / 2] / health_ms
    );
    row(
        "registry, newest",
        time(&http, &base, "/registry", 21).await?,
    );
    row(
        &format!("registry, ward {ward}"),
        time(&http, &base, &format!("/registry?ward={ward}"), 21).await?,
    );
    row(
        "registry, department water",
        time(&http, &base, "/registry?department=water", 21).await?,
    );
    print_rss("at the end", pid);
    child.start_kill()?;
    child.wait().await?;
    Ok(())
}
