//! The JSON API through a real HTTP server on port 0, on SQLite always and on PostgreSQL
//! when `BARAZA_TEST_POSTGRES_URL` is set: auth, intake, validation, the lifecycle over
//! HTTP, scope, pagination, and the OpenAPI document kept in sync.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use baraza_core::*;
use baraza_store::Store;
use baraza_store::conformance::fixtures;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

#[path = "api/sms.rs"]
mod sms;

struct TestApp {
    base: String,
    http: reqwest::Client,
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(sqlx::PgPool, String)>,
    server: tokio::task::JoinHandle<()>,
}

const DESK: &str = "bz_test_desk";
const WARD_0741: &str = "bz_test_ward_emsoo";
const SUBCOUNTY_150: &str = "bz_test_subcounty_keiyo_south";
const WATER: &str = "bz_test_coordinator_water";
const OBSERVER: &str = "bz_test_observer";
const AUDITOR: &str = "bz_test_auditor";
const DISABLED: &str = "bz_test_disabled";
const REVOKED: &str = "bz_test_revoked";
const OTHER_COUNTY: &str = "bz_test_makueni_desk";

async fn add_user(
    store: &dyn Store,
    name: &str,
    role: Role,
    scope: Scope,
    secret: &str,
) -> StaffUser {
    let u = fixtures::user(name, role, scope);
    store.add_user(&u).await.unwrap();
    let t = ApiToken {
        id: uuid::Uuid::new_v4(),
        user: u.id,
        name: "test".into(),
        secret_sha256: TokenSecret::from_presented(secret).sha256_hex(),
        created_at: fixtures::now(),
        revoked_at: None,
    };
    store.add_token(&t).await.unwrap();
    u
}

impl TestApp {
    async fn sqlite() -> Self {
        Self::sqlite_with(Default::default()).await
    }

    async fn postgres() -> Option<Self> {
        Self::postgres_with(Default::default()).await
    }

