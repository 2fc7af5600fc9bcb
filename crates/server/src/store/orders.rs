//! Reading holds and orders back: by hold id, by order code and secret, by code and the buyer's email.

use super::{
    db::{millis, At, Conn},
    Store, StoreError,
};
use chrono::{DateTime, Utc};
use model::{Cents, ConcertTitle, Hold, Order, OrderStatus, Ticket, Tier};
use sqlx::{FromRow, Row};

#[derive(FromRow)]
struct OrderRow {
    id: String,
    secret: String,
    tier: String,
    quantity: i64,
    unit_price_cents: i64,
    total_cents: i64,
    user_id: String,
    buyer_name: Option<String>,
    status: String,
    card_last4: Option<String>,
    created_at: At,
    cancelled_at: Option<At>,
    #[sqlx(flatten)]
    concert: ConcertColumns,
}

/// The concert's columns of a joined row.
#[derive(FromRow)]
struct ConcertColumns {
    concert_id: i64,
    concert_name: String,
    concert_venue: String,
    concert_starts_at: At,
    concert_time_zone: String,
}

impl From<ConcertColumns> for ConcertTitle {
    fn from(c: ConcertColumns) -> Self {
        ConcertTitle {
            id: c.concert_id,
            name: c.concert_name,
            venue: c.concert_venue,
            starts_at: c.concert_starts_at.0,
            zone: model::ZoneAt::of(&c.concert_time_zone, c.concert_starts_at.0),
        }
    }
}

fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Protocol(format!("unexpected value in the database: {what}"))
}

const ORDER_COLUMNS: &str = "SELECT o.id, o.secret, o.tier, o.quantity, o.unit_price_cents, o.total_cents, o.user_id,
        o.buyer_name, o.status, o.card_last4, o.created_at, o.cancelled_at,
        e.id AS concert_id, e.name AS concert_name, e.venue AS concert_venue, e.starts_at AS concert_starts_at, e.time_zone AS concert_time_zone
        FROM orders o JOIN events e ON e.id = o.event_id";

/// The order with this code and secret, with its tickets; `None` if either is wrong.
pub(super) async fn order_in(tx: &mut Conn, code: &str, secret: &str) -> Result<Option<Order>, sqlx::Error> {
    let query = format!("{ORDER_COLUMNS} WHERE o.id = $1");
    let row: Option<OrderRow> = sqlx::query_as(sqlx::AssertSqlSafe(query)).bind(code).fetch_optional(&mut *tx).await?;
    let Some(row) = row.filter(|row| model::sale::secret_matches(&row.secret, secret)) else { return Ok(None) };
    let tickets = sqlx::query(
        "SELECT code, seat, seat_id, seat_zone, seat_row, seat_number FROM tickets WHERE order_id = $1 ORDER BY seat",
    )
    .bind(code)
    .fetch_all(&mut *tx)
    .await?;
    let tickets = tickets
        .iter()
        .map(|row| {
            let number: i64 = row.try_get("seat")?;
            Ok(Ticket {
                code: row.try_get("code")?,
                number: u32::try_from(number).map_err(|_| corrupt(format!("seat {number}")))?,
                seat: super::seats::ticket_seat(row)?,
                signed_code: None,
                qr_svg: None,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(Order {
        concert: row.concert.into(),
        tier: Tier::parse(&row.tier).map_err(|_| corrupt(format!("tier {}", row.tier)))?,
        quantity: u32::try_from(row.quantity).map_err(|_| corrupt(format!("quantity {}", row.quantity)))?,
        status: OrderStatus::parse(&row.status).ok_or_else(|| corrupt(format!("order status {}", row.status)))?,
        code: row.id,
        secret: row.secret,
        unit_price_cents: Cents(row.unit_price_cents),
        total_cents: Cents(row.total_cents),
        user_id: row.user_id,
        buyer_name: row.buyer_name,
        card_last4: row.card_last4,
        created_at: row.created_at.0,
        cancelled_at: row.cancelled_at.map(|at| at.0),
        tickets,
    }))
}

/// A hold's row with its concert's title.
#[derive(FromRow)]
struct HoldWithConcert {
    #[sqlx(flatten)]
    hold: super::batch_load::HoldRow,
    #[sqlx(flatten)]
    concert: ConcertColumns,
}

impl Store {
    /// A hold by its id, with its status as of now (a hold past expiry reads as expired at once).
    pub async fn hold(&self, id: &str) -> Result<Hold, StoreError> {
        let row: HoldWithConcert = sqlx::query_as(
            "SELECT h.id, h.event_id, h.tier, h.quantity, h.unit_price_cents, h.user_id, h.buyer_name, h.status,
                    h.created_at, h.expires_at_ms, h.order_id, h.waitlist_id,
                    e.id AS concert_id, e.name AS concert_name, e.venue AS concert_venue, e.starts_at AS concert_starts_at, e.time_zone AS concert_time_zone
             FROM holds h JOIN events e ON e.id = h.event_id WHERE h.id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let seats = self.seats_of_hold(id).await?;
        let hold = model::sale::HoldRecord::try_from(row.hold)?.to_hold(row.concert.into(), seats);
        Ok(Hold { status: hold.status_at(Utc::now()), ..hold })
    }

    /// An order by its code and secret. A wrong secret is answered exactly as an unknown code.
    pub async fn order(&self, code: &str, secret: &str) -> Result<Order, StoreError> {
        let mut conn = self.pool().acquire().await?;
        order_in(&mut conn, code, secret).await?.ok_or(StoreError::NotFound)
    }

    /// "Find my order": the order with this code bought with this email (case-insensitive), for a buyer who
    /// lost the link. Both must match, so a code alone reveals nothing.
    pub async fn find_order(&self, code: &str, email: &str) -> Result<Order, StoreError> {
        let code = code.trim().to_uppercase();
        let secret: Option<String> = sqlx::query_scalar("SELECT secret FROM orders WHERE id = $1 AND user_id = $2")
            .bind(&code)
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        self.order(&code, &secret.ok_or(StoreError::NotFound)?).await
    }

    /// Holds still counting against stock whose time ran out, as of `now`: none after a sweep.
    pub async fn holds_past_expiry(&self, now: DateTime<Utc>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM holds WHERE status = 'held' AND expires_at_ms <= $1")
            .bind(millis(now))
            .fetch_one(self.pool())
            .await?)
    }
}
