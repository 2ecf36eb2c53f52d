//! Baraza's store on SQLite: the embedded default. WAL mode with `synchronous = FULL`, so
//! an acknowledged case survives a power cut; one writer connection behind the group
//! committer, a small pool of connections for reads.

mod cases;
mod disclosure;
mod outbox;
mod plans;
mod portable;
mod privacy;
mod projects;
mod readers;
mod reference;
mod rows;
mod staff;
mod stats;
mod writer;
mod writes;

use async_trait::async_trait;
use baraza_core::outbound::{OutboxEntry, OutboxStatus};
use baraza_core::*;
use baraza_store::inbound::{Arrival, Handled};
use baraza_store::{Acted, GroupCommitter, Intake, Record, Store, StoreError, StoreResult};
use futures::TryStreamExt;
use rows::{SqlValue, db_err, ts};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::mpsc;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many writes may share one commit.
const MAX_BATCH: usize = 512;

pub struct SqliteStore {
    pool: SqlitePool,
    writer: GroupCommitter,
    readers: std::sync::Arc<readers::Readers>,
}

impl SqliteStore {
    /// Open (creating if needed) the database at `url` (`sqlite://path/to/baraza.db`) and
    /// bring its schema up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("not a SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .log_statements(tracing::log::LevelFilter::Trace)
            // Exports stream for minutes by design: not worth a warning.
            .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating the schema: {e}")))?;
        // The planner's statistics where they are missing or stale (SQLite's advice for
        // a long-lived connection), from a sample of each index: lists then read along
        // the index of their order at any size.
        sqlx::query("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002")
            .execute(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("updating the planner's statistics: {e}")))?;
        let path = options.get_filename().to_owned();
        let readers = readers::Readers::new(path.clone())?;
        let writer =
            GroupCommitter::spawn_on_thread(move || writer::SqliteWriter::open(&path), MAX_BATCH)?;
        Ok(Self {
            pool,
            writer,
            readers,
        })
    }

    /// Direct access for tests that must tamper with the database like an outside tool would.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        SqliteStore::backend(self)
    }

    async fn ping(&self) -> StoreResult<()> {
        SqliteStore::ping(self).await
    }

    async fn outbox_health(&self) -> StoreResult<baraza_store::OutboxHealth> {
        use crate::rows::{db_err, get, parse_ts};
        let row = sqlx::query(
            "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let pending: i64 = get(&row, "n")?;
        let oldest = get::<Option<String>>(&row, "oldest")?
            .as_deref()
            .map(parse_ts)
            .transpose()?;
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
        SqliteStore::put_jurisdiction(self, j).await
    }

    async fn jurisdictions(&self) -> StoreResult<Vec<Jurisdiction>> {
        SqliteStore::jurisdictions(self).await
    }

    async fn put_areas(&self, areas: &[Area]) -> StoreResult<()> {
        SqliteStore::put_areas(self, areas).await
    }

    async fn areas(&self, j: &JurisdictionId) -> StoreResult<Vec<Area>> {
        SqliteStore::areas(self, j).await
    }

    async fn put_department(&self, d: &Department) -> StoreResult<()> {
        SqliteStore::put_department(self, d).await
    }

    async fn departments(&self, j: &JurisdictionId) -> StoreResult<Vec<Department>> {
        SqliteStore::departments(self, j).await
    }

    async fn put_category(&self, c: &ServiceCategory) -> StoreResult<()> {
        SqliteStore::put_category(self, c).await
    }

    async fn categories(&self, j: &JurisdictionId) -> StoreResult<Vec<ServiceCategory>> {
        SqliteStore::categories(self, j).await
    }

    async fn add_user(&self, u: &StaffUser) -> StoreResult<()> {
        SqliteStore::add_user(self, u).await
    }

    async fn users(&self, j: Option<&JurisdictionId>) -> StoreResult<Vec<StaffUser>> {
        SqliteStore::users(self, j).await
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<StaffUser>> {
        SqliteStore::user(self, id).await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<StaffUser>> {
        SqliteStore::user_by_username(self, username).await
    }

    async fn set_user_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        SqliteStore::set_user_disabled(self, id, disabled).await
    }

    async fn add_token(&self, t: &ApiToken) -> StoreResult<()> {
        SqliteStore::add_token(self, t).await
    }

    async fn tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        SqliteStore::tokens(self, user).await
    }

    async fn token_by_secret_sha256(&self, sha256_hex: &str) -> StoreResult<Option<ApiToken>> {
        SqliteStore::token_by_secret_sha256(self, sha256_hex).await
    }

    async fn revoke_token(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()> {
        SqliteStore::revoke_token(self, id, at).await
    }

    async fn credentials(&self, user: UserId) -> StoreResult<Option<Credentials>> {
        SqliteStore::credentials(self, user).await
    }

    async fn set_password(&self, user: UserId, phc: &str) -> StoreResult<()> {
        SqliteStore::set_password(self, user, phc).await
    }

    async fn record_failed_login(
        &self,
        user: UserId,
        lock_after: u32,
        lock_until: Timestamp,
    ) -> StoreResult<u32> {
        SqliteStore::record_failed_login(self, user, lock_after, lock_until).await
    }

    async fn clear_failed_logins(&self, user: UserId) -> StoreResult<()> {
        SqliteStore::clear_failed_logins(self, user).await
    }

    async fn add_session(&self, s: &Session) -> StoreResult<()> {
        SqliteStore::add_session(self, s).await
    }

    async fn session(&self, id_sha256: &str) -> StoreResult<Option<Session>> {
        SqliteStore::session(self, id_sha256).await
    }

    async fn end_session(&self, id_sha256: &str) -> StoreResult<()> {
        SqliteStore::end_session(self, id_sha256).await
    }

    async fn end_sessions_of(&self, user: UserId) -> StoreResult<u64> {
        SqliteStore::end_sessions_of(self, user).await
    }

    async fn create_case(&self, new: NewCase, actor: Actor, at: Timestamp) -> StoreResult<Intake> {
        SqliteStore::create_case(self, new, actor, at).await
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
        SqliteStore::act(self, number, expected_version, actor, action, targets, at).await
    }

    async fn case_by_number(&self, number: CaseNumber) -> StoreResult<Option<Case>> {
        SqliteStore::case_by_number(self, number).await
    }

    async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>> {
        SqliteStore::case_by_id(self, id).await
    }

    async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>> {
        SqliteStore::case_events(self, id).await
    }

    async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        SqliteStore::citizen(self, id).await
    }

    async fn citizens(&self, ids: &[CitizenId]) -> StoreResult<Vec<Citizen>> {
        SqliteStore::citizens(self, ids).await
    }

    async fn events_of_kinds(
        &self,
        cases: &[CaseId],
        kinds: &[EventKind],
    ) -> StoreResult<Vec<JournalEvent>> {
        SqliteStore::events_of_kinds(self, cases, kinds).await
    }

    async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>> {
        SqliteStore::citizen_by_phone(self, j, phone).await
    }

    async fn cases_of_citizen(&self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        SqliteStore::cases_of_citizen(self, citizen, limit).await
    }

    async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<Case>> {
        SqliteStore::list_cases(self, f).await
    }

    async fn count_cases(&self, f: &CaseFilter) -> StoreResult<u64> {
        SqliteStore::count_cases(self, f).await
    }

    async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>> {
        SqliteStore::case_stats(self, j, after, limit).await
    }

    async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)> {
        SqliteStore::case_stats_changed(self, j, after_seq, limit).await
    }

    async fn public_events(
        &self,
        j: &JurisdictionId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(CaseNumber, JournalEvent)>> {
        SqliteStore::public_events(self, j, from, to, limit).await
    }

    async fn receive_message(&self, arrival: Arrival) -> StoreResult<Handled> {
        SqliteStore::receive_message(self, arrival).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        SqliteStore::claim_outbox(self, now, lease_until, limit).await
    }

    async fn update_outbox(&self, outcomes: &[(OutboxEntry, Timestamp)]) -> StoreResult<Vec<bool>> {
        SqliteStore::update_outbox(self, outcomes).await
    }

    async fn outbox_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: OutboxStatus,
        detail: Option<String>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        SqliteStore::outbox_delivery(self, provider, provider_message_id, status, detail, at).await
    }

    async fn pending_media(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        SqliteStore::pending_media(self, limit).await
    }

    async fn set_media_status(
        &self,
        inbound_id: uuid::Uuid,
        status: baraza_core::outbound::MediaStatus,
    ) -> StoreResult<()> {
        SqliteStore::set_media_status(self, inbound_id, status).await
    }

    async fn last_inbound_at(
        &self,
        channel: Channel,
        from: &str,
    ) -> StoreResult<Option<Timestamp>> {
        SqliteStore::last_inbound_at(self, channel, from).await
    }

    async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        SqliteStore::outbox_to(self, to, limit).await
    }

    async fn relay_update(&self, r: baraza_store::Relay) -> StoreResult<baraza_store::Relayed> {
        SqliteStore::relay_update(self, r).await
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

    async fn copy_into(&self, path: &std::path::Path) -> StoreResult<()> {
        let path = path
            .to_str()
            .ok_or_else(|| StoreError::Unavailable("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO ?1")
            .bind(path)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(crate::rows::db_err)
    }

    async fn set_user_role(
        &self,
        id: UserId,
        role: baraza_core::Role,
        scope: &baraza_core::Scope,
    ) -> StoreResult<()> {
        let (scope_type, scope_code) = crate::rows::scope_parts(scope);
        let done = sqlx::query(
            "UPDATE users SET role = ?1, scope_type = ?2, scope_code = ?3 WHERE id = ?4",
        )
        .bind(role.as_str())
        .bind(scope_type)
        .bind(scope_code)
        .bind(id.0.to_string())
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
            "SELECT count(*) AS n, coalesce(sum(version), 0) AS v FROM projects WHERE jurisdiction_id = ?1",
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
        self.project_by_code(j, code).await
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
        SqliteStore::publications(self, j).await
    }

    async fn followers_with(
        &self,
        j: &JurisdictionId,
        prefix: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        SqliteStore::followers_with(self, j, prefix).await
    }

    async fn followed_by(
        &self,
        address: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        SqliteStore::followed_by(self, address).await
    }

    async fn erase_citizen(
        &self,
        e: baraza_store::erasure::Erasure,
    ) -> StoreResult<baraza_store::erasure::Erased> {
        SqliteStore::erase_citizen(self, e).await
    }

    async fn citizens_by_contact(&self, contact: &str) -> StoreResult<Vec<Citizen>> {
        SqliteStore::citizens_by_contact(self, contact).await
    }

    async fn inbound_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        SqliteStore::inbound_of(self, addresses, cases).await
    }

    async fn outbox_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<OutboxEntry>> {
        SqliteStore::outbox_of(self, addresses, cases).await
    }

    async fn rectify_citizen(&self, c: &Citizen) -> StoreResult<()> {
        SqliteStore::rectify_citizen(self, c).await
    }

    async fn citizens_past_retention(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<Vec<CitizenId>> {
        SqliteStore::citizens_past_retention(self, j, settled_before).await
    }

    async fn expire_message_texts(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<u64> {
        SqliteStore::expire_message_texts(self, j, settled_before).await
    }

    async fn journal_head(&self, j: &JurisdictionId) -> StoreResult<baraza_core::ChainHead> {
        SqliteStore::journal_head(self, j).await
    }

    async fn export(
        &self,
        only: Option<&JurisdictionId>,
        out: mpsc::Sender<Record>,
    ) -> StoreResult<()> {
        SqliteStore::export(self, only, out).await
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        SqliteStore::is_empty(self).await
    }

    async fn import(&self, records: mpsc::Receiver<StoreResult<Record>>) -> StoreResult<()> {
        SqliteStore::import(self, records).await
    }
}

/// The `WHERE` conditions of a case filter (each ` AND …`, with `?` marks), and their
/// values in order: shared by listing and counting, whichever driver runs them.
fn filter_sql(f: &CaseFilter) -> (String, Vec<SqlValue>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    let mut cond = |clause: &str, v: SqlValue| {
        sql.push_str(clause);
        values.push(v);
    };
    let text = |s: &str| SqlValue::Text(s.to_owned());
    if let Some(j) = &f.jurisdiction {
        cond(" AND jurisdiction_id = ?", text(j.as_str()));
    }
    if let Some(k) = f.kind {
        cond(" AND kind = ?", text(k.as_str()));
    }
    if let Some(c) = f.channel {
        cond(" AND channel = ?", text(c.as_str()));
    }
    if let Some(c) = &f.category {
        cond(" AND category_code = ?", text(c));
    }
    if let Some(w) = &f.ward {
        cond(" AND ward_code = ?", text(&w.0));
    }
    if let Some(d) = &f.department {
        cond(" AND department_code = ?", text(d));
    }
    if let Some(d) = &f.department_in {
        cond(" AND department_code = ?", text(d));
    }
    if let Some(t) = &f.created_from {
        cond(" AND created_at >= ?", SqlValue::Text(ts(t)));
    }
    if let Some(t) = &f.updated_before {
        cond(" AND updated_at < ?", SqlValue::Text(ts(t)));
    }
    if let Some(t) = &f.created_to {
        cond(" AND created_at < ?", SqlValue::Text(ts(t)));
    }
    if let Some(words) = &f.text {
        for word in words.split_whitespace().take(8) {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            cond(
                " AND description LIKE ? ESCAPE '\\'",
                SqlValue::Text(format!("%{escaped}%")),
            );
        }
    }
    if let Some(t) = &f.deadline_before {
        cond(" AND deadline < ?", SqlValue::Text(ts(t)));
    }
    if let Some(t) = &f.deadline_from {
        cond(" AND deadline >= ?", SqlValue::Text(ts(t)));
    }
    if let Some(t) = &f.escalation_due_by {
        cond(" AND escalation_due <= ?", SqlValue::Text(ts(t)));
    }
    if let Some(p) = f.priority {
        cond(" AND priority = ?", text(p.as_str()));
    }
    if let Some(subject) = &f.subject {
        cond(" AND subject = ?", SqlValue::Text(subject.to_string()));
    }
    if let Some(o) = &f.officer {
        cond(" AND officer_id = ?", SqlValue::Text(o.0.to_string()));
    }
    let mut list = |column: &str, items: Vec<SqlValue>| {
        if items.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(
                " AND {column} IN ({})",
                vec!["?"; items.len()].join(", ")
            ));
            values.extend(items);
        }
    };
    if !f.statuses.is_empty() {
        list(
            "status",
            f.statuses.iter().map(|s| text(s.as_str())).collect(),
        );
    }
    if let Some(wards) = &f.wards_in {
        list("ward_code", wards.iter().map(|w| text(&w.0)).collect());
    }
    if f.reopened {
        sql.push_str(" AND reopen_count > 0");
    }
    match f.information {
        Some(true) => sql.push_str(" AND information IS NOT NULL"),
        Some(false) => sql.push_str(" AND information IS NULL"),
        None => {}
    }
    if f.confirmed {
        sql.push_str(" AND resolved_at IS NOT NULL");
    }
    (sql, values)
}

/// A case id as the journal stores it.
type CaseIdText = String;

/// The columns the dashboard's figures need: no text, no attachments, no contact.
const STATS_SELECT: &str = "SELECT c.id, c.number, c.kind, c.channel, c.status, c.category_code, c.ward_code, \
    c.ladder, c.ladder_position, c.department_code, c.priority, c.created_at, c.first_responded_at, \
    c.resolved_at, c.closed_at, c.resolution_due, c.reopen_count, c.satisfaction, c.updated_at, \
    z.gender AS citizen_gender, z.age_band AS citizen_age_band, z.consent_publish AS citizen_publish \
    FROM cases c LEFT JOIN citizens z ON z.id = c.citizen_id";
