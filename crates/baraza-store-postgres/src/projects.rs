//! Public projects on PostgreSQL: one row per project, its record as JSON beside the
//! columns its queries need. Writes go through the writer (`projects` in baraza-store).

use crate::PostgresStore;
use crate::rows::{db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::project::{Project, ProjectId};
use baraza_store::{StoreError, StoreResult};
use sqlx::PgConnection;

fn record(text: &str) -> StoreResult<Project> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

pub fn project_record(r: &sqlx::postgres::PgRow) -> StoreResult<Project> {
    record(&get::<String>(r, "record")?)
}

pub async fn put_project(conn: &mut PgConnection, p: &Project) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO projects (id, jurisdiction_id, code, version, record) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, version = excluded.version, record = excluded.record",
    )
    .bind(p.id.0)
    .bind(p.jurisdiction.as_str())
    .bind(&p.code)
    .bind(i32::try_from(p.version).unwrap_or(i32::MAX))
    .bind(serde_json::to_string(p).unwrap_or_default())
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

/// The project, its row locked until commit (two processes serialise on it).
pub async fn project_for_update(
    conn: &mut PgConnection,
    id: ProjectId,
) -> StoreResult<Option<Project>> {
    let found = sqlx::query("SELECT record FROM projects WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    found.as_ref().map(project_record).transpose()
}

pub async fn project_by_code(
    conn: &mut PgConnection,
    j: &JurisdictionId,
    code: &str,
) -> StoreResult<Option<Project>> {
    let found = sqlx::query("SELECT record FROM projects WHERE jurisdiction_id = $1 AND code = $2")
        .bind(j.as_str())
        .bind(code)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    found.as_ref().map(project_record).transpose()
}

impl PostgresStore {
    pub(crate) async fn projects_in(&self, j: &JurisdictionId) -> StoreResult<Vec<Project>> {
        let found =
            sqlx::query("SELECT record FROM projects WHERE jurisdiction_id = $1 ORDER BY code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        found.iter().map(project_record).collect()
    }
}
