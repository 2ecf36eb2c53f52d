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
