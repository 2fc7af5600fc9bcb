//! A concert whose sales open at a set time: before it, holds and bookings are refused with the time (API
//! and page alike), the page shows when instead of the form, and at the time the same requests succeed.

use crate::{
    api_admin::admin,
    helpers::{assert_conserved, capacities, spawn_app, tier_counts_of},
};
use chrono::{DateTime, Duration, Utc};
use model::Tier;
use reqwest::Method;
use serde_json::{json, Value};

/// Whether the tag around the sale's form carries `hidden` (attributes in whatever order leptos writes).
fn form_hidden(page: &str) -> bool {
    let at = page.find(r#"class="sale-form""#).expect("the page has the sale's form");
    let start = page[..at].rfind('<').expect("inside a tag");
    let end = at + page[at..].find('>').expect("the tag ends");
    page[start..end].split_whitespace().any(|attribute| attribute == "hidden" || attribute.starts_with("hidden="))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_sales_open_holds_and_bookings_are_refused_with_the_time_and_then_they_sell() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let opens = Utc::now() + Duration::milliseconds(2_500);
    let body = json!({
        "name": "Night Jazz", "venue": "Blue Hall", "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "sales_open_at": opens.to_rfc3339(),
        "tiers": [{ "tier": "vip", "price_cents": 12000, "capacity": 3 }, { "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let (status, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let shown: Value = app.get(&format!("/api/concerts/{id}")).await.json().await.unwrap();
    let shown_opens: DateTime<Utc> = serde_json::from_value(shown["sales_open_at"].clone()).unwrap();
    assert_eq!(shown_opens.timestamp_millis(), opens.timestamp_millis(), "the concert shows when sales open");

    let hold = json!({ "concert_id": id, "tier": "vip", "quantity": 1, "name": "Ada", "email": "ada@example.org" });
    let booking = json!({ "concert_id": id, "user_id": "bo@example.org", "tier": "general", "quantity": 2 });
    for (path, body) in [("/api/holds", &hold), ("/api/bookings", &booking)] {
        let refused = app.post_json(path, body.clone()).await;
        assert_eq!(refused.status(), 409, "{path} before sales open");
        let refused: Value = refused.json().await.unwrap();
        assert_eq!(refused["error"], "not_on_sale_yet", "{refused}");
        let said: DateTime<Utc> = serde_json::from_value(refused["sales_open_at"].clone()).unwrap();
        assert_eq!(said.timestamp_millis(), opens.timestamp_millis(), "the refusal says when: {refused}");
    }
    for tier in [Tier::Vip, Tier::General] {
        let counts = tier_counts_of(&app.store, id, tier).await;
        assert_eq!((counts.sold, counts.held), (0, 0), "nothing taken before the opening");
    }

    let page = app.get(&format!("/concerts/{id}")).await.text().await.unwrap();
    assert!(page.contains("Tickets go on sale soon"), "the page says sales have not opened");
    assert!(form_hidden(&page), "and hides the form until then: {page}");

    tokio::time::sleep((opens - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(50)).await;
    assert_eq!(app.post_json("/api/holds", hold).await.status(), 201, "a hold once sales opened");
    assert_eq!(app.post_json("/api/bookings", booking).await.status(), 201, "a booking too");
    let page = app.get(&format!("/concerts/{id}")).await.text().await.unwrap();
    assert!(!form_hidden(&page), "the form shows once sales opened");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_cannot_open_after_the_concert_starts() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let starts = Utc::now() + Duration::days(60);
    let body = json!({
        "name": "Night Jazz", "venue": "Blue Hall", "starts_at": starts.to_rfc3339(),
        "sales_open_at": (starts + Duration::hours(1)).to_rfc3339(),
        "tiers": [{ "tier": "vip", "price_cents": 12000, "capacity": 3 }]
    });
    let (status, refused) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("sales must open before the concert starts"), "{refused}");
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(events, 1, "no concert was created");
}
