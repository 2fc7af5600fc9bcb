//! Reserved seating over HTTP, on either database: a plan uploaded (bad ones refused naming the problem,
//! nothing stored), seats held all or nothing, paid, released, blocked; races for the same seats.

use crate::{
    api_admin::admin,
    helpers::{assert_conserved, capacities, spawn_app, tier_counts, TestApp},
};
use model::Tier;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const CLUB: &str = include_str!("../../fixtures/seating/club.json");
const HALL: &str = include_str!("../../fixtures/seating/hall.json");

fn plan(text: &str) -> Value {
    serde_json::from_str(text).expect("a fixture is JSON")
}

async fn seated(app: &TestApp, text: &str) -> Value {
    let concert = app.store.default_event_id();
    let (status, summary) =
        admin(app, Method::PUT, &format!("/api/admin/concerts/{concert}/seating"), Some(plan(text))).await;
    assert_eq!(status, 200, "{summary}");
    summary
}

async fn hold_seats(app: &TestApp, seats: &[&str], email: &str) -> (u16, Value) {
    let tier = if seats[0].contains("-A-") || seats[0].contains("-B-") { "vip" } else { "front_row" };
    let body = json!({ "tier": tier, "seats": seats, "name": "Ada", "email": email });
    let response = app.post_json("/api/holds", body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn seat_states(app: &TestApp) -> Vec<(String, String)> {
    let concert = app.store.default_event_id();
    let seats: Value = app.get(&format!("/api/concerts/{concert}/seats")).await.json().await.unwrap();
    seats
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().into(), s["state"].as_str().unwrap().into()))
        .collect()
}

