//! Baraza's store on PostgreSQL, for counties that run several `baraza serve` processes
//! on one database, or already operate PostgreSQL. Same schema and behaviour as SQLite
//! (the conformance suite checks both); writes are group-committed per process, and
//! processes serialise on the journal head's row lock.

mod cases;
mod disclosure;
mod outbox;
mod plans;
mod portable;
mod privacy;
mod projects;
mod reference;
mod rows;
mod staff;
mod stats;
mod writes;
pub use writes::PgBatchTx;

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
        let writer_options = options.clone();
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
        // The writer runs on a thread of its own, with its own connection: under HTTP load,
        // a round trip's answer would otherwise wait behind every request being parsed.
        let writer = GroupCommitter::spawn_on_thread(
            move || Ok(writes::PgBatchTx::new(writer_options)),
            MAX_BATCH,
        )?;
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
        PostgresStore::backend(self)
    }

    async fn ping(&self) -> StoreResult<()> {
        PostgresStore::ping(self).await
    }

    async fn outbox_health(&self) -> StoreResult<baraza_store::OutboxHealth> {
        use crate::rows::{db_err, get};
        let row = sqlx::query(
            "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let pending: i64 = get(&row, "n")?;
        let oldest: Option<chrono::DateTime<chrono::Utc>> = get(&row, "oldest")?;
        let failed = sqlx::query(
            "SELECT coalesce(provider, 'none') AS provider, count(*) AS n FROM outbox \
             WHERE status IN ('failed', 'uncertain') GROUP BY 1 ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok((
                get::<String>(r, "provider")?,
                get::<i64>(r, "n")?.unsigned_abs(),
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(baraza_store::OutboxHealth {
            pending: pending.unsigned_abs(),
            oldest_pending: oldest,
            failed_by_provider: failed,
        })
    }

    async fn put_jurisdiction(&self, j: &Jurisdiction) -> StoreResult<()> {
        PostgresStore::put_jurisdiction(self, j).await
    }

    async fn jurisdictions(&self) -> StoreResult<Vec<Jurisdiction>> {
        PostgresStore::jurisdictions(self).await
    }

    async fn put_areas(&self, areas: &[Area]) -> StoreResult<()> {
        PostgresStore::put_areas(self, areas).await
    }

    async fn areas(&self, j: &JurisdictionId) -> StoreResult<Vec<Area>> {
        PostgresStore::areas(self, j).await
    }

    async fn put_department(&self, d: &Department) -> StoreResult<()> {
        PostgresStore::put_department(self, d).await
    }

    async fn departments(&self, j: &JurisdictionId) -> StoreResult<Vec<Department>> {
        PostgresStore::departments(self, j).await
    }

    async fn put_category(&self, c: &ServiceCategory) -> StoreResult<()> {
        PostgresStore::put_category(self, c).await
    }

    async fn categories(&self, j: &JurisdictionId) -> StoreResult<Vec<ServiceCategory>> {
        PostgresStore::categories(self, j).await
    }

    async fn add_user(&self, u: &StaffUser) -> StoreResult<()> {
        PostgresStore::add_user(self, u).await
    }

    async fn users(&self, j: Option<&JurisdictionId>) -> StoreResult<Vec<StaffUser>> {
        PostgresStore::users(self, j).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<StaffUser>> {
        PostgresStore::user(self, id).await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StaffUser>> {
        PostgresStore::user_by_username(self, username).await
    }

    async fn set_user_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        PostgresStore::set_user_disabled(self, id, disabled).await
    }

    async fn add_token(&self, t: &ApiToken) -> StoreResult<()> {
        PostgresStore::add_token(self, t).await
    }

    async fn tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        PostgresStore::tokens(self, user).await
    }

    async fn token_by_secret_sha256(&self, sha256_hex: &str) -> StoreResult<Option<ApiToken>> {
        PostgresStore::token_by_secret_sha256(self, sha256_hex).await
    }

    async fn revoke_token(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()> {
        PostgresStore::revoke_token(self, id, at).await
    }

    async fn credentials(&self, user: UserId) -> StoreResult<Option<Credentials>> {
        PostgresStore::credentials(self, user).await
    }

    async fn set_password(&self, user: UserId, phc: &str) -> StoreResult<()> {
        PostgresStore::set_password(self, user, phc).await
    }

    async fn record_failed_login(
        &self,
        user: UserId,
        lock_after: u32,
        lock_until: Timestamp,
    ) -> StoreResult<u32> {
        PostgresStore::record_failed_login(self, user, lock_after, lock_until).await
    }

    async fn clear_failed_logins(&self, user: UserId) -> StoreResult<()> {
        PostgresStore::clear_failed_logins(self, user).await
    }

    async fn add_session(&self, s: &Session) -> StoreResult<()> {
        PostgresStore::add_session(self, s).await
    }

    async fn session(&self, id_sha256: &str) -> StoreResult<Option<Session>> {
        PostgresStore::session(self, id_sha256).await
    }

    async fn end_session(&self, id_sha256: &str) -> StoreResult<()> {
        PostgresStore::end_session(self, id_sha256).await
    }

    async fn end_sessions_of(&self, user: UserId) -> StoreResult<u64> {
        PostgresStore::end_sessions_of(self, user).await
    }

    async fn create_case(&self, new: NewCase, actor: Actor, at: Timestamp) -> StoreResult<Intake> {
        PostgresStore::create_case(self, new, actor, at).await
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
        PostgresStore::act(self, number, expected_version, actor, action, targets, at).await
    }

    async fn case_by_number(&self, number: CaseNumber) -> StoreResult<Option<Case>> {
        PostgresStore::case_by_number(self, number).await
    }

    async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>> {
        PostgresStore::case_by_id(self, id).await
    }

    async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>> {
        PostgresStore::case_events(self, id).await
    }

    async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        PostgresStore::citizen(self, id).await
    }

    async fn citizens(&self, ids: &[CitizenId]) -> StoreResult<Vec<Citizen>> {
        PostgresStore::citizens(self, ids).await
    }

    async fn events_of_kinds(
        &self,
        cases: &[CaseId],
        kinds: &[EventKind],
    ) -> StoreResult<Vec<JournalEvent>> {
        PostgresStore::events_of_kinds(self, cases, kinds).await
    }

    async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>> {
        PostgresStore::citizen_by_phone(self, j, phone).await
    }

    async fn cases_of_citizen(&self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        PostgresStore::cases_of_citizen(self, citizen, limit).await
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<Case>> {
        PostgresStore::list_cases(self, f).await
    }

    async fn count_cases(&self, f: &CaseFilter) -> StoreResult<u64> {
        PostgresStore::count_cases(self, f).await
    }

    async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>> {
        PostgresStore::case_stats(self, j, after, limit).await
    }

    async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)> {
        PostgresStore::case_stats_changed(self, j, after_seq, limit).await
    }

    async fn public_events(
        &self,
        j: &JurisdictionId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(CaseNumber, JournalEvent)>> {
        PostgresStore::public_events(self, j, from, to, limit).await
    }

    async fn receive_message(&self, arrival: Arrival) -> StoreResult<Handled> {
        PostgresStore::receive_message(self, arrival).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        PostgresStore::claim_outbox(self, now, lease_until, limit).await
    }

    async fn update_outbox(&self, outcomes: &[(OutboxEntry, Timestamp)]) -> StoreResult<Vec<bool>> {
        PostgresStore::update_outbox(self, outcomes).await
    }

    async fn outbox_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: OutboxStatus,
        detail: Option<String>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        PostgresStore::outbox_delivery(self, provider, provider_message_id, status, detail, at)
            .await
    }

    async fn pending_media(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        PostgresStore::pending_media(self, limit).await
    }

    async fn set_media_status(
        &self,
        inbound_id: uuid::Uuid,
        status: baraza_core::outbound::MediaStatus,
    ) -> StoreResult<()> {
        PostgresStore::set_media_status(self, inbound_id, status).await
    }

    async fn last_inbound_at(
        &self,
        channel: Channel,
        from: &str,
    ) -> StoreResult<Option<Timestamp>> {
        PostgresStore::last_inbound_at(self, channel, from).await
    }

    async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        PostgresStore::outbox_to(self, to, limit).await
    }

    async fn relay_update(&self, r: baraza_store::Relay) -> StoreResult<baraza_store::Relayed> {
        PostgresStore::relay_update(self, r).await
    }

    async fn write_plan(
        &self,
        w: baraza_store::plans::PlanWrite,
    ) -> StoreResult<baraza_store::plans::PlanWritten> {
        self.writer.plan(w).await
    }

    async fn notify(&self, entries: Vec<baraza_core::outbound::OutboxEntry>) -> StoreResult<()> {
        self.writer.notify(entries).await
    }

    async fn plans(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>> {
        self.plans_where(Some(j)).await
    }

    async fn all_plans(&self) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>> {
        self.plans_where(None).await
    }

    async fn write_project(
        &self,
        w: baraza_store::projects::ProjectWrite,
    ) -> StoreResult<baraza_store::projects::ProjectWritten> {
        self.writer.project(w).await
    }

    async fn projects(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::project::Project>> {
        self.projects_in(j).await
    }

    async fn copy_into(&self, _path: &std::path::Path) -> StoreResult<()> {
        Err(StoreError::Unavailable(
            "PostgreSQL is backed up with pg_dump or point-in-time recovery (see the README)"
                .into(),
        ))
    }

    async fn set_user_role(
        &self,
        id: UserId,
        role: baraza_core::Role,
        scope: &baraza_core::Scope,
    ) -> StoreResult<()> {
        let (scope_type, scope_code) = crate::rows::scope_parts(scope);
        let done = sqlx::query(
            "UPDATE users SET role = $1, scope_type = $2, scope_code = $3 WHERE id = $4",
        )
        .bind(role.as_str())
        .bind(scope_type)
        .bind(scope_code)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(crate::rows::db_err)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("user"))
        } else {
            Ok(())
        }
    }

    async fn projects_stamp(&self, j: &JurisdictionId) -> StoreResult<(u64, u64)> {
        let row = sqlx::query(
            "SELECT count(*)::BIGINT AS n, coalesce(sum(version), 0)::BIGINT AS v FROM projects WHERE jurisdiction_id = $1",
        )
        .bind(j.as_str())
        .fetch_one(&self.pool)
        .await
        .map_err(crate::rows::db_err)?;
        let n: i64 = crate::rows::get(&row, "n")?;
        let v: i64 = crate::rows::get(&row, "v")?;
        Ok((n.unsigned_abs(), v.unsigned_abs()))
    }

    async fn project(
        &self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        let mut conn = self.pool.acquire().await.map_err(crate::rows::db_err)?;
        crate::projects::project_by_code(&mut conn, j, code).await
    }

    async fn publish(&self, p: baraza_store::Publish) -> StoreResult<usize> {
        self.writer.publish(p).await
    }

    async fn follow(&self, s: baraza_core::disclosure::Subscription) -> StoreResult<bool> {
        self.writer.follow(s).await
    }

    async fn publications(
        &self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::disclosure::Publication>> {
        PostgresStore::publications(self, j).await
    }

    async fn followers_with(
        &self,
        j: &JurisdictionId,
        prefix: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        PostgresStore::followers_with(self, j, prefix).await
    }

    async fn followed_by(
        &self,
        address: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        PostgresStore::followed_by(self, address).await
    }

    async fn erase_citizen(
        &self,
        e: baraza_store::erasure::Erasure,
    ) -> StoreResult<baraza_store::erasure::Erased> {
        PostgresStore::erase_citizen(self, e).await
    }

    async fn citizens_by_contact(&self, contact: &str) -> StoreResult<Vec<Citizen>> {
        PostgresStore::citizens_by_contact(self, contact).await
    }

    async fn inbound_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        PostgresStore::inbound_of(self, addresses, cases).await
    }

    async fn outbox_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<OutboxEntry>> {
        PostgresStore::outbox_of(self, addresses, cases).await
    }

    async fn rectify_citizen(&self, c: &Citizen) -> StoreResult<()> {
        PostgresStore::rectify_citizen(self, c).await
    }

    async fn citizens_past_retention(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<Vec<CitizenId>> {
        PostgresStore::citizens_past_retention(self, j, settled_before).await
    }

    async fn expire_message_texts(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<u64> {
        PostgresStore::expire_message_texts(self, j, settled_before).await
    }

    async fn journal_head(&self, j: &JurisdictionId) -> StoreResult<baraza_core::ChainHead> {
        PostgresStore::journal_head(self, j).await
    }

    async fn export(
        &self,
        only: Option<&JurisdictionId>,
        out: mpsc::Sender<Record>,
    ) -> StoreResult<()> {
        PostgresStore::export(self, only, out).await
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        PostgresStore::is_empty(self).await
    }

    async fn import(&self, records: mpsc::Receiver<StoreResult<Record>>) -> StoreResult<()> {
        PostgresStore::import(self, records).await
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
    if let Some(p) = f.priority {
        q.push(" AND priority = ").push_bind(p.as_str());
    }
    if let Some(s) = &f.subject {
        q.push(" AND subject = ").push_bind(s.to_string());
    }
    match f.information {
        Some(true) => {
            q.push(" AND information IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND information IS NULL");
        }
        None => {}
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
