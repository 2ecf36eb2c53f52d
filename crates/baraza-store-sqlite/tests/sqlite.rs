//! The conformance suite on SQLite, plus what only an outside tool can do: edit rows
//! behind Baraza's back, which `verify` must catch and name.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use baraza_core::ChainBreak;
use baraza_store::conformance::{TestStore, fixtures, populate};
use baraza_store::{Store, verify_journal};
use baraza_store_sqlite::SqliteStore;
use std::sync::Arc;

struct TempSqlite {
    _dir: tempfile::TempDir,
    store: Arc<SqliteStore>,
}

impl TestStore for TempSqlite {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }
    async fn cleanup(self) {}
}

async fn make() -> TempSqlite {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("baraza.db").display());
    let store = Arc::new(SqliteStore::open(&url).await.expect("open sqlite"));
    TempSqlite { _dir: dir, store }
}

baraza_store::conformance_suite!(true, make);

async fn populated() -> TempSqlite {
    let t = make().await;
    populate(&*t.store()).await;
    t
}

async fn verdict(t: &TempSqlite) -> Result<baraza_store::VerifyReport, ChainBreak> {
    verify_journal(&*t.store(), None).await.expect("readable")
}

#[tokio::test]
async fn the_journal_refuses_updates_and_deletes() {
    let t = populated().await;
    let pool = t.store.pool();
    let upd = sqlx::query("UPDATE journal SET payload = '{}' WHERE seq = 3")
        .execute(pool)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM journal WHERE seq = 3")
        .execute(pool)
        .await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert!(verdict(&t).await.is_ok());
}

async fn tamper(t: &TempSqlite, sql: &str) {
    let pool = t.store.pool();
    sqlx::query("DROP TRIGGER journal_is_append_only_update")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER journal_is_append_only_delete")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(sql).execute(pool).await.unwrap();
}

#[tokio::test]
async fn verify_names_an_edited_payload() {
    let t = populated().await;
    tamper(
        &t,
        r#"UPDATE journal SET payload = '{"text":"we fixed it"}' WHERE seq = 7"#,
    )
    .await;
    assert_eq!(
        verdict(&t).await,
        Err(ChainBreak::PayloadAltered { seq: 7 }.in_chain(&fixtures::jurisdiction_id()))
    );
}

#[tokio::test]
async fn verify_names_an_edited_field() {
    let t = populated().await;
    tamper(
        &t,
        "UPDATE journal SET actor_role = 'county_executive' WHERE seq = 12",
    )
    .await;
    assert_eq!(
        verdict(&t).await,
        Err(ChainBreak::EventAltered { seq: 12 }.in_chain(&fixtures::jurisdiction_id()))
    );
}

#[tokio::test]
async fn verify_names_a_deleted_event() {
    let t = populated().await;
    tamper(&t, "DELETE FROM journal WHERE seq = 20").await;
    assert_eq!(
        verdict(&t).await,
        Err(ChainBreak::SequenceGap {
            expected: 20,
            found: 21
        }
        .in_chain(&fixtures::jurisdiction_id()))
    );
}

#[tokio::test]
async fn verify_notices_a_case_edited_outside_its_journal() {
    let t = populated().await;
    let row: (String,) = sqlx::query_as("SELECT id FROM cases WHERE status = 'responded' LIMIT 1")
        .fetch_one(t.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE cases SET status = 'resolved' WHERE id = ?1")
        .bind(&row.0)
        .execute(t.store.pool())
        .await
        .unwrap();
    assert_eq!(
        verdict(&t).await,
        Err(ChainBreak::ProjectionMismatch { case: row.0 })
    );
}

#[tokio::test]
async fn a_second_open_reuses_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join("nested/dir/baraza.db").display()
    );
    let number = {
        let s = SqliteStore::open(&url).await.unwrap();
        fixtures::seed(&s).await;
        let n = s
            .create_case(
                fixtures::new_case("0741", baraza_core::Channel::Sms, None),
                fixtures::citizen(),
                fixtures::now(),
            )
            .await
            .unwrap();
        n.case.number
    };
    let s = SqliteStore::open(&url).await.unwrap();
    assert!(s.case_by_number(number).await.unwrap().is_some());
    assert!(verify_journal(&s, None).await.unwrap().is_ok());
}

#[tokio::test]
async fn verify_notices_any_column_edited_behind_the_journal() {
    // Moving a case to another ward changes who may see it: it must not pass unnoticed.
    for edit in [
        "UPDATE cases SET ward_code = '0746' WHERE id = ?1",
        "UPDATE cases SET department_code = 'health' WHERE id = ?1",
        "UPDATE cases SET description = 'nothing happened' WHERE id = ?1",
    ] {
        let t = populated().await;
        let row: (String,) = sqlx::query_as("SELECT id FROM cases LIMIT 1")
            .fetch_one(t.store.pool())
            .await
            .unwrap();
        sqlx::query(edit)
            .bind(&row.0)
            .execute(t.store.pool())
            .await
            .unwrap();
        assert_eq!(
            verdict(&t).await,
            Err(ChainBreak::ProjectionMismatch { case: row.0 }),
            "{edit}"
        );
    }
}

#[tokio::test]
async fn verify_reports_an_erased_payload() {
    let t = populated().await;
    tamper(&t, "UPDATE journal SET payload = NULL WHERE seq = 5").await;
    assert_eq!(
        verdict(&t).await,
        Err(ChainBreak::PayloadMissing { seq: 5 }.in_chain(&fixtures::jurisdiction_id()))
    );
}

