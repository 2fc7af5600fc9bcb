//! The door over HTTP, on either database: devices paired once and revoked, every scan answer reached,
//! bad scans refused with nothing recorded, retried scans answered alike, offline scans kept as conflicts,
//! re-entry, and races of many scanners (and three instances) for one ticket: exactly one `ok`.

use crate::{
    api_admin::admin,
    helpers::{capacities, spawn_app, TestApp},
};
use reqwest::Method;
use serde_json::{json, Value};

/// A paired device: its id and token.
pub struct Scanner {
    pub id: i64,
    pub token: String,
}

pub async fn scanner(app: &TestApp, name: &str) -> Scanner {
    let (status, device) = admin(app, Method::POST, "/api/admin/devices", Some(json!({ "name": name }))).await;
    assert_eq!(status, 201, "{device}");
    let code = device["pairing_code"].as_str().unwrap();
    assert!(device["pairing_qr_svg"].as_str().is_some_and(|svg| svg.starts_with("<svg")), "{device}");
    let response = app.post_json("/api/devices/pair", json!({ "pairing_code": code })).await;
    assert_eq!(response.status(), 201);
    let paired: Value = response.json().await.unwrap();
    assert_eq!(paired["device_id"], device["id"]);
    Scanner { id: paired["device_id"].as_i64().unwrap(), token: paired["token"].as_str().unwrap().to_owned() }
}

/// A paid order of `quantity` General Admission tickets at `concert`: its code, secret and ticket codes.
async fn paid(app: &TestApp, concert: i64, quantity: u32, email: &str) -> (String, String, Vec<String>) {
    crate::helpers::paid_order_at(&app.client, &app.base, Some(concert), quantity, email).await
}

