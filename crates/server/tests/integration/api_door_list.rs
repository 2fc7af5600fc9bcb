//! The scanners' offline copy over HTTP, on either database: the whole list of a concert's tickets, then
//! only what changed since the cursor (a ticket let in, an order cancelled, a ticket sold), for the
//! device's token alone; an offline scan uploaded later is recorded as offline.

use crate::{
    api_checkin::{scan, scanner},
    helpers::{capacities, spawn_app},
};
use serde_json::{json, Value};

async fn list(app: &crate::helpers::TestApp, token: &str, query: &str) -> (u16, Value) {
    let response = app.client.get(app.url(&format!("/api/checkin/tickets{query}"))).bearer_auth(token).send().await;
    let response = response.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

fn codes(page: &Value) -> Vec<String> {
    let mut codes: Vec<String> =
        page["tickets"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect();
    codes.sort();
    codes
}

fn listed<'a>(page: &'a Value, code: &str) -> &'a Value {
    page["tickets"].as_array().unwrap().iter().find(|t| t["code"] == code).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scanner_downloads_the_tickets_then_only_what_changed() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let concert = app.store.default_event_id();
    let (_, _, first) = crate::helpers::paid_order_at(&app.client, &app.base, None, 2, "ada@example.org").await;
    let (code, secret, second) =
        crate::helpers::paid_order_at(&app.client, &app.base, None, 1, "bob@example.org").await;

    let (status, whole) = list(&app, &door.token, &format!("?concert={concert}")).await;
    assert_eq!(status, 200, "{whole}");
    let mut all = [first.clone(), second.clone()].concat();
    all.sort();
    assert_eq!(codes(&whole), all, "every ticket of the concert");
    assert_eq!(listed(&whole, &first[0])["buyer_name"], "Ada");
    assert_eq!((listed(&whole, &first[0])["entries"].as_u64(), whole["reentry"].as_bool()), (Some(0), Some(false)));

    // Changes after this moment are the delta; the sales before it are not sent again.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let body = json!({ "ticket": first[0], "concert_id": concert, "nonce": "in" });
    let (_, answer) = scan(&app.client, &app.url("/api/checkin/redeem"), &door.token, body).await;
    assert_eq!(answer["status"], "ok", "{answer}");
    let cancelled = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), 200);
    let (_, _, third) = crate::helpers::paid_order_at(&app.client, &app.base, None, 1, "cy@example.org").await;

    let (status, delta) = list(&app, &door.token, &format!("?concert={concert}&since={since}")).await;
    assert_eq!(status, 200, "{delta}");
    let mut changed = vec![first[0].clone(), second[0].clone(), third[0].clone()];
    changed.sort();
    assert_eq!(codes(&delta), changed, "the ticket let in, the cancelled one, the new one: {delta}");
    assert_eq!(listed(&delta, &first[0])["entries"], 1);
    assert_eq!(listed(&delta, &first[0])["inside"], true);
    assert_eq!(listed(&delta, &second[0])["canceled"], true);
    let cursor = delta["cursor"].as_i64().unwrap();
    assert!(cursor >= since && cursor <= chrono::Utc::now().timestamp_millis(), "{cursor} after {since}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_for_paired_devices_only_and_bad_cursors_are_refused() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let (status, answer) = list(&app, "not-a-token", "").await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("unauthorized")));
    let (status, answer) = list(&app, crate::helpers::ADMIN_TOKEN, "").await;
    assert_eq!(status, 401, "the admin token opens no list of codes: {answer}");
    for since in ["-1", "soon", "1e3"] {
        let (status, answer) = list(&app, &door.token, &format!("?since={since}")).await;
        assert_eq!((status, answer["error"].as_str()), (422, Some("invalid_since")), "{since}");
    }
    let (status, _) = list(&app, &door.token, "?concert=999").await;
    assert_eq!(status, 404);
    let (_, revoked) =
        crate::api_admin::admin(&app, reqwest::Method::DELETE, &format!("/api/admin/devices/{}", door.id), None).await;
    assert!(revoked["revoked_at"].is_string());
    let (status, answer) = list(&app, &door.token, "").await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("revoked_device")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_the_device_let_in_offline_is_uploaded_and_logged_as_offline() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let door = scanner(&app, "Door 1").await;
    let concert = app.store.default_event_id();
    let (_, _, tickets) = crate::helpers::paid_order_at(&app.client, &app.base, None, 1, "ada@example.org").await;
    let scanned_at = (chrono::Utc::now() - chrono::TimeDelta::minutes(3)).to_rfc3339();
    let body = json!({ "ticket": tickets[0], "concert_id": concert, "nonce": "off-1", "scanned_at": scanned_at,
                       "offline": true });
    let (status, answer) = scan(&app.client, &app.url("/api/checkin/redeem"), &door.token, body).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("ok")), "{answer}");
    let (_, page) = list(&app, &door.token, "").await;
    assert_eq!(listed(&page, &tickets[0])["entries"], 1);
    let offline: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM checkins WHERE offline = 1 AND nonce = 'off-1'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(offline, 1);
}
