//! Reference data: jurisdictions, their areas, departments and categories.

use super::*;

impl PostgresStore {
    pub(crate) fn backend(&self) -> &'static str {
        "postgres"
    }

    pub(crate) async fn ping(&self) -> StoreResult<()> {
        if !self.writer.is_running() {
            return Err(StoreError::Unavailable("the writer has stopped".into()));
        }
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub(crate) async fn put_jurisdiction(&self, j: &Jurisdiction) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_jurisdiction(&mut conn, j).await
    }

    pub(crate) async fn jurisdictions(&self) -> StoreResult<Vec<Jurisdiction>> {
        let rows = sqlx::query("SELECT * FROM jurisdictions ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::jurisdiction).collect()
    }

    pub(crate) async fn put_areas(&self, areas: &[Area]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        for a in areas {
            writes::put_area(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn areas(&self, j: &JurisdictionId) -> StoreResult<Vec<Area>> {
        let rows =
            sqlx::query("SELECT * FROM areas WHERE jurisdiction_id = $1 ORDER BY depth, code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.iter().map(rows::area).collect()
    }

    pub(crate) async fn put_department(&self, d: &Department) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_department(&mut conn, d).await
    }

    pub(crate) async fn departments(&self, j: &JurisdictionId) -> StoreResult<Vec<Department>> {
        let rows =
            sqlx::query("SELECT * FROM departments WHERE jurisdiction_id = $1 ORDER BY code")
                .bind(j.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        rows.iter().map(rows::department).collect()
    }

    pub(crate) async fn put_category(&self, c: &ServiceCategory) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::put_category(&mut conn, c).await
    }

    pub(crate) async fn categories(&self, j: &JurisdictionId) -> StoreResult<Vec<ServiceCategory>> {
        let rows = sqlx::query("SELECT * FROM categories WHERE jurisdiction_id = $1 ORDER BY code")
            .bind(j.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::category).collect()
    }
}
