//! Rows to domain types and back. Everything read from the database is parsed again;
//! a value that does not parse is reported as corrupt data, never unwrapped.

use baraza_core::*;
use baraza_store::{StoreError, StoreResult};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

pub fn ts(t: &Timestamp) -> String {
    baraza_core::clock::canonical(t)
}

pub fn ts_opt(t: &Option<Timestamp>) -> Option<String> {
    t.as_ref().map(ts)
}

pub fn parse_ts(s: &str) -> StoreResult<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| StoreError::corrupt(format!("timestamp {s:?}: {e}")))
}

fn opt_ts(row: &SqliteRow, col: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<String>>(row, col)?
        .as_deref()
        .map(parse_ts)
        .transpose()
}

pub fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    col: &str,
) -> StoreResult<T> {
    row.try_get(col)
        .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
}

pub fn parse<T: std::str::FromStr>(s: &str, what: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|_| StoreError::corrupt(format!("{what} {s:?}")))
}

pub fn uuid(row: &SqliteRow, col: &str) -> StoreResult<uuid::Uuid> {
    parse(&get::<String>(row, col)?, col)
}

fn json<T: serde::de::DeserializeOwned>(row: &SqliteRow, col: &str) -> StoreResult<T> {
    serde_json::from_str(&get::<String>(row, col)?)
        .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub fn jurisdiction(row: &SqliteRow) -> StoreResult<Jurisdiction> {
    Ok(Jurisdiction {
        id: JurisdictionId::parse(&get::<String>(row, "id")?)?,
        name: get(row, "name")?,
        reference_prefix: get(row, "reference_prefix")?,
        levels: json(row, "levels")?,
        country: get(row, "country")?,
        default_language: parse(&get::<String>(row, "default_language")?, "language")?,
        timezone: get(row, "timezone")?,
        policy: json(row, "policy")?,
        open_contracting: json(row, "open_contracting")?,
        ward_map: json(row, "ward_map")?,
    })
}

pub fn area(row: &SqliteRow) -> StoreResult<Area> {
    Ok(Area {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        code: AreaCode(get(row, "code")?),
        name: get(row, "name")?,
        depth: u8::try_from(get::<i64>(row, "depth")?).map_err(StoreError::corrupt)?,
        parent: get::<Option<String>>(row, "parent_code")?.map(AreaCode),
    })
}

pub fn department(row: &SqliteRow) -> StoreResult<Department> {
    Ok(Department {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        code: get(row, "code")?,
        name: get(row, "name")?,
        names: json(row, "names")?,
    })
}

pub fn category(row: &SqliteRow) -> StoreResult<ServiceCategory> {
    Ok(ServiceCategory {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        code: get(row, "code")?,
        name: get(row, "name")?,
        names: json(row, "names")?,
        department: get(row, "department_code")?,
    })
}

pub fn scope_parts(scope: &Scope) -> (&'static str, Option<&str>) {
    match scope {
        Scope::Jurisdiction => ("jurisdiction", None),
        Scope::Area(a) => ("area", Some(a.as_str())),
        Scope::Department(d) => ("department", Some(d.as_str())),
    }
}

pub fn scope_from(kind: &str, code: Option<String>) -> StoreResult<Scope> {
    match (kind, code) {
        ("jurisdiction", _) => Ok(Scope::Jurisdiction),
        ("area", Some(c)) => Ok(Scope::Area(AreaCode(c))),
        ("department", Some(c)) => Ok(Scope::Department(c)),
        (k, _) => Err(StoreError::corrupt(format!("scope {k:?}"))),
    }
}

/// The columns `user` reads, for statements that name them (the writer thread).
pub const USER_COLUMNS: &str = "id, jurisdiction_id, username, display_name, role, scope_type, scope_code, email, phone, disabled, created_at";

pub fn user<R: Columns>(row: &R) -> StoreResult<StaffUser> {
    Ok(StaffUser {
        id: UserId(parse(&row.req_text("id")?, "id")?),
        jurisdiction: JurisdictionId::parse(&row.req_text("jurisdiction_id")?)?,
        username: row.req_text("username")?,
        display_name: row.req_text("display_name")?,
        role: parse(&row.req_text("role")?, "role")?,
        scope: scope_from(&row.req_text("scope_type")?, row.text("scope_code")?)?,
        email: row.text("email")?.map(|e| Email::parse(&e)).transpose()?,
        phone: row
            .text("phone")?
            .map(|p| PhoneNumber::parse(&p))
            .transpose()?,
        disabled: row.req_int("disabled")? != 0,
        created_at: parse_ts(&row.req_text("created_at")?)?,
    })
}

pub fn token(row: &SqliteRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: uuid(row, "id")?,
        user: UserId(uuid(row, "user_id")?),
        name: get(row, "name")?,
        secret_sha256: get(row, "secret_sha256")?,
        created_at: parse_ts(&get::<String>(row, "created_at")?)?,
        revoked_at: opt_ts(row, "revoked_at")?,
    })
}

