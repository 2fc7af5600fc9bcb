//! Persist: what a batch's decisions changed, written with a handful of set-based statements whatever the
//! batch's size — one conditional update per tier moved, multi-row inserts for new holds, orders,
//! tickets, payments and idempotency answers, one `UPDATE … WHERE id IN (…)` per status change.
//!
//! Records are written in their final state: a hold placed and paid in the same batch is inserted paid.
//! Every update is conditional on the row still being what the batch loaded (a tier's counts, a hold still
//! `held`, an order still `paid`), so should anything have changed it underneath — nothing can, the writer
//! excludes other writers on SQLite and holds the rows' locks on PostgreSQL — the batch fails whole
//! instead of writing over it; the `CHECK`s on `tiers` (`sold + held <= capacity`) stand behind that.

use super::db::{millis, At, Conn, Dialect, Params};
use super::stored_answer;
use chrono::{DateTime, Utc};
use model::{
    sale::{ConcertId, Effect, PaymentKind, Sale, Stock},
    Tier,
};
use std::collections::{BTreeMap, BTreeSet};

/// Rows per multi-row insert: at most 13,000 bound values, below both databases' limits.
const ROWS_PER_STATEMENT: usize = 1_000;

/// What the effects of a batch name, each once, in the order first named.
#[derive(Default)]
struct Changed<'a> {
    tiers: BTreeSet<(ConcertId, Tier)>,
    new_holds: Vec<&'a str>,
    paid_holds: Vec<&'a str>,
    expired_holds: Vec<&'a str>,
    released_holds: Vec<&'a str>,
    new_orders: Vec<&'a str>,
    cancelled_orders: Vec<&'a str>,
    payments: Vec<&'a model::sale::Payment>,
    answers: Vec<(&'a str, &'a str)>,
    queue: super::queue::Changes<'a>,
}

