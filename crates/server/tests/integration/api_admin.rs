//! The admin API: off without a token, 401 with a wrong one, and what an operator does on the night.

use crate::helpers::{assert_conserved, capacities, spawn_app, spawn_app_full, TestApp, ADMIN_TOKEN};
use serde_json::{json, Value};
use server::store::SaleSettings;

pub async fn admin(app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(ADMIN_TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn hold(app: &TestApp, tier: &str, quantity: u32, email: &str) -> (u16, Value) {
    let response = app
        .post_json("/api/holds", json!({ "tier": tier, "quantity": quantity, "name": "=HYPERLINK(1)", "email": email }))
        .await;
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_admin_area_is_off_and_a_wrong_token_is_401() {
    let off = spawn_app_full(capacities(5, 5, 5), SaleSettings::default(), 0, None).await;
    let response = off.client.get(off.url("/api/admin/sales")).bearer_auth("anything").send().await.unwrap();
    assert_eq!(response.status(), 404);
    let page = off.get("/admin").await;
    assert_eq!(page.status(), 404, "the admin page is off too");
    let page = page.text().await.unwrap();
    assert!(page.contains("Page not found") && !page.contains("Admin token"), "no token form: {page}");

    let app = spawn_app(capacities(5, 5, 5)).await;
    let page = app.get("/admin").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Admin token"), "with a token configured, the page asks for it");
    for token in [None, Some("wrong"), Some(&ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1])] {
        let mut request = app.client.post(app.url("/api/admin/tiers/vip/pause"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{token:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
    let (status, sales) = admin(&app, reqwest::Method::GET, "/api/admin/sales", None).await;
    assert_eq!((status, sales[0]["on_sale"].as_bool()), (200, Some(true)), "nothing was paused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_capacity_pause_resume_and_the_orders_csv() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let (_, first) = hold(&app, "vip", 2, "ada@example.org").await;
    let paid = app
        .post_json(
            &format!("/api/holds/{}/payment", first["id"].as_str().unwrap()),
            json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" }),
        )
        .await;
    assert_eq!(paid.status(), 201);
    let (_, running) = hold(&app, "vip", 3, "bob@example.org").await;

    let (status, sales) = admin(&app, reqwest::Method::GET, "/api/admin/sales", None).await;
    assert_eq!(status, 200);
    let vip = &sales[0];
    assert_eq!(
        (vip["sold"].as_u64(), vip["held"].as_u64(), vip["available"].as_u64(), vip["revenue_cents"].as_i64()),
        (Some(2), Some(3), Some(5), Some(20_000))
    );

    let (status, refused) =
        admin(&app, reqwest::Method::PUT, "/api/admin/tiers/vip/capacity", Some(json!({ "capacity": 4 }))).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("capacity_below_taken")));
    let (status, sales) =
        admin(&app, reqwest::Method::PUT, "/api/admin/tiers/vip/capacity", Some(json!({ "capacity": 6 }))).await;
    assert_eq!((status, sales[0]["capacity"].as_u64(), sales[0]["available"].as_u64()), (200, Some(6), Some(1)));
    assert_conserved(&app.store).await;

    let (status, _) = admin(&app, reqwest::Method::POST, "/api/admin/tiers/vip/pause", None).await;
    assert_eq!(status, 200);
    let (status, refused) = hold(&app, "vip", 1, "cy@example.org").await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("not_on_sale")));
    let tickets: Value = app.get("/api/tickets").await.json().await.unwrap();
    assert_eq!(tickets[0]["on_sale"], false);
    let paid = app
        .post_json(
            &format!("/api/holds/{}/payment", running["id"].as_str().unwrap()),
            json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" }),
        )
        .await;
    assert_eq!(paid.status(), 201, "a running hold is still paid while the tier is paused");
    admin(&app, reqwest::Method::POST, "/api/admin/tiers/vip/resume", None).await;
    assert_eq!(hold(&app, "vip", 1, "cy@example.org").await.0, 201);
    let (status, _) = admin(&app, reqwest::Method::POST, "/api/admin/tiers/balcony/pause", None).await;
    assert_eq!(status, 422);

    let (status, lines) = admin(&app, reqwest::Method::GET, "/api/admin/orders?limit=1", None).await;
    assert_eq!((status, lines.as_array().map(Vec::len)), (200, Some(1)));
    let csv = app.client.get(app.url("/api/admin/orders.csv")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "code,created_at,tier,quantity,total_cents,status,email,name,card_last4");
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(rows[1..].iter().all(|row| row.contains(",'=HYPERLINK(1),4242")), "formulas are made inert: {csv}");
    assert_conserved(&app.store).await;
}