pub fn citizen(row: &impl Columns) -> StoreResult<Citizen> {
    Ok(Citizen {
        id: CitizenId(parse(&row.req_text("id")?, "citizen id")?),
        jurisdiction: JurisdictionId::parse(&row.req_text("jurisdiction_id")?)?,
        phone: row
            .text("phone")?
            .map(|p| PhoneNumber::parse(&p))
            .transpose()?,
        whatsapp_id: row.text("whatsapp_id")?,
        email: row.text("email")?.map(|e| Email::parse(&e)).transpose()?,
        name: row.text("name")?,
        language: parse(&row.req_text("language")?, "language")?,
        gender: opt_parse(row.text("gender")?, "gender")?,
        age_band: opt_parse(row.text("age_band")?, "age band")?,
        consent: Consent {
            contact: row.req_int("consent_contact")? != 0,
            publish: row.req_int("consent_publish")? != 0,
        },
        created_at: parse_ts(&row.req_text("created_at")?)?,
    })
}

pub const CASE_COLUMNS: &str = "id, number, jurisdiction_id, kind, channel, status, category_code, ward_code, \
    ladder, ladder_position, location_lat, location_lon, description, attachments, priority, department_code, \
    officer_id, citizen_id, first_response_due, resolution_due, first_responded_at, resolved_at, closed_at, \
    duplicate_of, reason, referred_to, reopen_count, satisfaction, idempotency_key, created_at, updated_at, version, deadline, escalation_due, waiting_since, information, subject";

/// A value bound to a statement, whichever driver runs it: the async pool (sqlx) or the
/// writer thread (rusqlite). One list of values per row type, so the two never drift.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<Option<String>> for SqlValue {
    fn from(v: Option<String>) -> Self {
        v.map_or(SqlValue::Null, SqlValue::Text)
    }
}

fn text(s: impl Into<String>) -> SqlValue {
    SqlValue::Text(s.into())
}

fn opt_text<S: Into<String>>(s: Option<S>) -> SqlValue {
    s.map_or(SqlValue::Null, |s| SqlValue::Text(s.into()))
}

fn opt_int(v: Option<i64>) -> SqlValue {
    v.map_or(SqlValue::Null, SqlValue::Int)
}

fn opt_real(v: Option<f64>) -> SqlValue {
    v.map_or(SqlValue::Null, SqlValue::Real)
}

