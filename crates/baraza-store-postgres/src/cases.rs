//! Cases: intake and actions (through the writer), reading cases, citizens and journals, and citizens' messages.

use super::*;

impl PostgresStore {
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
        let sql = format!("SELECT {} FROM cases WHERE number = $1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(i64::from(number.value()))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    pub(crate) async fn case_by_id(&self, id: CaseId) -> StoreResult<Option<Case>> {
        let sql = format!("SELECT {} FROM cases WHERE id = $1", rows::CASE_COLUMNS);
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::case).transpose()
    }

    pub(crate) async fn case_events(&self, id: CaseId) -> StoreResult<Vec<JournalEvent>> {
        let sql = format!(
            "SELECT {} FROM journal WHERE case_id = $1 ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let rows = sqlx::query(&sql)
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::event).collect()
    }

    pub(crate) async fn citizen(&self, id: CitizenId) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::citizen).transpose()
    }

    pub(crate) async fn citizens(&self, ids: &[CitizenId]) -> StoreResult<Vec<Citizen>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<uuid::Uuid> = ids.iter().map(|i| i.0).collect();
        let rows = sqlx::query("SELECT * FROM citizens WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::citizen).collect()
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
            "SELECT {} FROM journal WHERE case_id = ANY($1) AND kind = ANY($2) ORDER BY seq",
            rows::EVENT_COLUMNS
        );
        let cases: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let rows = sqlx::query(&sql)
            .bind(cases)
            .bind(kinds)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.iter().map(rows::event).collect()
    }

    pub(crate) async fn citizen_by_phone(
        &self,
        j: &JurisdictionId,
        phone: &PhoneNumber,
    ) -> StoreResult<Option<Citizen>> {
        let row = sqlx::query("SELECT * FROM citizens WHERE jurisdiction_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1")
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
            "SELECT {} FROM cases WHERE citizen_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2",
            rows::CASE_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(citizen.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::case).collect()
    }

    pub(crate) async fn list_cases(&self, f: &CaseFilter) -> StoreResult<Vec<Case>> {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(format!(
            "SELECT {} FROM cases WHERE 1 = 1",
            rows::CASE_COLUMNS
        ));
        push_filter(&mut q, f);
        if let Some((at, id)) = &f.after
            && f.order.keyset()
        {
            let (lt, cmp) = if f.order == CaseOrder::Oldest {
                (" > ", " AND id > ")
            } else {
                (" < ", " AND id < ")
            };
            q.push(" AND (created_at").push(lt).push_bind(*at);
            q.push(" OR (created_at = ").push_bind(*at);
            q.push(cmp).push_bind(id.0);
            q.push("))");
        }
        q.push(baraza_store::case_order_sql(f.order));
        q.push(" LIMIT ").push_bind(i64::from(f.limit));
        if f.offset > 0 && !f.order.keyset() {
            q.push(" OFFSET ").push_bind(i64::from(f.offset));
        }
        let rows = q.build().fetch_all(&self.pool).await.map_err(db_err)?;
        rows.iter().map(rows::case).collect()
    }

    pub(crate) async fn count_cases(&self, f: &CaseFilter) -> StoreResult<u64> {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new("SELECT COUNT(*) FROM cases WHERE 1 = 1");
        push_filter(&mut q, f);
        let n: i64 = q
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
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
             WHERE e.jurisdiction_id = $1 AND c.jurisdiction_id = $1 AND c.information IS NULL AND e.visibility = 'public' AND e.at >= $2 AND e.at <= $3 \
             ORDER BY e.seq LIMIT $4",
            columns.join(", ")
        );
        let found = sqlx::query(&sql)
            .bind(j.as_str())
            .bind(from)
            .bind(to)
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
