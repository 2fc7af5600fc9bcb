//! Several instances on one PostgreSQL database: each instance's writer sends `NOTIFY` in every transaction
//! that moved stock (delivered when it commits), and every instance listens, so its catalog cache drops
//! what it read and its live feed reads availability again, as it does after its own writes.

use super::{catalog_cache::CatalogCache, StoreError};
use sqlx::postgres::PgListener;
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// The channel the writers notify on.
pub const CHANNEL: &str = "boxoffice_stock";

/// Starts listening; returns once the listener is subscribed, so nothing committed after the store opened
/// is missed. The listener reconnects by itself (sqlx) if the connection drops.
pub async fn listen(url: &str, changes: Arc<Notify>, catalog: Arc<CatalogCache>) -> Result<(), StoreError> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                // `None`: the connection was lost and is being re-established; whatever was notified
                // meanwhile is unknown, so treat it as a change.
                Ok(_) => {
                    catalog.invalidate();
                    changes.notify_one();
                }
                Err(error) => {
                    tracing::warn!(%error, "listening for other instances' sales failed; retrying");
                    catalog.invalidate();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}
