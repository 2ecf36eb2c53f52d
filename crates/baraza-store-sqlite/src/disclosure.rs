//! The proactive disclosure log on SQLite: publications and followers, each row holding
//! its record as JSON beside the columns its queries need. Writes go through the writer.

use crate::SqliteStore;
use crate::rows::{SqlValue, db_err, get};
use baraza_core::JurisdictionId;
use baraza_core::disclosure::{Publication, Subscription};
use baraza_store::{StoreError, StoreResult};

pub const INSERT_PUBLICATION: &str = "INSERT INTO disclosures (id, jurisdiction_id, class_code, published_on, record) \
     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING";
pub const INSERT_FOLLOWER: &str = "INSERT INTO disclosure_followers (jurisdiction_id, class_code, address, record) \
     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
pub const FOLLOWERS: &str = "SELECT record FROM disclosure_followers WHERE jurisdiction_id = ?1 AND class_code = ?2 ORDER BY address";
pub const DROP_FOLLOWER: &str = "DELETE FROM disclosure_followers WHERE address = ?1";

fn json<T: serde::Serialize>(v: &T) -> SqlValue {
    SqlValue::Text(serde_json::to_string(v).unwrap_or_default())
}

pub fn publication_values(p: &Publication) -> Vec<SqlValue> {
    vec![
        SqlValue::Text(p.id.to_string()),
        SqlValue::Text(p.jurisdiction.as_str().to_owned()),
        SqlValue::Text(p.class.clone()),
        SqlValue::Text(p.published_on.to_string()),
        json(p),
    ]
}

pub fn follower_values(s: &Subscription) -> Vec<SqlValue> {
    vec![
        SqlValue::Text(s.jurisdiction.as_str().to_owned()),
        SqlValue::Text(s.class.clone()),
        SqlValue::Text(s.address.clone()),
        json(s),
    ]
}

pub fn record<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

impl SqliteStore {
    pub(crate) async fn publications(&self, j: &JurisdictionId) -> StoreResult<Vec<Publication>> {
        let found = sqlx::query(
            "SELECT record FROM disclosures WHERE jurisdiction_id = ?1 ORDER BY published_on DESC, id DESC",
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

impl SqliteStore {
    pub(crate) async fn followers_with(
        &self,
        j: &baraza_core::JurisdictionId,
        prefix: &str,
    ) -> StoreResult<Vec<Subscription>> {
        let found = sqlx::query(
            "SELECT record FROM disclosure_followers WHERE jurisdiction_id = ?1 \
             AND substr(class_code, 1, length(?2)) = ?2 ORDER BY address, class_code",
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
            "SELECT record FROM disclosure_followers WHERE address = ?1 ORDER BY jurisdiction_id, class_code",
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
