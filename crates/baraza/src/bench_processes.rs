//! `baraza bench --postgres-url URL --processes N --jurisdictions M`: N real `baraza serve`
//! processes on one PostgreSQL database, hammered at once with intakes over the API (each
//! with an Idempotency-Key, one in ten sent to two processes) and citizens' SMS (one in
//! five delivered twice, to two processes), for M jurisdictions. Their outbox workers send
//! every acknowledgement to a stand-in for Africa's Talking. Then it checks what a county
//! relies on: no reference given twice, one case per key and per provider message id, no
//! message sent twice, and every journal chain verifying. Figures are relative to this
//! machine, never asserted.

use crate::bench::{BENCH_AT_SECRET, on_temporary_database};
use crate::demo;
use crate::jurisdiction_file::{JurisdictionFile, Loaded};
use baraza_core::*;
use baraza_store::Store;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The jurisdiction files that ship with Baraza (Kenya's three pilot counties).
const FILES: [&str; 3] = [
    demo::DEMO_FILE,
    include_str!("../../../data/jurisdictions/makueni.toml"),
    include_str!("../../../data/jurisdictions/nairobi.toml"),
];

/// The shipped jurisdictions, then load copies of them (ids `<id>-copy-<n>`, named as
/// copies) when more are asked for than ship: more chains, not more places.
fn jurisdictions(m: usize) -> anyhow::Result<Vec<Loaded>> {
    let mut out = Vec::with_capacity(m);
    for k in 0..m {
        let mut l =
            JurisdictionFile::parse(FILES[k % FILES.len()])?.check(demo::KENYA_WARDS_CSV, None)?;
        let copy = k / FILES.len();
        if copy > 0 {
            let id = JurisdictionId::parse(&format!("{}-copy-{copy}", l.jurisdiction.id))?;
            l.jurisdiction.name = format!("{} (load copy {copy})", l.jurisdiction.name);
            let letter = char::from(b'A' + (copy % 26) as u8);
            let mut prefix: String = l.jurisdiction.reference_prefix.chars().take(4).collect();
            prefix.push(letter);
            l.jurisdiction.reference_prefix = prefix;
            l.jurisdiction.id = id.clone();
            l.areas.iter_mut().for_each(|a| a.jurisdiction = id.clone());
            l.departments
                .iter_mut()
                .for_each(|d| d.jurisdiction = id.clone());
            l.categories
                .iter_mut()
                .for_each(|c| c.jurisdiction = id.clone());
        }
        out.push(l);
    }
    Ok(out)
}

/// What one jurisdiction needs from the load: its id, a desk token and its wards.
struct Served {
    id: JurisdictionId,
    token: String,
    wards: Vec<String>,
}

async fn prepare(store: &dyn Store, m: usize) -> anyhow::Result<Vec<Served>> {
    let now = SystemClock.now();
    let mut out = Vec::new();
    for (k, loaded) in jurisdictions(m)?.into_iter().enumerate() {
        crate::jurisdiction_file::store(store, &loaded).await?;
        let user = StaffUser {
            id: UserId(uuid::Uuid::new_v4()),
            jurisdiction: loaded.jurisdiction.id.clone(),
            username: format!("bench.desk.{k}"),
            display_name: format!("Bench desk {k}"),
            role: Role::CommunicationsDesk,
            scope: Scope::Jurisdiction,
            email: None,
            phone: None,
            disabled: false,
            created_at: now,
        };
        store.add_user(&user).await?;
        let token = format!("bz_bench_{k}");
        store
            .add_token(&ApiToken {
                id: uuid::Uuid::new_v4(),
                user: user.id,
                name: "bench".into(),
                secret_sha256: TokenSecret::from_presented(&token).sha256_hex(),
                created_at: now,
                revoked_at: None,
            })
            .await?;
        let tree = AreaTree::new(loaded.areas.clone());
        out.push(Served {
            id: loaded.jurisdiction.id.clone(),
            token,
            wards: tree.leaves().map(|a| a.code.0.clone()).collect(),
        });
    }
    Ok(out)
}

/// A real `baraza serve` on `url`, its SMS from `jurisdiction`, its messages to `provider`.
async fn serve(
    url: &str,
    dir: &std::path::Path,
    k: usize,
    jurisdiction: &JurisdictionId,
    provider: &str,
) -> anyhow::Result<(tokio::process::Child, String)> {
    crate::bench::serve_child(
        &format!("serve {k}"),
        url,
        &dir.join(format!("serve-{k}")),
        &[
            ("BARAZA_AFRICASTALKING__USERNAME", "bench"),
            ("BARAZA_AFRICASTALKING__API_KEY", "bench"),
            ("BARAZA_AFRICASTALKING__WEBHOOK_SECRET", BENCH_AT_SECRET),
            ("BARAZA_AFRICASTALKING__BASE_URL", provider),
            ("BARAZA_AFRICASTALKING__JURISDICTION", jurisdiction.as_str()),
        ],
        Duration::from_secs(60),
    )
    .await
}

/// What the load saw.
#[derive(Default)]
struct Tally {
    /// Answered requests by process, and new intakes by jurisdiction.
    by_process: BTreeMap<usize, u64>,
    by_jurisdiction: BTreeMap<String, u64>,
    sms_by_jurisdiction: BTreeMap<String, u64>,
    intakes: u64,
    sms: u64,
    errors: u64,
    /// Each Idempotency-Key, with the references the servers answered it with.
    keys: HashMap<String, HashSet<String>>,
    /// Each SMS the servers accepted, by provider message id.
    sms_ids: HashSet<String>,
}

pub async fn run(
    admin: &str,
    processes: usize,
    jurisdictions: usize,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        processes >= 1 && jurisdictions >= 1,
        "--processes and --jurisdictions: at least 1 each"
    );
    on_temporary_database(admin, false, |url| async move {
        run_on(&url, processes, jurisdictions, clients, seconds).await
    })
    .await
}

