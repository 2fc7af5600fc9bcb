//! The waiting room as the store keeps it: reading the queues and visitors a batch names, writing what the
//! engine decided (`model::sale` `queue.rs` has the rules), and the reads a waiting visitor's page makes,
//! which never wait for the writer.

use super::{
    db::{Conn, Dialect, Params},
    writer::Job,
    Store, StoreError,
};
use chrono::{DateTime, Utc};
use model::{
    sale::{Answer, Command, ConcertId, Joined, Queue, Sale, Visitor},
    BookingError, QueuePlace, QueueStatus, WaitingRoom,
};
use sqlx::{FromRow, Row};
use std::collections::{BTreeMap, BTreeSet};

fn corrupt(what: String) -> sqlx::Error {
    sqlx::Error::Protocol(format!("unexpected value in the database: {what}"))
}

fn unsigned(value: i64, what: &str) -> Result<u64, sqlx::Error> {
    u64::try_from(value).map_err(|_| corrupt(format!("{what} {value}")))
}

fn small(value: i64, what: &str) -> Result<u32, sqlx::Error> {
    u32::try_from(value).map_err(|_| corrupt(format!("{what} {value}")))
}

fn at(ms: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(format!("time {ms}")))
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A room with one visitor's row (absent: no such visitor) and when their place was admitted.
#[derive(FromRow)]
struct PlaceRow {
    #[sqlx(flatten)]
    room: RoomRow,
    visitor_joined_at_ms: Option<i64>,
    visitor_place: Option<i64>,
    admitted_at_ms: Option<i64>,
}

#[derive(FromRow)]
struct RoomRow {
    event_id: i64,
    sales_open_at_ms: Option<i64>,
    rate_per_minute: i64,
    prequeue_minutes: i64,
    window_minutes: i64,
    max_buying: Option<i64>,
    joined: i64,
    prequeue: i64,
    placed: i64,
    admitted_through: i64,
    advanced_at_ms: Option<i64>,
}

impl RoomRow {
    fn room(&self) -> Result<WaitingRoom, sqlx::Error> {
        Ok(WaitingRoom {
            rate_per_minute: small(self.rate_per_minute, "rate")?,
            prequeue_minutes: small(self.prequeue_minutes, "pre-queue minutes")?,
            window_minutes: small(self.window_minutes, "window minutes")?,
            max_buying: self.max_buying.map(|max| small(max, "max buying")).transpose()?,
        })
    }

    fn queue(&self, admitted_window_ago: u64) -> Result<Queue, sqlx::Error> {
        let opens = self
            .sales_open_at_ms
            .ok_or_else(|| corrupt(format!("concert {} has a waiting room and no opening", self.event_id)))?;
        Ok(Queue {
            room: self.room()?,
            opens_at: at(opens)?,
            joined: unsigned(self.joined, "joined")?,
            prequeue: unsigned(self.prequeue, "pre-queue")?,
            placed: self.placed != 0,
            admitted_through: unsigned(self.admitted_through, "admitted")?,
            advanced_at: self.advanced_at_ms.map(at).transpose()?,
            admitted_window_ago,
        })
    }
}

macro_rules! room_select {
    () => {
        "SELECT w.event_id, e.sales_open_at_ms, w.rate_per_minute, w.prequeue_minutes, w.window_minutes,
            w.max_buying, w.joined, w.prequeue, w.placed, w.admitted_through, w.advanced_at_ms"
    };
}
const ROOM_COLUMNS: &str = concat!(room_select!(), " FROM waiting_rooms w JOIN events e ON e.id = w.event_id");
/// A room with one visitor (`$2`) of it, and when their place was admitted: a [`PlaceRow`].
const PLACE_QUERY: &str = concat!(
    room_select!(),
    ", v.joined_at_ms AS visitor_joined_at_ms, v.place AS visitor_place,
       (SELECT MIN(a.at_ms) FROM queue_admissions a WHERE a.event_id = w.event_id AND a.through >= v.place)
         AS admitted_at_ms
     FROM waiting_rooms w JOIN events e ON e.id = w.event_id
     LEFT JOIN queue_visitors v ON v.id = $2 AND v.event_id = w.event_id
     WHERE w.event_id = $1"
);

