//! The operator's view and controls: sales per tier, order lines (and their CSV), a tier's capacity, and
//! pausing or resuming its sales. Changes go through the writer like every other write.

use super::{db::millis, db::At, writer::Job, Store, StoreError};
use chrono::Utc;
use model::{Cents, OrderLine, OrderStatus, Tier, TierSales};
use sqlx::FromRow;

#[derive(FromRow)]
struct SalesRow {
    tier: String,
    capacity: i64,
    sold: i64,
    held: i64,
    blocked: i64,
    on_sale: i64,
    price_cents: i64,
    revenue_cents: i64,
}

#[derive(FromRow)]
struct LineRow {
    id: String,
    created_at: At,
    tier: String,
    quantity: i64,
    total_cents: i64,
    status: String,
    user_id: String,
    buyer_name: Option<String>,
    card_last4: Option<String>,
}

fn count(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Database(sqlx::Error::Protocol(format!("count {value} out of range"))))
}

impl TryFrom<LineRow> for OrderLine {
    type Error = StoreError;
    fn try_from(row: LineRow) -> Result<Self, Self::Error> {
        Ok(OrderLine {
            tier: Tier::parse(&row.tier)?,
            quantity: count(row.quantity)?,
            status: OrderStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Database(sqlx::Error::Protocol(format!("order status {}", row.status))))?,
            code: row.id,
            created_at: row.created_at.0,
            total_cents: Cents(row.total_cents),
            user_id: row.user_id,
            buyer_name: row.buyer_name,
            card_last4: row.card_last4,
        })
    }
}

impl Store {
    /// Each tier's capacity, sold, held (running holds), available, on sale, and revenue, VIP first.
    pub async fn sales(&self, event_id: i64) -> Result<Vec<TierSales>, StoreError> {
        let rows: Vec<SalesRow> = sqlx::query_as(
            "SELECT tier, capacity, sold, on_sale, blocked, price_cents,
                    CAST((SELECT COALESCE(SUM(quantity), 0) FROM holds h
                          WHERE h.event_id = tiers.event_id AND h.tier = tiers.tier
                            AND h.status = 'held' AND h.expires_at_ms > $2) AS BIGINT) AS held,
                    CAST((SELECT COALESCE(SUM(total_cents), 0) FROM orders o
                          WHERE o.event_id = tiers.event_id AND o.tier = tiers.tier AND o.status = 'paid')
                         AS BIGINT) AS revenue_cents
             FROM tiers WHERE event_id = $1 ORDER BY price_cents DESC, tier",
        )
        .bind(event_id)
        .bind(millis(Utc::now()))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                let (capacity, sold, held) = (count(row.capacity)?, count(row.sold)?, count(row.held)?);
                let blocked = count(row.blocked)?;
                Ok(TierSales {
                    tier: Tier::parse(&row.tier)?,
                    capacity,
                    sold,
                    held,
                    blocked,
                    available: capacity.saturating_sub(sold + held + blocked),
                    on_sale: row.on_sale != 0,
                    price_cents: Cents(row.price_cents),
                    revenue_cents: Cents(row.revenue_cents),
                })
            })
            .collect()
    }

    /// Orders, newest first: the latest `limit`, or all of them.
    pub async fn order_lines(&self, event_id: i64, limit: Option<u32>) -> Result<Vec<OrderLine>, StoreError> {
        let rows: Vec<LineRow> = sqlx::query_as(
            "SELECT id, created_at, tier, quantity, total_cents, status, user_id, buyer_name, card_last4
             FROM orders WHERE event_id = $1 ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(event_id)
        // Not -1 for "all": PostgreSQL refuses a negative LIMIT.
        .bind(limit.map_or(i64::MAX, i64::from))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(OrderLine::try_from).collect()
    }

    /// Sets a tier's capacity; refused below what is sold or held.
    pub async fn set_capacity(&self, event_id: i64, tier: Tier, capacity: u32) -> Result<(), StoreError> {
        Ok(self.writer.ask(|reply| Job::SetCapacity { concert: event_id, tier, capacity, reply }).await??)
    }

    /// Pauses (`false`) or resumes (`true`) a tier's sales.
    pub async fn set_on_sale(&self, event_id: i64, tier: Tier, on_sale: bool) -> Result<(), StoreError> {
        Ok(self.writer.ask(|reply| Job::SetOnSale { concert: event_id, tier, on_sale, reply }).await??)
    }
}

/// A buyer's text as a spreadsheet will not run it: a leading `=`, `+`, `-`, `@` (a formula) is quoted away.
fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// Order lines as CSV (RFC 4180, with a header row), for a spreadsheet.
pub fn orders_csv(lines: &[OrderLine]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "code",
        "created_at",
        "tier",
        "quantity",
        "total_cents",
        "status",
        "email",
        "name",
        "card_last4",
    ])?;
    for line in lines {
        writer.write_record([
            line.code.as_str(),
            &line.created_at.to_rfc3339(),
            line.tier.code(),
            &line.quantity.to_string(),
            &line.total_cents.0.to_string(),
            line.status.code(),
            &inert(&line.user_id),
            &inert(line.buyer_name.as_deref().unwrap_or_default()),
            line.card_last4.as_deref().unwrap_or_default(),
        ])?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8"))
}
