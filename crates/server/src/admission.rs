//! The background job that admits waiting-room visitors: once a second, an admission tick for every
//! concert whose sales have opened and that has a waiting room.
//!
//! Every instance runs it. Admission is counted by time, not by ticks (the engine admits the rate times
//! the time since the queue was last advanced, and the load locks the queue's row on PostgreSQL), so three
//! instances ticking admit what one would: never more than the rate, whoever ticks.

use crate::store::Store;
use chrono::Utc;
use std::time::Duration;
use tokio::task::JoinHandle;

pub const ADMIT_EVERY: Duration = Duration::from_secs(1);

pub fn start(store: Store) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ADMIT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let concerts = match store.open_waiting_rooms(Utc::now()).await {
                Ok(concerts) => concerts,
                Err(error) => {
                    tracing::warn!(%error, "listing the waiting rooms failed; retrying on the next tick");
                    continue;
                }
            };
            for concert in concerts {
                match store.admit(concert).await {
                    Ok(0) => {}
                    Ok(admitted) => tracing::debug!(concert, admitted, "admitted from the waiting room"),
                    Err(error) => tracing::warn!(%error, concert, "an admission tick failed; retrying on the next"),
                }
            }
        }
    })
}
