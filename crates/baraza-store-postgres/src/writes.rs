//! Every write statement, on a plain connection so that the writer, the pool and import
//! share them; and the PostgreSQL side of the group-commit writer: a pooled connection per
//! batch, the journal head locked `FOR UPDATE` (serialising writers across processes), a
//! savepoint per write.

use crate::rows::{self, db_err};
use async_trait::async_trait;
use baraza_core::*;
use baraza_store::{BatchTx, StoreError, StoreResult};
use sqlx::pool::PoolConnection;
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres};

pub struct PgBatchTx {
    pub pool: sqlx::PgPool,
    /// The connection of the batch in progress.
    pub conn: Option<PoolConnection<Postgres>>,
    /// Reference prefixes by jurisdiction: read once.
    pub prefixes: std::collections::HashMap<JurisdictionId, String>,
}

impl PgBatchTx {
    fn conn(&mut self) -> StoreResult<&mut PgConnection> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| StoreError::Backend("no batch in progress".into()))
    }
}

async fn exec(conn: &mut PgConnection, sql: &str) -> StoreResult<()> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

/// `INSERT ... ON CONFLICT DO UPDATE`: one statement both creates and updates a case.
pub const UPSERT_CASE: &str = "INSERT INTO cases (id, number, jurisdiction_id, kind, channel, status, category_code, \
    ward_code, ladder, ladder_position, location_lat, location_lon, description, attachments, priority, \
    department_code, officer_id, citizen_id, first_response_due, resolution_due, first_responded_at, resolved_at, \
    closed_at, duplicate_of, reason, referred_to, reopen_count, satisfaction, idempotency_key, created_at, \
    updated_at, version, deadline, escalation_due, waiting_since, information, subject) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
    $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, \
    $33, $34, $35, $36, $37) \
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, category_code = excluded.category_code, \
    ward_code = excluded.ward_code, ladder = excluded.ladder, ladder_position = excluded.ladder_position, attachments = excluded.attachments, \
         description = excluded.description, location_lat = excluded.location_lat, location_lon = excluded.location_lon, \
    priority = excluded.priority, department_code = excluded.department_code, officer_id = excluded.officer_id, \
    first_response_due = excluded.first_response_due, resolution_due = excluded.resolution_due, \
    first_responded_at = excluded.first_responded_at, resolved_at = excluded.resolved_at, \
    closed_at = excluded.closed_at, duplicate_of = excluded.duplicate_of, reason = excluded.reason, \
    referred_to = excluded.referred_to, reopen_count = excluded.reopen_count, satisfaction = excluded.satisfaction, \
    updated_at = excluded.updated_at, version = excluded.version, deadline = excluded.deadline, \
    escalation_due = excluded.escalation_due, waiting_since = excluded.waiting_since, \
    information = excluded.information";

