//! Write statements on the async pool (reference data, users, tokens, import). The case
//! writes share their SQL and values with the writer thread (`writer.rs`).

use crate::rows::{self, SqlValue, db_err, ts};
use baraza_core::*;
use baraza_store::{StoreError, StoreResult};
use sqlx::SqliteConnection;
use std::sync::LazyLock;

/// `INSERT ... ON CONFLICT DO UPDATE`: one statement both creates and updates a case.
pub static UPSERT_CASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO cases ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
         category_code = excluded.category_code, ward_code = excluded.ward_code, ladder = excluded.ladder, \
         ladder_position = excluded.ladder_position, attachments = excluded.attachments, \
         description = excluded.description, location_lat = excluded.location_lat, location_lon = excluded.location_lon, priority = excluded.priority, \
         department_code = excluded.department_code, officer_id = excluded.officer_id, \
         first_response_due = excluded.first_response_due, resolution_due = excluded.resolution_due, \
         first_responded_at = excluded.first_responded_at, resolved_at = excluded.resolved_at, \
         closed_at = excluded.closed_at, duplicate_of = excluded.duplicate_of, reason = excluded.reason, \
         referred_to = excluded.referred_to, reopen_count = excluded.reopen_count, \
         satisfaction = excluded.satisfaction, updated_at = excluded.updated_at, version = excluded.version, \
         deadline = excluded.deadline, escalation_due = excluded.escalation_due, waiting_since = excluded.waiting_since, \
         information = excluded.information",
        rows::CASE_COLUMNS,
        rows::placeholders(37)
    )
});

pub static INSERT_EVENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO journal ({}) VALUES ({})",
        rows::EVENT_COLUMNS,
        rows::placeholders(13)
    )
});

pub static INSERT_CITIZEN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO citizens ({}) VALUES ({})",
        rows::CITIZEN_COLUMNS,
        rows::placeholders(12)
    )
});

pub(crate) async fn execute_values(
    conn: &mut SqliteConnection,
    sql: &str,
    values: Vec<SqlValue>,
) -> StoreResult<()> {
    let mut q = sqlx::query(sql);
    for v in values {
        q = match v {
            SqlValue::Null => q.bind(None::<String>),
            SqlValue::Int(i) => q.bind(i),
            SqlValue::Real(f) => q.bind(f),
            SqlValue::Text(s) => q.bind(s),
        };
    }
    q.execute(conn).await.map(|_| ()).map_err(db_err)
}

/// Rows of one table in as few statements as SQLite's limit of 32,766 parameters allows:
/// the single-row statement `single` (`... VALUES (?1, ..., ?n) ...`) with its `VALUES`
/// list repeated. An import writes a million rows in a few thousand statements.
pub(crate) async fn execute_rows(
    conn: &mut SqliteConnection,
    single: &str,
    rows: Vec<Vec<SqlValue>>,
) -> StoreResult<()> {
    let Some(width) = rows.first().map(Vec::len).filter(|w| *w > 0) else {
        return Ok(());
    };
    let start = single
        .find("VALUES (")
        .ok_or_else(|| StoreError::Backend("a statement without VALUES".into()))?;
    let end = single[start..]
        .find(')')
        .map(|i| start + i + 1)
        .ok_or_else(|| StoreError::Backend("a statement without VALUES".into()))?;
    // Plain `?` marks: SQLite looks numbered ones (`?123`) up one by one when it prepares.
    let list = format!("({})", vec!["?"; width].join(", "));
    let per = (32_000 / width).clamp(1, 256);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(per).collect();
        let lists = vec![list.as_str(); chunk.len()];
        let sql = format!(
            "{}VALUES {}{}",
            &single[..start],
            lists.join(", "),
            &single[end..]
        );
        execute_values(conn, &sql, chunk.into_iter().flatten().collect()).await?;
    }
    Ok(())
}

