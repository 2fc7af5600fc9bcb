//! The JSON REST API for programs. Handlers are thin: parse with the model's rules, call the store, map
//! errors in one place (`error.rs`).

mod bookings;
mod error;
mod events;
mod health;
mod holds;
mod idempotency;
mod json_body;
mod orders;
mod tickets;

pub use error::ApiError;

use crate::AppState;
use axum::{extract::DefaultBodyLimit, Router};

/// Request bodies above this are refused with 413 before they are read in full.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(tickets::router())
        .merge(bookings::router())
        .merge(holds::router())
        .merge(orders::router())
        .merge(health::router())
        .merge(events::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
