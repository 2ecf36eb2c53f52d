//! `baraza`: the server and its admin CLI. One binary: serve | migrate | demo | user |
//! token | export | import | verify | bench.

mod backup;
mod bench;
mod bench_processes;
mod bench_projects;
mod bench_public;
mod config;
mod demo;
mod jurisdiction_file;
mod progress;

/// mimalloc instead of the C library's allocator: under load, glibc's arenas contended on
/// their locks and kept freed memory resident (see ARCHITECTURE.md, "Memory"). Its
/// version 2 (feature `v2`): version 3 keeps freed memory a second (ten in its arenas)
/// before giving it back, and a million-case server under load held 100-150 MB more.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context, bail};
use baraza_core::{ApiToken, Clock, JurisdictionId, Role, Scope, SystemClock, TokenSecret};
use baraza_store::Store;
use clap::{Args, Parser, Subcommand};
use config::{Config, Overrides};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "baraza",
    version,
    about = "Baraza: a county hears its citizens and answers them in the open."
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// Configuration file [default: ./baraza.toml if present]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path/to/baraza.db or postgres://user@host/db
    /// [env: BARAZA_DATABASE_URL] [default: sqlite://<data dir>/baraza.db]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Folder for the embedded SQLite database [env: BARAZA_DATA_DIR] [default: baraza-data]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTP API, health checks)
    Serve {
        /// Address to listen on [env: BARAZA_LISTEN] [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// Load the demo jurisdiction (Elgeyo Marakwet) and print demo tokens
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the database schema, then exit
    Migrate,
    /// Load the demo jurisdiction, users, tokens and sample cases into the database
    Demo,
    /// Manage jurisdictions: load one from a TOML file (hierarchy from CSV), list them
    #[command(subcommand)]
    Jurisdiction(JurisdictionCommand),
    /// Open government action plans: load one from a plan file, list them
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Public projects and their open contracting data: import a portal's OCDS release
    /// packages, list the projects
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Manage staff users
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write everything (reference data, users, citizens, cases, journal) as JSON lines
    Export {
        /// Output file [default: standard output]
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only this jurisdiction (its id): its data and its journal chain, with the
        /// events of a shared chain from before chains per jurisdiction that belong to
        /// others as links (place and hashes) only. Its messages go with it.
        #[arg(long, value_name = "ID")]
        jurisdiction: Option<String>,
    },
    /// Read an export into an empty database (SQLite or PostgreSQL), then verify it
    Import {
        /// Input file [default: standard input]
        #[arg(long, short, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Keep only this jurisdiction (its id) of the export: the whole file is checked,
        /// then what that jurisdiction's own export would hold is stored
        #[arg(long, value_name = "ID")]
        jurisdiction: Option<String>,
    },
    /// Prove the journal intact: recompute every hash, link and case state; exit 1 naming the first broken event
    Verify {
        /// Only this jurisdiction's chain (its id), with the shared chain it follows
        #[arg(long, value_name = "ID")]
        jurisdiction: Option<String>,
    },
    /// Copy the SQLite database while the server runs (VACUUM INTO), with its photos and
    /// documents in a `media` folder beside the copy, then verify the copy
    Backup {
        /// The copy to write (must not exist), e.g. /backups/baraza-2026-12-04.db
        file: PathBuf,
    },
    /// Restore a backup (and the media beside it) into an empty data directory, then verify it
    Restore {
        /// A file written by `baraza backup`
        file: PathBuf,
    },
    /// Measure durable intake through HTTP against the raw store, on SQLite (and PostgreSQL)
    Bench(bench::BenchArgs),
    /// Data-protection rights (Kenya DPA 2019, Ghana Act 843): access, rectification,
    /// erasure, retention, and the register of processing
    #[command(subcommand)]
    Privacy(PrivacyCommand),
}

