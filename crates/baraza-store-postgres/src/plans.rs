//! Action plans on PostgreSQL: one row per plan, its record as JSON beside the columns
//! its queries need. Writes go through the writer (`plans` in baraza-store).

use crate::PostgresStore;
use crate::rows::{db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::action_plan::{ActionPlan, PlanId};
use baraza_store::{StoreError, StoreResult};
use sqlx::PgConnection;

fn record(text: &str) -> StoreResult<ActionPlan> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

pub async fn put_plan(conn: &mut PgConnection, p: &ActionPlan) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO action_plans (id, jurisdiction_id, slug, version, record) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, version = excluded.version, record = excluded.record",
    )
    .bind(p.id.0)
    .bind(p.jurisdiction.as_str())
    .bind(&p.slug)
    .bind(i32::try_from(p.version).unwrap_or(i32::MAX))
    .bind(serde_json::to_string(p).unwrap_or_default())
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

/// The plan, its row locked until commit (two processes serialise on it).
pub async fn plan_for_update(
    conn: &mut PgConnection,
    id: PlanId,
) -> StoreResult<Option<ActionPlan>> {
    let found = sqlx::query("SELECT record FROM action_plans WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    found
        .map(|r| record(&get::<String>(&r, "record")?))
        .transpose()
}

pub async fn plan_by_slug(
    conn: &mut PgConnection,
    j: &JurisdictionId,
    slug: &str,
) -> StoreResult<Option<ActionPlan>> {
    let found =
        sqlx::query("SELECT record FROM action_plans WHERE jurisdiction_id = $1 AND slug = $2")
            .bind(j.as_str())
            .bind(slug)
            .fetch_optional(conn)
            .await
            .map_err(db_err)?;
    found
        .map(|r| record(&get::<String>(&r, "record")?))
        .transpose()
}

pub fn plan_record(r: &sqlx::postgres::PgRow) -> StoreResult<ActionPlan> {
    record(&get::<String>(r, "record")?)
}

impl PostgresStore {
    pub(crate) async fn plans_where(
        &self,
        j: Option<&JurisdictionId>,
    ) -> StoreResult<Vec<ActionPlan>> {
        let found = match j {
            Some(j) => {
                sqlx::query(
                    "SELECT record FROM action_plans WHERE jurisdiction_id = $1 ORDER BY slug",
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
        found.iter().map(plan_record).collect()
    }
}
