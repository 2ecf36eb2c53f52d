//! Cases: intake and actions (through the writer), reading cases, citizens and journals, and citizens' messages.

use super::*;
use crate::rows::Columns;

impl SqliteStore {
    pub(crate) async fn create_case(
        &self,
        new: NewCase,
        actor: Actor,
        at: Timestamp,
    ) -> StoreResult<Intake> {
        self.writer.create_case(new, actor, at).await
    }

    pub(crate) async fn act(
        &self,
        number: CaseNumber,
        expected_version: Option<u32>,
        actor: Actor,
        action: Action,
        targets: Deadlines,
        at: Timestamp,
    ) -> StoreResult<Acted> {
        self.writer
            .act(number, expected_version, actor, action, targets, at)
            .await
    }

    pub(crate) async fn case_by_number(&self, number: CaseNumber) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE number = ?1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(i64::from(number.value()))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    pub(crate) async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE id = ?1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(id.0.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    pub(crate) async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>> {
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id = ?1 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(id.0.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::event).collect()
    }

    pub(crate) async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE id = ?1")
            .bind(id.0.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    pub(crate) async fn citizens(&self, ids: &[CitizenId]) -> StoreResult<Vec<Citizen>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT * FROM citizens WHERE id IN ({})",
            vec!["?"; ids.len()].join(", ")
        );
        let values = ids
            .iter()
            .map(|i| SqlValue::Text(i.0.to_string()))
            .collect();
        self.readers
            .read(move |conn| readers::all(conn, &sql, values, |r| rows::citizen(r)))
            .await
    }

    pub(crate) async fn events_of_kinds(
        &self,
        cases: &[CaseId],
        kinds: &[EventKind],
    ) -> StoreResult<Vec<JournalEvent>> {
        if cases.is_empty() || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id IN ({}) AND kind IN ({}) ORDER BY seq",
            rows::EVENT_COLUMNS,
            vec!["?"; cases.len()].join(", "),
            vec!["?"; kinds.len()].join(", ")
        );
        let values = cases
            .iter()
            .map(|c| SqlValue::Text(c.0.to_string()))
            .chain(kinds.iter().map(|k| SqlValue::Text(k.as_str().to_owned())))
            .collect();
        self.readers
            .read(move |conn| readers::all(conn, &sql, values, |r| rows::event(r)))
            .await
    }

    pub(crate) async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE jurisdiction_id = ?1 AND phone = ?2 ORDER BY created_at LIMIT 1")
            .bind(j.as_str())
            .bind(phone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    pub(crate) async fn cases_of_citizen(
        &self,
        citizen: CitizenId,
        limit: u32,
    ) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT {} FROM cases WHERE citizen_id = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2",
            rows::CASE_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(citizen.0.to_string())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::case).collect()
    }

    pub(crate) async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<Case>> {
        let (conditions, mut values) = filter_sql(f);
        let mut sql = format!(
            "SELECT {} FROM cases WHERE 1 = 1{conditions}",
            rows::CASE_COLUMNS
        );
        if let Some((at, id)) = &f.after
            && f.order.keyset()
        {
            let (lt, cmp) = if f.order == CaseOrder::Oldest {
                (">", ">")
            } else {
                ("<", "<")
            };
            sql.push_str(&format!(
                " AND (created_at {lt} ? OR (created_at = ? AND id {cmp} ?))"
            ));
            values.push(SqlValue::Text(ts(at)));
            values.push(SqlValue::Text(ts(at)));
            values.push(SqlValue::Text(id.0.to_string()));
        }
        sql.push_str(baraza_store::case_order_sql(f.order));
        sql.push_str(" LIMIT ?");
        values.push(SqlValue::Int(i64::from(f.limit)));
        if f.offset > 0 && !f.order.keyset() {
            sql.push_str(" OFFSET ?");
            values.push(SqlValue::Int(i64::from(f.offset)));
        }
        self.readers
            .read(move |conn| readers::all(conn, &sql, values, |r| rows::case(r)))
            .await
    }

    pub(crate) async fn count_cases(&self, f: &CaseFilter) -> StoreResult<u64> {
        let (conditions, values) = filter_sql(f);
        let sql = format!("SELECT COUNT(*) AS n FROM cases WHERE 1 = 1{conditions}");
        let n: i64 = self
            .readers
            .read(move |conn| readers::all(conn, &sql, values, |r| r.req_int("n")))
            .await?
            .first()
            .copied()
            .unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(crate) async fn public_events(
        &self,
        j: &JurisdictionId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<(CaseNumber, JournalEvent)>> {
        let columns: Vec<String> = rows::EVENT_COLUMNS
            .split(',')
            .map(|c| format!("e.{0} AS {0}", c.trim()))
            .collect();
        let sql = format!(
            "SELECT {}, c.number AS case_number FROM journal e JOIN cases c ON c.id = e.case_id \
             WHERE e.jurisdiction_id = ?1 AND c.jurisdiction_id = ?1 AND c.information IS NULL AND e.visibility = 'public' AND e.at >= ?2 AND e.at <= ?3 \
             ORDER BY e.seq LIMIT ?4",
            columns.join(", ")
        );
        let found = sqlx::query(&sql)
            .bind(j.as_str())
            .bind(ts(&from))
            .bind(ts(&to))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found
            .iter()
            .map(|r| {
                let n = u32::try_from(rows::get::<i64>(r, "case_number")?)
                    .map_err(StoreError::corrupt)?;
                Ok((
                    CaseNumber::from_value(n).map_err(StoreError::corrupt)?,
                    rows::event(r)?,
                ))
            })
            .collect()
    }

    pub(crate) async fn receive_message(&self, arrival: Arrival) -> StoreResult<Handled> {
        self.writer.inbound(arrival).await
    }

    pub(crate) async fn relay_update(
        &self,
        r: baraza_store::Relay,
    ) -> StoreResult<baraza_store::Relayed> {
        self.writer.relay(r).await
    }
}
