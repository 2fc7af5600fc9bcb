//! The two databases the store runs on, behind sqlx's `Any` driver: SQLite (one file, the embedded default)
//! and PostgreSQL (several instances, one database). The SQL is written once for both: `$1`-style
//! parameters (SQLite reads `$N` as parameter N; multi-row inserts are the exception, see
//! [`Params`]), `RETURNING`, `BIGINT` counts, times as RFC 3339 text in
//! UTC or integer milliseconds. What differs is here: how a write transaction starts, how rows are locked,
//! how a connection is set up, and which migrations apply.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    encode::IsNull,
    error::BoxDynError,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
    Any, AnyConnection, AnyPool, ConnectOptions, Connection, Database, Decode, Encode, Executor, Type,
};
use std::{str::FromStr, sync::Once};

/// The connection every store function takes: the writer's transaction or one from the read pool.
pub type Conn = AnyConnection;
pub type Pool = AnyPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of(url: &str) -> Result<Dialect, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres: (got {})", scheme_of(url)).into(),
            ))
        }
    }

    /// How the writer opens its transaction. SQLite: `IMMEDIATE` takes the database's write lock at once,
    /// so the batch waits for it (busy_timeout) rather than failing halfway. PostgreSQL: row locks, taken
    /// by each statement (and by [`Dialect::lock_rows`] reads), decide between the instances' writers.
    pub fn begin_write(self) -> &'static str {
        match self {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Appended to a read whose answer the same transaction acts on. SQLite's writer already excludes every
    /// other writer; on PostgreSQL another instance's writer could change the row between read and update.
    pub fn lock_rows(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }

    /// Appended to a read of work any instance may take (the sweep's expired holds, the outbox's due mails):
    /// each instance takes the rows no other transaction has locked and leaves the rest, instead of
    /// queueing behind another instance.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    pub fn migrator(self) -> sqlx::migrate::Migrator {
        match self {
            Dialect::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// Whether a failed batch may simply run again: PostgreSQL aborts one of two writers that deadlocked,
    /// or one of two that inserted the same key at once (an idempotency key sent to two instances).
    pub fn retryable(self, error: &sqlx::Error) -> bool {
        let sqlx::Error::Database(error) = error else { return false };
        self == Dialect::Postgres && matches!(error.code().as_deref(), Some("40P01" | "40001" | "23505"))
    }
}

/// Placeholders for a statement built at run time (a multi-row insert, an `IN (…)` list), numbered in the
/// order they are written, which must be the order the values are bound in (sqlx's `QueryBuilder` writes
/// `?` for `Any`, which PostgreSQL does not read). SQLite gets anonymous `?`s: it looks a named parameter
/// up by a linear scan of all of them, which for a thousand-row insert cost a quarter of the server's time
/// in a booking rush (perf).
pub struct Params {
    dialect: Dialect,
    next: usize,
}

impl Params {
    pub fn new(dialect: Dialect) -> Params {
        Params { dialect, next: 1 }
    }

    /// One placeholder.
    pub fn one(&mut self) -> String {
        self.next += 1;
        match self.dialect {
            Dialect::Sqlite => "?".to_owned(),
            Dialect::Postgres => format!("${}", self.next - 1),
        }
    }

    /// `count` placeholders separated by commas, for an `IN (…)` list.
    pub fn list(&mut self, count: usize) -> String {
        (0..count).map(|_| self.one()).collect::<Vec<_>>().join(", ")
    }

    /// `rows` parenthesised rows of `width` placeholders, for `VALUES …`.
    pub fn rows(&mut self, rows: usize, width: usize) -> String {
        (0..rows).map(|_| format!("({})", self.list(width))).collect::<Vec<_>>().join(", ")
    }
}

/// A time as the store compares it: integer milliseconds since the Unix epoch.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn scheme_of(url: &str) -> &str {
    url.split_once(':').map_or("no scheme", |(scheme, _)| scheme)
}

