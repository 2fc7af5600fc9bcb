//! One instance at a time runs the admission job: the one holding a PostgreSQL advisory lock, on a
//! connection of its own. The lock lives as long as that connection, so an instance that dies (or loses
//! its connection) hands the job over at another instance's next tick, and a partition never leaves two
//! leaders: the lock is the database's. SQLite serves one process, which leads.
//!
//! Admission would stay right without it (the engine admits by time, under the queue's row lock), but three
//! instances would each spend a write batch a second on it and race for the same row.

use super::Dialect;
use sqlx::{postgres::PgConnection, Connection};
use tokio::sync::Mutex;

/// The advisory lock's key: "boxoffic" as a number, so a database shared with other programs does not
/// collide with it by chance.
const ADMISSION_LOCK: i64 = 0x626f_786f_6666_6963;

#[derive(Debug)]
pub struct Leadership {
    url: Option<String>,
    /// The connection holding the lock (PostgreSQL), once taken.
    held: Mutex<Option<PgConnection>>,
}

impl Leadership {
    pub fn new(url: &str, dialect: Dialect) -> Leadership {
        let url = (dialect == Dialect::Postgres).then(|| url.to_owned());
        Leadership { url, held: Mutex::new(None) }
    }

    /// Whether this instance leads now: it keeps the lock while its connection answers, and tries to take
    /// it when it does not hold it.
    pub async fn lead(&self) -> bool {
        let Some(url) = &self.url else { return true };
        let mut held = self.held.lock().await;
        if let Some(connection) = held.as_mut() {
            if connection.ping().await.is_ok() {
                return true;
            }
            // The connection is gone, and the lock with it: another instance may lead now.
            *held = None;
        }
        let Ok(mut connection) = PgConnection::connect(url).await else { return false };
        let taken: Result<bool, _> =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(ADMISSION_LOCK).fetch_one(&mut connection).await;
        match taken {
            Ok(true) => {
                *held = Some(connection);
                true
            }
            // Someone else leads; this connection goes, so nothing here holds a lock by mistake.
            _ => false,
        }
    }
}