fn state_of<'a>(states: &'a [(String, String)], seat: &str) -> &'a str {
    states.iter().find(|(id, _)| id == seat).map(|(_, state)| state.as_str()).unwrap_or("none")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_seats_its_tiers_and_seats_are_held_paid_and_freed_exactly() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let summary = seated(&app, CLUB).await;
    assert_eq!((summary["seats"].as_u64(), &summary["tiers"]), (Some(72), &json!({"vip": 24, "front_row": 48})));
    let concert: Value =
        app.get(&format!("/api/concerts/{}", app.store.default_event_id())).await.json().await.unwrap();
    let vip = concert["tiers"].as_array().unwrap().iter().find(|t| t["tier"] == "vip").unwrap().clone();
    assert_eq!((vip["capacity"].as_u64(), vip["seated"].as_bool()), (Some(24), Some(true)), "{vip}");
    assert_eq!(seat_states(&app).await.len(), 72);

    let (status, hold) = hold_seats(&app, &["club-A-5", "club-A-6"], "ada@example.org").await;
    assert_eq!(status, 201, "{hold}");
    let seats: Vec<&str> = hold["seats"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!((seats, hold["quantity"].as_u64()), (vec!["club-A-5", "club-A-6"], Some(2)));
    assert_eq!(hold["seats"][0]["row"], "A");

    // All or nothing: one taken seat refuses the whole hold and names it; the free one stays free.
    let (status, refused) = hold_seats(&app, &["club-A-6", "club-A-7"], "bea@example.org").await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("seat_taken")), "{refused}");
    assert_eq!(refused["seats"], json!(["club-A-6"]), "the refusal names the taken seat only");
    let states = seat_states(&app).await;
    assert_eq!((state_of(&states, "club-A-6"), state_of(&states, "club-A-7")), ("held", "free"));

    let id = hold["id"].as_str().unwrap();
    let card = json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let paid = app.post_json(&format!("/api/holds/{id}/payment"), card).await;
    assert_eq!(paid.status(), 201);
    let order: Value = paid.json().await.unwrap();
    let ticket_seats: Vec<&str> =
        order["tickets"].as_array().unwrap().iter().map(|t| t["seat"]["id"].as_str().unwrap()).collect();
    assert_eq!(ticket_seats, ["club-A-5", "club-A-6"], "each ticket carries its seat");
    assert_eq!(
        (order["tickets"][0]["number"].as_u64(), order["tickets"][0]["seat"]["number"].as_str()),
        (Some(1), Some("5"))
    );
    let states = seat_states(&app).await;
    assert_eq!((state_of(&states, "club-A-5"), state_of(&states, "club-A-6")), ("sold", "sold"));

    // Releasing a hold frees exactly its seats.
    let (_, second) = hold_seats(&app, &["club-C-1", "club-C-2", "club-C-3"], "cy@example.org").await;
    let released = app.client.post(app.url(&format!("/api/holds/{}/release", second["id"].as_str().unwrap())));
    assert_eq!(released.send().await.unwrap().status(), 200);
    let states = seat_states(&app).await;
    assert!(["club-C-1", "club-C-2", "club-C-3"].iter().all(|s| state_of(&states, s) == "free"), "{states:?}");

    // Cancelling the order frees its seats.
    let (code, secret) = (order["code"].as_str().unwrap(), order["secret"].as_str().unwrap());
    let cancelled = app.client.post(app.url(&format!("/api/orders/{code}/{secret}/cancel"))).send().await.unwrap();
    assert_eq!(cancelled.status(), 200, "{}", cancelled.text().await.unwrap());
    assert_eq!(state_of(&seat_states(&app).await, "club-A-5"), "free");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn best_available_picks_adjacent_seats_nearest_the_stage() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    seated(&app, CLUB).await;
    let body = json!({ "tier": "front_row", "quantity": 3, "best_available": true, "name": "Ada", "email": "ada@example.org" });
    let response = app.post_json("/api/holds", body).await;
    assert_eq!(response.status(), 201);
    let hold: Value = response.json().await.unwrap();
    let seats: Vec<&str> = hold["seats"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    // Row C is the front row of Front Row; its centre seats 5–7 or 6–8 are nearest the stage's centre.
    assert!(seats.iter().all(|s| s.starts_with("club-C-")), "{seats:?}");
    let numbers: Vec<u32> = seats.iter().map(|s| s.rsplit('-').next().unwrap().parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "adjacent: {numbers:?}");
    assert!(numbers.contains(&6) && numbers.contains(&7), "at the centre: {numbers:?}");
    let both = json!({ "tier": "vip", "seats": ["club-A-1"], "best_available": true, "name": "A", "email": "a@b.org" });
    let refused: Value = app.post_json("/api/holds", both).await.json().await.unwrap();
    assert_eq!(refused["error"], "invalid_seats", "{refused}");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_buyers_for_the_same_two_seats_make_exactly_one_hold() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    seated(&app, CLUB).await;
    let mut buyers = Vec::new();
    for n in 0..200 {
        let (client, url) = (app.client.clone(), app.url("/api/holds"));
        buyers.push(tokio::spawn(async move {
            let body = json!({ "tier": "vip", "seats": ["club-B-6", "club-B-7"], "name": "Ada", "email": format!("b{n}@example.org") });
            let response = client.post(url).json(&body).send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }));
    }
    let mut held = 0;
    for buyer in buyers {
        match buyer.await.unwrap() {
            (201, _) => held += 1,
            (409, refused) => assert_eq!(refused["error"], "seat_taken", "{refused}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(held, 1, "exactly one hold of the two seats");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.seats_held, 2);
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_best_available_never_hands_out_a_seat_twice() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    seated(&app, HALL).await;
    let mut buyers = Vec::new();
    for n in 0..120 {
        let (client, url) = (app.client.clone(), app.url("/api/holds"));
        buyers.push(tokio::spawn(async move {
            let body =
                json!({ "tier": "vip", "quantity": 1 + n % 4, "name": "Ada", "email": format!("b{n}@example.org") });
            let response = client.post(url).json(&body).send().await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }));
    }
    let mut seen = BTreeSet::new();
    let mut taken = 0;
    for buyer in buyers {
        let (status, hold) = buyer.await.unwrap();
        if status == 409 {
            // 120 buyers of 1–4 ask for 300 of the 200 VIP seats: a refusal says how few were left.
            assert_eq!(hold["error"], "sold_out", "{hold}");
            assert!(hold["available"].as_u64().unwrap() < 4, "refused with seats enough left: {hold}");
            continue;
        }
        assert_eq!(status, 201, "{hold}");
        for seat in hold["seats"].as_array().unwrap() {
            assert!(seen.insert(seat["id"].as_str().unwrap().to_owned()), "{seat} handed out twice");
            taken += 1;
        }
    }
    assert_eq!(taken, tier_counts(&app.store, Tier::Vip).await.seats_held);
    assert!(taken > 196, "the seats ran out before the buyers did: {taken} taken");
    assert_conserved(&app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_plans_are_refused_naming_the_problem_and_nothing_is_stored() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let concert = app.store.default_event_id();
    let path = format!("/api/admin/concerts/{concert}/seating");
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    let mut bad = |what: &'static str, change: &dyn Fn(&mut Value), expect: &'static str| {
        let mut plan = plan(CLUB);
        change(&mut plan);
        cases.push((what, plan, expect));
    };
    bad("duplicate id", &|p| p["zones"][0]["rows"][1]["seats"][0]["seat_guid"] = "club-A-1".into(), "appears twice");
    bad(
        "unknown category",
        &|p| p["zones"][0]["rows"][0]["seats"][0]["category"] = "Balcony".into(),
        "not in categories",
    );
    bad("a category no tier", &|p| p["categories"][0]["tier"] = "balcony".into(), "not a tier of the concert");
    bad("seat outside", &|p| p["zones"][0]["rows"][0]["position"]["y"] = 99_999.into(), "outside the plan's size");
    bad("empty row", &|p| p["zones"][0]["rows"][2]["seats"] = json!([]), "has no seats");
    bad("no zones", &|p| p["zones"] = json!([]), "no seats");
    bad("zero size", &|p| p["size"]["width"] = 0.into(), "positive numbers");
    bad("empty seat id", &|p| p["zones"][0]["rows"][0]["seats"][0]["seat_guid"] = "".into(), "seat_guid");
    bad("wrong type", &|p| p["zones"][0]["rows"][0]["seats"] = "many".into(), "invalid type");
    bad("missing size", &|p| p.as_object_mut().unwrap().remove("size").map(|_| ()).unwrap(), "size");
    for (what, plan, expect) in cases {
        let (status, error) = admin(&app, Method::PUT, &path, Some(plan)).await;
        assert_eq!(status, 422, "{what}: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(expect), "{what}: {error}");
    }
    let (status, _) = admin(&app, Method::PUT, "/api/admin/concerts/99999/seating", Some(plan(CLUB))).await;
    assert_eq!(status, 404, "an unknown concert");
    let huge = json!({ "name": "x".repeat(10 * 1024 * 1024) });
    let (status, error) = admin(&app, Method::PUT, &path, Some(huge)).await;
    assert_eq!((status, error["error"].as_str()), (413, Some("payload_too_large")), "{error}");
    let forged = app.client.put(app.url(&path)).bearer_auth("not-the-token").json(&plan(CLUB)).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    assert!(seat_states(&app).await.is_empty(), "nothing stored");
    assert_eq!(app.get(&format!("/api/concerts/{concert}/seating")).await.status(), 404);
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.capacity, 5, "the tier is as it was");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_keeps_every_seat_in_use_and_blocked_seats_are_off_sale() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let concert = app.store.default_event_id();
    seated(&app, CLUB).await;
    let (status, _) = hold_seats(&app, &["club-A-1"], "ada@example.org").await;
    assert_eq!(status, 201);

    // A plan without the held seat is refused; one that keeps it (and adds a row) is taken.
    let mut smaller = plan(CLUB);
    smaller["zones"][0]["rows"].as_array_mut().unwrap().remove(0);
    let path = format!("/api/admin/concerts/{concert}/seating");
    let (status, refused) = admin(&app, Method::PUT, &path, Some(smaller)).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("seats_in_use")), "{refused}");
    let (status, summary) = admin(&app, Method::PUT, &path, Some(plan(CLUB))).await;
    assert_eq!((status, summary["seats"].as_u64()), (200, Some(72)), "{summary}");
    assert_eq!(state_of(&seat_states(&app).await, "club-A-1"), "held", "a kept seat keeps its state");

    let block = |seat: &'static str, blocked: bool| {
        let app = &app;
        async move {
            let path = format!("/api/admin/concerts/{concert}/seats/{seat}");
            admin(app, Method::PUT, &path, Some(json!({ "blocked": blocked }))).await
        }
    };
    let (status, shown) = block("club-A-2", true).await;
    assert_eq!((status, shown["state"].as_str()), (200, Some("blocked")), "{shown}");
    let (status, refused) = hold_seats(&app, &["club-A-2"], "bea@example.org").await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("seat_taken")));
    let (status, refused) = block("club-A-1", true).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("seat_taken")), "a held seat cannot be blocked");
    let (status, _) = block("nope", true).await;
    assert_eq!(status, 404);
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.blocked, 1);
    let (_, sales) = admin(&app, Method::GET, "/api/admin/sales", None).await;
    let vip = sales.as_array().unwrap().iter().find(|t| t["tier"] == "vip").unwrap().clone();
    assert_eq!(
        (vip["blocked"].as_u64(), vip["held"].as_u64(), vip["available"].as_u64()),
        (Some(1), Some(1), Some(22)),
        "{vip}"
    );
    assert_conserved(&app.store).await;
    let (status, _) = block("club-A-2", false).await;
    assert_eq!(status, 200);
    assert_eq!(hold_seats(&app, &["club-A-2"], "bea@example.org").await.0, 201);

    // A seated tier's capacity is its seats.
    let (status, refused) =
        admin(&app, Method::PUT, "/api/admin/tiers/vip/capacity", Some(json!({ "capacity": 3 }))).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("tier_seated")), "{refused}");
    assert_conserved(&app.store).await;
}

