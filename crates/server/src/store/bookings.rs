//! Booking: the one write path, and looking a booking up again.
//!
//! Oversell is prevented by the conditional update `... WHERE capacity - sold >= quantity`: the check and
//! the increment are one statement, so no interleaving of buyers can take the counter past capacity. Its
//! `rows_affected` tells sold out apart from booked; the booking row is inserted in the same transaction.

use super::{order_code::new_order_code, Store, StoreError};
use chrono::{DateTime, Utc};
use model::{Booking, BookingError, BookingRequest, Cents, Tier};
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
    /// Books `request` on the default concert in one transaction: all of it or nothing.
    pub async fn book(&self, request: &BookingRequest) -> Result<Booking, StoreError> {
        let quantity = i64::from(request.quantity.get());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let price: Option<i64> = sqlx::query_scalar(
            "UPDATE tiers SET sold = sold + ?1
             WHERE event_id = ?2 AND tier = ?3 AND capacity - sold >= ?1
             RETURNING price_cents",
        )
        .bind(quantity)
        .bind(self.default_event_id)
        .bind(request.tier.code())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(unit_price_cents) = price else {
            let available: Option<i64> =
                sqlx::query_scalar("SELECT capacity - sold FROM tiers WHERE event_id = ? AND tier = ?")
                    .bind(self.default_event_id)
                    .bind(request.tier.code())
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.rollback().await?;
            return Err(match available {
                Some(n) => BookingError::SoldOut { available: u32::try_from(n).unwrap_or(0) },
                None => BookingError::NotOnSale,
            }
            .into());
        };
        let booking = Booking {
            id: new_order_code(),
            user_id: request.user_id.as_str().to_owned(),
            tier: request.tier,
            quantity: request.quantity.get(),
            unit_price_cents: Cents(unit_price_cents),
            total_cents: Cents(unit_price_cents).times(request.quantity.get()),
            created_at: Utc::now(),
        };
        sqlx::query(
            "INSERT INTO bookings
               (id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&booking.id)
        .bind(self.default_event_id)
        .bind(booking.tier.code())
        .bind(&booking.user_id)
        .bind(request.buyer_name.as_ref().map(|name| name.as_str()))
        .bind(quantity)
        .bind(booking.unit_price_cents.0)
        .bind(booking.total_cents.0)
        .bind(booking.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.changes.notify_one();
        Ok(booking)
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
