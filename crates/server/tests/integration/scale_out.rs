//! Several instances, one database: three server processes share one database (a PostgreSQL database in
//! `make test`'s PostgreSQL pass, one SQLite file in the other) and sell one tier between them. Each
//! process has its own writer, read pool, catalog cache and live feed, so only the database's own
//! guarantees (row locks and conditional updates; SQLite's single write lock) keep the count right.

use crate::helpers::{
    check_conservation, fresh_database, json_of, next_event, open_store_at, tier_counts, ServerProcess,
};
use model::Tier;
use serde_json::{json, Value};
use std::{collections::HashSet, sync::Arc, time::Duration};
use tokio::sync::Barrier;

const SEATS: usize = 50;
const BUYERS: usize = 300;

/// Three server processes on the database at `url`. On PostgreSQL all three start at once on the empty
/// database (migrations under an advisory lock, one seeds the default concert); three processes on one new
/// SQLite file start one after another.
pub(crate) async fn start_three(url: &str, capacity: &str) -> Vec<ServerProcess> {
    start_three_with(url, capacity, &[]).await
}

/// [`start_three`] with more environment for each.
pub(crate) async fn start_three_with(url: &str, capacity: &str, env: &[(&str, &str)]) -> Vec<ServerProcess> {
    if url.starts_with("postgres") {
        let (a, b, c) = tokio::join!(
            ServerProcess::start_with(url, capacity, env, None),
            ServerProcess::start_with(url, capacity, env, None),
            ServerProcess::start_with(url, capacity, env, None)
        );
        vec![a, b, c]
    } else {
        let mut instances = Vec::new();
        for _ in 0..3 {
            instances.push(ServerProcess::start_with(url, capacity, env, None).await);
        }
        instances
    }
}

