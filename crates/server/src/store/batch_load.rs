//! Load: what a whole batch of sales commands needs, read with one query per kind, as a [`Sale`] for the
//! engine (`model::sale`) to decide against.
//!
//! Read in this order, which on PostgreSQL is also the order locks are taken in (holds and orders by id,
//! tiers by concert and tier, so two instances' batches lock in one order and seldom deadlock):
//! 1. the holds that ran out (every batch expires them first; at most [`EXPIRE_PER_BATCH`], the oldest,
//!    and on PostgreSQL only those no other instance has locked: the rest count as held until a later
//!    batch expires them, which refuses too much for a moment and never too little);
//! 2. the holds named by payments and releases, and the orders named by cancellations, with their tickets;
//! 3. every tier of every concert the batch touches, with its concert's title and opening, locked
//!    `FOR UPDATE` on PostgreSQL;
//! 4. each buyer's running total of each limited tier the batch touches: read after the tier's lock, since
//!    every hold and order of a tier moves its row, so no other instance has one of them uncommitted;
//! 5. the answers stored under the batch's idempotency keys, in any scope;
//! 6. (after the tiers) the waiting rooms of the batch's concerts, locked on PostgreSQL, and the visitors
//!    its joins name (`queue.rs`);
//! 7. (after the tiers) the seats the batch needs, locked on PostgreSQL (`seats.rs`);
//! 8. (after the tiers, before the buyers' totals) the waiting-list entries the batch needs (`waitlist.rs`).

use super::{
    db::{millis, At, Conn, Dialect, Params},
    stored_answer,
};
use chrono::{DateTime, TimeZone, Utc};
use model::{
    sale::{Command, ConcertId, HoldRecord, Key, Line, OrderRecord, Rules, Sale, Stock},
    Cents, ConcertTitle, HoldStatus, OrderStatus, Ticket, Tier,
};
use sqlx::{any::AnyRow, FromRow, Row};
use std::collections::{BTreeMap, BTreeSet};

/// Most run-out holds one batch expires: bounds a batch after a long quiet spell.
pub const EXPIRE_PER_BATCH: usize = 1_000;
/// Most values one `IN (…)` list binds: far below SQLite's 32,766 and PostgreSQL's 65,535 per statement.
const PER_STATEMENT: usize = 1_000;

/// Reads what `commands` need at `now`.
pub(super) async fn load(
    tx: &mut Conn,
    dialect: Dialect,
    rules: Rules,
    commands: &[(&Command, Option<&Key>)],
    now: DateTime<Utc>,
) -> Result<Sale, sqlx::Error> {
    let mut sale = Sale::new(now, rules);
    for hold in run_out_holds(tx, dialect, now).await? {
        sale.holds.insert(hold.id.clone(), hold);
    }
    let paid: BTreeSet<&str> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::Pay { hold_id, .. } | Command::Release { hold_id } => Some(hold_id.as_str()),
            _ => None,
        })
        .filter(|id| !sale.holds.contains_key(*id))
        .collect();
    for hold in holds_by_id(tx, dialect, &paid).await? {
        sale.holds.insert(hold.id.clone(), hold);
    }
    let cancelled: BTreeSet<&str> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::Cancel { code, .. } => Some(code.as_str()),
            _ => None,
        })
        .collect();
    for order in orders_by_code(tx, dialect, &cancelled).await? {
        sale.orders.insert(order.code.clone(), order);
    }

    let mut concerts: BTreeSet<ConcertId> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::Book(request) | Command::Hold(request) | Command::JoinWaitlist(request) => {
                Some(request.concert_id.unwrap_or(rules.default_concert))
            }
            Command::SetCapacity { concert, .. }
            | Command::SetOnSale { concert, .. }
            | Command::JoinQueue { concert, .. }
            | Command::Admit { concert }
            | Command::SetWaitingRoom { concert, .. }
            | Command::SetSeatBlocked { concert, .. }
            | Command::SetSeating { concert, .. } => Some(*concert),
            Command::Pay { .. }
            | Command::Release { .. }
            | Command::Cancel { .. }
            | Command::Expire
            | Command::Redeem { .. } => None,
        })
        .collect();
    concerts.extend(sale.holds.values().map(|hold| hold.concert));
    concerts.extend(sale.orders.values().map(|order| order.concert));
    for (concert, tier, stock, line, (title, opens)) in tiers_of(tx, dialect, &concerts).await? {
        sale.stock.insert((concert, tier), stock);
        sale.lines.insert((concert, tier), line);
        if let Some(opens) = opens {
            sale.opening.insert(concert, opens);
        }
        sale.concerts.insert(concert, title);
    }
    let visitors: BTreeSet<&str> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::JoinQueue { visitor, .. } => visitor.as_deref(),
            _ => None,
        })
        .collect();
    super::queue::load(tx, dialect, &mut sale, &concerts, &visitors).await?;
    super::seats::load(tx, dialect, &mut sale, commands).await?;
    super::door::load(tx, dialect, &mut sale, commands).await?;
    super::waitlist::load(tx, dialect, &mut sale, commands).await?;

    let mut buyers: BTreeSet<(ConcertId, Tier, String)> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::Book(request) | Command::Hold(request) | Command::JoinWaitlist(request) => Some((
                request.concert_id.unwrap_or(rules.default_concert),
                request.tier,
                request.user_id.as_str().to_owned(),
            )),
            _ => None,
        })
        .collect();
    buyers.extend(sale.holds.values().map(|hold| (hold.concert, hold.tier, hold.user_id.clone())));
    buyers.extend(sale.orders.values().map(|order| (order.concert, order.tier, order.user_id.clone())));
    buyers.extend(sale.entries.values().map(|entry| (entry.concert, entry.tier, entry.user_id.clone())));
    buyers.retain(|(concert, tier, _)| {
        rules.buyer_limits.of(*tier).is_some() && sale.stock.contains_key(&(*concert, *tier))
    });
    sale.bought = buyers_totals(tx, dialect, &buyers).await?;

    let keys: BTreeSet<&str> = commands.iter().filter_map(|(_, key)| key.map(|key| key.key.as_str())).collect();
    sale.answers = stored_answers(tx, dialect, &keys).await?;
    super::door::load_answers(tx, dialect, &mut sale, commands).await?;
    Ok(sale)
}

