//! Each sales step as SQL inside the writer's open transaction: book, hold, pay, cancel, and the sweep
//! that expires holds. The writer runs these one after another, so no two steps interleave; the conditional
//! updates still guard stock on their own (and the `CHECK`s behind them), so correctness does not rest on that.
//!
//! Every step answers `Ok(Err(refusal))` for a rule it refuses (nothing written by it) and `Err` only when
//! the database fails, which rolls back the whole batch.

use super::{
    catalog::Titles,
    codes::{new_hold_id, new_order_code, new_order_secret, new_ticket_code},
    db::{At, Conn, Dialect},
};
use chrono::{DateTime, Utc};
use model::{Booking, BookingError, BookingRequest, Cents, Hold, HoldStatus, Order, OrderStatus, Ticket, Tier};
use sqlx::Row;
use std::collections::{hash_map::Entry, HashMap};

/// The limits a step enforces, from the store's settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_per_order: u32,
    pub buyer_limits: model::BuyerLimits,
}

pub type Refusable<T> = Result<Result<T, BookingError>, sqlx::Error>;

pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The per-order and per-buyer caps, checked before any stock moves.
async fn check_limits(
    tx: &mut Conn,
    dialect: Dialect,
    event_id: i64,
    limits: &Limits,
    request: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<Option<BookingError>, sqlx::Error> {
    let wanted = request.quantity.get();
    if wanted > limits.max_per_order {
        return Ok(Some(BookingError::QuantityTooLarge { max: limits.max_per_order }));
    }
    let Some(max) = limits.buyer_limits.of(request.tier) else { return Ok(None) };
    if dialect == Dialect::Postgres {
        // Every hold and sale of this tier updates its row, so once this transaction holds the row's lock,
        // no other instance's writer has an uncommitted hold or order of it, and the sum below (a new
        // statement, a new snapshot) counts all of them: two instances cannot both let one buyer past it.
        sqlx::query("SELECT 1 FROM tiers WHERE event_id = $1 AND tier = $2 FOR UPDATE")
            .bind(event_id)
            .bind(request.tier.code())
            .execute(&mut *tx)
            .await?;
    }
    let already: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE((SELECT SUM(quantity) FROM holds
                               WHERE event_id = $1 AND tier = $2 AND user_id = $3 AND status = 'held'
                                 AND expires_at_ms > $4), 0)
                   + COALESCE((SELECT SUM(quantity) FROM orders
                               WHERE event_id = $1 AND tier = $2 AND user_id = $3 AND status = 'paid'), 0)
                   AS BIGINT)",
    )
    .bind(event_id)
    .bind(request.tier.code())
    .bind(request.user_id.as_str())
    .bind(millis(now))
    .fetch_one(&mut *tx)
    .await?;
    let already = u32::try_from(already).unwrap_or(u32::MAX);
    Ok((already.saturating_add(wanted) > max).then_some(BookingError::BuyerLimit { tier: request.tier, max, already }))
}

/// Why stock could not be taken: how many are left, or the tier is not on sale at all.
async fn shortage(tx: &mut Conn, event_id: i64, tier: Tier) -> Result<BookingError, sqlx::Error> {
    // No lock: the refusal only reports what is left, and the update that failed took nothing.
    Ok(match read_stock(tx, "", event_id, tier).await? {
        Some(Stock { on_sale: false, .. }) => BookingError::NotOnSale,
        Some(Stock { left, .. }) => BookingError::SoldOut { available: u32::try_from(left).unwrap_or(0) },
        None => no_such_tier(tx, event_id, tier).await?,
    })
}

/// Why a concert has no row for `tier`: the concert does not exist, or does not offer that tier.
async fn no_such_tier(tx: &mut Conn, event_id: i64, tier: Tier) -> Result<BookingError, sqlx::Error> {
    Ok(match super::catalog::title_in(tx, event_id).await? {
        None => BookingError::ConcertNotFound,
        Some(_) => BookingError::TierNotOffered(tier),
    })
}

/// Where stock taken off sale goes.
enum Into {
    Sold,
    Held,
}

