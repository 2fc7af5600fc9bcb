//! The interface server functions call, implemented by the server crate's store and provided through
//! leptos context. It keeps SQL out of this crate and the rules out of the server functions.
//!
//! `submission` is the page's idempotency key for one form submission (see `submission.rs`): the same
//! submission sent twice (a double click, a retried call) is answered once, with the same result.

use crate::AppError;
use model::{BookingRequest, Concert, Hold, Order, PaymentCard};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The concert on sale with every tier's live availability.
    async fn concert(&self) -> Result<Concert, AppError>;
    /// Holds tickets for the buyer while they pay.
    async fn place_hold(&self, request: BookingRequest, submission: Option<String>) -> Result<Hold, AppError>;
    /// A hold by its id, its status as of now.
    async fn hold(&self, id: &str) -> Result<Hold, AppError>;
    /// Pays a hold with a card (simulated processor); the hold becomes an order.
    async fn pay(&self, hold_id: &str, card: PaymentCard, submission: Option<String>) -> Result<Order, AppError>;
    /// An order by code and secret, with a QR code per ticket.
    async fn order(&self, code: &str, secret: &str) -> Result<Order, AppError>;
    /// Cancels (and refunds) a paid order.
    async fn cancel(&self, code: &str, secret: &str, submission: Option<String>) -> Result<Order, AppError>;
    /// Finds an order by its code and the buyer's email.
    async fn find_order(&self, code: &str, email: &str) -> Result<Order, AppError>;
}

/// How the backend travels through leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or_else(|| {
        leptos::logging::error!("server function called without a Backend in context");
        AppError::Unavailable
    })
}
