//! Reserved seats in the store: one row per seat (`seats`), each in exactly one state, and the plan's JSON
//! (`seating_plans`) for the map.
//!
//! - **Load** (after the tiers, whose lock on PostgreSQL orders it): the seats a batch's holds and bookings
//!   name; every free seat of a seated tier asked for a quantity (best available); the seats of the holds
//!   and orders the batch loaded; the seat an operator blocks; every seat of a concert given a new plan.
//!   Locked `FOR UPDATE` on PostgreSQL, in (concert, id) order.
//! - **Persist**: each seat that ends the batch in another state than it was loaded in is written with an
//!   update conditional on that loaded state, holder included, so that no two batches (or instances) can
//!   both take a seat: the second one's update matches no row and its batch fails whole.

use super::db::{Conn, Dialect, Params};
use model::{
    sale::{Command, ConcertId, Effect, Sale, SeatRecord, SeatState},
    MapSeat, SeatStatus, TicketSeat, Tier,
};
use sqlx::{any::AnyRow, Row};
use std::collections::{BTreeMap, BTreeSet};

const SEAT_COLUMNS: &str = "SELECT event_id, id, tier, zone, row_label, number, x, y, row_index, column_index,
        distance, state, hold_id, order_id FROM seats";

fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Protocol(format!("unexpected value in the database: {what}"))
}

fn seat_of(row: &AnyRow) -> Result<SeatRecord, sqlx::Error> {
    let small = |name: &str| -> Result<u32, sqlx::Error> {
        let value: i64 = row.try_get(name)?;
        u32::try_from(value).map_err(|_| corrupt(format!("seat {name} {value}")))
    };
    let state: String = row.try_get("state")?;
    let state = match (
        state.as_str(),
        row.try_get::<Option<String>, _>("hold_id")?,
        row.try_get::<Option<String>, _>("order_id")?,
    ) {
        ("free", None, None) => SeatState::Free,
        ("blocked", None, None) => SeatState::Blocked,
        ("held", Some(hold), None) => SeatState::Held(hold),
        ("sold", None, Some(order)) => SeatState::Sold(order),
        (other, ..) => return Err(corrupt(format!("seat state {other}"))),
    };
    let tier: String = row.try_get("tier")?;
    let distance: i64 = row.try_get("distance")?;
    Ok(SeatRecord {
        id: row.try_get("id")?,
        concert: row.try_get("event_id")?,
        tier: Tier::parse(&tier).map_err(|_| corrupt(format!("tier {tier}")))?,
        zone: row.try_get("zone")?,
        row_label: row.try_get("row_label")?,
        number: row.try_get("number")?,
        x: row.try_get("x")?,
        y: row.try_get("y")?,
        row: small("row_index")?,
        column: small("column_index")?,
        distance: u64::try_from(distance).map_err(|_| corrupt(format!("distance {distance}")))?,
        state,
    })
}

/// What to load: seats by id, and whole groups by a condition over one bound value.
#[derive(Default)]
struct Wanted {
    by_id: BTreeSet<(ConcertId, String)>,
    free_of: BTreeSet<(ConcertId, Tier)>,
    of_holds: BTreeSet<String>,
    of_orders: BTreeSet<String>,
    of_concerts: BTreeSet<ConcertId>,
}

