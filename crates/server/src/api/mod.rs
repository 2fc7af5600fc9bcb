//! The JSON REST API for programs. Handlers are thin: parse with the model's rules, call the store, map
//! errors in one place (`error.rs`).

pub mod admin;
mod admin_concerts;
mod admin_mails;
mod bookings;
mod checkin;
mod concerts;
mod error;
mod events;
mod health;
mod holds;
mod idempotency;
mod json_body;
pub mod openapi;
mod orders;
mod queue;
pub mod seating;
mod tickets;
mod waitlist;

pub use error::ApiError;

use crate::AppState;
use axum::{
    extract::DefaultBodyLimit,
    routing::{any, get},
    Json, Router,
};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Request bodies above this are refused with 413 (`body_limit.rs`); the extractors' own limit stays as a
/// second line.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The REST routes and, at `/api/openapi.json`, their OpenAPI document. Every other path under `/api/`, and
/// every method a route does not take, is answered in JSON too (404 `not_found`, 405 `method_not_allowed`
/// with `Allow`), never with the page's HTML.
pub fn router(admin_token: admin::AdminToken) -> Router<AppState> {
    let (routes, document) = documented_routes(admin_token).split_for_parts();
    let document = Arc::new(document);
    routes
        .route("/api/openapi.json", get(move || async move { Json(document.as_ref().clone()) }))
        .route("/api/{*rest}", any(no_route))
        .route("/api/", any(no_route))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The OpenAPI document, as `/api/openapi.json` serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    documented_routes(admin::AdminToken::default()).split_for_parts().1
}

fn documented_routes(admin_token: admin::AdminToken) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(tickets::router())
        .merge(concerts::router())
        .merge(bookings::router())
        .merge(holds::router())
        .merge(queue::router())
        .merge(orders::router())
        .merge(health::router())
        .merge(events::router())
        .merge(seating::router())
        .merge(checkin::router())
        .merge(waitlist::router())
        .merge(admin::router(admin_token))
}

async fn no_route() -> ApiError {
    ApiError::NoRoute
}
