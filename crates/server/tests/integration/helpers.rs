//! Test set-up in one place: a fresh database per test, the real app on a random port, and the
//! conservation check every test ends with.

use leptos::prelude::LeptosOptions;
use model::{Capacities, Tier};
use server::{
    api::admin::AdminToken, build_router, connections::Limits, live::Live, store::SaleSettings, AppState, Parts, Store,
};
use std::time::Duration;
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    /// What the router was built from, for tests that build another router on the same store.
    pub state: AppState,
    pub client: reqwest::Client,
    _database: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(&body).send().await.expect("request reaches the server")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request reaches the server")
    }
}

/// The PostgreSQL server the suite runs against instead of SQLite files: `make test` runs the suite a
/// second time with this set to a throwaway cluster (`tests/pg-cluster.sh`), so every contract test here
/// holds on both databases.
pub const POSTGRES_ENV: &str = "BOXOFFICE_TEST_POSTGRES";

/// A test's own database, gone when this is dropped: a SQLite file in a temporary folder, or, when
/// [`POSTGRES_ENV`] is set, a database on that server cloned from a migrated template (as crates.io's test
/// databases are), so the suite's databases never pile up on the cluster's disk.
pub struct TestDatabase {
    pub url: String,
    _dir: TempDir,
    /// The server's admin URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

/// A new empty database for one test.
pub async fn fresh_database() -> TestDatabase {
    let dir = tempfile::tempdir().expect("a temporary folder");
    match std::env::var(POSTGRES_ENV) {
        Ok(server) => {
            let name = new_postgres_database(&server).await;
            let (base, _) = server.rsplit_once('/').expect("a URL ending in /database");
            TestDatabase { url: format!("{base}/{name}"), _dir: dir, postgres: Some((server, name)) }
        }
        Err(_) => {
            let url = format!("sqlite://{}/boxoffice.db", dir.path().display());
            TestDatabase { url, _dir: dir, postgres: None }
        }
    }
}

/// The template every test database on the server is cloned from: this build's migrations, applied once.
const TEMPLATE: &str = "boxoffice_test_template";

/// Creates a database with a random name on `server` (a URL naming its `postgres` database), a clone of
/// [`TEMPLATE`], which the first test to get here makes (tests run as processes of their own, so an
/// advisory lock, not a lock in memory, lets one make it while the others wait); returns its name.
async fn new_postgres_database(server: &str) -> String {
    use sqlx::{Connection, Executor};
    let mut admin = sqlx::PgConnection::connect(server).await.expect("the test PostgreSQL server answers");
    admin.execute("SELECT pg_advisory_lock(20261201)").await.expect("the template's lock");
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(TEMPLATE)
        .fetch_one(&mut admin)
        .await
        .expect("the server's catalog");
    if !exists {
        let building = format!("{TEMPLATE}_building");
        admin
            .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {building}")))
            .await
            .expect("no half-made template");
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}"))).await.expect("the template");
        let (base, _) = server.rsplit_once('/').expect("a URL ending in /database");
        let mut template = sqlx::PgConnection::connect(&format!("{base}/{building}")).await.expect("the template");
        server::store::Dialect::Postgres.migrator().run(&mut template).await.expect("migrations apply");
        template.close().await.expect("the template's connection closes");
        // Renamed only once whole, so a test that died half-way leaves no template missing a migration.
        admin
            .execute(sqlx::AssertSqlSafe(format!("ALTER DATABASE {building} RENAME TO {TEMPLATE}")))
            .await
            .expect("renamed");
    }
    admin.execute("SELECT pg_advisory_unlock(20261201)").await.expect("the template's lock");
    let name = format!("test_{:016x}", rand::random::<u64>());
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}")))
        .await
        .expect("a clone of the template");
    name
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime, which cannot block on a future: a thread of its own does.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async move {
                use sqlx::{Connection, Executor};
                let mut admin = sqlx::PgConnection::connect(&server).await?;
                // FORCE: the test's servers and pools may still hold connections to it.
                admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            eprintln!("a test database was left on the server (removed with the cluster): {dropped:?}");
        }
    }
}

/// A store on a new database (see [`fresh_database`]; the guard keeps it until the test ends).
pub async fn fresh_store(capacities: Capacities) -> (Store, TestDatabase) {
    fresh_store_with(capacities, SaleSettings::default()).await
}

/// [`fresh_store`] with the sale's rules (hold time, limits).
pub async fn fresh_store_with(capacities: Capacities, sale: SaleSettings) -> (Store, TestDatabase) {
    let database = fresh_database().await;
    let store = Store::open_with(&database.url, capacities, sale).await.expect("the store opens");
    (store, database)
}

