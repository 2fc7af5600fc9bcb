//! New concerts: the default one a new database is seeded with, and the rows of any concert the operator
//! creates (inserted inside the writer's transaction).

use super::{
    db::{At, Conn, Dialect, Pool},
    StoreError,
};
use chrono::{DateTime, TimeZone, Utc};
use model::{BookingError, Capacities, NewConcert, NewTier, Tier};
use sqlx::Connection;

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
        time_zone: model::ZoneAt::default().name,
        sales_open_at: None,
        waiting_room: None,
        tiers: Tier::ALL
            .into_iter()
            .map(|tier| NewTier { tier, price_cents: tier.default_price(), capacity: capacities.of(tier) })
            .collect(),
    };
    let id = insert_concert(&mut tx, &concert).await?.map_err(StoreError::Rejected)?;
    tx.commit().await?;
    tracing::info!(event_id = id, ?capacities, "seeded the default concert");
    Ok(id)
}

/// Inserts a concert and its tiers inside the writer's transaction; returns its id. Refused if a concert
/// with the same name, venue and start exists: a second click on "Create" must not make a second public
/// concert.
pub(super) async fn insert_concert(
    tx: &mut Conn,
    concert: &NewConcert,
) -> Result<Result<i64, BookingError>, sqlx::Error> {
    let twin: Option<i64> =
        sqlx::query_scalar("SELECT id FROM events WHERE name = $1 AND venue = $2 AND starts_at = $3")
            .bind(&concert.name)
            .bind(&concert.venue)
            .bind(At(concert.starts_at))
            .fetch_optional(&mut *tx)
            .await?;
    if twin.is_some() {
        return Ok(Err(BookingError::ConcertInvalid(format!(
            "{} at {} on {} already exists",
            concert.name,
            concert.venue,
            model::when::venue_date_time(concert.starts_at, &model::ZoneAt::of(&concert.time_zone, concert.starts_at))
        ))));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (name, venue, starts_at, created_at, sales_open_at_ms, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&concert.name)
    .bind(&concert.venue)
    .bind(At(concert.starts_at))
    .bind(At(Utc::now()))
    .bind(concert.sales_open_at.map(|at| at.timestamp_millis()))
    .bind(&concert.time_zone)
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
    if let Some(room) = &concert.waiting_room {
        sqlx::query(
            "INSERT INTO waiting_rooms (event_id, rate_per_minute, prequeue_minutes, window_minutes, max_buying)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i64::from(room.rate_per_minute))
        .bind(i64::from(room.prequeue_minutes))
        .bind(i64::from(room.window_minutes))
        .bind(room.max_buying.map(i64::from))
        .execute(&mut *tx)
        .await?;
    }
    Ok(Ok(id))
}
