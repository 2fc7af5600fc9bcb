//! The OpenAPI document is true to the routes: every documented operation is answered by its handler (not
//! the page's fallback), and the document lists the operations the README promises.

use crate::helpers::{capacities, spawn_app};
use reqwest::Method;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_routed_and_the_document_is_served() {
    let app = spawn_app(capacities(10, 10, 10)).await;
    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let document = serde_json::to_value(server::api::document()).unwrap();
    assert_eq!(served, document);
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));

    let paths = served["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                operations.push(format!("{} {path}", method.to_uppercase()));
                let concrete: String =
                    path.split('/').map(|p| if p.starts_with('{') { "x" } else { p }).collect::<Vec<_>>().join("/");
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let mut request = app.client.request(method.clone(), app.url(&concrete));
                if method == Method::POST || method == Method::PUT {
                    request = request.header("content-type", "application/json").body("{}");
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                let content_type =
                    response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                assert_ne!(status, 405, "{method} {path}: method not routed");
                assert!(!content_type.starts_with("text/html"), "{method} {path} fell through to the page ({status})");
            }
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "GET /api/admin/orders",
            "GET /api/admin/orders.csv",
            "GET /api/admin/sales",
            "GET /api/bookings/{id}",
            "GET /api/concerts",
            "GET /api/concerts/{id}",
            "GET /api/events",
            "GET /api/holds/{id}",
            "GET /api/orders/{code}/{secret}",
            "GET /api/tickets",
            "GET /healthz",
            "GET /metrics",
            "GET /readyz",
            "POST /api/admin/concerts",
            "POST /api/admin/tiers/{tier}/pause",
            "POST /api/admin/tiers/{tier}/resume",
            "POST /api/bookings",
            "POST /api/holds",
            "POST /api/holds/{id}/payment",
            "POST /api/orders/{code}/{secret}/cancel",
            "PUT /api/admin/tiers/{tier}/capacity",
        ]
    );
}
