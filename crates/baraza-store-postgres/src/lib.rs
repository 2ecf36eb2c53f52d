//! Baraza's store on PostgreSQL, for counties that run several `baraza serve` processes
//! on one database, or already operate PostgreSQL. Same schema and behaviour as SQLite
//! (the conformance suite checks both); writes are group-committed per process, and
//! processes serialise on the journal head's row lock.

mod rows;
mod writes;

use async_trait::async_trait;
use baraza_core::outbound::{OutboxEntry, OutboxStatus};
use baraza_core::*;
use baraza_store::inbound::{Arrival, Handled};
use baraza_store::{Acted, GroupCommitter, Intake, Record, Store, StoreError, StoreResult};
use futures::TryStreamExt;
use rows::db_err;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool, Postgres, QueryBuilder};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::mpsc;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many writes may share one commit.
const MAX_BATCH: usize = 512;

pub struct PostgresStore {
    pool: PgPool,
    writer: GroupCommitter,
}

impl PostgresStore {
    /// Connect to `url` (`postgres://user@host/db`) and bring the schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("not a PostgreSQL URL: {e}")))?
            .log_statements(tracing::log::LevelFilter::Trace)
            // Exports stream for minutes by design: not worth a warning.
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating the schema: {e}")))?;
        let writer = GroupCommitter::spawn(
            writes::PgBatchTx {
                pool: pool.clone(),
                conn: None,
                prefixes: Default::default(),
            },
            MAX_BATCH,
        );
        Ok(Self { pool, writer })
    }

    /// Direct access for tests that must tamper with the database like an outside tool would.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        if !self.writer.is_running() {
            return Err(StoreError::Unavailable("the writer has stopped".into()));
        }
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn put_jurisdiction(&self, j: &Jurisdiction) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_jurisdiction(&mut conn, j).await
    }

    async fn jurisdictions(&self) -> StoreResult<Vec<Jurisdiction>> {
        let rows = sqlx::query("SELECT * FROM jurisdictions ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::jurisdiction).collect()
    }

    async fn put_areas(&self, areas: &[Area]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        for a in areas {
            writes::put_area(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn areas(&self, j: &JurisdictionId) -> StoreResult<Vec<Area>> {
        let rows =
            sqlx::query("SELECT * FROM areas WHERE jurisdiction_id = $1 ORDER BY depth, code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.iter().map(rows::area).collect()
    }

    async fn put_department(&self, d: &Department) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_department(&mut conn, d).await
    }

    async fn departments(&self, j: &JurisdictionId) -> StoreResult<Vec<Department>> {
        let rows =
            sqlx::query("SELECT * FROM departments WHERE jurisdiction_id = $1 ORDER BY code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.iter().map(rows::department).collect()
    }

    async fn put_category(&self, c: &ServiceCategory) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_category(&mut conn, c).await
    }

    async fn categories(&self, j: &JurisdictionId) -> StoreResult<Vec<ServiceCategory>> {
        let rows = sqlx::query("SELECT * FROM categories WHERE jurisdiction_id = $1 ORDER BY code")
            .bind(j.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::category).collect()
    }

    async fn add_user(&self, u: &StaffUser) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::add_user(&mut conn, u).await
    }

    async fn users(&self, j: Option<&JurisdictionId>) -> StoreResult<Vec<StaffUser>> {
        let rows = sqlx::query(
            "SELECT * FROM users WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY username",
        )
        .bind(j.map(|j| j.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(rows::user).collect()
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<StaffUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StaffUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    async fn set_user_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("user"))
        } else {
            Ok(())
        }
    }

    async fn add_token(&self, t: &ApiToken) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::add_token(&mut conn, t).await
    }

    async fn tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT * FROM api_tokens WHERE $1::uuid IS NULL OR user_id = $1 ORDER BY created_at",
        )
        .bind(user.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(rows::token).collect()
    }

    async fn token_by_secret_sha256(&self, sha256_hex: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query("SELECT * FROM api_tokens WHERE secret_sha256 = $1")
            .bind(sha256_hex)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::token).transpose()
    }

    async fn revoke_token(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("token"))
        } else {
            Ok(())
        }
    }

    async fn credentials(&self, user: UserId) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT password_hash, failed_logins, locked_until FROM users WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Credentials {
            password_hash: rows::get(&r, "password_hash")?,
            failed_logins: u32::try_from(rows::get::<i32>(&r, "failed_logins")?).unwrap_or(0),
            locked_until: rows::get(&r, "locked_until")?,
        }))
    }

    async fn set_password(&self, user: UserId, phc: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(phc)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn record_failed_login(
        &self,
        user: UserId,
        lock_after: u32,
        lock_until: Timestamp,
    ) -> StoreResult<u32> {
        let n: i32 = sqlx::query_scalar(
            "UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE \
             WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END WHERE id = $3 \
             RETURNING failed_logins",
        )
        .bind(i32::try_from(lock_after).unwrap_or(i32::MAX))
        .bind(lock_until)
        .bind(user.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(0))
    }

    async fn clear_failed_logins(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn add_session(&self, s: &Session) -> StoreResult<()> {
        let user = s.user;
        sqlx::query(
            "INSERT INTO sessions (id_sha256, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_sha256)
        .bind(user.0)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db_err)
    }

    async fn session(&self, id_sha256: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE id_sha256 = $1")
            .bind(id_sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Session {
            id_sha256: rows::get(&r, "id_sha256")?,
            user: UserId(rows::get(&r, "user_id")?),
            csrf_token: rows::get(&r, "csrf_token")?,
            created_at: rows::get(&r, "created_at")?,
            expires_at: rows::get(&r, "expires_at")?,
        }))
    }

    async fn end_session(&self, id_sha256: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1")
            .bind(id_sha256)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn end_sessions_of(&self, user: UserId) -> StoreResult<u64> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
    }

    async fn create_case(&self, new: NewCase, actor: Actor, at: Timestamp) -> StoreResult<Intake> {
        self.writer.create_case(new, actor, at).await
    }

    async fn act(
        &self,
        number: CaseNumber,
        expected_version: Option<u32>,
        actor: Actor,
        action: Action,
        targets: Deadlines,
        at: Timestamp,
    ) -> StoreResult<Acted> {
        self.writer
            .act(number, expected_version, actor, action, targets, at)
            .await
    }

    async fn case_by_number(&self, number: CaseNumber) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE number = $1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(i64::from(number.value()))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE id = $1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>> {
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id = $1 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::event).collect()
    }

    async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE jurisdiction_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1")
            .bind(j.as_str())
            .bind(phone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    async fn cases_of_citizen(&self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE citizen_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2",
            rows::CASE_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(citizen.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::case).collect()
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<Case>> {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(format!(
            "SELECT {} FROM cases WHERE 1 = 1",
            rows::CASE_COLUMNS
        ));
        push_filter(&mut q, f);
        if let Some((at, id)) = &f.after {
            q.push(" AND (created_at < ").push_bind(*at);
            q.push(" OR (created_at = ").push_bind(*at);
            q.push(" AND id < ").push_bind(id.0);
            q.push("))");
        }
        q.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(f.limit));
        let rows = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(rows::case).collect()
    }

    async fn count_cases(&self, f: &CaseFilter) -> StoreResult<u64> {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new("SELECT COUNT(*) FROM cases WHERE 1 = 1");
        push_filter(&mut q, f);
        let n: i64 = q
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>> {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(STATS_SELECT);
        q.push(" WHERE c.jurisdiction_id = ")
            .push_bind(j.as_str().to_owned());
        if let Some(id) = after {
            q.push(" AND c.id > ").push_bind(id.0);
        }
        q.push(" ORDER BY c.id LIMIT ").push_bind(i64::from(limit));
        let found = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        found.iter().map(rows::case_stat).collect()
    }

    async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)> {
        let touched: Vec<(i64, CaseIdText)> =
            sqlx::query_as("SELECT seq, case_id FROM journal WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        let Some(last) = touched.last().map(|(s, _)| u64::try_from(*s).unwrap_or(0)) else {
            return Ok((Vec::new(), after_seq));
        };
        let mut ids: Vec<CaseIdText> = touched.into_iter().map(|(_, id)| id).collect();
        ids.sort();
        ids.dedup();
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(STATS_SELECT);
        q.push(" WHERE c.jurisdiction_id = ")
            .push_bind(j.as_str().to_owned());
        q.push(" AND c.id IN (");
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(id);
        }
        q.push(")");
        let found = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        let rows = found
            .iter()
            .map(rows::case_stat)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((rows, last))
    }

    async fn public_events(
        &self,
        j: &JurisdictionId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(CaseNumber, JournalEvent)>> {
        let columns: Vec<String> = rows::EVENT_COLUMNS
            .split(',')
            .map(|c| format!("e.{0} AS {0}", c.trim()))
            .collect();
        let sql = format!(
            "SELECT {}, c.number AS case_number FROM journal e JOIN cases c ON c.id = e.case_id \
             WHERE c.jurisdiction_id = $1 AND e.visibility = 'public' AND e.at >= $2 AND e.at <= $3 \
             ORDER BY e.seq LIMIT $4",
            columns.join(", ")
        );
        let found = sqlx::query(&sql)
            .bind(j.as_str())
            .bind(from)
            .bind(to)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found
            .iter()
            .map(|r| {
                let n = u32::try_from(rows::get::<i64>(r, "case_number")?)
                    .map_err(StoreError::corrupt)?;
                Ok((
                    CaseNumber::from_value(n).map_err(StoreError::corrupt)?,
                    rows::event(r)?,
                ))
            })
            .collect()
    }

    async fn receive_message(&self, arrival: Arrival) -> StoreResult<Handled> {
        self.writer.inbound(arrival).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        // SKIP LOCKED: workers in other processes claim other rows, never the same.
        let sql = format!(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' \
             AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {}",
            rows::OUTBOX_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::outbox).collect()
    }

    async fn update_outbox(&self, e: &OutboxEntry, claimed_until: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, provider = $4, \
             provider_message_id = $5, cost = $6, last_error = $7, updated_at = $8 \
             WHERE id = $9 AND status = 'pending' AND next_attempt_at = $10",
        )
        .bind(e.status.as_str())
        .bind(i32::try_from(e.attempts).unwrap_or(i32::MAX))
        .bind(e.next_attempt_at)
        .bind(&e.provider)
        .bind(&e.provider_message_id)
        .bind(&e.cost)
        .bind(&e.last_error)
        .bind(e.updated_at)
        .bind(e.message.id)
        .bind(claimed_until)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn outbox_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: OutboxStatus,
        detail: Option<String>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = $1, last_error = COALESCE($2, last_error), updated_at = $3 \
             WHERE provider = $4 AND provider_message_id = $5 AND status NOT IN ('delivered', 'failed') \
             AND ($1 <> 'sent' OR status = 'pending')",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(at)
        .bind(provider)
        .bind(provider_message_id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let ours =
            sqlx::query("SELECT 1 FROM outbox WHERE provider = $1 AND provider_message_id = $2")
                .bind(provider)
                .bind(provider_message_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(ours.is_some())
    }

    async fn pending_media(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        let sql = format!(
            "SELECT {} FROM inbound_messages WHERE media_status = 'pending' ORDER BY received_at LIMIT $1",
            rows::INBOUND_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::inbound).collect()
    }

    async fn set_media_status(
        &self,
        inbound_id: uuid::Uuid,
        status: baraza_core::outbound::MediaStatus,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE inbound_messages SET media_status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(inbound_id)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn last_inbound_at(
        &self,
        channel: Channel,
        from: &str,
    ) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT received_at FROM inbound_messages WHERE channel = $1 AND from_address = $2 \
             ORDER BY received_at DESC LIMIT 1",
        )
        .bind(channel.as_str())
        .bind(from)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| rows::get(&r, "received_at")).transpose()
    }

    async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {} FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            rows::OUTBOX_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(to)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::outbox).collect()
    }

    async fn relay_update(&self, r: baraza_store::Relay) -> StoreResult<baraza_store::Relayed> {
        self.writer.relay(r).await
    }

    async fn erase_citizen(
        &self,
        e: baraza_store::erasure::Erasure,
    ) -> StoreResult<baraza_store::erasure::Erased> {
        self.writer.erase(e).await
    }

    async fn citizens_by_contact(&self, contact: &str) -> StoreResult<Vec<Citizen>> {
        let found = sqlx::query(
            "SELECT * FROM citizens WHERE phone = $1 OR whatsapp_id = $1 OR lower(email) = lower($1) \
             ORDER BY created_at",
        )
        .bind(contact)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found.iter().map(rows::citizen).collect()
    }

    async fn inbound_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        let sql = format!(
            "SELECT {} FROM inbound_messages WHERE from_address = ANY($1) OR case_id = ANY($2) \
             ORDER BY received_at, id",
            rows::INBOUND_COLUMNS
        );
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let found = sqlx::query(&sql)
            .bind(addresses)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::inbound).collect()
    }

    async fn outbox_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {} FROM outbox WHERE to_address = ANY($1) OR case_id = ANY($2) \
             ORDER BY created_at, id",
            rows::OUTBOX_COLUMNS
        );
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let found = sqlx::query(&sql)
            .bind(addresses)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::outbox).collect()
    }

    async fn rectify_citizen(&self, c: &Citizen) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::replace_citizen(&mut conn, c).await
    }

    async fn citizens_past_retention(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<Vec<CitizenId>> {
        let found = sqlx::query(
            "SELECT z.id FROM citizens z WHERE z.jurisdiction_id = $1 \
             AND (z.phone IS NOT NULL OR z.whatsapp_id IS NOT NULL OR z.email IS NOT NULL OR z.name IS NOT NULL) \
             AND EXISTS (SELECT 1 FROM cases k WHERE k.citizen_id = z.id) \
             AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.citizen_id = z.id AND \
                 (k.status NOT IN ('closed', 'closed_unconfirmed', 'rejected', 'referred', 'duplicate') \
                  OR k.updated_at >= $2)) \
             ORDER BY z.created_at LIMIT 10000",
        )
        .bind(j.as_str())
        .bind(settled_before)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| Ok(CitizenId(rows::get(r, "id")?)))
            .collect()
    }

    async fn expire_message_texts(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<u64> {
        sqlx::query(
            "UPDATE inbound_messages SET body = '' WHERE body <> '' AND case_id IN \
             (SELECT id FROM cases WHERE jurisdiction_id = $1 AND updated_at < $2 \
              AND status IN ('closed', 'closed_unconfirmed', 'rejected', 'referred', 'duplicate'))",
        )
        .bind(j.as_str())
        .bind(settled_before)
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_err)
    }

    async fn journal_head(&self) -> StoreResult<baraza_core::ChainHead> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::read_head(&mut conn, false).await
    }

    async fn export(&self, out: mpsc::Sender<Record>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // One snapshot for the whole export, even while other processes keep writing.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let send = |r: Record| {
            let out = out.clone();
            async move {
                out.send(r)
                    .await
                    .map_err(|_| StoreError::Backend("the export reader stopped".into()))
            }
        };
        macro_rules! stream {
            ($sql:expr, $map:expr) => {{
                let sql = $sql;
                let mut rows = sqlx::query(&sql).fetch(&mut *tx);
                while let Some(row) = rows.try_next().await.map_err(db_err)? {
                    send($map(&row)?).await?;
                }
            }};
        }
        stream!("SELECT * FROM jurisdictions ORDER BY id".to_owned(), |r| {
            rows::jurisdiction(r).map(Record::Jurisdiction)
        });
        stream!(
            "SELECT * FROM areas ORDER BY jurisdiction_id, depth, code".to_owned(),
            |r| rows::area(r).map(Record::Area)
        );
        stream!(
            "SELECT * FROM departments ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::department(r).map(Record::Department)
        );
        stream!(
            "SELECT * FROM categories ORDER BY jurisdiction_id, code".to_owned(),
            |r| rows::category(r).map(Record::Category)
        );
        stream!("SELECT * FROM users ORDER BY id".to_owned(), |r| {
            rows::user(r).map(Record::User)
        });
        stream!("SELECT * FROM api_tokens ORDER BY id".to_owned(), |r| {
            rows::token(r).map(Record::Token)
        });
        stream!("SELECT * FROM citizens ORDER BY id".to_owned(), |r| {
            rows::citizen(r).map(Record::Citizen)
        });
        stream!(
            format!("SELECT {} FROM cases ORDER BY id", rows::CASE_COLUMNS),
            |r| rows::case(r).map(|c| Record::Case(Box::new(c)))
        );
        stream!(
            format!("SELECT {} FROM journal ORDER BY seq", rows::EVENT_COLUMNS),
            |r| rows::event(r).map(Record::Event)
        );
        stream!(
            format!("SELECT {} FROM outbox ORDER BY id", rows::OUTBOX_COLUMNS),
            |r| rows::outbox(r).map(|o| Record::Outbox(Box::new(o)))
        );
        stream!(
            format!(
                "SELECT {} FROM inbound_messages ORDER BY id",
                rows::INBOUND_COLUMNS
            ),
            |r| rows::inbound(r).map(|m| Record::Inbound(Box::new(m)))
        );
        let head = writes::read_head(&mut tx, false).await?;
        send(Record::Head(head)).await?;
        tx.rollback().await.map_err(db_err)
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM jurisdictions) OR EXISTS (SELECT 1 FROM users) \
             OR EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM journal) AS has_data",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(!rows::get::<bool>(&row, "has_data")?)
    }

    async fn import(&self, mut records: mpsc::Receiver<StoreResult<Record>>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        // Dropping the transaction without commit rolls it back.
        while let Some(next) = records.recv().await {
            let r = next?;
            match &r {
                Record::Jurisdiction(j) => writes::put_jurisdiction(&mut tx, j).await?,
                Record::Area(a) => writes::put_area(&mut tx, a).await?,
                Record::Department(d) => writes::put_department(&mut tx, d).await?,
                Record::Category(c) => writes::put_category(&mut tx, c).await?,
                Record::User(u) => writes::add_user(&mut tx, u).await?,
                Record::Token(t) => writes::add_token(&mut tx, t).await?,
                Record::Citizen(c) => writes::insert_citizen(&mut tx, c).await?,
                Record::Case(c) => writes::upsert_case(&mut tx, c).await?,
                Record::Event(e) => writes::insert_event(&mut tx, e).await?,
                Record::Outbox(o) => writes::insert_outbox(&mut tx, o).await?,
                Record::Inbound(m) => {
                    writes::insert_inbound(&mut tx, m).await?;
                }
                Record::Head(h) => writes::write_head(&mut tx, h).await?,
                Record::Footer { .. } => return tx.commit().await.map_err(db_err),
                Record::Header { .. } => {}
            }
        }
        Err(StoreError::Backend(
            "the import ended before its footer; nothing was stored".into(),
        ))
    }
}