/// The values of `CASE_COLUMNS`, in order.
pub fn case_values(c: &Case) -> Vec<SqlValue> {
    vec![
        text(c.id.0.to_string()),
        SqlValue::Int(i64::from(c.number.value())),
        text(c.jurisdiction.as_str()),
        text(c.kind.as_str()),
        text(c.channel.as_str()),
        text(c.status.as_str()),
        opt_text(c.category.clone()),
        opt_text(c.ward.as_ref().map(|w| w.as_str())),
        text(to_json(&c.ladder)),
        SqlValue::Int(i64::from(c.ladder_position)),
        opt_real(c.location.map(|l| l.lat)),
        opt_real(c.location.map(|l| l.lon)),
        text(c.description.clone()),
        text(to_json(&c.attachments)),
        opt_text(c.priority.map(|p| p.as_str())),
        opt_text(c.department.clone()),
        opt_text(c.officer.map(|o| o.0.to_string())),
        opt_text(c.citizen.map(|o| o.0.to_string())),
        opt_text(ts_opt(&c.first_response_due)),
        opt_text(ts_opt(&c.resolution_due)),
        opt_text(ts_opt(&c.first_responded_at)),
        opt_text(ts_opt(&c.resolved_at)),
        opt_text(ts_opt(&c.closed_at)),
        opt_int(c.duplicate_of.map(|d| i64::from(d.value()))),
        opt_text(c.reason.clone()),
        opt_text(c.referred_to.clone()),
        SqlValue::Int(i64::from(c.reopen_count)),
        opt_int(c.satisfaction.map(i64::from)),
        opt_text(c.idempotency_key.clone()),
        text(ts(&c.created_at)),
        text(ts(&c.updated_at)),
        SqlValue::Int(i64::from(c.version)),
        opt_text(ts_opt(&c.deadline)),
        opt_text(ts_opt(&c.escalation_due)),
        opt_text(ts_opt(&c.waiting_since)),
        opt_text(c.request.as_ref().map(to_json)),
        opt_text(c.subject.as_ref().map(|s| s.to_string())),
    ]
}

/// The values of `EVENT_COLUMNS`, in order.
pub fn event_values(e: &JournalEvent) -> Vec<SqlValue> {
    vec![
        text(e.jurisdiction.as_str()),
        SqlValue::Int(e.seq),
        text(e.case_id.0.to_string()),
        text(ts(&e.at)),
        text(e.actor_role.clone()),
        opt_text(e.actor_id.clone()),
        text(e.channel.as_str()),
        text(e.kind.as_str().to_owned()),
        text(e.visibility.as_str()),
        opt_text(e.payload.clone()),
        text(e.payload_sha256.clone()),
        text(e.prev_hash.clone()),
        text(e.hash.clone()),
    ]
}

pub const CITIZEN_COLUMNS: &str = "id, jurisdiction_id, phone, whatsapp_id, email, name, language, gender, age_band, \
    consent_contact, consent_publish, created_at";

/// The values of `CITIZEN_COLUMNS`, in order.
pub fn citizen_values(c: &Citizen) -> Vec<SqlValue> {
    vec![
        text(c.id.0.to_string()),
        text(c.jurisdiction.as_str()),
        opt_text(c.phone.as_ref().map(|p| p.as_str())),
        opt_text(c.whatsapp_id.clone()),
        opt_text(c.email.as_ref().map(|e| e.as_str())),
        opt_text(c.name.clone()),
        text(c.language.as_str()),
        opt_text(c.gender.map(|g| g.as_str())),
        opt_text(c.age_band.map(|a| a.as_str())),
        SqlValue::Int(i64::from(c.consent.contact)),
        SqlValue::Int(i64::from(c.consent.publish)),
        text(ts(&c.created_at)),
    ]
}

/// `?1, ?2, ... ?n`
pub fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reading a row by column name, whichever driver produced it.
pub trait Columns {
    fn text(&self, col: &str) -> StoreResult<Option<String>>;
    fn int(&self, col: &str) -> StoreResult<Option<i64>>;
    fn real(&self, col: &str) -> StoreResult<Option<f64>>;

    fn req_text(&self, col: &str) -> StoreResult<String> {
        self.text(col)?
            .ok_or_else(|| StoreError::corrupt(format!("column {col} is null")))
    }
    fn req_int(&self, col: &str) -> StoreResult<i64> {
        self.int(col)?
            .ok_or_else(|| StoreError::corrupt(format!("column {col} is null")))
    }
}

