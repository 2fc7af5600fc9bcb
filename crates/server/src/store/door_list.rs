//! The scanners' offline copy of a concert's tickets: the whole list, or the tickets that changed since a
//! cursor. A change is stamped with its batch's moment (`tickets.changed_ms`); the cursor handed back lies a
//! minute before the newest change sent, because on several instances a batch stamped earlier may commit
//! after one stamped later. A ticket sent twice is merged by code on the device, so the overlap costs a
//! few rows and misses none.
//!
//! A concert with more tickets than the scanners keep (`door_list_limit`) is sent as its revocation list:
//! the cancelled tickets only, with `whole: false`, and the scanners check the other tickets' signed codes
//! with the keys sent along.

use super::{Store, StoreError};
use model::{DoorListPage, ListedTicket, Tier};
use sqlx::Row;

/// How far back of the newest change the next delta starts (longer than any batch's commit takes).
const OVERLAP_MS: i64 = 60_000;

impl Store {
    /// The tickets of `concert` changed at or after `since` (all of them for 0), with the next cursor.
    pub async fn door_list(&self, concert: i64, since: i64) -> Result<DoorListPage, StoreError> {
        let reentry: i64 =
            sqlx::query_scalar("SELECT reentry FROM events WHERE id = $1").bind(concert).fetch_one(&self.pool).await?;
        let tickets: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.event_id = $1",
        )
        .bind(concert)
        .fetch_one(&self.pool)
        .await?;
        let whole = u64::try_from(tickets).unwrap_or(0) <= self.door_list_limit;
        let rows = sqlx::query(
            "SELECT t.code, o.tier, o.buyer_name, o.status, t.seat_id, t.seat_zone, t.seat_row, t.seat_number,
                    t.entries, t.inside, t.changed_ms
             FROM tickets t JOIN orders o ON o.id = t.order_id
             WHERE o.event_id = $1 AND t.changed_ms >= $2 AND ($3 OR o.status <> 'paid')
             ORDER BY t.changed_ms, t.code",
        )
        .bind(concert)
        .bind(since)
        .bind(whole)
        .fetch_all(&self.pool)
        .await?;
        let corrupt = |what: &str| StoreError::BatchFailed(format!("a ticket's {what} does not read"));
        let mut newest = 0;
        let mut tickets = Vec::with_capacity(rows.len());
        for row in rows {
            newest = newest.max(row.try_get::<i64, _>("changed_ms")?);
            let tier: String = row.try_get("tier")?;
            tickets.push(ListedTicket {
                code: row.try_get("code")?,
                tier: Tier::parse(&tier).map_err(|_| corrupt("tier"))?,
                seat: super::door::seat_of(&row)?,
                buyer_name: row.try_get("buyer_name")?,
                canceled: row.try_get::<String, _>("status")? != "paid",
                entries: u32::try_from(row.try_get::<i64, _>("entries")?).map_err(|_| corrupt("entries"))?,
                inside: row.try_get::<i64, _>("inside")? != 0,
            });
        }
        let cursor = since.max(newest - OVERLAP_MS);
        let keys = vec![self.signer.public()];
        Ok(DoorListPage { concert_id: concert, reentry: reentry != 0, cursor, whole, keys, tickets })
    }
}
