//! Every error the API answers, and its status code, in one place. Bodies are always
//! `{"error": code, "message": text}` (plus `available` for sold out, `sales_open_at` for not on sale yet); database detail is logged, never sent.

use crate::store::StoreError;
use axum::{
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use model::BookingError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not the JSON we expect: its status (400, 413, 415 or 422) and why, from the extractor.
    #[error("{message}")]
    BadBody { status: StatusCode, code: &'static str, message: String },
    /// Refused with its own status and code (the door's: a device's token, a scan that cannot be one).
    #[error("{message}")]
    Refused { status: StatusCode, code: &'static str, message: String },
    /// A booking rule refused the request, or the stock is short.
    #[error(transparent)]
    Booking(#[from] BookingError),
    #[error("not found")]
    NotFound,
    /// No API route has this path.
    #[error("there is no such API route; the routes are listed in /api/openapi.json")]
    NoRoute,
    /// The route does not take this method (`Allow` lists those it takes).
    #[error("this route does not take that method; see the Allow header")]
    MethodNotAllowed,
    /// A request with this Idempotency-Key is still being processed.
    #[error("a request with this Idempotency-Key is still in progress; retry when it has finished")]
    KeyInFlight,
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// The database failed: the buyer may retry; the operator reads the log.
    #[error("the service is unavailable, please retry")]
    Unavailable,
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Rejected(rule) => ApiError::Booking(rule),
            StoreError::NotFound => ApiError::NotFound,
            StoreError::IdempotencyKeyReused => ApiError::KeyReused,
            other => {
                tracing::error!(error = %other, "store failed during an API request");
                ApiError::Unavailable
            }
        }
    }
}

/// A body that is not the JSON asked for (`json_body.rs`), with the extractor's words for what is wrong.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match rejection {
            JsonRejection::JsonDataError(_) => "invalid_field",
            JsonRejection::JsonSyntaxError(_) => "invalid_json",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => return ApiError::payload_too_large(),
            _ => "invalid_body",
        };
        let message = match code {
            "unsupported_media_type" => "send the body as JSON with `Content-Type: application/json`".to_owned(),
            _ => rejection.body_text(),
        };
        ApiError::BadBody { status, code, message }
    }
}

impl ApiError {
    /// A body over [`super::MAX_BODY_BYTES`].
    pub fn payload_too_large() -> ApiError {
        ApiError::BadBody {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            message: format!("the request body is larger than {} bytes", super::MAX_BODY_BYTES),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let (status, body) = match &self {
            ApiError::BadBody { status, code, .. } | ApiError::Refused { status, code, .. } => {
                (*status, json!({ "error": code, "message": message }))
            }
            ApiError::Booking(BookingError::NotOnSaleYet { sales_open_at }) => (
                StatusCode::CONFLICT,
                json!({ "error": "not_on_sale_yet", "sales_open_at": sales_open_at, "message": message }),
            ),
            ApiError::Booking(BookingError::QueueNotOpenYet { opens_at }) => (
                StatusCode::CONFLICT,
                json!({ "error": "queue_not_open_yet", "opens_at": opens_at, "message": message }),
            ),
            ApiError::Booking(BookingError::SoldOut { available }) => {
                (StatusCode::CONFLICT, json!({ "error": "sold_out", "available": available, "message": message }))
            }
            ApiError::Booking(BookingError::SeatTaken { seats }) => {
                (StatusCode::CONFLICT, json!({ "error": "seat_taken", "seats": seats, "message": message }))
            }
            ApiError::Booking(rule) => (status_of(rule), json!({ "error": rule.code(), "message": message })),
            ApiError::NotFound | ApiError::NoRoute => {
                (StatusCode::NOT_FOUND, json!({ "error": "not_found", "message": message }))
            }
            ApiError::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, json!({ "error": "method_not_allowed", "message": message }))
            }
            ApiError::KeyInFlight => {
                (StatusCode::CONFLICT, json!({ "error": "idempotency_key_in_use", "message": message }))
            }
            ApiError::KeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": "idempotency_key_reused", "message": message }))
            }
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "unavailable", "message": message }))
            }
        };
        (status, Json(body)).into_response()
    }
}

/// A refusal's status: 404 for what does not exist (or whose secret is wrong), 403 for a sale that needs
/// the waiting room's pass, 409 for a conflict with the current state, 410 for a hold that ran out, 402 for a declined card, 503 when the processor did not
/// answer (nothing happened: retry), 422 for a request that breaks a rule whatever the state.
fn status_of(refusal: &BookingError) -> StatusCode {
    match refusal {
        BookingError::HoldNotFound
        | BookingError::OrderNotFound
        | BookingError::ConcertNotFound
        | BookingError::TierNotOffered(_)
        | BookingError::NoWaitingRoom
        | BookingError::VisitorNotFound
        | BookingError::SeatNotFound { .. }
        | BookingError::SeatUnknown(_)
        | BookingError::NoSeatingPlan => StatusCode::NOT_FOUND,
        BookingError::QueueRequired | BookingError::QueueTokenExpired | BookingError::QueueTokenInvalid => {
            StatusCode::FORBIDDEN
        }
        BookingError::QueueNotOpenYet { .. } => StatusCode::CONFLICT,
        BookingError::SoldOut { .. }
        | BookingError::NotOnSale
        | BookingError::TierPaused(_)
        | BookingError::NotOnSaleYet { .. }
        | BookingError::BuyerLimit { .. }
        | BookingError::HoldAlreadyPaid { .. }
        | BookingError::HoldReleased
        | BookingError::OrderCancelled
        | BookingError::CapacityBelowTaken { .. }
        | BookingError::SeatTaken { .. }
        | BookingError::SeatsInUse { .. }
        | BookingError::TierHasSales(_)
        | BookingError::ConcertHasSales(_)
        | BookingError::TierSeated(_)
        | BookingError::TicketsAvailable { .. }
        | BookingError::AlreadyWaiting(_)
        | BookingError::WaitlistSeated(_) => StatusCode::CONFLICT,
        BookingError::HoldExpired => StatusCode::GONE,
        BookingError::PaymentDeclined { .. } => StatusCode::PAYMENT_REQUIRED,
        BookingError::PaymentUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
