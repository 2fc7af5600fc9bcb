//! The waiting list's rows: what a batch loads of it and how it writes what the engine decided
//! (`model::sale` waitlist rules), and what the pages and the operator read.
//!
//! A batch loads, after the tiers' locks: the entries its joins' buyers have in line (one buyer is in a
//! tier's line once), the entries of the offers among its holds, and, for each tier that may get tickets back
//! in it (of a hold that ran out or is given back, an order cancelled, a capacity or sale switch changed)
//! and has anyone waiting, the first [`FIRST_IN_LINE`] waiting. Every entry that moves is written with an
//! update conditional on the state it was loaded in, and each tier's counters on those it was loaded with.

use super::{
    batch_load::{corrupt, count, tier},
    batch_persist::changed_under_us,
    db::{millis, Conn, Dialect, Params},
    Store, StoreError,
};
use chrono::DateTime;
use model::{
    sale::{Command, ConcertId, Effect, EntryState, Key, Line, Sale, WaitlistEntry},
    Tier,
};
use sqlx::{any::AnyRow, Row};
use std::collections::{BTreeMap, BTreeSet};

/// How many of a tier's line a batch that may return its tickets loads: more than one batch returns to
/// anyone but a tier's whole capacity (an entry too large for what came back keeps its place).
const FIRST_IN_LINE: i64 = 64;

const ENTRY_COLUMNS: &str =
    "SELECT id, event_id, tier, place, quantity, user_id, buyer_name, state, hold_id, joined_at_ms FROM waitlist";

fn entry(row: &AnyRow) -> Result<WaitlistEntry, sqlx::Error> {
    let state: String = row.try_get("state")?;
    Ok(WaitlistEntry {
        id: row.try_get("id")?,
        concert: row.try_get("event_id")?,
        tier: tier(row.try_get("tier")?)?,
        place: u64::try_from(row.try_get::<i64, _>("place")?).map_err(|_| corrupt("place".into()))?,
        quantity: count(row.try_get("quantity")?, "quantity")?,
        user_id: row.try_get("user_id")?,
        buyer_name: row.try_get("buyer_name")?,
        state: EntryState::parse(&state).ok_or_else(|| corrupt(format!("waiting-list state {state}")))?,
        hold: row.try_get("hold_id")?,
        joined_at: DateTime::from_timestamp_millis(row.try_get("joined_at_ms")?).unwrap_or_default(),
    })
}

pub(super) async fn load(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &mut Sale,
    commands: &[(&Command, Option<&Key>)],
) -> Result<(), sqlx::Error> {
    let mut found = Vec::new();
    let offers: BTreeSet<&str> = sale.holds.values().filter_map(|hold| hold.offer.as_deref()).collect();
    for chunk in offers.iter().collect::<Vec<_>>().chunks(1_000) {
        let mut params = Params::new(dialect);
        let sql =
            format!("{ENTRY_COLUMNS} WHERE id IN ({}) ORDER BY id{}", params.list(chunk.len()), dialect.lock_rows());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(**id);
        }
        found.extend(query.fetch_all(&mut *tx).await?);
    }
    let rules = sale.rules;
    let joins: BTreeSet<(ConcertId, Tier, &str)> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::JoinWaitlist(request) => {
                Some((request.concert_id.unwrap_or(rules.default_concert), request.tier, request.user_id.as_str()))
            }
            _ => None,
        })
        .filter(|(concert, tier, _)| sale.lines.contains_key(&(*concert, *tier)))
        .collect();
    for (concert, tier, user) in &joins {
        let sql = format!(
            "{ENTRY_COLUMNS} WHERE event_id = $1 AND tier = $2 AND user_id = $3 AND state IN ('waiting', 'offered'){}",
            dialect.lock_rows()
        );
        let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(*concert).bind(tier.code()).bind(*user);
        found.extend(query.fetch_all(&mut *tx).await?);
    }
    // Tickets come back from holds that ran out or are given back, not from those being paid: a flash
    // sale's every payment must not read the line.
    let released: BTreeSet<&str> = commands
        .iter()
        .filter_map(|(command, _)| match command {
            Command::Release { hold_id } => Some(hold_id.as_str()),
            _ => None,
        })
        .collect();
    let mut returning: BTreeSet<(ConcertId, Tier)> = sale
        .holds
        .values()
        .filter(|hold| !hold.running_at(sale.now) || released.contains(hold.id.as_str()))
        .map(|hold| (hold.concert, hold.tier))
        .collect();
    returning.extend(sale.orders.values().map(|order| (order.concert, order.tier)));
    returning.extend(commands.iter().filter_map(|(command, _)| match command {
        Command::SetCapacity { concert, tier, .. } | Command::SetOnSale { concert, tier, .. } => {
            Some((*concert, *tier))
        }
        _ => None,
    }));
    for (concert, tier) in returning {
        if sale.lines.get(&(concert, tier)).is_none_or(|line| line.waiting == 0) {
            continue;
        }
        let sql = format!(
            "{ENTRY_COLUMNS} WHERE event_id = $1 AND tier = $2 AND state = 'waiting' ORDER BY place LIMIT {FIRST_IN_LINE}{}",
            dialect.lock_rows()
        );
        found.extend(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(concert).bind(tier.code()).fetch_all(&mut *tx).await?);
    }
    for row in &found {
        let entry = entry(row)?;
        sale.entries.insert(entry.id.clone(), entry);
    }
    Ok(())
}