    async fn sqlite_with(channels: baraza_web::webhooks::Channels) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("b.db").display());
        let store: Arc<dyn Store> =
            Arc::new(baraza_store_sqlite::SqliteStore::open(&url).await.unwrap());
        Self::start(store, Some(dir), None, channels).await
    }

    async fn postgres_with(channels: baraza_web::webhooks::Channels) -> Option<Self> {
        let url = std::env::var("BARAZA_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let admin = sqlx::PgPool::connect(&url)
            .await
            .expect("BARAZA_TEST_POSTGRES_URL is set but unreachable");
        let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let store: Arc<dyn Store> = Arc::new(
            baraza_store_postgres::PostgresStore::open(&baraza_store_postgres::url_with_database(
                &url, &name,
            ))
            .await
            .unwrap(),
        );
        Some(Self::start(store, None, Some((admin, name)), channels).await)
    }

    async fn start(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        pg: Option<(sqlx::PgPool, String)>,
        channels: baraza_web::webhooks::Channels,
    ) -> Self {
        fixtures::seed(&*store).await;
        add_user(
            &*store,
            "desk",
            Role::CommunicationsDesk,
            Scope::Jurisdiction,
            DESK,
        )
        .await;
        add_user(
            &*store,
            "ward.emsoo",
            Role::WardAdministrator,
            Scope::Area(AreaCode("0741".into())),
            WARD_0741,
        )
        .await;
        add_user(
            &*store,
            "sc.keiyo-south",
            Role::SubCountyAdministrator,
            Scope::Area(AreaCode("150".into())),
            SUBCOUNTY_150,
        )
        .await;
        add_user(
            &*store,
            "coord.water",
            Role::FeedbackCoordinator,
            Scope::Department("water".into()),
            WATER,
        )
        .await;
        add_user(
            &*store,
            "observer",
            Role::Observer,
            Scope::Jurisdiction,
            OBSERVER,
        )
        .await;
        add_user(
            &*store,
            "auditor",
            Role::Auditor,
            Scope::Jurisdiction,
            AUDITOR,
        )
        .await;
        let gone = add_user(
            &*store,
            "gone",
            Role::CommunicationsDesk,
            Scope::Jurisdiction,
            DISABLED,
        )
        .await;
        store.set_user_disabled(gone.id, true).await.unwrap();
        let revoked = add_user(
            &*store,
            "revoked",
            Role::CommunicationsDesk,
            Scope::Jurisdiction,
            REVOKED,
        )
        .await;
        for t in store.tokens(Some(revoked.id)).await.unwrap() {
            store.revoke_token(t.id, fixtures::now()).await.unwrap();
        }
        // A second county on the same deployment: nothing may leak between the two.
        let mk = JurisdictionId::parse("makueni").unwrap();
        let mut j = fixtures::jurisdiction();
        j.id = mk.clone();
        j.name = "Makueni County".into();
        j.reference_prefix = "MK".into();
        store.put_jurisdiction(&j).await.unwrap();
        let area = |code: &str, depth: u8, parent: Option<&str>| Area {
            jurisdiction: mk.clone(),
            code: AreaCode(code.into()),
            name: code.into(),
            depth,
            parent: parent.map(|p| AreaCode(p.into())),
        };
        store
            .put_areas(&[
                area("017", 0, None),
                area("085", 1, Some("017")),
                area("0421", 2, Some("085")),
            ])
            .await
            .unwrap();
        let mut other = fixtures::user(
            "desk.makueni",
            Role::CommunicationsDesk,
            Scope::Jurisdiction,
        );
        other.jurisdiction = mk;
        store.add_user(&other).await.unwrap();
        let t = ApiToken {
            id: uuid::Uuid::new_v4(),
            user: other.id,
            name: "test".into(),
            secret_sha256: TokenSecret::from_presented(OTHER_COUNTY).sha256_hex(),
            created_at: fixtures::now(),
            revoked_at: None,
        };
        store.add_token(&t).await.unwrap();
        let state = baraza_web::AppState::new(store.clone(), Arc::new(SystemClock))
            .await
            .unwrap()
            .with_channels(channels);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let service = baraza_web::app(state)
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, service).await.unwrap();
        });
        TestApp {
            base,
            http: reqwest::Client::new(),
            store,
            _dir: dir,
            pg,
            server,
        }
    }

    async fn stop(self) {
        self.server.abort();
        if let Some((admin, name)) = self.pg {
            drop(self.store);
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await;
        }
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn file(&self, token: &str, ward: &str) -> String {
        let (s, b) = self
            .post(token, "/api/v1/cases", json!({"kind": "complaint", "ward": ward, "description": format!("No water in {ward}")}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        b["number"].as_str().unwrap().to_owned()
    }

    async fn act(&self, token: &str, number: &str, body: Value) -> (StatusCode, Value) {
        self.post(token, &format!("/api/v1/cases/{number}/actions"), body)
            .await
    }
}

/// Run a scenario on SQLite, then on PostgreSQL if configured.
macro_rules! on_both {
    ($name:ident, $pg_name:ident, $scenario:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let app = TestApp::sqlite().await;
            $scenario(&app).await;
            app.stop().await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $pg_name() {
            let Some(app) = TestApp::postgres().await else {
                return;
            };
            $scenario(&app).await;
            app.stop().await;
        }
    };
}

on_both!(
    authentication_is_required,
    postgres_authentication_is_required,
    authentication
);
on_both!(
    intake_returns_a_reference_once,
    postgres_intake_returns_a_reference_once,
    intake
);
on_both!(
    invalid_input_names_every_field,
    postgres_invalid_input_names_every_field,
    validation
);
on_both!(
    a_case_is_worked_to_closure_over_http,
    postgres_a_case_is_worked_to_closure_over_http,
    lifecycle
);
on_both!(
    scope_hides_other_wards_cases,
    postgres_scope_hides_other_wards_cases,
    scope
);
on_both!(
    lists_filter_and_page,
    postgres_lists_filter_and_page,
    listing
);
on_both!(
    observers_see_no_personal_data,
    postgres_observers_see_no_personal_data,
    observer
);
on_both!(
    jurisdictions_never_leak,
    postgres_jurisdictions_never_leak,
    isolation
);

async fn isolation(app: &TestApp) {
    let em = app.file(DESK, "0741").await;
    let (s, _) = app.get(OTHER_COUNTY, &format!("/api/v1/cases/{em}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .act(OTHER_COUNTY, &em, json!({"action": "note", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, b) = app.get(OTHER_COUNTY, "/api/v1/cases").await;
    assert!(b["cases"].as_array().unwrap().is_empty());
    // Another county's wards are not this county's wards.
    let (s, b) = app
        .post(
            OTHER_COUNTY,
            "/api/v1/cases",
            json!({"kind": "complaint", "ward": "0741", "description": "x"}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ward"))
    );
    let (s, b) = app
        .post(
            OTHER_COUNTY,
            "/api/v1/cases",
            json!({"kind": "complaint", "ward": "0421", "description": "Wote market toilets"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(b["reference"].as_str().unwrap().starts_with("MK-"));
    let mk = b["number"].as_str().unwrap().to_owned();
    let (s, b) = app
        .act(
            OTHER_COUNTY,
            &mk,
            json!({"action": "mark_duplicate", "of": em}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("of"))
    );
    let (_, b) = app.get(OTHER_COUNTY, "/api/v1/jurisdiction").await;
    assert_eq!(b["id"], "makueni");
    assert_eq!(b["areas"].as_array().unwrap().len(), 3);
    let (_, b) = app.get(DESK, "/api/v1/cases").await;
    assert_eq!(b["cases"].as_array().unwrap().len(), 1);
}

async fn authentication(app: &TestApp) {
    let r = app
        .http
        .get(format!("{}/api/v1/cases", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "missing_token");
    for (token, code) in [
        ("nope", "invalid_token"),
        (DISABLED, "user_disabled"),
        (REVOKED, "token_revoked"),
    ] {
        let (s, b) = app.get(token, "/api/v1/cases").await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(code))
        );
    }
    let (s, _) = app.get(DESK, "/api/v1/cases").await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["database"], app.store.backend());
    let (s, b) = app.get(DESK, "/api/v1/nowhere").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_route"))
    );
}

async fn intake(app: &TestApp) {
    let body = json!({
        "kind": "service_request", "channel": "counter", "category": "water-supply", "ward": "0742",
        "location": {"lat": 0.67, "lon": 35.5}, "description": "Tap at Kamariny school is broken",
        "citizen": {"phone": "+254 712 345 678", "language": "sw", "gender": "female", "age_band": "25_34", "name": "Chebet"}
    });
    let send = || {
        app.http
            .post(format!("{}/api/v1/cases", app.base))
            .bearer_auth(DESK)
            .header("Idempotency-Key", "counter-2026-11-26-001")
            .json(&body)
            .send()
    };
    let r = send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = r.json().await.unwrap();
    let reference = first["reference"].as_str().unwrap();
    assert!(
        reference.starts_with("EM-") && reference.len() == 12,
        "{reference}"
    );
    assert_eq!(
        location,
        format!("/api/v1/cases/{}", first["number"].as_str().unwrap())
    );
    assert_eq!(first["status"], "acknowledged");
    assert_eq!(first["citizen"]["phone"], "+2547******78");
    assert!(!first.to_string().contains("Chebet") && !first.to_string().contains("345678"));
    // The retry returns the same case, and creates nothing.
    let r = send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["reference"], first["reference"]);
    // The reference is accepted back in every written form.
    let digits = first["number"].as_str().unwrap();
    for form in [
        reference.to_owned(),
        reference.to_lowercase(),
        reference.replace('-', "%20"),
        digits.to_owned(),
    ] {
        let (s, b) = app.get(DESK, &format!("/api/v1/cases/{form}")).await;
        assert_eq!(s, StatusCode::OK, "{form}");
        assert_eq!(b["journal"][0]["kind"], "case.received");
        assert_eq!(b["journal"][1]["kind"], "case.acknowledged");
    }
    // Keys belong to whoever files: another user's identical key is another case, never theirs.
    let r = app
        .http
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth(WARD_0741)
        .header("Idempotency-Key", "counter-2026-11-26-001")
        .json(&json!({"kind": "complaint", "ward": "0741", "description": "Another concern"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let other: Value = r.json().await.unwrap();
    assert_ne!(other["reference"], first["reference"]);
    let (s, b) = app.get(DESK, "/api/v1/cases?limit=200").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["cases"].as_array().unwrap().len(), 2);
}

async fn validation(app: &TestApp) {
    let (s, b) = app
        .post(DESK, "/api/v1/cases", json!({
            "kind": "complain", "ward": "149", "category": "potholes", "location": {"lat": 95.0, "lon": 0.0},
            "citizen": {"phone": "0812 345 678", "email": "not-an-email", "language": "de"}
        }))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields"))
    );
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "kind",
        "description",
        "ward",
        "category",
        "location.lat",
        "citizen.phone",
        "citizen.email",
        "citizen.language",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let (s, b) = app
        .post(
            DESK,
            "/api/v1/cases",
            json!({"kind": "complaint", "description": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("colour"))
    );
    let r = app
        .http
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth(DESK)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .http
        .post(format!("{}/api/v1/cases", app.base))
        .bearer_auth(DESK)
        .body("kind=complaint")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, b) = app.get(DESK, "/api/v1/cases/EM-1234-5678").await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reference"))
    );
    let (s, _) = app.get(DESK, "/api/v1/cases/0000-0000").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Every error is a problem document, even those made by layers.
    let big = json!({"kind": "complaint", "description": "x".repeat(70_000)});
    // The server answers 413 as soon as it sees the length and closes the connection; the
    // client may still be writing and see a broken pipe instead. Try until it reads the answer.
    // Each try uses its own client: the connection the server closes after a 413 must not go
    // back to the shared pool, where the next request would find it dead.
    let mut answer = None;
    for _ in 0..10 {
        let sent = reqwest::Client::new()
            .post(format!("{}/api/v1/cases", app.base))
            .bearer_auth(DESK)
            .json(&big)
            .send()
            .await;
        if let Ok(r) = sent {
            answer = Some(r);
            break;
        }
    }
    let r = answer.expect("an answer to the oversized request");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app
        .http
        .delete(format!("{}/api/v1/cases", app.base))
        .bearer_auth(DESK)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    let (s, b) = app
        .get(
            DESK,
            "/api/v1/cases?status=open&limit=500&created_from=yesterday",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["errors"].as_array().unwrap().len(), 3, "{b}");
    // Nothing was stored by any of these.
    assert!(
        app.store
            .list_cases(&CaseFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .is_empty()
    );
}

async fn lifecycle(app: &TestApp) {
    let n = app.file(DESK, "0741").await;
    let path = format!("/api/v1/cases/{n}");
    // A forbidden transition: 409 with a stable code, and nothing stored.
    let (s, b) = app.act(DESK, &n, json!({"action": "resolve"})).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("transition_not_allowed"))
    );
    let (s, b) = app
        .act(AUDITOR, &n, json!({"action": "note", "text": "hello"}))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("role_not_allowed"))
    );
    let (s, b) = app
        .act(
            DESK,
            &n,
            json!({"action": "triage", "category": "water-supply"}),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("priority"))
    );
    let (s, b) = app
        .act(DESK, &n, json!({"action": "start", "text": "why"}))
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text"))
    );
    let (_, b) = app.get(DESK, &path).await;
    assert_eq!(b["version"], 2);
    // Optimistic concurrency: an action against a stale version is refused, and stores nothing.
    let stale = app
        .http
        .post(format!("{}{path}/actions", app.base))
        .bearer_auth(DESK)
        .header("If-Match", "\"1\"")
        .json(&json!({"action": "note", "text": "late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["code"], "version_mismatch");
    let fresh = app
        .http
        .post(format!("{}{path}/actions", app.base))
        .bearer_auth(DESK)
        .header("If-Match", "2")
        .json(&json!({"action": "note", "text": "on time"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);

    let steps = [
        (
            WARD_0741,
            json!({"action": "triage", "category": "water-supply", "priority": "high"}),
            "triaged",
        ),
        (
            WATER,
            json!({"action": "note", "text": "Borehole pump needs a new part"}),
            "triaged",
        ),
        (
            WATER,
            json!({"action": "assign", "department": "water", "note": "pump crew"}),
            "assigned",
        ),
        (WATER, json!({"action": "start"}), "in_progress"),
        (
            WATER,
            json!({"action": "respond", "text": "The pump was replaced on Tuesday."}),
            "responded",
        ),
        (DESK, json!({"action": "resolve"}), "resolved"),
        (DESK, json!({"action": "rate", "score": 4}), "resolved"),
        (DESK, json!({"action": "close"}), "closed"),
    ];
    for (token, body, want) in steps {
        let (s, b) = app.act(token, &n, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{body}: {b}");
        assert_eq!(b["case"]["status"], want, "{body}");
    }
    let (_, b) = app.get(DESK, &path).await;
    assert_eq!(b["department"], "water");
    assert_eq!(b["satisfaction"], 4);
    assert!(b["resolution_due"].is_string() && b["first_responded_at"].is_string());
    let kinds: Vec<&str> = b["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 11);
    assert!(kinds.contains(&"case.note_added"));
    // Escalation and duplicates over HTTP.
    let m = app.file(DESK, "0741").await;
    let (s, b) = app
        .act(
            WARD_0741,
            &m,
            json!({"action": "escalate", "reason": "needs the sub-county"}),
        )
        .await;
    assert_eq!(
        (s, b["case"]["held_by"].as_str()),
        (StatusCode::OK, Some("149"))
    );
    let (s, b) = app
        .act(
            DESK,
            &m,
            json!({"action": "mark_duplicate", "of": format!("EM-{n}")}),
        )
        .await;
    assert_eq!(
        (s, b["case"]["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    let (s, b) = app.act(DESK, &m, json!({"action": "reopen"})).await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    assert!(
        baraza_store::verify_journal(&*app.store, None)
            .await
            .unwrap()
            .is_ok()
    );
}

async fn scope(app: &TestApp) {
    let mine = app.file(DESK, "0741").await;
    let theirs = app.file(DESK, "0746").await;
    // The Emsoo ward administrator sees their ward only; another ward's case does not exist for them.
    let (s, _) = app.get(WARD_0741, &format!("/api/v1/cases/{mine}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = app.get(WARD_0741, &format!("/api/v1/cases/{theirs}")).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _) = app
        .act(WARD_0741, &theirs, json!({"action": "note", "text": "x"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, b) = app.get(WARD_0741, "/api/v1/cases").await;
    let listed: Vec<&str> = b["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![mine.as_str()]);
    let (s, b) = app
        .post(
            WARD_0741,
            "/api/v1/cases",
            json!({"kind": "complaint", "ward": "0746", "description": "x"}),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("outside_scope"))
    );
    // The Keiyo South sub-county administrator sees Chepkorio (0746), not Emsoo.
    let (_, b) = app.get(SUBCOUNTY_150, "/api/v1/cases").await;
    assert_eq!(b["cases"].as_array().unwrap().len(), 1);
    // The water coordinator sees a case once it is routed to water.
    let (_, b) = app.get(WATER, "/api/v1/cases").await;
    assert!(b["cases"].as_array().unwrap().is_empty());
    app.act(
        DESK,
        &theirs,
        json!({"action": "triage", "category": "water-supply", "priority": "normal"}),
    )
    .await;
    let (_, b) = app.get(WATER, "/api/v1/cases").await;
    assert_eq!(b["cases"][0]["number"], theirs.as_str());
    let (s, _) = app
        .post(
            OBSERVER,
            "/api/v1/cases",
            json!({"kind": "complaint", "description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn listing(app: &TestApp) {
    let mut all = Vec::new();
    for i in 0..7 {
        all.push(app.file(DESK, ["0741", "0742", "0746"][i % 3]).await);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/cases?limit=3".to_owned();
    loop {
        let (s, b) = app.get(DESK, &path).await;
        assert_eq!(s, StatusCode::OK);
        seen.extend(
            b["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["number"].as_str().unwrap().to_owned()),
        );
        match b["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/cases?limit=3&cursor={c}"),
            None => break,
        }
    }
    all.reverse();
    assert_eq!(seen, all);
    let (_, b) = app
        .get(DESK, "/api/v1/cases?ward=0742&status=acknowledged,received")
        .await;
    assert_eq!(b["cases"].as_array().unwrap().len(), 2);
    let (_, b) = app.get(DESK, "/api/v1/cases?kind=compliment").await;
    assert!(b["cases"].as_array().unwrap().is_empty());
    let today = chrono::Utc::now().format("%Y-%m-%d");
    let (_, b) = app
        .get(
            DESK,
            &format!("/api/v1/cases?created_from={today}&created_to={today}&channel=api"),
        )
        .await;
    assert_eq!(b["cases"].as_array().unwrap().len(), 7);
    let (s, b) = app.get(DESK, "/api/v1/cases?cursor=garbage").await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
}

async fn observer(app: &TestApp) {
    let (s, b) = app
        .post(
            DESK,
            "/api/v1/cases",
            json!({"kind": "complaint", "ward": "0741", "description": "Dry tap",
            "citizen": {"phone": "+254712000111", "name": "Kiprono"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let n = b["number"].as_str().unwrap().to_owned();
    app.act(
        DESK,
        &n,
        json!({"action": "note", "text": "internal: called him"}),
    )
    .await;
    let (s, b) = app.get(OBSERVER, &format!("/api/v1/cases/{n}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b["citizen"].is_null());
    let text = b.to_string();
    assert!(
        !text.contains("internal: called him")
            && !text.contains("+2547")
            && !text.contains("Kiprono")
    );
    assert!(
        b["journal"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["visibility"] == "public" && e["data"].get("citizen").is_none())
    );
    let (_, b) = app.get(AUDITOR, &format!("/api/v1/cases/{n}")).await;
    assert!(
        b["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["visibility"] == "internal")
    );
}

#[tokio::test]
async fn the_openapi_document_is_committed_and_matches_the_router() {
    let doc = serde_json::to_value(baraza_web::openapi::document()).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "docs/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p baraza-web openapi` and commit it"
    );

    // Every documented operation is routed, and the served document is the committed one.
    let app = TestApp::sqlite().await;
    let served: Value = app
        .http
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, doc);
    for (p, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let url = format!("{}{}", app.base, p.replace("{reference}", "00000000"));
            let req = app
                .http
                .request(method.to_uppercase().parse().unwrap(), url)
                .bearer_auth(DESK)
                .json(&json!({}));
            let r = req.send().await.unwrap();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_ne!(
                body["code"], "no_route",
                "{method} {p} is documented but not routed"
            );
            assert_ne!(
                body["code"], "method_not_allowed",
                "{method} {p} is documented but not routed"
            );
        }
    }
    app.stop().await;
}
