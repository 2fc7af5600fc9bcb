//! `POST /api/bookings` and `GET /api/bookings/{id}`: the one-step sale of the system we replace, kept for
//! its programs (straight to sold; no hold, no card). The answer now also carries the order's `secret`.
//!
//! The body's fields are read loosely (optional, quantity as any JSON number) so that a missing user or a
//! fractional quantity is answered by the model's rules with a precise message, not a decoder's.

use super::{idempotency::KeyHeader, json_body::JsonBody, ApiError};
use crate::{
    queue_pass::{PassSources, QueuePasses},
    store::{fingerprint, Store},
    AppState,
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use model::{Booking, BookingError, BookingRequest, Quantity};
use serde::Deserialize;
use serde_json::Number;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_booking)).routes(routes!(show_booking))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BookingBody {
    /// The concert (see `GET /api/concerts`); the default concert when left out.
    #[schema(minimum = 1)]
    concert_id: Option<i64>,
    /// Who books: any id of the calling program's, 1–200 characters.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    user_id: Option<String>,
    #[schema(value_type = model::Tier)]
    tier: Option<String>,
    /// Tickets, 1–10.
    #[schema(value_type = u32, minimum = 1, maximum = 10)]
    quantity: Option<Number>,
}

pub(super) fn quantity_of(number: Option<&Number>) -> Result<Quantity, BookingError> {
    let number = number.ok_or(BookingError::QuantityMissing)?;
    match (number.as_i64(), number.as_u64(), number.as_f64()) {
        (Some(count), _, _) => Quantity::new(count),
        (None, Some(_), _) => Err(BookingError::QuantityTooLarge { max: model::MAX_TICKETS_PER_ORDER }),
        (None, None, Some(count)) => Quantity::from_f64(count),
        (None, None, None) => Err(BookingError::QuantityNotANumber),
    }
}

/// Books at once (no hold, no card): a paid order. The answer carries the order's `secret`.
#[utoipa::path(post, path = "/api/bookings", tag = "bookings", request_body = BookingBody,
    params(super::openapi::IdempotencyKeyHeader, super::openapi::QueueTokenHeader),
    responses((status = 201, body = Booking), super::openapi::BodyErrors))]
async fn create_booking(
    State(store): State<Store>,
    State(passes): State<QueuePasses>,
    sources: PassSources,
    key: KeyHeader,
    JsonBody(body): JsonBody<BookingBody>,
) -> Result<(StatusCode, Json<Booking>), ApiError> {
    let mut request = BookingRequest::parse(
        body.user_id.as_deref().unwrap_or_default(),
        body.tier.as_deref().unwrap_or_default(),
        quantity_of(body.quantity.as_ref()),
    )?
    .for_concert(body.concert_id);
    request.admission = passes.read(sources.for_concert(body.concert_id.unwrap_or(store.default_event_id())));
    let (key, _in_flight) = key.claim(&store, "book", fingerprint::booking(&request))?;
    let booking = store.book_keyed(request, key).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}

/// A booking by its order code (without its secret).
#[utoipa::path(get, path = "/api/bookings/{id}", tag = "bookings", params(("id" = String, Path, description = "The order code")),
    responses((status = 200, body = Booking), super::openapi::LookupErrors))]
async fn show_booking(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Booking>, ApiError> {
    Ok(Json(store.booking(&id).await?))
}
