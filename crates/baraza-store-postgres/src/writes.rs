//! Every write statement, on a plain connection so that the writer, the pool and import
//! share them; and the PostgreSQL side of the group-commit writer: a pooled connection per
//! batch, the journal head locked `FOR UPDATE` (serialising writers across processes), a
//! savepoint per write.

use crate::rows::{self, db_err};
use async_trait::async_trait;
use baraza_core::*;
use baraza_store::{BatchTx, HeadOf, StoreError, StoreResult};
use sqlx::PgConnection;
use sqlx::types::Json;

pub struct PgBatchTx {
    options: sqlx::postgres::PgConnectOptions,
    /// The writer's own connection, outside the pool (closing the pool never waits for
    /// it): kept from batch to batch, made again after a failure.
    conn: Option<PgConnection>,
    /// Reference prefixes by jurisdiction: read once.
    prefixes: std::collections::HashMap<JurisdictionId, String>,
    /// Whether writes wait in `pending` until a read or the commit needs them written.
    deferring: bool,
    pending: RowBatch,
    /// `pending`'s lengths when the write in progress began.
    mark: Option<[usize; 5]>,
    /// Whether the write in progress has a savepoint in the database (its first rows had
    /// to be written before it ended).
    savepoint_open: bool,
    /// A deferred write failed: the transaction must not commit.
    poisoned: bool,
    /// Whether this batch's `BEGIN` was sent (with the first lock of heads).
    began: bool,
    /// Read ahead for the batch (`prefetch`); forgotten whenever pending rows are written.
    keys: std::collections::HashMap<(JurisdictionId, String), Option<Case>>,
    contacts: std::collections::HashMap<(JurisdictionId, &'static str, String), Option<Citizen>>,
    /// Read ahead: whether a provider's message id is stored already.
    inbound_known: std::collections::HashMap<(String, String), bool>,
    /// Read ahead: the latest cases (up to `RECENT`) of the citizens who sent messages.
    recent: std::collections::HashMap<CitizenId, Vec<Case>>,
}

/// How many of a citizen's latest cases are read ahead (what a message is understood by).
const RECENT: u32 = 10;

impl PgBatchTx {
    pub fn new(options: sqlx::postgres::PgConnectOptions) -> Self {
        Self {
            options,
            conn: None,
            prefixes: Default::default(),
            deferring: true,
            pending: RowBatch::default(),
            mark: None,
            savepoint_open: false,
            poisoned: false,
            began: false,
            keys: Default::default(),
            contacts: Default::default(),
            inbound_known: Default::default(),
            recent: Default::default(),
        }
    }

    fn conn(&mut self) -> StoreResult<&mut PgConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Backend("no batch in progress".into()))
    }

    /// The connection, once every pending row is written (a statement is about to run).
    async fn db(&mut self) -> StoreResult<&mut PgConnection> {
        if !self.pending.is_empty() {
            let r = self.flush().await;
            if r.is_err() {
                self.poisoned = true;
            }
            r?;
        }
        self.conn()
    }

    async fn flush(&mut self) -> StoreResult<()> {
        self.keys.clear();
        self.contacts.clear();
        self.inbound_known.clear();
        self.recent.clear();
        let mut pending = std::mem::take(&mut self.pending);
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| StoreError::Backend("no batch in progress".into()))?;
        match self.mark {
            Some(mark) if !self.savepoint_open => {
                // The finished writes' rows, then a savepoint for the one in progress.
                let current = pending.split_off(mark);
                pending.write(conn, None).await?;
                exec(conn, "SAVEPOINT write_op").await?;
                self.savepoint_open = true;
                current.write(conn, None).await?;
            }
            _ => pending.write(conn, None).await?,
        }
        if self.mark.is_some() {
            self.mark = Some([0; 5]);
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.began = false;
        self.pending = RowBatch::default();
        self.mark = None;
        self.savepoint_open = false;
        self.poisoned = false;
        self.keys.clear();
        self.contacts.clear();
        self.inbound_known.clear();
        self.recent.clear();
    }

    /// A pending citizen with this contact, the earliest first (as `find_citizen` orders).
    fn pending_citizen(&self, j: &JurisdictionId, col: &str, value: &str) -> Option<Citizen> {
        self.pending
            .citizens
            .iter()
            .find(|c| &c.jurisdiction == j && contact_of(c, col).as_deref() == Some(value))
            .cloned()
    }
}

/// A citizen's contact by its column's name.
fn contact_of(c: &Citizen, col: &str) -> Option<String> {
    match col {
        "phone" => c.phone.as_ref().map(|p| p.as_str().to_owned()),
        "whatsapp_id" => c.whatsapp_id.clone(),
        "email" => c.email.as_ref().map(|e| e.as_str().to_owned()),
        _ => None,
    }
}

/// The contacts an intake's citizen is matched by, in the order they are tried.
fn probes(c: &NewCitizen) -> [(&'static str, Option<String>); 3] {
    [
        ("phone", c.phone.as_ref().map(|p| p.as_str().to_owned())),
        ("whatsapp_id", c.whatsapp_id.clone()),
        ("email", c.email.as_ref().map(|e| e.as_str().to_owned())),
    ]
}

async fn exec(conn: &mut PgConnection, sql: &str) -> StoreResult<()> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

/// Rows travel as one JSON array per statement, unpacked by `jsonb_populate_recordset`:
/// a statement writes one row or a whole batch's rows with one round trip, and each
/// column's mapping is written once, here.
type Rows = Vec<serde_json::Value>;

fn ts(t: &Timestamp) -> serde_json::Value {
    // Timestamps are kept to the microsecond (`clock`): written as such, they come back equal.
    serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

fn opt_ts(t: &Option<Timestamp>) -> serde_json::Value {
    t.as_ref().map(ts).unwrap_or(serde_json::Value::Null)
}

fn json_of<T: serde::Serialize>(v: &T) -> StoreResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| StoreError::Backend(format!("encoding a row: {e}")))
}