/// The limits, then the conditional update that moves `quantity` tickets off sale only if that many are
/// available: check and move are one statement, so nothing can interleave between them. Returns the price.
async fn take_stock(
    tx: &mut Conn,
    dialect: Dialect,
    event_id: i64,
    limits: &Limits,
    request: &BookingRequest,
    now: DateTime<Utc>,
    into: Into,
) -> Refusable<Cents> {
    if let Some(refusal) = check_limits(tx, dialect, event_id, limits, request, now).await? {
        return Ok(Err(refusal));
    }
    let update = match into {
        Into::Sold => {
            "UPDATE tiers SET sold = sold + $1
             WHERE event_id = $2 AND tier = $3 AND on_sale = 1 AND capacity - sold - held >= $1
             RETURNING price_cents"
        }
        Into::Held => {
            "UPDATE tiers SET held = held + $1
             WHERE event_id = $2 AND tier = $3 AND on_sale = 1 AND capacity - sold - held >= $1
             RETURNING price_cents"
        }
    };
    let price: Option<i64> = sqlx::query_scalar(update)
        .bind(i64::from(request.quantity.get()))
        .bind(event_id)
        .bind(request.tier.code())
        .fetch_optional(&mut *tx)
        .await?;
    Ok(match price {
        Some(price) => Ok(Cents(price)),
        None => Err(shortage(tx, event_id, request.tier).await?),
    })
}

/// A paid order to insert.
struct NewOrder<'a> {
    event_id: i64,
    code: String,
    secret: String,
    tier: Tier,
    quantity: u32,
    unit_price: Cents,
    user_id: &'a str,
    buyer_name: Option<&'a str>,
    hold_id: Option<&'a str>,
    card_last4: Option<&'a str>,
}

/// Rows per multi-row insert: 13,000 values, far below SQLite's limit of 32,766 bound values per statement
/// and PostgreSQL's of 65,535.
const ROWS_PER_INSERT: usize = 1_000;