/// Writes the entries and lines the batch changed: new entries inserted as they end, the others updated
/// from the state they were loaded in.
pub(super) async fn persist(
    tx: &mut Conn,
    dialect: Dialect,
    loaded_entries: &BTreeMap<String, WaitlistEntry>,
    loaded_lines: &BTreeMap<(ConcertId, Tier), Line>,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    let mut joined = Vec::new();
    let mut moved = BTreeSet::new();
    let mut lines = BTreeSet::new();
    for effect in &sale.effects {
        match effect {
            Effect::WaitlistJoined(id) => joined.push(&sale.entries[id]),
            Effect::Entry(id) => {
                moved.insert(id.as_str());
            }
            Effect::Line(concert, tier) => {
                lines.insert((*concert, *tier));
            }
            _ => {}
        }
    }
    for chunk in joined.chunks(1_000) {
        let sql = format!(
            "INSERT INTO waitlist (id, event_id, tier, place, quantity, user_id, buyer_name, state, hold_id,
                                   joined_at_ms) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 10)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for entry in chunk {
            insert = insert
                .bind(entry.id.as_str())
                .bind(entry.concert)
                .bind(entry.tier.code())
                .bind(i64::try_from(entry.place).unwrap_or(i64::MAX))
                .bind(i64::from(entry.quantity))
                .bind(entry.user_id.as_str())
                .bind(entry.buyer_name.as_deref())
                .bind(entry.state.code())
                .bind(entry.hold.as_deref())
                .bind(millis(entry.joined_at));
        }
        insert.execute(&mut *tx).await?;
    }
    for id in moved {
        let Some(before) = loaded_entries.get(id) else { continue };
        let after = &sale.entries[id];
        let updated = sqlx::query("UPDATE waitlist SET state = $1, hold_id = $2 WHERE id = $3 AND state = $4")
            .bind(after.state.code())
            .bind(after.hold.as_deref())
            .bind(id)
            .bind(before.state.code())
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() != 1 {
            return Err(changed_under_us(format!("waiting-list entry {id}")));
        }
    }
    for place in lines {
        let (before, after) = (loaded_lines.get(&place).copied().unwrap_or_default(), sale.lines[&place]);
        if before == after {
            continue;
        }
        let updated = sqlx::query(
            "UPDATE tiers SET waiting = $1, lined = $2 WHERE event_id = $3 AND tier = $4 AND waiting = $5 AND lined = $6",
        )
        .bind(i64::from(after.waiting))
        .bind(i64::try_from(after.joined).unwrap_or(i64::MAX))
        .bind(place.0)
        .bind(place.1.code())
        .bind(i64::from(before.waiting))
        .bind(i64::try_from(before.joined).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(changed_under_us(format!("the waiting list of {} of concert {}", place.1, place.0)));
        }
    }
    Ok(())
}

/// One entry as the operator's page lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WaitlistLine {
    pub id: String,
    pub tier: Tier,
    pub place: u64,
    pub quantity: u32,
    pub email: String,
    pub name: Option<String>,
    pub state: EntryState,
    /// The hold of its offer, once offered.
    pub hold_id: Option<String>,
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// A concert's waiting lists, every entry in the order of joining, tier by tier.
    pub async fn waitlist(&self, concert: ConcertId) -> Result<Vec<WaitlistLine>, StoreError> {
        let sql = format!("{ENTRY_COLUMNS} WHERE event_id = $1 ORDER BY tier, place");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(concert).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let entry = entry(row)?;
                Ok(WaitlistLine {
                    id: entry.id,
                    tier: entry.tier,
                    place: entry.place,
                    quantity: entry.quantity,
                    email: entry.user_id,
                    name: entry.buyer_name,
                    state: entry.state,
                    hold_id: entry.hold,
                    joined_at: entry.joined_at,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