/// Loads into `sale` every seat its `commands` need (see the module's comment).
pub(super) async fn load(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &mut Sale,
    commands: &[(&Command, Option<&model::sale::Key>)],
) -> Result<(), sqlx::Error> {
    let mut wanted = Wanted::default();
    for (command, _) in commands {
        match command {
            Command::Book(request) | Command::Hold(request) => {
                let concert = request.concert_id.unwrap_or(sale.rules.default_concert);
                let seated = sale.stock.get(&(concert, request.tier)).is_some_and(|stock| stock.seated);
                if !request.seats.is_empty() {
                    wanted.by_id.extend(request.seats.iter().map(|id| (concert, id.clone())));
                } else if seated {
                    wanted.free_of.insert((concert, request.tier));
                }
            }
            Command::SetSeatBlocked { concert, seat, .. } => {
                wanted.by_id.insert((*concert, seat.clone()));
            }
            Command::SetSeating { concert, .. } => {
                wanted.of_concerts.insert(*concert);
            }
            _ => {}
        }
    }
    for hold in sale.holds.values().filter(|hold| sale.stock.get(&(hold.concert, hold.tier)).is_some_and(|s| s.seated))
    {
        wanted.of_holds.insert(hold.id.clone());
    }
    for order in sale.orders.values().filter(|order| order.tickets.iter().any(|t| t.seat.is_some())) {
        wanted.of_orders.insert(order.code.clone());
    }
    if wanted.by_id.is_empty()
        && wanted.free_of.is_empty()
        && wanted.of_holds.is_empty()
        && wanted.of_orders.is_empty()
        && wanted.of_concerts.is_empty()
    {
        return Ok(());
    }

    let mut conditions = Vec::new();
    let mut params = Params::new(dialect);
    let mut binds: Vec<Bind> = Vec::new();
    for (concert, id) in &wanted.by_id {
        conditions.push(format!("(event_id = {} AND id = {})", params.one(), params.one()));
        binds.extend([Bind::Int(*concert), Bind::Text(id.clone())]);
    }
    for (concert, tier) in &wanted.free_of {
        conditions.push(format!("(event_id = {} AND tier = {} AND state = 'free')", params.one(), params.one()));
        binds.extend([Bind::Int(*concert), Bind::Text(tier.code().to_owned())]);
    }
    if !wanted.of_holds.is_empty() {
        conditions.push(format!("hold_id IN ({})", params.list(wanted.of_holds.len())));
        binds.extend(wanted.of_holds.iter().cloned().map(Bind::Text));
    }
    if !wanted.of_orders.is_empty() {
        conditions.push(format!("order_id IN ({})", params.list(wanted.of_orders.len())));
        binds.extend(wanted.of_orders.iter().cloned().map(Bind::Text));
    }
    for concert in &wanted.of_concerts {
        conditions.push(format!("event_id = {}", params.one()));
        binds.push(Bind::Int(*concert));
    }
    let sql = format!("{SEAT_COLUMNS} WHERE {} ORDER BY event_id, id{}", conditions.join(" OR "), dialect.lock_rows());
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(value),
            Bind::Text(value) => query.bind(value),
        };
    }
    for row in query.fetch_all(&mut *tx).await? {
        let seat = seat_of(&row)?;
        sale.seats.insert((seat.concert, seat.id.clone()), seat);
    }
    // A hold's seats, in the order of the plan (its tickets' order once paid).
    let mut of_hold: BTreeMap<String, Vec<(u32, u32, String)>> = BTreeMap::new();
    for seat in sale.seats.values() {
        if let SeatState::Held(hold) = &seat.state {
            of_hold.entry(hold.clone()).or_default().push((seat.row, seat.column, seat.id.clone()));
        }
    }
    for (hold, mut seats) in of_hold {
        if let Some(record) = sale.holds.get_mut(&hold) {
            seats.sort_unstable();
            record.seats = seats.into_iter().map(|(.., id)| id).collect();
        }
    }
    Ok(())
}

enum Bind {
    Int(i64),
    Text(String),
}

fn state_columns(state: &SeatState) -> (&'static str, Option<&str>, Option<&str>) {
    match state {
        SeatState::Free => (SeatStatus::Free.code(), None, None),
        SeatState::Blocked => (SeatStatus::Blocked.code(), None, None),
        SeatState::Held(hold) => (SeatStatus::Held.code(), Some(hold.as_str()), None),
        SeatState::Sold(order) => (SeatStatus::Sold.code(), None, Some(order.as_str())),
    }
}

/// Writes the seats `sale` moved since `loaded`, and the plans it replaced. Runs after the batch's new
/// holds and orders are inserted (a seat names its holder).
pub(super) async fn persist(
    tx: &mut Conn,
    loaded: &BTreeMap<(ConcertId, String), SeatRecord>,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    let replanned: BTreeSet<ConcertId> =
        sale.effects.iter().filter_map(|e| if let Effect::Seating(c) = e { Some(*c) } else { None }).collect();
    for concert in &replanned {
        replace_plan(tx, *concert, loaded, sale).await?;
    }
    let moved: BTreeSet<&(ConcertId, String)> = sale
        .effects
        .iter()
        .filter_map(|e| if let Effect::Seat(c, id) = e { Some((*c, id)) } else { None })
        .filter(|(concert, _)| !replanned.contains(concert))
        .filter_map(|(concert, id)| sale.seats.get_key_value(&(concert, id.clone())).map(|(key, _)| key))
        .collect();
    for key in moved {
        let (before, after) = (&loaded[key].state, &sale.seats[key].state);
        if before == after {
            continue;
        }
        let (from, from_hold, from_order) = state_columns(before);
        let (to, to_hold, to_order) = state_columns(after);
        let moved = sqlx::query(
            "UPDATE seats SET state = $1, hold_id = $2, order_id = $3
             WHERE event_id = $4 AND id = $5 AND state = $6
               AND COALESCE(hold_id, '') = $7 AND COALESCE(order_id, '') = $8",
        )
        .bind(to)
        .bind(to_hold)
        .bind(to_order)
        .bind(key.0)
        .bind(key.1.as_str())
        .bind(from)
        .bind(from_hold.unwrap_or(""))
        .bind(from_order.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(super::batch_persist::changed_under_us(format!("seat {} of concert {}", key.1, key.0)));
        }
    }
    Ok(())
}

