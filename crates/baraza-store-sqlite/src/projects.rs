//! Public projects on SQLite: one row per project, its record as JSON beside the columns
//! its queries need. Writes go through the writer (`projects` in baraza-store).

use crate::SqliteStore;
use crate::rows::{SqlValue, db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::project::Project;
use baraza_store::StoreResult;

pub const PUT_PROJECT: &str = "INSERT INTO projects (id, jurisdiction_id, code, version, record) \
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET code = excluded.code, \
     version = excluded.version, record = excluded.record";
pub const PROJECT_BY_ID: &str = "SELECT record FROM projects WHERE id = ?1";
pub const PROJECT_BY_CODE: &str =
    "SELECT record FROM projects WHERE jurisdiction_id = ?1 AND code = ?2";

pub fn project_values(p: &Project) -> Vec<SqlValue> {
    vec![
        SqlValue::Text(p.id.to_string()),
        SqlValue::Text(p.jurisdiction.as_str().to_owned()),
        SqlValue::Text(p.code.clone()),
        SqlValue::Int(i64::from(p.version)),
        SqlValue::Text(serde_json::to_string(p).unwrap_or_default()),
    ]
}

impl SqliteStore {
    pub(crate) async fn projects_in(&self, j: &JurisdictionId) -> StoreResult<Vec<Project>> {
        let found =
            sqlx::query("SELECT record FROM projects WHERE jurisdiction_id = ?1 ORDER BY code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        found
            .iter()
            .map(|r| crate::disclosure::record(&get::<String>(r, "record")?))
            .collect()
    }

    pub(crate) async fn project_by_code(
        &self,
        j: &JurisdictionId,
        code: &str,
    ) -> StoreResult<Option<Project>> {
        let found = sqlx::query(PROJECT_BY_CODE)
            .bind(j.as_str())
            .bind(code)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        found
            .map(|r| crate::disclosure::record(&get::<String>(&r, "record")?))
            .transpose()
    }
}
