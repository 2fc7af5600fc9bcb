//! Concerts and tiers: seeding the default concert and reading live availability.

use super::{Store, StoreError};
use chrono::{DateTime, TimeZone, Utc};
use model::{Capacities, Cents, Concert, Tier, TierAvailability};
use sqlx::{FromRow, SqlitePool};

/// The concert a new database starts with.
const DEFAULT_CONCERT_NAME: &str = "The Midnight Orchestra";
const DEFAULT_CONCERT_VENUE: &str = "Harbor Arena";

fn default_concert_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 20, 20, 0, 0).single().expect("a valid calendar date")
}

/// Creates the default concert with `capacities` when the database has no concert yet, and returns the id
/// of the first concert either way. Capacities apply only to a new database: an existing one keeps its own.
pub(super) async fn seed_default_concert(pool: &SqlitePool, capacities: Capacities) -> Result<i64, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    if let Some(id) =
        sqlx::query_scalar::<_, i64>("SELECT id FROM events ORDER BY id LIMIT 1").fetch_optional(&mut *tx).await?
    {
        return Ok(id);
    }
    let now = Utc::now();
    let id: i64 =
        sqlx::query_scalar("INSERT INTO events (name, venue, starts_at, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(DEFAULT_CONCERT_NAME)
            .bind(DEFAULT_CONCERT_VENUE)
            .bind(default_concert_start())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
    for tier in Tier::ALL {
        sqlx::query("INSERT INTO tiers (event_id, tier, name, price_cents, capacity) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(tier.code())
            .bind(tier.display_name())
            .bind(tier.default_price().0)
            .bind(i64::from(capacities.of(tier)))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(event_id = id, ?capacities, "seeded the default concert");
    Ok(id)
}

#[derive(FromRow)]
struct EventRow {
    id: i64,
    name: String,
    venue: String,
    starts_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct TierRow {
    tier: String,
    name: String,
    price_cents: i64,
    capacity: i64,
    sold: i64,
    held: i64,
    on_sale: bool,
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
            on_sale: self.on_sale,
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
        let mut tx = self.pool.begin().await?;
        let event: EventRow = sqlx::query_as("SELECT id, name, venue, starts_at FROM events WHERE id = ?")
            .bind(self.default_event_id)
            .fetch_one(&mut *tx)
            .await?;
        let tiers = self.tiers_in(&mut tx).await?;
        tx.commit().await?;
        Ok(Concert { id: event.id, name: event.name, venue: event.venue, starts_at: event.starts_at, tiers })
    }

    /// The default concert's tiers with their availability, VIP first.
    pub async fn tiers(&self) -> Result<Vec<TierAvailability>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self.tiers_in(&mut conn).await
    }

    async fn tiers_in(&self, conn: &mut sqlx::SqliteConnection) -> Result<Vec<TierAvailability>, StoreError> {
        // Holds past their expiry count as available at once, before the sweeper marks them.
        let rows: Vec<TierRow> = sqlx::query_as(
            "SELECT tier, name, price_cents, capacity, sold, on_sale,
                    held - COALESCE((SELECT SUM(h.quantity) FROM holds h
                                     WHERE h.status = 'held' AND h.expires_at_ms <= ?2
                                       AND h.event_id = tiers.event_id AND h.tier = tiers.tier), 0) AS held
             FROM tiers WHERE event_id = ?1
             ORDER BY price_cents DESC, tier",
        )
        .bind(self.default_event_id)
        .bind(Utc::now().timestamp_millis())
        .fetch_all(conn)
        .await?;
        rows.into_iter().map(TierRow::into_availability).collect()
    }
}