async fn run_on(url: &str, n: usize, m: usize, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let store = crate::open_store(url).await?;
    let served = Arc::new(prepare(&*store, m).await?);
    let crate::bench::StandIn {
        base_url: provider_url,
        messages: sent,
        ..
    } = crate::bench::fake_provider().await?;
    let dir = tempfile::tempdir()?;
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for k in 0..n {
        let (child, base) = serve(url, dir.path(), k, &served[k % m].id, &provider_url).await?;
        children.push(child);
        bases.push(base);
    }
    let bases = Arc::new(bases);
    println!(
        "{n} `baraza serve` processes on one PostgreSQL database, {m} jurisdictions ({}), {clients} clients for {seconds} s",
        served
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "each client: API intakes with Idempotency-Keys (one in ten sent to two processes), \
         and every fourth request an SMS (one in five delivered to two processes)"
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..clients {
        let (http, bases, served, tally) =
            (http.clone(), bases.clone(), served.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0usize;
            while Instant::now() < until {
                let op = t * 1_000_003 + i;
                i += 1;
                let p = op % n;
                let twice = |every: usize| (op / 4).is_multiple_of(every) && n > 1;
                if op % 4 == 3 {
                    let id = format!("ATXprocesses_{t}_{i}");
                    let form = [
                        ("from", format!("+2547{:08}", op % 100_000_000)),
                        ("to", "40404".to_owned()),
                        ("text", format!("Hakuna maji {id}")),
                        ("id", id.clone()),
                    ];
                    let targets: Vec<usize> = if twice(5) {
                        vec![p, (p + 1) % n]
                    } else {
                        vec![p]
                    };
                    let answers = futures::future::join_all(targets.iter().map(|q| {
                        http.post(format!(
                            "{}/webhooks/africastalking/{BENCH_AT_SECRET}/sms",
                            bases[*q]
                        ))
                        .form(&form)
                        .send()
                    }))
                    .await;
                    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                    for (q, a) in targets.iter().zip(answers) {
                        if a.is_ok_and(|r| r.status().is_success()) {
                            *tally.by_process.entry(*q).or_default() += 1;
                            tally.sms += 1;
                            if tally.sms_ids.insert(id.clone()) {
                                *tally
                                    .sms_by_jurisdiction
                                    .entry(served[p % served.len()].id.to_string())
                                    .or_default() += 1;
                            }
                        } else {
                            tally.errors += 1;
                        }
                    }
                    continue;
                }
                // Spread over every jurisdiction (op % 4 alone would skip one of four).
                let j = &served[(op + op / 4) % served.len()];
                let key = format!("processes-{t}-{i}");
                let body = serde_json::json!({
                    "kind": "complaint", "channel": "api", "category": "water-supply",
                    "ward": j.wards[op % j.wards.len()],
                    "description": format!("Borehole dry, load test {key}"),
                });
                let targets: Vec<usize> = if twice(10) {
                    vec![p, (p + 1) % n]
                } else {
                    vec![p]
                };
                let answers = futures::future::join_all(targets.iter().map(|q| {
                    http.post(format!("{}/api/v1/cases", bases[*q]))
                        .bearer_auth(&j.token)
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                }))
                .await;
                let mut refs = Vec::new();
                for (q, a) in targets.iter().zip(answers) {
                    let (status, reference) = match a {
                        Ok(r) => {
                            let status = r.status();
                            let v: serde_json::Value = r.json().await.unwrap_or_default();
                            (status, v["reference"].as_str().map(str::to_owned))
                        }
                        Err(_) => (reqwest::StatusCode::BAD_GATEWAY, None),
                    };
                    refs.push((*q, status, reference));
                }
                let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                for (q, status, reference) in refs {
                    match reference {
                        Some(r) if status.is_success() => {
                            *tally.by_process.entry(q).or_default() += 1;
                            if status == reqwest::StatusCode::CREATED {
                                tally.intakes += 1;
                                *tally.by_jurisdiction.entry(j.id.to_string()).or_default() += 1;
                            }
                            tally.keys.entry(key.clone()).or_default().insert(r);
                        }
                        _ => tally.errors += 1,
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // The acknowledgements go out from every process's outbox worker.
    let t = Instant::now();
    loop {
        let health = store.outbox_health().await?;
        if health.pending == 0 || t.elapsed() > Duration::from_secs(120) {
            println!(
                "outbox: {} unsent {:.1} s after the load",
                health.pending,
                t.elapsed().as_secs_f64()
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for mut c in children {
        c.kill().await?;
    }
    let tally = Arc::try_unwrap(tally)
        .map_err(|_| anyhow::anyhow!("the load's tasks still hold their tally"))?
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());

    let answered: u64 = tally.by_process.values().sum();
    println!(
        "total: {:.0} requests/s answered ({} API intakes new, {} SMS deliveries), {} errors",
        answered as f64 / elapsed,
        tally.intakes,
        tally.sms,
        tally.errors
    );
    for (p, count) in &tally.by_process {
        println!(
            "  process {p} (SMS for {}): {:.0} requests/s",
            served[p % m].id,
            *count as f64 / elapsed
        );
    }
    for s in served.iter() {
        let j = s.id.to_string();
        let per = |m: &BTreeMap<String, u64>| *m.get(&j).unwrap_or(&0) as f64 / elapsed;
        println!(
            "  {j}: {:.0} new API intakes/s, {:.0} new SMS/s",
            per(&tally.by_jurisdiction),
            per(&tally.sms_by_jurisdiction)
        );
    }

    // What the database holds.
    let mut cases_by_sms: HashMap<String, u32> = HashMap::new();
    let mut references = HashSet::new();
    let mut cases = 0u64;
    let mut twice_numbered = 0u64;
    baraza_store::portable::for_each_record(&*store, None, |r| {
        if let baraza_store::Record::Case(c) = r {
            cases += 1;
            if !references.insert(c.number) {
                twice_numbered += 1;
            }
            if let Some(id) = c.description.strip_prefix("Hakuna maji ") {
                *cases_by_sms.entry(id.to_owned()).or_default() += 1;
            }
        }
        Ok(())
    })
    .await?;
    let keys_twice = tally.keys.values().filter(|r| r.len() > 1).count();
    let sms_twice = cases_by_sms.values().filter(|c| **c > 1).count();
    let sms_lost = tally
        .sms_ids
        .iter()
        .filter(|id| !cases_by_sms.contains_key(*id))
        .count();
    let sent_twice = sent
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .filter(|c| **c > 1)
        .count();
    println!(
        "checks: {cases} cases; {twice_numbered} duplicate references; {keys_twice} keys with two cases; \
         {sms_twice} provider message ids with two cases; {sms_lost} accepted SMS without a case; \
         {sent_twice} messages sent twice"
    );
    let report = baraza_store::verify_journal(&*store, None).await?;
    match &report {
        Ok(r) => println!(
            "journal verifies: {} events in {} chains ({})",
            r.events,
            r.chains.len(),
            r.chains
                .iter()
                .map(|(j, h)| format!("{j} #{}", h.seq))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(b) => println!("JOURNAL BROKEN: {b}"),
    }
    anyhow::ensure!(
        twice_numbered == 0
            && keys_twice == 0
            && sms_twice == 0
            && sms_lost == 0
            && sent_twice == 0,
        "the multi-process run duplicated or lost something (see the checks above)"
    );
    report.map_err(|b| anyhow::anyhow!("the journal does not verify: {b}"))?;
    Ok(())
}
