//! What a server function can answer instead of a result, as text a buyer can read.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use model::BookingError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The request broke a booking rule, or the tickets ran out: the message says which.
    #[error("{0}")]
    Booking(BookingError),
    #[error("we could not find that — check the link or the code")]
    NotFound,
    /// The admin token was wrong (or the admin area is off on this server).
    #[error("{0}")]
    AdminDenied(String),
    /// The database failed; the detail is in the server's log, never in the page.
    #[error("the box office is having trouble right now; please try again in a moment")]
    Unavailable,
    /// The call never reached the server or its answer was unreadable (network down, server restarting).
    // The detail (a network error's wording) is kept for debugging, not shown: it is not the buyer's words.
    #[error("could not reach the box office; please check your connection and try again")]
    Transport(String),
}

impl AppError {
    /// Whether the page asked for is not there (an unknown concert, hold or order, or a wrong secret):
    /// answered as a page not found, status 404.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            AppError::NotFound
                | AppError::Booking(
                    BookingError::ConcertNotFound | BookingError::HoldNotFound | BookingError::OrderNotFound
                )
        )
    }
}

impl From<BookingError> for AppError {
    fn from(error: BookingError) -> Self {
        AppError::Booking(error)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        AppError::Transport(error.to_string())
    }
}
