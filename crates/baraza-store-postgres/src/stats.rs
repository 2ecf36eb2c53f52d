//! The dashboard's figures: every case's stats row, and those changed since a sequence number.

use super::*;

impl PostgresStore {
    pub(crate) async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>> {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(STATS_SELECT);
        q.push(" WHERE c.jurisdiction_id = ")
            .push_bind(j.as_str().to_owned());
        // Concerns only: information requests have figures of their own.
        q.push(" AND c.information IS NULL");
        if let Some(id) = after {
            q.push(" AND c.id > ").push_bind(id.0);
        }
        q.push(" ORDER BY c.id LIMIT ").push_bind(i64::from(limit));
        let found = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        found.iter().map(rows::case_stat).collect()
    }

    pub(crate) async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)> {
        let touched: Vec<(i64, CaseIdText)> = sqlx::query_as(
            "SELECT seq, case_id FROM journal WHERE jurisdiction_id = $1 AND seq > $2 \
                 ORDER BY seq LIMIT $3",
        )
        .bind(j.as_str())
        .bind(i64::try_from(after_seq).unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(last) = touched.last().map(|(s, _)| u64::try_from(*s).unwrap_or(0)) else {
            return Ok((Vec::new(), after_seq));
        };
        let mut ids: Vec<CaseIdText> = touched.into_iter().map(|(_, id)| id).collect();
        ids.sort();
        ids.dedup();
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(STATS_SELECT);
        q.push(" WHERE c.jurisdiction_id = ")
            .push_bind(j.as_str().to_owned());
        // Concerns only: information requests have figures of their own.
        q.push(" AND c.information IS NULL");
        q.push(" AND c.id IN (");
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(id);
        }
        q.push(")");
        let found = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        let rows = found
            .iter()
            .map(rows::case_stat)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((rows, last))
    }
}