pub async fn upsert_case(conn: &mut PgConnection, c: &Case) -> StoreResult<()> {
    sqlx::query(UPSERT_CASE)
        .bind(c.id.0)
        .bind(i64::from(c.number.value()))
        .bind(c.jurisdiction.as_str())
        .bind(c.kind.as_str())
        .bind(c.channel.as_str())
        .bind(c.status.as_str())
        .bind(&c.category)
        .bind(c.ward.as_ref().map(|w| w.as_str()))
        .bind(Json(&c.ladder))
        .bind(i32::from(c.ladder_position))
        .bind(c.location.map(|l| l.lat))
        .bind(c.location.map(|l| l.lon))
        .bind(&c.description)
        .bind(Json(&c.attachments))
        .bind(c.priority.map(|p| p.as_str()))
        .bind(&c.department)
        .bind(c.officer.map(|o| o.0))
        .bind(c.citizen.map(|o| o.0))
        .bind(c.first_response_due)
        .bind(c.resolution_due)
        .bind(c.first_responded_at)
        .bind(c.resolved_at)
        .bind(c.closed_at)
        .bind(c.duplicate_of.map(|d| i64::from(d.value())))
        .bind(&c.reason)
        .bind(&c.referred_to)
        .bind(i32::try_from(c.reopen_count).unwrap_or(i32::MAX))
        .bind(c.satisfaction.map(i32::from))
        .bind(&c.idempotency_key)
        .bind(c.created_at)
        .bind(c.updated_at)
        .bind(i32::try_from(c.version).unwrap_or(i32::MAX))
        .bind(c.deadline)
        .bind(c.escalation_due)
        .bind(c.waiting_since)
        .bind(
            c.request
                .as_ref()
                .map(|r| serde_json::to_string(r).unwrap_or_default()),
        )
        .bind(c.subject.as_ref().map(|s| s.to_string()))
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

pub async fn insert_event(conn: &mut PgConnection, e: &JournalEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO journal (seq, case_id, at, actor_role, actor_id, channel, kind, visibility, payload, \
         payload_sha256, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.seq)
    .bind(e.case_id.0)
    .bind(e.at)
    .bind(&e.actor_role)
    .bind(&e.actor_id)
    .bind(e.channel.as_str())
    .bind(e.kind.as_str())
    .bind(e.visibility.as_str())
    .bind(&e.payload)
    .bind(&e.payload_sha256)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn insert_citizen(conn: &mut PgConnection, c: &Citizen) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO citizens (id, jurisdiction_id, phone, whatsapp_id, email, name, language, gender, age_band, \
         consent_contact, consent_publish, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(c.id.0)
    .bind(c.jurisdiction.as_str())
    .bind(c.phone.as_ref().map(|p| p.as_str()))
    .bind(&c.whatsapp_id)
    .bind(c.email.as_ref().map(|e| e.as_str()))
    .bind(&c.name)
    .bind(c.language.as_str())
    .bind(c.gender.map(|g| g.as_str()))
    .bind(c.age_band.map(|a| a.as_str()))
    .bind(c.consent.contact)
    .bind(c.consent.publish)
    .bind(c.created_at)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn write_head(conn: &mut PgConnection, head: &ChainHead) -> StoreResult<()> {
    sqlx::query("UPDATE journal_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(head.seq)
        .bind(&head.hash)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

pub async fn read_head(conn: &mut PgConnection, lock: bool) -> StoreResult<ChainHead> {
    let sql = if lock {
        "SELECT seq, hash FROM journal_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM journal_head WHERE id = 1"
    };
    let row = sqlx::query(sql).fetch_one(conn).await.map_err(db_err)?;
    Ok(ChainHead {
        seq: rows::get(&row, "seq")?,
        hash: rows::get(&row, "hash")?,
    })
}

pub async fn put_jurisdiction(conn: &mut PgConnection, j: &Jurisdiction) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO jurisdictions (id, name, reference_prefix, levels, country, default_language, timezone, policy, open_contracting, ward_map) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
         reference_prefix = excluded.reference_prefix, levels = excluded.levels, country = excluded.country, \
         default_language = excluded.default_language, timezone = excluded.timezone, policy = excluded.policy, \
         open_contracting = excluded.open_contracting, ward_map = excluded.ward_map",
    )
    .bind(j.id.as_str())
    .bind(&j.name)
    .bind(&j.reference_prefix)
    .bind(Json(&j.levels))
    .bind(&j.country)
    .bind(j.default_language.as_str())
    .bind(&j.timezone)
    .bind(Json(&j.policy))
    .bind(Json(&j.open_contracting))
    .bind(Json(&j.ward_map))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_department(conn: &mut PgConnection, d: &Department) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO departments (jurisdiction_id, code, name, names) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, names = excluded.names",
    )
    .bind(d.jurisdiction.as_str())
    .bind(&d.code)
    .bind(&d.name)
    .bind(Json(&d.names))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_category(conn: &mut PgConnection, c: &ServiceCategory) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO categories (jurisdiction_id, code, name, department_code, names) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, \
         department_code = excluded.department_code, names = excluded.names",
    )
    .bind(c.jurisdiction.as_str())
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.department)
    .bind(Json(&c.names))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn add_user(conn: &mut PgConnection, u: &StaffUser) -> StoreResult<()> {
    let (scope_type, scope_code) = rows::scope_parts(&u.scope);
    let r = sqlx::query(
        "INSERT INTO users (id, jurisdiction_id, username, display_name, role, scope_type, scope_code, email, \
         phone, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(u.id.0)
    .bind(u.jurisdiction.as_str())
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.role.as_str())
    .bind(scope_type)
    .bind(scope_code)
    .bind(u.email.as_ref().map(|e| e.as_str()))
    .bind(u.phone.as_ref().map(|p| p.as_str()))
    .bind(u.disabled)
    .bind(u.created_at)
    .execute(conn)
    .await;
    match r.map_err(db_err) {
        Err(StoreError::Conflict { .. }) => Err(StoreError::Conflict {
            code: "username_taken",
            message: format!("the username {:?} is taken", u.username),
        }),
        other => other.map(|_| ()),
    }
}

pub async fn add_token(conn: &mut PgConnection, t: &ApiToken) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, secret_sha256, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t.id)
    .bind(t.user.0)
    .bind(&t.name)
    .bind(&t.secret_sha256)
    .bind(t.created_at)
    .bind(t.revoked_at)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_area(conn: &mut PgConnection, a: &Area) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO areas (jurisdiction_id, code, name, depth, parent_code) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, depth = excluded.depth, \
         parent_code = excluded.parent_code",
    )
    .bind(a.jurisdiction.as_str())
    .bind(a.code.as_str())
    .bind(&a.name)
    .bind(i32::from(a.depth))
    .bind(a.parent.as_ref().map(|p| p.as_str()))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

