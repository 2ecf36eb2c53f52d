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
async fn fill(store: &Arc<dyn Store>, n: usize) -> anyhow::Result<Vec<AreaCode>> {
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
    let end: Timestamp = "2026-11-20T09:00:00Z".parse()?;
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
            let ev = head.seal(d);
            head = ChainHead::after(&ev);
            sealed.push(ev);
        }
        // What happened next: most are answered; most answers are confirmed.
        let fate = rng.gen_range(0..100);
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
            at += chrono::Duration::minutes(rng.gen_range(30..(6 * 24 * 60)));
            let t = decide(&case, &actor, &action, &deadlines, at)?;
            case = t.case;
            let ev = head.seal(t.event);
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
    send(Record::Head(head)).await?;
    let counts = [
        ("cases".to_owned(), n as u64),
        ("events".to_owned(), events),
        ("citizens".to_owned(), citizens),
    ]
    .into_iter()
    .collect();
    send(Record::Footer { counts }).await?;
    importer.await??;
    Ok(wards)
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

/// Export the filled database, then import the file into a fresh database of each backend:
/// the times of what a county does when it moves or restores.
async fn export_import(
    store: &Arc<dyn Store>,
    dir: &std::path::Path,
    postgres_url: Option<&str>,
) -> anyhow::Result<()> {
    let file = dir.join("export.jsonl");
    let t = Instant::now();
    let mut out = tokio::io::BufWriter::new(tokio::fs::File::create(&file).await?);
    let counts =
        baraza_store::portable::export_jsonl(&**store, &mut out, SystemClock.now()).await?;
    let records: u64 = counts.values().sum();
    let size = tokio::fs::metadata(&file).await?.len();
    println!(
        "export: {records} records ({:.0} MB) in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let import = |target: Arc<dyn Store>, name: &'static str| {
        let file = file.clone();
        async move {
            let t = Instant::now();
            let input = tokio::io::BufReader::new(tokio::fs::File::open(&file).await?);
            baraza_store::portable::import_jsonl(&*target, input).await?;
            let secs = t.elapsed().as_secs_f64();
            println!(
                "import into {name}: {secs:.1} s ({:.0} records/s)",
                records as f64 / secs
            );
            anyhow::Ok(())
        }
    };
    let url = format!("sqlite://{}", dir.join("imported.db").display());
    import(crate::open_store(&url).await?, "SQLite").await?;
    if let Some(admin) = postgres_url {
        crate::bench::on_temporary_database(admin, false, |url| async move {
            import(crate::open_store(&url).await?, "PostgreSQL").await
        })
        .await?;
    }
    Ok(())
}

pub async fn run(cases: usize, postgres_url: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("public.db").display());
    let store = crate::open_store(&url).await?;
    println!("Public pages with {cases} cases (SQLite, one run on this machine).");
    let t = Instant::now();
    let wards = fill(&store, cases).await?;
    println!(
        "filled in {:.1} s through the import path (cases and their hash-chained journal)",
        t.elapsed().as_secs_f64()
    );
    export_import(&store, dir.path(), postgres_url).await?;
    let state = baraza_web::AppState::new(store.clone(), Arc::new(SystemClock)).await?;
    let state_stats = state.stats.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            baraza_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    // What `serve` does at start: read every case's figures once.
    let t = Instant::now();
    state_stats
        .refresh(&*store, &demo::jurisdiction_id(), true)
        .await?;
    println!(
        "figures of {cases} cases read at start in {:.1} s (serve does this in the background)",
        t.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::new();
    let (_, health, _) = time(&http, &base, "/healthz", 51).await?;
    println!("baseline: GET /healthz median {health:.2} ms");
    println!("(first: the first request, which computes the breakdown; then 20 more)");
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>9}",
        "page", "first ms", "median ms", "p95 ms", "x healthz"
    );
    let row = |name: &str, (first, median, p95): (f64, f64, f64)| {
        println!(
            "{name:<44} {first:>10.1} {median:>10.1} {p95:>10.1} {:>9.0}",
            median / health
        );
    };
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
    let tree = AreaTree::new(store.areas(&demo::jurisdiction_id()).await?);
    let mut after = Vec::new();
    for round in 0..10 {
        for i in 0..10 {
            let ward = &wards[(round * 10 + i) % wards.len()];
            let new = NewCase {
                department: None,
                jurisdiction: demo::jurisdiction_id(),
                kind: CaseKind::Complaint,
                channel: Channel::Sms,
                category: None,
                ladder: tree.ladder(ward),
                ward: Some(ward.clone()),
                location: None,
                description: "A new concern during the benchmark".into(),
                attachments: vec![],
                citizen: None,
                idempotency_key: None,
                acknowledged_on_intake: true,
                subject: None,
                request: None,
            };
            store
                .create_case(new, Actor::citizen(None, Channel::Sms), SystemClock.now())
                .await?;
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
        after[after.len() / 2] / health
    );
    row(
        "registry, newest",
        time(&http, &base, "/registry", 21).await?,
    );
    row(
        &format!("registry, ward {}", wards[0].0),
        time(&http, &base, &format!("/registry?ward={}", wards[0].0), 21).await?,
    );
    row(
        "registry, department water",
        time(&http, &base, "/registry?department=water", 21).await?,
    );
    row("open311 requests.json (90 days)", time(&http, &base, "/open311/v2/requests.json?start_date=2026-09-01T00:00:00Z&end_date=2026-11-20T00:00:00Z", 5).await?);
    server.abort();
    Ok(())
}