/// Places up to which the queue of `concert` was admitted at `moment` (0 before its first admission).
pub(super) async fn admitted_through_at(
    tx: &mut Conn,
    concert: ConcertId,
    moment: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let through: Option<i64> =
        sqlx::query_scalar("SELECT MAX(through) FROM queue_admissions WHERE event_id = $1 AND at_ms <= $2")
            .bind(concert)
            .bind(moment.timestamp_millis())
            .fetch_one(&mut *tx)
            .await?;
    through.map_or(Ok(0), |through| unsigned(through, "admitted"))
}

/// Load: the waiting rooms of `concerts` (locked on PostgreSQL: every instance's admission tick and joins
/// run one after another), and the visitors `visitors` names.
pub(super) async fn load(
    tx: &mut Conn,
    dialect: Dialect,
    sale: &mut Sale,
    concerts: &BTreeSet<ConcertId>,
    visitors: &BTreeSet<&str>,
) -> Result<(), sqlx::Error> {
    if !concerts.is_empty() {
        let mut params = Params::new(dialect);
        let sql = format!(
            "{ROOM_COLUMNS} WHERE w.event_id IN ({}) ORDER BY w.event_id{}",
            params.list(concerts.len()),
            match dialect {
                Dialect::Sqlite => "",
                Dialect::Postgres => " FOR UPDATE OF w",
            }
        );
        let mut query = sqlx::query_as::<_, RoomRow>(sqlx::AssertSqlSafe(sql));
        for concert in concerts {
            query = query.bind(*concert);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let window_ago = sale.now - row.room()?.window();
            let admitted_window_ago = admitted_through_at(tx, row.event_id, window_ago).await?;
            sale.queues.insert(row.event_id, row.queue(admitted_window_ago)?);
        }
    }
    if !visitors.is_empty() {
        let mut params = Params::new(dialect);
        let sql = format!(
            "SELECT id, event_id, draw, joined_at_ms, place FROM queue_visitors WHERE id IN ({})",
            params.list(visitors.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for visitor in visitors {
            query = query.bind(*visitor);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let visitor = Visitor {
                id: row.try_get("id")?,
                concert: row.try_get("event_id")?,
                draw: row.try_get("draw")?,
                joined_at: at(row.try_get("joined_at_ms")?)?,
                place: row.try_get::<Option<i64>, _>("place")?.map(|p| unsigned(p, "place")).transpose()?,
            };
            sale.visitors.insert(visitor.id.clone(), visitor);
        }
    }
    Ok(())
}

/// What a batch changed of the waiting rooms, as its effects name it.
#[derive(Default)]
pub(super) struct Changes<'a> {
    pub joined: Vec<&'a str>,
    pub queues: BTreeSet<ConcertId>,
    pub placed: Vec<ConcertId>,
    pub admitted: Vec<(ConcertId, u64)>,
    /// Rooms whose settings the operator changed.
    pub settings: BTreeSet<ConcertId>,
}

/// Persist: new visitors, the queues' counters (conditional on what was loaded), the pre-queue's places,
/// and the admission ticks.
pub(super) async fn persist(
    tx: &mut Conn,
    dialect: Dialect,
    loaded: &BTreeMap<ConcertId, Queue>,
    sale: &Sale,
    changes: &Changes<'_>,
) -> Result<(), sqlx::Error> {
    for chunk in changes.joined.chunks(1_000) {
        let sql = format!(
            "INSERT INTO queue_visitors (id, event_id, draw, joined_at_ms, place) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 5)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            let visitor = &sale.visitors[*id];
            insert = insert
                .bind(visitor.id.as_str())
                .bind(visitor.concert)
                .bind(visitor.draw)
                .bind(visitor.joined_at.timestamp_millis())
                .bind(visitor.place.map(signed));
        }
        insert.execute(&mut *tx).await?;
    }
    for concert in &changes.queues {
        let (before, after) = (&loaded[concert], &sale.queues[concert]);
        let moved = sqlx::query(
            "UPDATE waiting_rooms SET joined = $1, prequeue = $2, placed = $3, admitted_through = $4, advanced_at_ms = $5
             WHERE event_id = $6 AND joined = $7 AND admitted_through = $8",
        )
        .bind(signed(after.joined))
        .bind(signed(after.prequeue))
        .bind(i64::from(after.placed))
        .bind(signed(after.admitted_through))
        .bind(after.advanced_at.map(|at| at.timestamp_millis()))
        .bind(*concert)
        .bind(signed(before.joined))
        .bind(signed(before.admitted_through))
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Err(sqlx::Error::Protocol(format!(
                "the waiting room of concert {concert} changed under the writer: the batch is not written"
            )));
        }
    }
    for concert in &changes.placed {
        // The pre-queue's places are the ranks of its draws (ties, vanishingly rare, by id).
        sqlx::query(
            "UPDATE queue_visitors SET place = ranked.place
             FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY draw, id) AS place
                   FROM queue_visitors WHERE event_id = $1 AND place IS NULL) AS ranked
             WHERE queue_visitors.id = ranked.id",
        )
        .bind(*concert)
        .execute(&mut *tx)
        .await?;
    }
    for concert in &changes.settings {
        let room = sale.queues[concert].room;
        sqlx::query(
            "UPDATE waiting_rooms SET rate_per_minute = $1, prequeue_minutes = $2, window_minutes = $3, max_buying = $4
             WHERE event_id = $5",
        )
        .bind(i64::from(room.rate_per_minute))
        .bind(i64::from(room.prequeue_minutes))
        .bind(i64::from(room.window_minutes))
        .bind(room.max_buying.map(i64::from))
        .bind(*concert)
        .execute(&mut *tx)
        .await?;
    }
    for (concert, through) in &changes.admitted {
        sqlx::query("INSERT INTO queue_admissions (event_id, through, at_ms) VALUES ($1, $2, $3)")
            .bind(*concert)
            .bind(signed(*through))
            .bind(sale.now.timestamp_millis())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Every concert's waiting room settings, by concert.
pub(super) async fn rooms_in(conn: &mut Conn) -> Result<BTreeMap<ConcertId, WaitingRoom>, StoreError> {
    let rows: Vec<RoomRow> = sqlx::query_as(sqlx::AssertSqlSafe(ROOM_COLUMNS.to_owned())).fetch_all(&mut *conn).await?;
    let mut rooms = BTreeMap::new();
    for row in rows {
        rooms.insert(row.event_id, row.room()?);
    }
    Ok(rooms)
}

impl Store {
    /// Every waiting room's counters, by concert: what the live feed broadcasts.
    pub async fn queue_counters(&self) -> Result<Vec<(ConcertId, model::QueueCounters)>, StoreError> {
        let rows: Vec<(i64, i64, i64, i64)> =
            sqlx::query_as("SELECT event_id, admitted_through, joined, placed FROM waiting_rooms ORDER BY event_id")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(concert, admitted_through, joined, placed)| {
                let counters = model::QueueCounters {
                    admitted_through: unsigned(admitted_through, "admitted")?,
                    joined: unsigned(joined, "joined")?,
                    placed: placed != 0,
                };
                Ok((concert, counters))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    pub(super) async fn decide_one(&self, command: Command) -> Result<Answer, StoreError> {
        self.writer.ask(|reply| Job::Decide(command, None, reply)).await?.map_err(|_| StoreError::IdempotencyKeyReused)
    }

    /// A visitor joins the waiting room of `concert` (or, already in it as `visitor`, is told their place).
    pub async fn join_queue(&self, concert: ConcertId, visitor: Option<String>) -> Result<QueuePlace, StoreError> {
        match self.decide_one(Command::JoinQueue { concert, visitor }).await? {
            // Under a crowd a read is most of a join's cost: only an admitted visitor's window needs one.
            Answer::Joined(Ok(Joined { place: Some(place), .. })) => Ok(place),
            Answer::Joined(Ok(Joined { visitor, place: None })) => {
                self.queue_place(concert, &visitor.id, Utc::now()).await
            }
            Answer::Joined(Err(refused)) => Err(StoreError::Rejected(refused)),
            other => Err(StoreError::BatchFailed(format!("a join answered {other:?}"))),
        }
    }

    /// One admission tick of the waiting room of `concert`: how many it admitted.
    /// The operator's new settings for a concert's waiting room, running or not.
    pub async fn set_waiting_room(&self, concert: ConcertId, room: WaitingRoom) -> Result<WaitingRoom, StoreError> {
        match self.decide_one(Command::SetWaitingRoom { concert, room }).await? {
            Answer::RoomChanged(result) => result.map_err(StoreError::Rejected),
            other => Err(StoreError::BatchFailed(format!("a room change answered {other:?}"))),
        }
    }

    pub async fn admit(&self, concert: ConcertId) -> Result<u64, StoreError> {
        match self.decide_one(Command::Admit { concert }).await? {
            Answer::Admitted(result) => result.map_err(StoreError::Rejected),
            other => Err(StoreError::BatchFailed(format!("an admission answered {other:?}"))),
        }
    }

    /// The concerts whose waiting room admits by now: their sales have opened.
    pub async fn open_waiting_rooms(&self, now: DateTime<Utc>) -> Result<Vec<ConcertId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT w.event_id FROM waiting_rooms w JOIN events e ON e.id = w.event_id
             WHERE e.sales_open_at_ms <= $1 ORDER BY w.event_id",
        )
        .bind(now.timestamp_millis())
        .fetch_all(self.pool())
        .await?)
    }

    /// The waiting room of `concert`, if it has one on.
    pub async fn waiting_room(&self, concert: ConcertId) -> Result<Option<WaitingRoom>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let row: Option<RoomRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{ROOM_COLUMNS} WHERE w.event_id = $1")))
            .bind(concert)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(row.map(|row| row.room()).transpose()?)
    }

    /// Where `visitor` stands in the queue of `concert` at `now`, and when their window ends if admitted.
    pub async fn queue_place(
        &self,
        concert: ConcertId,
        visitor: &str,
        now: DateTime<Utc>,
    ) -> Result<QueuePlace, StoreError> {
        // One statement: every waiting page asks this once admitted, and a crowd's reads queue for the pool.
        let row: PlaceRow = sqlx::query_as(PLACE_QUERY)
            .bind(concert)
            .bind(visitor)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::Rejected(BookingError::NoWaitingRoom))?;
        let queue = row.room.queue(0)?;
        if row.visitor_joined_at_ms.is_none() {
            return Err(StoreError::Rejected(BookingError::VisitorNotFound));
        }
        let place = row.visitor_place.map(|p| unsigned(p, "place")).transpose()?;
        let admitted = place.is_some_and(|p| p <= queue.admitted_through);
        let admitted_at = row.admitted_at_ms.filter(|_| admitted).map(at).transpose()?;
        let window_ends_at = admitted_at.map(|at| at + queue.room.window());
        let status = match window_ends_at {
            Some(ends) if ends > now => QueueStatus::Admitted,
            Some(_) => QueueStatus::Expired,
            None => QueueStatus::Waiting,
        };
        Ok(QueuePlace {
            concert_id: concert,
            visitor: visitor.to_owned(),
            place,
            ahead: place.map(|p| model::ahead_of(p, queue.admitted_through)),
            status,
            admitted_through: queue.admitted_through,
            rate_per_minute: queue.room.rate_per_minute,
            sales_open_at: queue.opens_at,
            window_ends_at,
        })
    }
}
