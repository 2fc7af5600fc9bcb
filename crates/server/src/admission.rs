//! The background job that admits waiting-room visitors: five times a second, an admission tick for every
//! concert whose sales have opened and that has a waiting room.
//!
//! Every instance runs it, and one at a time leads (`store/leader.rs`, a PostgreSQL advisory lock): the
//! others only check at each tick whether the leader is gone. Admission is counted by time, not by ticks
//! (the engine admits the rate times the time since the queue was last advanced, under the queue's row
//! lock), so a hand-over between leaders neither skips nor doubles anyone.

use crate::store::Store;
use chrono::Utc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Often, so that a busy room admits in small steps: a second's admissions at once would all fetch their
/// pass and hold in the same instant, and the joins arriving then would wait behind them.
pub const ADMIT_EVERY: Duration = Duration::from_millis(200);

pub fn start(store: Store) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(ADMIT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let leads = store.lead_admission().await;
            metrics::gauge!("boxoffice_admission_leader").set(if leads { 1.0 } else { 0.0 });
            if !leads {
                continue;
            }
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
