//! The flash sale, end to end: `pages` pages follow the concert's live feed, then `buyers` buyers arrive
//! open-loop at `rate` a second from the opening. Each joins the waiting room, waits for its turn (as the
//! page does, from the room's broadcast counter: one event stream here stands for every waiting page),
//! fetches its pass, holds 1–4 VIP tickets with a key and pays; every tenth then tries two more, which the
//! per-buyer limit of 4 must refuse when it would go over. The stock is smaller than the demand, so the
//! sale sells out.
//!
//! Each step's latency is measured from when it was due: the join from the buyer's scheduled arrival (so a
//! generator or server falling behind shows), the hold from the admission, the payment from the hold's
//! answer.

use futures::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{sync::watch, time::Instant};

#[derive(Debug, Clone, Copy)]
pub struct FlashSale {
    pub pages: usize,
    pub buyers: usize,
    /// Buyers arriving per second.
    pub rate: f64,
    /// VIP tickets on sale (fewer than the buyers ask for).
    pub capacity: u32,
    /// Visitors the waiting room admits per minute.
    pub admit_per_minute: u32,
}

/// What became of one buyer.
#[derive(Debug, Default)]
struct Buyer {
    join_ms: Option<f64>,
    /// From the scheduled arrival to the generator sending the join: its own lag, not the server's.
    sent_late_ms: Option<f64>,
    wait_ms: Option<f64>,
    hold_ms: Option<f64>,
    pay_ms: Option<f64>,
    bought: u32,
    sold_out: bool,
    /// A second hold that would have gone over the limit and was not refused.
    over_limit: bool,
    /// What went wrong, if anything did.
    error: Option<String>,
}

pub struct Step {
    pub name: &'static str,
    pub count: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

pub struct FlashReport {
    pub steps: Vec<Step>,
    pub buyers: usize,
    pub answered: usize,
    pub bought_tickets: u64,
    pub sold_out_answers: usize,
    pub errors: Vec<String>,
    pub elapsed: Duration,
    pub admitted_per_second: f64,
    pub sales_per_second: f64,
    pub sold_out_after: Option<Duration>,
    /// The store's own figures afterwards.
    pub sold: u64,
    pub held: u64,
    pub available: u64,
    pub over_limit: usize,
    /// The server's own view of the join (`/metrics`): the share answered within each bucket, in seconds.
    pub server_join_within: Vec<(f64, f64)>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds")
}

fn step(name: &'static str, values: impl Iterator<Item = f64>) -> Step {
    let mut h = histogram();
    for ms in values {
        let _ = h.record((ms * 1000.0).max(1.0) as u64);
    }
    let at = |q| h.value_at_quantile(q) as f64 / 1000.0;
    Step { name, count: h.len(), p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99) }
}

/// Sends `request`; its status and JSON body.
async fn answer(request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.map_err(|e| e.to_string())?))
}

fn ms_since(at: Instant) -> f64 {
    at.elapsed().as_secs_f64() * 1000.0
}

