//! Values the shop makes once and keeps: the waiting room's signing key.

use super::{Store, StoreError};

const QUEUE_SIGNING_KEY: &str = "queue_signing_key";

impl Store {
    /// The waiting room's signing key kept in the database, made (256 random bits) by whichever instance
    /// asks first; every other instance, and every restart, reads the same.
    pub async fn queue_signing_key(&self) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(QUEUE_SIGNING_KEY)
            .bind(super::codes::new_signing_key())
            .execute(self.pool())
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(QUEUE_SIGNING_KEY)
            .fetch_one(self.pool())
            .await?)
    }
}
