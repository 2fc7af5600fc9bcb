//! Orders over REST: `GET /api/orders/{code}/{secret}` (with a QR code per ticket) and
//! `POST /api/orders/{code}/{secret}/cancel`. A wrong secret is a 404, exactly like an unknown code.

use super::{idempotency::KeyHeader, ApiError};
use crate::{qr::with_qr_codes, store::Store, AppState};
use axum::{
    extract::{Path, State},
    routing::{get, post},
    Json, Router,
};
use model::Order;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/orders/{code}/{secret}", get(show_order))
        .route("/api/orders/{code}/{secret}/cancel", post(cancel_order))
}

async fn show_order(
    State(store): State<Store>,
    Path((code, secret)): Path<(String, String)>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(with_qr_codes(store.order(&code, &secret).await?)))
}

async fn cancel_order(
    State(store): State<Store>,
    Path((code, secret)): Path<(String, String)>,
    key: KeyHeader,
) -> Result<Json<Order>, ApiError> {
    let (key, _in_flight) = key.claim(&store, "cancel", code.clone())?;
    Ok(Json(store.cancel_order(&code, &secret, key).await?))
}
