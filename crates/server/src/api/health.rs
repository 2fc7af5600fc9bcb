//! `GET /healthz`: 200 when the database answers, 503 when it does not (what a load balancer polls).
//! `GET /readyz`: 200 once the database answers and has every migration this build knows applied.
//! `GET /metrics`: Prometheus text (see `observability.rs`).

use super::ApiError;
use crate::{store::Store, AppState};
use axum::{extract::State, http::header, response::IntoResponse, routing::get, Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health)).route("/readyz", get(ready)).route("/metrics", get(metrics_text))
}

async fn ready(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    store.ready().await?;
    Ok(Json(json!({ "status": "ready" })))
}

async fn metrics_text() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], crate::observability::metrics().render())
}

async fn health(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    store.ping().await?;
    Ok(Json(json!({ "status": "ok" })))
}
