//! The proactive disclosure log on PostgreSQL: publications and followers, each row
//! holding its record as JSON beside the columns its queries need.

use crate::PostgresStore;
use crate::rows::{db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::disclosure::{Publication, Subscription};
use baraza_store::{StoreError, StoreResult};
use sqlx::PgConnection;

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn record<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

pub async fn insert_publication(conn: &mut PgConnection, p: &Publication) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO disclosures (id, jurisdiction_id, class_code, published_on, record) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
    )
    .bind(p.id.to_string())
    .bind(p.jurisdiction.as_str())
    .bind(&p.class)
    .bind(p.published_on.to_string())
    .bind(json(p))
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(db_err)
}

/// Record a follower; false when they already followed the class.
pub async fn insert_follower(conn: &mut PgConnection, s: &Subscription) -> StoreResult<bool> {
    sqlx::query(
        "INSERT INTO disclosure_followers (jurisdiction_id, class_code, address, record) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(s.jurisdiction.as_str())
    .bind(&s.class)
    .bind(&s.address)
    .bind(json(s))
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
    .map_err(db_err)
}

pub async fn followers(
    conn: &mut PgConnection,
    j: &JurisdictionId,
    class: &str,
) -> StoreResult<Vec<Subscription>> {
    let found = sqlx::query(
        "SELECT record FROM disclosure_followers WHERE jurisdiction_id = $1 AND class_code = $2 ORDER BY address",
    )
    .bind(j.as_str())
    .bind(class)
    .fetch_all(conn)
    .await
    .map_err(db_err)?;
    found
        .iter()
        .map(|r| record(&get::<String>(r, "record")?))
        .collect()
}

pub async fn drop_follower(conn: &mut PgConnection, address: &str) -> StoreResult<u64> {
    sqlx::query("DELETE FROM disclosure_followers WHERE address = $1")
        .bind(address)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_err)
}

impl PostgresStore {
    pub(crate) async fn publications(&self, j: &JurisdictionId) -> StoreResult<Vec<Publication>> {
        let found = sqlx::query(
            "SELECT record FROM disclosures WHERE jurisdiction_id = $1 ORDER BY published_on DESC, id DESC",
        )
        .bind(j.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| record(&get::<String>(r, "record")?))
            .collect()
    }
}

impl PostgresStore {
    pub(crate) async fn followers_with(
        &self,
        j: &baraza_core::JurisdictionId,
        prefix: &str,
    ) -> StoreResult<Vec<Subscription>> {
        let found = sqlx::query(
            "SELECT record FROM disclosure_followers WHERE jurisdiction_id = $1 \
             AND substr(class_code, 1, length($2)) = $2 ORDER BY address, class_code",
        )
        .bind(j.as_str())
        .bind(prefix)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| record(&get::<String>(r, "record")?))
            .collect()
    }

    pub(crate) async fn followed_by(&self, address: &str) -> StoreResult<Vec<Subscription>> {
        let found = sqlx::query(
            "SELECT record FROM disclosure_followers WHERE address = $1 ORDER BY jurisdiction_id, class_code",
        )
        .bind(address)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        found
            .iter()
            .map(|r| record(&get::<String>(r, "record")?))
            .collect()
    }
}
