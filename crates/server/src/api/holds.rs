//! Checkout over REST: `POST /api/holds`, `GET /api/holds/{id}`, `POST /api/holds/{id}/payment`,
//! `POST /api/holds/{id}/release`.

use super::{bookings::quantity_of, idempotency::KeyHeader, json_body::JsonBody, ApiError};
use crate::{
    payments,
    queue_pass::{PassSources, QueuePasses},
    store::{fingerprint, Store},
    AppState,
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use chrono::Utc;
use model::{BookingError, BookingRequest, Hold, Order, PaymentCard, Quantity, Tier};
use serde::Deserialize;
use serde_json::Number;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_hold))
        .routes(routes!(show_hold))
        .routes(routes!(pay_hold))
        .routes(routes!(release_hold))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct HoldBody {
    /// The concert (see `GET /api/concerts`); the default concert when left out.
    #[schema(minimum = 1)]
    concert_id: Option<i64>,
    #[schema(value_type = model::Tier)]
    tier: Option<String>,
    /// Tickets, 1–10.
    #[schema(value_type = u32, minimum = 1, maximum = 10)]
    quantity: Option<Number>,
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    name: Option<String>,
    /// The buyer; limits per buyer count by it.
    #[schema(value_type = String, format = Email, max_length = 254)]
    email: Option<String>,
    /// For a seated tier: the seats (ids from `GET /api/concerts/{id}/seats`), all or none held; `quantity`
    /// is then their count and may be left out.
    #[schema(max_items = 10)]
    seats: Option<Vec<String>>,
    /// For a seated tier: the engine picks `quantity` seats (adjacent in a row nearest the stage where it
    /// can). Also what a seated tier does when asked for a quantity without seats.
    best_available: Option<bool>,
}

/// Holds tickets for the buyer until `expires_at`; pay the hold to turn it into an order.
#[utoipa::path(post, path = "/api/holds", tag = "checkout", request_body = HoldBody,
    params(super::openapi::IdempotencyKeyHeader, super::openapi::QueueTokenHeader),
    responses((status = 201, body = Hold), super::openapi::BodyErrors))]
async fn create_hold(
    State(store): State<Store>,
    State(passes): State<QueuePasses>,
    sources: PassSources,
    key: KeyHeader,
    JsonBody(body): JsonBody<HoldBody>,
) -> Result<(StatusCode, Json<Hold>), ApiError> {
    let seats = body.seats.unwrap_or_default();
    let quantity = match (seats.len(), body.quantity.as_ref()) {
        (0, quantity) => quantity_of(quantity),
        (count, None) => Quantity::new(i64::try_from(count).unwrap_or(i64::MAX)),
        (count, Some(quantity)) => quantity_of(Some(quantity)).and_then(|asked| match asked.get() as usize == count {
            true => Ok(asked),
            false => Err(BookingError::SeatsQuantity { seats: u32::try_from(count).unwrap_or(u32::MAX) }),
        }),
    };
    if !seats.is_empty() && body.best_available == Some(true) {
        return Err(BookingError::SeatsAndBest.into());
    }
    if let Some(bad) = seats.iter().find(|id| id.is_empty() || id.chars().count() > model::MAX_LABEL) {
        return Err(BookingError::SeatUnknown(bad.chars().take(model::MAX_LABEL).collect()).into());
    }
    let mut request = BookingRequest::from_buyer(
        Tier::parse(body.tier.as_deref().unwrap_or_default()),
        quantity,
        body.name.as_deref().unwrap_or_default(),
        body.email.as_deref().unwrap_or_default(),
    )?
    .for_concert(body.concert_id)
    .for_seats(seats)?;
    request.admission = passes.read(sources.for_concert(body.concert_id.unwrap_or(store.default_event_id())));
    let (key, _in_flight) = key.claim(&store, "hold", fingerprint::hold(&request))?;
    let hold = store.place_hold(request, key).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

/// A hold, with its status as of now.
#[utoipa::path(get, path = "/api/holds/{id}", tag = "checkout", params(("id" = String, Path, description = "The hold's id")),
    responses((status = 200, body = Hold), super::openapi::LookupErrors))]
async fn show_hold(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Hold>, ApiError> {
    Ok(Json(store.hold(&id).await?))
}

/// Gives a running hold back before paying: its tickets go back on sale at once (whoever has the hold's
/// id may, as they may pay it).
#[utoipa::path(post, path = "/api/holds/{id}/release", tag = "checkout",
    params(("id" = String, Path, description = "The hold's id"), super::openapi::IdempotencyKeyHeader),
    responses((status = 200, body = Hold),
              (status = 404, description = "No such hold", body = super::openapi::ErrorBody),
              (status = 409, description = "The hold is paid, or was released already", body = super::openapi::ErrorBody),
              (status = 410, description = "The hold expired already", body = super::openapi::ErrorBody),
              super::openapi::BodyErrors))]
async fn release_hold(
    State(store): State<Store>,
    Path(id): Path<String>,
    key: KeyHeader,
) -> Result<Json<Hold>, ApiError> {
    let (key, _in_flight) = key.claim(&store, "release", fingerprint::release(&id))?;
    Ok(Json(store.release_hold(&id, key).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PaymentBody {
    /// A test card: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 declines, 4000 0000 0000 0119 times out.
    #[schema(value_type = String, example = "4242 4242 4242 4242", pattern = "^[0-9 -]{12,25}$")]
    card_number: Option<String>,
    /// MM/YY.
    #[schema(value_type = String, example = "12/30", pattern = "^(0[1-9]|1[0-2])/([0-9]{2}|[0-9]{4})$")]
    expiry: Option<String>,
    #[schema(value_type = String, example = "123", pattern = "^[0-9]{3,4}$")]
    cvc: Option<String>,
}

/// Pays a hold with a card (simulated processor): the hold becomes a paid order with its tickets.
#[utoipa::path(post, path = "/api/holds/{id}/payment", tag = "checkout", request_body = PaymentBody,
    params(("id" = String, Path, description = "The hold's id"), super::openapi::IdempotencyKeyHeader),
    responses((status = 201, body = Order),
              (status = 402, description = "The card was declined; the hold stays", body = super::openapi::ErrorBody),
              (status = 404, description = "No such hold", body = super::openapi::ErrorBody),
              (status = 410, description = "The hold expired; nothing was charged", body = super::openapi::ErrorBody),
              super::openapi::BodyErrors))]
async fn pay_hold(
    State(store): State<Store>,
    Path(id): Path<String>,
    key: KeyHeader,
    JsonBody(body): JsonBody<PaymentBody>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let field = |value: &Option<String>| value.clone().unwrap_or_default();
    let card = PaymentCard::parse(
        &field(&body.card_number),
        &field(&body.expiry),
        &field(&body.cvc),
        Utc::now().date_naive(),
    )?;
    let (key, _in_flight) = key.claim(&store, "pay", fingerprint::payment(&id, &card))?;
    let order = payments::pay_hold(&store, &id, &card, key).await?;
    Ok((StatusCode::CREATED, Json(order)))
}
