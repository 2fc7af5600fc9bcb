//! The door's part of a batch: each scanned ticket's record loaded for the engine (`model::sale` `door.rs`),
//! and what the scans did written back.
//!
//! - **Load**: the tickets the batch's scans name, with their order's concert, tier, buyer and status and
//!   their way through the door so far, locked on PostgreSQL (ticket and order, after the tiers and seats,
//!   so a cancellation and a scan of the same order on two instances run one after the other); which
//!   of the scanned concerts let people back in; and which of the scanning devices are still paired (a
//!   revoked one's scans are refused here, whatever the caller's cache of tokens said).
//! - **Persist**: each ticket that moved is written with an update conditional on the entries and the
//!   inside flag the batch loaded, so two batches or instances can never both let one ticket in; every
//!   scan goes to the log (unique per device and nonce, a second guard behind the idempotency key) with
//!   its answer and fingerprint, which answer a retry (one row a scan, not a second one under its key);
//!   and the devices that scanned are marked seen.

use super::{
    checkin::{scan_key_name, SCAN_SCOPE},
    db::{millis, Conn, Dialect, Params},
    stored_answer,
};
use chrono::{TimeZone, Utc};
use model::{
    sale::{Command, ConcertId, DoorRecord, Effect, Sale, ScanLog},
    DeviceRef, DoorTicket, OrderStatus, Redeemed, TicketSeat, Tier,
};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// Most values one `IN (…)` list binds (as the batch's other loads).
const PER_STATEMENT: usize = 1_000;
/// Most scans one lookup of logged answers names (an `OR` per scan, well inside SQLite's expression depth).
const ANSWERS_PER_STATEMENT: usize = 100;

