//! Answers wait for the disk, the writer does not: pipelined group commit on SQLite.
//!
//! With `synchronous=FULL` every commit waits for its fsync, and the writer, which every sale waits for,
//! spent about 40 % of its time there (profile in bench/RESULTS.md). Instead the writer's connection
//! commits with `synchronous=NORMAL` (in WAL mode: the commit appends to the write-ahead log without
//! syncing it; checkpoints still sync the log before copying it and the database after) and hands the
//! batch's answers to this stage, which syncs the log file itself — once for every batch that committed
//! meanwhile — and only then answers them. So a 2xx still means the sale is on disk; the writer has already
//! started the next batch while the disk syncs the last. A batch whose answers wait here is committed
//! but may not be durable: readers of the database can see it a moment before its buyer is answered,
//! never a buyer answered before it is durable.
//!
//! A failed sync leaves the log's state on disk unknown, and SQLite cannot be told to write it again; like
//! PostgreSQL after a failed fsync, the process stops rather than answer anyone (its callers get no 2xx)
//! and recovers from what the disk holds at the next start.

use std::{io, path::PathBuf, sync::mpsc};

/// How the writer's commits are made durable.
#[derive(Debug, Clone)]
pub enum Durability {
    /// The commit itself waits for the disk (PostgreSQL; SQLite without a log file, in memory).
    AtCommit,
    /// The write-ahead log at this path is synced here before a committed batch is answered.
    SyncLog(PathBuf),
}

/// Batches committed by the writer that wait for the log's sync this many deep make it wait: bounds the
/// work committed but not yet durable.
const QUEUE: usize = 64;

/// The stage's inbox.
pub struct Durable<T> {
    queue: mpsc::SyncSender<T>,
}

impl<T: Send + 'static> Durable<T> {
    /// Starts the stage on a thread of its own: `sync` makes everything committed so far durable, and
    /// `answer` hands one batch's answers over once it is.
    pub fn start(
        mut sync: impl FnMut() -> io::Result<()> + Send + 'static,
        mut answer: impl FnMut(T) + Send + 'static,
    ) -> Durable<T> {
        let (queue, committed) = mpsc::sync_channel::<T>(QUEUE);
        std::thread::Builder::new()
            .name("boxoffice-fsync".into())
            .spawn(move || {
                while let Ok(first) = committed.recv() {
                    let mut ready = vec![first];
                    ready.extend(committed.try_iter());
                    let started = std::time::Instant::now();
                    if let Err(error) = sync() {
                        tracing::error!(%error, batches = ready.len(), "syncing the write-ahead log failed: stopping");
                        std::process::abort();
                    }
                    metrics::histogram!("boxoffice_write_phase_seconds", "phase" => "sync")
                        .record(started.elapsed().as_secs_f64());
                    for batch in ready {
                        answer(batch);
                    }
                }
            })
            .expect("the durability stage's thread starts");
        Durable { queue }
    }

    /// Queues a committed batch; it is answered once the log holding it is synced.
    pub fn committed(&self, batch: T) {
        // The stage stops only with the process (abort), so a closed queue cannot happen.
        let _ = self.queue.send(batch);
    }
}

/// Syncs the log file at `path`, opened afresh each time: SQLite deletes and recreates the log when the last
/// connection closes, and a handle kept open would then sync a file no longer in use.
pub fn sync_log(path: &std::path::Path) -> io::Result<()> {
    std::fs::OpenOptions::new().write(true).open(path)?.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_batch_is_answered_only_after_the_sync_that_covers_it() {
        let events = Arc::new(Mutex::new(Vec::new()));
        let (synced, answered) = (events.clone(), events.clone());
        let (done, all_answered) = mpsc::channel();
        let durable = Durable::start(
            move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                synced.lock().unwrap().push("synced".to_owned());
                Ok(())
            },
            move |batch: u32| {
                answered.lock().unwrap().push(format!("answered {batch}"));
                done.send(()).unwrap();
            },
        );
        durable.committed(1);
        all_answered.recv().unwrap();
        durable.committed(2);
        all_answered.recv().unwrap();
        assert_eq!(*events.lock().unwrap(), ["synced", "answered 1", "synced", "answered 2"]);
    }

    #[test]
    fn a_sqlite_file_syncs_its_log_here_and_other_databases_at_commit() {
        use crate::store::db::{durability, Dialect};
        match durability("sqlite:///var/lib/boxoffice/shop.db", Dialect::Sqlite).unwrap() {
            Durability::SyncLog(path) => assert_eq!(path, PathBuf::from("/var/lib/boxoffice/shop.db-wal")),
            other => panic!("expected the log synced here, got {other:?}"),
        }
        assert!(matches!(durability("sqlite::memory:", Dialect::Sqlite).unwrap(), Durability::AtCommit));
        assert!(matches!(durability("postgres://db/shop", Dialect::Postgres).unwrap(), Durability::AtCommit));
    }

    #[test]
    fn the_log_file_is_synced_by_path_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("db-wal");
        assert_eq!(sync_log(&log).unwrap_err().kind(), io::ErrorKind::NotFound);
        std::fs::write(&log, b"frames").unwrap();
        sync_log(&log).unwrap();
    }
}
