//! `GET /api/tickets`: the catalog with live availability.

use super::ApiError;
use crate::{store::Store, AppState};
use axum::{extract::State, routing::get, Json, Router};
use model::TierAvailability;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/tickets", get(list_tickets))
}

async fn list_tickets(State(store): State<Store>) -> Result<Json<Vec<TierAvailability>>, ApiError> {
    Ok(Json(store.tiers().await?))
}
