//! Action plans on SQLite: one row per plan, its record as JSON beside the columns its
//! queries need. Writes go through the writer (`plans` in baraza-store).

use crate::SqliteStore;
use crate::rows::{SqlValue, db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::action_plan::ActionPlan;
use baraza_store::StoreResult;

pub const PUT_PLAN: &str = "INSERT INTO action_plans (id, jurisdiction_id, slug, version, record) \
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, \
     version = excluded.version, record = excluded.record";
pub const PLAN_BY_ID: &str = "SELECT record FROM action_plans WHERE id = ?1";
pub const PLAN_BY_SLUG: &str =
    "SELECT record FROM action_plans WHERE jurisdiction_id = ?1 AND slug = ?2";

pub fn plan_values(p: &ActionPlan) -> Vec<SqlValue> {
    vec![
        SqlValue::Text(p.id.to_string()),
        SqlValue::Text(p.jurisdiction.as_str().to_owned()),
        SqlValue::Text(p.slug.clone()),
        SqlValue::Int(i64::from(p.version)),
        SqlValue::Text(serde_json::to_string(p).unwrap_or_default()),
    ]
}

impl SqliteStore {
    pub(crate) async fn plans_where(
        &self,
        j: Option<&JurisdictionId>,
    ) -> StoreResult<Vec<ActionPlan>> {
        let found = match j {
            Some(j) => {
                sqlx::query(
                    "SELECT record FROM action_plans WHERE jurisdiction_id = ?1 ORDER BY slug",
                )
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query("SELECT record FROM action_plans ORDER BY jurisdiction_id, slug")
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| crate::disclosure::record(&get::<String>(r, "record")?))
            .collect()
    }
}