/// The shared chain's end (a database made before chains per jurisdiction; the genesis
/// otherwise), and with it where every jurisdiction's chain starts: import only.
pub async fn write_shared_head(conn: &mut SqliteConnection, head: &ChainHead) -> StoreResult<()> {
    for sql in [
        "UPDATE journal_head SET seq = ?1, hash = ?2 WHERE id = 1",
        "UPDATE journal_heads SET seq = ?1, hash = ?2",
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
    conn: &mut SqliteConnection,
    j: &JurisdictionId,
    head: &ChainHead,
) -> StoreResult<()> {
    sqlx::query("UPDATE journal_heads SET seq = ?2, hash = ?3 WHERE jurisdiction_id = ?1")
        .bind(j.as_str())
        .bind(head.seq)
        .bind(&head.hash)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(db_err)
}

pub async fn read_shared_head(conn: &mut SqliteConnection) -> StoreResult<ChainHead> {
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
pub async fn read_head(conn: &mut SqliteConnection, j: &JurisdictionId) -> StoreResult<ChainHead> {
    let row = sqlx::query("SELECT seq, hash FROM journal_heads WHERE jurisdiction_id = ?1")
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

pub async fn put_jurisdiction(conn: &mut SqliteConnection, j: &Jurisdiction) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO jurisdictions (id, name, reference_prefix, levels, country, default_language, timezone, policy, open_contracting, ward_map) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
         reference_prefix = excluded.reference_prefix, levels = excluded.levels, country = excluded.country, \
         default_language = excluded.default_language, timezone = excluded.timezone, policy = excluded.policy, \
         open_contracting = excluded.open_contracting, ward_map = excluded.ward_map",
    )
    .bind(j.id.as_str())
    .bind(&j.name)
    .bind(&j.reference_prefix)
    .bind(rows::to_json(&j.levels))
    .bind(&j.country)
    .bind(j.default_language.as_str())
    .bind(&j.timezone)
    .bind(rows::to_json(&j.policy))
    .bind(rows::to_json(&j.open_contracting))
    .bind(rows::to_json(&j.ward_map))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_department(conn: &mut SqliteConnection, d: &Department) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO departments (jurisdiction_id, code, name, names) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, names = excluded.names",
    )
    .bind(d.jurisdiction.as_str())
    .bind(&d.code)
    .bind(&d.name)
    .bind(rows::to_json(&d.names))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_category(conn: &mut SqliteConnection, c: &ServiceCategory) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO categories (jurisdiction_id, code, name, department_code, names) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, \
         department_code = excluded.department_code, names = excluded.names",
    )
    .bind(c.jurisdiction.as_str())
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.department)
    .bind(rows::to_json(&c.names))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn add_user(conn: &mut SqliteConnection, u: &StaffUser) -> StoreResult<()> {
    let (scope_type, scope_code) = rows::scope_parts(&u.scope);
    let r = sqlx::query(
        "INSERT INTO users (id, jurisdiction_id, username, display_name, role, scope_type, scope_code, email, \
         phone, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .bind(u.id.0.to_string())
    .bind(u.jurisdiction.as_str())
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.role.as_str())
    .bind(scope_type)
    .bind(scope_code)
    .bind(u.email.as_ref().map(|e| e.as_str()))
    .bind(u.phone.as_ref().map(|p| p.as_str()))
    .bind(u.disabled)
    .bind(ts(&u.created_at))
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

pub async fn add_token(conn: &mut SqliteConnection, t: &ApiToken) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, secret_sha256, created_at, revoked_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(t.id.to_string())
    .bind(t.user.0.to_string())
    .bind(&t.name)
    .bind(&t.secret_sha256)
    .bind(ts(&t.created_at))
    .bind(rows::ts_opt(&t.revoked_at))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub async fn put_area(conn: &mut SqliteConnection, a: &Area) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO areas (jurisdiction_id, code, name, depth, parent_code) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (jurisdiction_id, code) DO UPDATE SET name = excluded.name, depth = excluded.depth, \
         parent_code = excluded.parent_code",
    )
    .bind(a.jurisdiction.as_str())
    .bind(a.code.as_str())
    .bind(&a.name)
    .bind(i64::from(a.depth))
    .bind(a.parent.as_ref().map(|p| p.as_str()))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

pub static INSERT_OUTBOX: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO outbox ({}) VALUES ({}) ON CONFLICT (idempotency_key) DO NOTHING",
        rows::OUTBOX_COLUMNS,
        rows::placeholders(17)
    )
});

pub static INSERT_INBOUND: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO inbound_messages ({}) VALUES ({}) ON CONFLICT (provider, provider_message_id) DO NOTHING",
        rows::INBOUND_COLUMNS,
        rows::placeholders(14)
    )
});
