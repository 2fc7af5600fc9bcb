//! The background job that expires holds. Every write batch expires run-out holds anyway, and reads count
//! them as available the moment they run out; the sweeper makes sure that happens even when nobody writes,
//! so the live feed tells open pages about returned tickets within a second.

use crate::store::Store;
use std::time::Duration;
use tokio::task::JoinHandle;

pub const SWEEP_EVERY: Duration = Duration::from_secs(1);

pub fn start(store: Store) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(error) = store.sweep().await {
                tracing::warn!(%error, "sweeping expired holds failed; retrying on the next tick");
            }
        }
    })
}