#[derive(Subcommand)]
enum JurisdictionCommand {
    /// Create or update a jurisdiction from a TOML file (see data/jurisdictions/*.toml)
    Load {
        /// The jurisdiction's file; its hierarchy CSV is read relative to it
        file: PathBuf,
    },
    /// List jurisdictions with their areas, departments and categories
    List,
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Load an action plan from a TOML plan file (see data/action-plans/*.toml); a plan
    /// already there with the same slug is left as it is
    Load {
        /// The plan file
        file: PathBuf,
        /// Whose plan it is (needed when the database holds several jurisdictions)
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// List each jurisdiction's plans with their milestones by status
    List {
        #[arg(long)]
        jurisdiction: Option<String>,
    },
}

#[derive(Subcommand)]
enum ProjectCommand {
    /// Import an OCDS 1.1.5 release package (as ocportal's /api/ocds/package/all gives
    /// it): each release checked against the schema and kept as it was, filed under the
    /// project its planning.budget.projectID names (or its ocid); releases already held
    /// are skipped, so the same file can be imported again
    Import {
        /// The release package (JSON)
        file: PathBuf,
        #[arg(long)]
        jurisdiction: Option<String>,
        /// The server's public address, for links in published releases
        #[arg(long, default_value = "http://localhost:8080")]
        public_url: String,
    },
    /// List each project with its stage, contract value and red flags
    List {
        #[arg(long)]
        jurisdiction: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff user
    Add {
        #[arg(long)]
        username: String,
        /// communications_desk, ward_administrator, sub_county_administrator,
        /// feedback_coordinator, department_director, county_executive, observer, auditor,
        /// system_administrator
        #[arg(long)]
        role: String,
        /// Display name [default: the username]
        #[arg(long)]
        name: Option<String>,
        /// Jurisdiction id [default: the only one, if there is one]
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Area code, for ward and sub-county administrators
        #[arg(long)]
        area: Option<String>,
        /// Department code, for feedback coordinators and directors
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// E.164 phone number, for notifications
        #[arg(long)]
        phone: Option<String>,
    },
    /// List staff users
    List {
        #[arg(long)]
        jurisdiction: Option<String>,
    },
    /// Disable a user: their tokens stop working within 2 seconds
    Disable { username: String },
    /// Enable a disabled user again
    Enable { username: String },
    /// Set a user's console password (an administrator's reset): reads one line from
    /// standard input, or makes a temporary one with --generate. Clears a lockout and
    /// signs the user out everywhere.
    Password {
        username: String,
        /// Make a random temporary password and print it once
        #[arg(long)]
        generate: bool,
    },
    /// Sign a user out of the console on every device
    SignOut { username: String },
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Everything held about a phone number, WhatsApp id or email address, as JSON
    /// (standard output or --json) and a readable HTML page (--html)
    Access {
        /// +254712345678, 254712345678 (WhatsApp id) or name@example.org
        #[arg(long)]
        contact: String,
        /// Write the JSON here instead of standard output
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        /// Also write the readable page here
        #[arg(long)]
        html: Option<std::path::PathBuf>,
    },
    /// Correct a citizen's name, phone, email or language
    Rectify {
        #[arg(long)]
        contact: String,
        /// The corrected name ("" removes it)
        #[arg(long)]
        name: Option<String>,
        /// The corrected phone number (E.164)
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// en, sw or fr
        #[arg(long)]
        language: Option<String>,
    },
    /// Erase a citizen's personal data, keeping the journal verifiable; needs a second
    /// person's approval (another system administrator, or an auditor)
    Erase {
        #[arg(long)]
        contact: String,
        /// The legal basis, e.g. "request of 2026-12-01 under DPA 2019 s.40"
        #[arg(long)]
        basis: String,
        /// The system administrator carrying it out (username)
        #[arg(long)]
        by: String,
        /// The second person approving it (username)
        #[arg(long)]
        approved_by: String,
    },
    /// Apply every jurisdiction's retention periods now (the server does it daily)
    Retention,
    /// Print the register of processing for the Data Commissioner
    Report,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; the secret is printed once
    Create {
        #[arg(long)]
        user: String,
        /// What the token is for, e.g. "partner app"
        #[arg(long, default_value = "api")]
        name: String,
    },
    /// List tokens (never their secrets)
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by id
    Revoke { id: uuid::Uuid },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Logs on standard error: text, or one JSON object per line (`log_format = "json"`) for
/// a log collector.
fn init_logging(filter: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let shown = config::redact_url(url);
    if url.starts_with("sqlite:") {
        let s = baraza_store_sqlite::SqliteStore::open(url)
            .await
            .with_context(|| format!("opening {shown}"))?;
        Ok(Arc::new(s))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let s = baraza_store_postgres::PostgresStore::open(url)
            .await
            .with_context(|| format!("opening {shown}"))?;
        Ok(Arc::new(s))
    } else {
        bail!("unsupported database URL {shown}: use sqlite://... or postgres://...")
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let listen = match &cli.command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    let overrides = Overrides {
        listen,
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
    };
    let cfg = Config::load(cli.global.config.as_deref(), &overrides)?;
    let quiet = !matches!(cli.command, Command::Serve { .. });
    anyhow::ensure!(
        matches!(cfg.log_format.as_str(), "text" | "json"),
        "log_format: \"text\" or \"json\", not {:?}",
        cfg.log_format
    );
    init_logging(
        if quiet { "warn" } else { &cfg.log },
        cfg.log_format == "json",
    );
    let clock = SystemClock;
    let ok = std::process::ExitCode::SUCCESS;
    match cli.command {
        Command::Serve { demo, .. } => serve(&cfg, demo).await.map(|_| ok),
        Command::Migrate => {
            open_store(&cfg.database_url()).await?;
            println!(
                "schema of {} is up to date",
                config::redact_url(&cfg.database_url())
            );
            Ok(ok)
        }
        Command::Demo => {
            let store = open_store(&cfg.database_url()).await?;
            let media = cfg.data_dir.join("media");
            let s = demo::load(&*store, clock.now(), Some(&media)).await?;
            println!(
                "demo loaded: Elgeyo Marakwet County, {} sub-counties, {} wards, {} new sample cases, {} new sample information requests",
                s.sub_counties, s.wards, s.cases_added, s.requests_added
            );
            println!("note: {}", demo::KNOWN_GAP);
            print_demo_tokens();
            println!(
                "console sign-in: any demo username above (desk, ward.kamariny, coordinator.water, ...) with password {:?}",
                demo::DEMO_PASSWORD
            );
            Ok(ok)
        }
        Command::Jurisdiction(cmd) => jurisdiction_command(&cfg, cmd).await.map(|_| ok),
        Command::Plan(cmd) => plan_command(&cfg, &clock, cmd).await.map(|_| ok),
        Command::Project(cmd) => project_command(&cfg, &clock, cmd).await.map(|_| ok),
        Command::User(cmd) => user_command(&cfg, cmd).await.map(|_| ok),
        Command::Token(cmd) => token_command(&cfg, cmd).await.map(|_| ok),
        Command::Privacy(cmd) => privacy_command(&cfg, cmd).await.map(|_| ok),
        Command::Export {
            output,
            jurisdiction,
        } => {
            let only = jurisdiction_arg(jurisdiction.as_deref())?;
            let store = open_store(&cfg.database_url()).await?;
            if let Some(j) = &only {
                known_jurisdiction(&*store, j).await?;
            }
            let counts = match output {
                Some(path) => {
                    let file = tokio::fs::File::create(&path)
                        .await
                        .with_context(|| format!("creating {}", path.display()))?;
                    progress::export(&*store, only.as_ref(), file, clock.now()).await?
                }
                None => {
                    progress::export(&*store, only.as_ref(), tokio::io::stdout(), clock.now())
                        .await?
                }
            };
            eprintln!("exported {}", summary(&counts));
            Ok(ok)
        }
        Command::Import {
            input,
            jurisdiction,
        } => {
            let only = jurisdiction_arg(jurisdiction.as_deref())?;
            let store = open_store(&cfg.database_url()).await?;
            let counts = match input {
                Some(path) => {
                    let file = tokio::fs::File::open(&path)
                        .await
                        .with_context(|| format!("opening {}", path.display()))?;
                    let size = file.metadata().await.ok().map(|m| m.len());
                    progress::import(&*store, file, size, only.as_ref()).await?
                }
                None => progress::import(&*store, tokio::io::stdin(), None, only.as_ref()).await?,
            };
            println!("imported {}; the journal verifies", summary(&counts));
            Ok(ok)
        }
        Command::Verify { jurisdiction } => {
            let only = jurisdiction_arg(jurisdiction.as_deref())?;
            let store = open_store(&cfg.database_url()).await?;
            if let Some(j) = &only {
                known_jurisdiction(&*store, j).await?;
            }
            let bar = progress::spinner("verifying the journal's chain and every case's state");
            let verified = baraza_store::verify_journal(&*store, only.as_ref()).await;
            bar.finish_and_clear();
            match verified? {
                Ok(r) => {
                    println!(
                        "journal intact: {} events, {} cases, {} action plans, {} projects; {}",
                        r.events,
                        r.cases,
                        r.plans,
                        r.projects,
                        r.heads()
                    );
                    if !r.erased.is_empty() {
                        println!(
                            "{} event payload(s) erased under data protection, each recorded by a later erasure event (hashes and links checked): {}",
                            r.erased.len(),
                            r.erased
                                .iter()
                                .map(|s| format!("#{s}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    Ok(ok)
                }
                Err(broken) => {
                    println!("JOURNAL BROKEN: {broken}");
                    Ok(std::process::ExitCode::from(1))
                }
            }
        }
        Command::Backup { file } => {
            let url = cfg.database_url();
            backup::sqlite_path(&url)?;
            let store = open_store(&url).await?;
            let made = backup::backup(&*store, &url, &file).await?;
            println!(
                "backup written: {} ({:.1} MB), {} media file(s) copied to {}; journal intact: {} events, {} cases; {}",
                made.path.display(),
                made.bytes as f64 / 1_048_576.0,
                made.media_copied,
                made.path.with_file_name("media").display(),
                made.report.events,
                made.report.cases,
                made.report.heads()
            );
            Ok(ok)
        }
        Command::Restore { file } => {
            let url = cfg.database_url();
            let r = backup::restore(&file, &url).await?;
            println!(
                "restored {} into {}; journal intact: {} events, {} cases; {}",
                file.display(),
                config::redact_url(&url),
                r.events,
                r.cases,
                r.heads()
            );
            Ok(ok)
        }
        Command::Bench(args) => bench::run(args).await.map(|_| ok),
    }
}

/// `--jurisdiction`, checked as an id.
fn jurisdiction_arg(arg: Option<&str>) -> anyhow::Result<Option<baraza_core::JurisdictionId>> {
    arg.map(|s| {
        baraza_core::JurisdictionId::parse(s)
            .map_err(|e| anyhow::anyhow!("--jurisdiction {s:?}: {}", e.message))
    })
    .transpose()
}

/// A jurisdiction this database holds, or an error naming those it does.
async fn known_jurisdiction(
    store: &dyn baraza_store::Store,
    j: &baraza_core::JurisdictionId,
) -> anyhow::Result<()> {
    let all = store.jurisdictions().await?;
    if all.iter().any(|x| &x.id == j) {
        return Ok(());
    }
    let names: Vec<&str> = all.iter().map(|x| x.id.as_str()).collect();
    anyhow::bail!(
        "--jurisdiction {j}: this database has no such jurisdiction (it has: {})",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    )
}

async fn privacy_command(cfg: &config::Config, cmd: PrivacyCommand) -> anyhow::Result<()> {
    use baraza_app::rights;
    let store = open_store(&cfg.database_url()).await?;
    let clock = baraza_core::SystemClock;
    let app_err = |e: baraza_app::Error| match e {
        baraza_app::Error::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    };
    match cmd {
        PrivacyCommand::Access {
            contact,
            json,
            html,
        } => {
            let record = rights::access(&*store, &clock, &contact)
                .await
                .map_err(app_err)?;
            let text = serde_json::to_string_pretty(&record)?;
            match json {
                Some(path) => {
                    std::fs::write(&path, text)?;
                    eprintln!("wrote {}", path.display());
                }
                None => println!("{text}"),
            }
            if let Some(path) = html {
                std::fs::write(&path, baraza_web::html::subject_access_html(&record)?)?;
                eprintln!("wrote {}", path.display());
            }
            eprintln!("{} record(s) held for this contact", record.citizens.len());
        }
        PrivacyCommand::Rectify {
            contact,
            name,
            phone,
            email,
            language,
        } => {
            let fix = rights::Rectification {
                name,
                phone,
                email,
                language,
            };
            let n = rights::rectify(&*store, &contact, None, &fix)
                .await
                .map_err(app_err)?;
            println!("rectified {n} record(s)");
        }
        PrivacyCommand::Erase {
            contact,
            basis,
            by,
            approved_by,
        } => {
            let user = |name: String| {
                let store = store.clone();
                async move {
                    store
                        .user_by_username(&name)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no user {name:?}"))
                }
            };
            let by = user(by).await?;
            let approver = user(approved_by).await?;
            let media = cfg.data_dir.join("media");
            let done = rights::erase(
                &*store,
                &clock,
                &contact,
                &basis,
                &by,
                &approver,
                Some(&media),
            )
            .await
            .map_err(app_err)?;
            for d in done {
                println!(
                    "erased: {} case(s), {} photo file(s), {} journal payload(s) (events {}), {} message(s) received, {} sent",
                    d.files.len(),
                    d.cases,
                    d.events.len(),
                    d.events
                        .iter()
                        .map(|s| format!("#{s}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    d.inbound_messages,
                    d.outbox_messages
                );
            }
        }
        PrivacyCommand::Retention => {
            for j in store.jurisdictions().await? {
                let media = cfg.data_dir.join("media");
                let r = rights::apply_retention(&*store, &clock, &j, Some(&media))
                    .await
                    .map_err(app_err)?;
                println!(
                    "{}: {} citizen(s) erased ({} journal payloads, {} photo files), {} message text(s) blanked",
                    j.id,
                    r.citizens_erased,
                    r.events_erased,
                    r.files_removed,
                    r.message_texts_blanked
                );
            }
        }
        PrivacyCommand::Report => {
            let js = store.jurisdictions().await?;
            print!(
                "{}",
                rights::processing_register(&js, baraza_core::Clock::now(&clock))
            );
        }
    }
    Ok(())
}

fn summary(counts: &std::collections::BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_demo_tokens() {
    println!("demo API tokens (demo only, never in production):");
    for u in demo::demo_users() {
        println!("  {:<26} {:<24} {}", u.role.as_str(), u.username, u.token);
    }
}

async fn serve(cfg: &Config, demo_mode: bool) -> anyhow::Result<()> {
    let url = cfg.database_url();
    let store = open_store(&url).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let demo_summary = if demo_mode {
        Some(demo::load(&*store, clock.now(), Some(&cfg.data_dir.join("media"))).await?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");

    // Channels: Africa's Talking as configured; in demo mode without it, the simulator
    // stands in for the provider so that the whole SMS loop runs on this machine.
    let mut simulator = None;
    let africastalking = match (&cfg.africastalking, demo_mode) {
        (Some(at), _) => Some(at.clone()),
        (None, true) => {
            simulator = Some(baraza_web::simulator::Simulator::new(
                format!("{base}/webhooks/africastalking/{DEMO_AT_SECRET}/sms"),
                format!("{base}/webhooks/africastalking/{DEMO_AT_SECRET}/ussd"),
            ));
            Some(baraza_channels::africastalking::Config {
                username: "sandbox".into(),
                api_key: baraza_channels::Secret::new("demo"),
                webhook_secret: baraza_channels::Secret::new(DEMO_AT_SECRET),
                sender_id: Some("40404".into()),
                ussd_code: Some("*384*40404#".into()),
                base_url: format!("{base}/simulator/africastalking"),
                jurisdiction: demo::jurisdiction_id().to_string(),
                allowed_ips: vec![],
            })
        }
        (None, false) => None,
    };
    if let Some(at) = &cfg.africastalking {
        anyhow::ensure!(
            at.webhook_secret.expose().len() >= 16,
            "africastalking.webhook_secret: use at least 16 random characters (it is the callbacks' only authentication)"
        );
    }
    if demo_mode && !addr.ip().is_loopback() {
        eprintln!(
            "warning: --demo on {addr}: the demo's tokens and webhook secret are public; keep it on a private network"
        );
    }
    let templates = Arc::new(baraza_channels::templates::Templates::load()?);
    let mut worker =
        baraza_jobs::outbox::OutboxWorker::new(store.clone(), clock.clone(), templates)
            .with_pace(cfg.outbox);
    let mut gateways = 0;
    if let Some(at) = &africastalking {
        worker = worker.with_gateway(Arc::new(baraza_channels::africastalking::SmsGateway::new(
            at.clone(),
        )));
        gateways += 1;
    }
    let mut media = None;
    if let Some(wa) = &cfg.whatsapp {
        let gateway = Arc::new(baraza_channels::whatsapp::WhatsappGateway::new(wa.clone()));
        worker = worker.with_gateway(gateway.clone());
        gateways += 1;
        // Photos citizens send are fetched after the webhook has answered.
        let dir = cfg.data_dir.join("media");
        let fetcher =
            baraza_jobs::media::MediaFetcher::new(store.clone(), clock.clone(), gateway, dir);
        media = Some(fetcher);
    }
    // Twilio carries what no dedicated provider does: SMS without Africa's Talking,
    // WhatsApp without the Cloud API.
    if let Some(tw) = &cfg.twilio {
        use baraza_channels::twilio::TwilioGateway;
        use baraza_core::outbound::OutboundChannel;
        let missing = [
            (OutboundChannel::Sms, africastalking.is_none()),
            (OutboundChannel::Whatsapp, cfg.whatsapp.is_none()),
        ];
        for (channel, free) in missing {
            if let Some(g) = TwilioGateway::new(tw.clone(), channel).filter(|_| free) {
                worker = worker.with_gateway(Arc::new(g));
                gateways += 1;
            }
        }
    }
    if let Some(mail) = &cfg.email {
        // Replies to our emails come back to the inbound listener's domain, when there is one.
        let mut mail = mail.clone();
        if mail.reply_domain.is_none() {
            mail.reply_domain = cfg.email_inbound.as_ref().map(|i| i.domain.clone());
        }
        let g =
            baraza_channels::email::EmailGateway::new(&mail).map_err(|e| anyhow::anyhow!("{e}"))?;
        worker = worker.with_gateway(Arc::new(g));
        gateways += 1;
    }
    // The demo's metrics answer to a demo token; a real deployment sets its own or has none.
    let metrics_token = cfg
        .metrics_token
        .clone()
        .or_else(|| demo_mode.then(|| "bz_demo_metrics".to_owned()));
    let mut state = baraza_web::AppState::new(store, clock)
        .await?
        .with_data_dir(cfg.data_dir.clone())
        .with_channels(baraza_web::webhooks::Channels {
            africastalking: africastalking.clone(),
            whatsapp: cfg.whatsapp.clone(),
            twilio: cfg.twilio.clone(),
        })
        .with_metrics_token(metrics_token.clone())
        .with_address(cfg.public_url.clone(), cfg.trust_forwarded_headers)
        .with_map_tiles(&cfg.map.tiles, &cfg.map.attribution);
    if gateways > 0 {
        state = state.with_outbox_watch(std::time::Duration::from_secs(
            u64::from(cfg.outbox_stuck_after_minutes.max(1)) * 60,
        ));
    }
    if let Some(sim) = simulator {
        state = state.with_simulator(sim);
    }
    // Email from citizens: the listener the county's mail server forwards to. In demo mode
    // without one configured, a listener on a free local port stands in.
    let inbound_email = match (&cfg.email_inbound, demo_mode) {
        (Some(i), _) => Some(i.clone()),
        (None, true) => Some(config::EmailInbound {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            domain: "baraza.localhost".into(),
            jurisdiction: demo::jurisdiction_id().to_string(),
        }),
        (None, false) => None,
    };
    let inbound_email = match inbound_email {
        Some(i) => {
            let jurisdiction = JurisdictionId::parse(&i.jurisdiction)
                .map_err(|e| anyhow::anyhow!("email_inbound.jurisdiction: {e}"))?;
            let listener = tokio::net::TcpListener::bind(i.listen)
                .await
                .with_context(|| format!("email_inbound: listening on {}", i.listen))?;
            let at = listener.local_addr()?;
            let inbox = Arc::new(baraza_web::webhooks::email::Inbox {
                state: state.clone(),
                jurisdiction,
            });
            tokio::spawn(baraza_channels::inbound_email::serve(
                listener,
                i.domain.clone(),
                i.domain.clone(),
                inbox,
            ));
            Some((at, i.domain))
        }
        None => None,
    };
    // Every background job, on one runner: intervals, a log line per round that did
    // work, and a clean stop (a round in progress finishes, so no send goes unrecorded).
    use baraza_jobs::runner::{Done, Every, Runner};
    use std::time::Duration;
    let mut jobs = Runner::new();
    // Without a gateway, messages wait in the outbox (nothing is lost) until one is configured.
    if gateways > 0 {
        let worker = Arc::new(worker);
        jobs.add(
            "outbox",
            Every::WhileBusy(Duration::from_secs(2)),
            move || {
                let w = worker.clone();
                async move {
                    let n = w.run_once().await.map_err(|e| e.to_string())?;
                    Ok(Done::of(n, "messages sent"))
                }
            },
        );
    }
    if let Some(fetcher) = media {
        let fetcher = Arc::new(fetcher);
        jobs.add(
            "media",
            Every::Interval(Duration::from_secs(15)),
            move || {
                let f = fetcher.clone();
                async move {
                    let n = f.run_once().await.map_err(|e| e.to_string())?;
                    Ok(Done::of(n, "photos fetched and attached"))
                }
            },
        );
    }
    // Scheduled backups: a verified copy now, then every `every_hours`, the newest `keep` kept.
    if let Some(schedule) = cfg.backup.clone() {
        let url = cfg.database_url();
        backup::sqlite_path(&url)?;
        let store = state.store.clone();
        let clock = state.clock.clone();
        let every = Duration::from_secs(u64::from(schedule.every_hours.max(1)) * 3600);
        let schedule = Arc::new(schedule);
        jobs.add("backup", Every::Interval(every), move || {
            let (store, clock, url, schedule) =
                (store.clone(), clock.clone(), url.clone(), schedule.clone());
            async move {
                let made = backup::scheduled(&*store, &url, &schedule, clock.now())
                    .await
                    .map_err(|e| format!("{e:#}"))?;
                Ok(Done::of(
                    1,
                    format!(
                        "backup {} verified ({} events)",
                        made.path.display(),
                        made.report.events
                    ),
                ))
            }
        });
    }
    let follow_up = Arc::new(baraza_jobs::follow_up::FollowUp::new(
        state.store.clone(),
        state.clock.clone(),
        chrono::Duration::hours(i64::from(cfg.remind_after_hours)),
        chrono::Duration::hours(i64::from(cfg.close_unconfirmed_after_hours)),
    ));
    jobs.add(
        "follow-up",
        Every::Interval(Duration::from_secs(60)),
        move || {
            let f = follow_up.clone();
            async move {
                let r = f.run_once().await.map_err(|e| e.to_string())?;
                Ok(Done::of(
                    r.reminded + r.closed_unconfirmed,
                    format!(
                        "{} citizen(s) reminded, {} case(s) closed unconfirmed",
                        r.reminded, r.closed_unconfirmed
                    ),
                ))
            }
        },
    );
    let escalation = Arc::new(baraza_jobs::escalation::Escalation::new(
        state.store.clone(),
        state.clock.clone(),
    ));
    jobs.add(
        "escalation",
        Every::Interval(Duration::from_secs(60)),
        move || {
            let e = escalation.clone();
            async move {
                let n = e.run_once().await.map_err(|e| e.to_string())?;
                Ok(Done::of(n, "case(s) escalated past their deadline"))
            }
        },
    );
    let refusals = Arc::new(baraza_jobs::information::DeemedRefusals::new(
        state.store.clone(),
        state.clock.clone(),
    ));
    jobs.add(
        "information-clock",
        Every::Interval(Duration::from_secs(60)),
        move || {
            let r = refusals.clone();
            async move {
                let n = r.run_once().await.map_err(|e| e.to_string())?;
                Ok(Done::of(n, "information request(s) deemed refused"))
            }
        },
    );
    let reminders = Arc::new(baraza_jobs::plans::MilestoneReminders::new(
        state.store.clone(),
        state.clock.clone(),
    ));
    jobs.add(
        "milestone-reminders",
        Every::Interval(Duration::from_secs(3600)),
        move || {
            let r = reminders.clone();
            async move {
                let n = r.run_once().await.map_err(|e| e.to_string())?;
                Ok(Done::of(n, "milestone reminder(s) due"))
            }
        },
    );
    let digests = Arc::new(baraza_jobs::ward_alerts::WardDigests::new(
        state.store.clone(),
        state.clock.clone(),
    ));
    jobs.add(
        "ward-digests",
        Every::Interval(Duration::from_secs(3600)),
        move || {
            let d = digests.clone();
            async move {
                let n = d.run_once().await.map_err(|e| e.to_string())?;
                Ok(Done::of(n, "ward digest SMS(es) queued"))
            }
        },
    );
    // Open data: today's snapshot files, written once a day (checked hourly).
    {
        let state = state.clone();
        jobs.add(
            "open-data",
            Every::Interval(Duration::from_secs(3600)),
            move || {
                let state = state.clone();
                async move {
                    let n = baraza_web::public::open_data::write_snapshots(&state)
                        .await
                        .map_err(|e| format!("{e:?}"))?;
                    Ok(Done::of(n, "open data snapshot file(s) written"))
                }
            },
        );
    }
    // Retention: what each jurisdiction's periods say has expired is erased, daily.
    {
        let (store, clock) = (state.store.clone(), state.clock.clone());
        let media = state.media_dir.clone();
        jobs.add("retention", Every::Interval(Duration::from_secs(24 * 3600)), move || {
            let (store, clock, media) = (store.clone(), clock.clone(), media.clone());
            async move {
                let mut total = baraza_app::rights::RetentionReport::default();
                for j in store.jurisdictions().await.map_err(|e| e.to_string())? {
                    let r = baraza_app::rights::apply_retention(&*store, &*clock, &j, media.as_deref())
                        .await
                        .map_err(|e| e.to_string())?;
                    total.citizens_erased += r.citizens_erased;
                    total.events_erased += r.events_erased;
                    total.message_texts_blanked += r.message_texts_blanked;
                    total.files_removed += r.files_removed;
                }
                Ok(Done::of(
                    total.citizens_erased + total.message_texts_blanked as usize,
                    format!(
                        "retention: {} citizen(s) erased ({} journal payloads, {} photo files), {} message text(s) blanked",
                        total.citizens_erased,
                        total.events_erased,
                        total.files_removed,
                        total.message_texts_blanked
                    ),
                ))
            }
        });
    }
    // The dashboard's figures are read once at start, so that the first visitor does not wait.
    {
        let state = state.clone();
        tokio::spawn(async move {
            if let Ok(all) = state.store.jurisdictions().await {
                for j in all {
                    if let Err(e) = state.stats.refresh(&*state.store, &j.id, true).await {
                        tracing::warn!(error = %e, "reading the dashboard's figures failed");
                    }
                }
            }
        });
    }

    println!("Baraza {} listening on {base}", env!("CARGO_PKG_VERSION"));
    println!("  database        {}", config::redact_url(&url));
    println!("  health          {base}/healthz   readiness {base}/readyz");
    match (&metrics_token, demo_mode) {
        (Some(t), true) if cfg.metrics_token.is_none() => {
            println!("  metrics         {base}/metrics   (Prometheus; Authorization: Bearer {t})")
        }
        (Some(_), _) => {
            println!("  metrics         {base}/metrics   (Prometheus; the configured bearer token)")
        }
        (None, _) => println!("  metrics         off (set metrics_token to serve {base}/metrics)"),
    }
    println!("  JSON API        {base}/api/v1   (OpenAPI document: {base}/api/v1/openapi.json)");
    println!("  staff console   {base}/staff   (data-protection requests: {base}/staff/privacy)");
    println!(
        "  public site     {base}/   (raise {base}/raise, follow {base}/track, registry {base}/registry,"
    );
    println!("                  dashboard {base}/dashboard, open data {base}/open-data)");
    println!(
        "  open concerns   {base}/concerns   (\"already reported?\"; follow one on its /track page, or FOLLOW <ref> by SMS)"
    );
    println!(
        "  information     {base}/information   (ask {base}/information/new, figures {base}/information/statistics;"
    );
    println!(
        "                  open data {base}/information/requests.json, disclosure log {base}/information/disclosures;"
    );
    println!(
        "                  officers {base}/staff/information, annual report {base}/staff/information/report;"
    );
    println!(
        "                  API {base}/api/v1/information-requests, documents {base}/api/v1/documents)"
    );
    println!(
        "  action plans    {base}/plans   (each plan {base}/plans/<slug>, its JSON {base}/plans/<slug>/plan.json,"
    );
    println!(
        "                  a commitment and its comment form {base}/plans/<slug>/commitments/<OGP id>, e.g. {base}/plans/nairobi-2025-2027/commitments/KENMS0005;"
    );
    println!(
        "                  open data {base}/plans/data, feed {base}/plans/feed.atom; console {base}/staff/plans; API {base}/api/v1/plans)"
    );
    println!(
        "  projects        {base}/projects   (filters ?ward=&department=&sector=&status=; each project {base}/projects/<code>, e.g. {base}/projects/EM-RD-014,"
    );
    println!(
        "                  with its concern form; publication policy {base}/projects/publication-policy; contracts CSV {base}/projects/contracts.csv;"
    );
    println!(
        "                  OCDS 1.1.5 {base}/ocds/releases.json, {base}/ocds/releases.jsonl, {base}/ocds/releases/<ocid>.json, {base}/ocds/records/<ocid>.json;"
    );
    println!(
        "                  OC4IDS 0.9 {base}/oc4ids/projects.json, {base}/oc4ids/projects/<code>.json; API {base}/api/v1/projects)"
    );
    println!(
        "  SMS keywords    <concern text> | STATUS/HALI/SUIVI <ref> | REQUEST/OMBI/DEMANDE <what> (URGENT/HARAKA <why> ...)"
    );
    println!(
        "                  | REVIEW/MAPITIO/RECOURS <ref> <grounds> | FOLLOW/FUATA/SUIVRE <class> | COMMENT/MAONI/AVIS <OGP id> <comment>"
    );
    println!(
        "                  | INFO/HABARI/INFOS <project code> | REPORT/RIPOTI/SIGNALER <project code> <text> (from a PMC member's number: a report draft)"
    );
    println!(
        "                  | FOLLOW/FUATA/SUIVRE <ward name> (one SMS a day with its projects' news, from 17:00)"
    );
    println!(
        "                  | FOLLOW/FUATA/SUIVRE <ref> (someone else's open concern: an SMS at each change of its status)"
    );
    println!(
        "                  | HELP/MSAADA/AIDE | STOP | KISWAHILI/ENGLISH/FRANCAIS; USSD 1 raise, 2 check, 3 answer, 4 language, 5 ask for information, 6 comment on a plan,"
    );
    println!(
        "                  7 projects (7*1 ward then project then your report; 7*2 sub-county then ward: alerts)"
    );
    match &inbound_email {
        Some((at, domain)) => {
            println!(
                "  inbound email   SMTP/LMTP on {at}: have the mail server forward @{domain} here"
            );
            println!(
                "                  information@{domain} (requests), feedback@{domain} (concerns), case-<ref>@{domain} (replies)"
            );
        }
        None => println!(
            "  inbound email   not configured ([email_inbound] in baraza.toml): citizens cannot write by email"
        ),
    }
    match &africastalking {
        Some(at) => {
            let secret = if cfg.africastalking.is_none() {
                at.webhook_secret.expose()
            } else {
                "<webhook_secret>"
            };
            println!("  Africa's Talking, set in your dashboard (SMS > Callback URLs):");
            println!("    incoming SMS      {base}/webhooks/africastalking/{secret}/sms");
            println!("    delivery reports  {base}/webhooks/africastalking/{secret}/delivery");
            println!("    USSD (callback)   {base}/webhooks/africastalking/{secret}/ussd");
            println!("    sending through   {}", at.base_url);
        }
        None => println!(
            "  SMS             not configured ([africastalking] in baraza.toml); replies wait in the outbox"
        ),
    }
    if let Some(s) = demo_summary {
        if cfg.africastalking.is_none() {
            println!("  phone simulator {base}/simulator   (play a citizen on SMS and USSD)");
        }
        println!();
        println!(
            "demo jurisdiction: Elgeyo Marakwet County (EM), {} sub-counties, {} wards",
            s.sub_counties, s.wards
        );
        println!("  note: {}", demo::KNOWN_GAP);
        print_demo_tokens();
        println!(
            "console sign-in: any demo username above (desk, ward.kamariny, coordinator.water, ...) with password {:?}",
            demo::DEMO_PASSWORD
        );
        println!(
            "  {} new sample information requests (one long overdue, one refused citing s.6(1)(e), one granted with a document)",
            s.requests_added
        );
        println!(
            "  {} new action plans from the seeds' OGP pages (Nairobi KENMS0005, Kenya KE0031, Sekondi-Takoradi GHST0001)",
            s.plans_added
        );
        println!(
            "  {} new demo projects in Elgeyo Marakwet (EM-RD-014 contracted with red flags, a PMC and an approved report; EM-WT-003 at tender; EM-HL-021 in planning; two subscribers to Tambach's news)",
            s.projects_added
        );
        println!("try:  curl -H 'Authorization: Bearer bz_demo_desk' {base}/api/v1/cases");
        println!(
            "      curl -H 'Authorization: Bearer bz_demo_information' {base}/api/v1/information-requests?queue=all"
        );
    }
    // The peer's address is recorded for the webhooks' optional allow-lists.
    let service =
        baraza_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Every job finishes the round in progress, so that no send goes unrecorded.
    jobs.shutdown().await;
    Ok(())
}

/// The demo's Africa's Talking callback secret (printed; demo only).
const DEMO_AT_SECRET: &str = "demo-at-secret";

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn jurisdiction_command(cfg: &Config, cmd: JurisdictionCommand) -> anyhow::Result<()> {
    match cmd {
        JurisdictionCommand::Load { file } => {
            // Check the whole file before touching the database.
            let (parsed, csv, boundaries) = jurisdiction_file::JurisdictionFile::read(&file)?;
            let loaded = parsed
                .check(&csv, boundaries.as_deref())
                .with_context(|| format!("in {}", file.display()))?;
            let store = open_store(&cfg.database_url()).await?;
            jurisdiction_file::store(&*store, &loaded).await?;
            let j = &loaded.jurisdiction;
            let per_level: Vec<String> = j
                .levels
                .iter()
                .enumerate()
                .map(|(depth, name)| format!("{} {name}", loaded.count_at(depth as u8)))
                .collect();
            println!(
                "loaded {} ({}): {}; {} departments, {} categories",
                j.name,
                j.id,
                per_level.join(", "),
                loaded.departments.len(),
                loaded.categories.len()
            );
        }
        JurisdictionCommand::List => {
            let store = open_store(&cfg.database_url()).await?;
            println!(
                "{:<20} {:<6} {:<32} {:>6} {:>6} {:>6}",
                "id", "prefix", "name", "areas", "depts", "categ"
            );
            for j in store.jurisdictions().await? {
                let areas = store.areas(&j.id).await?.len();
                let depts = store.departments(&j.id).await?.len();
                let cats = store.categories(&j.id).await?.len();
                println!(
                    "{:<20} {:<6} {:<32} {areas:>6} {depts:>6} {cats:>6}",
                    j.id, j.reference_prefix, j.name
                );
            }
        }
    }
    Ok(())
}

async fn project_command(
    cfg: &Config,
    clock: &dyn Clock,
    cmd: ProjectCommand,
) -> anyhow::Result<()> {
    let store = open_store(&cfg.database_url()).await?;
    match cmd {
        ProjectCommand::Import {
            file,
            jurisdiction,
            public_url,
        } => {
            let j = jurisdiction_for(&*store, jurisdiction).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let package: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", file.display()))?;
            let jurisdiction = store
                .jurisdictions()
                .await?
                .into_iter()
                .find(|x| x.id == j)
                .context("the jurisdiction")?;
            let catalog = baraza_app::Catalog::load(&*store).await?;
            let app = baraza_app::App::new(&*store, clock, &catalog);
            let who = baraza_core::project::ProjectActor {
                name: format!("import of {}", file.display()),
                role: Role::SystemAdministrator,
                phone: None,
            };
            let (added, held) = baraza_app::projects::import_releases(
                &app,
                &jurisdiction,
                &package,
                &who,
                baraza_core::lifecycle::Actor::system("cli"),
                &public_url,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), describe(&e)))?;
            println!("imported {added} release(s); {held} already held");
        }
        ProjectCommand::List { jurisdiction } => {
            let j = jurisdiction_for(&*store, jurisdiction).await?;
            let today = clock.now().date_naive();
            for p in store.projects(&j).await? {
                println!(
                    "{}  {}  {}  budget {:.0} {}, contracts {:.0}, paid {:.0}; {} process(es), {} red flag(s)",
                    p.code,
                    p.title,
                    p.status,
                    p.budget,
                    p.currency,
                    p.contract_value(),
                    p.paid(),
                    p.processes.len(),
                    p.red_flags(today).len()
                );
            }
        }
    }
    Ok(())
}

async fn plan_command(cfg: &Config, clock: &dyn Clock, cmd: PlanCommand) -> anyhow::Result<()> {
    let store = open_store(&cfg.database_url()).await?;
    match cmd {
        PlanCommand::Load { file, jurisdiction } => {
            let j = jurisdiction_for(&*store, jurisdiction).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let parsed = baraza_app::plans::PlanFile::parse(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), describe(&e)))?;
            let who = baraza_core::action_plan::PlanActor {
                username: "system".into(),
                name: baraza_app::plans::OGP_PAGE.into(),
                role: Role::SystemAdministrator,
            };
            let (plan, added) = baraza_app::plans::load_plan(
                &*store,
                &j,
                parsed,
                &who,
                baraza_core::lifecycle::Actor::system("cli"),
                clock.now(),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), describe(&e)))?;
            let milestones: usize = plan.commitments.iter().map(|c| c.milestones.len()).sum();
            if added {
                println!(
                    "loaded {} ({}): {} commitment(s), {} milestone(s); public page /plans/{}",
                    plan.title,
                    plan.slug,
                    plan.commitments.len(),
                    milestones,
                    plan.slug
                );
            } else {
                println!("{} is already loaded; left as it is", plan.slug);
            }
        }
        PlanCommand::List { jurisdiction } => {
            let j = jurisdiction_for(&*store, jurisdiction).await?;
            let today = clock.now().date_naive();
            for p in store.plans(&j).await? {
                let pr = p.progress(today);
                println!(
                    "{}  {}  {} to {}: {} milestones ({} not started, {} in progress, {} stuck, {} complete; {} late)",
                    p.slug,
                    p.title,
                    p.starts,
                    p.ends,
                    pr.total,
                    pr.not_started,
                    pr.in_progress,
                    pr.stuck,
                    pr.complete,
                    pr.late
                );
            }
        }
    }
    Ok(())
}

/// An application error in words for the terminal.
fn describe(e: &baraza_app::Error) -> String {
    match e {
        baraza_app::Error::Invalid(fields) => fields
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn jurisdiction_for(
    store: &dyn Store,
    given: Option<String>,
) -> anyhow::Result<JurisdictionId> {
    let all = store.jurisdictions().await?;
    match given {
        Some(g) => {
            let id = JurisdictionId::parse(&g).map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(
                all.iter().any(|j| j.id == id),
                "no jurisdiction {id}; known: {}",
                names(&all)
            );
            Ok(id)
        }
        None if all.len() == 1 => Ok(all[0].id.clone()),
        None if all.is_empty() => {
            bail!("the database has no jurisdiction yet; run `baraza demo` or import one")
        }
        None => bail!(
            "several jurisdictions ({}); choose one with --jurisdiction",
            names(&all)
        ),
    }
}

fn names(all: &[baraza_core::Jurisdiction]) -> String {
    all.iter()
        .map(|j| j.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn user_command(cfg: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open_store(&cfg.database_url()).await?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            name,
            jurisdiction,
            area,
            department,
            email,
            phone,
        } => {
            // The console's rules, in the application layer: every mistake named.
            let j = jurisdiction_for(&*store, jurisdiction).await?;
            let input = baraza_app::accounts::NewUser {
                username,
                name: name.unwrap_or_default(),
                role,
                area: area.unwrap_or_default(),
                department: department.unwrap_or_default(),
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
            };
            let user =
                match baraza_app::accounts::new_user(&*store, &j, input, SystemClock.now()).await {
                    Ok(u) => u,
                    Err(baraza_app::Error::Invalid(errs)) => bail!(
                        "{}",
                        errs.iter()
                            .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    Err(e) => return Err(e.into()),
                };
            println!("added {} ({}) id {}", user.username, user.role, user.id);
        }
        UserCommand::List { jurisdiction } => {
            let j = match jurisdiction {
                Some(j) => Some(JurisdictionId::parse(&j).map_err(|e| anyhow::anyhow!("{e}"))?),
                None => None,
            };
            println!(
                "{:<28} {:<26} {:<22} {:<9} id",
                "username", "role", "scope", "state"
            );
            for u in store.users(j.as_ref()).await? {
                let scope = match &u.scope {
                    Scope::Jurisdiction => format!("{}", u.jurisdiction),
                    Scope::Area(a) => format!("area {a}"),
                    Scope::Department(d) => format!("department {d}"),
                };
                let state = if u.disabled { "disabled" } else { "active" };
                println!(
                    "{:<28} {:<26} {:<22} {:<9} {}",
                    u.username,
                    u.role.as_str(),
                    scope,
                    state,
                    u.id
                );
            }
        }
        UserCommand::Disable { username } => set_disabled(&*store, &username, true).await?,
        UserCommand::Enable { username } => set_disabled(&*store, &username, false).await?,
        UserCommand::Password { username, generate } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no user {username:?}"))?;
            let password = if generate {
                baraza_web::console::password::temporary()
            } else {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            };
            let phc = baraza_web::console::password::hash(&password)
                .map_err(|e| anyhow::anyhow!("password: {e}"))?;
            store.set_password(user.id, &phc).await?;
            if generate {
                println!("temporary password for {}: {password}", user.username);
            } else {
                println!("password set for {}", user.username);
            }
        }
        UserCommand::SignOut { username } => {
            let user = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no user {username:?}"))?;
            let n = store.end_sessions_of(user.id).await?;
            println!("{} signed out of {n} session(s)", user.username);
        }
    }
    Ok(())
}

async fn set_disabled(store: &dyn Store, username: &str, disabled: bool) -> anyhow::Result<()> {
    let user = store
        .user_by_username(username)
        .await?
        .with_context(|| format!("no user {username:?}"))?;
    if disabled && let Err(e) = baraza_app::accounts::may_disable(store, None, &user).await {
        anyhow::bail!("{e}");
    }
    store.set_user_disabled(user.id, disabled).await?;
    println!(
        "{} is now {}",
        user.username,
        if disabled { "disabled" } else { "enabled" }
    );
    Ok(())
}

async fn token_command(cfg: &Config, cmd: TokenCommand) -> anyhow::Result<()> {
    let store = open_store(&cfg.database_url()).await?;
    match cmd {
        TokenCommand::Create { user, name } => {
            let u = store
                .user_by_username(&user)
                .await?
                .with_context(|| format!("no user {user:?}"))?;
            anyhow::ensure!(!u.disabled, "{user} is disabled");
            let secret = TokenSecret::generate(&mut rand::thread_rng());
            let token = ApiToken {
                id: uuid::Uuid::new_v4(),
                user: u.id,
                name,
                secret_sha256: secret.sha256_hex(),
                created_at: SystemClock.now(),
                revoked_at: None,
            };
            store.add_token(&token).await?;
            eprintln!(
                "token {} for {} ({}); the secret is shown once:",
                token.id, u.username, u.role
            );
            println!("{}", secret.expose());
        }
        TokenCommand::List { user } => {
            let uid = match user {
                Some(name) => Some(
                    store
                        .user_by_username(&name)
                        .await?
                        .with_context(|| format!("no user {name:?}"))?
                        .id,
                ),
                None => None,
            };
            let users = store.users(None).await?;
            println!(
                "{:<36} {:<24} {:<16} {:<28} state",
                "id", "user", "name", "created"
            );
            for t in store.tokens(uid).await? {
                let who = users
                    .iter()
                    .find(|u| u.id == t.user)
                    .map(|u| u.username.as_str())
                    .unwrap_or("?");
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<36} {:<24} {:<16} {:<28} {state}",
                    t.id,
                    who,
                    t.name,
                    baraza_core::clock::canonical(&t.created_at)
                );
            }
        }
        TokenCommand::Revoke { id } => {
            store.revoke_token(id, SystemClock.now()).await?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}
