//! The door under load: 64 scanner devices, each its own connection, scanning tickets in as fast as the
//! server answers (every scan a different paid ticket, a first entry, with its own nonce), on a server and
//! database of their own. alf.io measured 106 check-ins a second on one vCPU; the target is half of the
//! same run's healthz.

use crate::{load, measured, start_server_with, Args, FLASH_TOKEN};
use std::{fmt::Write as _, net::SocketAddr, sync::Arc, time::Duration};

/// Scanners, each a device of its own with its own connection.
const SCANNERS: usize = 64;
/// Tickets sold for the run.
const TICKETS: usize = 50_000;
/// Tickets per order (the most one order may have).
const PER_ORDER: usize = 10;

/// A report section: redeems a second with [`SCANNERS`] scanners, as a ratio of `healthz_rate`.
pub async fn door_section(
    args: &Args,
    folder: &std::path::Path,
    addr: SocketAddr,
    healthz_rate: f64,
    duration: Duration,
) -> Result<String, Box<dyn std::error::Error>> {
    let url = format!("sqlite://{}/door.db", folder.display());
    let mut server = start_server_with(args, &url, addr, &[("BOXOFFICE_ADMIN_TOKEN", FLASH_TOKEN)]).await?;
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    let mut tokens = Vec::with_capacity(SCANNERS);
    for n in 0..SCANNERS {
        let device: serde_json::Value = client
            .post(format!("{base}/api/admin/devices"))
            .bearer_auth(FLASH_TOKEN)
            .json(&serde_json::json!({ "name": format!("Door {n}") }))
            .send()
            .await?
            .json()
            .await?;
        let code = device["pairing_code"].as_str().ok_or_else(|| format!("no device: {device}"))?;
        let paired: serde_json::Value = client
            .post(format!("{base}/api/devices/pair"))
            .json(&serde_json::json!({ "pairing_code": code }))
            .send()
            .await?
            .json()
            .await?;
        tokens.push(paired["token"].as_str().ok_or_else(|| format!("not paired: {paired}"))?.to_owned());
    }
    // Scans past the tickets' count meet tickets scanned before: answered `already_redeemed` on the same
    // path (load, decide, log), without the ticket's update.
    let tickets = sell(&client, &base, TICKETS).await?;
    let (count, tickets, tokens) = (tickets.len() as u64, Arc::new(tickets), Arc::new(tokens));
    let target = load::Target {
        method: hyper::Method::POST,
        path: "/api/checkin/redeem",
        body: Some(Arc::new(move |n| {
            format!(r#"{{"ticket":"{}","concert_id":1,"nonce":"bench-{n}"}}"#, tickets[(n % count) as usize])
        })),
        key: None,
        auth: Some(Arc::new(move |n| tokens[n as usize % SCANNERS].clone())),
    };
    let (report, cpu) = measured(&server, load::run(addr, target, SCANNERS, duration)).await;
    let _ = server.kill().await;
    let rate = report.count(200) as f64 / report.elapsed.as_secs_f64();
    let mut out = String::from("\n## At the door (issue 17)\n\n");
    let _ = writeln!(
        out,
        "{SCANNERS} scanner devices, each its own connection and token, scanning {count} paid tickets in (a nonce \
         each; scans past {count} meet a ticket in already: `already_redeemed`, the same path without the ticket's \
         update) on a server of their own.\n"
    );
    let _ = writeln!(
        out,
        "- Redeems: {rate:.0}/s = {:.2} × healthz (p50 {:.1} ms, p99 {:.1} ms; {} answered 200, {} other; server CPU {}).",
        rate / healthz_rate,
        report.p50_ms,
        report.p99_ms,
        report.count(200),
        report.requests - report.count(200),
        cpu.map(|c| format!("{:.0} %", c * 100.0)).unwrap_or("n/a".into())
    );
    let met = rate / healthz_rate >= 0.5;
    let _ = writeln!(
        out,
        "\n- {} redeems with 64 scanners ≥ 0.5 × healthz: {:.2}",
        if met { "met" } else { "MISSED" },
        rate / healthz_rate
    );
    Ok(out)
}

/// Sells at least `wanted` General Admission tickets (holds paid, [`PER_ORDER`] at a time, 32 at once);
/// their codes.
async fn sell(client: &reqwest::Client, base: &str, wanted: usize) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let orders = wanted.div_ceil(PER_ORDER);
    let mut tickets = Vec::with_capacity(orders * PER_ORDER);
    let mut next = 0;
    while next < orders {
        let batch: Vec<_> = (next..orders.min(next + 32))
            .map(|n| {
                let (client, base) = (client.clone(), base.to_owned());
                tokio::spawn(async move { paid_order(&client, &base, n).await })
            })
            .collect();
        next += batch.len();
        for order in batch {
            tickets.extend(order.await?.map_err(|e| e.to_string())?);
        }
    }
    Ok(tickets)
}

async fn paid_order(client: &reqwest::Client, base: &str, n: usize) -> Result<Vec<String>, String> {
    let hold = serde_json::json!({
        "tier": "general", "quantity": PER_ORDER, "name": "Bench", "email": format!("door-{n}@example.org")
    });
    let hold = post(client, &format!("{base}/api/holds"), &hold).await?;
    let id = hold["id"].as_str().ok_or_else(|| format!("no hold: {hold}"))?;
    let card = serde_json::json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let order = post(client, &format!("{base}/api/holds/{id}/payment"), &card).await?;
    let tickets = order["tickets"].as_array().ok_or_else(|| format!("no order: {order}"))?;
    Ok(tickets.iter().filter_map(|t| t["code"].as_str().map(str::to_owned)).collect())
}

async fn post(client: &reqwest::Client, url: &str, body: &serde_json::Value) -> Result<serde_json::Value, String> {
    let response = client.post(url).json(body).send().await.map_err(|e| e.to_string())?;
    response.json().await.map_err(|e| e.to_string())
}
