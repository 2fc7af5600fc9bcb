//! The store's sales operations as callers see them: each one is a [`Job`] for the writer (see
//! `writer.rs`), answered once its batch is durably committed. Also the one-step booking's lookup.

use super::{
    db::At,
    idempotency::IdempotencyKey,
    writer::{Decided, Job},
    Store, StoreError,
};
use model::sale::{Answer, Charge, Command, KeyReused};
use model::{Booking, BookingRequest, Cents, Hold, Order, OrderStatus, Tier};
use sqlx::FromRow;
use tokio::sync::oneshot;

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
        Ok(self.writer.ask(|reply| Job::Book(request, key, reply)).await??)
    }

    /// Books several requests in one batch, each decided in order: for callers that hold many requests
    /// at once (and for tests that need to know what shares a batch).
    pub async fn book_batch(&self, requests: Vec<BookingRequest>) -> Result<Vec<Decided<Booking>>, StoreError> {
        self.in_one_batch(requests, |request, reply| Job::Book(request, None, reply)).await
    }

    /// Runs engine commands in one batch, each decided in order, each answered as the engine answered it
    /// (a key reused for another request is `Err(KeyReused)`).
    pub async fn decide_batch(
        &self,
        commands: Vec<(Command, Option<IdempotencyKey>)>,
    ) -> Result<Vec<Result<Answer, KeyReused>>, StoreError> {
        self.in_one_batch(commands, |(command, key), reply| Job::Decide(command, key, reply)).await
    }

    /// One job per item, `job` building each around its responder, sent as one batch; their answers in order.
    async fn in_one_batch<I, T>(
        &self,
        items: Vec<I>,
        job: impl Fn(I, super::writer::Responder<T>) -> Job,
    ) -> Result<Vec<T>, StoreError> {
        let (jobs, answers): (Vec<_>, Vec<_>) = items
            .into_iter()
            .map(|item| {
                let (reply, answer) = oneshot::channel();
                (job(item, reply), answer)
            })
            .unzip();
        self.writer.submit(jobs).await?;
        let mut answered = Vec::with_capacity(answers.len());
        for answer in answers {
            answered.push(answer.await.map_err(|_| StoreError::WriterStopped)??);
        }
        Ok(answered)
    }

    /// Holds tickets for the buyer for the store's hold time.
    pub async fn place_hold(&self, request: BookingRequest, key: Option<IdempotencyKey>) -> Result<Hold, StoreError> {
        Ok(self.writer.ask(|reply| Job::Hold(request, key, reply)).await??)
    }

    /// Puts the buyer on the waiting list of a tier that cannot serve them now.
    pub async fn join_waitlist(
        &self,
        request: BookingRequest,
        key: Option<IdempotencyKey>,
    ) -> Result<model::sale::Waiting, StoreError> {
        Ok(self.writer.ask(|reply| Job::JoinWaitlist(request, key, reply)).await??)
    }

    /// Settles a hold with the processor's verdict on the card (see `payments.rs`).
    pub async fn pay_hold(
        &self,
        hold_id: &str,
        charge: Charge,
        key: Option<IdempotencyKey>,
    ) -> Result<Order, StoreError> {
        let hold_id = hold_id.to_owned();
        Ok(self.writer.ask(|reply| Job::Pay { hold_id, charge, key, reply }).await??)
    }

    /// Gives a running hold back: its tickets go back on sale at once.
    pub async fn release_hold(&self, hold_id: &str, key: Option<IdempotencyKey>) -> Result<Hold, StoreError> {
        let hold_id = hold_id.to_owned();
        Ok(self.writer.ask(|reply| Job::Release { hold_id, key, reply }).await??)
    }

    /// Cancels and refunds a paid order; its tickets go back on sale.
    pub async fn cancel_order(
        &self,
        code: &str,
        secret: &str,
        key: Option<IdempotencyKey>,
    ) -> Result<Order, StoreError> {
        let (code, secret) = (code.to_owned(), secret.to_owned());
        Ok(self.writer.ask(|reply| Job::Cancel { code, secret, key, reply }).await??)
    }

    /// Expires run-out holds (every batch does) and forgets idempotency keys past their time: the
    /// sweeper's tick.
    pub async fn sweep(&self) -> Result<(), StoreError> {
        self.writer.ask(Job::Sweep).await.map(drop)
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
