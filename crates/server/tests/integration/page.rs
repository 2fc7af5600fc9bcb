//! The page over HTTP without a browser: the server-rendered HTML and the booking server function.

use crate::helpers::{assert_conserved, capacities, spawn_app, tier_counts};
use model::Tier;

#[tokio::test]
async fn the_page_is_rendered_on_the_server_with_the_tiers_and_their_availability() {
    let app = spawn_app(capacities(100, 500, 0)).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for expected in
        ["VIP", "$100.00", "Front Row", "$50.00", "General Admission", "$10.00", "100 of 100 left", "Sold out"]
    {
        assert!(html.contains(expected), "page lacks {expected:?}");
    }
}

#[tokio::test]
async fn the_booking_server_function_books_and_refuses_like_the_api() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let book = |quantity: &'static str| {
        app.client
            .post(app.url("/_fn/book"))
            .header("accept", "application/json")
            .form(&[("tier", "general"), ("quantity", quantity), ("name", "Ada"), ("email", "ada@example.org")])
            .send()
    };
    let booked = book("2").await.unwrap();
    assert_eq!(booked.status(), 200);
    let booking: serde_json::Value = booked.json().await.unwrap();
    let booking = &booking["Ok"];
    assert_eq!((booking["quantity"].as_u64(), booking["user_id"].as_str()), (Some(2), Some("ada@example.org")));

    let refused = book("11").await.unwrap();
    assert_eq!(refused.status(), 200, "a refusal is an answer, not a failed call");
    let attempt: app::server_fns::BookingAttempt = refused.json().await.unwrap();
    assert_eq!(attempt, Err(model::BookingError::QuantityTooLarge { max: 10 }));
    let no_tier = app
        .client
        .post(app.url("/_fn/book"))
        .header("accept", "application/json")
        .form(&[("quantity", "1"), ("name", "Ada"), ("email", "ada@example.org")])
        .send()
        .await
        .unwrap();
    let attempt: app::server_fns::BookingAttempt = no_tier.json().await.unwrap();
    assert_eq!(attempt, Err(model::BookingError::TierMissing));
    assert_eq!(tier_counts(&app.store, Tier::General).await.sold, 2);
    assert_conserved(&app.store).await;
}

#[tokio::test]
async fn a_form_post_without_javascript_is_sent_to_the_booking_page() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(app.url("/_fn/book"))
        .header("accept", "text/html")
        .header("referer", app.url("/"))
        .form(&[("tier", "vip"), ("quantity", "1"), ("name", "Ada"), ("email", "ada@example.org")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/bookings/BX-"), "{location}");
    let page = app.get(&location).await.text().await.unwrap();
    assert!(page.contains("1 × VIP") && page.contains("$100.00"), "booking page shows the booking");
}
