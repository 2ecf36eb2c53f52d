//! The conformance suite on PostgreSQL, when `BARAZA_TEST_POSTGRES_URL` names a server
//! (`.ci/run` always sets it). Each test gets a fresh database, dropped afterwards. Also:
//! tampering caught by verify, two writers sharing one database, the two migration trees
//! agreeing, and a SQLite export imported into PostgreSQL with nothing lost.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step is a failed test"
)]

use baraza_core::ChainBreak;
use baraza_store::conformance::{TestStore, fixtures, populate};
use baraza_store::portable::{export_jsonl, for_each_record, import_jsonl};
use baraza_store::{Store, verify_journal};
use baraza_store_postgres::PostgresStore;
use std::collections::BTreeSet;
use std::sync::Arc;

fn admin_url() -> Option<String> {
    std::env::var("BARAZA_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

fn configured() -> bool {
    admin_url().is_some()
}

struct TempPostgres {
    admin: sqlx::PgPool,
    name: String,
    store: Arc<PostgresStore>,
}

impl TestStore for TempPostgres {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }
    async fn cleanup(self) {
        self.store.close().await;
        let _ = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&self.admin)
        .await;
    }
}

/// A fresh, empty database. Panics loudly when the server is configured but unreachable:
/// a PostgreSQL suite that silently skips would prove nothing.
async fn make() -> TempPostgres {
    let url = admin_url().expect("BARAZA_TEST_POSTGRES_URL");
    let admin = sqlx::PgPool::connect(&url).await.unwrap_or_else(|e| {
        panic!("BARAZA_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {e}")
    });
    let name = format!("baraza_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    let store = Arc::new(
        PostgresStore::open(&baraza_store_postgres::url_with_database(&url, &name))
            .await
            .expect("open postgres"),
    );
    TempPostgres { admin, name, store }
}

mod postgres {
    use super::*;
    baraza_store::conformance_suite!(configured(), make);
}

async fn tamper(t: &TempPostgres, sql: &str) {
    let pool = t.store.pool();
    sqlx::query("ALTER TABLE journal DISABLE TRIGGER USER")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(sql).execute(pool).await.unwrap();
}