pub fn case_row(c: &Case) -> StoreResult<serde_json::Value> {
    Ok(serde_json::json!({
        "id": c.id.0,
        "number": i64::from(c.number.value()),
        "jurisdiction_id": c.jurisdiction.as_str(),
        "kind": c.kind.as_str(),
        "channel": c.channel.as_str(),
        "status": c.status.as_str(),
        "category_code": c.category,
        "ward_code": c.ward.as_ref().map(|w| w.as_str()),
        "ladder": json_of(&c.ladder)?,
        "ladder_position": i32::from(c.ladder_position),
        "location_lat": c.location.map(|l| l.lat),
        "location_lon": c.location.map(|l| l.lon),
        "description": c.description,
        "attachments": json_of(&c.attachments)?,
        "priority": c.priority.map(|p| p.as_str()),
        "department_code": c.department,
        "officer_id": c.officer.map(|o| o.0),
        "citizen_id": c.citizen.map(|o| o.0),
        "first_response_due": opt_ts(&c.first_response_due),
        "resolution_due": opt_ts(&c.resolution_due),
        "first_responded_at": opt_ts(&c.first_responded_at),
        "resolved_at": opt_ts(&c.resolved_at),
        "closed_at": opt_ts(&c.closed_at),
        "duplicate_of": c.duplicate_of.map(|d| i64::from(d.value())),
        "reason": c.reason,
        "referred_to": c.referred_to,
        "reopen_count": i32::try_from(c.reopen_count).unwrap_or(i32::MAX),
        "satisfaction": c.satisfaction.map(i32::from),
        "idempotency_key": c.idempotency_key,
        "created_at": ts(&c.created_at),
        "updated_at": ts(&c.updated_at),
        "version": i32::try_from(c.version).unwrap_or(i32::MAX),
        "deadline": opt_ts(&c.deadline),
        "escalation_due": opt_ts(&c.escalation_due),
        "waiting_since": opt_ts(&c.waiting_since),
        "information": match &c.request {
            Some(r) => Some(serde_json::to_string(r).map_err(|e| StoreError::Backend(format!("encoding a row: {e}")))?),
            None => None,
        },
        "subject": c.subject.as_ref().map(|s| s.to_string()),
    }))
}

pub fn event_row(e: &JournalEvent) -> serde_json::Value {
    serde_json::json!({
        "jurisdiction_id": e.jurisdiction.as_str(),
        "seq": e.seq,
        "case_id": e.case_id.0,
        "at": ts(&e.at),
        "actor_role": e.actor_role,
        "actor_id": e.actor_id,
        "channel": e.channel.as_str(),
        "kind": e.kind.as_str(),
        "visibility": e.visibility.as_str(),
        "payload": e.payload,
        "payload_sha256": e.payload_sha256,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    })
}

pub fn citizen_row(c: &Citizen) -> serde_json::Value {
    serde_json::json!({
        "id": c.id.0,
        "jurisdiction_id": c.jurisdiction.as_str(),
        "phone": c.phone.as_ref().map(|p| p.as_str()),
        "whatsapp_id": c.whatsapp_id,
        "email": c.email.as_ref().map(|e| e.as_str()),
        "name": c.name,
        "language": c.language.as_str(),
        "gender": c.gender.map(|g| g.as_str()),
        "age_band": c.age_band.map(|a| a.as_str()),
        "consent_contact": c.consent.contact,
        "consent_publish": c.consent.publish,
        "created_at": ts(&c.created_at),
    })
}

pub fn outbox_row(e: &baraza_core::outbound::OutboxEntry) -> StoreResult<serde_json::Value> {
    let m = &e.message;
    Ok(serde_json::json!({
        "id": m.id,
        "idempotency_key": m.idempotency_key,
        "case_id": m.case_id.map(|c| c.0),
        "channel": m.channel.as_str(),
        "to_address": m.to,
        "language": m.language.as_str(),
        "template": json_of(&m.template)?,
        "status": e.status.as_str(),
        "attempts": i32::try_from(e.attempts).unwrap_or(i32::MAX),
        "next_attempt_at": ts(&e.next_attempt_at),
        "provider": e.provider,
        "provider_message_id": e.provider_message_id,
        "cost": e.cost,
        "last_error": e.last_error,
        "created_at": ts(&m.created_at),
        "updated_at": ts(&e.updated_at),
        "jurisdiction_id": m.jurisdiction.as_ref().map(|j| j.as_str()),
    }))
}

/// A citizen's message as a row of `inbound_messages` (JSON, for `jsonb_populate_recordset`).
pub fn inbound_row(m: &baraza_core::outbound::InboundMessage) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "provider": m.provider,
        "provider_message_id": m.provider_message_id,
        "channel": m.channel.as_str(),
        "from_address": m.from,
        "to_address": m.to,
        "body": m.body,
        "received_at": ts(&m.received_at),
        "case_id": m.case_id.map(|c| c.0),
        "outcome": m.outcome.as_str(),
        "media_id": m.media.as_ref().map(|x| x.id.clone()),
        "media_type": m.media.as_ref().and_then(|x| x.media_type.clone()),
        "media_status": m.media.as_ref().map(|x| x.status.as_str()),
        "jurisdiction_id": m.jurisdiction.as_ref().map(|j| j.as_str()),
    })
}

/// Insert (or, with `conflict`, upsert) rows of `table`, all in one statement.
async fn put_rows(
    conn: &mut PgConnection,
    table: &str,
    columns: &str,
    conflict: &str,
    rows: Rows,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_recordset(NULL::{table}, $1) {conflict}"
    );
    sqlx::query(&sql)
        .bind(Json(serde_json::Value::Array(rows)))
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

