//! Concerts and tiers: seeding the default concert, creating others, and reading live availability.

use super::writer::Job;
use super::{
    db::{At, Conn, Dialect, Pool},
    Store, StoreError,
};
use chrono::{DateTime, TimeZone, Utc};
use model::{BookingError, Capacities, Cents, Concert, ConcertTitle, NewConcert, NewTier, Tier, TierAvailability};
use sqlx::{Connection, FromRow};
use std::{collections::HashMap, sync::Arc, time::Instant};

/// The concert a new database starts with.
const DEFAULT_CONCERT_NAME: &str = "The Midnight Orchestra";
const DEFAULT_CONCERT_VENUE: &str = "Harbor Arena";

fn default_concert_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 20, 20, 0, 0).single().expect("a valid calendar date")
}

/// Creates the default concert with `capacities` when the database has no concert yet, and returns the id
/// of the first concert either way. Capacities apply only to a new database: an existing one keeps its own.
pub(super) async fn seed_default_concert(
    pool: &Pool,
    dialect: Dialect,
    capacities: Capacities,
) -> Result<i64, StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin_with(dialect.begin_write()).await?;
    if dialect == Dialect::Postgres {
        // Several instances may start together on an empty database: one seeds, the others wait and find it.
        sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE").execute(&mut *tx).await?;
    }
    if let Some(id) =
        sqlx::query_scalar::<_, i64>("SELECT id FROM events ORDER BY id LIMIT 1").fetch_optional(&mut *tx).await?
    {
        return Ok(id);
    }
    // Built directly, not parsed: the default concert's date is fixed and may one day be in the past.
    let concert = NewConcert {
        name: DEFAULT_CONCERT_NAME.to_owned(),
        venue: DEFAULT_CONCERT_VENUE.to_owned(),
        starts_at: default_concert_start(),
        tiers: Tier::ALL
            .into_iter()
            .map(|tier| NewTier { tier, price_cents: tier.default_price(), capacity: capacities.of(tier) })
            .collect(),
    };
    let id = insert_concert(&mut tx, &concert).await?;
    tx.commit().await?;
    tracing::info!(event_id = id, ?capacities, "seeded the default concert");
    Ok(id)
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    name: String,
    venue: String,
    starts_at: At,
}

#[derive(FromRow)]
struct TierRow {
    event_id: i64,
    tier: String,
    name: String,
    price_cents: i64,
    capacity: i64,
    sold: i64,
    held: i64,
    on_sale: i64,
}

impl TierRow {
    fn into_availability(self) -> Result<TierAvailability, StoreError> {
        let tier = Tier::parse(&self.tier)?;
        let capacity = count(self.capacity)?;
        Ok(TierAvailability {
            tier,
            name: self.name,
            price_cents: Cents(self.price_cents),
            capacity,
            available: capacity
                .checked_sub(count(self.sold)? + count(self.held)?)
                .ok_or_else(|| StoreError::Database(sqlx::Error::Protocol("sold + held exceeds capacity".into())))?,
            on_sale: self.on_sale != 0,
        })
    }
}

/// Counts are `0..=u32::MAX` by construction (CHECK constraints); anything else is corruption.
fn count(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Database(sqlx::Error::Protocol(format!("count {value} out of range"))))
}

impl Store {
    /// The default concert with every tier's availability, read in one snapshot.
    pub async fn concert(&self) -> Result<Concert, StoreError> {
        self.concert_by_id(self.default_event_id).await
    }

    /// A concert with every tier's availability.
    pub async fn concert_by_id(&self, id: i64) -> Result<Concert, StoreError> {
        let all = self.catalog().await?;
        all.iter().find(|c| c.id == id).cloned().ok_or(StoreError::Rejected(BookingError::ConcertNotFound))
    }

    /// Every concert on sale (not yet started) with its tiers: the default concert first, then by date.
    pub async fn concerts(&self) -> Result<Vec<Concert>, StoreError> {
        let now = Utc::now();
        let all = self.catalog().await?;
        Ok(all.iter().filter(|c| c.id == self.default_event_id || c.starts_at > now).cloned().collect())
    }

