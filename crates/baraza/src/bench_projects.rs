//! `baraza bench --projects N`: public projects and their open contracting data with N
//! projects (5,000 in the README), each with a contracting process of four releases
//! (planning, tender, award, contract: 20,000 releases for 5,000). The projects are made
//! by the domain's own `project::decide` and `apply`, each change sealed in the hash
//! chain, and loaded through the ordinary import path (which verifies them); then a real
//! server on a port is timed: the bulk OCDS release package and its JSON Lines, the
//! OC4IDS package, the projects list and a project's page, beside a `/healthz` round trip
//! measured in the same run.

use crate::demo;
use crate::jurisdiction_file::JurisdictionFile;
use baraza_core::journal::{EventDraft, Visibility};
use baraza_core::payload::Payload;
use baraza_core::project::{
    self, Item, NewProject, PROJECT_DIGEST_KEY, ProcurementMethod, ProjectActor, ProjectCommand,
    ProjectId, ProjectStatus, Sector,
};
use baraza_core::*;
use baraza_store::{Record, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Fill `store` with `n` projects through `Store::import`; returns their codes.
async fn fill(store: &Arc<dyn Store>, n: usize) -> anyhow::Result<(Vec<String>, usize)> {
    let loaded = JurisdictionFile::parse(demo::DEMO_FILE)?
        .check(demo::KENYA_WARDS_CSV, Some(demo::DEMO_BOUNDARIES))?;
    let j = loaded.jurisdiction.clone();
    let oc = j
        .open_contracting
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the demo file has no [open_contracting]"))?;
    let tree = AreaTree::new(loaded.areas.clone());
    let wards: Vec<AreaCode> = tree.leaves().map(|a| a.code.clone()).collect();
    let departments: Vec<String> = loaded.departments.iter().map(|d| d.code.clone()).collect();
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
    let mut rng = StdRng::seed_from_u64(1155);
    let who = ProjectActor {
        name: "benchmark".into(),
        role: Role::SystemAdministrator,
        phone: None,
    };
    let actor = lifecycle::Actor::system("bench");
    let start: Timestamp = "2025-07-01T08:00:00Z".parse()?;
    let mut head = ChainHead::genesis();
    let mut projects = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n * 5);
    let mut codes = Vec::with_capacity(n);
    let mut releases = 0;
    for i in 0..n {
        let id = ProjectId(uuid::Uuid::from_u128(0xB000_0000 + i as u128));
        let code = format!("EM-BX-{i:05}");
        let budget = f64::from(rng.gen_range(500..20_000u32)) * 1000.0;
        let day = |d: i64| (start + chrono::Duration::days(d)).date_naive();
        let offset = rng.gen_range(0..300);
        let commands = vec![
            ProjectCommand::Create(Box::new(NewProject {
                code: code.clone(),
                title: format!("Benchmark project {i}"),
                description: String::new(),
                department: departments[i % departments.len()].clone(),
                fiscal_year: "2025/26".into(),
                sector: Sector::ALL[i % Sector::ALL.len()],
                wards: vec![wards[rng.gen_range(0..wards.len())].clone()],
                location: None,
                budget,
                status: ProjectStatus::Implementation,
                target_groups: vec![],
                planned_end: None,
            })),
            ProjectCommand::Plan {
                budget,
                method: ProcurementMethod::Open,
                rationale: String::new(),
            },
            ProjectCommand::Tender {
                ocid: format!("{}{code}-1", oc.ocid_prefix),
                number: format!("EMC/BX/{i:05}"),
                title: format!("Works for benchmark project {i}"),
                description: String::new(),
                value: budget * 0.95,
                opens: day(offset),
                closes: day(offset + 21),
                items: vec![Item {
                    description: "Works".into(),
                    quantity: 1.0,
                    unit: "lot".into(),
                }],
                documents: vec![],
                rationale: String::new(),
            },
            ProjectCommand::Award {
                ocid: format!("{}{code}-1", oc.ocid_prefix),
                supplier: format!("Supplier {}", i % 400),
                value: budget * rng.gen_range(0.8..1.1),
                date: day(offset + 30),
                tenderers: rng.gen_range(1..6),
            },
            ProjectCommand::Contract {
                ocid: format!("{}{code}-1", oc.ocid_prefix),
                number: format!("EMC/BX/{i:05}/C1"),
                value: budget * 0.9,
                signed: day(offset + 40),
                starts: day(offset + 45),
                ends: day(offset + 200),
                documents: vec![],
            },
        ];
        let mut p = None;
        for (k, cmd) in commands.into_iter().enumerate() {
            let at = start + chrono::Duration::days(offset + k as i64 * 10);
            let changes = project::decide(
                p.as_ref(),
                cmd,
                &who,
                id,
                &j.id,
                Some(&oc),
                "http://localhost:8080",
                at,
            )
            .map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
            for c in &changes {
                p = project::apply(p, c, at);
                let Some(now) = &p else { continue };
                if matches!(c, project::ProjectChange::Released { .. }) {
                    releases += 1;
                }
                let mut data = Payload::Project(Box::new(c.clone())).to_value();
                if let Some(obj) = data.as_object_mut() {
                    obj.insert(
                        PROJECT_DIGEST_KEY.to_owned(),
                        serde_json::Value::String(project::project_digest(now)),
                    );
                }
                let ev = head.seal(
                    &j.id,
                    EventDraft {
                        case_id: id.stream(),
                        at,
                        actor: actor.clone(),
                        kind: c.kind(),
                        visibility: Visibility::Public,
                        data,
                    },
                );
                head = ChainHead::after(&ev);
                events.push(ev);
            }
        }
        projects.extend(p);
        codes.push(code);
    }
    let (np, ne) = (projects.len() as u64, events.len() as u64);
    // Export order: the projects, then the events that prove them, then the head.
    for p in projects {
        send(Record::Project(Box::new(p))).await?;
    }
    // No shared chain: the jurisdiction's own chain starts at the genesis.
    send(Record::Head(ChainHead::genesis())).await?;
    for ev in events {
        send(Record::Event(ev)).await?;
    }
    send(Record::Chain {
        jurisdiction: j.id.clone(),
        head,
    })
    .await?;
    let counts = [("projects".to_owned(), np), ("events".to_owned(), ne)]
        .into_iter()
        .collect();
    send(Record::Footer { counts }).await?;
    importer.await??;
    Ok((codes, releases))
}

