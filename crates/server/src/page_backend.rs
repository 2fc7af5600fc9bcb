//! The store as the page's [`app::backend::Backend`]: server functions call this through leptos context.
//! Database failures are logged here and reach the page only as "try again", never with their detail.
//!
//! A page submission's key guards like the API's `Idempotency-Key`, with one difference: a duplicate that
//! arrives while the first is still running waits for it and gets the same answer, instead of a 409 the
//! buyer could do nothing with (the page shows whichever answer comes last).

use crate::{
    payments,
    qr::with_qr_codes,
    store::{fingerprint, IdempotencyKey, InFlightGuard, Store, StoreError},
};
use app::{backend::Backend, AppError};
use model::{BookingRequest, Concert, Hold, Order, PaymentCard};
use std::time::Duration;

/// How long a duplicate submission waits for the first before giving up.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);

#[async_trait::async_trait]
impl Backend for Store {
    async fn concert(&self, id: Option<i64>) -> Result<Concert, AppError> {
        match id {
            Some(id) => self.concert_by_id(id).await,
            None => Store::concert(self).await,
        }
        .map_err(to_page_error)
    }

    async fn concerts(&self) -> Result<Vec<Concert>, AppError> {
        Store::concerts(self).await.map_err(to_page_error)
    }

    async fn place_hold(&self, request: BookingRequest, submission: Option<String>) -> Result<Hold, AppError> {
        let (key, _in_flight) = claim(self, "page:hold", submission, fingerprint::hold(&request)).await?;
        self.place_hold(request, key).await.map_err(to_page_error)
    }

    async fn hold(&self, id: &str) -> Result<Hold, AppError> {
        Store::hold(self, id).await.map_err(to_page_error)
    }

    async fn pay(&self, hold_id: &str, card: PaymentCard, submission: Option<String>) -> Result<Order, AppError> {
        let (key, _in_flight) = claim(self, "page:pay", submission, fingerprint::payment(hold_id, &card)).await?;
        payments::pay_hold(self, hold_id, &card, key).await.map(with_qr_codes).map_err(to_page_error)
    }

    async fn release(&self, hold_id: &str, submission: Option<String>) -> Result<Hold, AppError> {
        let (key, _in_flight) = claim(self, "page:release", submission, fingerprint::release(hold_id)).await?;
        self.release_hold(hold_id, key).await.map_err(to_page_error)
    }

    async fn order(&self, code: &str, secret: &str) -> Result<Order, AppError> {
        Store::order(self, code, secret).await.map(with_qr_codes).map_err(to_page_error)
    }

    async fn cancel(&self, code: &str, secret: &str, submission: Option<String>) -> Result<Order, AppError> {
        let fingerprint = fingerprint::cancellation(code, secret);
        let (key, _in_flight) = claim(self, "page:cancel", submission, fingerprint).await?;
        self.cancel_order(code, secret, key).await.map(with_qr_codes).map_err(to_page_error)
    }

    async fn find_order(&self, code: &str, email: &str) -> Result<Order, AppError> {
        Store::find_order(self, code, email).await.map_err(|error| match error {
            StoreError::NotFound => AppError::Booking(model::BookingError::OrderNotFound),
            other => to_page_error(other),
        })
    }
}

/// Claims the submission's key, waiting while an identical submission is still running.
async fn claim(
    store: &Store,
    scope: &'static str,
    submission: Option<String>,
    fingerprint: String,
) -> Result<(Option<IdempotencyKey>, Option<InFlightGuard>), AppError> {
    let Some(key) = submission.filter(|k| !k.is_empty() && k.len() <= 255) else { return Ok((None, None)) };
    let key = IdempotencyKey { scope, key, fingerprint };
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        if let Some(guard) = store.in_flight().claim(&key) {
            return Ok((Some(key), Some(guard)));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(AppError::Unavailable);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) fn to_page_error(error: StoreError) -> AppError {
    match error {
        StoreError::Rejected(rule) => AppError::Booking(rule),
        StoreError::NotFound => AppError::NotFound,
        StoreError::IdempotencyKeyReused => AppError::Unavailable,
        other => {
            tracing::error!(error = %other, "store failed during a page request");
            AppError::Unavailable
        }
    }
}
