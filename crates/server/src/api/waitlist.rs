//! The waiting list over REST: `POST /api/concerts/{id}/waitlist` (a buyer joins a tier that cannot serve
//! them), the operator's `GET /api/admin/waitlist?concert=`, and `POST /api/orders/lookup` (find my orders:
//! a mail with the links of every order of an address).

use super::{
    admin::Pairs, bookings::quantity_of, concerts::concert_id, idempotency::KeyHeader, json_body::JsonBody,
    openapi::ErrorBody, ApiError,
};
use crate::{
    store::{fingerprint, Store, WaitlistLine},
    AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use model::{sale::Waiting, BookingRequest, BuyerEmail, Tier};
use serde::{Deserialize, Serialize};
use serde_json::Number;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(join_waitlist)).routes(routes!(find_orders))
}

pub fn admin_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(waitlist))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct JoinBody {
    #[schema(value_type = model::Tier)]
    tier: Option<String>,
    /// Tickets wanted, 1–10 (and within the per-buyer limit).
    #[schema(value_type = u32, minimum = 1, maximum = 10)]
    quantity: Option<Number>,
    #[schema(value_type = String, format = Email, max_length = 254)]
    email: Option<String>,
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    name: Option<String>,
}

/// Joins the tier's waiting list, only while it cannot serve the buyer (fewer tickets left than wanted;
/// else 409 `tickets_available`). When tickets come back, they are held for the first entries that fit and
/// mailed to them with a link to `/checkout/{hold}`.
#[utoipa::path(post, path = "/api/concerts/{id}/waitlist", tag = "waitlist", request_body = JoinBody,
    params(("id" = String, Path, description = "The concert's id"), super::openapi::IdempotencyKeyHeader),
    responses((status = 201, body = Waiting),
              (status = 404, description = "No such concert or tier", body = ErrorBody),
              (status = 409, description = "`tickets_available`, `already_waiting`, `waitlist_seated`, `not_on_sale`, `buyer_limit`", body = ErrorBody),
              super::openapi::BodyErrors))]
async fn join_waitlist(
    State(store): State<Store>,
    Path(id): Path<String>,
    key: KeyHeader,
    JsonBody(body): JsonBody<JoinBody>,
) -> Result<(StatusCode, Json<Waiting>), ApiError> {
    let concert = concert_id(&id)?;
    let request = BookingRequest::from_buyer(
        Tier::parse(body.tier.as_deref().unwrap_or_default()),
        quantity_of(body.quantity.as_ref()),
        body.name.as_deref().unwrap_or_default(),
        body.email.as_deref().unwrap_or_default(),
    )?
    .for_concert(Some(concert));
    let (key, _in_flight) = key.claim(&store, "waitlist", fingerprint::hold(&request))?;
    Ok((StatusCode::CREATED, Json(store.join_waitlist(request, key).await?)))
}

/// A concert's waiting lists: every entry, tier by tier in the order of joining, with its state.
#[utoipa::path(get, path = "/api/admin/waitlist", tag = "admin", security(("admin_token" = [])),
    params(super::concerts::ConcertQuery),
    responses((status = 200, body = Vec<WaitlistLine>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn waitlist(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Json<Vec<WaitlistLine>>, ApiError> {
    Ok(Json(store.waitlist(super::admin::concert(&store, &query).await?).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LookupBody {
    #[schema(value_type = String, format = Email, max_length = 254)]
    email: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct LookupAnswer {
    message: &'static str,
}

/// Find my orders: mails the address one list of its orders with their links (at most one such mail every
/// 10 minutes). The answer is the same whether or not it has orders; the links travel only by mail.
#[utoipa::path(post, path = "/api/orders/lookup", tag = "orders", request_body = LookupBody,
    responses((status = 202, body = LookupAnswer), super::openapi::BodyErrors))]
async fn find_orders(
    State(store): State<Store>,
    JsonBody(body): JsonBody<LookupBody>,
) -> Result<(StatusCode, Json<LookupAnswer>), ApiError> {
    let email = BuyerEmail::parse(body.email.as_deref().unwrap_or_default())?;
    store.ask_for_orders(email.as_str(), chrono::Utc::now()).await?;
    Ok((StatusCode::ACCEPTED, Json(LookupAnswer { message: model::mail::ORDERS_LOOKUP_ANSWER })))
}
