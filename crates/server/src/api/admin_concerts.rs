//! The operator's changes to a concert on the shop: `PATCH /api/admin/concerts/{id}` (name, venue, start,
//! and prices of tiers nobody has taken) and `POST /api/admin/concerts/{id}/unpublish` / `…/publish`
//! (off the shop and back, only while nothing is sold or held). Behind the admin token (`admin.rs`).

use super::{concerts::concert_id, json_body::JsonBody, openapi::ErrorBody, ApiError};
use crate::{store::Store, AppState};
use axum::{
    extract::{Path, State},
    Json,
};
use chrono::Utc;
use model::{parse_start_in, parse_time_zone, Concert, ConcertChange, ConcertEdit, PriceOffer, Tier};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(edit_concert)).routes(routes!(unpublish)).routes(routes!(publish))
}

/// What changes; a field left out keeps its value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConcertPatch {
    #[schema(min_length = 1, max_length = 120)]
    name: Option<String>,
    #[schema(min_length = 1, max_length = 120)]
    venue: Option<String>,
    /// The venue's IANA time zone (`Europe/Berlin`). Changed alone, the start stays the same instant.
    #[schema(max_length = 64, example = "Europe/Berlin")]
    time_zone: Option<String>,
    /// RFC 3339, in the future; without an offset (`2027-05-01T20:00`), the venue's wall-clock time.
    starts_at: Option<String>,
    /// New prices, each only for a tier with nothing sold or held.
    #[serde(default)]
    tiers: Vec<PricePatch>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PricePatch {
    #[schema(value_type = Tier)]
    tier: String,
    #[schema(minimum = 0, maximum = 1_000_000)]
    price_cents: i64,
}

/// Changes a concert's name, venue, start, or the prices of tiers none of whose tickets is sold or held.
#[utoipa::path(patch, path = "/api/admin/concerts/{id}", tag = "admin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id")),
    request_body = ConcertPatch,
    responses((status = 200, body = Concert), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              super::openapi::BodyErrors))]
async fn edit_concert(
    State(store): State<Store>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<ConcertPatch>,
) -> Result<Json<Concert>, ApiError> {
    let now = store.concert_by_id(concert_id(&id)?).await?;
    let zone = parse_time_zone(patch.time_zone.as_deref().unwrap_or(&now.zone.name))?;
    let starts_at = match &patch.starts_at {
        Some(text) => parse_start_in(text, zone),
        None => Ok(now.starts_at),
    };
    let prices: Vec<PriceOffer<'_>> =
        patch.tiers.iter().map(|t| PriceOffer { tier: &t.tier, price_cents: t.price_cents }).collect();
    let edit = ConcertEdit::parse(
        patch.name.as_deref().unwrap_or(&now.name),
        patch.venue.as_deref().unwrap_or(&now.venue),
        starts_at,
        &prices,
        Utc::now(),
    )?
    .in_time_zone(zone);
    Ok(Json(store.change_concert(ConcertChange::Edit(now.id, edit)).await?))
}

/// Takes a concert off the shop: its pages, listing and sales are gone for buyers, the operator still sees
/// it. Refused for the home page's concert and for one with tickets sold or held.
#[utoipa::path(post, path = "/api/admin/concerts/{id}/unpublish", tag = "admin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id")),
    responses((status = 200, body = Concert), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn unpublish(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Concert>, ApiError> {
    Ok(Json(store.change_concert(ConcertChange::Publish(concert_id(&id)?, false)).await?))
}

/// Puts an unpublished concert back on the shop.
#[utoipa::path(post, path = "/api/admin/concerts/{id}/publish", tag = "admin", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id")),
    responses((status = 200, body = Concert), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn publish(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Concert>, ApiError> {
    Ok(Json(store.change_concert(ConcertChange::Publish(concert_id(&id)?, true)).await?))
}