/// A store on a new SQLite file whatever the suite runs on, for what only SQLite has (its pragmas).
pub async fn fresh_sqlite_store(capacities: Capacities) -> (Store, TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}/boxoffice.db", dir.path().display());
    (Store::open(&url, capacities).await.expect("the store opens"), dir)
}

/// A store on an existing database file (opened after another process wrote it).
pub async fn open_store_at(url: &str) -> Store {
    Store::open(url, Capacities::default()).await.expect("the store opens")
}

pub async fn spawn_app(capacities: Capacities) -> TestApp {
    spawn_app_with(capacities, SaleSettings::default()).await
}

pub async fn spawn_app_with(capacities: Capacities, sale: SaleSettings) -> TestApp {
    spawn_app_limited(capacities, sale, 0).await
}

/// The app with a rate limit of `rate_limit` posts per second per IP (0: none, as the other tests use).
pub async fn spawn_app_limited(capacities: Capacities, sale: SaleSettings, rate_limit: u32) -> TestApp {
    spawn_app_full(capacities, sale, rate_limit, Some(ADMIN_TOKEN)).await
}

/// The admin token the test apps accept.
pub const ADMIN_TOKEN: &str = "test-admin-token-not-a-secret";

pub async fn spawn_app_full(
    capacities: Capacities,
    sale: SaleSettings,
    rate_limit: u32,
    admin: Option<&str>,
) -> TestApp {
    spawn_app_bounded(capacities, sale, rate_limit, admin, TEST_CONNECTION_LIMITS).await
}

/// What the test apps' connection layer allows: tests open many connections from one address at once.
pub const TEST_CONNECTION_LIMITS: Limits =
    Limits { header_timeout: Duration::from_secs(10), max_connections: 100_000, max_per_client: 100_000 };

/// The app behind the real connection layer with `limits`.
pub async fn spawn_app_bounded(
    capacities: Capacities,
    sale: SaleSettings,
    rate_limit: u32,
    admin: Option<&str>,
    limits: Limits,
) -> TestApp {
    let leptos_options = LeptosOptions::builder().output_name("boxoffice").build();
    spawn_app_serving(capacities, sale, rate_limit, admin, limits, leptos_options).await
}

/// The app with `leptos_options` of the test's own (a site folder of its making, hashed names).
pub async fn spawn_app_serving(
    capacities: Capacities,
    sale: SaleSettings,
    rate_limit: u32,
    admin: Option<&str>,
    limits: Limits,
    leptos_options: LeptosOptions,
) -> TestApp {
    let (store, database) = fresh_store_with(capacities, sale).await;
    server::sweeper::start(store.clone());
    server::admission::start(store.clone());
    let live = Live::start(store.clone()).await.expect("live availability starts");
    let admin_token = AdminToken::new(admin.map(str::to_owned));
    let passes = server::queue_pass::QueuePasses::new(&store.queue_signing_key().await.expect("the signing key"));
    let state = AppState::from(Parts { leptos_options, store: store.clone(), live: live.clone(), admin_token, passes });
    let router = build_router(state.clone(), rate_limit);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    tokio::spawn(server::connections::serve(listener, router, limits, std::future::pending()));
    TestApp { base, store, state, client: reqwest::Client::new(), _database: database }
}

pub fn capacities(vip: u32, front_row: u32, general: u32) -> Capacities {
    Capacities { vip, front_row, general }
}

/// One tier's counters, read straight from the database and independently of each other.
#[derive(Debug, PartialEq, Eq)]
pub struct TierCounts {
    pub capacity: i64,
    /// The tier's `sold` counter.
    pub sold: i64,
    /// The tier's `held` counter (holds not yet swept, expired or not).
    pub held: i64,
    /// Paid orders, and the tickets they add up to.
    pub booked_rows: i64,
    pub booked_quantity: i64,
    /// Ticket rows of paid orders.
    pub ticket_rows: i64,
    /// Tickets in holds not yet swept, and in those of them still running.
    pub held_quantity: i64,
    pub live_held_quantity: i64,
    /// The tier's `blocked` counter, and its seats (none for a tier sold by quantity) by state.
    pub blocked: i64,
    pub seats: i64,
    pub seats_sold: i64,
    pub seats_held: i64,
    pub seats_blocked: i64,
    /// The tier's `waiting` counter, its waiting-list entries still waiting, and its offered entries whose
    /// hold is not held (none, when the list is kept).
    pub waiting: i64,
    pub waiting_rows: i64,
    pub offers_not_held: i64,
}

