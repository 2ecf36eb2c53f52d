//! The staff console over real HTTP on a real port, on SQLite (and PostgreSQL when
//! `BARAZA_TEST_POSTGRES_URL` is set): sign-in, CSRF, lockout, scope, escalation on a
//! controllable clock. The browser tests (headless Chromium) are in `console/browser.rs`.
#![expect(
    clippy::unwrap_used,
    reason = "test harness helpers unwrap: a failure there is a failed test"
)]

use baraza_core::*;
use baraza_jobs::escalation::Escalation;
use baraza_store::Store;
use baraza_store::conformance::fixtures;
use baraza_web::console::password;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use std::collections::HashMap;
use std::sync::Arc;

const PASSWORD: &str = "correct-horse-battery";
const AT_SECRET: &str = "console-at-secret";

pub struct ConsoleApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub users: HashMap<&'static str, StaffUser>,
    _dir: Option<tempfile::TempDir>,
    /// Where documents and photos are kept.
    pub media: tempfile::TempDir,
    /// The database, for a second process's store.
    pub url: String,
    pg: Option<(sqlx::PgPool, String)>,
    server: tokio::task::JoinHandle<()>,
    tile_server: tokio::task::JoinHandle<()>,
}

/// A Monday morning in Iten (EAT), so that working hours are easy to reason about.
fn monday_morning() -> Timestamp {
    "2026-11-23T06:00:00Z".parse().unwrap()
}