/// A concert's new plan: its seats not kept are deleted (only free or blocked ones can go, as the engine
/// decided), the kept ones moved to their new place, the new ones inserted; the JSON replaced.
async fn replace_plan(
    tx: &mut Conn,
    concert: ConcertId,
    loaded: &BTreeMap<(ConcertId, String), SeatRecord>,
    sale: &Sale,
) -> Result<(), sqlx::Error> {
    for ((c, id), seat) in loaded.range((concert, String::new())..).take_while(|((c, _), _)| *c == concert) {
        if sale.seats.contains_key(&(*c, id.clone())) {
            continue;
        }
        let (state, hold, order) = state_columns(&seat.state);
        let gone = sqlx::query(
            "DELETE FROM seats WHERE event_id = $1 AND id = $2 AND state = $3 AND state IN ('free', 'blocked')
               AND hold_id IS NULL AND order_id IS NULL",
        )
        .bind(concert)
        .bind(id.as_str())
        .bind(state)
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() != 1 || hold.is_some() || order.is_some() {
            return Err(super::batch_persist::changed_under_us(format!("seat {id} of concert {concert}")));
        }
    }
    for seat in sale.seats.range((concert, String::new())..).map(|(_, s)| s).take_while(|s| s.concert == concert) {
        let (state, hold, order) = state_columns(&seat.state);
        let before = loaded.get(&(concert, seat.id.clone())).map(|kept| state_columns(&kept.state));
        let sql = match before {
            Some(_) => {
                "UPDATE seats SET tier = $3, zone = $4, row_label = $5, number = $6, x = $7, y = $8, row_index = $9,
                        column_index = $10, distance = $11, state = $12, hold_id = NULLIF($13, ''),
                        order_id = NULLIF($14, '')
                 WHERE event_id = $1 AND id = $2 AND state = $15 AND COALESCE(hold_id, '') = $16
                   AND COALESCE(order_id, '') = $17"
            }
            None => {
                "INSERT INTO seats (event_id, id, tier, zone, row_label, number, x, y, row_index, column_index,
                                    distance, state, hold_id, order_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULLIF($13, ''), NULLIF($14, ''))"
            }
        };
        let mut query = sqlx::query(sql)
            .bind(concert)
            .bind(seat.id.as_str())
            .bind(seat.tier.code())
            .bind(seat.zone.as_str())
            .bind(seat.row_label.as_str())
            .bind(seat.number.as_str())
            .bind(seat.x)
            .bind(seat.y)
            .bind(i64::from(seat.row))
            .bind(i64::from(seat.column))
            .bind(i64::try_from(seat.distance).unwrap_or(i64::MAX))
            .bind(state)
            .bind(hold.unwrap_or(""))
            .bind(order.unwrap_or(""));
        if let Some((was, was_hold, was_order)) = before {
            query = query.bind(was).bind(was_hold.unwrap_or("")).bind(was_order.unwrap_or(""));
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(super::batch_persist::changed_under_us(format!("seat {} of concert {concert}", seat.id)));
        }
    }
    let plan = sale.plans.get(&concert).map(String::as_str).unwrap_or("{}");
    sqlx::query("DELETE FROM seating_plans WHERE event_id = $1").bind(concert).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO seating_plans (event_id, plan) VALUES ($1, $2)")
        .bind(concert)
        .bind(plan)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A ticket's seat as its row keeps it.
pub(super) fn ticket_seat(row: &AnyRow) -> Result<Option<TicketSeat>, sqlx::Error> {
    let id: Option<String> = row.try_get("seat_id")?;
    let Some(id) = id else { return Ok(None) };
    Ok(Some(TicketSeat {
        id,
        zone: row.try_get::<Option<String>, _>("seat_zone")?.unwrap_or_default(),
        row: row.try_get::<Option<String>, _>("seat_row")?.unwrap_or_default(),
        number: row.try_get::<Option<String>, _>("seat_number")?.unwrap_or_default(),
    }))
}