pub async fn run(addr: SocketAddr, admin_token: &str, how: FlashSale) -> Result<FlashReport, String> {
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(2_048)
        // Below the server's 10 s header timeout: a connection it is about to close is never reused.
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let opens_in = Duration::from_secs(8) + Duration::from_millis((how.pages / 2) as u64);
    let opens_at = chrono::Utc::now() + chrono::Duration::from_std(opens_in).expect("seconds");
    let body = json!({
        "name": "Flash Sale", "venue": "Bench Hall",
        "starts_at": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
        "sales_open_at": opens_at.to_rfc3339(),
        "waiting_room": { "enabled": true, "rate_per_minute": how.admit_per_minute, "prequeue_minutes": 30, "window_minutes": 10 },
        "tiers": [{ "tier": "vip", "price_cents": 10_000, "capacity": how.capacity }]
    });
    let (_, created) =
        answer(client.post(format!("{base}/api/admin/concerts")).bearer_auth(admin_token).json(&body)).await?;
    let concert = created["id"].as_i64().ok_or_else(|| format!("no concert: {created}"))?;
    let opening = Instant::now() + opens_in;

    let pages = crate::load::open_event_streams(addr, &format!("/api/events?concert={concert}"), how.pages).await;
    let admitted = follow_admission(&client, &base, concert).await?;
    tokio::time::sleep_until(opening).await;

    let sold_out_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    let mut buyers = Vec::with_capacity(how.buyers);
    let started = Instant::now();
    for n in 0..how.buyers {
        let due = opening + Duration::from_secs_f64(n as f64 / how.rate);
        tokio::time::sleep_until(due).await;
        let (client, base, admitted, sold_out_at) =
            (client.clone(), base.clone(), admitted.clone(), sold_out_at.clone());
        buyers.push(tokio::spawn(async move {
            let mut buyer = Buyer::default();
            if let Err(error) = buy(&client, &base, concert, n, due, admitted, &sold_out_at, &mut buyer).await {
                buyer.error = Some(error);
            }
            buyer
        }));
    }
    let mut done = Vec::with_capacity(how.buyers);
    for buyer in buyers {
        done.push(buyer.await.map_err(|e| e.to_string())?);
    }
    let elapsed = started.elapsed();
    for page in pages {
        page.abort();
    }

    let (_, sales) =
        answer(client.get(format!("{base}/api/admin/sales?concert={concert}")).bearer_auth(admin_token)).await?;
    let sales = sales.as_array().cloned().unwrap_or_default();
    let figure = |name: &str| sales.iter().map(|t| t[name].as_u64().unwrap_or(0)).sum::<u64>();
    let bought_tickets: u64 = done.iter().map(|b| u64::from(b.bought)).sum();
    let last_admitted = *admitted.borrow();
    let metrics = client.get(format!("{base}/metrics")).send().await.map_err(|e| e.to_string())?;
    let metrics = metrics.text().await.map_err(|e| e.to_string())?;
    let sold_out_after = sold_out_at.lock().expect("not poisoned").map(|at| at.duration_since(opening));
    Ok(FlashReport {
        steps: vec![
            step("join the queue (from the scheduled arrival)", done.iter().filter_map(|b| b.join_ms)),
            step("…of which the generator's lag before sending", done.iter().filter_map(|b| b.sent_late_ms)),
            step("wait for the turn", done.iter().filter_map(|b| b.wait_ms)),
            step("hold 1–4 VIP, with a key and the pass (from the turn)", done.iter().filter_map(|b| b.hold_ms)),
            step("pay, with a key (from the hold's answer)", done.iter().filter_map(|b| b.pay_ms)),
        ],
        buyers: how.buyers,
        answered: done.iter().filter(|b| b.error.is_none()).count(),
        bought_tickets,
        sold_out_answers: done.iter().filter(|b| b.sold_out).count(),
        errors: done.iter().filter_map(|b| b.error.clone()).collect(),
        elapsed,
        admitted_per_second: last_admitted as f64 / elapsed.as_secs_f64(),
        sales_per_second: done.iter().filter(|b| b.bought > 0).count() as f64 / elapsed.as_secs_f64(),
        sold_out_after,
        sold: figure("sold"),
        held: figure("held"),
        available: figure("available"),
        over_limit: done.iter().filter(|b| b.over_limit).count(),
        server_join_within: within_buckets(&metrics, r#"method="POST",route="/api/concerts/{id}/queue",status="201""#),
    })
}

/// From a Prometheus text page: for the histogram series whose labels start with `labels`, the share of
/// observations at or below each bucket's bound.
fn within_buckets(metrics: &str, labels: &str) -> Vec<(f64, f64)> {
    let series = format!("http_request_duration_seconds_bucket{{{labels}");
    let buckets: Vec<(f64, f64)> = metrics
        .lines()
        .filter_map(|line| line.strip_prefix(series.as_str()))
        .filter_map(|rest| {
            let (bound, count) = rest.split_once("\"} ")?;
            let bound = bound.rsplit_once("le=\"")?.1;
            Some((bound.parse().unwrap_or(f64::INFINITY), count.trim().parse().ok()?))
        })
        .collect();
    let total = buckets.iter().map(|(_, n)| *n).fold(0.0, f64::max);
    buckets.into_iter().filter(|(b, _)| b.is_finite()).map(|(b, n)| (b, n / total.max(1.0))).collect()
}

/// One event stream on the concert, its `queue` events' `admitted_through` in a watch channel.
async fn follow_admission(client: &reqwest::Client, base: &str, concert: i64) -> Result<watch::Receiver<u64>, String> {
    let response = client
        .get(format!("{base}/api/events?concert={concert}"))
        .timeout(Duration::from_secs(3_600))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let (publish, admitted) = watch::channel(0u64);
    let mut body = response.bytes_stream();
    tokio::spawn(async move {
        let mut text = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let frame: String = text.drain(..end + 2).collect();
                if !frame.lines().any(|line| line == "event: queue") {
                    continue;
                }
                let data = frame.lines().find_map(|line| line.strip_prefix("data: ")).unwrap_or("{}");
                if let Some(through) =
                    serde_json::from_str::<Value>(data).ok().and_then(|v| v["admitted_through"].as_u64())
                {
                    publish.send_replace(through);
                }
            }
        }
    });
    Ok(admitted)
}