/// The URL of database `db` on the server of `url` (same user, host and options).
pub fn url_with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map(|(b, q)| (b, format!("?{q}")))
        .unwrap_or((url, String::new()));
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(base);
    format!("{root}/{db}{query}")
}

/// A plain connection to a PostgreSQL server for administrative statements (creating
/// and dropping the benchmark's temporary database), so callers need no sqlx of their own.
pub struct AdminPool(PgPool);

impl AdminPool {
    pub async fn connect(url: &str) -> StoreResult<Self> {
        PgPool::connect(url)
            .await
            .map(AdminPool)
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
    pub async fn execute(&self, sql: &str) -> StoreResult<()> {
        sqlx::query(sql)
            .execute(&self.0)
            .await
            .map(|_| ())
            .map_err(db_err)
    }
}

/// The `WHERE` conditions of a case filter, shared by listing and counting.
fn push_filter(q: &mut QueryBuilder<'_, Postgres>, f: &CaseFilter) {
    if let Some(j) = &f.jurisdiction {
        q.push(" AND jurisdiction_id = ")
            .push_bind(j.as_str().to_owned());
    }
    if !f.statuses.is_empty() {
        q.push(" AND status IN (");
        let mut sep = q.separated(", ");
        for s in &f.statuses {
            sep.push_bind(s.as_str());
        }
        q.push(")");
    }
    if let Some(k) = f.kind {
        q.push(" AND kind = ").push_bind(k.as_str());
    }
    if let Some(c) = f.channel {
        q.push(" AND channel = ").push_bind(c.as_str());
    }
    if let Some(c) = &f.category {
        q.push(" AND category_code = ").push_bind(c.clone());
    }
    if let Some(w) = &f.ward {
        q.push(" AND ward_code = ").push_bind(w.0.clone());
    }
    if let Some(d) = &f.department {
        q.push(" AND department_code = ").push_bind(d.clone());
    }
    if let Some(d) = &f.department_in {
        q.push(" AND department_code = ").push_bind(d.clone());
    }
    if let Some(wards) = &f.wards_in {
        if wards.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND ward_code IN (");
            let mut sep = q.separated(", ");
            for w in wards {
                sep.push_bind(w.0.clone());
            }
            q.push(")");
        }
    }
    if let Some(t) = &f.created_from {
        q.push(" AND created_at >= ").push_bind(*t);
    }
    if let Some(t) = &f.updated_before {
        q.push(" AND updated_at < ").push_bind(*t);
    }
    if let Some(t) = &f.created_to {
        q.push(" AND created_at < ").push_bind(*t);
    }
    if let Some(text) = &f.text {
        for word in text.split_whitespace().take(8) {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            q.push(" AND description ILIKE ")
                .push_bind(format!("%{escaped}%"));
        }
    }
    if let Some(t) = &f.deadline_before {
        q.push(" AND deadline < ").push_bind(*t);
    }
    if let Some(t) = &f.deadline_from {
        q.push(" AND deadline >= ").push_bind(*t);
    }
    if let Some(t) = &f.escalation_due_by {
        q.push(" AND escalation_due <= ").push_bind(*t);
    }
    if f.reopened {
        q.push(" AND reopen_count > 0");
    }
    if f.confirmed {
        q.push(" AND resolved_at IS NOT NULL");
    }
    if let Some(o) = &f.officer {
        q.push(" AND officer_id = ").push_bind(o.0);
    }
}

/// A case id as the journal stores it.
type CaseIdText = uuid::Uuid;

/// The columns the dashboard's figures need: no text, no attachments, no contact.
const STATS_SELECT: &str = "SELECT c.id, c.number, c.kind, c.channel, c.status, c.category_code, c.ward_code, \
    c.ladder, c.ladder_position, c.department_code, c.priority, c.created_at, c.first_responded_at, \
    c.resolved_at, c.closed_at, c.resolution_due, c.reopen_count, c.satisfaction, c.updated_at, \
    z.gender AS citizen_gender, z.age_band AS citizen_age_band, z.consent_publish AS citizen_publish \
    FROM cases c LEFT JOIN citizens z ON z.id = c.citizen_id";
