//! The store's sales operations as callers see them: each one is a [`Work`] for the writer (see
//! `writer.rs`), answered once its batch is durably committed. Also the one-step booking's lookup.

use super::{
    db::At,
    idempotency::IdempotencyKey,
    sales::Charge,
    writer::{Answer, Outcome, Work},
    Store, StoreError,
};
use model::{Booking, BookingRequest, Cents, Hold, Order, OrderStatus, Tier};
use sqlx::FromRow;

#[derive(FromRow)]
struct BookingRow {
    event_id: i64,
    id: String,
    tier: String,
    user_id: String,
    quantity: i64,
    unit_price_cents: i64,
    total_cents: i64,
    created_at: At,
    status: String,
}

impl TryFrom<BookingRow> for Booking {
    type Error = StoreError;
    fn try_from(row: BookingRow) -> Result<Self, Self::Error> {
        Ok(Booking {
            concert_id: row.event_id,
            id: row.id,
            secret: None,
            user_id: row.user_id,
            tier: Tier::parse(&row.tier)?,
            quantity: u32::try_from(row.quantity)
                .map_err(|_| sqlx::Error::Protocol(format!("quantity {} out of range", row.quantity)))?,
            unit_price_cents: Cents(row.unit_price_cents),
            total_cents: Cents(row.total_cents),
            created_at: row.created_at.0,
            status: OrderStatus::parse(&row.status)
                .ok_or_else(|| sqlx::Error::Protocol(format!("order status {} unknown", row.status)))?,
        })
    }
}

/// A writer's answer that is not the kind the operation asked for: a bug, reported as a store failure.
fn unexpected(answer: Answer) -> StoreError {
    StoreError::BatchFailed(format!("the writer answered {answer:?} to another kind of request"))
}

impl Store {
    /// Books `request` on its concert in one step (straight to sold, no hold, no payment): the
    /// `POST /api/bookings` of the system we replace.
    pub async fn book(&self, request: BookingRequest) -> Result<Booking, StoreError> {
        self.book_keyed(request, None).await
    }

    pub async fn book_keyed(
        &self,
        request: BookingRequest,
        key: Option<IdempotencyKey>,
    ) -> Result<Booking, StoreError> {
        match self.writer.perform(Work::Book(request), key).await? {
            Answer::Booked(outcome) => Ok(outcome?),
            other => Err(unexpected(other)),
        }
    }

    /// Books several requests in one batch, each decided in order: for callers that hold many requests
    /// at once (and for tests that need to know what shares a batch).
    pub async fn book_batch(&self, requests: Vec<BookingRequest>) -> Result<Vec<Outcome>, StoreError> {
        let jobs = requests.into_iter().map(|request| (Work::Book(request), None)).collect();
        self.writer
            .submit(jobs)
            .await?
            .into_iter()
            .map(|answer| match answer? {
                Answer::Booked(outcome) => Ok(outcome),
                other => Err(unexpected(other)),
            })
            .collect()
    }

    /// Holds tickets for the buyer for the store's hold time.
    pub async fn place_hold(&self, request: BookingRequest, key: Option<IdempotencyKey>) -> Result<Hold, StoreError> {
        match self.writer.perform(Work::Hold(request), key).await? {
            Answer::Held(outcome) => Ok(outcome?),
            other => Err(unexpected(other)),
        }
    }

    /// Settles a hold with the processor's verdict on the card (see `payments.rs`).
    pub async fn pay_hold(
        &self,
        hold_id: &str,
        charge: Charge,
        key: Option<IdempotencyKey>,
    ) -> Result<Order, StoreError> {
        match self.writer.perform(Work::Pay { hold_id: hold_id.to_owned(), charge }, key).await? {
            Answer::Paid(outcome) => Ok(outcome?),
            other => Err(unexpected(other)),
        }
    }

    /// Cancels and refunds a paid order; its tickets go back on sale.
    pub async fn cancel_order(
        &self,
        code: &str,
        secret: &str,
        key: Option<IdempotencyKey>,
    ) -> Result<Order, StoreError> {
        let work = Work::Cancel { code: code.to_owned(), secret: secret.to_owned() };
        match self.writer.perform(work, key).await? {
            Answer::Cancelled(outcome) => Ok(outcome?),
            other => Err(unexpected(other)),
        }
    }

    /// Expires run-out holds and forgets idempotency keys past their time: the sweeper's tick.
    pub async fn sweep(&self) -> Result<(), StoreError> {
        match self.writer.perform(Work::Sweep, None).await? {
            Answer::Swept { .. } => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// A one-step booking by its order code (without its secret), paid or cancelled.
    pub async fn booking(&self, id: &str) -> Result<Booking, StoreError> {
        let row: BookingRow = sqlx::query_as(
            "SELECT event_id, id, tier, user_id, quantity, unit_price_cents, total_cents, created_at, status
             FROM orders WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }
}
