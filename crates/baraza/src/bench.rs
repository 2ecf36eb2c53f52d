//! `baraza bench`: durable case intake measured in one run on this machine. (a) through
//! the full HTTP path (JSON, token auth, validation, group commit) with N concurrent
//! clients; (b) the same rows written straight to the same store with the same
//! durability and no HTTP; then a paced run for latency at a fixed rate. Prints intake/s,
//! p50/p99 and the ratio (a)/(b); then (c) citizens' SMS through the Africa's Talking
//! webhook. Figures are relative to this machine, never asserted.

use crate::demo;
use baraza_core::lifecycle::Actor;
use baraza_core::*;
use baraza_store::Store;
use clap::Args;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Clone)]
pub struct BenchArgs {
    /// Concurrent clients
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Seconds per measurement
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rate of the paced latency run, in intakes per second
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// The outbox's rate limit per provider during the send run, in messages per second
    /// (0: none; the stand-in provider has none)
    #[arg(long, default_value_t = 0)]
    send_rate: u32,
    /// Also bench PostgreSQL: a server URL where a temporary database may be created
    #[arg(
        long,
        env = "BARAZA_BENCH_POSTGRES_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    postgres_url: Option<String>,
    /// Instead: time the public pages (dashboard, registry, Open311) with this many cases,
    /// and an export and import of them (into PostgreSQL too, with --postgres-url)
    #[arg(long, value_name = "CASES")]
    public: Option<usize>,
    /// With --public: keep the filled databases and the export in this folder (and
    /// PostgreSQL's database `baraza_public_CASES`), and reuse them on the next run
    #[arg(long, value_name = "DIR", requires = "public")]
    keep: Option<std::path::PathBuf>,
    /// Instead: time the public projects' pages and open contracting data with this many
    /// projects (four OCDS releases each)
    #[arg(long, value_name = "PROJECTS")]
    projects: Option<usize>,
    /// Instead: run this many `baraza serve` processes on one PostgreSQL database (needs
    /// --postgres-url), hammer them with intakes and SMS for --jurisdictions
    /// jurisdictions, and check that nothing was duplicated or lost
    #[arg(long, value_name = "N", requires = "postgres_url")]
    processes: Option<usize>,
    /// With --processes: how many jurisdictions the load spreads over (Kenya's three
    /// pilot counties, then load copies of them)
    #[arg(long, value_name = "M", default_value_t = 4, requires = "processes")]
    jurisdictions: usize,
}

pub(crate) struct Measured {
    pub(crate) count: usize,
    pub(crate) errors: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Measured {
    pub(crate) fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }
    pub(crate) fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

fn merge(parts: Vec<(usize, usize, Vec<u64>)>, elapsed: Duration) -> Measured {
    let mut m = Measured {
        count: 0,
        errors: 0,
        elapsed,
        latencies_us: Vec::new(),
    };
    for (c, e, l) in parts {
        m.count += c;
        m.errors += e;
        m.latencies_us.extend(l);
    }
    m.latencies_us.sort_unstable();
    m
}

const WARDS: [&str; 6] = ["0741", "0742", "0746", "0739", "0744", "0733"];

fn row(i: usize) -> (String, String, String) {
    let ward = WARDS[i % WARDS.len()].to_owned();
    let phone = format!("+2547{:08}", i % 50_000);
    let text = format!(
        "Bench concern {i}: the borehole is dry and the tank has not been refilled this week."
    );
    (ward, phone, text)
}

/// `clients` concurrent clients, each repeating `attempt(i)` until the time is up, with
/// row numbers `first + client`, then `+ clients` each time: no two clients share a row.
pub(crate) async fn closed_loop<F, Fut>(
    clients: usize,
    secs: u64,
    first: usize,
    attempt: F,
) -> Measured
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let attempt = attempt.clone();
        tasks.push(tokio::spawn(async move {
            let (mut n, mut err, mut lat) = (0usize, 0usize, Vec::new());
            let mut i = first + c;
            while Instant::now() < deadline {
                let t = Instant::now();
                if attempt(i).await {
                    n += 1;
                    lat.push(t.elapsed().as_micros() as u64);
                } else {
                    err += 1;
                }
                i += clients;
            }
            (n, err, lat)
        }));
    }
    let mut parts = Vec::new();
    for t in tasks {
        if let Ok(p) = t.await {
            parts.push(p);
        }
    }
    merge(parts, start.elapsed())
}