impl ConsoleApp {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let store: Arc<dyn Store> =
            Arc::new(baraza_store_sqlite::SqliteStore::open(&url).await.unwrap());
        Self::start(store, Some(dir), None, url).await
    }

    pub async fn postgres() -> Option<Self> {
        let url = std::env::var("BARAZA_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let db = baraza_store_postgres::url_with_database(&url, &name);
        let store: Arc<dyn Store> = Arc::new(
            baraza_store_postgres::PostgresStore::open(&db)
                .await
                .unwrap(),
        );
        Some(Self::start(store, None, Some((admin, name)), db).await)
    }

    /// Another handle on the same database, as a second process would open it.
    pub async fn second_store(&self) -> Arc<dyn Store> {
        if self.url.starts_with("sqlite:") {
            Arc::new(
                baraza_store_sqlite::SqliteStore::open(&self.url)
                    .await
                    .unwrap(),
            )
        } else {
            Arc::new(
                baraza_store_postgres::PostgresStore::open(&self.url)
                    .await
                    .unwrap(),
            )
        }
    }

    async fn start(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        pg: Option<(sqlx::PgPool, String)>,
        url: String,
    ) -> Self {
        fixtures::seed(&*store).await;
        // The county publishes information requests with a third party's name removed.
        let mut j = fixtures::jurisdiction();
        j.policy
            .information
            .redactions
            .push(baraza_core::information::Redaction {
                pattern: "Kiprop Kibet".into(),
                regex: false,
                replacement: "[name removed]".into(),
            });
        // It publishes its budget yearly (late this year) and its minutes quarterly.
        for (code, name, every, due, sw, fr) in [
            (
                "budget",
                "County budget estimates",
                12,
                "2026-06-30",
                "Makadirio ya bajeti ya kaunti",
                "Prévisions budgétaires du comté",
            ),
            (
                "minutes",
                "Assembly minutes",
                3,
                "2026-12-31",
                "Kumbukumbu za bunge la kaunti",
                "Procès-verbaux de l'assemblée",
            ),
            (
                "audit",
                "Audit reports",
                12,
                "2026-12-31",
                "Ripoti za ukaguzi",
                "Rapports d'audit",
            ),
        ] {
            j.policy
                .information
                .disclosure
                .push(baraza_core::disclosure::DisclosureClass {
                    code: code.into(),
                    name: name.into(),
                    names: [
                        ("sw".to_owned(), sw.to_owned()),
                        ("fr".to_owned(), fr.to_owned()),
                    ]
                    .into_iter()
                    .collect(),
                    every_months: every,
                    first_due: due.parse().unwrap(),
                    grace_days: 14,
                    basis: "ATI s.5".into(),
                });
        }
        // Its wards' boundaries, for the projects map.
        j.ward_map = Some(
            baraza_core::ward_map::from_geojson(
                include_str!("../../../data/boundaries/kenya-wards-elgeyo-marakwet.geojson"),
                "ward_code",
                &fixtures::areas()
                    .into_iter()
                    .filter(|a| a.depth == 2)
                    .collect::<Vec<_>>(),
                None,
            )
            .unwrap(),
        );
        store.put_jurisdiction(&j).await.unwrap();
        let phc = password::hash(PASSWORD).unwrap();
        let mut users = HashMap::new();
        let people: [(&'static str, Role, Scope, Option<&str>); 18] = [
            (
                "procurement",
                Role::ProcurementOfficer,
                Scope::Jurisdiction,
                None,
            ),
            (
                "implementation",
                Role::ImplementationOfficer,
                Scope::Department("water".into()),
                None,
            ),
            ("pmc", Role::PmcMember, Scope::Jurisdiction, None),
            (
                "validator",
                Role::ProjectValidator,
                Scope::Jurisdiction,
                None,
            ),
            (
                "ogp",
                Role::OgpPointOfContact,
                Scope::Jurisdiction,
                Some("ogp@county.example"),
            ),
            ("cso", Role::CivilSociety, Scope::Jurisdiction, None),
            (
                "information",
                Role::InformationOfficer,
                Scope::Jurisdiction,
                Some("information@county.example"),
            ),
            (
                "executive",
                Role::CountyExecutive,
                Scope::Jurisdiction,
                Some("executive@county.example"),
            ),
            (
                "desk",
                Role::CommunicationsDesk,
                Scope::Jurisdiction,
                Some("desk@county.example"),
            ),
            (
                "ward.emsoo",
                Role::WardAdministrator,
                Scope::Area(AreaCode("0741".into())),
                Some("emsoo@county.example"),
            ),
            (
                "ward.kamariny",
                Role::WardAdministrator,
                Scope::Area(AreaCode("0742".into())),
                None,
            ),
            (
                "sc.keiyo-north",
                Role::SubCountyAdministrator,
                Scope::Area(AreaCode("149".into())),
                Some("keiyo-north@county.example"),
            ),
            (
                "coord.water",
                Role::FeedbackCoordinator,
                Scope::Department("water".into()),
                None,
            ),
            (
                "director.water",
                Role::DepartmentDirector,
                Scope::Department("water".into()),
                Some("water-director@county.example"),
            ),
            ("observer", Role::Observer, Scope::Jurisdiction, None),
            ("auditor", Role::Auditor, Scope::Jurisdiction, None),
            (
                "fixmystreet",
                Role::Open311Integration,
                Scope::Jurisdiction,
                None,
            ),
            (
                "admin",
                Role::SystemAdministrator,
                Scope::Jurisdiction,
                None,
            ),
        ];
        for (name, role, scope, email) in people {
            let mut u = fixtures::user(name, role, scope);
            u.email = email.map(|e| Email::parse(e).unwrap());
            if name == "pmc" {
                // The committee member who reports by SMS from this number.
                u.phone = Some(PhoneNumber::parse(PMC_PHONE).unwrap());
            }
            store.add_user(&u).await.unwrap();
            store.set_password(u.id, &phc).await.unwrap();
            store
                .add_token(&ApiToken {
                    id: uuid::Uuid::new_v4(),
                    user: u.id,
                    name: "test".into(),
                    secret_sha256: TokenSecret::from_presented(&format!("bz_{name}")).sha256_hex(),
                    created_at: fixtures::now(),
                    revoked_at: None,
                })
                .await
                .unwrap();
            users.insert(name, u);
        }
        let clock = Arc::new(ManualClock::new(monday_morning()));
        let channels = baraza_web::webhooks::Channels {
            africastalking: Some(baraza_channels::africastalking::Config {
                username: "baraza".into(),
                api_key: baraza_channels::Secret::new("at-api-key"),
                webhook_secret: baraza_channels::Secret::new(AT_SECRET),
                sender_id: Some("40404".into()),
                ussd_code: Some("*384*40404#".into()),
                base_url: "http://127.0.0.1:9".into(),
                jurisdiction: fixtures::jurisdiction_id().as_str().to_owned(),
                allowed_ips: vec![],
            }),
            whatsapp: None,
            twilio: None,
        };
        let media = tempfile::tempdir().unwrap();
        // A tile server on this machine: every tile is the same small picture.
        let tiles = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tiles_url = format!(
            "http://{}/{{z}}/{{x}}/{{y}}.png",
            tiles.local_addr().unwrap()
        );
        let tile_server = tokio::spawn(async move {
            let png: &'static [u8] = include_bytes!("fixtures/pipe.png");
            let router = axum::Router::new().fallback(move || async move {
                ([(axum::http::header::CONTENT_TYPE, "image/png")], png)
            });
            axum::serve(tiles, router).await.unwrap();
        });
        let state = baraza_web::AppState::new(store.clone(), clock.clone())
            .await
            .unwrap()
            .with_channels(channels)
            .with_data_dir(media.path().to_path_buf())
            .with_metrics_token(Some(METRICS_TOKEN.into()))
            .with_outbox_watch(std::time::Duration::from_secs(30 * 60))
            .with_map_tiles(&tiles_url, "Test tiles");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let service = baraza_web::app(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
        ConsoleApp {
            base,
            store,
            clock,
            users,
            _dir: dir,
            media,
            url,
            pg,
            server,
            tile_server,
        }
    }

    pub async fn stop(self) {
        self.server.abort();
        self.tile_server.abort();
        if let Some((admin, name)) = self.pg {
            drop(self.store);
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await;
        }
    }

    /// A case from a citizen's SMS, through the real Africa's Talking webhook.
    pub async fn sms(&self, id: &str, from: &str, text: &str) -> StatusCode {
        let form = [
            ("date", "2026-11-23 09:00:00"),
            ("from", from),
            ("id", id),
            ("text", text),
            ("to", "40404"),
            ("networkCode", "63902"),
        ];
        reqwest::Client::new()
            .post(format!(
                "{}/webhooks/africastalking/{AT_SECRET}/sms",
                self.base
            ))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// The newest case in a ward.
    pub async fn newest_in(&self, ward: &str) -> Case {
        self.store
            .list_cases(&CaseFilter {
                ward: Some(AreaCode(ward.into())),
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .remove(0)
    }

    async fn file(&self, ward: &str, phone: &str) -> Case {
        self.store
            .create_case(
                fixtures::new_case(ward, Channel::Sms, Some(phone)),
                fixtures::citizen(),
                self.clock.now(),
            )
            .await
            .unwrap()
            .case
    }
}

/// A browser without JavaScript: keeps cookies, follows no redirect by itself.
struct Agent {
    base: String,
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        hidden(&self.body, "csrf")
    }
}

fn hidden(body: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body.find(&needle).map(|i| i + needle.len()).unwrap_or(0);
    body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Agent {
    fn new(app: &ConsoleApp) -> Self {
        Self {
            base: app.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    async fn keep(&mut self, r: reqwest::Response) -> Page {
        for v in r.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (kv, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let status = r.status();
        let location = r
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        Page {
            status,
            location,
            body: r.text().await.unwrap(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(r).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(r).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/staff/login").await;
        let csrf = form.csrf();
        self.post(
            "/staff/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/staff"),
            ],
        )
        .await
    }

    async fn signed_in(app: &ConsoleApp, username: &str) -> Self {
        let mut a = Self::new(app);
        let p = a.sign_in(username, PASSWORD).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        a
    }

    /// Post an action form from the case page, with the page's CSRF token and version.
    async fn act(&mut self, case: &Case, fields: &[(&str, &str)]) -> Page {
        let path = format!("/staff/cases/{}", case.number.digits());
        let page = self.get(&path).await;
        let csrf = page.csrf();
        let version = hidden(&page.body, "version");
        let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
        form.extend_from_slice(fields);
        self.post(&format!("{path}/act"), &form).await
    }
}

/// The bearer token `/metrics` answers to in these tests.
const METRICS_TOKEN: &str = "test-metrics-token";

/// The phone of the PMC member of the test's project (the `pmc` user's).
const PMC_PHONE: &str = "+254722000333";

macro_rules! on_both {
    ($name:ident, $pg:ident, $body:ident) => {
        #[tokio::test]
        async fn $name() {
            let app = ConsoleApp::sqlite().await;
            $body(&app).await;
            app.stop().await;
        }
        #[tokio::test]
        async fn $pg() {
            if let Some(app) = ConsoleApp::postgres().await {
                $body(&app).await;
                app.stop().await;
            }
        }
    };
}

// After the macro: the public tests use it too.
#[path = "console/public.rs"]
mod public;

#[path = "console/browser.rs"]
mod browser;

#[path = "console/privacy.rs"]
mod privacy;

#[path = "console/hardening.rs"]
mod hardening;

#[path = "console/information.rs"]
mod information;

#[path = "console/plans.rs"]
mod plans;

#[path = "console/projects.rs"]
mod projects;

on_both!(
    sign_in_lockout_and_sign_out_everywhere,
    postgres_sign_in_lockout_and_sign_out_everywhere,
    sign_in_lockout
);
on_both!(
    a_form_without_its_csrf_token_changes_nothing,
    postgres_a_form_without_its_csrf_token_changes_nothing,
    csrf
);
on_both!(
    a_ward_administrator_cannot_reach_another_wards_case,
    postgres_a_ward_administrator_cannot_reach_another_wards_case,
    scope
);
on_both!(
    a_passed_deadline_escalates_exactly_once,
    postgres_a_passed_deadline_escalates_exactly_once,
    escalation
);
on_both!(
    intake_on_behalf_and_queues,
    postgres_intake_on_behalf_and_queues,
    intake
);

async fn sign_in_lockout(app: &ConsoleApp) {
    let mut a = Agent::new(app);
    // Every page needs a session.
    let p = a.get("/staff").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/staff/login?next="));
    // The sign-in form's own CSRF token is required.
    let p = a
        .post(
            "/staff/login",
            &[("username", "desk"), ("password", PASSWORD), ("csrf", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // An unknown user and a wrong password get the same answer.
    let unknown = a.sign_in("nobody", PASSWORD).await;
    let wrong = a.sign_in("ward.emsoo", "not-the-password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong username or password"));
    // Five failures in a row lock the account, the fourth warning before it happens;
    // then even the right password is refused.
    for _ in 0..2 {
        a.sign_in("ward.emsoo", "not-the-password").await;
    }
    let last = a.sign_in("ward.emsoo", "not-the-password").await;
    assert!(
        last.body
            .contains("One more failed attempt locks this account"),
        "{}",
        last.body
    );
    a.sign_in("ward.emsoo", "not-the-password").await;
    let locked = a.sign_in("ward.emsoo", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED);
    assert!(locked.body.contains("locked"), "{}", locked.body);
    // The administrator sees it locked, its scope by name, and unlocks it.
    let mut admin = Agent::signed_in(app, "admin").await;
    let users = admin.get("/staff/users").await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains(">Emsoo</td>"), "scopes by name");
    assert!(users.body.contains(">Water and Sanitation</td>"));
    let id = app.users["ward.emsoo"].id;
    let unlocked = admin
        .post(
            &format!("/staff/users/{id}/unlock"),
            &[("csrf", &users.csrf())],
        )
        .await;
    assert!(
        unlocked.body.contains("can sign in again"),
        "{}",
        unlocked.body
    );
    assert_eq!(
        Agent::new(app).sign_in("ward.emsoo", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Resetting a password is confirmed first; then the account opens with the
    // temporary one.
    let ask = admin
        .post(
            &format!("/staff/users/{id}/password"),
            &[("csrf", &users.csrf())],
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("id=\"confirm\"") && !ask.body.contains("new-password"));
    let reset = admin
        .post(
            &format!("/staff/users/{id}/password"),
            &[("csrf", &users.csrf()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    let temporary = reset
        .body
        .split("id=\"new-password\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(temporary.len(), 19);
    let mut ward = Agent::new(app);
    assert_eq!(
        ward.sign_in("ward.emsoo", &temporary).await.status,
        StatusCode::SEE_OTHER
    );
    // Only an administrator administers.
    assert_eq!(ward.get("/staff/users").await.status, StatusCode::FORBIDDEN);
    // Adding a user: the same rules as the command line, every mistake named; then a
    // temporary password, shown once, that signs the new user in.
    let bad = admin
        .post(
            "/staff/users",
            &[
                ("csrf", &users.csrf()),
                ("username", "desk"),
                ("role", "ward_administrator"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("is taken") && bad.body.contains("is scoped to"),
        "{}",
        bad.body
    );
    let added = admin
        .post(
            "/staff/users",
            &[
                ("csrf", &users.csrf()),
                ("username", "ward.chepkorio"),
                ("name", "Ruth Jepkosgei"),
                ("role", "ward_administrator"),
                ("area", "0746"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(
        added
            .body
            .contains("Ruth Jepkosgei added as Ward administrator"),
        "{}",
        added.body
    );
    let first = added
        .body
        .split("id=\"new-password\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        Agent::new(app)
            .sign_in("ward.chepkorio", &first)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // Her role changes to the sub-county's: checked the same way, by name in the answer.
    let chepkorio = app
        .store
        .user_by_username("ward.chepkorio")
        .await
        .unwrap()
        .unwrap();
    let wrong = admin
        .post(
            "/staff/users/role",
            &[
                ("csrf", &users.csrf()),
                ("user", &chepkorio.id.to_string()),
                ("role", "sub_county_administrator"),
                ("department", "water"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("is scoped to"), "{}", wrong.body);
    let moved = admin
        .post(
            "/staff/users/role",
            &[
                ("csrf", &users.csrf()),
                ("user", &chepkorio.id.to_string()),
                ("role", "sub_county_administrator"),
                ("area", "150"),
            ],
        )
        .await;
    assert!(
        moved
            .body
            .contains("Ruth Jepkosgei is now Sub-county administrator (Keiyo South)"),
        "{}",
        moved.body
    );
    let now = app.store.user(chepkorio.id).await.unwrap().unwrap();
    assert_eq!(now.role, Role::SubCountyAdministrator);
    assert_eq!(now.scope, Scope::Area(AreaCode("150".into())));
    // Nobody changes their own role.
    let me = app.users["admin"].id.to_string();
    let own = admin
        .post(
            "/staff/users/role",
            &[("csrf", &users.csrf()), ("user", &me), ("role", "observer")],
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    // Sign out everywhere ends the other device's session too.
    let mut phone = Agent::new(app);
    phone.sign_in("ward.emsoo", &temporary).await;
    assert_eq!(phone.get("/staff").await.status, StatusCode::OK);
    let page = ward.get("/staff").await;
    let out = ward
        .post("/staff/logout-everywhere", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(phone.get("/staff").await.status, StatusCode::SEE_OTHER);
    assert_eq!(ward.get("/staff").await.status, StatusCode::SEE_OTHER);
    // The session cookie is HttpOnly and SameSite; only its hash is stored.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/staff/login", app.base))
        .send()
        .await
        .unwrap();
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
}

async fn csrf(app: &ConsoleApp) {
    let case = app.file("0741", "+254712000001").await;
    let mut desk = Agent::signed_in(app, "desk").await;
    let path = format!("/staff/cases/{}/act", case.number.digits());
    for form in [
        vec![("action", "note"), ("text", "no token")],
        vec![
            ("csrf", "forged"),
            ("action", "note"),
            ("text", "wrong token"),
        ],
    ] {
        let p = desk.post(&path, &form).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.body.contains("did not come from this site"));
    }
    // Another user's token does not do either.
    let other = Agent::signed_in(app, "observer").await;
    let theirs = {
        let mut o = other;
        o.get("/staff").await.csrf()
    };
    let p = desk
        .post(
            &path,
            &[("csrf", &theirs), ("action", "note"), ("text", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let after = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, case.version, "nothing was done");
    // Sign-out needs the token too.
    assert_eq!(
        desk.post("/staff/logout", &[("csrf", "nope")]).await.status,
        StatusCode::FORBIDDEN
    );
    // With the token, the same note is taken.
    let p = desk
        .act(&case, &[("action", "note"), ("text", "called back")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let after = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, case.version + 1);
}

async fn scope(app: &ConsoleApp) {
    let mine = app.file("0741", "+254712000002").await;
    let theirs = app.file("0742", "+254712000003").await;
    let mut ward = Agent::signed_in(app, "ward.emsoo").await;
    let own = ward
        .get(&format!("/staff/cases/{}", mine.number.digits()))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    // Pages: the case page, an action, the queues, a search by its reference.
    let p = ward
        .get(&format!("/staff/cases/{}", theirs.number.digits()))
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(!p.body.contains("+2547"));
    let p = ward
        .post(
            &format!("/staff/cases/{}/act", theirs.number.digits()),
            &[("csrf", &own.csrf()), ("action", "note"), ("text", "peek")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let reference = theirs.number.display_with("EM");
    for queue in ["all", "triage"] {
        let p = ward.get(&format!("/staff?queue={queue}")).await;
        assert!(p.body.contains(&mine.number.display_with("EM")));
        assert!(!p.body.contains(&reference), "{queue} leaks");
    }
    let p = ward
        .get(&format!("/staff?q={}", theirs.number.digits()))
        .await;
    assert_eq!(
        p.status,
        StatusCode::OK,
        "no redirect to a case out of scope"
    );
    assert!(!p.body.contains(&reference));
    // The JSON API answers the same way.
    let api = reqwest::Client::new();
    let r = api
        .get(format!(
            "{}/api/v1/cases/{}",
            app.base,
            theirs.number.digits()
        ))
        .bearer_auth("bz_ward.emsoo")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api
        .post(format!(
            "{}/api/v1/cases/{}/actions",
            app.base,
            theirs.number.digits()
        ))
        .bearer_auth("bz_ward.emsoo")
        .json(&serde_json::json!({"action": "note", "text": "peek"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list: serde_json::Value = api
        .get(format!("{}/api/v1/cases", app.base))
        .bearer_auth("bz_ward.emsoo")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: Vec<&str> = list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert!(!listed.contains(&reference.as_str()));
    let after = app
        .store
        .case_by_number(theirs.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, theirs.version);
    // An observer reads the flow without the citizen's contact or staff's notes.
    let mut desk = Agent::signed_in(app, "desk").await;
    desk.act(
        &mine,
        &[("action", "note"), ("text", "internal: call 0712 000 002")],
    )
    .await;
    let mut obs = Agent::signed_in(app, "observer").await;
    let p = obs
        .get(&format!("/staff/cases/{}", mine.number.digits()))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("+2547"), "no phone, even masked");
    assert!(!p.body.contains("internal: call"));
    assert!(!p.body.contains("act-note"), "no actions for observers");
    // Revealing a contact is itself on the record.
    let p = desk
        .act(
            &mine,
            &[("action", "reveal_contact"), ("reason", "to call back")],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("+254712000002"));
    let events = app.store.case_events(mine.id).await.unwrap();
    assert_eq!(
        events.last().unwrap().kind,
        baraza_core::EventKind::ContactRevealed
    );
}

async fn escalation(app: &ConsoleApp) {
    let case = app.file("0741", "+254712000004").await;
    let mut desk = Agent::signed_in(app, "desk").await;
    // Triage: "no water" at high urgency is high priority: 9 working hours to respond.
    let p = desk
        .act(
            &case,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "high"),
                ("priority", ""),
                ("ward", ""),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let triaged = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(triaged.priority, Some(Priority::High));
    let due = triaged.escalation_due.unwrap();
    // Monday 09:00 EAT + 9 working hours = Tuesday 09:00 EAT.
    assert_eq!(due, "2026-11-24T06:00:00Z".parse::<Timestamp>().unwrap());
    let job = || Escalation::new(app.store.clone(), app.clock.clone());
    // Before the deadline nothing moves.
    app.clock.advance(chrono::Duration::hours(20));
    assert_eq!(job().run_once().await.unwrap(), 0);
    // Past it, two jobs at once (two processes) escalate it once.
    app.clock.advance(chrono::Duration::hours(5));
    let (one, two) = (job(), job());
    let (a, b) = tokio::join!(one.run_once(), two.run_once());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        job().run_once().await.unwrap(),
        0,
        "the same breach never twice"
    );
    let up = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(up.status, Status::Escalated);
    assert_eq!(up.holder(), Some(&AreaCode("149".into())));
    let events = app.store.case_events(case.id).await.unwrap();
    let escalations: Vec<_> = events
        .iter()
        .filter(|e| e.kind == baraza_core::EventKind::Escalated)
        .collect();
    assert_eq!(escalations.len(), 1);
    assert_eq!(escalations[0].actor_role, "system");
    assert!(
        escalations[0].data()["reason"]
            .as_str()
            .unwrap()
            .contains("deadline")
    );
    // The sub-county administrator is told, by email.
    let notices = app
        .store
        .outbox_to("keiyo-north@county.example", 10)
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);
    assert!(matches!(
        notices[0].message.template,
        baraza_core::outbound::Template::StaffEscalated { .. }
    ));
    // The sub-county does nothing either: after its own window the county holds it, and
    // the desk and the water director hear of it. Then the ladder ends: nothing more.
    app.clock.advance(chrono::Duration::days(3));
    assert_eq!(job().run_once().await.unwrap(), 1);
    let top = app
        .store
        .case_by_number(case.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(top.holder(), Some(&AreaCode("028".into())));
    assert_eq!(top.escalation_due, None);
    assert_eq!(
        app.store
            .outbox_to("desk@county.example", 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.store
            .outbox_to("water-director@county.example", 10)
            .await
            .unwrap()
            .len(),
        1
    );
    app.clock.advance(chrono::Duration::days(30));
    assert_eq!(job().run_once().await.unwrap(), 0);
    // The overview shows it overdue, where, and for how long.
    let mut director = Agent::signed_in(app, "director.water").await;
    let p = director.get("/staff/overview").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Elgeyo-Marakwet"), "held at the county");
    assert!(p.body.contains(&case.number.display_with("EM")));
    let p = director.get("/staff?queue=overdue").await;
    assert!(p.body.contains(&case.number.display_with("EM")));
}

async fn intake(app: &ConsoleApp) {
    let mut ward = Agent::signed_in(app, "ward.emsoo").await;
    let form = ward.get("/staff/intake").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let key = hidden(&form.body, "key");
    // A bad submission names what is wrong and keeps what was typed.
    let p = ward
        .post(
            "/staff/intake",
            &[
                ("csrf", &csrf),
                ("key", &key),
                ("kind", "complaint"),
                ("channel", "voice"),
                ("description", "Dispensary closed all week"),
                ("ward", "0741"),
                ("phone", "not a phone"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("Phone number:"), "{}", p.body);
    assert!(p.body.contains("Dispensary closed all week"));
    let fields = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("kind", "complaint"),
        ("channel", "voice"),
        ("description", "Dispensary closed all week"),
        ("ward", "0741"),
        ("phone", "+254712000009"),
        ("language", "sw"),
        ("consent", "yes"),
    ];
    let p = ward.post("/staff/intake", &fields).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("filed-reference"));
    // Submitting the same form twice files one case.
    ward.post("/staff/intake", &fields).await;
    let cases = app
        .store
        .list_cases(&CaseFilter {
            text: Some("dispensary closed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].channel, Channel::Voice);
    // The citizen gets the acknowledgement by SMS, in their language.
    let sms = app.store.outbox_to("+254712000009", 5).await.unwrap();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].message.language, Language::Kiswahili);
    // A ward administrator files only in their own area.
    let p = ward
        .post(
            "/staff/intake",
            &[
                ("csrf", &csrf),
                ("key", "other"),
                ("kind", "complaint"),
                ("channel", "counter"),
                ("description", "Road washed away"),
                ("ward", "0746"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // The queues count it, and search finds it by its words.
    let p = ward.get("/staff?queue=triage&q=dispensary").await;
    assert!(p.body.contains(&cases[0].number.display_with("EM")));
    let p = ward.get("/staff?queue=triage&q=nothing-like-this").await;
    assert!(p.body.contains("No cases here"));
    // The page is small, and translated.
    let p = ward.get("/staff").await;
    assert!(p.body.len() < 50_000);
    ward.get("/staff/language?l=sw&next=/staff").await;
    let p = ward.get("/staff").await;
    assert!(p.body.contains("lang=\"sw\""));
    assert!(!p.body.contains(">To triage"), "in Kiswahili now");
}

on_both!(
    queues_search_everything_filter_sort_and_land_where_the_work_is,
    postgres_queues_search_everything_filter_sort_and_land_where_the_work_is,
    queue_work
);

/// Search covers every case one may see, whatever the tab; filters and orders; each role
/// lands on the queue that has its work; rows keep their labels for phones.
async fn queue_work(app: &ConsoleApp) {
    // Three concerns by SMS; one triaged to water (it leaves "to triage").
    for (i, (phone, text)) in [
        ("+254712000101", "Burst pipe at Iten market"),
        ("+254712000102", "Pothole on the Kapsowar road"),
        ("+254712000103", "Another burst pipe near the school"),
    ]
    .iter()
    .enumerate()
    {
        app.clock.advance(chrono::Duration::minutes(5));
        assert_eq!(
            app.sms(&format!("ATXid_q{i}"), phone, text).await,
            StatusCode::OK
        );
    }
    let cases = app
        .store
        .list_cases(&CaseFilter {
            limit: 10,
            order: baraza_core::CaseOrder::Oldest,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cases.len(), 3);
    let (pipe, pothole, school) = (&cases[0], &cases[1], &cases[2]);
    let mut desk = Agent::signed_in(app, "desk").await;
    let p = desk
        .act(
            pipe,
            &[
                ("action", "triage"),
                ("category", "water-supply"),
                ("urgency", "high"),
                ("ward", "0741"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The desk lands on "to triage"; the water coordinator on "assigned" once the pipe is
    // forwarded there.
    let landing = desk.get("/staff").await;
    assert!(
        landing.body.contains("id=\"queue-triage\" aria-current")
            || landing
                .body
                .contains("aria-current=\"page\" id=\"queue-triage\""),
        "{}",
        landing.body
    );
    let pipe_now = app
        .store
        .case_by_number(pipe.number)
        .await
        .unwrap()
        .unwrap();
    let p = desk
        .act(&pipe_now, &[("action", "assign"), ("department", "water")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let mut coord = Agent::signed_in(app, "coord.water").await;
    let landing = coord.get("/staff").await;
    assert!(
        landing
            .body
            .contains("aria-current=\"page\" id=\"queue-assigned\""),
        "{}",
        landing.body
    );
    // Search from the triage tab finds the assigned pipe too: every queue at once.
    let found = desk.get("/staff?q=burst+pipe").await;
    let pipe_ref = pipe.number.display_with("EM");
    let school_ref = school.number.display_with("EM");
    let pothole_ref = pothole.number.display_with("EM");
    assert!(found.body.contains("id=\"searching\""));
    assert!(
        found.body.contains(&pipe_ref) && found.body.contains(&school_ref),
        "{}",
        found.body
    );
    assert!(!found.body.contains(&pothole_ref));
    // Filters: by priority (only the triaged pipe has one), by ward.
    let high = desk.get("/staff?queue=all&priority=high").await;
    assert!(high.body.contains(&pipe_ref) && !high.body.contains(&school_ref));
    assert!(
        high.body.contains("queue=triage&#38;priority=high"),
        "the tabs keep the filter"
    );
    let emsoo = desk.get("/staff?queue=all&ward=0741").await;
    assert!(emsoo.body.contains(&pipe_ref) && !emsoo.body.contains(&pothole_ref));
    // Orders: oldest first, newest first (the default).
    let oldest = desk.get("/staff?queue=all&sort=oldest").await.body;
    let newest = desk.get("/staff?queue=all").await.body;
    let at = |body: &str, r: &str| body.find(&format!(">{r}<")).unwrap();
    assert!(at(&oldest, &pipe_ref) < at(&oldest, &school_ref));
    assert!(at(&newest, &school_ref) < at(&newest, &pipe_ref));
    let urgent = desk.get("/staff?queue=all&sort=priority").await.body;
    assert!(at(&urgent, &pipe_ref) < at(&urgent, &pothole_ref));
    // Each cell carries its heading, for a phone's stacked rows.
    assert!(newest.contains("<td data-label=\"Status\">"), "{newest}");
}

on_both!(
    staff_see_the_point_and_open_concerns_nearby,
    postgres_staff_see_the_point_and_open_concerns_nearby,
    nearby
);

/// The point the citizen picked is on the case page, with open concerns within 300 m of
/// it as possible duplicates (in the reader's scope); one 2 km off is not.
async fn nearby(app: &ConsoleApp) {
    let at = |lat: f64, lon: f64, text: &str| {
        let mut new = fixtures::new_case("0741", Channel::Web, None);
        new.location = Some(GeoPoint { lat, lon });
        new.description = text.into();
        new
    };
    let mut made = Vec::new();
    for (lat, lon, text) in [
        (0.67030, 35.50810, "Burst pipe at the market"),
        (0.67100, 35.50850, "Water everywhere by the market gate"),
        (0.68830, 35.50810, "Dry tap up the hill"),
    ] {
        app.clock.advance(chrono::Duration::minutes(1));
        made.push(
            app.store
                .create_case(at(lat, lon, text), fixtures::citizen(), app.clock.now())
                .await
                .unwrap()
                .case,
        );
    }
    let mut desk = Agent::signed_in(app, "desk").await;
    let page = desk
        .get(&format!("/staff/cases/{}", made[0].number.digits()))
        .await;
    assert!(page.body.contains("0.670300, 35.508100"), "{}", page.body);
    assert!(page.body.contains("mlat=0.670300") && page.body.contains("mlon=35.508100"));
    let near = &page.body[page.body.find("id=\"nearby\"").expect("a nearby list")..];
    let near = &near[..near.find("</ul>").unwrap()];
    assert!(near.contains(&made[1].number.display_with("EM")), "{near}");
    assert!(near.contains("m away"), "{near}");
    assert!(
        !near.contains(&made[2].number.display_with("EM")),
        "2 km off: {near}"
    );
    // Once closed as a duplicate of the first, the second is no longer offered.
    let p = desk
        .act(
            &made[1],
            &[
                ("action", "mark_duplicate"),
                ("of", &made[0].number.digits()),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = desk
        .get(&format!("/staff/cases/{}", made[0].number.digits()))
        .await;
    assert!(
        page.body.contains("No other open concern within 300 m"),
        "{}",
        page.body
    );
    // The raise form offers the map, with its own policy: scripts from here, tiles from
    // the configured server.
    let mut web = Agent::new(app);
    let r = web
        .http
        .get(format!("{}/raise", app.base))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("img-src 'self' data: http://127.0.0.1:"),
        "{csp}"
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"map\"") && body.contains("/static/map/place.js"));
    let js = web.get("/static/map/leaflet.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("Leaflet"));
    assert_eq!(
        web.get("/static/map/../lib.rs").await.status,
        StatusCode::NOT_FOUND
    );
}
