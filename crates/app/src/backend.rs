//! The interface server functions call, implemented by the server crate's store and provided through
//! leptos context. It keeps SQL out of this crate and the rules out of the server functions.

use crate::AppError;
use model::{Booking, BookingRequest, Concert};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The concert on sale with every tier's live availability.
    async fn concert(&self) -> Result<Concert, AppError>;
    /// Books a request that already passed the rules, in one transaction.
    async fn book(&self, request: BookingRequest) -> Result<Booking, AppError>;
    /// A booking by its order code.
    async fn booking(&self, id: &str) -> Result<Booking, AppError>;
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
