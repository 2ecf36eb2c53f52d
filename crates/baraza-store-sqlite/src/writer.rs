//! The SQLite side of the group-commit writer: one connection of the C library (through
//! rusqlite) on a thread of its own, `BEGIN IMMEDIATE` per batch, a savepoint per write.
//! SQLite has one writer at a time anyway; batching turns one fsync per case into one per
//! batch, and the dedicated thread spares each statement a hop between threads.

use crate::rows::{self, SqlValue};
use crate::writes::{INSERT_CITIZEN, INSERT_EVENT, INSERT_INBOUND, INSERT_OUTBOX, UPSERT_CASE};
use async_trait::async_trait;
use baraza_core::*;
use baraza_store::{BatchTx, HeadOf, StoreError, StoreResult};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::LazyLock;

pub struct SqliteWriter {
    conn: Connection,
    /// Reference prefixes by jurisdiction: read once, they change only with a reload.
    prefixes: std::collections::HashMap<JurisdictionId, String>,
}

impl SqliteWriter {
    /// Open the writer's connection with the same durability as the pool: WAL, FULL sync.
    /// Its page cache is 16 MB: the pages an intake touches (the ends of the time-ordered
    /// indexes, the paths to random keys) fit, and the rest is in the system's file cache
    /// and the memory map; a larger cache was resident memory for little speed. The map
    /// is 64 MB: its pages count in the server's resident memory, and at a million cases
    /// a 256 MB map filled up for intake figures within noise of 64 MB's.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
             PRAGMA cache_size = -16384; PRAGMA mmap_size = 67108864;",
        )
        .map_err(err)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self {
            conn,
            prefixes: Default::default(),
        })
    }

    fn exec(&self, sql: &str) -> StoreResult<()> {
        self.conn.execute_batch(sql).map_err(err)
    }

    fn execute_values(&self, sql: &str, values: Vec<SqlValue>) -> StoreResult<()> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
        let values: Vec<Value> = values.into_iter().map(to_value).collect();
        stmt.execute(rusqlite::params_from_iter(values.iter()))
            .map(|_| ())
            .map_err(err)
    }

    /// One JSON record (a plan, a project) by a query.
    fn plan_where<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> StoreResult<Option<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
        let mut found = stmt.query(p).map_err(err)?;
        match found.next().map_err(err)? {
            Some(row) => {
                let text: String = row.get(0).map_err(err)?;
                crate::disclosure::record(&text).map(Some)
            }
            None => Ok(None),
        }
    }

    fn case_where(&self, clause: &str, p: &dyn rusqlite::ToSql) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE {clause}", rows::CASE_COLUMNS);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt.query([p]).map_err(err)?;
        match found.next().map_err(err)? {
            Some(row) => rows::case(row).map(Some),
            None => Ok(None),
        }
    }
}

pub(crate) fn to_value(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Int(i) => Value::Integer(i),
        SqlValue::Real(f) => Value::Real(f),
        SqlValue::Text(s) => Value::Text(s),
    }
}

pub(crate) fn err(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict {
                code: "already_exists",
                message: e.to_string(),
            }
        }
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

static FIND_CITIZEN: LazyLock<[String; 3]> = LazyLock::new(|| {
    ["phone", "whatsapp_id", "email"].map(|col| {
        format!(
            "SELECT {} FROM citizens WHERE jurisdiction_id = ?1 AND {col} = ?2 ORDER BY created_at LIMIT 1",
            rows::CITIZEN_COLUMNS
        )
    })
});

