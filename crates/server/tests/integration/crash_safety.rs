//! Crash safety: under booking load the real server is killed with SIGKILL at a random instant and
//! restarted, three times in `make test` (`CRASH_CYCLES` sets more: `make soak` runs 20). Every booking answered 201 must be in the database afterwards, every
//! booking in it must have been requested, and conservation must hold. Every order has its confirmation
//! mail queued (the same transaction), and every mail goes out after the restarts, none lost to a kill.

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
                        let user = format!("c{cycle}-b{buyer}-{n}@example.org");
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
    let unmailed: Vec<(String, i64)> = sqlx::query_as(
        "SELECT o.id, COUNT(m.id) FROM orders o LEFT JOIN outbox m ON m.order_id = o.id AND m.kind = 'order_confirmed'
         GROUP BY o.id HAVING COUNT(m.id) <> 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(unmailed.is_empty(), "orders without exactly one confirmation mail: {unmailed:?}");
    // A sender killed mid-delivery leaves its row claimed until the lease runs out; then it goes out.
    let dir = tempfile::tempdir().unwrap();
    let files = server::mail::MailSettings::new(
        server::mail::Transport::new(None, dir.path().to_owned()).unwrap(),
        "Boxoffice <tickets@shop.test>",
        "http://127.0.0.1:3000",
    )
    .unwrap();
    let after_lease = || chrono::Utc::now() + chrono::Duration::seconds(model::mail::SENDING_LEASE_SECONDS + 1);
    server::mail::deliver_due(&store, &files, after_lease).await.unwrap();
    let unsent: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'").fetch_one(store.pool()).await.unwrap();
    assert_eq!(unsent, 0, "every mail queued before a kill is delivered after it");
}