/// Creates and updates cases: one statement for both.
const CASES_UPSERT: &str = "ON CONFLICT (id) DO UPDATE SET status = excluded.status, category_code = excluded.category_code, \
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

const EVENT_COLUMNS: &str = "jurisdiction_id, seq, case_id, at, actor_role, actor_id, channel, kind, visibility, payload, \
    payload_sha256, prev_hash, hash";
const CITIZEN_COLUMNS: &str = "id, jurisdiction_id, phone, whatsapp_id, email, name, language, gender, age_band, \
    consent_contact, consent_publish, created_at";
const INBOUND_COLUMNS: &str = "id, provider, provider_message_id, channel, from_address, to_address, body, \
    received_at, case_id, outcome, media_id, media_type, media_status, jurisdiction_id";
const OUTBOX_COLUMNS: &str = "id, idempotency_key, case_id, channel, to_address, language, template, status, \
    attempts, next_attempt_at, provider, provider_message_id, cost, last_error, created_at, updated_at, \
    jurisdiction_id";

/// Rows for each table, in the order foreign keys need: citizens, cases, events, messages.
#[derive(Default)]
pub struct RowBatch {
    pub citizens: Vec<Citizen>,
    /// A case written twice in a batch is written once, as it was last.
    pub cases: Vec<Case>,
    pub events: Vec<JournalEvent>,
    pub outbox: Vec<baraza_core::outbound::OutboxEntry>,
    /// Citizens' messages, stored once each: inserted without `ON CONFLICT`, so that one
    /// another process stored meanwhile fails the batch at commit, which then runs again
    /// undeferred and finds it (a message is never handled twice).
    pub inbound: Vec<baraza_core::outbound::InboundMessage>,
}

impl RowBatch {
    pub fn is_empty(&self) -> bool {
        self.lens() == [0; 5]
    }

    pub fn lens(&self) -> [usize; 5] {
        [
            self.citizens.len(),
            self.cases.len(),
            self.events.len(),
            self.outbox.len(),
            self.inbound.len(),
        ]
    }

    /// Forget the rows after these lengths (a write undone).
    pub fn truncate(&mut self, to: [usize; 5]) {
        self.citizens.truncate(to[0]);
        self.cases.truncate(to[1]);
        self.events.truncate(to[2]);
        self.outbox.truncate(to[3]);
        self.inbound.truncate(to[4]);
    }

    /// The rows after these lengths, taken out.
    pub fn split_off(&mut self, at: [usize; 5]) -> RowBatch {
        RowBatch {
            citizens: self.citizens.split_off(at[0]),
            cases: self.cases.split_off(at[1]),
            events: self.events.split_off(at[2]),
            outbox: self.outbox.split_off(at[3]),
            inbound: self.inbound.split_off(at[4]),
        }
    }

    /// Write every row, and the chain's new head if given: one statement, whatever the
    /// number of rows (data-modifying `WITH`; foreign keys are checked at its end).
    pub async fn write(
        self,
        conn: &mut PgConnection,
        heads: Option<&[(JurisdictionId, ChainHead)]>,
    ) -> StoreResult<()> {
        let mut seen = std::collections::HashMap::new();
        let mut cases: Rows = Vec::with_capacity(self.cases.len());
        for c in &self.cases {
            let row = case_row(c)?;
            match seen.get(&c.id) {
                Some(&i) => cases[i] = row,
                None => {
                    seen.insert(c.id, cases.len());
                    cases.push(row);
                }
            }
        }
        let outbox = self
            .outbox
            .iter()
            .map(outbox_row)
            .collect::<StoreResult<Rows>>()?;
        let tables = [
            (
                "citizens",
                CITIZEN_COLUMNS,
                "",
                self.citizens.iter().map(citizen_row).collect::<Rows>(),
            ),
            ("cases", rows::CASE_COLUMNS, CASES_UPSERT, cases),
            (
                "journal",
                EVENT_COLUMNS,
                "",
                self.events.iter().map(event_row).collect(),
            ),
            (
                "outbox",
                OUTBOX_COLUMNS,
                "ON CONFLICT (idempotency_key) DO NOTHING",
                outbox,
            ),
            (
                "inbound_messages",
                INBOUND_COLUMNS,
                "",
                self.inbound.iter().map(inbound_row).collect(),
            ),
        ];
        let mut parts = Vec::new();
        let mut binds = Vec::new();
        for (table, columns, conflict, rows) in tables {
            if rows.is_empty() {
                continue;
            }
            binds.push(rows);
            parts.push(format!(
                "w_{table} AS (INSERT INTO {table} ({columns}) SELECT {columns} \
                 FROM jsonb_populate_recordset(NULL::{table}, ${}) {conflict})",
                binds.len()
            ));
        }
        let main = match heads {
            Some(_) => WRITE_HEADS.replace("$1", &format!("${}", binds.len() + 1)),
            None if parts.is_empty() => return Ok(()),
            None => "SELECT 1".to_owned(),
        };
        let sql = if parts.is_empty() {
            main
        } else {
            format!("WITH {} {main}", parts.join(", "))
        };
        let mut q = sqlx::query(&sql);
        for rows in binds {
            q = q.bind(Json(serde_json::Value::Array(rows)));
        }
        if let Some(h) = heads {
            q = q.bind(Json(heads_json(h)));
        }
        q.execute(conn).await.map(|_| ()).map_err(db_err)
    }
}