impl super::Store {
    /// Every seat of `concert`'s plan with its state, in the plan's order; none without a plan.
    pub async fn seats(&self, concert: ConcertId) -> Result<Vec<MapSeat>, super::StoreError> {
        let rows = sqlx::query(
            "SELECT id, tier, zone, row_label, number, x, y, state FROM seats WHERE event_id = $1
             ORDER BY row_index, column_index",
        )
        .bind(concert)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let (tier, state): (String, String) = (row.try_get("tier")?, row.try_get("state")?);
                Ok(MapSeat {
                    id: row.try_get("id")?,
                    tier: Tier::parse(&tier).map_err(|_| corrupt(format!("tier {tier}")))?,
                    zone: row.try_get("zone")?,
                    row: row.try_get("row_label")?,
                    number: row.try_get("number")?,
                    x: row.try_get::<i64, _>("x")? as f64 / 100.0,
                    y: row.try_get::<i64, _>("y")? as f64 / 100.0,
                    state: SeatStatus::parse(&state).ok_or_else(|| corrupt(format!("seat state {state}")))?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(super::StoreError::from)
    }

    /// Every seated concert's seats' states, a letter each (`SeatStatus::letter`) in plan order: what the
    /// live feed sends, so that each page works out which seats changed.
    pub async fn seat_letters(&self) -> Result<Vec<(ConcertId, String)>, super::StoreError> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT event_id, state FROM seats ORDER BY event_id, row_index, column_index")
                .fetch_all(self.pool())
                .await?;
        let mut letters: Vec<(ConcertId, String)> = Vec::new();
        for (concert, state) in rows {
            let letter = SeatStatus::parse(&state).ok_or_else(|| corrupt(format!("seat state {state}")))?.letter();
            match letters.last_mut() {
                Some((last, text)) if *last == concert => text.push(letter),
                _ => letters.push((concert, letter.to_string())),
            }
        }
        Ok(letters)
    }

    /// The plan of `concert` as uploaded, if it has one.
    pub async fn seating_plan(&self, concert: ConcertId) -> Result<Option<String>, super::StoreError> {
        Ok(sqlx::query_scalar("SELECT plan FROM seating_plans WHERE event_id = $1")
            .bind(concert)
            .fetch_optional(self.pool())
            .await?)
    }

    /// What a running hold's seats say, in the plan's order.
    pub async fn seats_of_hold(&self, hold: &str) -> Result<Vec<TicketSeat>, super::StoreError> {
        let rows = sqlx::query(
            "SELECT id, zone, row_label, number FROM seats WHERE hold_id = $1 ORDER BY row_index, column_index",
        )
        .bind(hold)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TicketSeat {
                    id: row.try_get("id")?,
                    zone: row.try_get("zone")?,
                    row: row.try_get("row_label")?,
                    number: row.try_get("number")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(super::StoreError::from)
    }

    /// Gives `concert` the seating `plan`, checked against its tiers: its seats per tier. What the API, the
    /// admin page and `--seating-plan` all call. Refused (`Rejected`) for a plan not sound for the concert
    /// (`InvalidSeatingPlan`), or one the engine refuses (`SeatsInUse`, `TierHasSales`).
    pub async fn set_seating_plan(
        &self,
        concert: ConcertId,
        plan: &model::SeatingPlan,
    ) -> Result<BTreeMap<Tier, u32>, super::StoreError> {
        let offered: Vec<(Tier, String)> =
            self.concert_by_id(concert).await?.tiers.into_iter().map(|t| (t.tier, t.name)).collect();
        let seats = plan.checked(&offered).map_err(super::StoreError::Rejected)?;
        let mut per_tier = BTreeMap::new();
        for seat in &seats {
            *per_tier.entry(seat.tier).or_insert(0) += 1;
        }
        // Kept re-serialised, so that what `GET …/seating` serves is the schema's whatever was uploaded.
        let json = serde_json::to_string(plan).expect("a plan always serialises");
        self.set_seating(concert, seats, json).await?;
        Ok(per_tier)
    }

    /// Gives `concert` the plan `json` with its checked `seats` (the engine refuses a plan that would drop
    /// or move a seat held or sold).
    pub async fn set_seating(
        &self,
        concert: ConcertId,
        seats: Vec<model::PlannedSeat>,
        json: String,
    ) -> Result<(), super::StoreError> {
        self.seating_command(Command::SetSeating { concert, seats, plan: json }).await
    }

    /// Blocks a free seat of `concert` or frees a blocked one.
    pub async fn set_seat_blocked(
        &self,
        concert: ConcertId,
        seat: String,
        blocked: bool,
    ) -> Result<(), super::StoreError> {
        self.seating_command(Command::SetSeatBlocked { concert, seat, blocked }).await
    }

    async fn seating_command(&self, command: Command) -> Result<(), super::StoreError> {
        match self.decide_one(command).await? {
            model::sale::Answer::SeatingChanged(result) => result.map_err(super::StoreError::Rejected),
            other => Err(super::StoreError::BatchFailed(format!("a seating change answered {other:?}"))),
        }
    }
}