async fn available(client: &reqwest::Client, instance: &ServerProcess, tier: usize) -> u64 {
    let tiers: Value = client.get(instance.url("/api/tickets")).send().await.unwrap().json().await.unwrap();
    tiers[tier]["available"].as_u64().expect("availability")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_one_database_sell_each_ticket_once() {
    let database = fresh_database().await;
    let url = database.url.clone();
    let instances = start_three(&url, &format!("vip=10,front_row=10,general={SEATS}")).await;
    let instances = Arc::new(instances);
    let client = reqwest::Client::new();

    // Buyers spread over the three instances, released together.
    let barrier = Arc::new(Barrier::new(BUYERS));
    let buyers: Vec<_> = (0..BUYERS)
        .map(|buyer| {
            let (instances, barrier, client) = (instances.clone(), barrier.clone(), client.clone());
            tokio::spawn(async move {
                let body = json!({ "user_id": format!("buyer-{buyer}"), "tier": "general", "quantity": 1 });
                barrier.wait().await;
                let answer = client.post(instances[buyer % 3].url("/api/bookings")).json(&body).send().await.unwrap();
                let status = answer.status().as_u16();
                let body: Value = answer.json().await.unwrap();
                (status, body["id"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut booked = HashSet::new();
    let mut by_instance = [0; 3];
    let mut sold_out = 0;
    for (buyer, task) in buyers.into_iter().enumerate() {
        match task.await.unwrap() {
            (201, Some(id)) => {
                booked.insert(id);
                by_instance[buyer % 3] += 1;
            }
            (409, _) => sold_out += 1,
            other => panic!("buyer {buyer}: neither booked nor sold out: {other:?}"),
        }
    }
    assert_eq!((booked.len(), sold_out), (SEATS, BUYERS - SEATS), "sales per instance: {by_instance:?}");

    let store = open_store_at(&url).await;
    let counts = tier_counts(&store, Tier::General).await;
    assert_eq!((counts.sold, counts.booked_rows), (SEATS as i64, SEATS as i64), "{counts:?}");
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT id FROM orders WHERE tier = 'general'").fetch_all(store.pool()).await.unwrap();
    assert_eq!(stored.into_iter().collect::<HashSet<_>>(), booked, "the orders stored are the ones answered 201");

    // A hold made on one instance is paid on another and shown by the third.
    let hold_body = json!({ "tier": "vip", "quantity": 2, "name": "Ada", "email": "ada@example.org" });
    let hold = json_of(client.post(instances[0].url("/api/holds")).json(&hold_body)).await;
    let hold_id = hold["id"].as_str().expect("a hold");
    let paid = client
        .post(instances[1].url(&format!("/api/holds/{hold_id}/payment")))
        .json(&json!({ "card_number": "4242 4242 4242 4242", "expiry": "12/35", "cvc": "123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 201, "{:?}", paid.text().await);
    let shown: Value =
        client.get(instances[2].url(&format!("/api/holds/{hold_id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(shown["status"], "paid", "{shown}");

    // An open event stream on one instance hears of sales on the others, and every instance shows the same
    // availability soon after a sale on one of them.
    let mut stream = client.get(instances[2].url("/api/events")).send().await.unwrap();
    vip_event(&mut stream, 8).await;
    let sale = client
        .post(instances[0].url("/api/bookings"))
        .json(&json!({ "user_id": "late", "tier": "vip", "quantity": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(sale.status(), 201);
    vip_event(&mut stream, 5).await;
    for instance in instances.iter() {
        let mut shown = 0;
        for _ in 0..20 {
            shown = available(&client, instance, 0).await;
            if shown == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, 5, "VIP availability on the instance at port {} after 2 s", instance.port);
    }
    if let Err(broken) = check_conservation(&store).await {
        panic!("conservation broken across instances: {broken}");
    }
}

/// Waits (3 s at most) for an event on `stream` that shows `available` VIP tickets. The first event is the
/// instance's snapshot at connect time, which may be a moment older than another instance's last commit.
async fn vip_event(stream: &mut reqwest::Response, available: u64) {
    let wait = async {
        loop {
            if next_event(stream).await[0]["available"].as_u64() == Some(available) {
                return;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(3), wait)
        .await
        .unwrap_or_else(|_| panic!("no event with {available} VIP tickets within 3 s"));
}

/// Sends one request to each instance at the same moment; returns each (status, body).
async fn at_once(
    client: &reqwest::Client,
    instances: &[ServerProcess],
    path: &str,
    body: Value,
    key: Option<&str>,
) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(instances.len()));
    let sends: Vec<_> = instances
        .iter()
        .map(|instance| {
            let mut request = client.post(instance.url(path)).json(&body);
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let answer = request.send().await.unwrap();
                (answer.status().as_u16(), answer.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    answers
}

fn statuses(answers: &[(u16, Value)]) -> Vec<u16> {
    let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    statuses.sort_unstable();
    statuses
}

/// A buyer's holds over their limit, the same hold (one idempotency key), the same payment and the same
/// cancellation, each sent to all three instances at once, several rounds: each is decided once, whichever
/// instance's writer gets there first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_racing_on_one_buyer_one_key_one_hold_and_one_order_decide_each_once() {
    let database = fresh_database().await;
    let url = database.url.clone();
    let instances = start_three(&url, "vip=50,front_row=10,general=10").await;
    let client = reqwest::Client::new();
    for round in 0..5 {
        // One buyer asks each instance for 3 VIP tickets at once; VIP allows 4 a buyer (the default).
        let greedy = json!({ "tier": "vip", "quantity": 3, "name": "Bo", "email": format!("bo{round}@example.org") });
        let limited = at_once(&client, &instances, "/api/holds", greedy, None).await;
        assert_eq!(statuses(&limited), vec![201, 409, 409], "round {round}: the buyer limit holds: {limited:?}");

        let hold = json!({ "tier": "vip", "quantity": 2, "name": "Ada", "email": "ada@example.org" });
        let held = at_once(&client, &instances, "/api/holds", hold, Some(&format!("hold-{round}"))).await;
        let ids: HashSet<&str> = held.iter().filter_map(|(_, hold)| hold["id"].as_str()).collect();
        assert_eq!((statuses(&held), ids.len()), (vec![201; 3], 1), "round {round}: one hold, replayed: {held:?}");
        let hold_id = ids.into_iter().next().unwrap();

        let card = json!({ "card_number": "4242 4242 4242 4242", "expiry": "12/35", "cvc": "123" });
        let paid = at_once(&client, &instances, &format!("/api/holds/{hold_id}/payment"), card, None).await;
        assert_eq!(statuses(&paid), vec![201, 409, 409], "round {round}: paid once: {paid:?}");
        let order = &paid.iter().find(|(status, _)| *status == 201).unwrap().1;
        let (code, secret) = (order["code"].as_str().unwrap(), order["secret"].as_str().unwrap());

        let cancelled =
            at_once(&client, &instances, &format!("/api/orders/{code}/{secret}/cancel"), json!({}), None).await;
        assert_eq!(statuses(&cancelled), vec![200, 409, 409], "round {round}: cancelled once: {cancelled:?}");
    }
    let store = open_store_at(&url).await;
    let holds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM holds").fetch_one(store.pool()).await.unwrap();
    let charges: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE kind = 'charge'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let refunds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE kind = 'refund'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!((holds, charges, refunds), (10, 5, 5), "two holds, one charge and one refund a round");
    let vip = tier_counts(&store, Tier::Vip).await;
    assert_eq!((vip.sold, vip.held), (0, 15), "every order was cancelled once; each buyer holds 3: {vip:?}");
    if let Err(broken) = check_conservation(&store).await {
        panic!("conservation broken across instances: {broken}");
    }
}
