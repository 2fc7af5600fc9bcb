//! Crash safety: under booking load the real server is killed with SIGKILL at a random instant and
//! restarted, three times in `make test` (`CRASH_CYCLES` sets more: `make soak` runs 20). Every booking answered 201 must be in the database afterwards, every
//! booking in it must have been requested, and conservation must hold.

use crate::helpers::{check_conservation, fresh_database, open_store_at, ServerProcess};
use rand::Rng;
use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

/// Kill-and-restart cycles: 3, or `CRASH_CYCLES`.
fn cycles() -> usize {
    std::env::var("CRASH_CYCLES").ok().and_then(|n| n.parse().ok()).unwrap_or(3)
}
const BUYERS: usize = 16;

#[derive(Default)]
struct Ledger {
    requested: HashSet<String>,
    acknowledged: HashSet<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_under_load_loses_no_acknowledged_booking() {
    let database = fresh_database().await;
    let database_url = database.url.clone();
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    let cycles = cycles();
    for cycle in 0..cycles {
        let mut server = ServerProcess::start(&database_url, "vip=10,front_row=10,general=1000000").await;
        let port = server.port;
        let stop = Arc::new(AtomicBool::new(false));
        let buyers: Vec<_> = (0..BUYERS)
            .map(|buyer| {
                let (ledger, stop) = (ledger.clone(), stop.clone());
                tokio::spawn(async move {
                    // A request caught by the kill must not wait forever for an answer that cannot come.
                    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let user = format!("c{cycle}-b{buyer}-{n}");
                        n += 1;
                        ledger.lock().unwrap().requested.insert(user.clone());
                        let body = serde_json::json!({"user_id": user, "tier": "general", "quantity": 1});
                        let sent = client.post(format!("http://127.0.0.1:{port}/api/bookings")).json(&body).send();
                        match sent.await {
                            Ok(response) if response.status() == 201 => {
                                if let Ok(booking) = response.json::<serde_json::Value>().await {
                                    let id = booking["id"].as_str().unwrap_or_default().to_owned();
                                    ledger.lock().unwrap().acknowledged.insert(id);
                                }
                            }
                            Ok(_) => {}
                            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                        }
                    }
                })
            })
            .collect();
        let instant = rand::rng().random_range(300..900);
        tokio::time::sleep(Duration::from_millis(instant)).await;
        server.child.kill().await.expect("SIGKILL");
        stop.store(true, Ordering::Relaxed);
        for buyer in buyers {
            buyer.await.unwrap();
        }
    }

    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let store = open_store_at(&database_url).await;
    assert!(ledger.acknowledged.len() > cycles, "the load booked something each cycle");
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT id, user_id FROM orders").fetch_all(store.pool()).await.unwrap();
    let stored_ids: HashSet<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
    let lost: Vec<_> = ledger.acknowledged.iter().filter(|id| !stored_ids.contains(id.as_str())).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged bookings lost, e.g. {:?}",
        lost.len(),
        lost.iter().take(3).collect::<Vec<_>>()
    );
    let unrequested: Vec<_> = stored.iter().filter(|(_, user)| !ledger.requested.contains(user)).collect();
    assert!(unrequested.is_empty(), "bookings nobody requested: {unrequested:?}");
    if let Err(broken) = check_conservation(&store).await {
        panic!("conservation broken after crashes: {broken}");
    }
}