pub(super) fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Protocol(format!("unexpected value in the database: {what}"))
}

pub(super) fn count(value: i64, what: &str) -> Result<u32, sqlx::Error> {
    u32::try_from(value).map_err(|_| corrupt(format!("{what} {value}")))
}

pub(super) fn tier(code: &str) -> Result<Tier, sqlx::Error> {
    Tier::parse(code).map_err(|_| corrupt(format!("tier {code}")))
}

const HOLD_COLUMNS: &str = "SELECT id, event_id, tier, quantity, unit_price_cents, user_id, buyer_name, status,
        created_at, expires_at_ms, order_id, waitlist_id FROM holds";

/// A hold's row as [`HOLD_COLUMNS`] reads it (also read with its concert by `orders.rs`).
#[derive(FromRow)]
pub(super) struct HoldRow {
    id: String,
    event_id: i64,
    tier: String,
    quantity: i64,
    unit_price_cents: i64,
    user_id: String,
    buyer_name: Option<String>,
    status: String,
    created_at: At,
    expires_at_ms: i64,
    order_id: Option<String>,
    waitlist_id: Option<String>,
}

impl TryFrom<HoldRow> for HoldRecord {
    type Error = sqlx::Error;
    fn try_from(row: HoldRow) -> Result<Self, Self::Error> {
        Ok(HoldRecord {
            concert: row.event_id,
            tier: tier(&row.tier)?,
            quantity: count(row.quantity, "quantity")?,
            unit_price: Cents(row.unit_price_cents),
            status: HoldStatus::parse(&row.status).ok_or_else(|| corrupt(format!("hold status {}", row.status)))?,
            created_at: row.created_at.0,
            expires_at: Utc
                .timestamp_millis_opt(row.expires_at_ms)
                .single()
                .ok_or_else(|| corrupt(format!("expiry {}", row.expires_at_ms)))?,
            id: row.id,
            user_id: row.user_id,
            buyer_name: row.buyer_name,
            order_code: row.order_id,
            offer: row.waitlist_id,
            // Filled in by `seats::load` for a seated tier.
            seats: Vec::new(),
        })
    }
}

async fn run_out_holds(tx: &mut Conn, dialect: Dialect, now: DateTime<Utc>) -> Result<Vec<HoldRecord>, sqlx::Error> {
    let sql = format!(
        "{HOLD_COLUMNS} WHERE status = 'held' AND expires_at_ms <= $1 ORDER BY expires_at_ms, id LIMIT {EXPIRE_PER_BATCH}{}",
        dialect.skip_locked()
    );
    let rows: Vec<HoldRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(millis(now)).fetch_all(&mut *tx).await?;
    rows.into_iter().map(HoldRecord::try_from).collect()
}

