//! Staff: users, API tokens, console credentials and sessions.

use super::*;

impl PostgresStore {
    pub(crate) async fn add_user(&self, u: &StaffUser) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::add_user(&mut conn, u).await
    }

    pub(crate) async fn users(&self, j: Option<&JurisdictionId>) -> StoreResult<Vec<StaffUser>> {
        let rows = sqlx::query(
            "SELECT * FROM users WHERE $1::text IS NULL OR jurisdiction_id = $1 ORDER BY username",
        )
        .bind(j.map(|j| j.as_str()))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(rows::user).collect()
    }

    pub(crate) async fn user(&self, id: UserId) -> StoreResult<Option<StaffUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    pub(crate) async fn user_by_username(&self, username: &str) -> StoreResult<Option<StaffUser>> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::user).transpose()
    }

    pub(crate) async fn set_user_disabled(&self, id: UserId, disabled: bool) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("user"))
        } else {
            Ok(())
        }
    }

    pub(crate) async fn add_token(&self, t: &ApiToken) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        writes::add_token(&mut conn, t).await
    }

    pub(crate) async fn tokens(&self, user: Option<UserId>) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT * FROM api_tokens WHERE $1::uuid IS NULL OR user_id = $1 ORDER BY created_at",
        )
        .bind(user.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(rows::token).collect()
    }

    pub(crate) async fn token_by_secret_sha256(
        &self,
        sha256_hex: &str,
    ) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query("SELECT * FROM api_tokens WHERE secret_sha256 = $1")
            .bind(sha256_hex)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rows::token).transpose()
    }

    pub(crate) async fn revoke_token(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
        )
        .bind(at)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            Err(StoreError::NotFound("token"))
        } else {
            Ok(())
        }
    }

    pub(crate) async fn credentials(&self, user: UserId) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT password_hash, failed_logins, locked_until FROM users WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Credentials {
            password_hash: rows::get(&r, "password_hash")?,
            failed_logins: u32::try_from(rows::get::<i32>(&r, "failed_logins")?).unwrap_or(0),
            locked_until: rows::get(&r, "locked_until")?,
        }))
    }

    pub(crate) async fn set_password(&self, user: UserId, phc: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(phc)
        .bind(user.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("user"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    pub(crate) async fn record_failed_login(
        &self,
        user: UserId,
        lock_after: u32,
        lock_until: Timestamp,
    ) -> StoreResult<u32> {
        let n: i32 = sqlx::query_scalar(
            "UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE \
             WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END WHERE id = $3 \
             RETURNING failed_logins",
        )
        .bind(i32::try_from(lock_after).unwrap_or(i32::MAX))
        .bind(lock_until)
        .bind(user.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(u32::try_from(n).unwrap_or(0))
    }

    pub(crate) async fn clear_failed_logins(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub(crate) async fn add_session(&self, s: &Session) -> StoreResult<()> {
        let user = s.user;
        sqlx::query(
            "INSERT INTO sessions (id_sha256, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_sha256)
        .bind(user.0)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
        .map_err(db_err)
    }

    pub(crate) async fn session(&self, id_sha256: &str) -> StoreResult<Option<Session>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE id_sha256 = $1")
            .bind(id_sha256)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Session {
            id_sha256: rows::get(&r, "id_sha256")?,
            user: UserId(rows::get(&r, "user_id")?),
            csrf_token: rows::get(&r, "csrf_token")?,
            created_at: rows::get(&r, "created_at")?,
            expires_at: rows::get(&r, "expires_at")?,
        }))
    }

    pub(crate) async fn end_session(&self, id_sha256: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1")
            .bind(id_sha256)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub(crate) async fn end_sessions_of(&self, user: UserId) -> StoreResult<u64> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
    }
}
