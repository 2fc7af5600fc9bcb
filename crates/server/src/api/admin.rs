//! The admin API under `/api/admin` (concerts, then per concert: sales, orders, tiers), behind `Authorization: Bearer <BOXOFFICE_ADMIN_TOKEN>`.
//!
//! Without a configured token the admin area is off: every admin route answers 404, as if it did not exist,
//! rather than being open. The token is compared in constant time, so timing does not reveal how much of a
//! guess was right, and it is never logged (it travels in a header; bodies and headers are not logged).

use super::{concerts, json_body::JsonBody, openapi::ErrorBody, ApiError};
use crate::{
    store::{orders_csv, Store},
    AppState,
};
use axum::{
    extract::{Path, Query, Request, State},
    http::{header, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Json,
};
use chrono::Utc;
use model::{
    parse_start_in, parse_time_zone, Concert, LiveSales, NewConcert, OrderLine, Tier, TierOffer, TierSales, WaitingRoom,
};
use serde::{Deserialize, Deserializer};
use serde_json::json;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The admin token, if the operator set one.
#[derive(Clone, Default)]
pub struct AdminToken(Option<Arc<str>>);

impl AdminToken {
    pub fn new(token: Option<String>) -> AdminToken {
        AdminToken(token.filter(|t| !t.is_empty()).map(Arc::from))
    }

    /// Whether the admin area is on (a token is configured).
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token is configured: the admin area is off.
    Off,
    Wrong,
}

impl AdminToken {
    /// Accepts `given` if it is the configured token, comparing in constant time.
    pub fn check(&self, given: &str) -> Result<(), Denied> {
        let expected = self.0.as_ref().ok_or(Denied::Off)?;
        if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(())
        } else {
            Err(Denied::Wrong)
        }
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "AdminToken(set)" } else { "AdminToken(off)" })
    }
}

pub fn router(token: AdminToken) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_concert))
        .routes(routes!(sales))
        .routes(routes!(order_lines))
        .routes(routes!(orders_export))
        .routes(routes!(set_capacity))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(live_sales))
        .routes(routes!(change_waiting_room))
        .merge(super::admin_concerts::router())
        .merge(super::admin_mails::router())
        .merge(super::waitlist::admin_router())
        .merge(super::seating::admin_router())
        .merge(super::checkin::admin_router())
        .route_layer(middleware::from_fn(move |request: Request, next: Next| {
            let token = token.clone();
            async move { authorize(&token, request, next).await }
        }))
}

/// The token of `Authorization: Bearer <token>`; empty without one.
pub(super) fn bearer(headers: &axum::http::HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
}

async fn authorize(token: &AdminToken, request: Request, next: Next) -> Response {
    match token.check(bearer(request.headers())) {
        Ok(()) => return next.run(request).await,
        Err(Denied::Off) => {
            let body =
                json!({ "error": "not_found", "message": "the admin area is off: no BOXOFFICE_ADMIN_TOKEN is set" });
            return (StatusCode::NOT_FOUND, Json(body)).into_response();
        }
        Err(Denied::Wrong) => {}
    }
    let body = json!({ "error": "unauthorized", "message": "send the admin token as `Authorization: Bearer <token>`" });
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], Json(body)).into_response()
}

