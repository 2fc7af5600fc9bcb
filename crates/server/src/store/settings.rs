//! Values the shop makes once and keeps: the waiting room's signing key and the tickets' signing key. Each
//! is made (256 random bits) by whichever instance asks first; every other instance, and every restart,
//! reads the same, so passes and tickets issued before stay good.

use super::{db::Pool, Store, StoreError};

const QUEUE_SIGNING_KEY: &str = "queue_signing_key";
const TICKET_SIGNING_KEY: &str = "ticket_signing_key";

/// The value kept under `name`, made now if there is none.
async fn kept(pool: &Pool, name: &str) -> Result<String, StoreError> {
    sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(super::codes::new_signing_key())
        .execute(pool)
        .await?;
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = $1").bind(name).fetch_one(pool).await?)
}

impl Store {
    /// The waiting room's signing key.
    pub async fn queue_signing_key(&self) -> Result<String, StoreError> {
        kept(self.pool(), QUEUE_SIGNING_KEY).await
    }
}

/// The Ed25519 key tickets' codes are signed with.
pub(super) async fn ticket_signer(pool: &Pool) -> Result<model::TicketSigner, StoreError> {
    let secret = kept(pool, TICKET_SIGNING_KEY).await?;
    let secret: [u8; 32] = hex::decode(&secret)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| StoreError::BatchFailed("the kept ticket signing key is not 32 bytes of hex".into()))?;
    Ok(model::TicketSigner::from_secret(secret))
}