/// Time `times` GETs of `path`; returns (first, median, bytes of the last).
async fn time(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    times: usize,
) -> anyhow::Result<(f64, f64, usize)> {
    let mut all = Vec::new();
    let mut size = 0;
    for _ in 0..times {
        let t = Instant::now();
        let r = http.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
        size = r.bytes().await?.len();
        all.push(ms(t.elapsed()));
    }
    let first = all[0];
    let mut rest = if all.len() > 1 {
        all[1..].to_vec()
    } else {
        all.clone()
    };
    rest.sort_by(f64::total_cmp);
    Ok((first, rest[rest.len() / 2], size))
}

pub async fn run(n: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("projects.db").display());
    let store = crate::open_store(&url).await?;
    println!("Public projects with {n} projects (SQLite, one run on this machine).");
    let t = Instant::now();
    let (codes, releases) = fill(&store, n).await?;
    println!(
        "filled in {:.1} s through the import path: {n} projects, {releases} OCDS releases, each change a journal event",
        t.elapsed().as_secs_f64()
    );
    let state = baraza_web::AppState::new(store.clone(), Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            baraza_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let http = reqwest::Client::new();
    let (_, health, _) = time(&http, &base, "/healthz", 51).await?;
    println!("baseline: GET /healthz median {health:.2} ms");
    println!(
        "{:<44} {:>10} {:>10} {:>9} {:>10}",
        "page", "first ms", "median ms", "x healthz", "bytes"
    );
    let row = |name: &str, (first, median, bytes): (f64, f64, usize)| {
        println!(
            "{name:<44} {first:>10.1} {median:>10.1} {:>9.0} {bytes:>10}",
            median / health
        );
    };
    row(
        "OCDS bulk release package (JSON)",
        time(&http, &base, "/ocds/releases.json", 5).await?,
    );
    row(
        "OCDS bulk releases (JSON Lines)",
        time(&http, &base, "/ocds/releases.jsonl", 5).await?,
    );
    row(
        "OC4IDS project package",
        time(&http, &base, "/oc4ids/projects.json", 5).await?,
    );
    row(
        "projects list, with the map (page 1 of 50)",
        time(&http, &base, "/projects", 5).await?,
    );
    row(
        "projects list, page 60",
        time(&http, &base, "/projects?page=60", 11).await?,
    );
    row(
        "projects in one ward",
        time(&http, &base, "/projects?ward=0744", 11).await?,
    );
    // A project's page: 51 different projects, the first one cold.
    let mut rng = StdRng::seed_from_u64(7);
    let mut pages = Vec::new();
    let mut size = 0;
    for _ in 0..51 {
        let code = &codes[rng.gen_range(0..codes.len())];
        let t = Instant::now();
        let r = http.get(format!("{base}/projects/{code}")).send().await?;
        anyhow::ensure!(r.status().is_success(), "/projects/{code}: {}", r.status());
        size = r.bytes().await?.len();
        pages.push(ms(t.elapsed()));
    }
    let first = pages[0];
    let mut rest = pages[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    row(
        "a project's page (50 different projects)",
        (first, rest[rest.len() / 2], size),
    );
    row(
        "one process's record (compiled, versioned)",
        time(
            &http,
            &base,
            &format!("/ocds/records/ocds-udd159-{}-1.json", codes[0]),
            11,
        )
        .await?,
    );
    server.abort();
    Ok(())
}