#[allow(clippy::too_many_arguments)]
async fn buy(
    client: &reqwest::Client,
    base: &str,
    concert: i64,
    n: usize,
    due: Instant,
    mut admitted: watch::Receiver<u64>,
    sold_out_at: &Mutex<Option<Instant>>,
    buyer: &mut Buyer,
) -> Result<(), String> {
    buyer.sent_late_ms = Some(ms_since(due));
    let (status, place) = answer(client.post(format!("{base}/api/concerts/{concert}/queue"))).await?;
    if status != 201 {
        return Err(format!("join answered {status}: {place}"));
    }
    buyer.join_ms = Some(ms_since(due));
    let place: model::QueuePlace = serde_json::from_value(place).map_err(|e| format!("the join's answer: {e}"))?;
    let (visitor, number) = (place.visitor.clone(), place.place.unwrap_or(0));

    let joined_at = Instant::now();
    // As the queue page does: at its turn it waits for its share of the broadcast's admissions.
    let mut heard = *admitted.borrow_and_update();
    while heard < number {
        let before = heard;
        admitted.changed().await.map_err(|_| "the event stream ended".to_owned())?;
        heard = *admitted.borrow_and_update();
        if heard >= number {
            tokio::time::sleep(place.turn_pacing(before)).await;
        }
    }
    let token = loop {
        let (_, shown) = answer(client.get(format!("{base}/api/concerts/{concert}/queue/{visitor}"))).await?;
        if let Some(token) = shown["token"].as_str() {
            break token.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    buyer.wait_ms = Some(ms_since(joined_at));

    let quantity = 1 + (n % 4) as u32;
    let turn = Instant::now();
    let hold = |quantity: u32, key: String| {
        client
            .post(format!("{base}/api/holds"))
            .header("queue-token", &token)
            .header("idempotency-key", key)
            .json(&json!({ "concert_id": concert, "tier": "vip", "quantity": quantity, "name": "Flash Buyer", "email": format!("flash-{n}@example.org") }))
    };
    let (status, answered) = answer(hold(quantity, format!("flash-hold-{n}"))).await?;
    buyer.hold_ms = Some(ms_since(turn));
    match (status, answered["error"].as_str()) {
        (201, _) => {}
        (409, Some("sold_out")) => {
            buyer.sold_out = true;
            sold_out_at.lock().expect("not poisoned").get_or_insert(Instant::now());
            return Ok(());
        }
        (status, _) => return Err(format!("hold answered {status}: {answered}")),
    }
    let hold_id = answered["id"].as_str().unwrap_or_default().to_owned();
    let answered = Instant::now();
    let card = json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let pay =
        client.post(format!("{base}/api/holds/{hold_id}/payment")).header("idempotency-key", format!("flash-pay-{n}"));
    let (status, paid) = answer(pay.json(&card)).await?;
    if status != 201 {
        return Err(format!("payment answered {status}: {paid}"));
    }
    buyer.pay_ms = Some(ms_since(answered));
    buyer.bought = quantity;

    if n.is_multiple_of(10) {
        let (status, again) = answer(hold(2, format!("flash-again-{n}"))).await?;
        match (status, again["error"].as_str()) {
            (201, _) if quantity + 2 > 4 => buyer.over_limit = true,
            (201, _) | (409, Some("sold_out" | "buyer_limit")) => {}
            (status, _) => return Err(format!("the second hold answered {status}: {again}")),
        }
    }
    Ok(())
}
