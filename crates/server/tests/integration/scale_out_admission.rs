//! The waiting room on three instances, one database: one instance leads the admission job at a time (a
//! PostgreSQL advisory lock), admission runs at the room's rate whichever instance ticks, and when the
//! leader dies another takes over and admission goes on.

use crate::helpers::{fresh_database, json_of, ServerProcess, ADMIN_TOKEN};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// Visitors admitted per minute: one a second.
const RATE: i64 = 60;
const VISITORS: usize = 40;

async fn instance(url: &str) -> ServerProcess {
    ServerProcess::start_with(url, "vip=5,front_row=5,general=5", &[("BOXOFFICE_ADMIN_TOKEN", ADMIN_TOKEN)], None).await
}

/// Whether `instance` says it leads the admission job, from its `/metrics`.
async fn leads(client: &reqwest::Client, instance: &ServerProcess) -> bool {
    let text = client.get(instance.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let line = text.lines().find(|line| line.starts_with("boxoffice_admission_leader ")).expect("the leader gauge");
    line.ends_with(" 1")
}

async fn admitted_through(client: &reqwest::Client, instance: &ServerProcess, concert: i64, visitor: &str) -> i64 {
    let shown = json_of(client.get(instance.url(&format!("/api/concerts/{concert}/queue/{visitor}")))).await;
    shown["admitted_through"].as_i64().unwrap_or_else(|| panic!("{shown}"))
}

/// The most admission at `RATE` may have admitted by now (rounded up, one tick's worth of slack).
fn at_most(opens: DateTime<Utc>) -> i64 {
    ((Utc::now() - opens).num_milliseconds() * RATE + 59_999) / 60_000 + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_admit_at_the_rooms_rate_one_leading_and_another_taking_over() {
    let database = fresh_database().await;
    let postgres = database.url.starts_with("postgres");
    let mut instances =
        vec![instance(&database.url).await, instance(&database.url).await, instance(&database.url).await];
    let client = reqwest::Client::new();

    let opens = Utc::now() + Duration::seconds(2);
    let body = json!({
        "name": "Queue Night", "venue": "Blue Hall",
        "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "sales_open_at": opens.to_rfc3339(),
        "waiting_room": { "enabled": true, "rate_per_minute": RATE, "prequeue_minutes": 5, "window_minutes": 10 },
        "tiers": [{ "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let created =
        json_of(client.post(instances[0].url("/api/admin/concerts")).bearer_auth(ADMIN_TOKEN).json(&body)).await;
    let concert = created["id"].as_i64().unwrap_or_else(|| panic!("{created}"));
    let mut visitors = Vec::new();
    for n in 0..VISITORS {
        let joined = client.post(instances[n % 3].url(&format!("/api/concerts/{concert}/queue"))).send().await.unwrap();
        assert_eq!(joined.status(), 201);
        visitors.push(joined.json::<Value>().await.unwrap()["visitor"].as_str().unwrap().to_owned());
    }

    tokio::time::sleep((opens + Duration::seconds(4) - Utc::now()).to_std().unwrap_or_default()).await;
    let leaders: Vec<bool> = futures::future::join_all(instances.iter().map(|i| leads(&client, i))).await;
    if postgres {
        assert_eq!(leaders.iter().filter(|l| **l).count(), 1, "exactly one instance leads: {leaders:?}");
    } else {
        assert!(leaders.iter().all(|l| *l), "on SQLite each process admits under the file's write lock");
    }
    let now = admitted_through(&client, &instances[1], concert, &visitors[0]).await;
    assert!((2..=at_most(opens)).contains(&now), "4 s after the opening at 1/s, three instances admitted {now}");

    // The leader dies; another instance takes the lead and admission goes on at the same rate.
    let leader = leaders.iter().position(|l| *l).unwrap();
    drop(instances.remove(leader));
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    let leaders: Vec<bool> = futures::future::join_all(instances.iter().map(|i| leads(&client, i))).await;
    assert_eq!(leaders.iter().filter(|l| **l).count(), if postgres { 1 } else { 2 }, "{leaders:?}");
    let later = admitted_through(&client, &instances[0], concert, &visitors[0]).await;
    assert!(later > now && later <= at_most(opens), "admission went on after the leader died: {now} then {later}");
}
