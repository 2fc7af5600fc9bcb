//! Live availability for every open page: one `watch` channel holding the latest snapshot of every
//! concert's tiers, and of every waiting room's counters (how far admission has got, how many joined):
//! one broadcast per change however many pages wait, each page working out its own place from it.
//!
//! The store signals "something changed" after each commit; a single task coalesces those signals, reads
//! the catalog at most every [`FanOut::interval`] (and at least every [`MAX_INTERVAL`]), and publishes it if
//! it differs. So an open event stream costs one watch receiver, not a task or a query, however many buyers
//! watch a hot sale; and the interval grows with the number of open streams so that the frames all of them
//! are sent stay within a budget (by default ten a second each for 500 pages, one a second each for 5,000,
//! one every 5 s at most beyond 25,000): a busy sale's every booking would otherwise cost a frame — a
//! socket write — per page, and those writes are what the live feed costs (perf: `writev` a quarter of
//! the server's time with 5,000 streams at 20,000 frames/s).
//!
//! The streams are dealt into [`SHARDS`] groups, one `watch` channel each, and a change reaches the groups
//! one after another across the interval: woken all at once, 10,000 streams took both cores for a few
//! hundred milliseconds every interval, and every request arriving then waited (a queue join's p95 was
//! 434 ms in the flash-sale bench); a sixteenth of them at a time is a sixteenth of that stall.

use crate::store::{Store, StoreError};
use futures::FutureExt;
use model::{QueueCounters, TierAvailability};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::{
    sync::{watch, Notify},
    time::Instant,
};

/// At most ten updates a second reach a client.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// However many pages are open, each hears of a change within this.
pub const MAX_FAN_OUT_INTERVAL: Duration = Duration::from_secs(5);
/// Availability is read at least this often even without a signal: other processes' writes to the same
/// database (PostgreSQL notifies them, but a notification can be lost while the listener reconnects, and
/// several processes on one SQLite file have no notification at all) reach open pages within this.
pub const MAX_INTERVAL: Duration = Duration::from_secs(1);

/// The groups the open streams are dealt into, published in turn.
pub const SHARDS: usize = 16;

/// Every concert's availability, with each concert's JSON made once per change rather than once per open
/// stream.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    tiers: Vec<(i64, TierAvailability)>,
    json: HashMap<i64, Arc<str>>,
    queues: Vec<(i64, QueueCounters)>,
    queue_json: HashMap<i64, Arc<str>>,
    /// Each seated concert's seats, one letter each in plan order (`SeatStatus::letter`).
    seats: Vec<(i64, Arc<str>)>,
    /// Tickets sold per concert, by concert id.
    sold: Vec<(i64, i64)>,
}

impl Snapshot {
    fn new(read: Read) -> Arc<Snapshot> {
        let (tiers, queues, seats, sold) = read;
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
        let seats = seats.into_iter().map(|(concert, letters)| (concert, Arc::from(letters))).collect();
        Arc::new(Snapshot { tiers, json, queues, queue_json, seats, sold })
    }

    /// The concert's seats' states, a letter each in plan order; `None` without a plan.
    pub fn seats_of(&self, concert: i64) -> Option<Arc<str>> {
        self.seats.iter().find(|(c, _)| *c == concert).map(|(_, letters)| letters.clone())
    }

    /// The counters of the concert's waiting room as JSON; `None` without one.
    pub fn queue_json_of(&self, concert: i64) -> Option<Arc<str>> {
        self.queue_json.get(&concert).cloned()
    }

    /// What the operator's page follows of each concert: its availability and how many tickets it sold.
    pub fn sales_marks(&self) -> HashMap<i64, (Arc<str>, i64)> {
        self.json
            .iter()
            .map(|(id, json)| {
                let sold = self.sold.iter().find(|(concert, _)| concert == id).map_or(0, |(_, sold)| *sold);
                (*id, (json.clone(), sold))
            })
            .collect()
    }