impl<'a> Changed<'a> {
    fn of(sale: &'a Sale) -> Changed<'a> {
        let mut changed = Changed::default();
        for effect in &sale.effects {
            match effect {
                Effect::Stock(concert, tier) => {
                    changed.tiers.insert((*concert, *tier));
                }
                Effect::HoldPlaced(id) => changed.new_holds.push(id),
                Effect::HoldPaid { hold, .. } => changed.paid_holds.push(hold),
                Effect::HoldExpired(id) => changed.expired_holds.push(id),
                Effect::HoldReleased(id) => changed.released_holds.push(id),
                Effect::OrderPlaced(code) => changed.new_orders.push(code),
                Effect::OrderCancelled(code) => changed.cancelled_orders.push(code),
                Effect::Paid(payment) => changed.payments.push(payment),
                // A scan's answer goes into its log row (`door::persist`).
                Effect::Remembered(scope, _) if scope == super::checkin::SCAN_SCOPE => {}
                Effect::Remembered(scope, key) => changed.answers.push((scope, key)),
                Effect::QueueJoined(visitor) => changed.queue.joined.push(visitor),
                Effect::Queue(concert) => {
                    changed.queue.queues.insert(*concert);
                }
                Effect::QueuePlaced(concert) => changed.queue.placed.push(*concert),
                Effect::Admitted(concert, through) => changed.queue.admitted.push((*concert, *through)),
                Effect::RoomSet(concert) => {
                    changed.queue.settings.insert(*concert);
                }
                // Written by `seats::persist`, from the seats' loaded and final states.
                Effect::Seat(..) | Effect::Seating(_) => {}
                // Written by `door::persist`, from the tickets' loaded and final states.
                Effect::Door(_) | Effect::Scanned(_) => {}
                // Written by `waitlist::persist`, from the entries' loaded and final states.
                Effect::WaitlistJoined(_) | Effect::Entry(_) | Effect::Line(..) => {}
            }
        }
        // A record new in this batch is inserted as it ends; only those that were there get updated.
        let new_holds: BTreeSet<&str> = changed.new_holds.iter().copied().collect();
        changed.paid_holds.retain(|id| !new_holds.contains(id));
        changed.expired_holds.retain(|id| !new_holds.contains(id));
        changed.released_holds.retain(|id| !new_holds.contains(id));
        let new_orders: BTreeSet<&str> = changed.new_orders.iter().copied().collect();
        changed.cancelled_orders.retain(|code| !new_orders.contains(code));
        changed
    }
}

/// What a batch loaded that its conditional updates compare against.
pub(super) struct Loaded {
    pub stock: BTreeMap<(ConcertId, Tier), Stock>,
    pub queues: BTreeMap<ConcertId, model::sale::Queue>,
    pub seats: BTreeMap<(ConcertId, String), model::sale::SeatRecord>,
    pub tickets: BTreeMap<String, model::sale::DoorRecord>,
    pub entries: BTreeMap<String, model::sale::WaitlistEntry>,
    pub lines: BTreeMap<(ConcertId, Tier), model::sale::Line>,
}

impl Loaded {
    pub fn of(sale: &Sale) -> Loaded {
        Loaded {
            stock: sale.stock.clone(),
            queues: sale.queues.clone(),
            seats: sale.seats.clone(),
            tickets: sale.tickets.clone(),
            entries: sale.entries.clone(),
            lines: sale.lines.clone(),
        }
    }
}

/// Writes what `sale` changed since it was `loaded`.
pub(super) async fn persist(tx: &mut Conn, dialect: Dialect, loaded: &Loaded, sale: &Sale) -> Result<(), sqlx::Error> {
    let changed = Changed::of(sale);
    for place in &changed.tiers {
        let (before, after) = (&loaded.stock[place], &sale.stock[place]);
        if before != after {
            update_tier(tx, *place, before, after).await?;
        }
    }
    insert_holds(tx, dialect, sale, &changed.new_holds).await?;
    insert_orders(tx, dialect, sale, &changed.new_orders).await?;
    super::waitlist::persist(tx, dialect, &loaded.entries, &loaded.lines, sale).await?;
    end_holds(tx, dialect, "expired", &changed.expired_holds).await?;
    end_holds(tx, dialect, "released", &changed.released_holds).await?;
    mark_holds_paid(tx, dialect, sale, &changed.paid_holds).await?;
    super::seats::persist(tx, &loaded.seats, sale).await?;
    cancel_orders(tx, dialect, sale.now, &changed.cancelled_orders).await?;
    super::door::persist(tx, dialect, &loaded.tickets, sale).await?;
    insert_payments(tx, dialect, &changed.payments).await?;
    insert_answers(tx, dialect, sale, &changed.answers).await?;
    super::queue::persist(tx, dialect, &loaded.queues, sale, &changed.queue).await?;
    super::outbox::queue_in(tx, dialect, sale.now, &owed_mails(sale, &changed)).await?;
    Ok(())
}

/// The mails the batch owes buyers: a confirmation for each new order, a cancellation for each one
/// cancelled (a new order cancelled in the same batch gets both, in that order), and an offer for each
/// waiting-list entry whose tickets came back.
fn owed_mails<'a>(sale: &'a Sale, changed: &Changed<'a>) -> Vec<super::outbox::Owed<'a>> {
    use model::mail::{recipient, MailKind};
    let placed = changed.new_orders.iter().map(|code| (MailKind::OrderConfirmed, *code));
    let cancelled_new = changed
        .new_orders
        .iter()
        .filter(|code| sale.orders[**code].status == model::OrderStatus::Cancelled)
        .map(|code| (MailKind::OrderCancelled, *code));
    let cancelled = changed.cancelled_orders.iter().map(|code| (MailKind::OrderCancelled, *code));
    placed
        .chain(cancelled_new)
        .chain(cancelled)
        .filter_map(|(kind, order)| {
            recipient(sale.orders[order].user_id.as_str()).map(|recipient| super::outbox::Owed {
                kind,
                order: Some(order),
                hold: None,
                recipient,
            })
        })
        .chain(changed.new_holds.iter().filter(|id| sale.holds[**id].offer.is_some()).filter_map(|id| {
            recipient(sale.holds[*id].user_id.as_str()).map(|recipient| super::outbox::Owed {
                kind: MailKind::WaitlistOffer,
                order: None,
                hold: Some(id),
                recipient,
            })
        }))
        .collect()
}

/// The error that fails a batch whose conditional update matched no row (`what` names the row).
pub(super) fn changed_under_us(what: String) -> sqlx::Error {
    sqlx::Error::Protocol(format!("{what} changed under the writer: the batch is not written"))
}

async fn update_tier(
    tx: &mut Conn,
    (concert, tier): (ConcertId, Tier),
    before: &Stock,
    after: &Stock,
) -> Result<(), sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE tiers SET capacity = $1, sold = $2, held = $3, on_sale = $4, seated = $11, blocked = $12
         WHERE event_id = $5 AND tier = $6 AND capacity = $7 AND sold = $8 AND held = $9 AND on_sale = $10
           AND seated = $13 AND blocked = $14",
    )
    .bind(i64::from(after.capacity))
    .bind(i64::from(after.sold))
    .bind(i64::from(after.held))
    .bind(i64::from(after.on_sale))
    .bind(concert)
    .bind(tier.code())
    .bind(i64::from(before.capacity))
    .bind(i64::from(before.sold))
    .bind(i64::from(before.held))
    .bind(i64::from(before.on_sale))
    .bind(i64::from(after.seated))
    .bind(i64::from(after.blocked))
    .bind(i64::from(before.seated))
    .bind(i64::from(before.blocked))
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(changed_under_us(format!("the stock of {tier} of concert {concert}")));
    }
    Ok(())
}

