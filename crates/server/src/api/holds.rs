//! Checkout over REST: `POST /api/holds`, `GET /api/holds/{id}`, `POST /api/holds/{id}/payment`.

use super::{bookings::quantity_of, idempotency::KeyHeader, json_body::JsonBody, ApiError};
use crate::{payments, store::Store, AppState};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use chrono::Utc;
use model::{BookingRequest, Hold, Order, PaymentCard, Tier};
use serde::Deserialize;
use serde_json::Number;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/holds", post(create_hold))
        .route("/api/holds/{id}", get(show_hold))
        .route("/api/holds/{id}/payment", post(pay_hold))
}

#[derive(Deserialize)]
struct HoldBody {
    tier: Option<String>,
    quantity: Option<Number>,
    name: Option<String>,
    email: Option<String>,
}

async fn create_hold(
    State(store): State<Store>,
    key: KeyHeader,
    JsonBody(body): JsonBody<HoldBody>,
) -> Result<(StatusCode, Json<Hold>), ApiError> {
    let request = BookingRequest::from_buyer(
        Tier::parse(body.tier.as_deref().unwrap_or_default()),
        quantity_of(body.quantity.as_ref()),
        body.name.as_deref().unwrap_or_default(),
        body.email.as_deref().unwrap_or_default(),
    )?;
    let fingerprint =
        format!("{}|{}|{}|{:?}", request.tier, request.quantity.get(), request.user_id.as_str(), request.buyer_name);
    let (key, _in_flight) = key.claim(&store, "hold", fingerprint)?;
    let hold = store.place_hold(request, key).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

async fn show_hold(State(store): State<Store>, Path(id): Path<String>) -> Result<Json<Hold>, ApiError> {
    Ok(Json(store.hold(&id).await?))
}

#[derive(Deserialize)]
struct PaymentBody {
    card_number: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
}

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
    let fingerprint = format!("{id}|{}|{}", card.number.last4(), field(&body.expiry).trim());
    let (key, _in_flight) = key.claim(&store, "pay", fingerprint)?;
    let order = payments::pay_hold(&store, &id, &card, key).await?;
    Ok((StatusCode::CREATED, Json(order)))
}