/// Loads into `sale` the tickets the batch's scans name, and its concerts' re-entry policy.
pub(super) async fn load(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &mut Sale,
    commands: &[(&Command, Option<&model::sale::Key>)],
) -> Result<(), sqlx::Error> {
    let mut codes = BTreeSet::new();
    let mut concerts = BTreeSet::new();
    let mut devices = BTreeSet::new();
    for (command, _) in commands {
        if let Command::Redeem { device, scan } = command {
            codes.insert(scan.ticket.as_str());
            concerts.insert(scan.concert);
            devices.insert(device.id);
        }
    }
    if codes.is_empty() {
        return Ok(());
    }
    // A caller names the device from its cache of tokens; here, in the scan's transaction, is where a
    // revocation (on any instance) is seen.
    let devices: Vec<i64> = devices.into_iter().collect();
    for chunk in devices.chunks(PER_STATEMENT) {
        let sql = format!(
            "SELECT id FROM devices WHERE revoked_at_ms IS NULL AND token_hash IS NOT NULL AND id IN ({})",
            Params::new(dialect).list(chunk.len())
        );
        let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for device in chunk {
            query = query.bind(*device);
        }
        sale.active_devices.extend(query.fetch_all(&mut *tx).await?);
    }
    let concerts: Vec<ConcertId> = concerts.into_iter().collect();
    for chunk in concerts.chunks(PER_STATEMENT) {
        let sql =
            format!("SELECT id FROM events WHERE reentry = 1 AND id IN ({})", Params::new(dialect).list(chunk.len()));
        let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for concert in chunk {
            query = query.bind(*concert);
        }
        sale.reentry.extend(query.fetch_all(&mut *tx).await?);
    }
    let lock = match dialect {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE OF t, o",
    };
    let codes: Vec<&str> = codes.into_iter().collect();
    for chunk in codes.chunks(PER_STATEMENT) {
        let sql = format!(
            "SELECT t.code, t.order_id, o.event_id, o.tier, o.buyer_name, o.status,
                    t.seat_id, t.seat_zone, t.seat_row, t.seat_number,
                    t.entries, t.inside, t.first_entry_at_ms, t.first_entry_device, d.name AS device_name
             FROM tickets t JOIN orders o ON o.id = t.order_id
             LEFT JOIN devices d ON d.id = t.first_entry_device
             WHERE t.code IN ({}) ORDER BY t.code{lock}",
            Params::new(dialect).list(chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for code in chunk {
            query = query.bind(*code);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let record = record_of(&row)?;
            sale.tickets.insert(record.ticket.code.clone(), record);
        }
    }
    Ok(())
}

/// Adds to `sale.answers` the answers of the batch's scans logged before: a retried scan is answered
/// from its log row. Looked up by device and nonce, the log's unique index.
pub(super) async fn load_answers(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &mut Sale,
    commands: &[(&Command, Option<&model::sale::Key>)],
) -> Result<(), sqlx::Error> {
    let scans: Vec<(i64, &str)> = commands
        .iter()
        .filter_map(|(command, key)| match (command, key) {
            (Command::Redeem { device, scan }, Some(_)) => Some((device.id, scan.nonce.as_str())),
            _ => None,
        })
        .collect();
    // An `OR` of pairs, not `(device_id, nonce) IN (VALUES …)`: SQLite scans the whole log for the latter,
    // and looks each pair up in the unique index for the former (as does PostgreSQL).
    for chunk in scans.chunks(ANSWERS_PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let pairs: Vec<String> =
            chunk.iter().map(|_| format!("(device_id = {} AND nonce = {})", params.one(), params.one())).collect();
        let sql = format!(
            "SELECT device_id, nonce, fingerprint, answer FROM checkins WHERE answer IS NOT NULL AND ({})",
            pairs.join(" OR ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (device, nonce) in chunk {
            query = query.bind(*device).bind(*nonce);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let stored: String = row.try_get("answer")?;
            let answer = stored_answer::decode(&stored).map_err(|e| sqlx::Error::Decode(e.into()))?;
            let key = scan_key_name(row.try_get("device_id")?, &row.try_get::<String, _>("nonce")?);
            sale.answers.insert((SCAN_SCOPE.to_owned(), key), (row.try_get("fingerprint")?, answer));
        }
    }
    Ok(())
}

/// A ticket's seat from its row's `seat_id`, `seat_zone`, `seat_row` and `seat_number` (none unseated).
pub(super) fn seat_of(row: &sqlx::any::AnyRow) -> Result<Option<TicketSeat>, sqlx::Error> {
    let text = |column: &str| Ok::<_, sqlx::Error>(row.try_get::<Option<String>, _>(column)?.unwrap_or_default());
    Ok(match row.try_get::<Option<String>, _>("seat_id")? {
        Some(id) => {
            Some(TicketSeat { id, zone: text("seat_zone")?, row: text("seat_row")?, number: text("seat_number")? })
        }
        None => None,
    })
}

fn record_of(row: &sqlx::any::AnyRow) -> Result<DoorRecord, sqlx::Error> {
    let corrupt = |what: &str| sqlx::Error::Protocol(format!("a ticket's {what} does not read"));
    let tier: String = row.try_get("tier")?;
    let status: String = row.try_get("status")?;
    let seat = seat_of(row)?;
    let entries: i64 = row.try_get("entries")?;
    let first_entry = match (
        row.try_get::<Option<i64>, _>("first_entry_at_ms")?,
        row.try_get::<Option<i64>, _>("first_entry_device")?,
    ) {
        (Some(at), Some(device)) => Some(Redeemed {
            at: Utc.timestamp_millis_opt(at).single().ok_or_else(|| corrupt("first entry"))?,
            device: DeviceRef {
                id: device,
                name: row.try_get::<Option<String>, _>("device_name")?.unwrap_or_default(),
            },
        }),
        _ => None,
    };
    Ok(DoorRecord {
        ticket: DoorTicket {
            code: row.try_get("code")?,
            concert_id: row.try_get("event_id")?,
            tier: Tier::parse(&tier).map_err(|_| corrupt("tier"))?,
            seat,
            buyer_name: row.try_get("buyer_name")?,
        },
        order: row.try_get("order_id")?,
        order_status: match status.as_str() {
            "paid" => OrderStatus::Paid,
            "cancelled" => OrderStatus::Cancelled,
            _ => return Err(corrupt("order status")),
        },
        entries: u32::try_from(entries).map_err(|_| corrupt("entries"))?,
        inside: row.try_get::<i64, _>("inside")? != 0,
        first_entry,
    })
}

/// Tickets that moved underneath, named by their codes' first characters only (a code is what gets in).
fn changed_under_us(chunk: &[(&str, &DoorRecord, &DoorRecord)], written: u64) -> sqlx::Error {
    let shown: Vec<String> =
        chunk.iter().map(|(code, _, _)| format!("{}…", code.chars().take(6).collect::<String>())).collect();
    let missed = chunk.len() as u64 - written;
    super::batch_persist::changed_under_us(format!("{missed} of tickets {}", shown.join(", ")))
}

/// Writes the tickets `sale`'s scans moved since `loaded`, logs every scan, marks the devices seen.
pub(super) async fn persist(
    tx: &mut Conn,
    dialect: Dialect,
    loaded: &BTreeMap<String, DoorRecord>,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    let moved: BTreeSet<&str> = sale
        .effects
        .iter()
        .filter_map(|e| if let Effect::Door(code) = e { Some(code.as_str()) } else { None })
        .collect();
    let moved: Vec<(&str, &DoorRecord, &DoorRecord)> = moved
        .into_iter()
        .map(|code| (code, &loaded[code], &sale.tickets[code]))
        .filter(|(_, before, after)| {
            (before.entries, before.inside, &before.first_entry) != (after.entries, after.inside, &after.first_entry)
        })
        .collect();
    // One statement for the batch's tickets (a statement each cost the writer's connection a round trip
    // per scan), each row conditional on what the batch loaded: a row that moved underneath matches
    // nothing, and the count tells.
    for chunk in moved.chunks(PER_STATEMENT / 8) {
        let mut params = Params::new(dialect);
        let rows: Vec<String> = chunk
            .iter()
            .map(|_| {
                let types = ["TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT"];
                let row: Vec<String> = types.iter().map(|t| format!("CAST({} AS {t})", params.one())).collect();
                format!("({})", row.join(", "))
            })
            .collect();
        let sql = format!(
            "WITH moved (code, entries, inside, first_at, first_device, was_entries, was_inside, changed) AS
                  (VALUES {})
             UPDATE tickets SET entries = moved.entries, inside = moved.inside, first_entry_at_ms = moved.first_at,
                                first_entry_device = moved.first_device, changed_ms = moved.changed
             FROM moved
             WHERE tickets.code = moved.code AND tickets.entries = moved.was_entries
               AND tickets.inside = moved.was_inside",
            rows.join(", ")
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (code, before, after) in chunk {
            update = update
                .bind(*code)
                .bind(i64::from(after.entries))
                .bind(i64::from(after.inside))
                .bind(after.first_entry.as_ref().map(|first| millis(first.at)))
                .bind(after.first_entry.as_ref().map(|first| first.device.id))
                .bind(i64::from(before.entries))
                .bind(i64::from(before.inside))
                .bind(millis(sale.now));
        }
        let written = update.execute(&mut *tx).await?.rows_affected();
        if written != chunk.len() as u64 {
            return Err(changed_under_us(chunk, written));
        }
    }
    let scans: Vec<&ScanLog> =
        sale.effects.iter().filter_map(|e| if let Effect::Scanned(log) = e { Some(log) } else { None }).collect();
    for chunk in scans.chunks(PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO checkins (event_id, ticket, device_id, nonce, direction, outcome, offline, scanned_at_ms,
                                   recorded_at_ms, fingerprint, answer) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 11)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for scan in chunk {
            let remembered = sale.answers.get(&(SCAN_SCOPE.to_owned(), scan_key_name(scan.device.id, &scan.nonce)));
            insert = insert
                .bind(scan.concert)
                .bind(scan.ticket.as_str())
                .bind(scan.device.id)
                .bind(scan.nonce.as_str())
                .bind(scan.direction.code())
                .bind(scan.outcome.code())
                .bind(i64::from(scan.offline))
                .bind(millis(scan.scanned_at))
                .bind(millis(scan.recorded_at))
                .bind(remembered.map(|(fingerprint, _)| fingerprint.as_str()))
                .bind(remembered.map(|(_, answer)| stored_answer::encode(answer)));
        }
        insert.execute(&mut *tx).await?;
    }
    let devices: Vec<i64> = scans.iter().map(|scan| scan.device.id).collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in devices.chunks(PER_STATEMENT) {
        let mut params = Params::new(dialect);
        let at = params.one();
        let sql = format!("UPDATE devices SET last_seen_at_ms = {at} WHERE id IN ({})", params.list(chunk.len()));
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(millis(sale.now));
        for device in chunk {
            update = update.bind(*device);
        }
        update.execute(&mut *tx).await?;
    }
    Ok(())
}