#[tokio::test]
async fn postgres_journal_is_append_only_and_tampering_is_named() {
    if !configured() {
        return;
    }
    let t = make().await;
    populate(&*t.store()).await;
    let pool = t.store.pool();
    for sql in [
        "UPDATE journal SET payload = '{}' WHERE seq = 3",
        "DELETE FROM journal WHERE seq = 3",
        "TRUNCATE journal CASCADE",
    ] {
        let err = sqlx::query(sql).execute(pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert!(verify_journal(&*t.store(), None).await.unwrap().is_ok());
    tamper(
        &t,
        r#"UPDATE journal SET payload = '{"text":"fixed"}' WHERE seq = 7"#,
    )
    .await;
    assert_eq!(
        verify_journal(&*t.store(), None).await.unwrap(),
        Err(ChainBreak::PayloadAltered { seq: 7 }.in_chain(&fixtures::jurisdiction_id()))
    );
    t.cleanup().await;
}

#[tokio::test]
async fn postgres_deleted_event_is_named() {
    if !configured() {
        return;
    }
    let t = make().await;
    populate(&*t.store()).await;
    tamper(&t, "DELETE FROM journal WHERE seq = 20").await;
    assert_eq!(
        verify_journal(&*t.store(), None).await.unwrap(),
        Err(ChainBreak::SequenceGap {
            expected: 20,
            found: 21
        }
        .in_chain(&fixtures::jurisdiction_id()))
    );
    t.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_processes_share_one_chain() {
    if !configured() {
        return;
    }
    // Two stores on one database stand for two `baraza serve` processes.
    let t = make().await;
    fixtures::seed(&*t.store()).await;
    let url = baraza_store_postgres::url_with_database(&admin_url().unwrap(), &t.name);
    let second: Arc<dyn Store> = Arc::new(PostgresStore::open(&url).await.unwrap());
    let first = t.store();
    let mut handles = Vec::new();
    for i in 0..200 {
        let s = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        handles.push(tokio::spawn(async move {
            let new = fixtures::new_case("0741", baraza_core::Channel::Sms, None);
            s.create_case(new, fixtures::citizen(), fixtures::now())
                .await
                .unwrap()
                .case
                .number
        }));
    }
    let mut numbers = BTreeSet::new();
    for h in handles {
        numbers.insert(h.await.unwrap());
    }
    assert_eq!(numbers.len(), 200);
    let report = verify_journal(&*first, None).await.unwrap().unwrap();
    assert_eq!(report.events, 200);
    drop(second);
    t.cleanup().await;
}

#[tokio::test]
async fn postgres_sqlite_export_imports_losslessly() {
    if !configured() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite =
        baraza_store_sqlite::SqliteStore::open(&format!("sqlite://{}/b.db", dir.path().display()))
            .await
            .unwrap();
    populate(&sqlite).await;
    let mut file = Vec::new();
    let counts = export_jsonl(&sqlite, None, &mut file, fixtures::now())
        .await
        .unwrap();
    let t = make().await;
    assert_eq!(import_jsonl(&*t.store(), &file[..]).await.unwrap(), counts);
    let collect = |s: Arc<dyn Store>| async move {
        let mut v = Vec::new();
        for_each_record(&*s, None, |r| {
            v.push(r);
            Ok(())
        })
        .await
        .unwrap();
        v
    };
    let sqlite: Arc<dyn Store> = Arc::new(sqlite);
    assert_eq!(collect(sqlite.clone()).await, collect(t.store()).await);
    assert_eq!(
        verify_journal(&*t.store(), None).await.unwrap(),
        verify_journal(&*sqlite, None).await.unwrap()
    );
    t.cleanup().await;
}

#[tokio::test]
async fn postgres_and_sqlite_schemas_have_the_same_tables_and_columns() {
    if !configured() {
        return;
    }
    let t = make().await;
    let pg: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(t.store.pool())
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite =
        baraza_store_sqlite::SqliteStore::open(&format!("sqlite://{}/b.db", dir.path().display()))
            .await
            .unwrap();
    let lite: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE '_sqlx%' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(sqlite.pool())
    .await
    .unwrap();
    let pg: BTreeSet<_> = pg.into_iter().collect();
    let lite: BTreeSet<_> = lite.into_iter().collect();
    assert_eq!(pg, lite, "the two migration trees disagree");
    t.cleanup().await;
}

#[tokio::test]
async fn postgres_one_batch_writes_many_intakes_and_isolates_a_bad_one() {
    use baraza_core::{Action, Channel, Deadlines};
    use baraza_store::group_commit::{WriteOp, WriteOutcome, run_batch};
    use rand::SeedableRng;
    if !configured() {
        return;
    }
    let t = make().await;
    let s = t.store();
    fixtures::seed(&*s).await;
    let earlier = s
        .create_case(
            fixtures::new_case("0741", Channel::Sms, Some("+254711000001")),
            fixtures::citizen(),
            fixtures::now(),
        )
        .await
        .unwrap()
        .case;
    let create = |new: baraza_core::NewCase| WriteOp::Create {
        new: Box::new(new),
        actor: fixtures::citizen(),
        at: fixtures::now(),
    };
    let mut keyed = fixtures::new_case("0741", Channel::Web, Some("+254711000002"));
    keyed.idempotency_key = Some("form-1".into());
    let mut stranger = fixtures::new_case("0741", Channel::Web, None);
    stranger.jurisdiction = baraza_core::JurisdictionId::parse("nowhere").unwrap();
    let ops = vec![
        // A new citizen, then the same citizen again in the same batch.
        create(keyed.clone()),
        create(fixtures::new_case(
            "0742",
            Channel::Sms,
            Some("+254711000002"),
        )),
        // The same form posted twice: one case.
        create(keyed),
        // A citizen already in the database.
        create(fixtures::new_case(
            "0742",
            Channel::Sms,
            Some("+254711000001"),
        )),
        // A jurisdiction that does not exist: only known when the rows are written.
        create(stranger),
        // An action in the middle of the batch: its read writes what waits before it.
        WriteOp::Act {
            number: earlier.number,
            expected_version: None,
            actor: fixtures::desk(),
            action: Box::new(Action::Acknowledge),
            targets: Box::new(Deadlines::default()),
            at: fixtures::now(),
        },
        create(fixtures::new_case("0746", Channel::Web, None)),
    ];
    let url = baraza_store_postgres::url_with_database(&admin_url().unwrap(), &t.name);
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let mut tx = baraza_store_postgres::PgBatchTx::new(options);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let results = run_batch(&mut tx, ops, &mut rng).await;
    let intake = |i: usize| match &results[i] {
        Ok(WriteOutcome::Created(intake)) => intake.clone(),
        other => panic!("write {i}: {other:?}"),
    };
    let (first, again, replay, known) = (intake(0), intake(1), intake(2), intake(3));
    assert!(first.created && again.created && !replay.created && known.created);
    assert_eq!(replay.case.number, first.case.number, "one case per form");
    assert_eq!(
        first.case.citizen, again.case.citizen,
        "matched within the batch"
    );
    assert_eq!(
        known.case.citizen, earlier.citizen,
        "matched in the database"
    );
    assert!(results[4].is_err(), "the stranger fails: {:?}", results[4]);
    assert!(matches!(results[5], Ok(WriteOutcome::Acted(_))));
    assert!(matches!(results[6], Ok(WriteOutcome::Created(_))));
    for i in [0, 1, 3, 6] {
        let n = intake(i).case.number;
        assert!(
            s.case_by_number(n).await.unwrap().is_some(),
            "case {i} stored"
        );
    }
    let report = verify_journal(&*s, None).await.unwrap().unwrap();
    assert_eq!(report.events, 6, "five intakes and one acknowledgement");
    let acks: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    // One per intake with a phone: the earlier one, the batch's two, the known citizen's
    // (an acknowledgement by the desk sends nothing: the intake was acknowledged already).
    assert_eq!(acks, 4);
    pool.close().await;
    t.cleanup().await;
}

/// The journal and messages as they stood before chains per jurisdiction (migrations 0001 to 0012).
const BEFORE_CHAINS: &str = "
DROP TRIGGER jurisdiction_chain ON jurisdictions;
DROP FUNCTION jurisdiction_chain();
DROP TABLE journal_heads;
DROP TABLE journal_shared;
DROP FUNCTION journal_shared_is_closed();
ALTER TABLE journal DROP CONSTRAINT journal_pkey;
ALTER TABLE journal ADD PRIMARY KEY (seq);
DROP INDEX journal_by_time;
CREATE INDEX journal_by_time ON journal (at);
ALTER TABLE journal DROP COLUMN jurisdiction_id;
CREATE OR REPLACE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.payload IS NULL AND OLD.payload IS NOT NULL
       AND NEW.seq = OLD.seq AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at
       AND NEW.actor_role = OLD.actor_role AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.channel = OLD.channel AND NEW.kind = OLD.kind AND NEW.visibility = OLD.visibility
       AND NEW.payload_sha256 = OLD.payload_sha256 AND NEW.prev_hash = OLD.prev_hash
       AND NEW.hash = OLD.hash THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the journal is append-only (only erasure may take a payload out)';
END;
$$;
DELETE FROM _sqlx_migrations WHERE version = 13;
DROP INDEX outbox_by_jurisdiction;
DROP INDEX inbound_by_jurisdiction;
ALTER TABLE outbox DROP COLUMN jurisdiction_id;
ALTER TABLE inbound_messages DROP COLUMN jurisdiction_id;
DELETE FROM _sqlx_migrations WHERE version = 14;
";

/// Tables and their columns, indexes (with their definition), triggers and functions.
async fn schema(pool: &sqlx::PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
         FROM information_schema.columns WHERE table_schema = 'public' \
         UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' \
         UNION ALL SELECT 'trigger', trigger_name || ' ' || event_manipulation || ' ' || event_object_table \
         FROM information_schema.triggers WHERE trigger_schema = 'public' \
         UNION ALL SELECT 'function', p.proname || ' ' || md5(p.prosrc) FROM pg_proc p \
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' \
         ORDER BY 1, 2",
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
    if !configured() {
        return;
    }
    let (old, scratch, empty, reference) = (make().await, make().await, make().await, make().await);
    let (v1, shared) =
        baraza_store::conformance::two_jurisdictions_in_one_chain(&*scratch.store()).await;
    baraza_store::portable::import_jsonl(&*old.store, v1.as_bytes())
        .await
        .unwrap();
    let url = baraza_store_postgres::url_with_database(&admin_url().unwrap(), &old.name);
    old.store.close().await;
    // Back to the schema of migration 0012, with the data as it was written then.
    let raw = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(BEFORE_CHAINS).execute(&raw).await.unwrap();
    let reference_url =
        baraza_store_postgres::url_with_database(&admin_url().unwrap(), &reference.name);
    reference.store.close().await;
    let made_before = sqlx::PgPool::connect(&reference_url).await.unwrap();
    sqlx::raw_sql(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO public;",
    )
    .execute(&made_before)
    .await
    .unwrap();
    let before = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(
            baraza_store_postgres::MIGRATOR
                .iter()
                .filter(|m| m.version <= 12)
                .cloned()
                .collect(),
        ),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    before.run(&made_before).await.unwrap();
    assert_eq!(schema(&raw).await, schema(&made_before).await);
    raw.close().await;
    made_before.close().await;

    let migrated = PostgresStore::open(&url).await.unwrap();
    baraza_store::conformance::chains_go_on_from_the_shared_chain(
        &migrated,
        &*empty.store(),
        &shared,
    )
    .await;
    migrated.close().await;
    for t in [old, scratch, empty, reference] {
        t.cleanup().await;
    }
}
