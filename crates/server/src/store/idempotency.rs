//! Idempotency keys, as pretix's and Stripe's APIs have them: a client that retries a request with the same
//! `Idempotency-Key` gets the first answer again instead of a second hold or a second charge.
//!
//! The stored answer is written in the same transaction as the step it answers, so a key is either
//! remembered with its committed effect or not at all (a crash between the two cannot leave one without the
//! other). Keys are kept for [`KEEP_KEYS`]. Requests with the same key that are still running are refused by
//! the in-process [`InFlight`] set before they reach the writer.

use super::db::Conn;
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How long a key is remembered.
pub const KEEP_KEYS: Duration = Duration::from_secs(24 * 60 * 60);

/// A client's key for one operation, with a fingerprint of what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    /// The kind of request (`hold`, `pay`, `cancel`, `book`; the page's `page:hold`, …). A key names one
    /// request across the whole API: the same key for another kind of request is refused (422).
    pub scope: &'static str,
    pub key: String,
    /// What the request asked, so the same key with a different request is refused rather than replayed.
    pub fingerprint: String,
}

pub(super) async fn forget_old(tx: &mut Conn, now_ms: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms - KEEP_KEYS.as_millis() as i64;
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at_ms < $1")
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected())
}

/// Keys whose request is being processed right now, in this process.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<String>>>);

/// Holds a key as in flight until dropped.
#[derive(Debug)]
pub struct InFlightGuard {
    set: InFlight,
    entry: String,
}

impl InFlight {
    /// Claims `key`, or `None` if a request with it is still running.
    pub fn claim(&self, key: &IdempotencyKey) -> Option<InFlightGuard> {
        // By the key alone: a key is one request's whatever its scope.
        let entry = key.key.clone();
        let mut set = self.0.lock().expect("the in-flight set is never poisoned: no code panics holding it");
        set.insert(entry.clone()).then(|| InFlightGuard { set: self.clone(), entry })
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.0.lock() {
            set.remove(&self.entry);
        }
    }
}