fn new_case(tree: &AreaTree, i: usize) -> NewCase {
    let (ward, phone, text) = row(i);
    let ward = AreaCode(ward);
    NewCase {
        department: None,
        jurisdiction: demo::jurisdiction_id(),
        kind: CaseKind::Complaint,
        channel: Channel::Api,
        category: Some("water-supply".into()),
        ladder: tree.ladder(&ward),
        ward: Some(ward),
        location: None,
        description: text,
        attachments: vec![],
        citizen: Some(NewCitizen {
            phone: PhoneNumber::parse(&phone).ok(),
            whatsapp_id: None,
            email: None,
            name: None,
            language: Language::English,
            gender: None,
            age_band: None,
            consent: Consent {
                contact: true,
                publish: false,
            },
        }),
        idempotency_key: None,
        acknowledged_on_intake: true,
        subject: None,
        request: None,
    }
}

async fn raw(store: Arc<dyn Store>, tree: Arc<AreaTree>, clients: usize, secs: u64) -> Measured {
    closed_loop(clients, secs, 0, move |i| {
        let (store, new) = (store.clone(), new_case(&tree, i));
        async move {
            store
                .create_case(new, Actor::system("bench"), SystemClock.now())
                .await
                .is_ok()
        }
    })
    .await
}

fn body(i: usize) -> serde_json::Value {
    let (ward, phone, text) = row(i);
    serde_json::json!({
        "kind": "complaint", "channel": "api", "category": "water-supply", "ward": ward,
        "description": text, "citizen": { "phone": phone, "language": "en" }
    })
}

async fn post(client: &reqwest::Client, url: &str, i: usize) -> bool {
    let r = client
        .post(url)
        .bearer_auth("bz_demo_desk")
        .json(&body(i))
        .send()
        .await;
    matches!(r, Ok(resp) if resp.status() == reqwest::StatusCode::CREATED)
}

fn client(clients: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap_or_default()
}

async fn http(url: String, clients: usize, secs: u64) -> Measured {
    let client = client(clients);
    closed_loop(clients, secs, 1_000_000, move |i| {
        let (client, url) = (client.clone(), url.clone());
        async move { post(&client, &url, i).await }
    })
    .await
}

/// Requests sent on a fixed schedule; latency counts from the scheduled time, so a slow
/// server cannot hide its queueing (no coordinated omission).
async fn paced(url: String, rate: u64, secs: u64) -> Measured {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap_or_default();
    let total = (rate * secs) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for k in 0..total {
        let due = start + interval * k as u32;
        tokio::time::sleep_until(due.into()).await;
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let ok = post(&client, &url, 5_000_000 + k).await;
            (ok, due.elapsed().as_micros() as u64)
        }));
    }
    let mut parts = (0usize, 0usize, Vec::with_capacity(total));
    for t in tasks {
        if let Ok((ok, l)) = t.await {
            if ok {
                parts.0 += 1;
                parts.2.push(l);
            } else {
                parts.1 += 1;
            }
        }
    }
    merge(vec![parts], start.elapsed())
}

fn line(backend: &str, mode: &str, clients: &str, m: &Measured) {
    println!(
        "{backend:<9} {mode:<24} {clients:>7} {:>10.0} {:>8.2} {:>8.2} {:>7}",
        m.rate(),
        m.pct(0.50),
        m.pct(0.99),
        m.errors
    );
}

/// Citizens' SMS through the Africa's Talking webhook: each a new concern from a new
/// number (message stored, case opened, acknowledgement queued, all in one commit).
async fn sms_webhook(url: String, clients: usize, secs: u64) -> Measured {
    let client = client(clients);
    closed_loop(clients, secs, 9_000_000, move |i| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let (_, phone, text) = row(i);
            let id = format!("ATXid_bench_{i}");
            let form = [
                ("from", phone.as_str()),
                ("id", id.as_str()),
                ("text", text.as_str()),
                ("to", "40404"),
            ];
            matches!(client.post(&url).form(&form).send().await, Ok(r) if r.status().is_success())
        }
    })
    .await
}

