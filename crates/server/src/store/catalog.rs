//! Concerts and tiers as buyers read them (live availability, from memory between writes), and the
//! operator's new concert, sent to the writer.

use super::{db::Conn, titles::EventRow, writer::Job, Store, StoreError};
use chrono::Utc;
use model::{BookingError, Cents, Concert, NewConcert, Tier, TierAvailability};
use sqlx::FromRow;
use std::{sync::Arc, time::Instant};

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
    seated: i64,
    blocked: i64,
    waiting: i64,
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
            available: capacity.checked_sub(count(self.sold)? + count(self.held)? + count(self.blocked)?).ok_or_else(
                || StoreError::Database(sqlx::Error::Protocol("sold + held + blocked exceeds capacity".into())),
            )?,
            on_sale: self.on_sale != 0,
            seated: self.seated != 0,
            waiting: count(self.waiting)?,
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

    /// A concert with every tier's availability, listed on the shop or not (the operator's and the door's
    /// view; buyers get [`Store::listed_concert`]).
    pub async fn concert_by_id(&self, id: i64) -> Result<Concert, StoreError> {
        let all = self.catalog().await?;
        all.iter().find(|c| c.id == id).cloned().ok_or(StoreError::Rejected(BookingError::ConcertNotFound))
    }

    /// A concert as buyers see it: one the operator took off the shop is no concert at all.
    pub async fn listed_concert(&self, id: i64) -> Result<Concert, StoreError> {
        Some(self.concert_by_id(id).await?)
            .filter(|concert| concert.published)
            .ok_or(StoreError::Rejected(BookingError::ConcertNotFound))
    }

    /// Every concert on sale (listed, not yet started) with its tiers: the default concert first, then by date.
    pub async fn concerts(&self) -> Result<Vec<Concert>, StoreError> {
        Ok(self.upcoming().await?.into_iter().filter(|c| c.published).collect())
    }

    /// Every concert not yet started, listed or not (the operator's page): the default first, then by date.
    pub async fn upcoming(&self) -> Result<Vec<Concert>, StoreError> {
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
        let _refilling = self.catalog.refill.lock().await;
        if let Some(concerts) = self.catalog.get() {
            return Ok(concerts);
        }
        let (generation, read_at, now_ms) = (self.catalog.generation(), Instant::now(), Utc::now().timestamp_millis());
        self.catalog.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!("boxoffice_catalog_reads_total").increment(1);
        // Not one transaction: the tiers are read in one statement, and a concert's name and date have
        // nothing to agree with, so a BEGIN and COMMIT would buy nothing.
        let mut conn = self.pool.acquire().await?;
        let events: Vec<EventRow> =
            sqlx::query_as("SELECT id, name, venue, starts_at, sales_open_at_ms, published, time_zone FROM events")
                .fetch_all(&mut *conn)
                .await?;
        let mut tiers = tiers_in(&mut conn).await?;
        let mut rooms = super::queue::rooms_in(&mut conn).await?;
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
                let sales_open_at = event.sales_open_at();
                let zone = event.zone();
                Concert {
                    id: event.id,
                    name: event.name,
                    venue: event.venue,
                    starts_at: event.starts_at.0,
                    zone,
                    sales_open_at,
                    waiting_room: rooms.remove(&event.id),
                    published: event.published != 0,
                    tiers,
                }
            })
            .collect();
        concerts.sort_by_key(|c| (c.id != self.default_event_id, c.starts_at, c.id));
        let concerts = Arc::new(concerts);
        self.catalog.keep(generation, read_at, next_expiry, concerts.clone());
        Ok(concerts)
    }

    /// How many times the catalog was read from the database since the store opened.
    pub fn catalog_reads(&self) -> u64 {
        self.catalog.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The default concert's tiers with their availability, VIP first.
    pub async fn tiers(&self) -> Result<Vec<TierAvailability>, StoreError> {
        Ok(self.concert().await?.tiers)
    }

    /// Every concert's tiers with their availability, by concert id: what the live feed publishes. With it,
    /// from the same read, the tickets sold per concert: what moves when a hold is paid or an order
    /// cancelled, which availability alone does not show (the operator's page follows it).
    pub async fn availability(&self) -> Result<(Vec<(i64, TierAvailability)>, Vec<(i64, i64)>), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = tier_rows_in(&mut conn).await?;
        let mut sold: Vec<(i64, i64)> = Vec::new();
        for row in &rows {
            match sold.last_mut() {
                Some((concert, count)) if *concert == row.event_id => *count += row.sold,
                _ => sold.push((row.event_id, row.sold)),
            }
        }
        Ok((availability_of(rows)?, sold))
    }

    /// Creates a concert with its tiers, in one transaction through the writer; returns it.
    pub async fn create_concert(&self, concert: NewConcert) -> Result<Concert, StoreError> {
        let id = self.writer.ask(|reply| Job::CreateConcert(concert, reply)).await??;
        self.concert_by_id(id).await
    }

    /// Applies the operator's change to a concert, in one transaction through the writer; returns the
    /// concert as it now is.
    pub async fn change_concert(&self, change: model::ConcertChange) -> Result<Concert, StoreError> {
        let id = change.concert();
        self.writer.ask(|reply| Job::ChangeConcert(change, reply)).await??;
        self.concert_by_id(id).await
    }
}

/// Every concert's tiers with availability, most expensive first within a concert.
async fn tiers_in(conn: &mut Conn) -> Result<Vec<(i64, TierAvailability)>, StoreError> {
    availability_of(tier_rows_in(conn).await?)
}

fn availability_of(rows: Vec<TierRow>) -> Result<Vec<(i64, TierAvailability)>, StoreError> {
    rows.into_iter().map(|row| Ok((row.event_id, row.into_availability()?))).collect()
}

/// Every concert's tier rows in concert order, holds past their expiry no longer counted as held.
async fn tier_rows_in(conn: &mut Conn) -> Result<Vec<TierRow>, StoreError> {
    let rows: Vec<TierRow> = sqlx::query_as(
        "SELECT event_id, tier, name, price_cents, capacity, sold, held, on_sale, seated, blocked, waiting
         FROM tiers ORDER BY event_id, price_cents DESC, tier",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Holds past their expiry count as available at once, before the sweeper marks them. Read apart, by
    // expiry (the running holds' index: only those already out are read), not as a sum per tier over its
    // holds, which read every running hold on each catalog read and sank the page's rate under an on-sale.
    let ran_out: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT event_id, tier, CAST(SUM(quantity) AS BIGINT) FROM holds
         WHERE status = 'held' AND expires_at_ms <= $1 GROUP BY event_id, tier",
    )
    .bind(Utc::now().timestamp_millis())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            if let Some((.., out)) = ran_out.iter().find(|(event, tier, _)| *event == row.event_id && *tier == row.tier)
            {
                row.held -= out;
            }
            row
        })
        .collect())
}
