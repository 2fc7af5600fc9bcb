//! `GET /healthz`: 200 when the database answers, 503 when it does not (what a load balancer polls).

use super::ApiError;
use crate::{store::Store, AppState};
use axum::{extract::State, routing::get, Json, Router};
use serde_json::{json, Value};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(store): State<Store>) -> Result<Json<Value>, ApiError> {
    store.ping().await?;
    Ok(Json(json!({ "status": "ok" })))
}