pub(crate) const BENCH_AT_SECRET: &str = "bench-webhook-secret-0123456789";

/// The bench's Africa's Talking account, its sending API at `base_url`.
fn africastalking(base_url: String) -> baraza_channels::africastalking::Config {
    baraza_channels::africastalking::Config {
        username: "bench".into(),
        api_key: baraza_channels::Secret::new("bench"),
        webhook_secret: baraza_channels::Secret::new(BENCH_AT_SECRET),
        sender_id: None,
        ussd_code: None,
        base_url,
        jurisdiction: demo::jurisdiction_id().to_string(),
        allowed_ips: vec![],
    }
}

/// A stand-in for Africa's Talking's sending API on this machine, in its wire format
/// (form in, `SMSMessageData` out).
pub(crate) struct StandIn {
    pub(crate) base_url: String,
    /// How many messages it was sent.
    pub(crate) sent: Arc<std::sync::atomic::AtomicU64>,
    /// How many times it was sent each message, by recipient and text.
    pub(crate) messages: Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>>,
}

#[expect(
    clippy::disallowed_types,
    reason = "the stand-in provider is a plain axum server reading plain forms"
)]
pub(crate) async fn fake_provider() -> anyhow::Result<StandIn> {
    use axum::routing::post;
    use std::sync::atomic::{AtomicU64, Ordering};
    let sent = Arc::new(AtomicU64::new(0));
    let messages: Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>> = Arc::default();
    let (counter, seen) = (sent.clone(), messages.clone());
    let app = axum::Router::new().route(
        "/version1/messaging",
        post(
            move |axum::Form(f): axum::Form<std::collections::HashMap<String, String>>| {
                let (counter, seen) = (counter.clone(), seen.clone());
                async move {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let to = f.get("to").cloned().unwrap_or_default();
                    let text = f.get("message").cloned().unwrap_or_default();
                    *seen
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .entry(format!("{to}\n{text}"))
                        .or_default() += 1;
                    (
                        axum::http::StatusCode::CREATED,
                        axum::Json(serde_json::json!({"SMSMessageData": {
                            "Message": "Sent to 1/1 Total Cost: KES 0.8000",
                            "Recipients": [{"statusCode": 101, "number": to, "status": "Success",
                                "cost": "KES 0.8000", "messageId": format!("ATXid_bench_out_{n}")}]}})),
                    )
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(StandIn {
        base_url,
        sent,
        messages,
    })
}

/// A real `baraza serve` (this binary) on the database at `url`, with its data folder
/// `data` and `env` besides; returned once `/healthz` answers, within `patience`, with its
/// base URL.
pub(crate) async fn serve_child(
    name: &str,
    url: &str,
    data: &std::path::Path,
    env: &[(&str, &str)],
    patience: Duration,
) -> anyhow::Result<(tokio::process::Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    std::fs::create_dir_all(data)?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("BARAZA_DATABASE_URL", url)
        .env("BARAZA_LISTEN", format!("127.0.0.1:{port}"))
        .env("BARAZA_DATA_DIR", data)
        .env("BARAZA_LOG", "warn")
        .envs(env.iter().copied())
        .current_dir(data)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let t = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok((child, base));
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("{name}: serve exited at start ({status})");
        }
        anyhow::ensure!(
            t.elapsed() < patience,
            "{name}: serve did not answer /healthz within {} s",
            patience.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// (d) The outbox as `serve` runs it, against a provider on this machine: first the
/// acknowledgements the runs above queued, then while intakes keep arriving. Reports send
/// throughput, and how long the oldest unsent message had waited when intake stopped.
async fn outbox(
    name: &str,
    store: &Arc<dyn Store>,
    url: String,
    args: &BenchArgs,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let StandIn { base_url, sent, .. } = fake_provider().await?;
    let pace = baraza_jobs::outbox::Pace {
        rate_per_second: args.send_rate,
        ..Default::default()
    };
    let at = africastalking(base_url);
    let worker = Arc::new(
        baraza_jobs::outbox::OutboxWorker::new(
            store.clone(),
            Arc::new(SystemClock),
            Arc::new(baraza_channels::templates::Templates::load()?),
        )
        .with_pace(pace)
        .with_gateway(Arc::new(baraza_channels::africastalking::SmsGateway::new(
            at,
        ))),
    );
    let backlog = store.outbox_health().await?.pending;
    let t = Instant::now();
    while worker.run_once().await? > 0 {}
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name:<9} (d) outbox: the {backlog} messages queued above sent in {secs:.1} s, {:.0}/s \
         (batch {}, {} at once, rate limit {})",
        sent.load(Ordering::Relaxed) as f64 / secs,
        pace.batch,
        pace.concurrency,
        match pace.rate_per_second {
            0 => "none".to_owned(),
            r => format!("{r}/s"),
        }
    );
    // Intake and sending at once, as in a county's busy hour.
    let stop = Arc::new(AtomicBool::new(false));
    let before = sent.load(Ordering::Relaxed);
    let sender = {
        let (worker, stop) = (worker.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match worker.run_once().await {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(50)).await,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "bench outbox round");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        })
    };
    let a = http(url, args.clients, args.seconds).await;
    let health = store.outbox_health().await?;
    let during = (sent.load(Ordering::Relaxed) - before) as f64 / a.elapsed.as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    sender.await?;
    let waited = health.oldest_pending.map_or(0.0, |t| {
        (SystemClock.now() - t).num_milliseconds() as f64 / 1000.0
    });
    println!(
        "{name:<9} (d) HTTP intake {:.0}/s while sending {during:.0}/s; when intake stopped, \
         {} unsent, the oldest waiting {waited:.1} s",
        a.rate(),
        health.pending
    );
    Ok(())
}

/// The demo jurisdiction loaded; its area tree.
async fn prepare(store: &dyn Store) -> anyhow::Result<Arc<AreaTree>> {
    demo::load(store, SystemClock.now(), None).await?;
    Ok(Arc::new(AreaTree::new(
        store.areas(&demo::jurisdiction_id()).await?,
    )))
}

/// Every run on one backend; returns the HTTP intake rate, to compare backends.
async fn bench_backend(name: &str, store: Arc<dyn Store>, args: &BenchArgs) -> anyhow::Result<f64> {
    let tree = prepare(&*store).await?;
    // Nothing is sent during these runs: the outbox only fills, until (d).
    let at = africastalking("http://127.0.0.1:9".into());
    let state = baraza_web::AppState::new(store.clone(), Arc::new(SystemClock))
        .await?
        .with_channels(baraza_web::webhooks::Channels {
            africastalking: Some(at),
            ..Default::default()
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}/api/v1/cases");
    let sms_url = format!("http://{addr}/webhooks/africastalking/{BENCH_AT_SECRET}/sms");
    let server = tokio::spawn(async move { axum::serve(listener, baraza_web::app(state)).await });

    let b = raw(store.clone(), tree, args.clients, args.seconds).await;
    line(
        name,
        "(b) raw store, no HTTP",
        &args.clients.to_string(),
        &b,
    );
    let a = http(url.clone(), args.clients, args.seconds).await;
    line(name, "(a) HTTP intake", &args.clients.to_string(), &a);
    let p = paced(url.clone(), args.rate, args.seconds).await;
    line(name, &format!("HTTP paced {}/s", args.rate), "-", &p);
    println!("{name:<9} ratio (a)/(b) = {:.2}", a.rate() / b.rate());
    let w = sms_webhook(sms_url, args.clients, args.seconds).await;
    line(
        name,
        "(c) inbound SMS webhook",
        &args.clients.to_string(),
        &w,
    );
    outbox(name, &store, url, args).await?;
    server.abort();
    match baraza_store::verify_journal(&*store, None).await? {
        Ok(r) => println!(
            "{name:<9} journal verifies: {} events, {} cases",
            r.events, r.cases
        ),
        Err(b) => anyhow::bail!("{name}: journal broken after the bench: {b}"),
    }
    Ok(a.rate())
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Some(n) = args.projects {
        return crate::bench_projects::run(n).await;
    }
    if let (Some(n), Some(admin)) = (args.processes, &args.postgres_url) {
        return crate::bench_processes::run(
            admin,
            n,
            args.jurisdictions,
            args.clients,
            args.seconds,
        )
        .await;
    }
    if let Some(cases) = args.public {
        return crate::bench_public::run(
            cases,
            args.postgres_url.as_deref(),
            args.keep.as_deref(),
            args.seconds,
        )
        .await;
    }
    println!(
        "Durable intake, {} s per run, {} clients; SQLite in WAL with synchronous=FULL (fsync per commit), group commit.",
        args.seconds, args.clients
    );
    println!(
        "{:<9} {:<24} {:>7} {:>10} {:>8} {:>8} {:>7}",
        "backend", "mode", "clients", "intakes/s", "p50 ms", "p99 ms", "errors"
    );
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let sqlite = bench_backend("sqlite", crate::open_store(&url).await?, &args).await?;
    let args = &args;
    let (clients, seconds) = (args.clients, args.seconds);
    if let Some(admin) = &args.postgres_url {
        let postgres = on_temporary_database(admin, false, |url| async move {
            bench_backend("postgres", crate::open_store(&url).await?, args).await
        })
        .await?;
        println!(
            "postgres / sqlite, HTTP intake = {:.2} (the aim: at least 0.7)",
            postgres / sqlite
        );
        // What the fsync at each commit costs: the same raw run on a database that does
        // not wait for its log to reach the disk (never a setting to run with).
        let durable = on_temporary_database(admin, false, |url| async move {
            let store = crate::open_store(&url).await?;
            let tree = prepare(&*store).await?;
            Ok(raw(store, tree, clients, seconds).await)
        })
        .await?;
        let unsynced = on_temporary_database(admin, true, |url| async move {
            let store = crate::open_store(&url).await?;
            let tree = prepare(&*store).await?;
            Ok(raw(store, tree, clients, seconds).await)
        })
        .await?;
        line(
            "postgres",
            "(b) again, durable",
            &clients.to_string(),
            &durable,
        );
        line(
            "postgres",
            "(b) synchronous_commit=off",
            &clients.to_string(),
            &unsynced,
        );
        println!(
            "postgres  fsync at commit costs {:.0}% of raw intake (p50 {:.2} ms more)",
            (1.0 - durable.rate() / unsynced.rate()) * 100.0,
            durable.pct(0.5) - unsynced.pct(0.5)
        );
    } else {
        println!("(PostgreSQL not benched: pass --postgres-url or set BARAZA_BENCH_POSTGRES_URL)");
    }
    Ok(())
}

/// Run `f` on a new database on this server, dropped afterwards; with `unsynced`, the
/// database commits without waiting for its log to reach the disk.
pub(crate) async fn on_temporary_database<T, F, Fut>(
    admin: &str,
    unsynced: bool,
    f: F,
) -> anyhow::Result<T>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let pool = sqlx_admin(admin).await?;
    let name = format!("baraza_bench_{}", uuid::Uuid::new_v4().simple());
    exec(&pool, &format!("CREATE DATABASE {name}")).await?;
    if unsynced {
        exec(
            &pool,
            &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
        )
        .await?;
    }
    let result = f(baraza_store_postgres::url_with_database(admin, &name)).await;
    let _ = exec(
        &pool,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    result
}

/// The URL of database `name` on this server, created if it does not exist; kept
/// afterwards (`bench --public --keep`).
pub(crate) async fn database_kept(admin: &str, name: &str) -> anyhow::Result<String> {
    let pool = sqlx_admin(admin).await?;
    if let Err(e) = exec(&pool, &format!("CREATE DATABASE {name}")).await
        && !e.to_string().contains("already exists")
    {
        return Err(e);
    }
    Ok(baraza_store_postgres::url_with_database(admin, name))
}

async fn sqlx_admin(url: &str) -> anyhow::Result<baraza_store_postgres::AdminPool> {
    baraza_store_postgres::AdminPool::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

async fn exec(pool: &baraza_store_postgres::AdminPool, sql: &str) -> anyhow::Result<()> {
    pool.execute(sql).await.map_err(|e| anyhow::anyhow!("{e}"))
}