async fn holds_by_id(tx: &mut Conn, dialect: Dialect, ids: &BTreeSet<&str>) -> Result<Vec<HoldRecord>, sqlx::Error> {
    let mut holds = Vec::with_capacity(ids.len());
    for chunk in ids.iter().collect::<Vec<_>>().chunks(PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let sql =
            format!("{HOLD_COLUMNS} WHERE id IN ({}) ORDER BY id{}", params.list(chunk.len()), dialect.lock_rows());
        let mut query = sqlx::query_as::<_, HoldRow>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(**id);
        }
        for row in query.fetch_all(&mut *tx).await? {
            holds.push(row.try_into()?);
        }
    }
    Ok(holds)
}

#[derive(FromRow)]
struct OrderRow {
    id: String,
    secret: String,
    event_id: i64,
    tier: String,
    quantity: i64,
    unit_price_cents: i64,
    user_id: String,
    buyer_name: Option<String>,
    status: String,
    hold_id: Option<String>,
    card_last4: Option<String>,
    created_at: At,
    cancelled_at: Option<At>,
}

/// Orders with their tickets. Orders of the first version had no secret: no secret can cancel them, so
/// they are not loaded (and a cancellation finds no such order).
async fn orders_by_code(
    tx: &mut Conn,
    dialect: Dialect,
    codes: &BTreeSet<&str>,
) -> Result<Vec<OrderRecord>, sqlx::Error> {
    let mut orders = Vec::with_capacity(codes.len());
    for chunk in codes.iter().collect::<Vec<_>>().chunks(PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let list = params.list(chunk.len());
        let sql = format!(
            "SELECT id, secret, event_id, tier, quantity, unit_price_cents, user_id, buyer_name, status, hold_id,
                    card_last4, created_at, cancelled_at
             FROM orders WHERE id IN ({list}) AND secret IS NOT NULL ORDER BY id{}",
            dialect.lock_rows()
        );
        let mut query = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(**code);
        }
        let rows = query.fetch_all(&mut *tx).await?;
        let mut params = Params::new(dialect);
        let sql = format!(
            "SELECT order_id, code, seat, seat_id, seat_zone, seat_row, seat_number FROM tickets
             WHERE order_id IN ({}) ORDER BY order_id, seat",
            params.list(chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(**code);
        }
        let mut tickets: BTreeMap<String, Vec<Ticket>> = BTreeMap::new();
        for row in query.fetch_all(&mut *tx).await? {
            let seat: i64 = row.try_get("seat")?;
            tickets.entry(row.try_get("order_id")?).or_default().push(Ticket {
                code: row.try_get("code")?,
                number: count(seat, "seat")?,
                seat: super::seats::ticket_seat(&row)?,
                signed_code: None,
                qr_svg: None,
            });
        }
        for row in rows {
            orders.push(OrderRecord {
                concert: row.event_id,
                tier: tier(&row.tier)?,
                quantity: count(row.quantity, "quantity")?,
                unit_price: Cents(row.unit_price_cents),
                status: OrderStatus::parse(&row.status)
                    .ok_or_else(|| corrupt(format!("order status {}", row.status)))?,
                tickets: tickets.remove(&row.id).unwrap_or_default(),
                code: row.id,
                secret: row.secret,
                user_id: row.user_id,
                buyer_name: row.buyer_name,
                hold_id: row.hold_id,
                card_last4: row.card_last4,
                created_at: row.created_at.0,
                cancelled_at: row.cancelled_at.map(|at| at.0),
            });
        }
    }
    Ok(orders)
}

