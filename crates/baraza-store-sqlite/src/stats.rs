//! The dashboard's figures: every case's stats row, and those changed since a sequence number.

use super::*;

impl SqliteStore {
    pub(crate) async fn case_stats(
        &self,
        j: &JurisdictionId,
        after: Option<CaseId>,
        limit: u32,
    ) -> StoreResult<Vec<CaseStat>> {
        // `+` keeps SQLite from reaching for a jurisdiction index (and sorting every case):
        // the primary key is walked in order instead.
        // Concerns only: information requests have figures of their own. Read by the
        // readers: through sqlx, every value of 20,000 rows would be copied by SQLite's
        // allocator, whose freed memory the C library keeps (hundreds of MB).
        let mut sql =
            format!("{STATS_SELECT} WHERE +c.jurisdiction_id = ? AND c.information IS NULL");
        let mut values = vec![SqlValue::Text(j.as_str().to_owned())];
        if let Some(id) = after {
            sql.push_str(" AND c.id > ?");
            values.push(SqlValue::Text(id.0.to_string()));
        }
        sql.push_str(" ORDER BY c.id LIMIT ?");
        values.push(SqlValue::Int(i64::from(limit)));
        self.readers
            .read(move |conn| readers::all(conn, &sql, values, |r| rows::case_stat(r)))
            .await
    }

    pub(crate) async fn case_stats_changed(
        &self,
        j: &JurisdictionId,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<(Vec<CaseStat>, u64)> {
        let touched: Vec<(i64, CaseIdText)> = sqlx::query_as(
            "SELECT seq, case_id FROM journal WHERE jurisdiction_id = ?1 AND seq > ?2 \
                 ORDER BY seq LIMIT ?3",
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
        // Concerns only: information requests have figures of their own.
        let sql = format!(
            "{STATS_SELECT} WHERE +c.jurisdiction_id = ? AND c.information IS NULL AND c.id IN ({})",
            vec!["?"; ids.len()].join(", ")
        );
        let values = std::iter::once(j.as_str().to_owned())
            .chain(ids)
            .map(SqlValue::Text)
            .collect();
        let rows = self
            .readers
            .read(move |conn| readers::all(conn, &sql, values, |r| rows::case_stat(r)))
            .await?;
        Ok((rows, last))
    }
}
