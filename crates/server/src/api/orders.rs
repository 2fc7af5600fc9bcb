//! Orders over REST: `GET /api/orders/{code}/{secret}` (with a QR code per ticket), its calendar file
//! `GET /api/orders/{code}/{secret}/calendar.ics` and `POST /api/orders/{code}/{secret}/cancel`. A wrong
//! secret is a 404, exactly like an unknown code.

use super::{idempotency::KeyHeader, ApiError};
use crate::{
    qr::with_qr_codes,
    store::{fingerprint, Store},
    AppState,
};
use axum::{
    extract::{Path, State},
    http::header,
    response::IntoResponse,
    Json,
};
use model::Order;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_order)).routes(routes!(order_calendar)).routes(routes!(cancel_order))
}

/// An order with its tickets, each with its QR code (SVG).
#[utoipa::path(get, path = "/api/orders/{code}/{secret}", tag = "orders",
    params(("code" = String, Path, description = "The order code"), ("secret" = String, Path, description = "The order's secret")),
    responses((status = 200, body = Order), super::openapi::LookupErrors))]
async fn show_order(
    State(store): State<Store>,
    Path((code, secret)): Path<(String, String)>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(with_qr_codes(store.order(&code, &secret).await?, store.ticket_signer())))
}

/// The order as an iCalendar event, for the buyer's calendar: the concert, its venue and start, the
/// tickets; a cancelled order's event is marked cancelled.
#[utoipa::path(get, path = "/api/orders/{code}/{secret}/calendar.ics", tag = "orders",
    params(("code" = String, Path, description = "The order code"), ("secret" = String, Path, description = "The order's secret")),
    responses((status = 200, description = "The order's event (RFC 5545)", content_type = "text/calendar", body = String),
              super::openapi::LookupErrors))]
async fn order_calendar(
    State(store): State<Store>,
    Path((code, secret)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let order = store.order(&code, &secret).await?;
    let attachment = format!("attachment; filename=\"boxoffice-{}.ics\"", order.code);
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, attachment)],
        crate::calendar::order_calendar(&order),
    ))
}

/// Cancels a paid order: refunded (simulated), its tickets back on sale.
#[utoipa::path(post, path = "/api/orders/{code}/{secret}/cancel", tag = "orders",
    params(("code" = String, Path, description = "The order code"), ("secret" = String, Path, description = "The order's secret"), super::openapi::IdempotencyKeyHeader),
    responses((status = 200, body = Order), (status = 404, description = "No such order", body = super::openapi::ErrorBody),
              super::openapi::BodyErrors))]
async fn cancel_order(
    State(store): State<Store>,
    Path((code, secret)): Path<(String, String)>,
    key: KeyHeader,
) -> Result<Json<Order>, ApiError> {
    let (key, _in_flight) = key.claim(&store, "cancel", fingerprint::cancellation(&code, &secret))?;
    Ok(Json(store.cancel_order(&code, &secret, key).await?))
}
