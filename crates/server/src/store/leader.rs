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
    /// A connection of its own (PostgreSQL), and whether it holds the lock. Kept while it answers, leading
    /// or not, so an instance that waits for the lead asks on it each tick rather than connecting anew.
    state: Mutex<(Option<PgConnection>, bool)>,
}

impl Leadership {
    pub fn new(url: &str, dialect: Dialect) -> Leadership {
        let url = (dialect == Dialect::Postgres).then(|| url.to_owned());
        Leadership { url, state: Mutex::new((None, false)) }
    }

    /// Whether this instance leads now: it keeps the lock while its connection answers, and tries to take
    /// it when it does not hold it.
    pub async fn lead(&self) -> bool {
        let Some(url) = &self.url else { return true };
        let mut state = self.state.lock().await;
        let (connection, leading) = &mut *state;
        if connection.is_none() {
            *connection = PgConnection::connect(url).await.ok();
        }
        let Some(open) = connection.as_mut() else { return false };
        let answer = if *leading {
            open.ping().await.map(|()| true)
        } else {
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(ADMISSION_LOCK).fetch_one(&mut *open).await
        };
        match answer {
            Ok(leads) => *leading = leads,
            Err(_) => {
                // The connection is gone, and the lock with it: another instance may lead now.
                (*connection, *leading) = (None, false);
            }
        }
        *leading
    }
}