impl RowBatch {
    /// Write every row of an import, into tables that hold none of them yet: citizens,
    /// cases and events by `COPY` (the database parses each value once, with its type's
    /// own input, where a JSON batch is parsed twice), the few messages as [`Self::write`].
    pub async fn copy(mut self, conn: &mut PgConnection) -> StoreResult<()> {
        let tables = [
            (
                "citizens",
                CITIZEN_COLUMNS,
                self.citizens.iter().map(citizen_row).collect::<Rows>(),
            ),
            (
                "cases",
                rows::CASE_COLUMNS,
                self.cases
                    .iter()
                    .map(case_row)
                    .collect::<StoreResult<Rows>>()?,
            ),
            (
                "journal",
                EVENT_COLUMNS,
                self.events.iter().map(event_row).collect(),
            ),
        ];
        for (table, columns, rows) in tables {
            if rows.is_empty() {
                continue;
            }
            let names: Vec<&str> = columns.split(',').map(str::trim).collect();
            let mut text = String::with_capacity(rows.len() * 512);
            for row in &rows {
                copy_line(&mut text, &names, row);
            }
            let mut copy = conn
                .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
                .await
                .map_err(db_err)?;
            if let Err(e) = copy.send(text.into_bytes()).await {
                let _ = copy.abort(e.to_string()).await;
                return Err(db_err(e));
            }
            copy.finish().await.map_err(db_err)?;
        }
        self.citizens.clear();
        self.cases.clear();
        self.events.clear();
        self.write(conn, None).await
    }
}

/// One row of `COPY … FROM STDIN` (text format): the row's values in the columns' order,
/// tab-separated, `\N` for NULL, JSON for a JSON column; backslash, tab, newline and
/// carriage return escaped.
fn copy_line(out: &mut String, columns: &[&str], row: &serde_json::Value) {
    use serde_json::Value;
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        let text = match row.get(*column) {
            None | Some(Value::Null) => {
                out.push_str("\\N");
                continue;
            }
            Some(Value::String(s)) => std::borrow::Cow::Borrowed(s.as_str()),
            Some(Value::Bool(b)) => std::borrow::Cow::Borrowed(if *b { "t" } else { "f" }),
            Some(v) => std::borrow::Cow::Owned(v.to_string()),
        };
        for ch in text.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
    out.push('\n');
}

pub async fn upsert_case(conn: &mut PgConnection, c: &Case) -> StoreResult<()> {
    let row = case_row(c)?;
    put_rows(conn, "cases", rows::CASE_COLUMNS, CASES_UPSERT, vec![row]).await
}

pub async fn insert_event(conn: &mut PgConnection, e: &JournalEvent) -> StoreResult<()> {
    put_rows(conn, "journal", EVENT_COLUMNS, "", vec![event_row(e)]).await
}

pub async fn insert_citizen(conn: &mut PgConnection, c: &Citizen) -> StoreResult<()> {
    put_rows(conn, "citizens", CITIZEN_COLUMNS, "", vec![citizen_row(c)]).await
}

