//! The OpenAPI document is true to the router: on every documented path the router answers exactly the
//! documented methods (each by its handler, not the page's fallback; any other method is 405), and the
//! document lists the operations the README promises.

use crate::helpers::{capacities, spawn_app};
use reqwest::Method;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_routed_and_the_document_is_served() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));

    let paths = served["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        let concrete: String =
            path.split('/').map(|p| if p.starts_with('{') { "x" } else { p }).collect::<Vec<_>>().join("/");
        for method in ["get", "post", "put", "patch", "delete"] {
            let documented = item.get(method).is_some();
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // With the admin token, so the admin routes answer by method rather than refuse everyone else.
            let mut request =
                app.client.request(method.clone(), app.url(&concrete)).bearer_auth(crate::helpers::ADMIN_TOKEN);
            if method != Method::GET {
                request = request.header("content-type", "application/json").body("{}");
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            if !documented {
                assert_eq!(status, 405, "{method} {path}: routed, but not in the document");
                continue;
            }
            operations.push(format!("{method} {path}"));
            let content_type =
                response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert_ne!(status, 405, "{method} {path}: in the document, but not routed");
            assert!(!content_type.starts_with("text/html"), "{method} {path} fell through to the page ({status})");
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "DELETE /api/admin/devices/{id}",
            "GET /api/admin/checkin/conflicts",
            "GET /api/admin/devices",
            "GET /api/admin/live",
            "GET /api/admin/mails",
            "GET /api/admin/orders",
            "GET /api/admin/orders.csv",
            "GET /api/admin/sales",
            "GET /api/admin/waitlist",
            "GET /api/bookings/{id}",
            "GET /api/checkin/status",
            "GET /api/checkin/tickets",
            "GET /api/concerts",
            "GET /api/concerts/{id}",
            "GET /api/concerts/{id}/queue/{visitor}",
            "GET /api/concerts/{id}/seating",
            "GET /api/concerts/{id}/seats",
            "GET /api/events",
            "GET /api/events/catalog",
            "GET /api/holds/{id}",
            "GET /api/orders/{code}/{secret}",
            "GET /api/orders/{code}/{secret}/calendar.ics",
            "GET /api/tickets",
            "GET /healthz",
            "GET /metrics",
            "GET /readyz",
            "PATCH /api/admin/concerts/{id}",
            "POST /api/admin/concerts",
            "POST /api/admin/concerts/{id}/publish",
            "POST /api/admin/concerts/{id}/unpublish",
            "POST /api/admin/devices",
            "POST /api/admin/tiers/{tier}/pause",
            "POST /api/admin/tiers/{tier}/resume",
            "POST /api/bookings",
            "POST /api/checkin/redeem",
            "POST /api/concerts/{id}/queue",
            "POST /api/concerts/{id}/waitlist",
            "POST /api/devices/pair",
            "POST /api/holds",
            "POST /api/holds/{id}/payment",
            "POST /api/holds/{id}/release",
            "POST /api/orders/lookup",
            "POST /api/orders/{code}/{secret}/cancel",
            "PUT /api/admin/concerts/{id}/checkin",
            "PUT /api/admin/concerts/{id}/seating",
            "PUT /api/admin/concerts/{id}/seats/{seat}",
            "PUT /api/admin/tiers/{tier}/capacity",
            "PUT /api/admin/waiting_room",
        ]
    );
}

/// The document states the same limits the rules enforce: each is one constant in the model, and utoipa's
/// attributes take only literals, so this is what keeps the two from drifting apart.
#[test]
fn the_documents_limits_are_the_models() {
    let document = serde_json::to_value(server::api::document()).unwrap();
    let field = |schema: &str, field: &str| {
        let property = &document["components"]["schemas"][schema]["properties"][field];
        assert!(property.is_object(), "{schema}.{field} is documented: {}", document["components"]["schemas"][schema]);
        property.clone()
    };
    let limits = [
        (field("HoldBody", "name")["maxLength"].clone(), model::MAX_NAME_CHARS as u64),
        (field("HoldBody", "email")["maxLength"].clone(), model::MAX_EMAIL_CHARS as u64),
        (field("HoldBody", "quantity")["maximum"].clone(), u64::from(model::MAX_TICKETS_PER_ORDER)),
        (field("BookingBody", "user_id")["maxLength"].clone(), model::MAX_USER_ID_CHARS as u64),
        (field("BookingBody", "quantity")["maximum"].clone(), u64::from(model::MAX_TICKETS_PER_ORDER)),
        (field("TierBody", "capacity")["maximum"].clone(), u64::from(model::MAX_TIER_CAPACITY)),
        (field("TierBody", "price_cents")["maximum"].clone(), model::MAX_PRICE.0 as u64),
        (field("CapacityBody", "capacity")["maximum"].clone(), u64::from(model::MAX_TIER_CAPACITY)),
        (field("ConcertBody", "name")["maxLength"].clone(), model::MAX_CONCERT_TEXT as u64),
        (field("ConcertBody", "venue")["maxLength"].clone(), model::MAX_CONCERT_TEXT as u64),
    ];
    for (documented, enforced) in limits {
        assert_eq!(documented.as_f64(), Some(enforced as f64), "documented {documented}, enforced {enforced}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_api_paths_and_wrong_methods_are_answered_in_json() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    for (method, path) in
        [(Method::PUT, "/api/admin/concerts/2/floorplan"), (Method::GET, "/api/nope"), (Method::POST, "/api/")]
    {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: Value = response.json().await.expect("a JSON error, not the page");
        assert_eq!(body["error"], "not_found", "{method} {path}");
    }
    let response = app.client.delete(app.url("/api/tickets")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(allow.contains("GET"), "Allow lists what the route takes: {allow:?}");
    assert_eq!(response.json::<Value>().await.expect("a JSON error")["error"], "method_not_allowed");
    assert_eq!(app.get("/concerts/1").await.status(), 200, "the page's own paths are untouched");
}