/// 50 VIP seats in 5 rows of 10.
fn fifty_seats() -> Value {
    let rows: Vec<Value> = (0..5)
        .map(|r| {
            let seats: Vec<Value> = (0..10)
                .map(|s| {
                    json!({"seat_guid": format!("r{r}s{s}"), "seat_number": format!("{}", s + 1),
                                "position": {"x": 10 + 10 * s, "y": 10 + 10 * r}, "category": "VIP"})
                })
                .collect();
            json!({"row_number": format!("{}", r + 1), "seats": seats})
        })
        .collect();
    json!({"categories": [{"name": "VIP"}], "size": {"width": 120, "height": 70}, "zones": [{"name": "Floor", "rows": rows}]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_never_sell_a_seat_twice_and_every_refusal_names_a_seat() {
    let database = crate::helpers::fresh_database().await;
    let instances =
        std::sync::Arc::new(crate::scale_out::start_three(&database.url, "vip=10,front_row=10,general=10").await);
    let store = crate::helpers::open_store_at(&database.url).await;
    let plan: model::SeatingPlan = serde_json::from_value(fifty_seats()).unwrap();
    let offered = [(Tier::Vip, "VIP".to_owned())];
    store.set_seating(store.default_event_id(), plan.checked(&offered).unwrap(), "{}".into()).await.unwrap();

    let client = reqwest::Client::new();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(300));
    let buyers: Vec<_> = (0..300usize)
        .map(|n| {
            let (instances, barrier, client) = (instances.clone(), barrier.clone(), client.clone());
            // 1–4 distinct seats of the 50, spread by a multiplicative step.
            let wanted: Vec<String> =
                (0..1 + n % 4).map(|k| (n * 7 + k * 13) % 50).map(|i| format!("r{}s{}", i / 10, i % 10)).collect();
            tokio::spawn(async move {
                let body =
                    json!({ "tier": "vip", "seats": wanted, "name": "Ada", "email": format!("b{n}@example.org") });
                barrier.wait().await;
                let response = client.post(instances[n % 3].url("/api/holds")).json(&body).send().await.unwrap();
                (wanted, response.status().as_u16(), response.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut sold = BTreeSet::new();
    for buyer in buyers {
        let (wanted, status, answer) = buyer.await.unwrap();
        match status {
            201 => {
                for seat in answer["seats"].as_array().unwrap() {
                    assert!(sold.insert(seat["id"].as_str().unwrap().to_owned()), "{seat} held twice");
                }
            }
            409 => {
                assert_eq!(answer["error"], "seat_taken", "{answer}");
                let named: Vec<&str> =
                    answer["seats"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
                assert!(
                    !named.is_empty() && named.iter().all(|s| wanted.iter().any(|w| w == s)),
                    "{answer} for {wanted:?}"
                );
            }
            other => panic!("unexpected {other}: {answer}"),
        }
    }
    let counts = tier_counts(&store, Tier::Vip).await;
    assert_eq!(counts.seats_held as usize, sold.len(), "every seat held is in exactly one answer");
    assert!(sold.len() >= 20, "buyers got seats: {}", sold.len());
    assert_conserved(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_seats_the_default_concert_from_its_plan_file_once() {
    let database = crate::helpers::fresh_database().await;
    let hall = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seating/hall.json");
    let env = [("BOXOFFICE_SEATING_PLAN", hall)];
    let client = reqwest::Client::new();
    for start in 0..2 {
        let server =
            crate::helpers::ServerProcess::start_with(&database.url, "vip=5,front_row=5,general=50", &env, None).await;
        let concerts: Value = client.get(server.url("/api/concerts")).send().await.unwrap().json().await.unwrap();
        let concert = concerts[0]["id"].as_i64().unwrap();
        let seats: Value = client
            .get(server.url(&format!("/api/concerts/{concert}/seats")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(seats.as_array().unwrap().len(), 2_000, "start {start}");
        if start == 0 {
            let body = json!({ "tier": "vip", "quantity": 2, "name": "Ada", "email": "ada@example.org" });
            let held = client.post(server.url("/api/holds")).json(&body).send().await.unwrap();
            assert_eq!(held.status(), 201);
        }
        let tickets: Value = client.get(server.url("/api/tickets")).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            (tickets[0]["capacity"].as_u64(), tickets[0]["available"].as_u64()),
            (Some(200), Some(198)),
            "start {start}: the hold kept"
        );
    }
}

/// The admin page's upload is a server function call whose body (the hall: 190 KB as a form) is over the
/// 64 KiB every other body gets: it has the plan's limit too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_uploads_a_plan_larger_than_other_bodies() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    let concert = app.store.default_event_id().to_string();
    assert!(HALL.len() > 64 * 1024, "the hall is larger than the common limit");
    let form = [("token", crate::helpers::ADMIN_TOKEN), ("concert", concert.as_str()), ("plan", HALL)];
    let response = app
        .client
        .post(app.url("/_fn/admin_set_seating"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer, json!({"Ok": [["vip", 200], ["front_row", 1800]]}), "{answer}");
    assert_eq!(seat_states(&app).await.len(), 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quantity_must_count_the_seats_and_a_tier_sold_by_quantity_is_not_seated() {
    let app = spawn_app(capacities(5, 5, 50)).await;
    // VIP sold by quantity first: a plan may not seat it any more.
    let body = json!({ "tier": "vip", "quantity": 1, "name": "Ada", "email": "ada@example.org" });
    assert_eq!(app.post_json("/api/holds", body).await.status(), 201);
    let concert = app.store.default_event_id();
    let path = format!("/api/admin/concerts/{concert}/seating");
    let (status, refused) = admin(&app, Method::PUT, &path, Some(plan(CLUB))).await;
    assert_eq!((status, refused["error"].as_str()), (409, Some("seats_in_use")), "{refused}");
    assert!(seat_states(&app).await.is_empty(), "nothing stored");

    let app = spawn_app(capacities(5, 5, 50)).await;
    seated(&app, CLUB).await;
    let body = json!({ "tier": "vip", "seats": ["club-A-1", "club-A-2"], "quantity": 3, "name": "Ada", "email": "ada@example.org" });
    let refused: Value = app.post_json("/api/holds", body).await.json().await.unwrap();
    assert_eq!(refused["error"], "invalid_quantity", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("number of seats chosen (2)"), "{refused}");
    let body = json!({ "tier": "vip", "seats": ["club-A-1", "club-A-1"], "name": "Ada", "email": "ada@example.org" });
    let refused: Value = app.post_json("/api/holds", body).await.json().await.unwrap();
    assert_eq!(refused["error"], "invalid_seats", "a seat named twice: {refused}");
    assert!(seat_states(&app).await.iter().all(|(_, state)| state == "free"));
    assert_conserved(&app.store).await;
}