/// [`tier_counts_of`] the default concert.
pub async fn tier_counts(store: &Store, tier: Tier) -> TierCounts {
    tier_counts_of(store, store.default_event_id(), tier).await
}

pub async fn tier_counts_of(store: &Store, event: i64, tier: Tier) -> TierCounts {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let one = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql).bind(event).bind(tier.code()).fetch_one(store.pool()).await.expect(sql)
    };
    TierCounts {
        capacity: one("SELECT capacity FROM tiers WHERE event_id = $1 AND tier = $2").await,
        sold: one("SELECT sold FROM tiers WHERE event_id = $1 AND tier = $2").await,
        held: one("SELECT held FROM tiers WHERE event_id = $1 AND tier = $2").await,
        booked_rows: one("SELECT COUNT(*) FROM orders WHERE event_id = $1 AND tier = $2 AND status = 'paid'").await,
        booked_quantity: one("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM orders
             WHERE event_id = $1 AND tier = $2 AND status = 'paid'")
        .await,
        ticket_rows: one("SELECT COUNT(*) FROM tickets JOIN orders ON orders.id = tickets.order_id
             WHERE orders.event_id = $1 AND orders.tier = $2 AND orders.status = 'paid'")
        .await,
        held_quantity: one("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM holds
             WHERE event_id = $1 AND tier = $2 AND status = 'held'")
        .await,
        live_held_quantity: sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM holds
             WHERE event_id = $1 AND tier = $2 AND status = 'held' AND expires_at_ms > $3",
        )
        .bind(event)
        .bind(tier.code())
        .bind(now_ms)
        .fetch_one(store.pool())
        .await
        .expect("holds"),
        blocked: one("SELECT blocked FROM tiers WHERE event_id = $1 AND tier = $2").await,
        seats: one("SELECT COUNT(*) FROM seats WHERE event_id = $1 AND tier = $2").await,
        seats_sold: one("SELECT COUNT(*) FROM seats s JOIN orders o ON o.id = s.order_id AND o.status = 'paid'
             WHERE s.event_id = $1 AND s.tier = $2 AND s.state = 'sold'")
        .await,
        seats_held: one("SELECT COUNT(*) FROM seats s JOIN holds h ON h.id = s.hold_id AND h.status = 'held'
             WHERE s.event_id = $1 AND s.tier = $2 AND s.state = 'held'")
        .await,
        waiting: one("SELECT waiting FROM tiers WHERE event_id = $1 AND tier = $2").await,
        waiting_rows: one("SELECT COUNT(*) FROM waitlist WHERE event_id = $1 AND tier = $2 AND state = 'waiting'")
            .await,
        offers_not_held: one("SELECT COUNT(*) FROM waitlist w LEFT JOIN holds h ON h.id = w.hold_id
             WHERE w.event_id = $1 AND w.tier = $2 AND w.state = 'offered'
               AND (h.id IS NULL OR h.status <> 'held' OR h.waitlist_id <> w.id OR h.quantity <> w.quantity)")
        .await,
        seats_blocked: one("SELECT COUNT(*) FROM seats WHERE event_id = $1 AND tier = $2 AND state = 'blocked'").await,
    }
}

/// `sold + held + available == capacity` for every tier of every concert, where `sold` is what the paid orders add up to,
/// `held` what the running holds add up to and `available` what the store reports: computed independently,
/// so a lost update shows. The counters must agree with the rows, and every sold ticket must have its row.
pub async fn check_conservation(store: &Store) -> Result<(), String> {
    for (concert, availability) in store.availability().await.map_err(|e| e.to_string())?.0 {
        let c = tier_counts_of(store, concert, availability.tier).await;
        let available = i64::from(availability.available);
        let held_now = c.live_held_quantity;
        // A seated tier: every seat in one state, the counters what its seats say.
        let seats_agree = c.seats == 0
            || (c.seats == c.capacity
                && c.seats_sold == c.booked_quantity
                && c.seats_held == c.held_quantity
                && c.seats_blocked == c.blocked);
        if c.booked_quantity + held_now + available + c.blocked != c.capacity
            || c.sold != c.booked_quantity
            || c.held != c.held_quantity
            || c.ticket_rows != c.booked_quantity
            || !seats_agree
            || c.waiting != c.waiting_rows
            || c.offers_not_held != 0
        {
            return Err(format!(
                "concert {concert} {}: sold {} + held {held_now} + available {available} != capacity {} ({c:?})",
                availability.tier, c.booked_quantity, c.capacity
            ));
        }
    }
    Ok(())
}
pub async fn assert_conserved(store: &Store) {
    if let Err(broken) = check_conservation(store).await {
        panic!("conservation broken: {broken}");
    }
}

/// Sends `request` and reads its answer's JSON body.
pub async fn json_of(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.expect("an answer").json().await.expect("a JSON body")
}

/// The real server binary as a child process on a free port (killed when dropped).
pub struct ServerProcess {
    pub child: tokio::process::Child,
    pub port: u16,
}

impl ServerProcess {
    /// Starts the binary on `database_url` with `capacity` (as `BOXOFFICE_CAPACITY` takes it, for a new
    /// database) and waits until `/healthz` answers.
    pub async fn start(database_url: &str, capacity: &str) -> ServerProcess {
        ServerProcess::start_with(database_url, capacity, &[], None).await
    }

    /// [`ServerProcess::start`] with more environment and, if given, the open-files limit (soft and hard)
    /// the server runs under.
    pub async fn start_with(
        database_url: &str,
        capacity: &str,
        env: &[(&str, &str)],
        open_files: Option<u64>,
    ) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_boxoffice"));
        if let Some(limit) = open_files {
            // SAFETY: setrlimit is a plain system call, safe between fork and exec.
            unsafe {
                command.pre_exec(move || rlimit::setrlimit(rlimit::Resource::NOFILE, limit, limit));
            }
        }
        let child = command
            // Tests open many connections from one address; the bound per client is tested on its own.
            .env("BOXOFFICE_MAX_CONNECTIONS_PER_CLIENT", "100000")
            // The mails as files in a folder of the test's, not the source tree's `data/outbox`.
            .env("BOXOFFICE_OUTBOX_DIR", std::env::temp_dir().join(format!("boxoffice-outbox-{port}")))
            .envs(env.iter().copied())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "boxoffice")
            .env("DATABASE_URL", database_url)
            .env("BOXOFFICE_CAPACITY", capacity)
            .env("RUST_LOG", "error")
            // Tests post from one address as fast as they can: not what the rate limit is for.
            .env("BOXOFFICE_RATE_LIMIT", "0")
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
                return ServerProcess { child, port };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not become healthy");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// The next `availability` event's data from an open event stream, parsed; within 5 s.
pub async fn next_event(stream: &mut reqwest::Response) -> serde_json::Value {
    let mut text = String::new();
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), stream.chunk())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(end) = text.find("\n\n") {
            let event = &text[..end];
            if let Some(data) = event.lines().find_map(|line| line.strip_prefix("data: ")) {
                return serde_json::from_str(data).unwrap();
            }
            text.drain(..end + 2);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_database_is_gone_once_its_guard_is_dropped() {
    let (store, database) = fresh_store(capacities(1, 1, 1)).await;
    let url = database.url.clone();
    assert_eq!(store.tiers().await.expect("the store answers").len(), 3);
    drop(database);
    match std::env::var(POSTGRES_ENV) {
        Ok(server) => {
            use sqlx::Connection;
            let name = url.rsplit('/').next().expect("a database name");
            let mut admin = sqlx::PgConnection::connect(&server).await.expect("the server answers");
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(&mut admin)
                .await
                .expect("the catalog");
            assert_eq!(left, 0, "the test's database {name} is dropped");
        }
        Err(_) => {
            let file = url.trim_start_matches("sqlite://");
            assert!(!std::path::Path::new(file).exists(), "the test's SQLite file {file} is removed");
        }
    }
}

/// A paid order of `quantity` General Admission tickets over REST at `base` (at `concert`, or the default
/// concert), bought by Ada: its code, secret and ticket codes.
pub async fn paid_order_at(
    client: &reqwest::Client,
    base: &str,
    concert: Option<i64>,
    quantity: u32,
    email: &str,
) -> (String, String, Vec<String>) {
    let mut hold = serde_json::json!({ "tier": "general", "quantity": quantity, "name": "Ada", "email": email });
    if let Some(concert) = concert {
        hold["concert_id"] = concert.into();
    }
    let hold: serde_json::Value = json_of(client.post(format!("{base}/api/holds")).json(&hold)).await;
    let card = serde_json::json!({ "card_number": "4242424242424242", "expiry": "12/35", "cvc": "123" });
    let path = format!("{base}/api/holds/{}/payment", hold["id"].as_str().expect("a hold"));
    let order = json_of(client.post(path).json(&card)).await;
    let tickets = order["tickets"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap().to_owned()).collect();
    (order["code"].as_str().unwrap().to_owned(), order["secret"].as_str().unwrap().to_owned(), tickets)
}
