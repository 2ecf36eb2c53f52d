//! Rows to domain types and back (PostgreSQL). Everything read from the database is parsed again;
//! a value that does not parse is reported as corrupt data, never unwrapped.

use baraza_core::*;
use baraza_store::{StoreError, StoreResult};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;

pub fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
) -> StoreResult<T> {
    row.try_get(col)
        .map_err(|e| StoreError::corrupt(format!("column {col}: {e}")))
}

pub fn parse<T: std::str::FromStr>(s: &str, what: &str) -> StoreResult<T> {
    s.parse()
        .map_err(|_| StoreError::corrupt(format!("{what} {s:?}")))
}

fn uuid(row: &PgRow, col: &str) -> StoreResult<uuid::Uuid> {
    get(row, col)
}

fn json<T: serde::de::DeserializeOwned>(row: &PgRow, col: &str) -> StoreResult<T> {
    get::<Json<T>>(row, col).map(|j| j.0)
}

pub fn jurisdiction(row: &PgRow) -> StoreResult<Jurisdiction> {
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

pub fn area(row: &PgRow) -> StoreResult<Area> {
    Ok(Area {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        code: AreaCode(get(row, "code")?),
        name: get(row, "name")?,
        depth: u8::try_from(get::<i32>(row, "depth")?).map_err(StoreError::corrupt)?,
        parent: get::<Option<String>>(row, "parent_code")?.map(AreaCode),
    })
}

pub fn department(row: &PgRow) -> StoreResult<Department> {
    Ok(Department {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        code: get(row, "code")?,
        name: get(row, "name")?,
        names: json(row, "names")?,
    })
}

pub fn category(row: &PgRow) -> StoreResult<ServiceCategory> {
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

pub fn user(row: &PgRow) -> StoreResult<StaffUser> {
    Ok(StaffUser {
        id: UserId(uuid(row, "id")?),
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        role: parse(&get::<String>(row, "role")?, "role")?,
        scope: scope_from(&get::<String>(row, "scope_type")?, get(row, "scope_code")?)?,
        email: get::<Option<String>>(row, "email")?
            .map(|e| Email::parse(&e))
            .transpose()?,
        phone: get::<Option<String>>(row, "phone")?
            .map(|p| PhoneNumber::parse(&p))
            .transpose()?,
        disabled: get(row, "disabled")?,
        created_at: get(row, "created_at")?,
    })
}

pub fn token(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: uuid(row, "id")?,
        user: UserId(uuid(row, "user_id")?),
        name: get(row, "name")?,
        secret_sha256: get(row, "secret_sha256")?,
        created_at: get(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

pub fn citizen(row: &PgRow) -> StoreResult<Citizen> {
    Ok(Citizen {
        id: CitizenId(uuid(row, "id")?),
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        phone: get::<Option<String>>(row, "phone")?
            .map(|p| PhoneNumber::parse(&p))
            .transpose()?,
        whatsapp_id: get(row, "whatsapp_id")?,
        email: get::<Option<String>>(row, "email")?
            .map(|e| Email::parse(&e))
            .transpose()?,
        name: get(row, "name")?,
        language: parse(&get::<String>(row, "language")?, "language")?,
        gender: get::<Option<String>>(row, "gender")?
            .map(|g| parse(&g, "gender"))
            .transpose()?,
        age_band: get::<Option<String>>(row, "age_band")?
            .map(|a| parse(&a, "age band"))
            .transpose()?,
        consent: Consent {
            contact: get(row, "consent_contact")?,
            publish: get(row, "consent_publish")?,
        },
        created_at: get(row, "created_at")?,
    })
}

pub const CASE_COLUMNS: &str = "id, number, jurisdiction_id, kind, channel, status, category_code, ward_code, \
    ladder, ladder_position, location_lat, location_lon, description, attachments, priority, department_code, \
    officer_id, citizen_id, first_response_due, resolution_due, first_responded_at, resolved_at, closed_at, \
    duplicate_of, reason, referred_to, reopen_count, satisfaction, idempotency_key, created_at, updated_at, version, deadline, escalation_due, waiting_since, information, subject";

pub fn case(row: &PgRow) -> StoreResult<Case> {
    let number = u32::try_from(get::<i64>(row, "number")?).map_err(StoreError::corrupt)?;
    let location = match (
        get::<Option<f64>>(row, "location_lat")?,
        get::<Option<f64>>(row, "location_lon")?,
    ) {
        (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
        _ => None,
    };
    let duplicate_of = get::<Option<i64>>(row, "duplicate_of")?
        .map(|v| {
            u32::try_from(v)
                .map_err(StoreError::corrupt)
                .and_then(|v| CaseNumber::from_value(v).map_err(StoreError::corrupt))
        })
        .transpose()?;
    Ok(Case {
        id: CaseId(uuid(row, "id")?),
        number: CaseNumber::from_value(number).map_err(StoreError::corrupt)?,
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        kind: parse(&get::<String>(row, "kind")?, "kind")?,
        channel: parse(&get::<String>(row, "channel")?, "channel")?,
        status: parse(&get::<String>(row, "status")?, "status")?,
        category: get(row, "category_code")?,
        ward: get::<Option<String>>(row, "ward_code")?.map(AreaCode),
        ladder: json(row, "ladder")?,
        ladder_position: u8::try_from(get::<i32>(row, "ladder_position")?)
            .map_err(StoreError::corrupt)?,
        location,
        description: get(row, "description")?,
        attachments: json(row, "attachments")?,
        priority: get::<Option<String>>(row, "priority")?
            .map(|p| parse(&p, "priority"))
            .transpose()?,
        department: get(row, "department_code")?,
        officer: get::<Option<uuid::Uuid>>(row, "officer_id")?.map(UserId),
        citizen: get::<Option<uuid::Uuid>>(row, "citizen_id")?.map(CitizenId),
        first_response_due: get(row, "first_response_due")?,
        resolution_due: get(row, "resolution_due")?,
        deadline: get(row, "deadline")?,
        escalation_due: get(row, "escalation_due")?,
        waiting_since: get(row, "waiting_since")?,
        request: get::<Option<String>>(row, "information")?
            .map(|j| serde_json::from_str(&j).map_err(StoreError::corrupt))
            .transpose()?,
        subject: get::<Option<String>>(row, "subject")?
            .map(|s| s.parse().map_err(StoreError::corrupt))
            .transpose()?,
        first_responded_at: get(row, "first_responded_at")?,
        resolved_at: get(row, "resolved_at")?,
        closed_at: get(row, "closed_at")?,
        duplicate_of,
        reason: get(row, "reason")?,
        referred_to: get(row, "referred_to")?,
        reopen_count: u32::try_from(get::<i32>(row, "reopen_count")?)
            .map_err(StoreError::corrupt)?,
        satisfaction: get::<Option<i32>>(row, "satisfaction")?
            .map(|s| u8::try_from(s).map_err(StoreError::corrupt))
            .transpose()?,
        idempotency_key: get(row, "idempotency_key")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        version: u32::try_from(get::<i32>(row, "version")?).map_err(StoreError::corrupt)?,
    })
}

pub const EVENT_COLUMNS: &str = "jurisdiction_id, seq, case_id, at, actor_role, actor_id, channel, kind, visibility, payload, payload_sha256, prev_hash, hash";

pub fn event(row: &PgRow) -> StoreResult<JournalEvent> {
    Ok(JournalEvent {
        jurisdiction: JurisdictionId::parse(&get::<String>(row, "jurisdiction_id")?)?,
        seq: get(row, "seq")?,
        case_id: CaseId(uuid(row, "case_id")?),
        at: get(row, "at")?,
        actor_role: get(row, "actor_role")?,
        actor_id: get(row, "actor_id")?,
        channel: parse(&get::<String>(row, "channel")?, "channel")?,
        kind: parse(&get::<String>(row, "kind")?, "kind")?,
        visibility: parse(&get::<String>(row, "visibility")?, "visibility")?,
        payload: get(row, "payload")?,
        payload_sha256: get(row, "payload_sha256")?,
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
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

pub fn outbox(row: &PgRow) -> StoreResult<baraza_core::outbound::OutboxEntry> {
    use baraza_core::outbound::{OutboundMessage, OutboxEntry};
    Ok(OutboxEntry {
        message: OutboundMessage {
            id: get(row, "id")?,
            jurisdiction: get::<Option<String>>(row, "jurisdiction_id")?
                .map(|j| JurisdictionId::parse(&j))
                .transpose()?,
            idempotency_key: get(row, "idempotency_key")?,
            case_id: get::<Option<uuid::Uuid>>(row, "case_id")?.map(CaseId),
            channel: parse(&get::<String>(row, "channel")?, "channel")?,
            to: get(row, "to_address")?,
            language: parse(&get::<String>(row, "language")?, "language")?,
            template: json(row, "template")?,
            created_at: get(row, "created_at")?,
        },
        status: parse(&get::<String>(row, "status")?, "outbox status")?,
        attempts: u32::try_from(get::<i32>(row, "attempts")?).map_err(StoreError::corrupt)?,
        next_attempt_at: get(row, "next_attempt_at")?,
        provider: get(row, "provider")?,
        provider_message_id: get(row, "provider_message_id")?,
        cost: get(row, "cost")?,
        last_error: get(row, "last_error")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub const INBOUND_COLUMNS: &str = "id, provider, provider_message_id, channel, from_address, to_address, body, \
    received_at, case_id, outcome, media_id, media_type, media_status, jurisdiction_id";

pub fn inbound(row: &PgRow) -> StoreResult<baraza_core::outbound::InboundMessage> {
    Ok(baraza_core::outbound::InboundMessage {
        id: get(row, "id")?,
        jurisdiction: get::<Option<String>>(row, "jurisdiction_id")?
            .map(|j| JurisdictionId::parse(&j))
            .transpose()?,
        provider: get(row, "provider")?,
        provider_message_id: get(row, "provider_message_id")?,
        channel: parse(&get::<String>(row, "channel")?, "channel")?,
        from: get(row, "from_address")?,
        to: get(row, "to_address")?,
        body: get(row, "body")?,
        received_at: get(row, "received_at")?,
        case_id: get::<Option<uuid::Uuid>>(row, "case_id")?.map(CaseId),
        outcome: parse(&get::<String>(row, "outcome")?, "outcome")?,
        media: match get::<Option<String>>(row, "media_id")? {
            Some(id) => Some(baraza_core::outbound::MediaRef {
                id,
                media_type: get(row, "media_type")?,
                status: get::<Option<String>>(row, "media_status")?
                    .map(|s| parse(&s, "media_status"))
                    .transpose()?
                    .unwrap_or(baraza_core::outbound::MediaStatus::Pending),
            }),
            None => None,
        },
    })
}

/// A case's figures, from `STATS_SELECT`'s columns.
pub fn case_stat(row: &PgRow) -> StoreResult<CaseStat> {
    let ladder: Vec<AreaCode> = json(row, "ladder")?;
    let position =
        usize::try_from(get::<i32>(row, "ladder_position")?).map_err(StoreError::corrupt)?;
    let number = u32::try_from(get::<i64>(row, "number")?).map_err(StoreError::corrupt)?;
    Ok(CaseStat {
        id: CaseId(uuid(row, "id")?),
        number: CaseNumber::from_value(number).map_err(StoreError::corrupt)?,
        kind: parse(&get::<String>(row, "kind")?, "kind")?,
        channel: parse(&get::<String>(row, "channel")?, "channel")?,
        status: parse(&get::<String>(row, "status")?, "status")?,
        category: get(row, "category_code")?,
        ward: get::<Option<String>>(row, "ward_code")?.map(AreaCode),
        holder: ladder.get(position).cloned(),
        department: get(row, "department_code")?,
        priority: get::<Option<String>>(row, "priority")?
            .map(|p| parse(&p, "priority"))
            .transpose()?,
        created_at: get(row, "created_at")?,
        first_responded_at: get(row, "first_responded_at")?,
        resolved_at: get(row, "resolved_at")?,
        closed_at: get(row, "closed_at")?,
        resolution_due: get(row, "resolution_due")?,
        reopen_count: u32::try_from(get::<i32>(row, "reopen_count")?)
            .map_err(StoreError::corrupt)?,
        satisfaction: get::<Option<i32>>(row, "satisfaction")?
            .map(|s| u8::try_from(s).map_err(StoreError::corrupt))
            .transpose()?,
        gender: get::<Option<String>>(row, "citizen_gender")?.and_then(|g| g.parse().ok()),
        age_band: get::<Option<String>>(row, "citizen_age_band")?.and_then(|a| a.parse().ok()),
        publishable: get::<Option<bool>>(row, "citizen_publish")?.unwrap_or(false),
        updated_at: get(row, "updated_at")?,
    })
}
