//! The catalog (every concert with its tiers) kept in memory between writes, so a page render or a
//! `GET /api/tickets` costs no database round trip while nothing changes.
//!
//! Every write batch that moves stock bumps the generation after it commits and before it answers anyone,
//! so whoever saw their write acknowledged reads it back. A read that raced a write is not kept: it is
//! stored only under the generation it started in. Holds that run out change availability without a
//! write, so an entry is kept only until the first running hold runs out (the page shows those tickets as
//! available at once, as the database read would), and never longer than [`MAX_AGE`].

use model::Concert;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// The longest an entry is served without a write having invalidated it.
pub const MAX_AGE: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct CatalogCache {
    generation: AtomicU64,
    entry: Mutex<Option<Entry>>,
    /// Held by the one read that refills an empty entry: the others wait for it instead of each reading
    /// the database at once (64 renders missing together each ran the whole read, and the page's rate
    /// fell from thousands a second to about a hundred).
    pub refill: tokio::sync::Mutex<()>,
    /// Reads of the catalog from the database, for `/metrics` and the test that keeps them single.
    pub reads: AtomicU64,
}

#[derive(Debug)]
struct Entry {
    generation: u64,
    valid_until: Instant,
    concerts: Arc<Vec<Concert>>,
}

impl CatalogCache {
    /// Called by the writer after a commit that changed the catalog.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation to pass to [`CatalogCache::keep`] for a read that starts now.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self) -> Option<Arc<Vec<Concert>>> {
        let entry = self.entry.lock().expect("the catalog cache is never poisoned: nothing panics holding it");
        entry
            .as_ref()
            .filter(|e| e.generation == self.generation() && Instant::now() < e.valid_until)
            .map(|e| e.concerts.clone())
    }

    /// Keeps `concerts`, read from the database starting at `generation` and `read_at`, unless a write came
    /// since, until `next_expiry` (the first running hold's) or [`MAX_AGE`], whichever is sooner.
    pub fn keep(&self, generation: u64, read_at: Instant, next_expiry: Option<Duration>, concerts: Arc<Vec<Concert>>) {
        let valid_until = read_at + next_expiry.map_or(MAX_AGE, |left| left.min(MAX_AGE));
        let mut entry = self.entry.lock().expect("the catalog cache is never poisoned: nothing panics holding it");
        if generation == self.generation() {
            *entry = Some(Entry { generation, valid_until, concerts });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_write_is_not_kept_and_entries_expire() {
        let cache = CatalogCache::default();
        let started = cache.generation();
        cache.invalidate(); // a write commits while the read is running
        cache.keep(started, Instant::now(), None, Arc::new(Vec::new()));
        assert!(cache.get().is_none(), "a read older than the last write must not be served");

        cache.keep(cache.generation(), Instant::now(), None, Arc::new(Vec::new()));
        assert!(cache.get().is_some());
        cache.invalidate();
        assert!(cache.get().is_none(), "a write invalidates the entry");

        cache.keep(cache.generation(), Instant::now(), Some(Duration::ZERO), Arc::new(Vec::new()));
        assert!(cache.get().is_none(), "an entry ends when the first running hold runs out");
    }
}