async fn tiers_of(
    tx: &mut Conn,
    dialect: Dialect,
    concerts: &BTreeSet<ConcertId>,
) -> Result<Vec<(ConcertId, Tier, Stock, Line, (ConcertTitle, Option<DateTime<Utc>>))>, sqlx::Error> {
    if concerts.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::new(dialect);
    let sql = format!(
        // An unpublished concert's tiers are not loaded, so the engine answers its sales as for no such
        // concert. The concert's row is locked with its tiers (PostgreSQL locks every joined row): a batch
        // waiting on an unpublish or an edit sees the concert as it left it. Its title and opening come
        // along: the operator may edit them, so they are read with every batch's stock.
        "SELECT t.event_id, t.tier, t.capacity, t.sold, t.held, t.on_sale, t.price_cents, t.seated, t.blocked,
                t.waiting, t.lined, e.name, e.venue, e.starts_at, e.sales_open_at_ms, e.time_zone
         FROM tiers t JOIN events e ON e.id = t.event_id
         WHERE t.event_id IN ({}) AND e.published = 1 ORDER BY t.event_id, t.tier{}",
        params.list(concerts.len()),
        dialect.lock_rows()
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for concert in concerts {
        query = query.bind(*concert);
    }
    let rows: Vec<AnyRow> = query.fetch_all(&mut *tx).await?;
    rows.iter()
        .map(|row| {
            let stock = Stock {
                capacity: count(row.try_get("capacity")?, "capacity")?,
                sold: count(row.try_get("sold")?, "sold")?,
                held: count(row.try_get("held")?, "held")?,
                on_sale: row.try_get::<i64, _>("on_sale")? != 0,
                price: Cents(row.try_get("price_cents")?),
                seated: row.try_get::<i64, _>("seated")? != 0,
                blocked: count(row.try_get("blocked")?, "blocked")?,
            };
            let line = Line {
                waiting: count(row.try_get("waiting")?, "waiting")?,
                joined: u64::try_from(row.try_get::<i64, _>("lined")?).map_err(|_| corrupt("lined".into()))?,
            };
            let id: ConcertId = row.try_get("event_id")?;
            let starts_at = row.try_get::<At, _>("starts_at")?.0;
            let title = ConcertTitle {
                id,
                name: row.try_get("name")?,
                venue: row.try_get("venue")?,
                starts_at,
                zone: model::ZoneAt::of(&row.try_get::<String, _>("time_zone")?, starts_at),
            };
            let opens = row.try_get::<Option<i64>, _>("sales_open_at_ms")?.and_then(DateTime::from_timestamp_millis);
            Ok((id, tier(row.try_get("tier")?)?, stock, line, (title, opens)))
        })
        .collect()
}

/// Tickets each buyer has of each tier: holds not yet expired (the engine counts a hold until it expires
/// it) and paid orders.
async fn buyers_totals(
    tx: &mut Conn,
    dialect: Dialect,
    buyers: &BTreeSet<(ConcertId, Tier, String)>,
) -> Result<BTreeMap<(ConcertId, Tier, String), u32>, sqlx::Error> {
    let mut totals = BTreeMap::new();
    for chunk in buyers.iter().collect::<Vec<_>>().chunks(PER_STATEMENT / 3) {
        let mut params = Params::new(dialect);
        // One correlated sum per buyer, each an index lookup (holds_by_buyer, orders_by_buyer).
        let sql = format!(
            "WITH wanted (event_id, tier, user_id) AS (VALUES {})
             SELECT w.event_id, w.tier, w.user_id,
                    CAST(COALESCE((SELECT SUM(h.quantity) FROM holds h
                                   WHERE h.event_id = w.event_id AND h.tier = w.tier AND h.user_id = w.user_id
                                     AND h.status = 'held'), 0)
                       + COALESCE((SELECT SUM(o.quantity) FROM orders o
                                   WHERE o.event_id = w.event_id AND o.tier = w.tier AND o.user_id = w.user_id
                                     AND o.status = 'paid'), 0) AS BIGINT) AS total
             FROM wanted w",
            params.rows(chunk.len(), 3)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (concert, tier, user) in chunk {
            query = query.bind(*concert).bind(tier.code()).bind(user.as_str());
        }
        for row in query.fetch_all(&mut *tx).await? {
            let key = (row.try_get("event_id")?, tier(row.try_get("tier")?)?, row.try_get("user_id")?);
            totals.insert(key, count(row.try_get("total")?, "total")?);
        }
    }
    Ok(totals)
}

/// Every answer stored under one of `keys`, in any scope: a key used for another kind of request is
/// refused by the engine, so it must see those too.
async fn stored_answers(
    tx: &mut Conn,
    dialect: Dialect,
    keys: &BTreeSet<&str>,
) -> Result<BTreeMap<(String, String), (String, model::sale::Answer)>, sqlx::Error> {
    let mut answers = BTreeMap::new();
    for chunk in keys.iter().collect::<Vec<_>>().chunks(PER_STATEMENT) {
        let sql = format!(
            "SELECT scope, key, fingerprint, outcome FROM idempotency_keys WHERE key IN ({})",
            Params::new(dialect).list(chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind(**key);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let stored: String = row.try_get("outcome")?;
            let answer = stored_answer::decode(&stored).map_err(|e| sqlx::Error::Decode(e.into()))?;
            answers.insert((row.try_get("scope")?, row.try_get("key")?), (row.try_get("fingerprint")?, answer));
        }
    }
    Ok(answers)
}
