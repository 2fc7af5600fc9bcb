//! The OpenAPI 3 document of the REST API, served at `/api/openapi.json`.
//!
//! Routes are registered through `utoipa_axum`'s `OpenApiRouter` (each module's `router()`), which takes
//! each handler's path and method from its `#[utoipa::path]`: a route cannot exist undocumented or be
//! documented at another address. A test walks the document and calls every operation.

use utoipa::{IntoParams, IntoResponses, OpenApi, ToSchema};

/// The optional `Idempotency-Key` header of every POST.
#[derive(IntoParams, serde::Deserialize)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKeyHeader {
    /// Retry safely: the same key with the same request gets the first answer again (same hold, same order,
    /// one charge); with another request 422; while the first still runs 409. Kept 24 hours.
    #[serde(rename = "Idempotency-Key")]
    #[param(min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    idempotency_key: Option<String>,
}

/// The `Queue-Token` header of holds and bookings.
#[derive(IntoParams, serde::Deserialize)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct QueueTokenHeader {
    /// The waiting room's pass (`GET /api/concerts/{id}/queue/{visitor}` gives it once admitted): needed
    /// while the concert's waiting room is on and its sales are open.
    #[serde(rename = "Queue-Token")]
    #[param(min_length = 1, max_length = 4096, pattern = "^[!-~]+$")]
    queue_token: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "boxoffice",
        description = "Concert tickets: the catalog, holds, payment (simulated), orders, and the one-step booking of \
                       the system boxoffice replaces. Every error is `{\"error\": code, \"message\": text}`. Every POST \
                       takes an optional `Idempotency-Key` header.",
    ),
    components(schemas(ErrorBody)),
    modifiers(&AdminTokenScheme),
    tags(
        (name = "catalog", description = "Tiers, prices and live availability"),
        (name = "checkout", description = "Hold tickets, then pay the hold"),
        (name = "orders", description = "Orders, by code and secret"),
        (name = "bookings", description = "The one-step sale of the system boxoffice replaces"),
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "checkin", description = "The door: scanner devices, scans, counts"),
        (name = "admin", description = "The operator's: figures, orders, capacity, pause and resume (bearer token)"),
    )
)]
pub struct ApiDoc;

/// The admin API's bearer token (`BOXOFFICE_ADMIN_TOKEN`).
struct AdminTokenScheme;

impl utoipa::Modify for AdminTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
        components.add_security_scheme("admin_token", SecurityScheme::Http(bearer.clone()));
        // A scanner device's token, from `POST /api/devices/pair`.
        components.add_security_scheme("device_token", SecurityScheme::Http(bearer));
    }
}

/// Every error the API answers.
#[derive(ToSchema)]
#[allow(dead_code)] // only describes the JSON that `ApiError` writes
pub struct ErrorBody {
    /// A stable code to match on, e.g. `sold_out`, `invalid_quantity`, `hold_expired`.
    error: String,
    /// What went wrong, in words a person can read.
    message: String,
    /// With `sold_out`: how many tickets are left.
    available: Option<u32>,
}

/// The errors any request with a JSON body may meet.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// Malformed JSON, or a malformed `Idempotency-Key`.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// A browser post from another site; or, for a concert whose waiting room is on, a hold or booking
    /// without a valid pass (`queue_required`, `queue_token_expired`, `queue_token_invalid`).
    #[response(status = 403)]
    CrossSite(ErrorBody),
    /// What the request names does not exist: the concert, one of its tiers, the hold or the order.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Sold out, over the buyer's limit, already paid or cancelled, or the `Idempotency-Key` is still running.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is over 64 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/json`.
    #[response(status = 415)]
    NotJson(ErrorBody),
    /// A field breaks a rule (its code names it), or an `Idempotency-Key` was reused with another request.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many posts from this address: retry after `Retry-After` seconds.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// The service could not complete the request; nothing was changed. Retry.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The errors of a lookup.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum LookupErrors {
    /// Nothing with that id (or the secret is wrong).
    #[response(status = 404)]
    NotFound(ErrorBody),
    #[response(status = 503)]
    Unavailable(ErrorBody),
}