#[async_trait]
impl BatchTx for SqliteWriter {
    async fn begin(&mut self) -> StoreResult<()> {
        self.exec("BEGIN IMMEDIATE")
    }
    async fn lock_heads(
        &mut self,
        wanted: &[HeadOf],
    ) -> StoreResult<Vec<(JurisdictionId, ChainHead)>> {
        // BEGIN IMMEDIATE already holds SQLite's one write lock: this only reads.
        let mut named: Vec<JurisdictionId> = Vec::with_capacity(wanted.len());
        for w in wanted {
            let (sql, key) = match w {
                HeadOf::Jurisdiction(j) => {
                    named.push(j.clone());
                    continue;
                }
                HeadOf::Case(n) => (
                    "SELECT jurisdiction_id FROM cases WHERE number = ?1",
                    Value::Integer(i64::from(n.value())),
                ),
                HeadOf::Document(id) => (
                    "SELECT jurisdiction_id FROM action_plans WHERE id = ?1 \
                     UNION ALL SELECT jurisdiction_id FROM projects WHERE id = ?1",
                    Value::Text(id.to_string()),
                ),
                HeadOf::Citizen(c) => (
                    "SELECT jurisdiction_id FROM citizens WHERE id = ?1",
                    Value::Text(c.0.to_string()),
                ),
            };
            let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
            let found: Option<String> = stmt
                .query_row(params![key], |r| r.get(0))
                .optional()
                .map_err(err)?;
            // Nothing found: the write fails on its own (no such case, plan or citizen).
            if let Some(j) = found {
                named.push(JurisdictionId::parse(&j)?);
            }
        }
        named.sort_unstable();
        named.dedup();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, hash FROM journal_heads WHERE jurisdiction_id = ?1")
            .map_err(err)?;
        let mut out = Vec::with_capacity(named.len());
        for j in named {
            let head = stmt
                .query_row(params![j.as_str()], |r| {
                    Ok(ChainHead {
                        seq: r.get(0)?,
                        hash: r.get(1)?,
                    })
                })
                .optional()
                .map_err(err)?;
            // An unknown jurisdiction has no chain: the write fails on its own reference.
            if let Some(head) = head {
                out.push((j, head));
            }
        }
        Ok(out)
    }
    async fn write_heads(&mut self, heads: &[(JurisdictionId, ChainHead)]) -> StoreResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE journal_heads SET seq = ?2, hash = ?3 WHERE jurisdiction_id = ?1",
            )
            .map_err(err)?;
        for (j, head) in heads {
            stmt.execute(params![j.as_str(), head.seq, head.hash])
                .map_err(err)?;
        }
        Ok(())
    }
    async fn savepoint(&mut self) -> StoreResult<()> {
        self.exec("SAVEPOINT write_op")
    }
    async fn release_savepoint(&mut self) -> StoreResult<()> {
        self.exec("RELEASE write_op")
    }
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        self.exec("ROLLBACK TO write_op")
    }
    async fn commit(&mut self) -> StoreResult<()> {
        self.exec("COMMIT")
    }
    async fn rollback(&mut self) -> StoreResult<()> {
        if self.conn.is_autocommit() {
            Ok(())
        } else {
            self.exec("ROLLBACK")
        }
    }

    async fn case_by_idempotency_key(
        &mut self,
        j: &JurisdictionId,
        key: &str,
    ) -> StoreResult<Option<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE jurisdiction_id = ?1 AND idempotency_key = ?2",
            rows::CASE_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt.query(params![j.as_str(), key]).map_err(err)?;
        match found.next().map_err(err)? {
            Some(row) => rows::case(row).map(Some),
            None => Ok(None),
        }
    }

    async fn find_citizen(
        &mut self,
        j: &JurisdictionId,
        c: &NewCitizen,
    ) -> StoreResult<Option<Citizen>> {
        let probes = [
            c.phone.as_ref().map(|p| p.as_str().to_owned()),
            c.whatsapp_id.clone(),
            c.email.as_ref().map(|e| e.as_str().to_owned()),
        ];
        for (sql, value) in FIND_CITIZEN.iter().zip(probes) {
            let Some(value) = value else { continue };
            let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
            let mut found = stmt.query(params![j.as_str(), value]).map_err(err)?;
            if let Some(row) = found.next().map_err(err)? {
                return rows::citizen(row).map(Some);
            }
        }
        Ok(None)
    }

    async fn insert_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        self.execute_values(&INSERT_CITIZEN, rows::citizen_values(c))
    }

    async fn number_taken(&mut self, n: CaseNumber) -> StoreResult<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM cases WHERE number = ?1")
            .map_err(err)?;
        stmt.exists(params![i64::from(n.value())]).map_err(err)
    }

    async fn insert_case(&mut self, c: &Case) -> StoreResult<()> {
        self.execute_values(&UPSERT_CASE, rows::case_values(c))
    }

    async fn case_for_update(&mut self, n: CaseNumber) -> StoreResult<Option<Case>> {
        // BEGIN IMMEDIATE already holds SQLite's one write lock: no row lock needed.
        self.case_where("number = ?1", &i64::from(n.value()))
    }

    async fn update_case(&mut self, c: &Case) -> StoreResult<()> {
        self.execute_values(&UPSERT_CASE, rows::case_values(c))
    }

    async fn append_event(&mut self, e: &JournalEvent) -> StoreResult<()> {
        self.execute_values(&INSERT_EVENT, rows::event_values(e))
    }

    async fn citizen(&mut self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let sql = format!(
            "SELECT {} FROM citizens WHERE id = ?1",
            rows::CITIZEN_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt.query(params![id.0.to_string()]).map_err(err)?;
        match found.next().map_err(err)? {
            Some(row) => rows::citizen(row).map(Some),
            None => Ok(None),
        }
    }

    async fn update_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE citizens SET language = ?1, consent_contact = ?2, consent_publish = ?3, name = ?4, \
                 gender = ?5, age_band = ?6 WHERE id = ?7",
            )
            .map_err(err)?;
        stmt.execute(params![
            c.language.as_str(),
            c.consent.contact,
            c.consent.publish,
            c.name,
            c.gender.map(|g| g.as_str()),
            c.age_band.map(|a| a.as_str()),
            c.id.0.to_string()
        ])
        .map(|_| ())
        .map_err(err)
    }

    async fn reference_prefix(&mut self, j: &JurisdictionId) -> StoreResult<String> {
        if let Some(p) = self.prefixes.get(j) {
            return Ok(p.clone());
        }
        let p: String = self
            .conn
            .query_row(
                "SELECT reference_prefix FROM jurisdictions WHERE id = ?1",
                params![j.as_str()],
                |r| r.get(0),
            )
            .map_err(err)?;
        self.prefixes.insert(j.clone(), p.clone());
        Ok(p)
    }

    async fn recent_cases_of(&mut self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE citizen_id = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2",
            rows::CASE_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt
            .query(params![citizen.0.to_string(), i64::from(limit)])
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            out.push(rows::case(row)?);
        }
        Ok(out)
    }

    async fn insert_outbox(&mut self, e: &baraza_core::outbound::OutboxEntry) -> StoreResult<()> {
        self.execute_values(&INSERT_OUTBOX, rows::outbox_values(e))
    }

    async fn insert_publication(
        &mut self,
        p: &baraza_core::disclosure::Publication,
    ) -> StoreResult<()> {
        self.execute_values(
            crate::disclosure::INSERT_PUBLICATION,
            crate::disclosure::publication_values(p),
        )
    }

    async fn put_follower(
        &mut self,
        s: &baraza_core::disclosure::Subscription,
    ) -> StoreResult<bool> {
        self.execute_values(
            crate::disclosure::INSERT_FOLLOWER,
            crate::disclosure::follower_values(s),
        )?;
        Ok(self.conn.changes() == 1)
    }

    async fn followers(
        &mut self,
        j: &JurisdictionId,
        class: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        let mut stmt = self
            .conn
            .prepare_cached(crate::disclosure::FOLLOWERS)
            .map_err(err)?;
        let mut found = stmt.query(params![j.as_str(), class]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            let text: String = row.get(0).map_err(err)?;
            out.push(crate::disclosure::record(&text)?);
        }
        Ok(out)
    }

    async fn plan_for_update(
        &mut self,
        id: baraza_core::action_plan::PlanId,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        // BEGIN IMMEDIATE already holds SQLite's one write lock.
        self.plan_where(crate::plans::PLAN_BY_ID, params![id.to_string()])
    }

    async fn plan_by_slug(
        &mut self,
        j: &JurisdictionId,
        slug: &str,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        self.plan_where(crate::plans::PLAN_BY_SLUG, params![j.as_str(), slug])
    }

    async fn plans_in(
        &mut self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT record FROM action_plans WHERE jurisdiction_id = ?1 ORDER BY slug",
            )
            .map_err(err)?;
        let mut found = stmt.query(params![j.as_str()]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            let text: String = row.get(0).map_err(err)?;
            out.push(crate::disclosure::record(&text)?);
        }
        Ok(out)
    }

    async fn put_plan(&mut self, p: &baraza_core::action_plan::ActionPlan) -> StoreResult<()> {
        self.execute_values(crate::plans::PUT_PLAN, crate::plans::plan_values(p))
    }

    async fn project_for_update(
        &mut self,
        id: baraza_core::project::ProjectId,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        // BEGIN IMMEDIATE already holds SQLite's one write lock.
        self.plan_where(crate::projects::PROJECT_BY_ID, params![id.to_string()])
    }

    async fn project_by_code(
        &mut self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        self.plan_where(crate::projects::PROJECT_BY_CODE, params![j.as_str(), code])
    }

    async fn put_project(&mut self, p: &baraza_core::project::Project) -> StoreResult<()> {
        self.execute_values(
            crate::projects::PUT_PROJECT,
            crate::projects::project_values(p),
        )
    }

    async fn area_named(
        &mut self,
        j: &JurisdictionId,
        typed: &str,
    ) -> StoreResult<Option<(baraza_core::AreaCode, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT code, name FROM areas WHERE jurisdiction_id = ?1 \
                 AND (code = ?2 OR lower(name) = lower(?2)) ORDER BY depth DESC LIMIT 1",
            )
            .map_err(err)?;
        let mut found = stmt.query(params![j.as_str(), typed.trim()]).map_err(err)?;
        match found.next().map_err(err)? {
            Some(row) => Ok(Some((
                baraza_core::AreaCode(row.get(0).map_err(err)?),
                row.get(1).map_err(err)?,
            ))),
            None => Ok(None),
        }
    }

    async fn drop_follower(&mut self, address: &str) -> StoreResult<u64> {
        self.conn
            .execute(crate::disclosure::DROP_FOLLOWER, params![address])
            .map(|n| n as u64)
            .map_err(err)
    }

    async fn file_in_use(&mut self, sha256: &str) -> StoreResult<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM cases WHERE attachments LIKE ?1)",
                params![format!("%\"{sha256}\"%")],
                |r| r.get::<_, bool>(0),
            )
            .map_err(err)
    }

    async fn staff_of(&mut self, j: &JurisdictionId) -> StoreResult<Vec<StaffUser>> {
        let sql = format!(
            "SELECT {} FROM users WHERE jurisdiction_id = ?1 AND disabled = 0",
            rows::USER_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt.query(params![j.as_str()]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            out.push(rows::user(row)?);
        }
        Ok(out)
    }

    async fn insert_inbound(
        &mut self,
        m: &baraza_core::outbound::InboundMessage,
    ) -> StoreResult<bool> {
        self.execute_values(&INSERT_INBOUND, rows::inbound_values(m))?;
        Ok(self.conn.changes() == 1)
    }

    async fn set_inbound_outcome(
        &mut self,
        id: uuid::Uuid,
        outcome: baraza_core::outbound::InboundOutcome,
        case: Option<CaseId>,
    ) -> StoreResult<()> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE inbound_messages SET outcome = ?1, case_id = ?2 WHERE id = ?3")
            .map_err(err)?;
        stmt.execute(params![
            outcome.as_str(),
            case.map(|c| c.0.to_string()),
            id.to_string()
        ])
        .map(|_| ())
        .map_err(err)
    }

    async fn case_events(&mut self, case: CaseId) -> StoreResult<Vec<JournalEvent>> {
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id = ?1 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt.query(params![case.0.to_string()]).map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            out.push(rows::event(row)?);
        }
        Ok(out)
    }

    async fn claim_outbox(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::OutboxEntry>> {
        // Inside the writer's transaction: no other claim can overlap it.
        let sql = format!(
            "UPDATE outbox SET next_attempt_at = ?1 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' \
             AND next_attempt_at <= ?2 ORDER BY next_attempt_at LIMIT ?3) RETURNING {}",
            rows::OUTBOX_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(err)?;
        let mut found = stmt
            .query(params![
                rows::ts(&lease_until),
                rows::ts(&now),
                i64::from(limit)
            ])
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = found.next().map_err(err)? {
            out.push(rows::outbox(row)?);
        }
        Ok(out)
    }

    async fn update_outbox(
        &mut self,
        outcomes: &[(baraza_core::outbound::OutboxEntry, Timestamp)],
    ) -> StoreResult<Vec<bool>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET status = ?1, attempts = ?2, next_attempt_at = ?3, provider = ?4, \
                 provider_message_id = ?5, cost = ?6, last_error = ?7, updated_at = ?8 \
                 WHERE id = ?9 AND status = 'pending' AND next_attempt_at = ?10",
            )
            .map_err(err)?;
        let mut recorded = Vec::with_capacity(outcomes.len());
        for (e, claimed_until) in outcomes {
            let done = stmt
                .execute(params![
                    e.status.as_str(),
                    i64::from(e.attempts),
                    rows::ts(&e.next_attempt_at),
                    e.provider,
                    e.provider_message_id,
                    e.cost,
                    e.last_error,
                    rows::ts(&e.updated_at),
                    e.message.id.to_string(),
                    rows::ts(claimed_until),
                ])
                .map_err(err)?;
            recorded.push(done == 1);
        }
        Ok(recorded)
    }

    async fn erase_payload(&mut self, j: &JurisdictionId, seq: i64) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE journal SET payload = NULL WHERE jurisdiction_id = ?1 AND seq = ?2",
                params![j.as_str(), seq],
            )
            .map(|_| ())
            .map_err(err)
    }

    async fn erase_messages(
        &mut self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<(u64, u64)> {
        let addresses = rows::to_json(&addresses);
        let cases = rows::to_json(&cases.iter().map(|c| c.0.to_string()).collect::<Vec<_>>());
        let inbound = self
            .conn
            .execute(
                "UPDATE inbound_messages SET body = '', from_address = '', media_id = NULL, \
                 media_status = CASE WHEN media_status IS NULL THEN NULL ELSE 'failed' END \
                 WHERE from_address IN (SELECT value FROM json_each(?1)) \
                    OR case_id IN (SELECT value FROM json_each(?2))",
                params![addresses, cases],
            )
            .map_err(err)?;
        let outbox = self
            .conn
            .execute(
                "UPDATE outbox SET to_address = '', \
                 template = json_replace(template, '$.text', '[erased]', '$.reason', '[erased]', \
                     '$.to', '[erased]', '$.note', '[erased]'), \
                 status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, \
                 last_error = CASE WHEN status = 'pending' THEN 'personal data erased' ELSE last_error END \
                 WHERE to_address IN (SELECT value FROM json_each(?1)) \
                    OR case_id IN (SELECT value FROM json_each(?2))",
                params![addresses, cases],
            )
            .map_err(err)?;
        Ok((inbound as u64, outbox as u64))
    }

    async fn replace_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE citizens SET phone = ?1, whatsapp_id = ?2, email = ?3, name = ?4, language = ?5, \
                 gender = ?6, age_band = ?7, consent_contact = ?8, consent_publish = ?9 WHERE id = ?10",
                params![
                    c.phone.as_ref().map(|p| p.as_str().to_owned()),
                    c.whatsapp_id,
                    c.email.as_ref().map(|e| e.as_str().to_owned()),
                    c.name,
                    c.language.as_str(),
                    c.gender.map(|g| g.as_str()),
                    c.age_band.map(|a| a.as_str()),
                    c.consent.contact,
                    c.consent.publish,
                    c.id.0.to_string()
                ],
            )
            .map(|_| ())
            .map_err(err)
    }
}