impl Columns for SqliteRow {
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        get(self, col)
    }
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        get(self, col)
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        get(self, col)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> StoreResult<Option<String>> {
        self.get(col)
            .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
    }
    fn int(&self, col: &str) -> StoreResult<Option<i64>> {
        self.get(col)
            .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
    }
    fn real(&self, col: &str) -> StoreResult<Option<f64>> {
        self.get(col)
            .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
    }
}

fn small<T: TryFrom<i64>>(v: i64, col: &str) -> StoreResult<T> {
    T::try_from(v).map_err(|_| StoreError::corrupt(format!("column {col}: {v} out of range")))
}

fn opt_parse<T: std::str::FromStr>(v: Option<String>, what: &str) -> StoreResult<Option<T>> {
    v.map(|s| parse(&s, what)).transpose()
}

fn opt_time(v: Option<String>) -> StoreResult<Option<Timestamp>> {
    v.as_deref().map(parse_ts).transpose()
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str, col: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
}

pub fn case(row: &impl Columns) -> StoreResult<Case> {
    let number = CaseNumber::from_value(small(row.req_int("number")?, "number")?)
        .map_err(StoreError::corrupt)?;
    let location = match (row.real("location_lat")?, row.real("location_lon")?) {
        (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
        _ => None,
    };
    let duplicate_of = match row.int("duplicate_of")? {
        Some(v) => {
            Some(CaseNumber::from_value(small(v, "duplicate_of")?).map_err(StoreError::corrupt)?)
        }
        None => None,
    };
    Ok(Case {
        id: CaseId(parse(&row.req_text("id")?, "case id")?),
        number,
        jurisdiction: JurisdictionId::parse(&row.req_text("jurisdiction_id")?)?,
        kind: parse(&row.req_text("kind")?, "kind")?,
        channel: parse(&row.req_text("channel")?, "channel")?,
        status: parse(&row.req_text("status")?, "status")?,
        category: row.text("category_code")?,
        ward: row.text("ward_code")?.map(AreaCode),
        ladder: from_json(&row.req_text("ladder")?, "ladder")?,
        ladder_position: small(row.req_int("ladder_position")?, "ladder_position")?,
        location,
        description: row.req_text("description")?,
        attachments: from_json(&row.req_text("attachments")?, "attachments")?,
        priority: opt_parse(row.text("priority")?, "priority")?,
        department: row.text("department_code")?,
        officer: opt_parse(row.text("officer_id")?, "officer")?.map(UserId),
        citizen: opt_parse(row.text("citizen_id")?, "citizen")?.map(CitizenId),
        first_response_due: opt_time(row.text("first_response_due")?)?,
        resolution_due: opt_time(row.text("resolution_due")?)?,
        deadline: opt_time(row.text("deadline")?)?,
        escalation_due: opt_time(row.text("escalation_due")?)?,
        waiting_since: opt_time(row.text("waiting_since")?)?,
        request: row
            .text("information")?
            .map(|j| from_json(&j, "information"))
            .transpose()?,
        subject: opt_parse(row.text("subject")?, "subject")?,
        first_responded_at: opt_time(row.text("first_responded_at")?)?,
        resolved_at: opt_time(row.text("resolved_at")?)?,
        closed_at: opt_time(row.text("closed_at")?)?,
        duplicate_of,
        reason: row.text("reason")?,
        referred_to: row.text("referred_to")?,
        reopen_count: small(row.req_int("reopen_count")?, "reopen_count")?,
        satisfaction: row
            .int("satisfaction")?
            .map(|s| small(s, "satisfaction"))
            .transpose()?,
        idempotency_key: row.text("idempotency_key")?,
        created_at: parse_ts(&row.req_text("created_at")?)?,
        updated_at: parse_ts(&row.req_text("updated_at")?)?,
        version: small(row.req_int("version")?, "version")?,
    })
}

pub const EVENT_COLUMNS: &str = "jurisdiction_id, seq, case_id, at, actor_role, actor_id, channel, kind, visibility, payload, payload_sha256, prev_hash, hash";

pub fn event(row: &impl Columns) -> StoreResult<JournalEvent> {
    Ok(JournalEvent {
        jurisdiction: JurisdictionId::parse(&row.req_text("jurisdiction_id")?)?,
        seq: row.req_int("seq")?,
        case_id: CaseId(parse(&row.req_text("case_id")?, "case_id")?),
        at: parse_ts(&row.req_text("at")?)?,
        actor_role: row.req_text("actor_role")?,
        actor_id: row.text("actor_id")?,
        channel: parse(&row.req_text("channel")?, "channel")?,
        kind: parse(&row.req_text("kind")?, "kind")?,
        visibility: parse(&row.req_text("visibility")?, "visibility")?,
        payload: row.text("payload")?,
        payload_sha256: row.req_text("payload_sha256")?,
        prev_hash: row.req_text("prev_hash")?,
        hash: row.req_text("hash")?,
    })
}

/// Map a database error to a store error, naming unique violations.
pub fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict {
            code: "already_exists",
            message: format!("already exists: {}", d.message()),
        },
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::Invalid(FieldError::new(
                "reference",
                "refers to something that does not exist (unknown jurisdiction, department or user)",
            ))
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

pub const OUTBOX_COLUMNS: &str = "id, idempotency_key, case_id, channel, to_address, language, template, status, \
    attempts, next_attempt_at, provider, provider_message_id, cost, last_error, created_at, updated_at, jurisdiction_id";

/// The values of `OUTBOX_COLUMNS`, in order.
pub fn outbox_values(e: &baraza_core::outbound::OutboxEntry) -> Vec<SqlValue> {
    let m = &e.message;
    vec![
        text(m.id.to_string()),
        text(m.idempotency_key.clone()),
        opt_text(m.case_id.map(|c| c.0.to_string())),
        text(m.channel.as_str()),
        text(m.to.clone()),
        text(m.language.as_str()),
        text(to_json(&m.template)),
        text(e.status.as_str()),
        SqlValue::Int(i64::from(e.attempts)),
        text(ts(&e.next_attempt_at)),
        opt_text(e.provider.clone()),
        opt_text(e.provider_message_id.clone()),
        opt_text(e.cost.clone()),
        opt_text(e.last_error.clone()),
        text(ts(&m.created_at)),
        text(ts(&e.updated_at)),
        opt_text(m.jurisdiction.as_ref().map(|j| j.as_str().to_owned())),
    ]
}

pub fn outbox(row: &impl Columns) -> StoreResult<baraza_core::outbound::OutboxEntry> {
    use baraza_core::outbound::{OutboundMessage, OutboxEntry};
    Ok(OutboxEntry {
        message: OutboundMessage {
            id: parse(&row.req_text("id")?, "outbox id")?,
            jurisdiction: row
                .text("jurisdiction_id")?
                .map(|j| JurisdictionId::parse(&j))
                .transpose()?,
            idempotency_key: row.req_text("idempotency_key")?,
            case_id: opt_parse(row.text("case_id")?, "case id")?.map(CaseId),
            channel: parse(&row.req_text("channel")?, "channel")?,
            to: row.req_text("to_address")?,
            language: parse(&row.req_text("language")?, "language")?,
            template: from_json(&row.req_text("template")?, "template")?,
            created_at: parse_ts(&row.req_text("created_at")?)?,
        },
        status: parse(&row.req_text("status")?, "outbox status")?,
        attempts: small(row.req_int("attempts")?, "attempts")?,
        next_attempt_at: parse_ts(&row.req_text("next_attempt_at")?)?,
        provider: row.text("provider")?,
        provider_message_id: row.text("provider_message_id")?,
        cost: row.text("cost")?,
        last_error: row.text("last_error")?,
        updated_at: parse_ts(&row.req_text("updated_at")?)?,
    })
}

pub const INBOUND_COLUMNS: &str = "id, provider, provider_message_id, channel, from_address, to_address, body, \
    received_at, case_id, outcome, media_id, media_type, media_status, jurisdiction_id";

/// The values of `INBOUND_COLUMNS`, in order.
pub fn inbound_values(m: &baraza_core::outbound::InboundMessage) -> Vec<SqlValue> {
    vec![
        text(m.id.to_string()),
        text(m.provider.clone()),
        text(m.provider_message_id.clone()),
        text(m.channel.as_str()),
        text(m.from.clone()),
        opt_text(m.to.clone()),
        text(m.body.clone()),
        text(ts(&m.received_at)),
        opt_text(m.case_id.map(|c| c.0.to_string())),
        text(m.outcome.as_str().to_owned()),
        opt_text(m.media.as_ref().map(|x| x.id.clone())),
        opt_text(m.media.as_ref().and_then(|x| x.media_type.clone())),
        opt_text(m.media.as_ref().map(|x| x.status.as_str().to_owned())),
        opt_text(m.jurisdiction.as_ref().map(|j| j.as_str().to_owned())),
    ]
}

pub fn inbound(row: &impl Columns) -> StoreResult<baraza_core::outbound::InboundMessage> {
    Ok(baraza_core::outbound::InboundMessage {
        id: parse(&row.req_text("id")?, "inbound id")?,
        jurisdiction: row
            .text("jurisdiction_id")?
            .map(|j| JurisdictionId::parse(&j))
            .transpose()?,
        provider: row.req_text("provider")?,
        provider_message_id: row.req_text("provider_message_id")?,
        channel: parse(&row.req_text("channel")?, "channel")?,
        from: row.req_text("from_address")?,
        to: row.text("to_address")?,
        body: row.req_text("body")?,
        received_at: parse_ts(&row.req_text("received_at")?)?,
        case_id: opt_parse(row.text("case_id")?, "case id")?.map(CaseId),
        outcome: parse(&row.req_text("outcome")?, "outcome")?,
        media: match row.text("media_id")? {
            Some(id) => Some(baraza_core::outbound::MediaRef {
                id,
                media_type: row.text("media_type")?,
                status: row
                    .text("media_status")?
                    .map(|s| parse(&s, "media_status"))
                    .transpose()?
                    .unwrap_or(baraza_core::outbound::MediaStatus::Pending),
            }),
            None => None,
        },
    })
}

/// A case's figures, from `STATS_SELECT`'s columns.
pub fn case_stat(row: &impl Columns) -> StoreResult<CaseStat> {
    let ladder: Vec<AreaCode> = from_json(&row.req_text("ladder")?, "ladder")?;
    let position: usize = small(row.req_int("ladder_position")?, "ladder_position")?;
    let number = CaseNumber::from_value(small(row.req_int("number")?, "number")?)
        .map_err(StoreError::corrupt)?;
    Ok(CaseStat {
        id: CaseId(parse(&row.req_text("id")?, "id")?),
        number,
        kind: parse(&row.req_text("kind")?, "kind")?,
        channel: parse(&row.req_text("channel")?, "channel")?,
        status: parse(&row.req_text("status")?, "status")?,
        category: row.text("category_code")?,
        ward: row.text("ward_code")?.map(AreaCode),
        holder: ladder.get(position).cloned(),
        department: row.text("department_code")?,
        priority: opt_parse(row.text("priority")?, "priority")?,
        created_at: parse_ts(&row.req_text("created_at")?)?,
        first_responded_at: opt_time(row.text("first_responded_at")?)?,
        resolved_at: opt_time(row.text("resolved_at")?)?,
        closed_at: opt_time(row.text("closed_at")?)?,
        resolution_due: opt_time(row.text("resolution_due")?)?,
        reopen_count: small(row.req_int("reopen_count")?, "reopen_count")?,
        satisfaction: row
            .int("satisfaction")?
            .map(|s| small(s, "satisfaction"))
            .transpose()?,
        gender: row.text("citizen_gender")?.and_then(|g| g.parse().ok()),
        age_band: row.text("citizen_age_band")?.and_then(|a| a.parse().ok()),
        publishable: row.int("citizen_publish")?.is_some_and(|p| p != 0),
        updated_at: parse_ts(&row.req_text("updated_at")?)?,
    })
}
