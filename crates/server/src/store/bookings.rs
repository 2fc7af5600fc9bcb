//! Booking and looking a booking up again. The write itself happens in `writer.rs`.

use super::{writer::Outcome, Store, StoreError};
use chrono::{DateTime, Utc};
use model::{Booking, BookingRequest, Cents, Tier};
use sqlx::FromRow;

#[derive(FromRow)]
struct BookingRow {
    id: String,
    tier: String,
    user_id: String,
    quantity: i64,
    unit_price_cents: i64,
    total_cents: i64,
    created_at: DateTime<Utc>,
}

impl TryFrom<BookingRow> for Booking {
    type Error = StoreError;
    fn try_from(row: BookingRow) -> Result<Self, Self::Error> {
        Ok(Booking {
            id: row.id,
            user_id: row.user_id,
            tier: Tier::parse(&row.tier)?,
            quantity: u32::try_from(row.quantity)
                .map_err(|_| sqlx::Error::Protocol(format!("quantity {} out of range", row.quantity)))?,
            unit_price_cents: Cents(row.unit_price_cents),
            total_cents: Cents(row.total_cents),
            created_at: row.created_at,
        })
    }
}

impl Store {
    /// Books `request` on the default concert. It joins the writer's next batch (see `writer.rs`) and
    /// is answered once that batch is durably committed: booked, sold out, or an error.
    pub async fn book(&self, request: BookingRequest) -> Result<Booking, StoreError> {
        let mut outcomes = self.writer.book(vec![request]).await?;
        Ok(outcomes.pop().ok_or(StoreError::WriterStopped)??)
    }

    /// Books several requests in one batch, each decided in order: for callers that hold many requests
    /// at once (and for tests that need to know what shares a batch).
    pub async fn book_batch(&self, requests: Vec<BookingRequest>) -> Result<Vec<Outcome>, StoreError> {
        self.writer.book(requests).await
    }

    /// A booking by its order code.
    pub async fn booking(&self, id: &str) -> Result<Booking, StoreError> {
        let row: BookingRow = sqlx::query_as(
            "SELECT id, tier, user_id, quantity, unit_price_cents, total_cents, created_at
             FROM bookings WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }
}
