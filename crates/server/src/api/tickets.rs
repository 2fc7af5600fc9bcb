//! `GET /api/tickets`: the catalog with live availability.

use super::ApiError;
use crate::{store::Store, AppState};
use axum::{extract::State, Json};
use model::TierAvailability;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tickets))
}

/// The tiers with their prices and live availability, VIP first.
#[utoipa::path(get, path = "/api/tickets", tag = "catalog",
    responses((status = 200, body = Vec<TierAvailability>), (status = 503, body = super::openapi::ErrorBody)))]
async fn list_tickets(State(store): State<Store>) -> Result<Json<Vec<TierAvailability>>, ApiError> {
    Ok(Json(store.tiers().await?))
}
