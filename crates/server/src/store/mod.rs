//! The store: every SQL statement boxoffice runs lives under this module.
//!
//! SQLite (the default: WAL mode with `synchronous=FULL`, so a booking acknowledged to a buyer has been
//! fsynced and survives a power cut, not only a crash) or PostgreSQL (several instances on one database),
//! chosen by the URL; see `db.rs`. Reads go through a pool; every write goes through the writer task of
//! `writer.rs`, which commits bookings in batches (group commit) so one fsync serves many. On PostgreSQL each
//! instance has its own writer and the database's row locks decide between them; `notify.rs` tells every
//! instance of the others' commits.

mod admin;
mod batch_load;
mod batch_persist;
mod bookings;
mod catalog;
mod catalog_cache;
mod checkin;
mod codes;
mod concert_changes;
mod db;
mod device_tokens;
pub mod devices;
mod door;
mod door_list;
mod durable;
pub mod fingerprint;
mod idempotency;
mod leader;
mod live_sales;
mod new_concerts;
mod notify;
mod orders;
pub mod outbox;
mod queue;
mod seats;
mod settings;
mod stored_answer;
mod titles;
mod waitlist;
mod writer;

pub use admin::orders_csv;
pub use checkin::{scan_key, DoorConflict, DoorFigures};
pub use db::{Dialect, Pool};
pub use devices::NotADevice;
pub use idempotency::{IdempotencyKey, InFlight, InFlightGuard, KEEP_KEYS};
pub use model::sale::Charge;
pub use waitlist::WaitlistLine;
pub use writer::{Decided, MAX_BATCH};

use model::{BookingError, BuyerLimits, Capacities, MAX_TICKETS_PER_ORDER};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request broke a rule the store enforces (sold out, tier not on sale).
    #[error(transparent)]
    Rejected(#[from] BookingError),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The batch this request was in could not be committed; nothing of it was written.
    #[error("the write batch failed: {0}")]
    BatchFailed(String),
    /// An idempotency key came back with a different request than the one it was first used for.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("the writer has stopped")]
    WriterStopped,
    #[error("cannot create the database's folder: {0}")]
    Folder(#[from] std::io::Error),
}

/// The rules of the sale the store enforces.
#[derive(Debug, Clone, Copy)]
pub struct SaleSettings {
    /// How long a hold keeps its tickets.
    pub hold_for: Duration,
    /// How long a waiting-list offer keeps its tickets for its buyer.
    pub offer_for: Duration,
    /// At most this many tickets in one order (never above [`MAX_TICKETS_PER_ORDER`]).
    pub max_per_order: u32,
    pub buyer_limits: BuyerLimits,
    /// A concert with more tickets than this gets its scanners only the revocation list (`door_list.rs`).
    pub door_list_limit: u64,
}

impl Default for SaleSettings {
    fn default() -> Self {
        SaleSettings {
            hold_for: Duration::from_secs(10 * 60),
            offer_for: Duration::from_secs(30 * 60),
            max_per_order: MAX_TICKETS_PER_ORDER,
            buyer_limits: BuyerLimits::default(),
            door_list_limit: 20_000,
        }
    }
}

/// A handle on the database, cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    dialect: Dialect,
    /// The concert the page and the API sell: the first one created.
    default_event_id: i64,
    writer: writer::Writer,
    /// Woken after every commit that moves stock, for the live availability feed.
    changes: Arc<Notify>,
    /// Idempotency keys of requests being processed now.
    in_flight: InFlight,
    /// Every concert with its tiers, between writes.
    catalog: Arc<catalog_cache::CatalogCache>,
    /// Whether this instance runs the admission job (see `leader.rs`).
    leadership: Arc<leader::Leadership>,
    /// Scanner tokens seen to pass (see `device_tokens.rs`).
    device_tokens: Arc<device_tokens::DeviceTokens>,
    /// Signs the codes tickets' QR codes carry (the key is kept in the database: see `settings.rs`).
    signer: Arc<model::TicketSigner>,
    door_list_limit: u64,
}

impl Store {
    /// Opens (creating if absent) the database at `url`, applies migrations, and seeds the default concert
    /// with `capacities` if the database has none.
    pub async fn open(url: &str, capacities: Capacities) -> Result<Store, StoreError> {
        Store::open_with(url, capacities, SaleSettings::default()).await
    }

    /// [`Store::open`] with the sale's rules.
    pub async fn open_with(url: &str, capacities: Capacities, sale: SaleSettings) -> Result<Store, StoreError> {
        let dialect = Dialect::of(url)?;
        db::create_if_missing(url, dialect).await?;
        let pool = db::pool(url, dialect, 8).await?;
        dialect.migrator().run(&pool).await?;
        let default_event_id = new_concerts::seed_default_concert(&pool, dialect, capacities).await?;
        let changes = Arc::new(Notify::new());
        let rules = model::sale::Rules {
            default_concert: default_event_id,
            max_per_order: sale.max_per_order.min(MAX_TICKETS_PER_ORDER),
            buyer_limits: sale.buyer_limits,
            hold_for: sale.hold_for,
            offer_for: sale.offer_for,
        };
        let catalog = Arc::new(catalog_cache::CatalogCache::default());
        let durability = db::durability(url, dialect)?;
        let connection = db::connect_writer(url, dialect, &durability).await?;
        let writer = writer::Writer::start(connection, dialect, durability, rules, changes.clone(), catalog.clone());
        if dialect == Dialect::Postgres {
            notify::listen(url, changes.clone(), catalog.clone()).await?;
        }
        let leadership = Arc::new(leader::Leadership::new(url, dialect));
        let signer = Arc::new(settings::ticket_signer(&pool).await?);
        Ok(Store {
            pool,
            dialect,
            default_event_id,
            writer,
            changes,
            in_flight: InFlight::default(),
            catalog,
            leadership,
            device_tokens: Arc::default(),
            signer,
            door_list_limit: sale.door_list_limit,
        })
    }

    /// Whether the database answers a query: what `/healthz` reports.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Whether the database answers and has every migration this build carries applied: what `/readyz`
    /// reports, so a load balancer sends no traffic to an instance whose schema is behind.
    pub async fn ready(&self) -> Result<(), StoreError> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&self.pool).await?;
        let known = self.dialect.migrator().iter().count() as i64;
        if applied < known {
            return Err(StoreError::NotReady(format!("{applied} of {known} migrations applied")));
        }
        Ok(())
    }

    /// The pool, for tests that inspect the database directly.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Notified (one stored permit, so nothing is missed) after each commit that changed availability.
    pub fn changes(&self) -> Arc<Notify> {
        self.changes.clone()
    }

    /// Whether this instance leads the admission job now (taking the lead if nobody holds it).
    pub async fn lead_admission(&self) -> bool {
        self.leadership.lead().await
    }

    /// Requests with an idempotency key that are running now (see `idempotency.rs`).
    pub fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    pub fn ticket_signer(&self) -> &model::TicketSigner {
        &self.signer
    }

    pub fn default_event_id(&self) -> i64 {
        self.default_event_id
    }

    /// Closes the read pool: called on shutdown. The writer's connection closes with the process; anything
    /// it committed is already durable (SQLite: WAL, synchronous=FULL; PostgreSQL: its own WAL), so no
    /// write is lost either way.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
