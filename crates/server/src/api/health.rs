//! `GET /healthz`: 200 when the database answers, 503 when it does not (what a load balancer polls).
//! `GET /readyz`: 200 once the database answers and has every migration this build knows applied.
//! `GET /metrics`: Prometheus text (see `observability.rs`).

use super::ApiError;
use crate::{store::Store, AppState};
use axum::{extract::State, http::header, response::IntoResponse, Json};
use serde_json::{json, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready)).routes(routes!(metrics_text))
}

/// 200 once the database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready", body = Object), (status = 503, body = super::openapi::ErrorBody)))]
async fn ready(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    store.ready().await?;
    Ok(Json(json!({ "status": "ready" })))
}

/// Prometheus metrics, text format.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics_text() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::observability::metrics().render())
}

/// 200 when the database answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Up", body = Object), (status = 503, body = super::openapi::ErrorBody)))]
async fn health(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    store.ping().await?;
    Ok(Json(json!({ "status": "ok" })))
}
