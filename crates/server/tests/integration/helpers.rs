//! Test set-up in one place: a fresh database per test, the real app on a random port, and the
//! conservation check every test ends with.

use leptos::prelude::LeptosOptions;
use model::{Capacities, Tier};
use server::{build_router, live::Live, AppState, Store};
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
    _dir: TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(&body).send().await.expect("request reaches the server")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request reaches the server")
    }
}

/// A store on a new database file in a temporary folder (kept alive by the returned guard).
pub async fn fresh_store(capacities: Capacities) -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}/boxoffice.db", dir.path().display());
    let store = Store::open(&url, capacities).await.expect("the store opens");
    (store, dir)
}

/// A store on an existing database file (opened after another process wrote it).
pub async fn open_store_at(url: &str) -> Store {
    Store::open(url, Capacities::default()).await.expect("the store opens")
}

pub async fn spawn_app(capacities: Capacities) -> TestApp {
    let (store, dir) = fresh_store(capacities).await;
    let leptos_options = LeptosOptions::builder().output_name("boxoffice").build();
    let live = Live::start(store.clone()).await.expect("live availability starts");
    let router = build_router(AppState { leptos_options, store: store.clone(), live: live.clone() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("server runs") });
    TestApp { base, store, client: reqwest::Client::new(), _dir: dir }
}

pub fn capacities(vip: u32, front_row: u32, general: u32) -> Capacities {
    Capacities { vip, front_row, general }
}

/// One tier's counters, read straight from the database and independently of each other.
#[derive(Debug, PartialEq, Eq)]
pub struct TierCounts {
    pub capacity: i64,
    pub sold: i64,
    pub booked_rows: i64,
    pub booked_quantity: i64,
}

pub async fn tier_counts(store: &Store, tier: Tier) -> TierCounts {
    let (capacity, sold): (i64, i64) =
        sqlx::query_as("SELECT capacity, sold FROM tiers WHERE event_id = ? AND tier = ?")
            .bind(store.default_event_id())
            .bind(tier.code())
            .fetch_one(store.pool())
            .await
            .expect("tier row");
    let (booked_rows, booked_quantity): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(quantity), 0) FROM bookings WHERE event_id = ? AND tier = ?")
            .bind(store.default_event_id())
            .bind(tier.code())
            .fetch_one(store.pool())
            .await
            .expect("booking sums");
    TierCounts { capacity, sold, booked_rows, booked_quantity }
}

/// `sold + available == capacity` for every tier, where `sold` is what the booking rows add up to and
/// `available` what the store reports: the two are computed independently, so a lost update shows.
pub async fn check_conservation(store: &Store) -> Result<(), String> {
    for availability in store.tiers().await.map_err(|e| e.to_string())? {
        let counts = tier_counts(store, availability.tier).await;
        let available = i64::from(availability.available);
        if counts.booked_quantity + available != counts.capacity || counts.sold != counts.booked_quantity {
            return Err(format!(
                "{}: booked {} + available {available} != capacity {} (counter says sold {})",
                availability.tier, counts.booked_quantity, counts.capacity, counts.sold
            ));
        }
    }
    Ok(())
}

pub async fn assert_conserved(store: &Store) {
    if let Err(broken) = check_conservation(store).await {
        panic!("conservation broken: {broken}");
    }
}