pub async fn scan(client: &reqwest::Client, url: &str, token: &str, body: Value) -> (u16, Value) {
    let response = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn redeem(app: &TestApp, device: &Scanner, ticket: &str, nonce: &str) -> (u16, Value) {
    let body = json!({ "ticket": ticket, "concert_id": app.store.default_event_id(), "nonce": nonce });
    scan(&app.client, &app.url("/api/checkin/redeem"), &device.token, body).await
}

async fn scans_logged(app: &TestApp) -> i64 {
    app.store.checkins_logged().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_gets_in_once_and_a_retried_scan_is_answered_alike() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let (_, _, tickets) = paid(&app, app.store.default_event_id(), 2, "ada@example.org").await;

    let (status, first) = redeem(&app, &door, &tickets[0], "n-1").await;
    assert_eq!(status, 200, "{first}");
    assert_eq!((first["status"].as_str(), first["ticket"]["tier"].as_str()), (Some("ok"), Some("general")), "{first}");
    assert_eq!(first["ticket"]["buyer_name"], "Ada");

    let (_, again) = redeem(&app, &door, &tickets[0], "n-2").await;
    assert_eq!(
        (again["status"].as_str(), again["reason"].as_str()),
        (Some("error"), Some("already_redeemed")),
        "{again}"
    );
    assert_eq!(again["redeemed"]["device"], json!({ "id": door.id, "name": "Door 1" }), "{again}");
    assert!(again["redeemed"]["at"].is_string());

    let (status, retried) = redeem(&app, &door, &tickets[0], "n-1").await;
    assert_eq!((status, &retried), (200, &first), "a retry with the first scan's nonce gets the first answer");
    let (status, reused) = redeem(&app, &door, &tickets[1], "n-1").await;
    assert_eq!((status, reused["error"].as_str()), (422, Some("idempotency_key_reused")), "{reused}");

    let (_, other) = redeem(&app, &door, &tickets[1], "n-3").await;
    assert_eq!(other["status"], "ok", "the order's other ticket is its own");
    assert_eq!(scans_logged(&app).await, 3, "three scans, the retry not logged again");

    let concert = app.store.default_event_id();
    let (status, figures) = admin(&app, Method::GET, &format!("/api/checkin/status?concert={concert}"), None).await;
    assert_eq!(status, 200, "{figures}");
    let general = figures["tiers"].as_array().unwrap().iter().find(|t| t["tier"] == "general").unwrap().clone();
    assert_eq!((general["sold"].as_u64(), general["checked_in"].as_u64()), (Some(2), Some(2)), "{general}");
    let response = app.client.get(app.url(&format!("/api/checkin/status?concert={concert}"))).bearer_auth(&door.token);
    assert_eq!(response.send().await.unwrap().status(), 200, "a device reads the counts too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pairing_code_pairs_once_and_a_revoked_device_scans_no_more() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let (status, device) = admin(&app, Method::POST, "/api/admin/devices", Some(json!({ "name": "Door 2" }))).await;
    assert_eq!(status, 201);
    let code = device["pairing_code"].as_str().unwrap();
    let first = app.post_json("/api/devices/pair", json!({ "pairing_code": code })).await;
    assert_eq!(first.status(), 201);
    let token = first.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let second = app.post_json("/api/devices/pair", json!({ "pairing_code": code })).await;
    assert_eq!(second.status(), 404, "a code pairs once");
    assert_eq!(second.json::<Value>().await.unwrap()["error"], "pairing_code_unknown");

    let (_, _, tickets) = paid(&app, app.store.default_event_id(), 1, "ada@example.org").await;
    let body =
        |nonce: &str| json!({ "ticket": tickets[0], "concert_id": app.store.default_event_id(), "nonce": nonce });
    let url = app.url("/api/checkin/redeem");
    let (status, answer) = scan(&app.client, &url, &format!("{token}x"), body("a")).await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("unauthorized")), "a forged token");
    let missing = app.client.post(&url).json(&body("b")).send().await.unwrap();
    assert_eq!(missing.status(), 401, "no token");
    let (status, listed) = admin(&app, Method::GET, "/api/admin/devices", None).await;
    assert_eq!(status, 200);
    assert!(listed.to_string().contains("Door 2") && !listed.to_string().contains(&token), "never the token: {listed}");
    let (status, first_scan) = scan(&app.client, &url, &token, body("ok")).await;
    assert_eq!((status, first_scan["status"].as_str()), (200, Some("ok")), "{first_scan}");

    let id = device["id"].as_i64().unwrap();
    let (status, revoked) = admin(&app, Method::DELETE, &format!("/api/admin/devices/{id}"), None).await;
    assert_eq!(status, 200);
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    for nonce in ["c", "ok"] {
        let (status, answer) = scan(&app.client, &url, &token, body(nonce)).await;
        assert_eq!((status, answer["error"].as_str()), (401, Some("revoked_device")), "{nonce}: {answer}");
    }
    assert_eq!(scans_logged(&app).await, 1, "only the scan made before the revocation is recorded");
    let (status, _) = admin(&app, Method::DELETE, "/api/admin/devices/99999", None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reason_a_ticket_is_turned_away_reaches_the_scanner() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let concert = app.store.default_event_id();
    let (code, secret, tickets) = paid(&app, concert, 2, "ada@example.org").await;

    let (_, unknown) = redeem(&app, &door, "T-000000000000ffffffffffffffffffffffff", "u").await;
    assert_eq!((unknown["reason"].as_str(), unknown.get("ticket")), (Some("invalid"), None), "{unknown}");

    let starts = (chrono::Utc::now() + chrono::TimeDelta::days(30)).format("%Y-%m-%dT%H:%M").to_string();
    let (status, other) = admin(
        &app,
        Method::POST,
        "/api/admin/concerts",
        Some(json!({ "name": "Other", "venue": "Hall", "starts_at": starts,
                     "tiers": [{ "tier": "general", "capacity": 10, "price_cents": 1000 }] })),
    )
    .await;
    assert_eq!(status, 201, "{other}");
    let body = json!({ "ticket": tickets[0], "concert_id": other["id"], "nonce": "w" });
    let (_, wrong) = scan(&app.client, &app.url("/api/checkin/redeem"), &door.token, body).await;
    assert_eq!(wrong["reason"], "wrong_concert", "{wrong}");

    let body = json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "x", "direction": "exit" });
    let (_, exit) = scan(&app.client, &app.url("/api/checkin/redeem"), &door.token, body).await;
    assert_eq!(exit["reason"], "no_reentry", "{exit}");

    let cancelled = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), 200);
    let (_, refused) = redeem(&app, &door, &tickets[1], "c").await;
    assert_eq!((refused["reason"].as_str(), refused["message"].as_str()), (Some("canceled"), Some("Ticket cancelled")));
    assert_eq!(scans_logged(&app).await, 4, "every refused scan is logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_that_cannot_be_one_is_refused_and_nothing_is_recorded() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let (_, _, tickets) = paid(&app, app.store.default_event_id(), 1, "ada@example.org").await;
    let concert = app.store.default_event_id();
    let url = app.url("/api/checkin/redeem");
    let future = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    let cases = [
        (json!({ "ticket": "not a code", "concert_id": concert, "nonce": "1" }), 422, "invalid_ticket_code"),
        (json!({ "ticket": "T".repeat(10_000), "concert_id": concert, "nonce": "2" }), 422, "invalid_ticket_code"),
        (json!({ "ticket": "", "concert_id": concert, "nonce": "3" }), 422, "ticket_missing"),
        (json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "" }), 422, "invalid_nonce"),
        (json!({ "ticket": tickets[0], "concert_id": concert }), 422, "invalid_field"),
        (json!({ "ticket": tickets[0], "concert_id": "one", "nonce": "5" }), 422, "invalid_field"),
        (
            json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "6", "scanned_at": future }),
            422,
            "invalid_scanned_at",
        ),
        (
            json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "7", "direction": "sideways" }),
            422,
            "invalid_field",
        ),
        (json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "8", "extra": 1 }), 422, "invalid_field"),
    ];
    for (body, status, error) in cases {
        let (got, answer) = scan(&app.client, &url, &door.token, body.clone()).await;
        assert_eq!((got, answer["error"].as_str()), (status, Some(error)), "{body} → {answer}");
    }
    let garbage =
        app.client.post(&url).bearer_auth(&door.token).header("content-type", "application/json").body("{nope");
    let garbage = garbage.send().await.unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(scans_logged(&app).await, 0, "nothing recorded");
    let (_, still) = redeem(&app, &door, &tickets[0], "9").await;
    assert_eq!(still["status"], "ok", "and the ticket is still unused: {still}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_scanners_at_once_let_a_ticket_in_exactly_once() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let mut doors = Vec::new();
    for n in 0..20 {
        doors.push(scanner(&app, &format!("Door {n}")).await);
    }
    let (_, _, tickets) = paid(&app, app.store.default_event_id(), 1, "ada@example.org").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(doors.len()));
    let url = app.url("/api/checkin/redeem");
    let body =
        json!({ "ticket": tickets[0], "concert_id": app.store.default_event_id(), "nonce": "same-nonce-everywhere" });
    let scans: Vec<_> = doors
        .into_iter()
        .map(|door| {
            let (barrier, client, url, body) = (barrier.clone(), app.client.clone(), url.clone(), body.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                scan(&client, &url, &door.token, body).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for scan in scans {
        let (status, answer) = scan.await.unwrap();
        assert_eq!(status, 200, "{answer}");
        answers.push(answer["status"].as_str().unwrap().to_owned() + ":" + answer["reason"].as_str().unwrap_or(""));
    }
    answers.sort();
    let ok = answers.iter().filter(|a| *a == "ok:").count();
    let already = answers.iter().filter(|a| *a == "error:already_redeemed").count();
    assert_eq!((ok, already), (1, 19), "{answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_scan_uploaded_later_is_kept_as_a_conflict_and_the_first_scan_wins() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let (door, phone) = (scanner(&app, "Door 1").await, scanner(&app, "Phone").await);
    let concert = app.store.default_event_id();
    let (_, _, tickets) = paid(&app, concert, 2, "ada@example.org").await;
    let url = app.url("/api/checkin/redeem");

    let (_, online) = redeem(&app, &door, &tickets[0], "online").await;
    assert_eq!(online["status"], "ok");
    let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(1)).to_rfc3339();
    let body =
        json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "off-1", "scanned_at": later, "offline": true });
    let (_, offline) = scan(&app.client, &url, &phone.token, body).await;
    assert_eq!(offline["status"], "ok", "the scan happened: {offline}");
    assert_eq!(offline["conflict"]["device"]["name"], "Door 1", "{offline}");
    let (_, again) = redeem(&app, &phone, &tickets[0], "n").await;
    assert_eq!(again["redeemed"]["device"]["name"], "Door 1", "the first scan stays the way in: {again}");

    // An offline scan of the other ticket made before its online one: that scan was the first.
    let earlier = (chrono::Utc::now() - chrono::TimeDelta::minutes(10)).to_rfc3339();
    let (_, _) = redeem(&app, &door, &tickets[1], "online-2").await;
    let body = json!({ "ticket": tickets[1], "concert_id": concert, "nonce": "off-2", "scanned_at": earlier, "offline": true });
    let (_, offline) = scan(&app.client, &url, &phone.token, body).await;
    assert_eq!(offline["conflict"]["device"]["name"], "Door 1", "{offline}");
    let (_, again) = redeem(&app, &door, &tickets[1], "n2").await;
    assert_eq!(again["redeemed"]["device"]["name"], "Phone", "the earlier scan is the first: {again}");

    let (_, figures) = admin(&app, Method::GET, &format!("/api/checkin/status?concert={concert}"), None).await;
    let general = figures["tiers"].as_array().unwrap().iter().find(|t| t["tier"] == "general").unwrap().clone();
    assert_eq!((general["checked_in"].as_u64(), general["conflicts"].as_u64()), (Some(2), Some(2)), "{general}");

    // The operator's list of them, newest first: the phone let each in offline; the first way in stays.
    let (status, conflicts) =
        admin(&app, Method::GET, &format!("/api/admin/checkin/conflicts?concert={concert}"), None).await;
    assert_eq!(status, 200, "{conflicts}");
    let seen: Vec<(&str, &str, &str)> = conflicts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let ticket = c["ticket"].as_str().unwrap();
            (ticket, c["device"]["name"].as_str().unwrap(), c["first_entry"]["device"]["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(seen, [(&*tickets[1], "Phone", "Phone"), (&*tickets[0], "Phone", "Door 1")]);
    let response = app.client.get(app.url("/api/admin/checkin/conflicts")).bearer_auth(&door.token).send().await;
    assert_eq!(response.unwrap().status(), 401, "a device's token is not the operator's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_reentry_a_ticket_goes_out_and_comes_back_once_per_time_out() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let concert = app.store.default_event_id();
    let (status, set) =
        admin(&app, Method::PUT, &format!("/api/admin/concerts/{concert}/checkin"), Some(json!({ "reentry": true })))
            .await;
    assert_eq!(status, 200, "{set}");
    let (_, _, tickets) = paid(&app, concert, 1, "ada@example.org").await;
    let url = app.url("/api/checkin/redeem");
    let way = |direction: &str, nonce: &str| json!({ "ticket": tickets[0], "concert_id": concert, "nonce": nonce, "direction": direction });
    let mut seen = Vec::new();
    for (n, direction) in ["exit", "entry", "entry", "exit", "exit", "entry"].into_iter().enumerate() {
        let (_, answer) = scan(&app.client, &url, &door.token, way(direction, &format!("r{n}"))).await;
        seen.push(format!("{direction}:{}", answer["reason"].as_str().unwrap_or("ok")));
    }
    assert_eq!(
        seen,
        ["exit:not_inside", "entry:ok", "entry:already_redeemed", "exit:ok", "exit:not_inside", "entry:ok"],
        "in once per time out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_let_a_ticket_in_exactly_once() {
    let database = crate::helpers::fresh_database().await;
    let instances = crate::scale_out::start_three(&database.url, "vip=5,front_row=5,general=20").await;
    let store = crate::helpers::open_store_at(&database.url).await;
    let mut tokens = Vec::new();
    let mut last_device = 0;
    for n in 0..21 {
        let device = store.create_device(format!("Door {n}")).await.unwrap();
        let paired = store.pair_device(&device.pairing_code).await.unwrap().expect("a fresh code pairs");
        last_device = paired.device_id;
        tokens.push(paired.token);
    }
    let client = reqwest::Client::new();
    // Sold on one instance; scanned below through all three.
    let (_, _, tickets) =
        crate::helpers::paid_order_at(&client, &instances[0].url(""), None, 1, "ada@example.org").await;
    let ticket = tickets[0].clone();

    let instances = std::sync::Arc::new(instances);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let body = json!({ "ticket": ticket, "concert_id": store.default_event_id(), "nonce": "n" });
    let scans: Vec<_> = tokens[..20]
        .iter()
        .cloned()
        .enumerate()
        .map(|(n, token)| {
            let (instances, barrier, client, body) = (instances.clone(), barrier.clone(), client.clone(), body.clone());
            tokio::spawn(async move {
                let url = instances[n % 3].url("/api/checkin/redeem");
                barrier.wait().await;
                scan(&client, &url, &token, body).await
            })
        })
        .collect();
    let mut ok = 0;
    for scan in scans {
        let (status, answer) = scan.await.unwrap();
        assert_eq!(status, 200, "{answer}");
        match (answer["status"].as_str(), answer["reason"].as_str()) {
            (Some("ok"), None) => ok += 1,
            (Some("error"), Some("already_redeemed")) => {}
            _ => panic!("{answer}"),
        }
    }
    assert_eq!(ok, 1, "exactly one scanner lets the ticket in");
    let figures = store.door_figures(store.default_event_id()).await.unwrap();
    let general = figures.iter().find(|f| f.tier == model::Tier::General).unwrap();
    assert_eq!((general.sold, general.checked_in), (1, 1));
    let url = instances[2].url("/api/checkin/redeem");
    let (_, last) = scan(
        &client,
        &url,
        &tokens[20],
        json!({ "ticket": ticket, "concert_id": store.default_event_id(), "nonce": "z" }),
    )
    .await;
    assert_eq!(last["reason"], "already_redeemed", "{last}");

    // Revoked through another instance: the instance that knows the token from its scan refuses it too, in
    // the scan's batch, and so does one that never saw it; even a retry of the scan it made before.
    let logged = store.checkins_logged().await.unwrap();
    assert!(store.revoke_device(last_device).await.unwrap());
    for (n, nonce) in [(2, "z"), (2, "y"), (0, "x")] {
        let body = json!({ "ticket": ticket, "concert_id": store.default_event_id(), "nonce": nonce });
        let (status, answer) = scan(&client, &instances[n].url("/api/checkin/redeem"), &tokens[20], body).await;
        assert_eq!((status, answer["error"].as_str()), (401, Some("revoked_device")), "instance {n}: {answer}");
    }
    assert_eq!(store.checkins_logged().await.unwrap(), logged, "a revoked device's scans are not recorded");
}