    /// The concert's tiers as the JSON of `/api/concerts/{id}`'s `tiers`; `None` for an unknown concert.
    pub fn json_of(&self, concert: i64) -> Option<Arc<str>> {
        self.json.get(&concert).cloned()
    }
}

/// How many frames a second all open streams together may be sent.
#[derive(Debug, Clone, Copy)]
pub struct FanOut {
    pub frames_per_second: u32,
}

impl Default for FanOut {
    fn default() -> Self {
        FanOut { frames_per_second: 5_000 }
    }
}

impl FanOut {
    /// The pause between two publications with `streams` open: what keeps their frames within the budget,
    /// never below [`MIN_INTERVAL`] nor above [`MAX_FAN_OUT_INTERVAL`].
    pub fn interval(self, streams: usize) -> Duration {
        let budget = f64::from(self.frames_per_second.max(1));
        Duration::from_secs_f64(streams as f64 / budget).clamp(MIN_INTERVAL, MAX_FAN_OUT_INTERVAL)
    }
}

#[derive(Clone)]
pub struct Live {
    shards: Arc<[watch::Receiver<Arc<Snapshot>>]>,
    /// The next stream's group.
    dealt: Arc<AtomicUsize>,
    closing: watch::Sender<bool>,
    streams: Arc<AtomicUsize>,
    frames: metrics::Counter,
}

/// An open event stream, counted while it lives.
pub struct OpenStream {
    streams: Arc<AtomicUsize>,
    frames: metrics::Counter,
}

impl OpenStream {
    /// Counts a frame sent on this stream.
    pub fn sent(&self, frames: u64) {
        self.frames.increment(frames);
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.streams.fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("boxoffice_event_streams_open").decrement(1.0);
    }
}

impl Live {
    /// Reads the current catalog and starts the task that keeps it current, within the default budget.
    pub async fn start(store: Store) -> Result<Live, StoreError> {
        Live::start_with(store, FanOut::default()).await
    }

    /// [`Live::start`] with a budget of frames.
    pub async fn start_with(store: Store, fan_out: FanOut) -> Result<Live, StoreError> {
        let (tiers, sold) = store.availability().await?;
        let queues = store.queue_counters().await?;
        let seats = store.seat_letters().await?;
        // The gauges are there from the first scrape, not only once something has changed (the recorder
        // is installed first, or they would go nowhere).
        crate::observability::metrics();
        record_gauges(&tiers);
        let first = Snapshot::new((tiers, queues, seats, sold));
        let (publishers, shards): (Vec<_>, Vec<_>) = (0..SHARDS).map(|_| watch::channel(first.clone())).unzip();
        let streams = Arc::new(AtomicUsize::new(0));
        let changes = store.changes();
        let read = move || {
            let store = store.clone();
            async move {
                let ((tiers, sold), queues, seats) =
                    tokio::try_join!(store.availability(), store.queue_counters(), store.seat_letters())?;
                Ok((tiers, queues, seats, sold))
            }
        };
        tokio::spawn(publish_changes(changes, read, publishers, fan_out, streams.clone()));
        let (closing, _) = watch::channel(false);
        Ok(Live {
            shards: shards.into(),
            dealt: Arc::default(),
            closing,
            streams,
            frames: metrics::counter!("boxoffice_live_frames_total"),
        })
    }

    /// Counts a new event stream (until the answer is dropped): the fan-out budget divides by them.
    pub fn open_stream(&self) -> OpenStream {
        self.streams.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("boxoffice_event_streams_open").increment(1.0);
        OpenStream { streams: self.streams.clone(), frames: self.frames.clone() }
    }

