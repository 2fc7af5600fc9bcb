//! The store as the page's [`app::backend::Backend`]: server functions call this through leptos context.
//! Database failures are logged here and reach the page only as "try again", never with their detail.
//!
//! A page submission's key guards like the API's `Idempotency-Key`, with one difference: a duplicate that
//! arrives while the first is still running waits for it and gets the same answer, instead of a 409 the
//! buyer could do nothing with (the page shows whichever answer comes last).

use crate::{
    payments,
    qr::with_qr_codes,
    queue_pass::{pass_cookie, visitor_cookie, PassSources, QueuePasses},
    store::{fingerprint, IdempotencyKey, InFlightGuard, Store, StoreError},
};
use app::{backend::Backend, AppError};
use axum::http::{header::SET_COOKIE, request::Parts};
use chrono::Utc;
use model::{BookingRequest, Concert, Hold, Order, PaymentCard, QueuePlace, QueueStatus};
use std::time::Duration;

/// The page's view of the shop: the store, and the passes the waiting room signs.
pub struct PageBackend {
    pub store: Store,
    pub passes: QueuePasses,
}

/// The cookies of the request a server function is answering.
fn request_cookies() -> PassSources {
    leptos::prelude::use_context::<Parts>().map(|parts| PassSources::of(&parts.headers)).unwrap_or_default()
}

/// Sets a cookie on the server function's answer.
fn set_cookie(value: axum::http::HeaderValue) {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
}

/// How long a duplicate submission waits for the first before giving up.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);

#[async_trait::async_trait]
impl Backend for PageBackend {
    async fn concert(&self, id: Option<i64>) -> Result<Concert, AppError> {
        match id {
            Some(id) => self.store.listed_concert(id).await,
            None => Store::concert(&self.store).await,
        }
        .map_err(to_page_error)
    }

    async fn concerts(&self) -> Result<Vec<Concert>, AppError> {
        Store::concerts(&self.store).await.map_err(to_page_error)
    }

    async fn seat_map(&self, concert: i64) -> Result<Option<model::SeatMap>, AppError> {
        let Some(plan) = self.store.seating_plan(concert).await.map_err(to_page_error)? else { return Ok(None) };
        let plan: model::SeatingPlan = serde_json::from_str(&plan).map_err(|error| {
            tracing::error!(%error, concert, "a stored seating plan does not read");
            AppError::Unavailable
        })?;
        let seats = self.store.seats(concert).await.map_err(to_page_error)?;
        Ok(Some(model::SeatMap::of(&plan, seats)))
    }

    async fn place_hold(&self, mut request: BookingRequest, submission: Option<String>) -> Result<Hold, AppError> {
        let concert = request.concert_id.unwrap_or(self.store.default_event_id());
        request.admission = self.passes.read(request_cookies().for_concert(concert));
        let (key, _in_flight) = claim(&self.store, "page:hold", submission, fingerprint::hold(&request)).await?;
        self.store.place_hold(request, key).await.map_err(to_page_error)
    }

    async fn hold(&self, id: &str) -> Result<Hold, AppError> {
        Store::hold(&self.store, id).await.map_err(to_page_error)
    }

    async fn pay(&self, hold_id: &str, card: PaymentCard, submission: Option<String>) -> Result<Order, AppError> {
        let (key, _in_flight) =
            claim(&self.store, "page:pay", submission, fingerprint::payment(hold_id, &card)).await?;
        payments::pay_hold(&self.store, hold_id, &card, key)
            .await
            .map(|order| with_qr_codes(order, self.store.ticket_signer()))
            .map_err(to_page_error)
    }

    async fn release(&self, hold_id: &str, submission: Option<String>) -> Result<Hold, AppError> {
        let (key, _in_flight) = claim(&self.store, "page:release", submission, fingerprint::release(hold_id)).await?;
        self.store.release_hold(hold_id, key).await.map_err(to_page_error)
    }

    async fn order(&self, code: &str, secret: &str) -> Result<Order, AppError> {
        Store::order(&self.store, code, secret)
            .await
            .map(|order| with_qr_codes(order, self.store.ticket_signer()))
            .map_err(to_page_error)
    }

    async fn cancel(&self, code: &str, secret: &str, submission: Option<String>) -> Result<Order, AppError> {
        let fingerprint = fingerprint::cancellation(code, secret);
        let (key, _in_flight) = claim(&self.store, "page:cancel", submission, fingerprint).await?;
        self.store
            .cancel_order(code, secret, key)
            .await
            .map(|order| with_qr_codes(order, self.store.ticket_signer()))
            .map_err(to_page_error)
    }

    async fn find_order(&self, code: &str, email: &str) -> Result<Order, AppError> {
        Store::find_order(&self.store, code, email).await.map_err(|error| match error {
            StoreError::NotFound => AppError::Booking(model::BookingError::OrderNotFound),
            other => to_page_error(other),
        })
    }

    async fn join_waitlist(
        &self,
        request: BookingRequest,
        submission: Option<String>,
    ) -> Result<model::sale::Waiting, AppError> {
        let (key, _in_flight) = claim(&self.store, "page:waitlist", submission, fingerprint::hold(&request)).await?;
        self.store.join_waitlist(request, key).await.map_err(to_page_error)
    }

    async fn ask_for_orders(&self, email: &str) -> Result<(), AppError> {
        self.store.ask_for_orders(email, Utc::now()).await.map(|_| ()).map_err(to_page_error)
    }

    async fn join_queue(&self, concert: i64) -> Result<QueuePlace, AppError> {
        let known = request_cookies().cookie(&visitor_cookie(concert)).map(str::to_owned);
        let place = self.store.join_queue(concert, known).await.map_err(to_page_error)?;
        let until = place.sales_open_at + chrono::Duration::days(1);
        set_cookie(crate::queue_pass::cookie(visitor_cookie(concert), &place.visitor, Some(until)));
        Ok(place)
    }

    async fn queue_place(&self, concert: i64) -> Result<Option<QueuePlace>, AppError> {
        let Some(visitor) = request_cookies().cookie(&visitor_cookie(concert)).map(str::to_owned) else {
            return Ok(None);
        };
        let place = match self.store.queue_place(concert, &visitor, Utc::now()).await {
            Ok(place) => place,
            // A cookie from another database (or a forged one) names nobody: not in the queue.
            Err(StoreError::Rejected(model::BookingError::VisitorNotFound)) => return Ok(None),
            Err(error) => return Err(to_page_error(error)),
        };
        if let (QueueStatus::Admitted, Some(number), Some(ends)) = (place.status, place.place, place.window_ends_at) {
            let pass = self.passes.issue(concert, &visitor, number, ends);
            set_cookie(crate::queue_pass::cookie(pass_cookie(concert), &pass, Some(ends)));
        }
        Ok(Some(place))
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
