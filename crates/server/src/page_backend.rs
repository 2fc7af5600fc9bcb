//! The store as the page's [`app::backend::Backend`]: server functions call this through leptos context.
//! Database failures are logged here and reach the page only as "try again", never with their detail.

use crate::store::{Store, StoreError};
use app::{backend::Backend, AppError};
use model::{Booking, BookingRequest, Concert};

#[async_trait::async_trait]
impl Backend for Store {
    async fn concert(&self) -> Result<Concert, AppError> {
        Store::concert(self).await.map_err(to_page_error)
    }

    async fn book(&self, request: BookingRequest) -> Result<Booking, AppError> {
        Store::book(self, request).await.map_err(to_page_error)
    }

    async fn booking(&self, id: &str) -> Result<Booking, AppError> {
        Store::booking(self, id).await.map_err(to_page_error)
    }
}

fn to_page_error(error: StoreError) -> AppError {
    match error {
        StoreError::Rejected(rule) => AppError::Booking(rule),
        StoreError::NotFound => AppError::NotFound,
        other => {
            tracing::error!(error = %other, "store failed during a page request");
            AppError::Unavailable
        }
    }
}
