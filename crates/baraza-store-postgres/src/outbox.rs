//! The outbox and inbound media: claiming, recording, delivery reports.

use super::*;

impl PostgresStore {
    pub(crate) async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        claim(&mut conn, now, lease_until, limit).await
    }

    pub(crate) async fn update_outbox(
        &self,
        outcomes: &[(OutboxEntry, Timestamp)],
    ) -> StoreResult<Vec<bool>> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        record(&mut conn, outcomes).await
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
            "UPDATE outbox SET status = $1, last_error = COALESCE($2, last_error), updated_at = $3 \
             WHERE provider = $4 AND provider_message_id = $5 AND status NOT IN ('delivered', 'failed') \
             AND ($1 <> 'sent' OR status = 'pending')",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(at)
        .bind(provider)
        .bind(provider_message_id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() > 0 {
            return Ok(true);
        }
        let ours =
            sqlx::query("SELECT 1 FROM outbox WHERE provider = $1 AND provider_message_id = $2")
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
            "SELECT {} FROM inbound_messages WHERE media_status = 'pending' ORDER BY received_at LIMIT $1",
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
        sqlx::query("UPDATE inbound_messages SET media_status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(inbound_id)
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
            "SELECT received_at FROM inbound_messages WHERE channel = $1 AND from_address = $2 \
             ORDER BY received_at DESC LIMIT 1",
        )
        .bind(channel.as_str())
        .bind(from)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(|r| rows::get(&r, "received_at")).transpose()
    }

    pub(crate) async fn outbox_to(&self, to: &str, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        let sql = format!(
            "SELECT {} FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
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

/// Claim due messages (see `Store::claim_outbox`), on the pool's connection or the writer's.
pub(crate) async fn claim(
    conn: &mut sqlx::PgConnection,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<OutboxEntry>> {
    // SKIP LOCKED: workers in other processes claim other rows, never the same.
    let sql = format!(
        "UPDATE outbox SET next_attempt_at = $1 WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' \
             AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {}",
        rows::OUTBOX_COLUMNS
    );
    let found = sqlx::query(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(db_err)?;
    found.iter().map(rows::outbox).collect()
}

/// Record a round of sends (see `Store::update_outbox`), on the pool's connection or the
/// writer's.
pub(crate) async fn record(
    conn: &mut sqlx::PgConnection,
    outcomes: &[(OutboxEntry, Timestamp)],
) -> StoreResult<Vec<bool>> {
    // The whole round in one statement, one round trip and one commit.
    let col = |f: &dyn Fn(&OutboxEntry) -> Option<String>| -> Vec<Option<String>> {
        outcomes.iter().map(|(e, _)| f(e)).collect()
    };
    let ids: Vec<uuid::Uuid> = outcomes.iter().map(|(e, _)| e.message.id).collect();
    let statuses = col(&|e| Some(e.status.as_str().to_owned()));
    let attempts: Vec<i32> = outcomes
        .iter()
        .map(|(e, _)| i32::try_from(e.attempts).unwrap_or(i32::MAX))
        .collect();
    let next: Vec<Timestamp> = outcomes.iter().map(|(e, _)| e.next_attempt_at).collect();
    let providers = col(&|e| e.provider.clone());
    let provider_ids = col(&|e| e.provider_message_id.clone());
    let costs = col(&|e| e.cost.clone());
    let errors = col(&|e| e.last_error.clone());
    let updated: Vec<Timestamp> = outcomes.iter().map(|(e, _)| e.updated_at).collect();
    let claims: Vec<Timestamp> = outcomes.iter().map(|(_, c)| *c).collect();
    let done: Vec<uuid::Uuid> = sqlx::query_scalar(
            "UPDATE outbox o SET status = u.status, attempts = u.attempts, \
             next_attempt_at = u.next_attempt_at, provider = u.provider, \
             provider_message_id = u.provider_message_id, cost = u.cost, \
             last_error = u.last_error, updated_at = u.updated_at \
             FROM UNNEST($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], \
                         $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[]) \
                  AS u(id, status, attempts, next_attempt_at, provider, provider_message_id, \
                       cost, last_error, updated_at, claimed_until) \
             WHERE o.id = u.id AND o.status = 'pending' AND o.next_attempt_at = u.claimed_until \
             RETURNING o.id",
        )
        .bind(&ids)
        .bind(statuses)
        .bind(attempts)
        .bind(next)
        .bind(providers)
        .bind(provider_ids)
        .bind(costs)
        .bind(errors)
        .bind(updated)
        .bind(claims)
        .fetch_all(conn)
        .await
        .map_err(db_err)?;
    let done: std::collections::HashSet<uuid::Uuid> = done.into_iter().collect();
    Ok(ids.iter().map(|id| done.contains(id)).collect())
}
