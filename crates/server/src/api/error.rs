//! Every error the API answers, and its status code, in one place. Bodies are always
//! `{"error": code, "message": text}` (plus `available` for sold out); database detail is logged, never sent.

use crate::store::StoreError;
use axum::{
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
    /// A booking rule refused the request, or the stock is short.
    #[error(transparent)]
    Booking(#[from] BookingError),
    #[error("no booking with that id")]
    NotFound,
    /// The database failed: the buyer may retry; the operator reads the log.
    #[error("the service is unavailable, please retry")]
    Unavailable,
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Rejected(rule) => ApiError::Booking(rule),
            StoreError::NotFound => ApiError::NotFound,
            other => {
                tracing::error!(error = %other, "store failed during an API request");
                ApiError::Unavailable
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let (status, body) = match &self {
            ApiError::BadBody { status, code, .. } => (*status, json!({ "error": code, "message": message })),
            ApiError::Booking(BookingError::SoldOut { available }) => {
                (StatusCode::CONFLICT, json!({ "error": "sold_out", "available": available, "message": message }))
            }
            ApiError::Booking(BookingError::NotOnSale) => {
                (StatusCode::CONFLICT, json!({ "error": "not_on_sale", "message": message }))
            }
            ApiError::Booking(rule) => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": rule.code(), "message": message }))
            }
            ApiError::NotFound => (StatusCode::NOT_FOUND, json!({ "error": "not_found", "message": message })),
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, json!({ "error": "unavailable", "message": message }))
            }
        };
        (status, Json(body)).into_response()
    }
}
