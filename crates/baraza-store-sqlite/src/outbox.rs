//! The outbox and inbound media: claiming, recording, delivery reports.

use super::*;

impl SqliteStore {
    /// Through the writer: SQLite has one write lock, which the writer holds nearly all
    /// the time under load; a sender waiting for it on a connection of its own would get
    /// it rarely (SQLite's busy handler polls), and fall behind intake.
    pub(crate) async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        self.writer.claim_outbox(now, lease_until, limit).await
    }

    /// Through the writer, like claims: the round is recorded with the batch it joins.
    pub(crate) async fn update_outbox(
        &self,
        outcomes: &[(OutboxEntry, Timestamp)],
    ) -> StoreResult<Vec<bool>> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        self.writer.update_outbox(outcomes.to_vec()).await
    }

    pub(crate) async fn outbox_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: OutboxStatus,
        detail: Option<String>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = ?1, last_error = COALESCE(?2, last_error), updated_at = ?3 \
             WHERE provider = ?4 AND provider_message_id = ?5 AND status NOT IN ('delivered', 'failed') \
             AND (?1 <> 'sent' OR status = 'pending')",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(ts(&at))
        .bind(provider)
        .bind(provider_message_id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let ours =
            sqlx::query("SELECT 1 FROM outbox WHERE provider = ?1 AND provider_message_id = ?2")
                .bind(provider)
                .bind(provider_message_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(ours.is_some())
    }

    pub(crate) async fn pending_media(
        &self,
        limit: u32,
    ) -> StoreResult<Vec<baraza_core::outbound::InboundMessage>> {
        let sql = format!(
            "SELECT {} FROM inbound_messages WHERE media_status = 'pending' ORDER BY received_at LIMIT ?1",
            rows::INBOUND_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::inbound).collect()
    }

    pub(crate) async fn set_media_status(
        &self,
        inbound_id: uuid::Uuid,
        status: baraza_core::outbound::MediaStatus,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE inbound_messages SET media_status = ?1 WHERE id = ?2")
            .bind(status.as_str())
            .bind(inbound_id.to_string())
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub(crate) async fn last_inbound_at(
        &self,
        channel: Channel,
        from: &str,
    ) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT received_at FROM inbound_messages WHERE channel = ?1 AND from_address = ?2 \
             ORDER BY received_at DESC LIMIT 1",
        )
        .bind(channel.as_str())
        .bind(from)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| rows::parse_ts(&rows::get::<String>(&r, "received_at")?))
            .transpose()
    }

    pub(crate) async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {} FROM outbox WHERE to_address = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
            rows::OUTBOX_COLUMNS
        );
        let found = sqlx::query(&sql)
            .bind(to)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        found.iter().map(rows::outbox).collect()
    }
}
