//! Reserved seating over REST: the operator's `PUT /api/admin/concerts/{id}/seating` (a plan, checked)
//! and `PUT /api/admin/concerts/{id}/seats/{seat}` (block or free one seat); everyone's
//! `GET /api/concerts/{id}/seating` (the plan, to draw) and `GET /api/concerts/{id}/seats` (each seat's
//! state).

use super::{concerts::concert_id, json_body::JsonBody, openapi::ErrorBody, ApiError};
use crate::{store::Store, AppState};
use axum::{
    extract::{DefaultBodyLimit, Path, State},
    http::header,
    response::IntoResponse,
    Json,
};
use model::{BookingError, SeatingPlan, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Largest seating plan accepted (a 2,000-seat hall is about 250 KB).
pub const MAX_PLAN_BYTES: usize = 2 * 1024 * 1024;

/// Whether a request is a plan's upload (the API's, or the admin page's call): its body may be up to
/// [`MAX_PLAN_BYTES`].
pub fn is_plan_upload(method: &axum::http::Method, path: &str) -> bool {
    (method == axum::http::Method::PUT && path.starts_with("/api/admin/concerts/") && path.ends_with("/seating"))
        || (method == axum::http::Method::POST && path == "/_fn/admin_set_seating")
}

/// The routes everyone may call.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_plan)).routes(routes!(show_seats))
}

/// The operator's routes (the admin router puts them behind its token).
pub fn admin_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_plan))
        .layer(DefaultBodyLimit::max(MAX_PLAN_BYTES))
        .routes(routes!(block_seat))
}

/// What a new plan came to: its seats per tier.
#[derive(Serialize, ToSchema)]
struct PlanSummary {
    concert_id: i64,
    seats: u32,
    /// Seats per tier: each seated tier's capacity.
    tiers: BTreeMap<Tier, u32>,
}

/// Gives the concert a seating plan (pretix's seating-plan format; a category maps to a tier by its
/// `tier`, or by a name that is a tier's code or name). Each seated tier's capacity becomes its seat count.
/// Refused if a seat held or sold would leave the plan or change tier (409 `seats_in_use`).
#[utoipa::path(put, path = "/api/admin/concerts/{id}/seating", tag = "seating", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id")), request_body = SeatingPlan,
    responses((status = 200, body = PlanSummary), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`seats_in_use`"), super::openapi::BodyErrors))]
async fn set_plan(
    State(store): State<Store>,
    Path(id): Path<String>,
    JsonBody(plan): JsonBody<SeatingPlan>,
) -> Result<Json<PlanSummary>, ApiError> {
    let concert = concert_id(&id)?;
    let tiers = store.set_seating_plan(concert, &plan).await?;
    Ok(Json(PlanSummary { concert_id: concert, seats: tiers.values().sum(), tiers }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockBody {
    /// `true` takes a free seat off sale; `false` puts a blocked seat back.
    blocked: bool,
}

/// Blocks a free seat (off sale, counted as blocked) or frees a blocked one; a held or sold seat is
/// refused (409 `seat_taken`).
#[utoipa::path(put, path = "/api/admin/concerts/{id}/seats/{seat}", tag = "seating", security(("admin_token" = [])),
    params(("id" = String, Path, description = "The concert's id"), ("seat" = String, Path, description = "The seat's id")),
    request_body = BlockBody,
    responses((status = 200, body = model::MapSeat), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), super::openapi::BodyErrors))]
async fn block_seat(
    State(store): State<Store>,
    Path((id, seat)): Path<(String, String)>,
    JsonBody(body): JsonBody<BlockBody>,
) -> Result<Json<model::MapSeat>, ApiError> {
    let concert = concert_id(&id)?;
    store.set_seat_blocked(concert, seat.clone(), body.blocked).await?;
    let seats = store.seats(concert).await?;
    let shown = seats.into_iter().find(|s| s.id == seat).ok_or(BookingError::SeatUnknown(seat))?;
    Ok(Json(shown))
}

/// The concert's seating plan as uploaded, to draw the map; 404 for a concert without one.
#[utoipa::path(get, path = "/api/concerts/{id}/seating", tag = "seating",
    params(("id" = String, Path, description = "The concert's id")),
    responses((status = 200, body = SeatingPlan), super::openapi::LookupErrors))]
async fn show_plan(State(store): State<Store>, Path(id): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let concert = concert_id(&id)?;
    let plan = store.seating_plan(concert).await?.ok_or(BookingError::NoSeatingPlan)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], plan))
}

/// Every seat of the concert's plan with its state (`free`, `held`, `sold`, `blocked`), in plan order;
/// an empty list for a concert without a plan.
#[utoipa::path(get, path = "/api/concerts/{id}/seats", tag = "seating",
    params(("id" = String, Path, description = "The concert's id")),
    responses((status = 200, body = Vec<model::MapSeat>), super::openapi::LookupErrors))]
async fn show_seats(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Vec<model::MapSeat>>, ApiError> {
    let concert = store.listed_concert(concert_id(&id)?).await?;
    Ok(Json(store.seats(concert.id).await?))
}
