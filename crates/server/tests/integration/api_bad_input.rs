//! Every kind of bad input gets a 4xx with a JSON error naming the problem, and changes nothing.

use crate::helpers::{assert_conserved, capacities, spawn_app, tier_counts, TestApp};
use model::Tier;
use serde_json::Value;

struct Case {
    what: &'static str,
    body: String,
    content_type: Option<&'static str>,
    status: u16,
    code: &'static str,
    message_mentions: &'static str,
}

fn json_case(what: &'static str, body: &str, status: u16, code: &'static str, mentions: &'static str) -> Case {
    Case {
        what,
        body: body.to_owned(),
        content_type: Some("application/json"),
        status,
        code,
        message_mentions: mentions,
    }
}

fn cases() -> Vec<Case> {
    let huge_user = format!(r#"{{"user_id": "{}", "tier": "vip", "quantity": 1}}"#, "x".repeat(70 * 1024));
    vec![
        json_case("malformed JSON", r#"{"user_id": "a", "tier": "vip""#, 400, "invalid_json", ""),
        json_case("empty body", "", 400, "invalid_json", ""),
        json_case("not an object", "[1, 2]", 422, "invalid_field", ""),
        json_case(
            "user_id of the wrong type",
            r#"{"user_id": 5, "tier": "vip", "quantity": 1}"#,
            422,
            "invalid_field",
            "user_id",
        ),
        json_case(
            "quantity as a string",
            r#"{"user_id": "a", "tier": "vip", "quantity": "2"}"#,
            422,
            "invalid_field",
            "quantity",
        ),
        json_case(
            "tier of the wrong type",
            r#"{"user_id": "a", "tier": 1, "quantity": 1}"#,
            422,
            "invalid_field",
            "tier",
        ),
        json_case(
            "unknown tier",
            r#"{"user_id": "a", "tier": "balcony", "quantity": 1}"#,
            422,
            "unknown_tier",
            "balcony",
        ),
        json_case("missing tier", r#"{"user_id": "a", "quantity": 1}"#, 422, "invalid_tier", "tier"),
        json_case(
            "a misspelt field",
            r#"{"user_id": "a", "tier": "vip", "quantitiy": 2}"#,
            422,
            "invalid_field",
            "quantitiy",
        ),
        json_case("missing user", r#"{"tier": "vip", "quantity": 1}"#, 422, "invalid_user", "user_id"),
        json_case("empty user", r#"{"user_id": "   ", "tier": "vip", "quantity": 1}"#, 422, "invalid_user", "user_id"),
        json_case("missing quantity", r#"{"user_id": "a", "tier": "vip"}"#, 422, "invalid_quantity", "quantity"),
        json_case(
            "zero quantity",
            r#"{"user_id": "a", "tier": "vip", "quantity": 0}"#,
            422,
            "invalid_quantity",
            "at least 1",
        ),
        json_case(
            "negative quantity",
            r#"{"user_id": "a", "tier": "vip", "quantity": -2}"#,
            422,
            "invalid_quantity",
            "at least 1",
        ),
        json_case(
            "fractional quantity",
            r#"{"user_id": "a", "tier": "vip", "quantity": 1.5}"#,
            422,
            "invalid_quantity",
            "whole",
        ),
        json_case(
            "quantity over the order limit",
            r#"{"user_id": "a", "tier": "vip", "quantity": 11}"#,
            422,
            "invalid_quantity",
            "at most 10",
        ),
        json_case(
            "huge quantity",
            r#"{"user_id": "a", "tier": "vip", "quantity": 18446744073709551616}"#,
            422,
            "invalid_quantity",
            "at most 10",
        ),
        json_case(
            "huge float quantity",
            r#"{"user_id": "a", "tier": "vip", "quantity": 1e300}"#,
            422,
            "invalid_quantity",
            "at most 10",
        ),
        Case {
            what: "body over 64 KiB",
            body: huge_user,
            content_type: Some("application/json"),
            status: 413,
            code: "payload_too_large",
            message_mentions: "65536",
        },
        Case {
            what: "no JSON content type",
            body: r#"{"user_id": "a", "tier": "vip", "quantity": 1}"#.into(),
            content_type: Some("text/plain"),
            status: 415,
            code: "unsupported_media_type",
            message_mentions: "application/json",
        },
    ]
}

async fn post(app: &TestApp, case: &Case) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/bookings")).body(case.body.clone());
    if let Some(content_type) = case.content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.expect("request reaches the server")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_request_gets_a_named_json_error_and_changes_nothing() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let before: Vec<_> = futures::future::join_all(Tier::ALL.map(|t| tier_counts(&app.store, t))).await;
    let mut failures = Vec::new();
    for case in cases() {
        let response = post(&app, &case).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = body["message"].as_str().unwrap_or_default();
        if status != case.status
            || body["error"] != case.code
            || message.is_empty()
            || !message.contains(case.message_mentions)
        {
            failures.push(format!(
                "{}: expected {} {} mentioning {:?}, got {status} {body}",
                case.what, case.status, case.code, case.message_mentions
            ));
        }
    }
    assert!(failures.is_empty(), "wrong answers:\n{}", failures.join("\n"));
    let after: Vec<_> = futures::future::join_all(Tier::ALL.map(|t| tier_counts(&app.store, t))).await;
    assert_eq!(before, after, "bad input changed the database");
    assert_conserved(&app.store).await;
}

/// Every POST that takes a body names a field it does not know instead of ignoring it: a typo is an error,
/// not a default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_refused_by_name_on_every_post() {
    let app = spawn_app(capacities(5, 5, 5)).await;
    let token = crate::helpers::ADMIN_TOKEN;
    let cases = [
        ("POST", "/api/bookings", r#"{"user_id": "a", "tier": "vip", "quantity": 1, "coupon": "FREE"}"#, "coupon"),
        ("POST", "/api/holds", r#"{"tier": "vip", "quantity": 1, "name": "A", "email": "a@b.org", "seat": 7}"#, "seat"),
        (
            "POST",
            "/api/holds/h_x/payment",
            r#"{"card_number": "4242424242424242", "expiry": "12/35", "cvc": "123", "pin": "1"}"#,
            "pin",
        ),
        (
            "POST",
            "/api/admin/concerts",
            r#"{"name": "A", "venue": "B", "starts_at": "2030-01-01T20:00:00Z", "tiers": [{"tier": "vip", "price_cents": 1, "capacity": 1, "colour": "red"}]}"#,
            "colour",
        ),
        ("PUT", "/api/admin/tiers/vip/capacity", r#"{"capacity": 7, "capacityy": 8}"#, "capacityy"),
    ];
    for (method, path, body, field) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            (status.as_u16(), answer["error"].as_str()),
            (422, Some("invalid_field")),
            "{method} {path}: {answer}"
        );
        assert!(
            answer["message"].as_str().unwrap_or_default().contains(field),
            "{method} {path} names `{field}`: {answer}"
        );
    }
    let concerts: Value = app.get("/api/concerts").await.json().await.unwrap();
    assert_eq!(concerts.as_array().map(Vec::len), Some(1), "no concert was created");
    assert_eq!(tier_counts(&app.store, Tier::Vip).await.sold + tier_counts(&app.store, Tier::Vip).await.held, 0);
}