async fn insert_holds(tx: &mut Conn, dialect: Dialect, sale: &Sale, ids: &[&str]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO holds (id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents,
                                status, created_at, expires_at_ms, order_id, waitlist_id) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 13)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            let hold = &sale.holds[*id];
            insert = insert
                .bind(hold.id.as_str())
                .bind(hold.concert)
                .bind(hold.tier.code())
                .bind(hold.user_id.as_str())
                .bind(hold.buyer_name.as_deref())
                .bind(i64::from(hold.quantity))
                .bind(hold.unit_price.0)
                .bind(hold.unit_price.times(hold.quantity).0)
                .bind(hold.status.code())
                .bind(At(hold.created_at))
                .bind(millis(hold.expires_at))
                .bind(hold.order_code.as_deref())
                .bind(hold.offer.as_deref());
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

async fn insert_orders(tx: &mut Conn, dialect: Dialect, sale: &Sale, codes: &[&str]) -> Result<(), sqlx::Error> {
    for chunk in codes.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO orders (id, secret, event_id, tier, user_id, buyer_name, quantity, unit_price_cents,
                                 total_cents, created_at, status, hold_id, card_last4, cancelled_at) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 14)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            let order = &sale.orders[*code];
            insert = insert
                .bind(order.code.as_str())
                .bind(order.secret.as_str())
                .bind(order.concert)
                .bind(order.tier.code())
                .bind(order.user_id.as_str())
                .bind(order.buyer_name.as_deref())
                .bind(i64::from(order.quantity))
                .bind(order.unit_price.0)
                .bind(order.total().0)
                .bind(At(order.created_at))
                .bind(order.status.code())
                .bind(order.hold_id.as_deref())
                .bind(order.card_last4.as_deref())
                .bind(order.cancelled_at.map(At));
        }
        insert.execute(&mut *tx).await?;
    }
    let tickets: Vec<(&str, &model::Ticket)> =
        codes.iter().flat_map(|code| sale.orders[*code].tickets.iter().map(move |ticket| (*code, ticket))).collect();
    for chunk in tickets.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO tickets (code, order_id, seat, seat_id, seat_zone, seat_row, seat_number, changed_ms)
             VALUES {}",
            Params::new(dialect).rows(chunk.len(), 8)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (order, ticket) in chunk {
            let seat = ticket.seat.as_ref();
            insert = insert
                .bind(ticket.code.as_str())
                .bind(*order)
                .bind(i64::from(ticket.number))
                .bind(seat.map(|s| s.id.as_str()))
                .bind(seat.map(|s| s.zone.as_str()))
                .bind(seat.map(|s| s.row.as_str()))
                .bind(seat.map(|s| s.number.as_str()))
                .bind(millis(sale.now));
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Running holds that ended unpaid: `status` is `expired` or `released`.
async fn end_holds(tx: &mut Conn, dialect: Dialect, status: &'static str, ids: &[&str]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let new_status = params.one();
        let sql = format!(
            "UPDATE holds SET status = {new_status} WHERE status = 'held' AND id IN ({})",
            params.list(chunk.len())
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status);
        for id in chunk {
            update = update.bind(*id);
        }
        if update.execute(&mut *tx).await?.rows_affected() != chunk.len() as u64 {
            return Err(changed_under_us(format!("one of {} holds being {status}", chunk.len())));
        }
    }
    Ok(())
}