/// Per-tier figures: capacity, sold, held, available, on sale, revenue.
#[utoipa::path(get, path = "/api/admin/sales", tag = "admin", security(("admin_token" = [])),
    params(concerts::ConcertQuery),
    responses((status = 200, body = Vec<TierSales>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn sales(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Json<Vec<TierSales>>, ApiError> {
    Ok(Json(store.sales(concert(&store, &query).await?).await?))
}

/// A query string read as pairs, so that no query is refused in a decoder's words.
pub(super) type Pairs = Vec<(String, String)>;

/// The concert an admin request names (`?concert=`), checked to exist; the default one when it names none.
pub(super) async fn concert(store: &Store, query: &[(String, String)]) -> Result<i64, ApiError> {
    let id = concerts::concert_of(query)?.unwrap_or(store.default_event_id());
    Ok(store.concert_by_id(id).await?.id)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConcertBody {
    #[schema(min_length = 1, max_length = 120)]
    name: String,
    #[schema(min_length = 1, max_length = 120)]
    venue: String,
    /// The venue's IANA time zone (`Europe/Berlin`); absent, UTC. The pages show times by the venue's clocks.
    #[schema(max_length = 64, example = "Europe/Berlin")]
    time_zone: Option<String>,
    /// RFC 3339, in the future; without an offset (`2027-05-01T20:00`), the venue's wall-clock time.
    #[schema(format = DateTime)]
    starts_at: String,
    /// When holds and bookings open: RFC 3339, before `starts_at` (without an offset, the venue's time);
    /// absent, on sale at once. Before it, holds and bookings are refused with 409 `not_on_sale_yet`.
    #[schema(format = DateTime)]
    sales_open_at: Option<String>,
    /// A waiting room for the on-sale (needs `sales_open_at`); absent or not enabled, none.
    waiting_room: Option<WaitingRoomBody>,
    /// One to three tiers, each at most once.
    #[schema(min_items = 1, max_items = 3)]
    tiers: Vec<TierBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct WaitingRoomBody {
    enabled: bool,
    /// Visitors admitted per minute, in place order (default 600).
    #[schema(minimum = 1, maximum = 1_000_000)]
    rate_per_minute: Option<u32>,
    /// How long before the opening visitors may join (default 30); everyone joined by the opening is
    /// placed by lot.
    #[schema(minimum = 0, maximum = 1440)]
    prequeue_minutes: Option<u32>,
    /// How long an admitted visitor may start holding tickets (default 10).
    #[schema(minimum = 1, maximum = 1440)]
    window_minutes: Option<u32>,
    /// At most this many admitted visitors with their window running at once; absent, the rate alone.
    #[schema(minimum = 1)]
    max_buying: Option<u32>,
}

impl WaitingRoomBody {
    fn room(&self) -> Option<WaitingRoom> {
        let default = WaitingRoom::default();
        self.enabled.then(|| WaitingRoom {
            rate_per_minute: self.rate_per_minute.unwrap_or(default.rate_per_minute),
            prequeue_minutes: self.prequeue_minutes.unwrap_or(default.prequeue_minutes),
            window_minutes: self.window_minutes.unwrap_or(default.window_minutes),
            max_buying: self.max_buying,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TierBody {
    #[schema(value_type = Tier)]
    tier: String,
    #[schema(minimum = 0, maximum = 1_000_000)]
    price_cents: i64,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    capacity: i64,
}

/// Creates a concert with its tiers, listed on the public page at once; on sale at once, or from
/// `sales_open_at`.
#[utoipa::path(post, path = "/api/admin/concerts", tag = "admin", security(("admin_token" = [])),
    request_body = ConcertBody,
    responses((status = 201, body = Concert), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              super::openapi::BodyErrors))]
async fn create_concert(
    State(store): State<Store>,
    JsonBody(body): JsonBody<ConcertBody>,
) -> Result<(StatusCode, Json<Concert>), ApiError> {
    let offers: Vec<TierOffer<'_>> = body
        .tiers
        .iter()
        .map(|t| TierOffer { tier: &t.tier, price_cents: t.price_cents, capacity: t.capacity })
        .collect();
    let zone = parse_time_zone(body.time_zone.as_deref().unwrap_or_default())?;
    let starts_at = parse_start_in(&body.starts_at, zone);
    let concert = NewConcert::parse(&body.name, &body.venue, starts_at, Ok(&offers), Utc::now())?
        .in_time_zone(zone)
        .opening_at(body.sales_open_at.as_deref().map(|at| parse_start_in(at, zone)))?
        .with_waiting_room(body.waiting_room.as_ref().and_then(WaitingRoomBody::room))?;
    Ok((StatusCode::CREATED, Json(store.create_concert(concert).await?)))
}

/// The query of `/api/admin/orders` (read as pairs, so no query string is refused in a decoder's words).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents what `recent_limit` reads
pub(super) struct Recent {
    /// How many of the newest orders: 1–1000, default 50.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

pub(super) fn recent_limit(query: &[(String, String)]) -> Result<u32, ApiError> {
    let Some((_, text)) = query.iter().rev().find(|(name, _)| name == "limit") else { return Ok(50) };
    text.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| ApiError::BadBody {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_limit",
        message: format!("limit must be a whole number from 1 to 1000, got `{text}`"),
    })
}

/// The newest orders.
#[utoipa::path(get, path = "/api/admin/orders", tag = "admin", security(("admin_token" = [])),
    params(Recent, concerts::ConcertQuery),
    responses((status = 200, body = Vec<OrderLine>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn order_lines(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Json<Vec<OrderLine>>, ApiError> {
    let limit = recent_limit(&query)?;
    Ok(Json(store.order_lines(concert(&store, &query).await?, Some(limit)).await?))
}

/// Every order as CSV.
#[utoipa::path(get, path = "/api/admin/orders.csv", tag = "admin", security(("admin_token" = [])),
    params(concerts::ConcertQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn orders_export(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Response, ApiError> {
    let csv = orders_csv(&store.order_lines(concert(&store, &query).await?, None).await?).map_err(|error| {
        tracing::error!(%error, "could not write the orders CSV");
        ApiError::Unavailable
    })?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"orders.csv\""),
    ];
    Ok((headers, csv).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CapacityBody {
    /// 0 to 1,000,000,000, and not below the tickets sold or held.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    capacity: u32,
}

/// Sets a tier's capacity; never below what is sold or held (409).
#[utoipa::path(put, path = "/api/admin/tiers/{tier}/capacity", tag = "admin", security(("admin_token" = [])),
    params(("tier" = Tier, Path), concerts::ConcertQuery), request_body = CapacityBody,
    responses((status = 200, body = Vec<TierSales>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              super::openapi::BodyErrors))]
async fn set_capacity(
    State(store): State<Store>,
    Path(tier): Path<String>,
    Query(query): Query<Pairs>,
    JsonBody(body): JsonBody<CapacityBody>,
) -> Result<Json<Vec<TierSales>>, ApiError> {
    let tier = Tier::parse(&tier)?;
    let concert = concert(&store, &query).await?;
    if body.capacity > model::MAX_TIER_CAPACITY {
        return Err(ApiError::BadBody {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_capacity",
            message: format!("capacity must be at most {}", model::MAX_TIER_CAPACITY),
        });
    }
    store.set_capacity(concert, tier, body.capacity).await?;
    Ok(Json(store.sales(concert).await?))
}

/// Pauses a tier's sales: holds and bookings are refused (`not_on_sale`); running holds may still be paid.
#[utoipa::path(post, path = "/api/admin/tiers/{tier}/pause", tag = "admin", security(("admin_token" = [])),
    params(("tier" = Tier, Path), concerts::ConcertQuery),
    responses((status = 200, body = Vec<TierSales>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn pause(store: State<Store>, tier: Path<String>, query: Query<Pairs>) -> Result<Json<Vec<TierSales>>, ApiError> {
    switch_sales(store, tier, query, false).await
}

/// Resumes a tier's sales.
#[utoipa::path(post, path = "/api/admin/tiers/{tier}/resume", tag = "admin", security(("admin_token" = [])),
    params(("tier" = Tier, Path), concerts::ConcertQuery),
    responses((status = 200, body = Vec<TierSales>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn resume(
    store: State<Store>,
    tier: Path<String>,
    query: Query<Pairs>,
) -> Result<Json<Vec<TierSales>>, ApiError> {
    switch_sales(store, tier, query, true).await
}

/// Pause and resume: the tier's sales switched off or on, answered with the concert's figures.
async fn switch_sales(
    State(store): State<Store>,
    Path(tier): Path<String>,
    Query(query): Query<Pairs>,
    on_sale: bool,
) -> Result<Json<Vec<TierSales>>, ApiError> {
    let (tier, concert) = (Tier::parse(&tier)?, concert(&store, &query).await?);
    store.set_on_sale(concert, tier, on_sale).await?;
    Ok(Json(store.sales(concert).await?))
}

/// The on-sale as it runs: tiers and queue now, the last 30 minutes minute by minute, the holds about to
/// run out. What the operator's charts draw.
#[utoipa::path(get, path = "/api/admin/live", tag = "admin", security(("admin_token" = [])),
    params(concerts::ConcertQuery),
    responses((status = 200, body = LiveSales), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn live_sales(State(store): State<Store>, Query(query): Query<Pairs>) -> Result<Json<LiveSales>, ApiError> {
    Ok(Json(store.live_sales(concert(&store, &query).await?, Utc::now()).await?))
}

/// A change to a waiting room's settings: each field left out stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct WaitingRoomChange {
    #[schema(minimum = 1, maximum = 1_000_000)]
    rate_per_minute: Option<u32>,
    #[schema(minimum = 0, maximum = 1440)]
    prequeue_minutes: Option<u32>,
    #[schema(minimum = 1, maximum = 1440)]
    window_minutes: Option<u32>,
    /// `null` lifts the cap.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>, minimum = 1)]
    max_buying: Option<Option<u32>>,
}

/// A field that is there, even as `null` (`Some(None)`), as opposed to left out (`None`).
fn present<'de, D: Deserializer<'de>>(field: D) -> Result<Option<Option<u32>>, D::Error> {
    Option::<u32>::deserialize(field).map(Some)
}

/// Changes a concert's waiting room while it runs: the new rate counts from now on (what the old one had
/// earned is admitted first), a lower cap holds admission back until enough windows end.
#[utoipa::path(put, path = "/api/admin/waiting_room", tag = "admin", security(("admin_token" = [])),
    params(concerts::ConcertQuery), request_body = WaitingRoomChange,
    responses((status = 200, body = WaitingRoom), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              super::openapi::BodyErrors))]
async fn change_waiting_room(
    State(store): State<Store>,
    Query(query): Query<Pairs>,
    JsonBody(change): JsonBody<WaitingRoomChange>,
) -> Result<Json<WaitingRoom>, ApiError> {
    let concert = concert(&store, &query).await?;
    let room = store.waiting_room(concert).await?.ok_or(model::BookingError::NoWaitingRoom)?;
    let room = WaitingRoom {
        rate_per_minute: change.rate_per_minute.unwrap_or(room.rate_per_minute),
        prequeue_minutes: change.prequeue_minutes.unwrap_or(room.prequeue_minutes),
        window_minutes: change.window_minutes.unwrap_or(room.window_minutes),
        max_buying: change.max_buying.unwrap_or(room.max_buying),
    };
    Ok(Json(store.set_waiting_room(concert, room).await?))
}