    /// Every concert, started or not, with its tiers, the default first then by date: from memory while
    /// nothing has changed (see `catalog_cache.rs`).
    async fn catalog(&self) -> Result<Arc<Vec<Concert>>, StoreError> {
        if let Some(concerts) = self.catalog.get() {
            return Ok(concerts);
        }
        let (generation, read_at, now_ms) = (self.catalog.generation(), Instant::now(), Utc::now().timestamp_millis());
        // Not one transaction: the tiers are read in one statement, and a concert's name and date have
        // nothing to agree with, so a BEGIN and COMMIT would buy nothing.
        let mut conn = self.pool.acquire().await?;
        let events: Vec<EventRow> =
            sqlx::query_as("SELECT id, name, venue, starts_at FROM events").fetch_all(&mut *conn).await?;
        let mut tiers = tiers_in(&mut conn).await?;
        let next_expiry: Option<i64> =
            sqlx::query_scalar("SELECT MIN(expires_at_ms) FROM holds WHERE status = 'held' AND expires_at_ms > $1")
                .bind(now_ms)
                .fetch_one(&mut *conn)
                .await?;
        let next_expiry =
            next_expiry.map(|at| std::time::Duration::from_millis(u64::try_from(at - now_ms).unwrap_or(0)));
        let mut concerts: Vec<Concert> = events
            .into_iter()
            .map(|event| {
                let (mine, others) = std::mem::take(&mut tiers).into_iter().partition(|(id, _)| *id == event.id);
                tiers = others;
                let tiers = mine.into_iter().map(|(_, tier)| tier).collect();
                Concert { id: event.id, name: event.name, venue: event.venue, starts_at: event.starts_at.0, tiers }
            })
            .collect();
        concerts.sort_by_key(|c| (c.id != self.default_event_id, c.starts_at, c.id));
        let concerts = Arc::new(concerts);
        self.catalog.keep(generation, read_at, next_expiry, concerts.clone());
        Ok(concerts)
    }

    /// The default concert's tiers with their availability, VIP first.
    pub async fn tiers(&self) -> Result<Vec<TierAvailability>, StoreError> {
        Ok(self.concert().await?.tiers)
    }

    /// Every concert's tiers with their availability, by concert id: what the live feed publishes.
    pub async fn availability(&self) -> Result<Vec<(i64, TierAvailability)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        tiers_in(&mut conn).await
    }

    /// Creates a concert with its tiers, in one transaction through the writer; returns it.
    pub async fn create_concert(&self, concert: NewConcert) -> Result<Concert, StoreError> {
        let id = self.writer.ask(|reply| Job::CreateConcert(concert, reply)).await?;
        self.concert_by_id(id).await
    }
}

/// Inserts a concert and its tiers inside the writer's transaction; returns its id.
pub(super) async fn insert_concert(tx: &mut Conn, concert: &NewConcert) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (name, venue, starts_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&concert.name)
    .bind(&concert.venue)
    .bind(At(concert.starts_at))
    .bind(At(Utc::now()))
    .fetch_one(&mut *tx)
    .await?;
    for tier in &concert.tiers {
        sqlx::query("INSERT INTO tiers (event_id, tier, name, price_cents, capacity) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(tier.tier.code())
            .bind(tier.tier.display_name())
            .bind(tier.price_cents.0)
            .bind(i64::from(tier.capacity))
            .execute(&mut *tx)
            .await?;
    }
    Ok(id)
}

/// Concert titles as the writer has read them, for the holds and orders that carry one: a concert's name,
/// venue and date never change once it is created (there is no edit), so each is read once per process
/// rather than once per sale. Only committed concerts get here: a sale can name a concert only after its
/// creation was answered, which is after its batch committed.
#[derive(Debug, Default)]
pub(super) struct Titles(HashMap<i64, ConcertTitle>);

impl Titles {
    pub async fn get(&mut self, tx: &mut Conn, id: i64) -> Result<ConcertTitle, sqlx::Error> {
        if let Some(title) = self.0.get(&id) {
            return Ok(title.clone());
        }
        let title = title_in(tx, id)
            .await?
            .ok_or_else(|| sqlx::Error::Protocol(format!("concert {id} vanished inside a transaction")))?;
        self.0.insert(id, title.clone());
        Ok(title)
    }
}

/// The title of concert `id`; `None` if there is no such concert.
pub(super) async fn title_in(tx: &mut Conn, id: i64) -> Result<Option<ConcertTitle>, sqlx::Error> {
    let event: Option<EventRow> = sqlx::query_as("SELECT id, name, venue, starts_at FROM events WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(event.map(|e| ConcertTitle { id: e.id, name: e.name, venue: e.venue, starts_at: e.starts_at.0 }))
}

/// Every concert's tiers with availability, most expensive first within a concert.
async fn tiers_in(conn: &mut Conn) -> Result<Vec<(i64, TierAvailability)>, StoreError> {
    // Holds past their expiry count as available at once, before the sweeper marks them.
    let rows: Vec<TierRow> = sqlx::query_as(
        "SELECT event_id, tier, name, price_cents, capacity, sold, on_sale,
                CAST(held - COALESCE((SELECT SUM(h.quantity) FROM holds h
                                      WHERE h.status = 'held' AND h.expires_at_ms <= $1
                                        AND h.event_id = tiers.event_id AND h.tier = tiers.tier), 0)
                     AS BIGINT) AS held
         FROM tiers ORDER BY event_id, price_cents DESC, tier",
    )
    .bind(Utc::now().timestamp_millis())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|row| Ok((row.event_id, row.into_availability()?))).collect()
}