async fn mark_holds_paid(tx: &mut Conn, dialect: Dialect, sale: &Sale, ids: &[&str]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(ROWS_PER_STATEMENT / 2) {
        let mut params = Params::new(dialect);
        let cases: Vec<String> = chunk.iter().map(|_| format!("WHEN {} THEN {}", params.one(), params.one())).collect();
        let sql = format!(
            "UPDATE holds SET status = 'paid', order_id = CASE id {} END WHERE status = 'held' AND id IN ({})",
            cases.join(" "),
            params.list(chunk.len())
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            update = update.bind(*id).bind(sale.holds[*id].order_code.as_deref());
        }
        for id in chunk {
            update = update.bind(*id);
        }
        if update.execute(&mut *tx).await?.rows_affected() != chunk.len() as u64 {
            return Err(changed_under_us(format!("one of {} holds being paid", chunk.len())));
        }
    }
    Ok(())
}

async fn cancel_orders(tx: &mut Conn, dialect: Dialect, now: DateTime<Utc>, codes: &[&str]) -> Result<(), sqlx::Error> {
    for chunk in codes.chunks(ROWS_PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let at = params.one();
        let sql = format!(
            "UPDATE orders SET status = 'cancelled', cancelled_at = {at} WHERE status = 'paid' AND id IN ({})",
            params.list(chunk.len())
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(At(now));
        for code in chunk {
            update = update.bind(*code);
        }
        if update.execute(&mut *tx).await?.rows_affected() != chunk.len() as u64 {
            return Err(changed_under_us(format!("one of {} orders being cancelled", chunk.len())));
        }
        // The scanners' copies learn of it by delta (see `door_list.rs`).
        let mut params = Params::new(dialect);
        let at = params.one();
        let sql = format!("UPDATE tickets SET changed_ms = {at} WHERE order_id IN ({})", params.list(chunk.len()));
        let mut stamp = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(millis(now));
        for code in chunk {
            stamp = stamp.bind(*code);
        }
        stamp.execute(&mut *tx).await?;
    }
    Ok(())
}

async fn insert_payments(
    tx: &mut Conn,
    dialect: Dialect,
    payments: &[&model::sale::Payment],
) -> Result<(), sqlx::Error> {
    for chunk in payments.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO payments (hold_id, order_id, kind, outcome, amount_cents, card_last4, created_at) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 7)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for payment in chunk {
            insert = insert
                .bind(payment.hold_id.as_deref())
                .bind(payment.order_code.as_deref())
                .bind(match payment.kind {
                    PaymentKind::Charge => "charge",
                    PaymentKind::Refund => "refund",
                })
                .bind(if payment.approved { "approved" } else { "declined" })
                .bind(payment.amount.0)
                .bind(payment.card_last4.as_deref())
                .bind(At(payment.at));
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

async fn insert_answers(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &Sale,
    keys: &[(&str, &str)],
) -> Result<(), sqlx::Error> {
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, outcome, created_at_ms) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 5)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (scope, key) in chunk {
            let (fingerprint, answer) = &sale.answers[&((*scope).to_owned(), (*key).to_owned())];
            insert = insert
                .bind(*scope)
                .bind(*key)
                .bind(fingerprint.as_str())
                .bind(stored_answer::encode(answer))
                .bind(millis(sale.now));
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "batch_persist_guards.rs"]
mod guards;