#[tokio::test]
async fn verify_notices_an_action_plan_edited_outside_its_journal() {
    use baraza_core::Role;
    use baraza_core::action_plan::*;
    let t = populated().await;
    let s = t.store();
    let who = PlanActor {
        username: "poc".into(),
        name: "Point of contact".into(),
        role: Role::OgpPointOfContact,
    };
    let id = PlanId(uuid::Uuid::now_v7());
    let j = fixtures::jurisdiction_id();
    let changes = decide(
        None,
        PlanCommand::Create(Box::new(NewPlan {
            slug: "em-2026-2027".into(),
            title: "Feedback that closes".into(),
            government: "Elgeyo Marakwet County Government".into(),
            level: PlanLevel::Local,
            country: "KE".into(),
            starts: "2026-01".parse().unwrap(),
            ends: "2027-12".parse().unwrap(),
            forum: None,
            source_url: None,
            schedules: vec![],
        })),
        &who,
        id,
        &j,
        fixtures::now(),
    )
    .unwrap();
    s.write_plan(baraza_store::plans::PlanWrite {
        plan: id,
        expected_version: 0,
        changes,
        actor: baraza_core::lifecycle::Actor::system("test"),
        at: fixtures::now(),
    })
    .await
    .unwrap();
    assert_eq!(verdict(&t).await.unwrap().plans, 1);
    sqlx::query("UPDATE action_plans SET record = replace(record, 'Feedback that closes', 'Nothing promised')")
        .execute(t.store.pool())
        .await
        .unwrap();
    assert!(
        matches!(verdict(&t).await, Err(ChainBreak::ProjectionMismatch { ref case }) if case.contains("action plan")),
        "{:?}",
        verdict(&t).await
    );
}

/// The journal and messages as they stood before chains per jurisdiction (migrations 0008 to 0012; the
/// rebuild in 0008 left out 0004's index by time, which 0013 makes again).
const BEFORE_CHAINS: &str = "
DROP TRIGGER jurisdiction_chain;
DROP TABLE journal_heads;
DROP TABLE journal_shared;
CREATE TABLE journal_old (
    seq            INTEGER PRIMARY KEY,
    case_id        TEXT NOT NULL,
    at             TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    actor_id       TEXT,
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    visibility     TEXT NOT NULL,
    payload        TEXT,
    payload_sha256 TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
INSERT INTO journal_old SELECT seq, case_id, at, actor_role, actor_id, channel, kind, visibility,
    payload, payload_sha256, prev_hash, hash FROM journal ORDER BY seq;
DROP TABLE journal;
ALTER TABLE journal_old RENAME TO journal;
CREATE INDEX journal_by_case ON journal (case_id, seq);
CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
WHEN NOT (
    NEW.payload IS NULL AND OLD.payload IS NOT NULL
    AND NEW.seq = OLD.seq AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at
    AND NEW.actor_role = OLD.actor_role AND NEW.actor_id IS OLD.actor_id
    AND NEW.channel = OLD.channel AND NEW.kind = OLD.kind AND NEW.visibility = OLD.visibility
    AND NEW.payload_sha256 = OLD.payload_sha256 AND NEW.prev_hash = OLD.prev_hash
    AND NEW.hash = OLD.hash
)
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only (only erasure may take a payload out)');
END;
CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
DELETE FROM _sqlx_migrations WHERE version = 13;
DROP INDEX outbox_by_jurisdiction;
DROP INDEX inbound_by_jurisdiction;
ALTER TABLE outbox DROP COLUMN jurisdiction_id;
ALTER TABLE inbound_messages DROP COLUMN jurisdiction_id;
DELETE FROM _sqlx_migrations WHERE version = 14;
";

/// The tables, indexes and triggers of a database file, by name.
async fn schema(pool: &sqlx::SqlitePool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A database made before chains per jurisdiction (one chain for two counties) is
/// migrated: the old chain verifies as it was, each county's chain goes on from it, and
/// each county leaves with its own record.
#[tokio::test]
async fn a_database_made_before_chains_per_jurisdiction_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let (scratch, empty) = (make().await, make().await);
    let (v1, shared) =
        baraza_store::conformance::two_jurisdictions_in_one_chain(&*scratch.store()).await;
    {
        let s = SqliteStore::open(&url).await.unwrap();
        baraza_store::portable::import_jsonl(&s, v1.as_bytes())
            .await
            .unwrap();
        s.pool().close().await;
    }
    // Back to the schema of migration 0012, with the data as it was written then.
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("old.db"))
        .foreign_keys(true);
    let raw = sqlx::SqlitePool::connect_with(options.clone())
        .await
        .unwrap();
    sqlx::raw_sql(BEFORE_CHAINS).execute(&raw).await.unwrap();
    let reference = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.path().join("made-before.db"))
            .create_if_missing(true),
    )
    .await
    .unwrap();
    let before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            baraza_store_sqlite::MIGRATOR
                .iter()
                .filter(|m| m.version <= 12)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before.run(&reference).await.unwrap();
    assert_eq!(schema(&raw).await, schema(&reference).await);
    raw.close().await;

    let migrated = SqliteStore::open(&url).await.unwrap();
    baraza_store::conformance::chains_go_on_from_the_shared_chain(
        &migrated,
        &*empty.store(),
        &shared,
    )
    .await;
}
