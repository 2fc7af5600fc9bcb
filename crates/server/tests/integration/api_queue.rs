//! The waiting room over HTTP: joining (the visitor's cookie keeps one place), admission by the background
//! job, the pass, and every way around it refused — no pass, a forged one, another concert's, an expired
//! one — with nothing taken.

use crate::{
    api_admin::admin,
    helpers::{assert_conserved, capacities, spawn_app, tier_counts_of, TestApp},
};
use chrono::{Duration, Utc};
use model::Tier;
use reqwest::Method;
use serde_json::{json, Value};

async fn room_concert(app: &TestApp, opens_in_ms: i64) -> i64 {
    let body = json!({
        "name": format!("Queue Night {opens_in_ms}"), "venue": "Blue Hall",
        "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "sales_open_at": (Utc::now() + Duration::milliseconds(opens_in_ms)).to_rfc3339(),
        "waiting_room": { "enabled": true, "rate_per_minute": 600, "prequeue_minutes": 5, "window_minutes": 1 },
        "tiers": [{ "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let (status, created) = admin(app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["waiting_room"]["rate_per_minute"], 600, "the concert shows its room: {created}");
    created["id"].as_i64().unwrap()
}

fn visitor_cookie(response: &reqwest::Response) -> String {
    let cookie = response.headers().get("set-cookie").expect("a cookie").to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    cookie.split(';').next().unwrap().to_owned()
}

async fn hold(app: &TestApp, concert: i64, pass: Option<(&str, &str)>) -> (u16, Value) {
    let body =
        json!({ "concert_id": concert, "tier": "general", "quantity": 2, "name": "Ada", "email": "ada@example.org" });
    let mut request = app.client.post(app.url("/api/holds")).json(&body);
    if let Some((header, value)) = pass {
        request = request.header(header, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_joins_is_admitted_and_holds_with_the_pass_and_nobody_gets_around_it() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let concert = room_concert(&app, 1_500).await;

    let joined = app.client.post(app.url(&format!("/api/concerts/{concert}/queue"))).send().await.unwrap();
    assert_eq!(joined.status(), 201);
    let cookie = visitor_cookie(&joined);
    let place: Value = joined.json().await.unwrap();
    assert_eq!((place["status"].as_str(), place["place"].is_null()), (Some("waiting"), true), "{place}");
    let visitor = place["visitor"].as_str().unwrap().to_owned();
    let again = app.client.post(app.url(&format!("/api/concerts/{concert}/queue"))).header("cookie", &cookie);
    let again = again.send().await.unwrap();
    assert_eq!(again.status(), 200, "joining again with the cookie is the same visitor");
    assert_eq!(again.json::<Value>().await.unwrap()["visitor"], visitor.as_str());

    let (status, refused) = hold(&app, concert, None).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("not_on_sale_yet")), "{refused}");

    // The admission job admits within a second or two of the opening.
    let deadline = Utc::now() + Duration::seconds(10);
    let shown = loop {
        let shown: Value = app.get(&format!("/api/concerts/{concert}/queue/{visitor}")).await.json().await.unwrap();
        if shown["status"] == "admitted" {
            break shown;
        }
        assert!(Utc::now() < deadline, "not admitted 10 s after joining: {shown}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(shown["place"], 1, "{shown}");
    let token = shown["token"].as_str().expect("a pass once admitted").to_owned();

    let before = tier_counts_of(&app.store, concert, Tier::General).await;
    let window_end = Utc::now() + Duration::minutes(1);
    let other_concert = app.state.passes.issue(1, &visitor, 1, window_end);
    let expired = app.state.passes.issue(concert, &visitor, 1, Utc::now() - Duration::seconds(1));
    let forged = {
        let mut forged = token.clone();
        forged.replace_range(forged.len() - 4.., "AAAA");
        forged
    };
    for (pass, code) in [
        (None, "queue_required"),
        (Some(("queue-token", forged.as_str())), "queue_token_invalid"),
        (Some(("queue-token", other_concert.as_str())), "queue_token_invalid"),
        (Some(("queue-token", expired.as_str())), "queue_token_expired"),
        (Some(("queue-token", "not.a.token")), "queue_token_invalid"),
    ] {
        let (status, refused) = hold(&app, concert, pass).await;
        assert_eq!((status, refused["error"].as_str()), (403, Some(code)), "{pass:?}: {refused}");
    }
    let booking = json!({ "concert_id": concert, "user_id": "bo@example.org", "tier": "general", "quantity": 1 });
    let refused = app.post_json("/api/bookings", booking.clone()).await;
    assert_eq!(refused.status(), 403, "a one-step booking needs the pass too");
    assert_eq!(tier_counts_of(&app.store, concert, Tier::General).await, before, "no refusal took a ticket");

    let (status, held) = hold(&app, concert, Some(("queue-token", &token))).await;
    assert_eq!(status, 201, "{held}");
    let pass_cookie = format!("boxoffice_queue_pass_{concert}={token}");
    let (status, held) = hold(&app, concert, Some(("cookie", &pass_cookie))).await;
    assert_eq!(status, 201, "the page's cookie carries the pass too: {held}");
    let booked = app.client.post(app.url("/api/bookings")).header("queue-token", &token).json(&booking);
    assert_eq!(booked.send().await.unwrap().status(), 201);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_visitors_and_concerts_without_a_room_are_404_and_a_room_needs_an_opening() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let concert = room_concert(&app, 60_000).await;
    let unknown: Value = app.get(&format!("/api/concerts/{concert}/queue/v_nobody")).await.json().await.unwrap();
    assert_eq!(unknown["error"], "visitor_not_found");
    let no_room = app.client.post(app.url("/api/concerts/1/queue")).send().await.unwrap();
    assert_eq!(no_room.status(), 404);
    assert_eq!(no_room.json::<Value>().await.unwrap()["error"], "no_waiting_room");
    let nowhere = app.client.post(app.url("/api/concerts/999/queue")).send().await.unwrap();
    assert_eq!(nowhere.json::<Value>().await.unwrap()["error"], "concert_not_found");
    // Without a room the default concert sells without a pass.
    let plain = json!({ "tier": "general", "quantity": 1, "name": "Ada", "email": "ada@example.org" });
    assert_eq!(app.post_json("/api/holds", plain).await.status(), 201);

    let body = json!({
        "name": "No Opening", "venue": "Blue Hall", "starts_at": (Utc::now() + Duration::days(60)).to_rfc3339(),
        "waiting_room": { "enabled": true },
        "tiers": [{ "tier": "general", "price_cents": 2500, "capacity": 40 }]
    });
    let (status, refused) = admin(&app, Method::POST, "/api/admin/concerts", Some(body)).await;
    assert_eq!((status, refused["error"].as_str()), (422, Some("invalid_concert")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("sales opening"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn joining_is_rate_limited_per_address() {
    let app = crate::helpers::spawn_app_limited(capacities(5, 5, 5), server::store::SaleSettings::default(), 2).await;
    let concert = room_concert(&app, 60_000).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let joined = app.client.post(app.url(&format!("/api/concerts/{concert}/queue"))).send().await.unwrap();
        statuses.push(joined.status().as_u16());
    }
    // The operator's post that created the concert counted too: two posts a second from one address.
    assert_eq!(statuses, [201, 429, 429, 429], "past the limit a join is refused");
    let joined: i64 = sqlx::query_scalar("SELECT joined FROM waiting_rooms WHERE event_id = $1")
        .bind(concert)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(joined, 1, "a refused join takes no place");
}

/// A `Queue-Token` header that cannot be a pass is bad input wherever it goes, room or no room (the
/// OpenAPI document says as much): 400 naming it, nothing taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_token_header_that_cannot_be_a_pass_is_refused_by_name() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let before = tier_counts_of(&app.store, 1, Tier::General).await;
    let body = json!({ "tier": "general", "quantity": 1, "name": "Ada", "email": "ada@example.org" });
    let long = "a".repeat(server::queue_pass::MAX_HEADER_CHARS + 1);
    for path in ["/api/holds", "/api/bookings"] {
        let body = if path == "/api/bookings" {
            json!({ "tier": "general", "quantity": 1, "user_id": "ada" })
        } else {
            body.clone()
        };
        for headers in [vec![long.as_str()], vec!["x.y.z", "x.y.z"], vec!["two words"]] {
            let mut request = app.client.post(app.url(path)).json(&body);
            for value in &headers {
                request = request.header("queue-token", *value);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 400, "{path} with {} header(s)", headers.len());
            let refused: Value = answer.json().await.unwrap();
            assert_eq!(refused["error"], "invalid_queue_token", "{refused}");
        }
    }
    assert_eq!(tier_counts_of(&app.store, 1, Tier::General).await, before, "nothing taken");
    let fine = app.client.post(app.url("/api/holds")).header("queue-token", "x.y.z").json(&body);
    assert_eq!(fine.send().await.unwrap().status(), 201, "a concert without a room ignores a well-formed pass");
}
