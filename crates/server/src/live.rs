//! Live availability for every open page: one `watch` channel holding the latest snapshot of every
//! concert's tiers, and of every waiting room's counters (how far admission has got, how many joined):
//! one broadcast per change however many pages wait, each page working out its own place from it.
//!
//! The store signals "something changed" after each commit; a single task coalesces those signals, reads
//! the catalog at most every [`MIN_INTERVAL`] (and at least every [`MAX_INTERVAL`]), and publishes it if it
//! differs. So an open event stream
//! costs one watch receiver, not a task or a query, however many buyers watch a hot sale.

use crate::store::{Store, StoreError};
use model::{QueueCounters, TierAvailability};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::watch;

/// At most ten updates a second reach a client.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Availability is read at least this often even without a signal: other processes' writes to the same
/// database (PostgreSQL notifies them, but a notification can be lost while the listener reconnects, and
/// several processes on one SQLite file have no notification at all) reach open pages within this.
pub const MAX_INTERVAL: Duration = Duration::from_secs(1);

/// Every concert's availability, with each concert's JSON made once per change rather than once per open
/// stream.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    tiers: Vec<(i64, TierAvailability)>,
    json: HashMap<i64, Arc<str>>,
    queues: Vec<(i64, QueueCounters)>,
    queue_json: HashMap<i64, Arc<str>>,
}

impl Snapshot {
    fn new(tiers: Vec<(i64, TierAvailability)>, queues: Vec<(i64, QueueCounters)>) -> Arc<Snapshot> {
        let mut by_concert: HashMap<i64, Vec<&TierAvailability>> = HashMap::new();
        for (concert, tier) in &tiers {
            by_concert.entry(*concert).or_default().push(tier);
        }
        let json = by_concert
            .into_iter()
            .map(|(concert, tiers)| {
                (concert, Arc::from(serde_json::to_string(&tiers).expect("availability always serialises")))
            })
            .collect();
        let queue_json = queues
            .iter()
            .map(|(concert, counters)| {
                (*concert, Arc::from(serde_json::to_string(counters).expect("counters always serialise")))
            })
            .collect();
        Arc::new(Snapshot { tiers, json, queues, queue_json })
    }

    /// The counters of the concert's waiting room as JSON; `None` without one.
    pub fn queue_json_of(&self, concert: i64) -> Option<Arc<str>> {
        self.queue_json.get(&concert).cloned()
    }

    /// The concert's tiers as the JSON of `/api/concerts/{id}`'s `tiers`; `None` for an unknown concert.
    pub fn json_of(&self, concert: i64) -> Option<Arc<str>> {
        self.json.get(&concert).cloned()
    }
}

#[derive(Clone)]
pub struct Live {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    closing: watch::Sender<bool>,
}

impl Live {
    /// Reads the current catalog and starts the task that keeps it current.
    pub async fn start(store: Store) -> Result<Live, StoreError> {
        let tiers = store.availability().await?;
        let queues = store.queue_counters().await?;
        // The gauges are there from the first scrape, not only once something has changed (the recorder
        // is installed first, or they would go nowhere).
        crate::observability::metrics();
        record_gauges(&tiers);
        let (publish, snapshots) = watch::channel(Snapshot::new(tiers, queues));
        tokio::spawn(publish_changes(store, publish));
        let (closing, _) = watch::channel(false);
        Ok(Live { snapshots, closing })
    }

    /// The latest snapshot now, then every change.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshots.clone()
    }

    /// Resolves when the server is shutting down: event streams end then, so shutdown is not held up by
    /// connections that would otherwise stay open forever.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

async fn publish_changes(store: Store, publish: watch::Sender<Arc<Snapshot>>) {
    let changed = store.changes();
    loop {
        let _ = tokio::time::timeout(MAX_INTERVAL, changed.notified()).await;
        match tokio::try_join!(store.availability(), store.queue_counters()) {
            Ok((tiers, queues)) => {
                record_gauges(&tiers);
                publish.send_if_modified(|current| {
                    let differs = current.tiers != tiers || current.queues != queues;
                    if differs {
                        *current = Snapshot::new(tiers, queues);
                    }
                    differs
                });
            }
            Err(error) => tracing::warn!(%error, "could not read availability for live updates"),
        }
        tokio::time::sleep(MIN_INTERVAL).await;
    }
}

fn record_gauges(tiers: &[(i64, TierAvailability)]) {
    for (concert, tier) in tiers {
        metrics::gauge!("boxoffice_tickets_available", "concert" => concert.to_string(), "tier" => tier.tier.code())
            .set(tier.available);
    }
}