#[async_trait]
impl BatchTx for PgBatchTx {
    async fn begin(&mut self) -> StoreResult<()> {
        let conn = self.pool.acquire().await.map_err(db_err)?;
        self.conn = Some(conn);
        exec(self.conn()?, "BEGIN").await
    }
    async fn lock_head(&mut self) -> StoreResult<ChainHead> {
        read_head(self.conn()?, true).await
    }
    async fn write_head(&mut self, head: &ChainHead) -> StoreResult<()> {
        write_head(self.conn()?, head).await
    }
    async fn savepoint(&mut self) -> StoreResult<()> {
        exec(self.conn()?, "SAVEPOINT write_op").await
    }
    async fn release_savepoint(&mut self) -> StoreResult<()> {
        exec(self.conn()?, "RELEASE SAVEPOINT write_op").await
    }
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        exec(self.conn()?, "ROLLBACK TO SAVEPOINT write_op").await
    }
    async fn commit(&mut self) -> StoreResult<()> {
        let r = exec(self.conn()?, "COMMIT").await;
        if r.is_ok() {
            // Back to the pool, clean.
            self.conn = None;
        }
        r
    }
    async fn rollback(&mut self) -> StoreResult<()> {
        let r = match self.conn.as_deref_mut() {
            Some(c) => exec(c, "ROLLBACK").await,
            None => Ok(()),
        };
        if let Some(conn) = self.conn.take()
            && r.is_err()
        {
            // Never hand a connection in an unknown state back to the pool.
            let _ = conn.detach();
        }
        r
    }

    async fn case_by_idempotency_key(
        &mut self,
        j: &JurisdictionId,
        key: &str,
    ) -> StoreResult<Option<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE jurisdiction_id = $1 AND idempotency_key = $2",
            rows::CASE_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(j.as_str())
            .bind(key)
            .fetch_optional(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn find_citizen(
        &mut self,
        j: &JurisdictionId,
        c: &NewCitizen,
    ) -> StoreResult<Option<Citizen>> {
        let probes = [
            ("phone", c.phone.as_ref().map(|p| p.as_str().to_owned())),
            ("whatsapp_id", c.whatsapp_id.clone()),
            ("email", c.email.as_ref().map(|e| e.as_str().to_owned())),
        ];
        for (col, value) in probes {
            let Some(value) = value else { continue };
            let sql = format!(
                "SELECT * FROM citizens WHERE jurisdiction_id = $1 AND {col} = $2 ORDER BY created_at LIMIT 1"
            );
            let row = sqlx::query(&sql)
                .bind(j.as_str())
                .bind(value)
                .fetch_optional(&mut *self.conn()?)
                .await
                .map_err(db_err)?;
            if let Some(row) = row {
                return rows::citizen(&row).map(Some);
            }
        }
        Ok(None)
    }

    async fn insert_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        insert_citizen(self.conn()?, c).await
    }

    async fn number_taken(&mut self, n: CaseNumber) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM cases WHERE number = $1")
            .bind(i64::from(n.value()))
            .fetch_optional(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        Ok(row.is_some())
    }

    async fn insert_case(&mut self, c: &Case) -> StoreResult<()> {
        upsert_case(self.conn()?, c).await
    }

    async fn case_for_update(&mut self, n: CaseNumber) -> StoreResult<Option<Case>> {
        // Another process may be acting on the same case: lock its row until commit.
        let sql = format!(
            "SELECT {} FROM cases WHERE number = $1 FOR UPDATE",
            rows::CASE_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(i64::from(n.value()))
            .fetch_optional(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn update_case(&mut self, c: &Case) -> StoreResult<()> {
        upsert_case(self.conn()?, c).await
    }

    async fn append_event(&mut self, e: &JournalEvent) -> StoreResult<()> {
        insert_event(self.conn()?, e).await
    }

    async fn citizen(&mut self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    async fn update_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        sqlx::query(
            "UPDATE citizens SET language = $1, consent_contact = $2, consent_publish = $3, name = $4, \
             gender = $5, age_band = $6 WHERE id = $7",
        )
        .bind(c.language.as_str())
        .bind(c.consent.contact)
        .bind(c.consent.publish)
        .bind(&c.name)
        .bind(c.gender.map(|g| g.as_str()))
        .bind(c.age_band.map(|a| a.as_str()))
        .bind(c.id.0)
        .execute(&mut *self.conn()?)
        .await
        .map(|_| ())
        .map_err(db_err)
    }

    async fn reference_prefix(&mut self, j: &JurisdictionId) -> StoreResult<String> {
        if let Some(p) = self.prefixes.get(j) {
            return Ok(p.clone());
        }
        let row = sqlx::query("SELECT reference_prefix FROM jurisdictions WHERE id = $1")
            .bind(j.as_str())
            .fetch_one(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        let p: String = rows::get(&row, "reference_prefix")?;
        self.prefixes.insert(j.clone(), p.clone());
        Ok(p)
    }

    async fn recent_cases_of(&mut self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE citizen_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2",
            rows::CASE_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(citizen.0)
            .bind(i64::from(limit))
            .fetch_all(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::case).collect()
    }

    async fn insert_outbox(&mut self, e: &baraza_core::outbound::OutboxEntry) -> StoreResult<()> {
        insert_outbox(self.conn()?, e).await
    }

    async fn insert_publication(
        &mut self,
        p: &baraza_core::disclosure::Publication,
    ) -> StoreResult<()> {
        crate::disclosure::insert_publication(self.conn()?, p).await
    }

    async fn put_follower(
        &mut self,
        s: &baraza_core::disclosure::Subscription,
    ) -> StoreResult<bool> {
        crate::disclosure::insert_follower(self.conn()?, s).await
    }

    async fn followers(
        &mut self,
        j: &JurisdictionId,
        class: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        crate::disclosure::followers(self.conn()?, j, class).await
    }

    async fn plan_for_update(
        &mut self,
        id: baraza_core::action_plan::PlanId,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        crate::plans::plan_for_update(self.conn()?, id).await
    }

    async fn plan_by_slug(
        &mut self,
        j: &JurisdictionId,
        slug: &str,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        crate::plans::plan_by_slug(self.conn()?, j, slug).await
    }

    async fn plans_in(
        &mut self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>> {
        let found =
            sqlx::query("SELECT record FROM action_plans WHERE jurisdiction_id = $1 ORDER BY slug")
                .bind(j.as_str())
                .fetch_all(&mut *self.conn()?)
                .await
                .map_err(db_err)?;
        found.iter().map(crate::plans::plan_record).collect()
    }

    async fn put_plan(&mut self, p: &baraza_core::action_plan::ActionPlan) -> StoreResult<()> {
        crate::plans::put_plan(self.conn()?, p).await
    }

    async fn area_named(
        &mut self,
        j: &JurisdictionId,
        typed: &str,
    ) -> StoreResult<Option<(baraza_core::AreaCode, String)>> {
        let found = sqlx::query(
            "SELECT code, name FROM areas WHERE jurisdiction_id = $1 \
             AND (code = $2 OR lower(name) = lower($2)) ORDER BY depth DESC LIMIT 1",
        )
        .bind(j.as_str())
        .bind(typed.trim())
        .fetch_optional(&mut *self.conn()?)
        .await
        .map_err(db_err)?;
        found
            .map(|r| {
                Ok((
                    baraza_core::AreaCode(crate::rows::get(&r, "code")?),
                    crate::rows::get(&r, "name")?,
                ))
            })
            .transpose()
    }

    async fn project_for_update(
        &mut self,
        id: baraza_core::project::ProjectId,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        crate::projects::project_for_update(self.conn()?, id).await
    }

    async fn project_by_code(
        &mut self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        crate::projects::project_by_code(self.conn()?, j, code).await
    }

    async fn put_project(&mut self, p: &baraza_core::project::Project) -> StoreResult<()> {
        crate::projects::put_project(self.conn()?, p).await
    }

    async fn drop_follower(&mut self, address: &str) -> StoreResult<u64> {
        crate::disclosure::drop_follower(self.conn()?, address).await
    }

    async fn file_in_use(&mut self, sha256: &str) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM cases WHERE attachments::text LIKE $1)")
            .bind(format!("%\"{sha256}\"%"))
            .fetch_one(&mut *self.conn()?)
            .await
            .map_err(db_err)
    }

    async fn staff_of(&mut self, j: &JurisdictionId) -> StoreResult<Vec<StaffUser>> {
        let found = sqlx::query("SELECT * FROM users WHERE jurisdiction_id = $1 AND NOT disabled")
            .bind(j.as_str())
            .fetch_all(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::user).collect()
    }

    async fn insert_inbound(
        &mut self,
        m: &baraza_core::outbound::InboundMessage,
    ) -> StoreResult<bool> {
        insert_inbound(self.conn()?, m).await
    }

    async fn set_inbound_outcome(
        &mut self,
        id: uuid::Uuid,
        outcome: baraza_core::outbound::InboundOutcome,
        case: Option<CaseId>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE inbound_messages SET outcome = $1, case_id = $2 WHERE id = $3")
            .bind(outcome.as_str())
            .bind(case.map(|c| c.0))
            .bind(id)
            .execute(&mut *self.conn()?)
            .await
            .map(|_| ())
            .map_err(db_err)
    }
    async fn case_events(&mut self, case: CaseId) -> StoreResult<Vec<JournalEvent>> {
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id = $1 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(case.0)
            .fetch_all(&mut *self.conn()?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::event).collect()
    }

    async fn erase_payload(&mut self, seq: i64) -> StoreResult<()> {
        sqlx::query("UPDATE journal SET payload = NULL WHERE seq = $1")
            .bind(seq)
            .execute(&mut *self.conn()?)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    async fn erase_messages(
        &mut self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<(u64, u64)> {
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let inbound = sqlx::query(
            "UPDATE inbound_messages SET body = '', from_address = '', media_id = NULL, \
             media_status = CASE WHEN media_status IS NULL THEN NULL ELSE 'failed' END \
             WHERE from_address = ANY($1) OR case_id = ANY($2)",
        )
        .bind(addresses)
        .bind(&ids)
        .execute(&mut *self.conn()?)
        .await
        .map_err(db_err)?
        .rows_affected();
        let outbox = sqlx::query(
            "UPDATE outbox SET to_address = '', \
             template = template || jsonb_strip_nulls(jsonb_build_object( \
                 'text', CASE WHEN template ? 'text' THEN '[erased]' END, \
                 'reason', CASE WHEN template ? 'reason' THEN '[erased]' END, \
                 'to', CASE WHEN template ? 'to' THEN '[erased]' END, \
                 'note', CASE WHEN template ? 'note' THEN '[erased]' END)), \
             status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, \
             last_error = CASE WHEN status = 'pending' THEN 'personal data erased' ELSE last_error END \
             WHERE to_address = ANY($1) OR case_id = ANY($2)",
        )
        .bind(addresses)
        .bind(&ids)
        .execute(&mut *self.conn()?)
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok((inbound, outbox))
    }

    async fn replace_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        replace_citizen(self.conn()?, c).await
    }
}

/// Write every field of a citizen record (rectification, erasure).
pub async fn replace_citizen(conn: &mut PgConnection, c: &Citizen) -> StoreResult<()> {
    sqlx::query(
        "UPDATE citizens SET phone = $1, whatsapp_id = $2, email = $3, name = $4, language = $5, \
         gender = $6, age_band = $7, consent_contact = $8, consent_publish = $9 WHERE id = $10",
    )
    .bind(c.phone.as_ref().map(|p| p.as_str().to_owned()))
    .bind(&c.whatsapp_id)
    .bind(c.email.as_ref().map(|e| e.as_str().to_owned()))
    .bind(&c.name)
    .bind(c.language.as_str())
    .bind(c.gender.map(|g| g.as_str()))
    .bind(c.age_band.map(|a| a.as_str()))
    .bind(c.consent.contact)
    .bind(c.consent.publish)
    .bind(c.id.0)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn insert_outbox(
    conn: &mut PgConnection,
    e: &baraza_core::outbound::OutboxEntry,
) -> StoreResult<()> {
    let m = &e.message;
    sqlx::query(
        "INSERT INTO outbox (id, idempotency_key, case_id, channel, to_address, language, template, status, \
         attempts, next_attempt_at, provider, provider_message_id, cost, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(m.id)
    .bind(&m.idempotency_key)
    .bind(m.case_id.map(|c| c.0))
    .bind(m.channel.as_str())
    .bind(&m.to)
    .bind(m.language.as_str())
    .bind(Json(&m.template))
    .bind(e.status.as_str())
    .bind(i32::try_from(e.attempts).unwrap_or(i32::MAX))
    .bind(e.next_attempt_at)
    .bind(&e.provider)
    .bind(&e.provider_message_id)
    .bind(&e.cost)
    .bind(&e.last_error)
    .bind(m.created_at)
    .bind(e.updated_at)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

/// Store a citizen's message; false when this provider's id is already stored.
pub async fn insert_inbound(
    conn: &mut PgConnection,
    m: &baraza_core::outbound::InboundMessage,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO inbound_messages (id, provider, provider_message_id, channel, from_address, to_address, body, \
         received_at, case_id, outcome, media_id, media_type, media_status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (provider, provider_message_id) DO NOTHING",
    )
    .bind(m.id)
    .bind(&m.provider)
    .bind(&m.provider_message_id)
    .bind(m.channel.as_str())
    .bind(&m.from)
    .bind(&m.to)
    .bind(&m.body)
    .bind(m.received_at)
    .bind(m.case_id.map(|c| c.0))
    .bind(m.outcome.as_str())
    .bind(m.media.as_ref().map(|x| x.id.clone()))
    .bind(m.media.as_ref().and_then(|x| x.media_type.clone()))
    .bind(m.media.as_ref().map(|x| x.status.as_str()))
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}
