//! Several concerts: the operator creates one, buyers see it listed after the default, and each concert's
//! stock is its own (a sale of one never moves another's counters).

use crate::{
    api_admin::admin,
    helpers::{assert_conserved, capacities, fresh_store, next_event, spawn_app, tier_counts, tier_counts_of, TestApp},
};
use chrono::{Duration, Utc};
use model::{BookingRequest, Cents, NewConcert, Quantity, Tier, TierOffer};
use reqwest::Method;
use serde_json::{json, Value};

fn new_concert(name: &str, vip: u32, general: u32) -> NewConcert {
    let offers = [
        TierOffer { tier: "vip", price_cents: 12_000, capacity: i64::from(vip) },
        TierOffer { tier: "general", price_cents: 2_500, capacity: i64::from(general) },
    ];
    NewConcert::parse(name, "Blue Hall", Ok(Utc::now() + Duration::days(60)), Ok(&offers), Utc::now()).unwrap()
}

fn concert_body(name: &str) -> Value {
    json!({
        "name": name, "venue": "Blue Hall", "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "tiers": [{ "tier": "vip", "price_cents": 12000, "capacity": 3 }, { "tier": "general", "price_cents": 2500, "capacity": 40 }]
    })
}

async fn concert_rows(app: &TestApp) -> (i64, i64) {
    let events = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(app.store.pool()).await.unwrap();
    let tiers = sqlx::query_scalar("SELECT COUNT(*) FROM tiers").fetch_one(app.store.pool()).await.unwrap();
    (events, tiers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_concert_sells_its_own_stock_at_its_own_prices() {
    let (store, _dir) = fresh_store(capacities(5, 5, 5)).await;
    let jazz = store.create_concert(new_concert("Night Jazz", 2, 10)).await.unwrap();
    assert_eq!(jazz.tiers.iter().map(|t| t.tier).collect::<Vec<_>>(), vec![Tier::Vip, Tier::General]);

    let request = |user: &str, tier: &str, n: i64, concert: Option<i64>| {
        BookingRequest::parse(user, tier, Quantity::new(n)).unwrap().for_concert(concert)
    };
    let booked = store.book(request("u1", "vip", 2, Some(jazz.id))).await.unwrap();
    assert_eq!((booked.concert_id, booked.unit_price_cents), (jazz.id, Cents(12_000)));
    assert!(matches!(
        store.book(request("u2", "vip", 1, Some(jazz.id))).await,
        Err(server::store::StoreError::Rejected(model::BookingError::SoldOut { available: 0 }))
    ));
    // The default concert's VIP tier is untouched by the other's sale, and keeps its own price.
    let default_vip = store.book(request("u3", "vip", 1, None)).await.unwrap();
    assert_eq!((default_vip.concert_id, default_vip.unit_price_cents), (store.default_event_id(), Cents(10_000)));
    assert_eq!(tier_counts(&store, Tier::Vip).await.sold, 1);
    assert_eq!(tier_counts_of(&store, jazz.id, Tier::Vip).await.sold, 2);

    // A tier the concert does not offer, and a concert that does not exist.
    assert!(matches!(
        store.book(request("u4", "front_row", 1, Some(jazz.id))).await,
        Err(server::store::StoreError::Rejected(model::BookingError::TierNotOffered(Tier::FrontRow)))
    ));
    assert!(matches!(
        store.book(request("u4", "vip", 1, Some(9_999))).await,
        Err(server::store::StoreError::Rejected(model::BookingError::ConcertNotFound))
    ));

    let listed = store.concerts().await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        vec!["The Midnight Orchestra", "Night Jazz"]
    );
    assert_eq!(listed[1].tiers[0].available, 0);
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_creates_a_concert_and_buyers_hold_and_pay_for_it() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (status, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(concert_body("Night Jazz"))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();

    let listed: Value = app.get("/api/concerts").await.json().await.unwrap();
    assert_eq!(listed[0]["id"].as_i64(), Some(app.store.default_event_id()), "the default concert stays first");
    assert_eq!(listed[1]["name"], "Night Jazz");
    let one: Value = app.get(&format!("/api/concerts/{id}")).await.json().await.unwrap();
    assert_eq!((one["tiers"][1]["tier"].as_str(), one["tiers"][1]["available"].as_u64()), (Some("general"), Some(40)));

    let held = app
        .post_json(
            "/api/holds",
            json!({ "concert_id": id, "tier": "general", "quantity": 2, "name": "Ada", "email": "ada@example.org" }),
        )
        .await;
    assert_eq!(held.status(), 201);
    let hold: Value = held.json().await.unwrap();
    assert_eq!((hold["concert"]["name"].as_str(), hold["total_cents"].as_i64()), (Some("Night Jazz"), Some(5_000)));
    let paid = app
        .post_json(
            &format!("/api/holds/{}/payment", hold["id"].as_str().unwrap()),
            json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" }),
        )
        .await;
    assert_eq!(paid.status(), 201);
    let order: Value = paid.json().await.unwrap();
    assert_eq!(order["concert"]["id"].as_i64(), Some(id));

    let (status, sales) = admin(&app, Method::GET, &format!("/api/admin/sales?concert={id}"), None).await;
    assert_eq!((status, sales[1]["sold"].as_u64(), sales[1]["revenue_cents"].as_i64()), (200, Some(2), Some(5_000)));
    let (_, default_sales) = admin(&app, Method::GET, "/api/admin/sales", None).await;
    assert!(default_sales.as_array().unwrap().iter().all(|t| t["sold"] == 0), "{default_sales}");
    let (status, paused) = admin(&app, Method::POST, &format!("/api/admin/tiers/vip/pause?concert={id}"), None).await;
    assert_eq!((status, paused[0]["on_sale"].as_bool()), (200, Some(false)));
    let (_, default_sales) = admin(&app, Method::GET, "/api/admin/sales", None).await;
    assert_eq!(default_sales[0]["on_sale"].as_bool(), Some(true), "only that concert's tier paused");

    for path in [
        "/api/admin/sales?concert=9999".to_owned(),
        "/api/admin/orders?concert=x".to_owned(),
        "/api/admin/tiers/vip/pause?concert=9999".to_owned(),
    ] {
        let method = if path.contains("pause") { Method::POST } else { Method::GET };
        let (status, body) = admin(&app, method, &path, None).await;
        assert_eq!((status, body["error"].as_str()), (404, Some("concert_not_found")), "{path}");
    }
    let (status, body) =
        admin(&app, Method::POST, &format!("/api/admin/tiers/front_row/resume?concert={id}"), None).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("tier_not_offered")));
    let missing = app
        .post_json(
            "/api/holds",
            json!({ "concert_id": 9999, "tier": "vip", "quantity": 1, "name": "A", "email": "a@b.org" }),
        )
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(app.get("/api/concerts/9999").await.status(), 404);
    assert_eq!(app.get("/api/concerts/abc").await.status(), 404);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_concert_is_refused_naming_the_problem_and_nothing_is_created() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let before = concert_rows(&app).await;
    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    let mut cases = vec![
        (json!({ "name": " " }), "name"),
        (json!({ "venue": "" }), "venue"),
        (json!({ "starts_at": past }), "future"),
        (json!({ "starts_at": "soon" }), "the start must be a date and time"),
        (json!({ "tiers": [] }), "at least one tier"),
        (
            json!({ "tiers": [{ "tier": "vip", "price_cents": 1, "capacity": 1 }, { "tier": "vip", "price_cents": 1, "capacity": 1 }] }),
            "twice",
        ),
        (json!({ "tiers": [{ "tier": "vip", "price_cents": -5, "capacity": 1 }] }), "price"),
        (json!({ "tiers": [{ "tier": "vip", "price_cents": 5, "capacity": 1_000_000_001_i64 }] }), "capacity"),
        (json!({ "tiers": [{ "tier": "balcony", "price_cents": 5, "capacity": 2 }] }), "balcony"),
    ];
    cases.push((json!({ "tiers": "all of them" }), "tiers"));
    for (change, named) in cases {
        let mut body = concert_body("Bad");
        for (field, value) in change.as_object().unwrap() {
            body[field] = value.clone();
        }
        let (status, answer) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
        assert!((400..500).contains(&status), "{named}: {status}");
        assert!(answer["message"].as_str().unwrap_or_default().contains(named), "{named}: {answer}");
    }
    let unauthorised = app.post_json("/api/admin/concerts", concert_body("Sneaky")).await;
    assert_eq!(unauthorised.status(), 401);
    assert_eq!(concert_rows(&app).await, before, "no concert or tier row was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_stream_follows_the_concert_it_names() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (_, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(concert_body("Night Jazz"))).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(app.get("/api/events?concert=9999").await.status(), 404);

    let mut stream = app.get(&format!("/api/events?concert={id}")).await;
    assert_eq!(stream.status(), 200);
    let first = next_event(&mut stream).await;
    assert_eq!(first[1]["available"].as_u64(), Some(40), "the named concert's tiers: {first}");
    // A sale of the default concert is not this stream's news; one of this concert is.
    let default_sale =
        app.post_json("/api/bookings", json!({ "user_id": "u1", "tier": "general", "quantity": 1 })).await;
    assert_eq!(default_sale.status(), 201);
    let own_sale = app
        .post_json("/api/bookings", json!({ "concert_id": id, "user_id": "u2", "tier": "general", "quantity": 3 }))
        .await;
    assert_eq!(own_sale.status(), 201);
    let next = next_event(&mut stream).await;
    assert_eq!(next[1]["available"].as_u64(), Some(37), "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buyers_racing_for_two_concerts_get_exactly_each_ones_stock() {
    let app = spawn_app(capacities(10, 5, 5)).await;
    let (_, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(concert_body("Night Jazz"))).await;
    let jazz = created["id"].as_i64().unwrap();
    app.store.set_capacity(jazz, Tier::Vip, 10).await.unwrap();
    let attempts = (0..120).map(|i| {
        let (client, url) = (app.client.clone(), app.url("/api/holds"));
        let concert = if i % 2 == 0 { Value::Null } else { json!(jazz) };
        async move {
            let body = json!({ "concert_id": concert, "tier": "vip", "quantity": 1, "name": "B", "email": format!("b{i}@example.org") });
            let response = client.post(url).json(&body).send().await.unwrap();
            (i % 2, response.status().as_u16())
        }
    });
    let answers = futures::future::join_all(attempts).await;
    for side in [0, 1] {
        let held = answers.iter().filter(|(s, status)| *s == side && *status == 201).count();
        let refused = answers.iter().filter(|(s, status)| *s == side && *status == 409).count();
        assert_eq!((held, refused), (10, 50), "concert side {side}");
    }
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.held, 10);
    assert_eq!(tier_counts_of(&app.store, jazz, Tier::Vip).await.held, 10);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_reused_for_another_concert_is_refused() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let (_, created) = admin(&app, Method::POST, "/api/admin/concerts", Some(concert_body("Night Jazz"))).await;
    let jazz = created["id"].as_i64().unwrap();
    let hold = |concert: Option<i64>| {
        let body =
            json!({ "concert_id": concert, "tier": "vip", "quantity": 1, "name": "Ada", "email": "ada@example.org" });
        app.client.post(app.url("/api/holds")).header("Idempotency-Key", "one-key").json(&body).send()
    };
    assert_eq!(hold(None).await.unwrap().status(), 201);
    let other = hold(Some(jazz)).await.unwrap();
    assert_eq!(other.status(), 422, "the same key for another concert's tickets is another request");
    assert_eq!(tier_counts_of(&app.store, jazz, Tier::Vip).await.held, 0);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_concert_twice_is_refused_not_listed_twice() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let body = concert_body("Night Jazz");
    let (status, _) = admin(&app, Method::POST, "/api/admin/concerts", Some(body.clone())).await;
    assert_eq!(status, 201);
    let before = concert_rows(&app).await;
    let (status, refused) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("already exists"), "{refused}");
    assert_eq!(concert_rows(&app).await, before, "no second concert, no second set of tiers");
}