    /// The latest snapshot now, then every change, on the next group in turn.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.shards[self.dealt.fetch_add(1, Ordering::Relaxed) % SHARDS].clone()
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

type Read = (Vec<(i64, TierAvailability)>, Vec<(i64, QueueCounters)>, Vec<(i64, String)>, Vec<(i64, i64)>);

/// The live task: on each change (or every [`MAX_INTERVAL`]) reads the catalog, and deals it to the
/// groups one after another, a step of the interval apart, so that each group hears at most once an
/// interval and the groups' writes do not all fall at one moment. A change signalled while the groups are
/// dealt is read again (at most every [`MIN_INTERVAL`]) for the groups not dealt yet.
async fn publish_changes<R, F>(
    changed: Arc<Notify>,
    mut read: R,
    shards: Vec<watch::Sender<Arc<Snapshot>>>,
    fan_out: FanOut,
    streams: Arc<AtomicUsize>,
) where
    R: FnMut() -> F,
    F: std::future::Future<Output = Result<Read, StoreError>>,
{
    let mut latest = shards[0].borrow().clone();
    let mut next = 0;
    loop {
        // A group dealt before a change read mid-round is behind: the next round starts at once for it.
        let behind = shards.iter().any(|shard| !Arc::ptr_eq(&shard.borrow(), &latest));
        if !behind {
            let _ = tokio::time::timeout(MAX_INTERVAL, changed.notified()).await;
        }
        latest = read_latest(&mut read, latest).await;
        let mut read_at = Instant::now();
        let interval = fan_out.interval(streams.load(Ordering::Relaxed));
        metrics::gauge!("boxoffice_live_interval_seconds").set(interval.as_secs_f64());
        let step = interval / SHARDS as u32;
        for _ in 0..SHARDS {
            if read_at.elapsed() >= MIN_INTERVAL && changed.notified().now_or_never().is_some() {
                latest = read_latest(&mut read, latest).await;
                read_at = Instant::now();
            }
            shards[next].send_if_modified(|current| {
                let behind = !Arc::ptr_eq(current, &latest);
                if behind {
                    *current = latest.clone();
                }
                behind
            });
            next = (next + 1) % SHARDS;
            tokio::time::sleep(step).await;
        }
    }
}

/// The catalog as it is now: a new snapshot if it differs from `latest`, else `latest` itself.
async fn read_latest<R, F>(read: &mut R, latest: Arc<Snapshot>) -> Arc<Snapshot>
where
    R: FnMut() -> F,
    F: std::future::Future<Output = Result<Read, StoreError>>,
{
    match read().await {
        Ok((tiers, queues, seats, sold)) => {
            record_gauges(&tiers);
            let same_seats = latest.seats.len() == seats.len()
                && latest.seats.iter().zip(&seats).all(|((a, x), (b, y))| a == b && **x == **y);
            if latest.tiers != tiers || latest.queues != queues || !same_seats || latest.sold != sold {
                Snapshot::new((tiers, queues, seats, sold))
            } else {
                latest
            }
        }
        Err(error) => {
            tracing::warn!(%error, "could not read availability for live updates");
            latest
        }
    }
}

fn record_gauges(tiers: &[(i64, TierAvailability)]) {
    for (concert, tier) in tiers {
        metrics::gauge!("boxoffice_tickets_available", "concert" => concert.to_string(), "tier" => tier.tier.code())
            .set(tier.available);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn tier(available: u32) -> Vec<(i64, TierAvailability)> {
        let (name, price_cents) = ("General Admission".to_owned(), model::Cents(1_000));
        let tier = TierAvailability {
            tier: model::Tier::General,
            name,
            price_cents,
            capacity: 100,
            available,
            on_sale: true,
            seated: false,
            waiting: 0,
        };
        vec![(1, tier)]
    }

    /// A live task over a catalog of one tier with `available` tickets, its groups, and its change signal:
    /// 32 streams within 16 frames a second, an interval of 2 s, a step of 125 ms; settled (3 s on).
    async fn settled_feed() -> (Arc<Mutex<u32>>, Arc<Notify>, Vec<watch::Receiver<Arc<Snapshot>>>) {
        let available = Arc::new(Mutex::new(100));
        let read = {
            let available = available.clone();
            move || {
                let now = *available.lock().unwrap();
                async move { Ok((tier(now), Vec::new(), Vec::new(), Vec::new())) }
            }
        };
        let first = Snapshot::new((tier(100), Vec::new(), Vec::new(), Vec::new()));
        let (publishers, shards): (Vec<_>, Vec<_>) = (0..SHARDS).map(|_| watch::channel(first.clone())).unzip();
        let changed = Arc::new(Notify::new());
        let (fan_out, streams) = (FanOut { frames_per_second: 16 }, Arc::new(AtomicUsize::new(32)));
        tokio::spawn(publish_changes(changed.clone(), read, publishers, fan_out, streams));
        tokio::time::sleep(Duration::from_millis(3_000)).await;
        (available, changed, shards)
    }

    /// The guard against one stall per interval: a change reaches the groups one after another, a step
    /// apart, every group within the interval, none twice.
    #[tokio::test(start_paused = true)]
    async fn a_change_reaches_the_groups_one_after_another_across_the_interval() {
        let (available, changed, mut shards) = settled_feed().await;

        *available.lock().unwrap() = 99;
        changed.notify_one();
        let started = Instant::now();
        let mut heard = Vec::new();
        for shard in &mut shards {
            shard.mark_unchanged();
        }
        while heard.len() < SHARDS && started.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            for (group, shard) in shards.iter_mut().enumerate() {
                if shard.has_changed().unwrap() {
                    let snapshot = shard.borrow_and_update().clone();
                    assert_eq!(snapshot.tiers, tier(99));
                    heard.push((group, started.elapsed()));
                }
            }
        }
        assert_eq!(heard.len(), SHARDS, "every group hears the change: {heard:?}");
        let groups: std::collections::BTreeSet<usize> = heard.iter().map(|(group, _)| *group).collect();
        assert_eq!(groups.len(), SHARDS, "each group once: {heard:?}");
        for pair in heard.windows(2) {
            let gap = pair[1].1 - pair[0].1;
            assert!(gap >= Duration::from_millis(100), "two groups heard {gap:?} apart: {heard:?}");
        }
        assert!(heard.last().unwrap().1 <= Duration::from_millis(2_000 + 130), "all within an interval: {heard:?}");
    }

    /// A second change read in the middle of a round reaches the groups dealt before it in the next round,
    /// not a quiet second later (a pause then a resume left pages showing "not on sale").
    #[tokio::test(start_paused = true)]
    async fn a_change_read_mid_round_reaches_the_groups_dealt_before_it_next_round() {
        let (available, changed, shards) = settled_feed().await;

        *available.lock().unwrap() = 99;
        changed.notify_one();
        tokio::time::sleep(Duration::from_millis(150)).await;
        *available.lock().unwrap() = 98;
        changed.notify_one();
        // The first round ends 2 s after the first change; the next deals the groups behind first, a step apart.
        tokio::time::sleep(Duration::from_millis(2_000 - 150 + 2 * 125 + 20)).await;
        for (group, shard) in shards.iter().enumerate() {
            assert_eq!(shard.borrow().tiers, tier(98), "group {group} still shows an older change");
        }
    }

    #[test]
    fn the_interval_keeps_every_streams_frames_within_the_budget() {
        let fan_out = FanOut { frames_per_second: 20_000 };
        assert_eq!(fan_out.interval(0), MIN_INTERVAL, "ten a second at most, however few watch");
        assert_eq!(fan_out.interval(300), MIN_INTERVAL);
        assert_eq!(fan_out.interval(5_000), Duration::from_millis(250));
        assert_eq!(fan_out.interval(50_000), Duration::from_millis(2_500));
        assert_eq!(fan_out.interval(10_000_000), MAX_FAN_OUT_INTERVAL, "and each hears within a few seconds");
        for streams in [1, 300, 2_000, 5_000, 50_000] {
            let per_second = streams as f64 / fan_out.interval(streams).as_secs_f64();
            assert!(per_second <= 20_000.0 + 1e-6, "{streams} streams: {per_second} frames/s");
        }
    }
}