/// The shared chain's end (a database made before chains per jurisdiction; the genesis
/// otherwise), and with it where every jurisdiction's chain starts: import only.
pub async fn write_shared_head(conn: &mut PgConnection, head: &ChainHead) -> StoreResult<()> {
    for sql in [
        "UPDATE journal_head SET seq = $1, hash = $2 WHERE id = 1",
        "UPDATE journal_heads SET seq = $1, hash = $2",
    ] {
        sqlx::query(sql)
            .bind(head.seq)
            .bind(&head.hash)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// A jurisdiction's chain head: import only (the writer keeps its own).
pub async fn write_chain_head(
    conn: &mut PgConnection,
    j: &JurisdictionId,
    head: &ChainHead,
) -> StoreResult<()> {
    sqlx::query("UPDATE journal_heads SET seq = $2, hash = $3 WHERE jurisdiction_id = $1")
        .bind(j.as_str())
        .bind(head.seq)
        .bind(&head.hash)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

pub async fn read_shared_head(conn: &mut PgConnection) -> StoreResult<ChainHead> {
    let row = sqlx::query("SELECT seq, hash FROM journal_head WHERE id = 1")
        .fetch_one(conn)
        .await
        .map_err(db_err)?;
    Ok(ChainHead {
        seq: rows::get(&row, "seq")?,
        hash: rows::get(&row, "hash")?,
    })
}

/// A jurisdiction's chain head (the shared chain's end for one never written to).
pub async fn read_head(conn: &mut PgConnection, j: &JurisdictionId) -> StoreResult<ChainHead> {
    let row = sqlx::query("SELECT seq, hash FROM journal_heads WHERE jurisdiction_id = $1")
        .bind(j.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    match row {
        Some(row) => Ok(ChainHead {
            seq: rows::get(&row, "seq")?,
            hash: rows::get(&row, "hash")?,
        }),
        None => read_shared_head(conn).await,
    }
}

/// The heads a batch moved, in one statement.
const WRITE_HEADS: &str = "UPDATE journal_heads h SET seq = v.seq, hash = v.hash \
    FROM jsonb_to_recordset($1) AS v(jurisdiction_id text, seq bigint, hash text) \
    WHERE h.jurisdiction_id = v.jurisdiction_id";

fn heads_json(heads: &[(JurisdictionId, ChainHead)]) -> serde_json::Value {
    heads
        .iter()
        .map(|(j, h)| serde_json::json!({"jurisdiction_id": j.as_str(), "seq": h.seq, "hash": h.hash}))
        .collect()
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
        self.reset();
        // The writer keeps its connection from batch to batch (no check-out per batch);
        // `BEGIN` goes with the head's lock, in one round trip.
        if self.conn.is_none() {
            use sqlx::Connection;
            let conn = PgConnection::connect_with(&self.options)
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            self.conn = Some(conn);
        }
        Ok(())
    }
    async fn lock_heads(
        &mut self,
        wanted: &[HeadOf],
    ) -> StoreResult<Vec<(JurisdictionId, ChainHead)>> {
        use sqlx::{Executor, Row};
        // A query without parameters goes as one simple query: `BEGIN` and the lock, one
        // trip. Its values are safe as literals: a jurisdiction id is lowercase letters,
        // digits and hyphens (`JurisdictionId::parse`), a number is a number, an id a UUID.
        let begin = if std::mem::replace(&mut self.began, true) {
            ""
        } else {
            "BEGIN; "
        };
        let conn = self.conn()?;
        if wanted.is_empty() {
            if !begin.is_empty() {
                exec(conn, "BEGIN").await?;
            }
            return Ok(Vec::new());
        }
        let list = |f: &dyn Fn(&HeadOf) -> Option<String>| {
            wanted.iter().filter_map(f).collect::<Vec<_>>().join(", ")
        };
        let named = list(&|w| match w {
            HeadOf::Jurisdiction(j) => Some(format!("'{}'", j.as_str().replace('\'', "''"))),
            _ => None,
        });
        let numbers = list(&|w| match w {
            HeadOf::Case(n) => Some(n.value().to_string()),
            _ => None,
        });
        let documents = list(&|w| match w {
            HeadOf::Document(id) => Some(format!("'{id}'::uuid")),
            _ => None,
        });
        let citizens = list(&|w| match w {
            HeadOf::Citizen(c) => Some(format!("'{}'::uuid", c.0)),
            _ => None,
        });
        let mut of = Vec::new();
        if !named.is_empty() {
            of.push(format!("jurisdiction_id IN ({named})"));
        }
        if !numbers.is_empty() {
            of.push(format!(
                "jurisdiction_id IN (SELECT jurisdiction_id FROM cases WHERE number IN ({numbers}))"
            ));
        }
        if !documents.is_empty() {
            of.push(format!(
                "jurisdiction_id IN (SELECT jurisdiction_id FROM action_plans WHERE id IN ({documents}) \
                 UNION ALL SELECT jurisdiction_id FROM projects WHERE id IN ({documents}))"
            ));
        }
        if !citizens.is_empty() {
            of.push(format!(
                "jurisdiction_id IN (SELECT jurisdiction_id FROM citizens WHERE id IN ({citizens}))"
            ));
        }
        // Locked in the order of their names: two writers never wait on each other in a circle.
        let sql = format!(
            "{begin}SELECT jurisdiction_id, seq, hash FROM journal_heads WHERE {} \
             ORDER BY jurisdiction_id FOR UPDATE",
            of.join(" OR ")
        );
        let found = conn.fetch_all(sql.as_str()).await.map_err(db_err)?;
        found
            .iter()
            .map(|row| {
                Ok((
                    JurisdictionId::parse(
                        &row.try_get::<String, _>("jurisdiction_id")
                            .map_err(db_err)?,
                    )?,
                    ChainHead {
                        seq: row.try_get("seq").map_err(db_err)?,
                        hash: row.try_get("hash").map_err(db_err)?,
                    },
                ))
            })
            .collect()
    }
    async fn write_heads(&mut self, heads: &[(JurisdictionId, ChainHead)]) -> StoreResult<()> {
        if heads.is_empty() {
            return Ok(());
        }
        if self.pending.is_empty() || !self.deferring {
            return sqlx::query(WRITE_HEADS)
                .bind(Json(heads_json(heads)))
                .execute(self.db().await?)
                .await
                .map(|_| ())
                .map_err(db_err);
        }
        // The batch's rows and the new heads in one statement.
        let pending = std::mem::take(&mut self.pending);
        let r = pending.write(self.conn()?, Some(heads)).await;
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }
    async fn savepoint(&mut self) -> StoreResult<()> {
        if !self.deferring {
            return exec(self.conn()?, "SAVEPOINT write_op").await;
        }
        self.mark = Some(self.pending.lens());
        self.savepoint_open = false;
        Ok(())
    }
    async fn release_savepoint(&mut self) -> StoreResult<()> {
        if !self.deferring {
            return exec(self.conn()?, "RELEASE SAVEPOINT write_op").await;
        }
        let open = std::mem::take(&mut self.savepoint_open);
        self.mark = None;
        if open {
            exec(self.conn()?, "RELEASE SAVEPOINT write_op").await?;
        }
        Ok(())
    }
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        if !self.deferring {
            return exec(self.conn()?, "ROLLBACK TO SAVEPOINT write_op").await;
        }
        if let Some(mark) = self.mark {
            self.pending.truncate(mark);
        }
        if self.savepoint_open {
            // What the write read ahead may have changed with it.
            self.keys.clear();
            self.contacts.clear();
            exec(self.conn()?, "ROLLBACK TO SAVEPOINT write_op").await?;
        }
        Ok(())
    }
    async fn commit(&mut self) -> StoreResult<()> {
        if self.poisoned {
            return Err(StoreError::Unavailable(
                "a deferred write failed; the batch is undone".into(),
            ));
        }
        let conn = self.db().await?;
        exec(conn, "COMMIT").await
    }
    async fn rollback(&mut self) -> StoreResult<()> {
        self.reset();
        let r = match self.conn.as_mut() {
            Some(c) => exec(c, "ROLLBACK").await,
            None => Ok(()),
        };
        if r.is_err() {
            // Never reuse a connection in an unknown state.
            self.conn = None;
        }
        r
    }

    fn defers_writes(&self) -> bool {
        self.deferring
    }
    fn set_deferring(&mut self, on: bool) {
        self.deferring = on;
    }

    async fn numbers_taken(
        &mut self,
        candidates: &[CaseNumber],
    ) -> StoreResult<Option<std::collections::HashSet<CaseNumber>>> {
        let values: Vec<i64> = candidates.iter().map(|n| i64::from(n.value())).collect();
        // Planned at each use (not prepared once): a plan made while the table was small
        // would scan it whole forever after.
        let taken: Vec<i64> = sqlx::query_scalar("SELECT number FROM cases WHERE number = ANY($1)")
            .persistent(false)
            .bind(&values)
            .fetch_all(self.db().await?)
            .await
            .map_err(db_err)?;
        Ok(Some(
            candidates
                .iter()
                .copied()
                .filter(|n| taken.contains(&i64::from(n.value())))
                .collect(),
        ))
    }

    async fn prefetch(&mut self, ops: &[baraza_store::group_commit::WriteOp]) -> StoreResult<()> {
        if !self.deferring {
            return Ok(());
        }
        let mut keys: Vec<(JurisdictionId, String)> = Vec::new();
        let mut contacts: Vec<(JurisdictionId, &'static str, String)> = Vec::new();
        let mut messages: Vec<(String, String)> = Vec::new();
        let mut senders: Vec<(JurisdictionId, NewCitizen)> = Vec::new();
        for op in ops {
            // A citizen's message: whether it was stored before, who sent it, and the
            // idempotency key of the case it would open.
            if let baraza_store::group_commit::WriteOp::Inbound(a) = op {
                let m = &a.message;
                messages.push((m.provider.clone(), m.provider_message_id.clone()));
                keys.push((
                    a.jurisdiction.clone(),
                    format!("{}:{}", m.provider, m.provider_message_id),
                ));
                let from = baraza_store::inbound::sender(m, a.default_language);
                for (col, value) in probes(&from) {
                    if let Some(v) = value {
                        contacts.push((a.jurisdiction.clone(), col, v));
                    }
                }
                senders.push((a.jurisdiction.clone(), from));
                continue;
            }
            let baraza_store::group_commit::WriteOp::Create { new, .. } = op else {
                continue;
            };
            if let Some(k) = &new.idempotency_key {
                keys.push((new.jurisdiction.clone(), k.clone()));
            }
            if let Some(c) = new.citizen.as_ref().filter(|c| c.has_contact()) {
                for (col, value) in probes(c) {
                    if let Some(v) = value {
                        contacts.push((new.jurisdiction.clone(), col, v));
                    }
                }
            }
        }
        if !messages.is_empty() {
            let (ps, ids): (Vec<String>, Vec<String>) = messages.iter().cloned().unzip();
            let stored: Vec<(String, String)> = sqlx::query_as(
                "SELECT provider, provider_message_id FROM inbound_messages \
                 WHERE (provider, provider_message_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            )
            .persistent(false)
            .bind(&ps)
            .bind(&ids)
            .fetch_all(self.db().await?)
            .await
            .map_err(db_err)?;
            for m in messages {
                self.inbound_known.insert(m, false);
            }
            for m in stored {
                self.inbound_known.insert(m, true);
            }
        }
        if !keys.is_empty() {
            let (js, ks): (Vec<String>, Vec<String>) = keys
                .iter()
                .map(|(j, k)| (j.as_str().to_owned(), k.clone()))
                .unzip();
            let sql = format!(
                "SELECT {} FROM cases WHERE (jurisdiction_id, idempotency_key) IN \
                 (SELECT * FROM unnest($1::text[], $2::text[]))",
                rows::CASE_COLUMNS
            );
            let found = sqlx::query(&sql)
                .persistent(false)
                .bind(&js)
                .bind(&ks)
                .fetch_all(self.db().await?)
                .await
                .map_err(db_err)?;
            for key in keys {
                self.keys.entry(key).or_insert(None);
            }
            for row in &found {
                let c = rows::case(row)?;
                if let Some(k) = c.idempotency_key.clone() {
                    self.keys.insert((c.jurisdiction.clone(), k), Some(c));
                }
            }
        }
        for col in ["phone", "whatsapp_id", "email"] {
            let (js, vs): (Vec<String>, Vec<String>) = contacts
                .iter()
                .filter(|(_, c, _)| *c == col)
                .map(|(j, _, v)| (j.as_str().to_owned(), v.clone()))
                .unzip();
            if js.is_empty() {
                continue;
            }
            let sql = format!(
                "SELECT * FROM citizens WHERE (jurisdiction_id, {col}) IN \
                 (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY created_at"
            );
            let found = sqlx::query(&sql)
                .persistent(false)
                .bind(&js)
                .bind(&vs)
                .fetch_all(self.db().await?)
                .await
                .map_err(db_err)?;
            for (j, v) in js.into_iter().zip(vs) {
                let j = JurisdictionId::parse(&j)?;
                self.contacts.entry((j, col, v)).or_insert(None);
            }
            for row in &found {
                let c = rows::citizen(row)?;
                if let Some(v) = contact_of(&c, col) {
                    let slot = self
                        .contacts
                        .entry((c.jurisdiction.clone(), col, v))
                        .or_insert(None);
                    // The earliest citizen with the contact, as `find_citizen` chooses.
                    if slot.is_none() {
                        *slot = Some(c);
                    }
                }
            }
        }
        // The senders known already: their latest cases, which say what a reply means.
        let mut known: Vec<uuid::Uuid> = Vec::new();
        for (j, from) in &senders {
            let found = probes(from).into_iter().find_map(|(col, value)| {
                self.contacts
                    .get(&(j.clone(), col, value?))
                    .cloned()
                    .flatten()
            });
            if let Some(c) = found {
                known.push(c.id.0);
            }
        }
        known.sort_unstable();
        known.dedup();
        if !known.is_empty() {
            let sql = format!(
                "SELECT c.* FROM unnest($1::uuid[]) AS z(id) CROSS JOIN LATERAL \
                 (SELECT {} FROM cases WHERE citizen_id = z.id \
                 ORDER BY updated_at DESC, id DESC LIMIT {RECENT}) c",
                rows::CASE_COLUMNS
            );
            let found = sqlx::query(&sql)
                .persistent(false)
                .bind(&known)
                .fetch_all(self.db().await?)
                .await
                .map_err(db_err)?;
            for id in known {
                self.recent.entry(CitizenId(id)).or_default();
            }
            for row in &found {
                let c = rows::case(row)?;
                if let Some(z) = c.citizen {
                    self.recent.entry(z).or_default().push(c);
                }
            }
        }
        Ok(())
    }

    async fn case_by_idempotency_key(
        &mut self,
        j: &JurisdictionId,
        key: &str,
    ) -> StoreResult<Option<Case>> {
        if let Some(c) = self
            .pending
            .cases
            .iter()
            .rev()
            .find(|c| &c.jurisdiction == j && c.idempotency_key.as_deref() == Some(key))
        {
            return Ok(Some(c.clone()));
        }
        if let Some(known) = self.keys.get(&(j.clone(), key.to_owned())) {
            return Ok(known.clone());
        }
        let sql = format!(
            "SELECT {} FROM cases WHERE jurisdiction_id = $1 AND idempotency_key = $2",
            rows::CASE_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(j.as_str())
            .bind(key)
            .fetch_optional(self.db().await?)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn find_citizen(
        &mut self,
        j: &JurisdictionId,
        c: &NewCitizen,
    ) -> StoreResult<Option<Citizen>> {
        for (col, value) in probes(c) {
            let Some(value) = value else { continue };
            if let Some(known) = self.contacts.get(&(j.clone(), col, value.clone())) {
                // Read ahead: the database's answer, then what this batch added.
                if let Some(found) = known
                    .clone()
                    .or_else(|| self.pending_citizen(j, col, &value))
                {
                    return Ok(Some(found));
                }
                continue;
            }
            let sql = format!(
                "SELECT * FROM citizens WHERE jurisdiction_id = $1 AND {col} = $2 ORDER BY created_at LIMIT 1"
            );
            let row = sqlx::query(&sql)
                .bind(j.as_str())
                .bind(value)
                .fetch_optional(self.db().await?)
                .await
                .map_err(db_err)?;
            if let Some(row) = row {
                return rows::citizen(&row).map(Some);
            }
        }
        Ok(None)
    }

    async fn insert_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        if self.deferring {
            self.pending.citizens.push(c.clone());
            return Ok(());
        }
        insert_citizen(self.conn()?, c).await
    }

    async fn number_taken(&mut self, n: CaseNumber) -> StoreResult<bool> {
        if self.pending.cases.iter().any(|c| c.number == n) {
            return Ok(true);
        }
        let row = sqlx::query("SELECT 1 FROM cases WHERE number = $1")
            .bind(i64::from(n.value()))
            .fetch_optional(self.db().await?)
            .await
            .map_err(db_err)?;
        Ok(row.is_some())
    }

    async fn insert_case(&mut self, c: &Case) -> StoreResult<()> {
        self.update_case(c).await
    }

    async fn case_for_update(&mut self, n: CaseNumber) -> StoreResult<Option<Case>> {
        // Another process may be acting on the same case: lock its row until commit.
        let sql = format!(
            "SELECT {} FROM cases WHERE number = $1 FOR UPDATE",
            rows::CASE_COLUMNS
        );
        let row = sqlx::query(&sql)
            .bind(i64::from(n.value()))
            .fetch_optional(self.db().await?)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    async fn update_case(&mut self, c: &Case) -> StoreResult<()> {
        if self.deferring {
            self.pending.cases.push(c.clone());
            return Ok(());
        }
        upsert_case(self.conn()?, c).await
    }

    async fn append_event(&mut self, e: &JournalEvent) -> StoreResult<()> {
        if self.deferring {
            self.pending.events.push(e.clone());
            return Ok(());
        }
        insert_event(self.conn()?, e).await
    }

    async fn citizen(&mut self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.db().await?)
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
        .execute(self.db().await?)
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
            .fetch_one(self.db().await?)
            .await
            .map_err(db_err)?;
        let p: String = rows::get(&row, "reference_prefix")?;
        self.prefixes.insert(j.clone(), p.clone());
        Ok(p)
    }

    async fn recent_cases_of(&mut self, citizen: CitizenId, limit: u32) -> StoreResult<Vec<Case>> {
        if limit <= RECENT
            && let Some(read) = self.recent.get(&citizen)
        {
            // Read ahead, with this batch's cases of theirs (as last written) over it.
            let mut cases = read.clone();
            for c in self
                .pending
                .cases
                .iter()
                .filter(|c| c.citizen == Some(citizen))
            {
                match cases.iter_mut().find(|x| x.id == c.id) {
                    Some(x) => *x = c.clone(),
                    None => cases.push(c.clone()),
                }
            }
            cases.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.0.cmp(&a.id.0)));
            cases.truncate(limit as usize);
            return Ok(cases);
        }
        let sql = format!(
            "SELECT {} FROM cases WHERE citizen_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2",
            rows::CASE_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(citizen.0)
            .bind(i64::from(limit))
            .fetch_all(self.db().await?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::case).collect()
    }

    async fn insert_outbox(&mut self, e: &baraza_core::outbound::OutboxEntry) -> StoreResult<()> {
        if self.deferring {
            self.pending.outbox.push(e.clone());
            return Ok(());
        }
        insert_outbox(self.conn()?, e).await
    }

    async fn insert_publication(
        &mut self,
        p: &baraza_core::disclosure::Publication,
    ) -> StoreResult<()> {
        crate::disclosure::insert_publication(self.db().await?, p).await
    }

    async fn put_follower(
        &mut self,
        s: &baraza_core::disclosure::Subscription,
    ) -> StoreResult<bool> {
        crate::disclosure::insert_follower(self.db().await?, s).await
    }

    async fn followers(
        &mut self,
        j: &JurisdictionId,
        class: &str,
    ) -> StoreResult<Vec<baraza_core::disclosure::Subscription>> {
        crate::disclosure::followers(self.db().await?, j, class).await
    }

    async fn plan_for_update(
        &mut self,
        id: baraza_core::action_plan::PlanId,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        crate::plans::plan_for_update(self.db().await?, id).await
    }

    async fn plan_by_slug(
        &mut self,
        j: &JurisdictionId,
        slug: &str,
    ) -> StoreResult<Option<baraza_core::action_plan::ActionPlan>> {
        crate::plans::plan_by_slug(self.db().await?, j, slug).await
    }

    async fn plans_in(
        &mut self,
        j: &JurisdictionId,
    ) -> StoreResult<Vec<baraza_core::action_plan::ActionPlan>> {
        let found =
            sqlx::query("SELECT record FROM action_plans WHERE jurisdiction_id = $1 ORDER BY slug")
                .bind(j.as_str())
                .fetch_all(self.db().await?)
                .await
                .map_err(db_err)?;
        found.iter().map(crate::plans::plan_record).collect()
    }

    async fn put_plan(&mut self, p: &baraza_core::action_plan::ActionPlan) -> StoreResult<()> {
        crate::plans::put_plan(self.db().await?, p).await
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
        .fetch_optional(self.db().await?)
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
        crate::projects::project_for_update(self.db().await?, id).await
    }

    async fn project_by_code(
        &mut self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<baraza_core::project::Project>> {
        crate::projects::project_by_code(self.db().await?, j, code).await
    }

    async fn put_project(&mut self, p: &baraza_core::project::Project) -> StoreResult<()> {
        crate::projects::put_project(self.db().await?, p).await
    }

    async fn drop_follower(&mut self, address: &str) -> StoreResult<u64> {
        crate::disclosure::drop_follower(self.db().await?, address).await
    }

    async fn file_in_use(&mut self, sha256: &str) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM cases WHERE attachments::text LIKE $1)")
            .bind(format!("%\"{sha256}\"%"))
            .fetch_one(self.db().await?)
            .await
            .map_err(db_err)
    }

    async fn staff_of(&mut self, j: &JurisdictionId) -> StoreResult<Vec<StaffUser>> {
        let found = sqlx::query("SELECT * FROM users WHERE jurisdiction_id = $1 AND NOT disabled")
            .bind(j.as_str())
            .fetch_all(self.db().await?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::user).collect()
    }

    async fn claim_outbox(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::OutboxEntry>> {
        crate::outbox::claim(self.db().await?, now, lease_until, limit).await
    }

    async fn update_outbox(
        &mut self,
        outcomes: &[(baraza_core::outbound::OutboxEntry, Timestamp)],
    ) -> StoreResult<Vec<bool>> {
        crate::outbox::record(self.db().await?, outcomes).await
    }

    async fn insert_inbound(
        &mut self,
        m: &baraza_core::outbound::InboundMessage,
    ) -> StoreResult<bool> {
        let key = (m.provider.clone(), m.provider_message_id.clone());
        if self.deferring
            && let Some(stored) = self.inbound_known.get(&key).copied()
        {
            let pending = self.pending.inbound.iter().any(|p| {
                p.provider == m.provider && p.provider_message_id == m.provider_message_id
            });
            if stored || pending {
                return Ok(false);
            }
            self.pending.inbound.push(m.clone());
            return Ok(true);
        }
        insert_inbound(self.db().await?, m).await
    }

    async fn set_inbound_outcome(
        &mut self,
        id: uuid::Uuid,
        outcome: baraza_core::outbound::InboundOutcome,
        case: Option<CaseId>,
    ) -> StoreResult<()> {
        if let Some(m) = self.pending.inbound.iter_mut().find(|m| m.id == id) {
            m.outcome = outcome;
            m.case_id = case;
            return Ok(());
        }
        sqlx::query("UPDATE inbound_messages SET outcome = $1, case_id = $2 WHERE id = $3")
            .bind(outcome.as_str())
            .bind(case.map(|c| c.0))
            .bind(id)
            .execute(self.db().await?)
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
            .fetch_all(self.db().await?)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::event).collect()
    }

    async fn erase_payload(&mut self, j: &JurisdictionId, seq: i64) -> StoreResult<()> {
        sqlx::query("UPDATE journal SET payload = NULL WHERE jurisdiction_id = $1 AND seq = $2")
            .bind(j.as_str())
            .bind(seq)
            .execute(self.db().await?)
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
        .execute(self.db().await?)
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
        .execute(self.db().await?)
        .await
        .map_err(db_err)?
        .rows_affected();
        Ok((inbound, outbox))
    }

    async fn replace_citizen(&mut self, c: &Citizen) -> StoreResult<()> {
        replace_citizen(self.db().await?, c).await
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
    put_rows(
        conn,
        "outbox",
        OUTBOX_COLUMNS,
        "ON CONFLICT (idempotency_key) DO NOTHING",
        vec![outbox_row(e)?],
    )
    .await
}

/// Store a citizen's message; false when this provider's id is already stored.
pub async fn insert_inbound(
    conn: &mut PgConnection,
    m: &baraza_core::outbound::InboundMessage,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO inbound_messages (id, provider, provider_message_id, channel, from_address, to_address, body, \
         received_at, case_id, outcome, media_id, media_type, media_status, jurisdiction_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
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
    .bind(m.jurisdiction.as_ref().map(|j| j.as_str()))
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}