/// Inserts paid orders and one ticket per seat, a statement per thousand rows rather than per row; returns
/// each order's tickets.
async fn insert_orders(
    tx: &mut Conn,
    dialect: Dialect,
    orders: &[NewOrder<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<Vec<Ticket>>, sqlx::Error> {
    for chunk in orders.chunks(ROWS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len()).map(|row| dialect.row_placeholders(row * 13 + 1, 13)).collect();
        let sql = format!(
            "INSERT INTO orders (id, secret, event_id, tier, user_id, buyer_name, quantity, unit_price_cents,
                                 total_cents, created_at, status, hold_id, card_last4) VALUES {}",
            rows.join(", ")
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for order in chunk {
            insert = insert
                .bind(order.code.as_str())
                .bind(order.secret.as_str())
                .bind(order.event_id)
                .bind(order.tier.code())
                .bind(order.user_id)
                .bind(order.buyer_name)
                .bind(i64::from(order.quantity))
                .bind(order.unit_price.0)
                .bind(order.unit_price.times(order.quantity).0)
                .bind(At(now))
                .bind("paid")
                .bind(order.hold_id)
                .bind(order.card_last4);
        }
        insert.execute(&mut *tx).await?;
    }
    let tickets: Vec<Vec<Ticket>> = orders
        .iter()
        .map(|order| (1..=order.quantity).map(|seat| Ticket { code: new_ticket_code(), seat, qr_svg: None }).collect())
        .collect();
    let rows: Vec<(&str, &Ticket)> = orders
        .iter()
        .zip(&tickets)
        .flat_map(|(order, tickets)| tickets.iter().map(move |ticket| (order.code.as_str(), ticket)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len()).map(|row| dialect.row_placeholders(row * 3 + 1, 3)).collect();
        let sql = format!("INSERT INTO tickets (code, order_id, seat) VALUES {}", values.join(", "));
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (order, ticket) in chunk {
            insert = insert.bind(ticket.code.as_str()).bind(*order).bind(i64::from(ticket.seat));
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(tickets)
}

fn booking(order: NewOrder<'_>, now: DateTime<Utc>) -> Booking {
    Booking {
        status: OrderStatus::Paid,
        concert_id: order.event_id,
        total_cents: order.unit_price.times(order.quantity),
        id: order.code,
        secret: Some(order.secret),
        user_id: order.user_id.to_owned(),
        tier: order.tier,
        quantity: order.quantity,
        unit_price_cents: order.unit_price,
        created_at: now,
    }
}

fn new_order<'a>(event_id: i64, request: &'a BookingRequest, unit_price: Cents) -> NewOrder<'a> {
    NewOrder {
        event_id,
        code: new_order_code(),
        secret: new_order_secret(),
        tier: request.tier,
        quantity: request.quantity.get(),
        unit_price,
        user_id: request.user_id.as_str(),
        buyer_name: request.buyer_name.as_ref().map(|n| n.as_str()),
        hold_id: None,
        card_last4: None,
    }
}

/// The one-step sale of `POST /api/bookings`: stock straight to sold, a paid order without a card.
pub async fn book(
    tx: &mut Conn,
    dialect: Dialect,
    event_id: i64,
    limits: &Limits,
    request: &BookingRequest,
    now: DateTime<Utc>,
) -> Refusable<Booking> {
    let price = match take_stock(tx, dialect, event_id, limits, request, now, Into::Sold).await? {
        Ok(price) => price,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let order = new_order(event_id, request, price);
    insert_orders(tx, dialect, std::slice::from_ref(&order), now).await?;
    Ok(Ok(booking(order, now)))
}

/// A tier's stock as a run of bookings sees it.
struct Stock {
    left: i64,
    on_sale: bool,
    price: Cents,
    taken: i64,
}

/// A run of one-step bookings without per-buyer limits, with the same answers [`book`] would give them one
/// at a time, in a handful of statements however long the run: each tier's stock is read once, every request
/// is decided in order against it, then one conditional update per tier moves the total and multi-row
/// inserts write the orders and tickets. Nothing moves the stock between the read and the update: on SQLite
/// the writer's transaction is exclusive, on PostgreSQL the read locks the tier's row until commit. The
/// update's condition (and the CHECK behind it) still refuses an oversell, failing the whole batch, should
/// that ever be wrong.
pub async fn book_run(
    tx: &mut Conn,
    dialect: Dialect,
    default_event_id: i64,
    limits: &Limits,
    requests: &[&BookingRequest],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Booking, BookingError>>, sqlx::Error> {
    let mut stock: HashMap<(i64, Tier), Option<Stock>> = HashMap::new();
    let mut orders: Vec<NewOrder<'_>> = Vec::with_capacity(requests.len());
    let mut decided: Vec<Result<(), BookingError>> = Vec::with_capacity(requests.len());
    for request in requests {
        let event_id = request.concert_id.unwrap_or(default_event_id);
        let quantity = request.quantity.get();
        if quantity > limits.max_per_order {
            decided.push(Err(BookingError::QuantityTooLarge { max: limits.max_per_order }));
            continue;
        }
        let tier = match stock.entry((event_id, request.tier)) {
            Entry::Occupied(tier) => tier.into_mut(),
            Entry::Vacant(slot) => slot.insert(read_stock(tx, dialect.lock_rows(), event_id, request.tier).await?),
        };
        decided.push(match tier {
            None => Err(no_such_tier(tx, event_id, request.tier).await?),
            Some(tier) if !tier.on_sale => Err(BookingError::NotOnSale),
            Some(tier) if tier.left < i64::from(quantity) => {
                Err(BookingError::SoldOut { available: u32::try_from(tier.left).unwrap_or(0) })
            }
            Some(tier) => {
                tier.left -= i64::from(quantity);
                tier.taken += i64::from(quantity);
                orders.push(new_order(event_id, request, tier.price));
                Ok(())
            }
        });
    }
    for ((event_id, tier), stock) in &stock {
        let Some(Stock { taken, .. }) = stock else { continue };
        if *taken == 0 {
            continue;
        }
        let moved = sqlx::query(
            "UPDATE tiers SET sold = sold + $1
             WHERE event_id = $2 AND tier = $3 AND on_sale = 1 AND capacity - sold - held >= $1",
        )
        .bind(taken)
        .bind(event_id)
        .bind(tier.code())
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(sqlx::Error::Protocol(format!("the stock of {tier} moved under the writer")));
        }
    }
    insert_orders(tx, dialect, &orders, now).await?;
    let mut orders = orders.into_iter();
    Ok(decided
        .into_iter()
        .map(|decision| decision.map(|()| booking(orders.next().expect("an order per accepted request"), now)))
        .collect())
}

/// A tier's stock; `lock` is [`Dialect::lock_rows`] when the transaction acts on what it reads.
async fn read_stock(tx: &mut Conn, lock: &str, event_id: i64, tier: Tier) -> Result<Option<Stock>, sqlx::Error> {
    let sql = format!(
        "SELECT capacity - sold - held, on_sale, price_cents FROM tiers WHERE event_id = $1 AND tier = $2{lock}"
    );
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(event_id).bind(tier.code()).fetch_optional(&mut *tx).await?;
    Ok(row.map(|(left, on_sale, price)| Stock { left, on_sale: on_sale != 0, price: Cents(price), taken: 0 }))
}

/// Sets tickets aside for the buyer until `expires_at`.
#[allow(clippy::too_many_arguments)]
pub async fn hold(
    tx: &mut Conn,
    dialect: Dialect,
    titles: &mut Titles,
    event_id: i64,
    limits: &Limits,
    request: &BookingRequest,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Refusable<Hold> {
    let quantity = request.quantity.get();
    let price = match take_stock(tx, dialect, event_id, limits, request, now, Into::Held).await? {
        Ok(price) => price.0,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let concert = titles.get(tx, event_id).await?;
    let hold = Hold {
        id: new_hold_id(),
        concert,
        tier: request.tier,
        quantity,
        unit_price_cents: Cents(price),
        total_cents: Cents(price).times(quantity),
        user_id: request.user_id.as_str().to_owned(),
        buyer_name: request.buyer_name.as_ref().map(|n| n.as_str().to_owned()),
        status: HoldStatus::Held,
        created_at: now,
        expires_at,
        order_code: None,
    };
    sqlx::query(
        "INSERT INTO holds (id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents,
                            status, created_at, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9, $10)",
    )
    .bind(&hold.id)
    .bind(event_id)
    .bind(hold.tier.code())
    .bind(&hold.user_id)
    .bind(hold.buyer_name.as_deref())
    .bind(i64::from(quantity))
    .bind(price)
    .bind(hold.total_cents.0)
    .bind(At(now))
    .bind(millis(expires_at))
    .execute(&mut *tx)
    .await?;
    Ok(Ok(hold))
}

/// What the payment processor said about a card, decided before the step runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    Approved { card_last4: String },
    Declined { card_last4: String, reason: String },
}

/// Pays a hold: if it is still held and unexpired, an approved charge turns it into a paid order, its
/// tickets move from held to sold, and the charge is recorded, all in this one transaction. A declined
/// charge is recorded and the hold stays. An expired or already paid hold is refused and nothing is charged.
pub async fn pay(
    tx: &mut Conn,
    dialect: Dialect,
    titles: &mut Titles,
    hold_id: &str,
    charge: &Charge,
    now: DateTime<Utc>,
) -> Refusable<Order> {
    let sql = format!(
        "SELECT event_id, tier, user_id, buyer_name, quantity, unit_price_cents, status, expires_at_ms, order_id
         FROM holds WHERE id = $1{}",
        dialect.lock_rows()
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hold_id).fetch_optional(&mut *tx).await?;
    let Some(row) = row else { return Ok(Err(BookingError::HoldNotFound)) };
    let status: String = row.try_get("status")?;
    let expires_at_ms: i64 = row.try_get("expires_at_ms")?;
    match status.as_str() {
        "paid" => {
            let order_code: Option<String> = row.try_get("order_id")?;
            return Ok(Err(BookingError::HoldAlreadyPaid { order_code: order_code.unwrap_or_default() }));
        }
        "held" if expires_at_ms > millis(now) => {}
        _ => return Ok(Err(BookingError::HoldExpired)),
    }
    let event_id: i64 = row.try_get("event_id")?;
    let tier = Tier::parse(row.try_get("tier")?).map_err(|e| sqlx::Error::Decode(e.into()))?;
    let quantity = u32::try_from(row.try_get::<i64, _>("quantity")?).map_err(|e| sqlx::Error::Decode(e.into()))?;
    let unit_price = Cents(row.try_get("unit_price_cents")?);
    let user_id: String = row.try_get("user_id")?;
    let buyer_name: Option<String> = row.try_get("buyer_name")?;
    let (card_last4, declined) = match charge {
        Charge::Approved { card_last4 } => (card_last4, None),
        Charge::Declined { card_last4, reason } => (card_last4, Some(reason)),
    };
    let (code, secret) = (new_order_code(), new_order_secret());
    record_payment(
        tx,
        Some(hold_id),
        declined.is_none().then_some(code.as_str()),
        "charge",
        declined.is_none(),
        unit_price.times(quantity),
        Some(card_last4),
        now,
    )
    .await?;
    if let Some(reason) = declined {
        return Ok(Err(BookingError::PaymentDeclined { reason: reason.clone() }));
    }
    let claimed = sqlx::query("UPDATE holds SET status = 'paid', order_id = $1 WHERE id = $2 AND status = 'held'")
        .bind(&code)
        .bind(hold_id)
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() != 1 {
        return Err(sqlx::Error::Protocol(format!("hold {hold_id} changed under the writer")));
    }
    sqlx::query("UPDATE tiers SET held = held - $1, sold = sold + $1 WHERE event_id = $2 AND tier = $3")
        .bind(i64::from(quantity))
        .bind(event_id)
        .bind(tier.code())
        .execute(&mut *tx)
        .await?;
    let order = NewOrder {
        event_id,
        code: code.clone(),
        secret: secret.clone(),
        tier,
        quantity,
        unit_price,
        user_id: &user_id,
        buyer_name: buyer_name.as_deref(),
        hold_id: Some(hold_id),
        card_last4: Some(card_last4),
    };
    let tickets = insert_orders(tx, dialect, std::slice::from_ref(&order), now).await?.pop().unwrap_or_default();
    let concert = titles.get(tx, event_id).await?;
    Ok(Ok(Order {
        concert,
        code,
        secret,
        tier,
        quantity,
        unit_price_cents: unit_price,
        total_cents: unit_price.times(quantity),
        user_id,
        buyer_name,
        status: OrderStatus::Paid,
        card_last4: Some(card_last4.clone()),
        created_at: now,
        cancelled_at: None,
        tickets,
    }))
}

#[allow(clippy::too_many_arguments)]
async fn record_payment(
    tx: &mut Conn,
    hold_id: Option<&str>,
    order_id: Option<&str>,
    kind: &str,
    approved: bool,
    amount: Cents,
    card_last4: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payments (hold_id, order_id, kind, outcome, amount_cents, card_last4, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hold_id)
    .bind(order_id)
    .bind(kind)
    .bind(if approved { "approved" } else { "declined" })
    .bind(amount.0)
    .bind(card_last4)
    .bind(At(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Cancels a paid order: refunds it (simulated) and puts its tickets back on sale.
pub async fn cancel(tx: &mut Conn, code: &str, secret: &str, now: DateTime<Utc>) -> Refusable<Order> {
    let Some(order) = super::orders::order_in(tx, code, secret).await? else {
        return Ok(Err(BookingError::OrderNotFound));
    };
    if order.status == OrderStatus::Cancelled {
        return Ok(Err(BookingError::OrderCancelled));
    }
    let claimed =
        sqlx::query("UPDATE orders SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND status = 'paid'")
            .bind(At(now))
            .bind(code)
            .execute(&mut *tx)
            .await?;
    if claimed.rows_affected() != 1 {
        // Another instance's writer cancelled it between our read and this update (PostgreSQL).
        return Ok(Err(BookingError::OrderCancelled));
    }
    sqlx::query(
        "UPDATE tiers SET sold = sold - $1 WHERE tier = $2 AND event_id = (SELECT event_id FROM orders WHERE id = $3)",
    )
    .bind(i64::from(order.quantity))
    .bind(order.tier.code())
    .bind(code)
    .execute(&mut *tx)
    .await?;
    let hold_id: Option<String> =
        sqlx::query_scalar("SELECT hold_id FROM orders WHERE id = $1").bind(code).fetch_one(&mut *tx).await?;
    record_payment(
        tx,
        hold_id.as_deref(),
        Some(code),
        "refund",
        true,
        order.total_cents,
        order.card_last4.as_deref(),
        now,
    )
    .await?;
    Ok(Ok(Order { status: OrderStatus::Cancelled, cancelled_at: Some(now), ..order }))
}

/// Marks every hold past its expiry as expired and takes its tickets off `held`. Returns how many holds
/// expired. Runs at the start of every write batch, so stock a hold gave back is available to the very
/// next request, and on the sweeper's tick so the live feed shows it without waiting for one.
///
/// On PostgreSQL every instance sweeps: `SKIP LOCKED` leaves a hold that another instance's transaction has
/// locked (being paid, or being expired by that instance's sweep) to that transaction instead of waiting for
/// it. A skipped hold is expired by a later sweep if it is still held then; reads already count it as
/// available.
pub async fn expire_holds(tx: &mut Conn, dialect: Dialect, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE holds SET status = 'expired'
         WHERE id IN (SELECT id FROM holds WHERE status = 'held' AND expires_at_ms <= $1{})
         RETURNING event_id, tier, quantity",
        dialect.skip_locked()
    );
    let expired = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(millis(now)).fetch_all(&mut *tx).await?;
    for row in &expired {
        sqlx::query("UPDATE tiers SET held = held - $1 WHERE event_id = $2 AND tier = $3")
            .bind(row.try_get::<i64, _>("quantity")?)
            .bind(row.try_get::<i64, _>("event_id")?)
            .bind(row.try_get::<String, _>("tier")?)
            .execute(&mut *tx)
            .await?;
    }
    Ok(expired.len() as u64)
}

/// Sets a tier's capacity, never below what is sold or held (the sweep at the batch's start has already
/// released expired holds, so `held` is exact here).
pub async fn set_capacity(tx: &mut Conn, event_id: i64, tier: Tier, capacity: u32) -> Refusable<()> {
    let changed = sqlx::query("UPDATE tiers SET capacity = $1 WHERE event_id = $2 AND tier = $3 AND sold + held <= $1")
        .bind(i64::from(capacity))
        .bind(event_id)
        .bind(tier.code())
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let taken: Option<i64> = sqlx::query_scalar("SELECT sold + held FROM tiers WHERE event_id = $1 AND tier = $2")
        .bind(event_id)
        .bind(tier.code())
        .fetch_optional(&mut *tx)
        .await?;
    Ok(Err(match taken {
        Some(taken) => BookingError::CapacityBelowTaken { taken: u32::try_from(taken).unwrap_or(u32::MAX) },
        None => BookingError::TierNotOffered(tier),
    }))
}

/// Pauses (`false`) or resumes (`true`) a tier's sales.
pub async fn set_on_sale(tx: &mut Conn, event_id: i64, tier: Tier, on_sale: bool) -> Refusable<()> {
    let changed = sqlx::query("UPDATE tiers SET on_sale = $1 WHERE event_id = $2 AND tier = $3")
        .bind(i64::from(on_sale))
        .bind(event_id)
        .bind(tier.code())
        .execute(&mut *tx)
        .await?;
    Ok(if changed.rows_affected() == 1 { Ok(()) } else { Err(BookingError::TierNotOffered(tier)) })
}