/// SQLite's settings for every connection: `synchronous=FULL` so a commit is fsynced (a 201 survives a
/// power cut, not only a crash) — the writer's connection then leaves the log's sync to the durability
/// stage (`connect_writer`) — foreign keys enforced, and a writer waits for a lock instead of failing.
const SQLITE_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

fn install_drivers() {
    static DRIVERS: Once = Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
}

/// Creates the SQLite file (and its folder) if absent; nothing to do for PostgreSQL, whose database the
/// operator creates.
pub async fn create_if_missing(url: &str, dialect: Dialect) -> Result<(), super::StoreError> {
    if dialect != Dialect::Sqlite {
        return Ok(());
    }
    let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
    if let Some(folder) = options.get_filename().parent() {
        if !folder.as_os_str().is_empty() {
            std::fs::create_dir_all(folder)?;
        }
    }
    options.connect().await?.close().await?;
    Ok(())
}

/// The read pool.
pub async fn pool(url: &str, dialect: Dialect, size: u32) -> Result<Pool, sqlx::Error> {
    install_drivers();
    let options = AnyConnectOptions::from_str(url)?;
    AnyPoolOptions::new()
        .max_connections(size)
        .after_connect(move |conn, _| Box::pin(async move { prepare(conn, dialect).await }))
        .connect_with(options)
        .await
}

/// One connection of its own.
pub async fn connect(url: &str, dialect: Dialect) -> Result<Conn, sqlx::Error> {
    install_drivers();
    let mut conn = AnyConnection::connect(url).await?;
    prepare(&mut conn, dialect).await?;
    Ok(conn)
}

/// How the writer's commits at `url` become durable: a SQLite file's write-ahead log is synced by the
/// durability stage (`durable.rs`); PostgreSQL's commit, and an in-memory database's, need nothing more.
pub fn durability(url: &str, dialect: Dialect) -> Result<super::durable::Durability, sqlx::Error> {
    use super::durable::Durability;
    if dialect != Dialect::Sqlite {
        return Ok(Durability::AtCommit);
    }
    let options = SqliteConnectOptions::from_str(url)?;
    let file = options.get_filename();
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    if in_memory {
        return Ok(Durability::AtCommit);
    }
    let mut log = file.as_os_str().to_owned();
    log.push("-wal");
    Ok(Durability::SyncLog(log.into()))
}

/// The writer's connection: on SQLite, when the durability stage syncs the log, its commits do not
/// (`synchronous=NORMAL`, which in WAL mode still syncs around every checkpoint).
pub async fn connect_writer(
    url: &str,
    dialect: Dialect,
    durability: &super::durable::Durability,
) -> Result<Conn, sqlx::Error> {
    let mut conn = connect(url, dialect).await?;
    if matches!(durability, super::durable::Durability::SyncLog(_)) {
        conn.execute("PRAGMA synchronous = NORMAL").await?;
    }
    Ok(conn)
}

async fn prepare(conn: &mut Conn, dialect: Dialect) -> Result<(), sqlx::Error> {
    match dialect {
        Dialect::Sqlite => conn.execute(SQLITE_PRAGMAS).await.map(drop),
        // Times are compared as integers and written by the application, so the session's zone never
        // matters; UTC keeps anything read by hand unsurprising.
        Dialect::Postgres => conn.execute("SET TIME ZONE 'UTC'").await.map(drop),
    }
}

/// A UTC time as both databases keep it: RFC 3339 text (the format earlier versions wrote to SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At(pub DateTime<Utc>);

impl Type<Any> for At {
    fn type_info() -> <Any as Database>::TypeInfo {
        <str as Type<Any>>::type_info()
    }
}

impl Encode<'_, Any> for At {
    fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Any>::encode(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, false), buf)
    }
}

impl<'r> Decode<'r, Any> for At {
    fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Any>>::decode(value)?;
        Ok(At(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc)))
    }
}
