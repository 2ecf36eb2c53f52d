//! Data protection: erasure (through the writer), access, rectification, retention.

use super::*;

impl PostgresStore {
    pub(crate) async fn erase_citizen(
        &self,
        e: baraza_store::erasure::Erasure,
    ) -> StoreResult<baraza_store::erasure::Erased> {
        self.writer.erase(e).await
    }

    pub(crate) async fn citizens_by_contact(&self, contact: &str) -> StoreResult<Vec<Citizen>> {
        let found = sqlx::query(
            "SELECT * FROM citizens WHERE phone = $1 OR whatsapp_id = $1 OR lower(email) = lower($1) \
             ORDER BY created_at",
        )
        .bind(contact)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found.iter().map(rows::citizen).collect()
    }

    pub(crate) async fn inbound_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        let sql = format!(
            "SELECT {} FROM inbound_messages WHERE from_address = ANY($1) OR case_id = ANY($2) \
             ORDER BY received_at, id",
            rows::INBOUND_COLUMNS
        );
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let found = sqlx::query(&sql)
            .bind(addresses)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::inbound).collect()
    }

    pub(crate) async fn outbox_of(
        &self,
        addresses: &[String],
        cases: &[CaseId],
    ) -> StoreResult<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {} FROM outbox WHERE to_address = ANY($1) OR case_id = ANY($2) \
             ORDER BY created_at, id",
            rows::OUTBOX_COLUMNS
        );
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.0).collect();
        let found = sqlx::query(&sql)
            .bind(addresses)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::outbox).collect()
    }

    pub(crate) async fn rectify_citizen(&self, c: &Citizen) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::replace_citizen(&mut conn, c).await
    }

    pub(crate) async fn citizens_past_retention(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<Vec<CitizenId>> {
        let found = sqlx::query(
            "SELECT z.id FROM citizens z WHERE z.jurisdiction_id = $1 \
             AND (z.phone IS NOT NULL OR z.whatsapp_id IS NOT NULL OR z.email IS NOT NULL OR z.name IS NOT NULL) \
             AND EXISTS (SELECT 1 FROM cases k WHERE k.citizen_id = z.id) \
             AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.citizen_id = z.id AND \
                 (k.status NOT IN ('closed', 'closed_unconfirmed', 'rejected', 'referred', 'duplicate') \
                  OR k.updated_at >= $2)) \
             ORDER BY z.created_at LIMIT 10000",
        )
        .bind(j.as_str())
        .bind(settled_before)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| Ok(CitizenId(rows::get(r, "id")?)))
            .collect()
    }

    pub(crate) async fn expire_message_texts(
        &self,
        j: &JurisdictionId,
        settled_before: Timestamp,
    ) -> StoreResult<u64> {
        sqlx::query(
            "UPDATE inbound_messages SET body = '' WHERE body <> '' AND case_id IN \
             (SELECT id FROM cases WHERE jurisdiction_id = $1 AND updated_at < $2 \
              AND status IN ('closed', 'closed_unconfirmed', 'rejected', 'referred', 'duplicate'))",
        )
        .bind(j.as_str())
        .bind(settled_before)
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_err)
    }
}
