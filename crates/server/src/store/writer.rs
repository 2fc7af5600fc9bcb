//! Group commit: one task owns this process's only writing connection and runs every write in batches:
//! **load → decide → persist → commit → answer**.
//!
//! SQLite has one writer at a time and `synchronous=FULL` costs an fsync per commit, so one step per
//! transaction caps throughput at the disk's fsync rate. Instead every write is sent here as a [`Job`]; the
//! writer takes the first waiting job plus all others already queued (up to [`MAX_BATCH`]), and in one
//! write transaction loads what the whole batch needs (`batch_load.rs`), lets the sales engine
//! (`model::sale`) decide each command in arrival order — expiring run-out holds first — writes what
//! changed with a few set-based statements (`batch_persist.rs`), commits once, and only once the commit is
//! durable answers each caller (on SQLite the log's sync runs beside the next batch: `durable.rs`). If any statement or the commit fails, the transaction rolls back and every caller in that batch
//! gets an error: nothing is half-written, and the next batch starts afresh.
//!
//! On PostgreSQL every instance has a writer like this one; the load locks the rows the batch acts on, the
//! persisting updates re-check them, and a batch that PostgreSQL aborts (a deadlock between two instances'
//! batches, the same idempotency key inserted by two at once) runs again from the load: nobody was
//! answered yet, so nothing of the aborted try is visible.

use super::{
    batch_load, batch_persist,
    catalog_cache::CatalogCache,
    codes::Codes,
    db::{Conn, Dialect},
    durable::{self, Durability, Durable},
    idempotency::{self, IdempotencyKey},
    StoreError,
};
use chrono::{DateTime, Utc};
use model::{
    sale::{Answer, Charge, Command, Key, KeyReused, Rules},
    Booking, BookingError, BookingRequest, Hold, NewConcert, Order, Tier,
};
use sqlx::Connection;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most jobs in one transaction: bounds the latency a batch adds and the work lost to a failure.
pub const MAX_BATCH: usize = 256;
/// Jobs waiting for the writer beyond this make callers wait to enqueue (back-pressure).
const QUEUE_DEPTH: usize = 16 * 1024;
/// Tries of a batch that PostgreSQL aborted for a conflict with another instance (see [`Dialect::retryable`]).
const TRIES: usize = 5;

/// Where a job's answer goes: each kind of job has its own answer type, so no caller can be handed
/// another kind's.
pub type Responder<T> = oneshot::Sender<Result<T, StoreError>>;
/// A sales step's answer: decided (granted or refused by a rule) once its batch committed.
pub type Decided<T> = Result<T, BookingError>;

/// One write the writer performs.
#[derive(Debug)]
pub enum Job {
    Book(BookingRequest, Option<IdempotencyKey>, Responder<Decided<Booking>>),
    Hold(BookingRequest, Option<IdempotencyKey>, Responder<Decided<Hold>>),
    JoinWaitlist(BookingRequest, Option<IdempotencyKey>, Responder<Decided<model::sale::Waiting>>),
    Pay {
        hold_id: String,
        charge: Charge,
        key: Option<IdempotencyKey>,
        reply: Responder<Decided<Order>>,
    },
    Cancel {
        code: String,
        secret: String,
        key: Option<IdempotencyKey>,
        reply: Responder<Decided<Order>>,
    },
    Release {
        hold_id: String,
        key: Option<IdempotencyKey>,
        reply: Responder<Decided<Hold>>,
    },
    /// The operator's: a tier's capacity, and pausing or resuming its sales.
    SetCapacity {
        concert: i64,
        tier: Tier,
        capacity: u32,
        reply: Responder<Decided<()>>,
    },
    SetOnSale {
        concert: i64,
        tier: Tier,
        on_sale: bool,
        reply: Responder<Decided<()>>,
    },
    /// Any engine command, answered as the engine answered it: for callers holding several different
    /// commands at once (and tests that need to know what shares a batch).
    Decide(Command, Option<IdempotencyKey>, Responder<Result<Answer, KeyReused>>),
    /// The operator's new concert with its tiers; answers its id.
    CreateConcert(NewConcert, Responder<Decided<i64>>),
    /// The operator's change to a concert on the shop (`concert_changes.rs`).
    ChangeConcert(model::ConcertChange, Responder<Decided<()>>),
    /// A change to the door's devices or a concert's re-entry (`devices.rs`); answers the row it touched.
    Door(super::devices::DoorChange, Responder<super::devices::Changed>),
    /// Forget idempotency keys past their time (every batch expires run-out holds anyway); answers how
    /// many were forgotten.
    Sweep(Responder<u64>),
}

impl Job {
    /// What the sales engine decides for this job, with its key; `None` for the store's own housekeeping.
    fn command(&self) -> Option<(Command, Option<Key>)> {
        let key = |key: &Option<IdempotencyKey>| {
            key.as_ref().map(|key| Key {
                scope: key.scope.to_owned(),
                key: key.key.clone(),
                fingerprint: key.fingerprint.clone(),
            })
        };
        Some(match self {
            Job::Book(request, k, _) => (Command::Book(request.clone()), key(k)),
            Job::Hold(request, k, _) => (Command::Hold(request.clone()), key(k)),
            Job::JoinWaitlist(request, k, _) => (Command::JoinWaitlist(request.clone()), key(k)),
            Job::Pay { hold_id, charge, key: k, .. } => {
                (Command::Pay { hold_id: hold_id.clone(), charge: charge.clone() }, key(k))
            }
            Job::Cancel { code, secret, key: k, .. } => {
                (Command::Cancel { code: code.clone(), secret: secret.clone() }, key(k))
            }
            Job::Release { hold_id, key: k, .. } => (Command::Release { hold_id: hold_id.clone() }, key(k)),
            Job::SetCapacity { concert, tier, capacity, .. } => {
                (Command::SetCapacity { concert: *concert, tier: *tier, capacity: *capacity }, None)
            }
            Job::SetOnSale { concert, tier, on_sale, .. } => {
                (Command::SetOnSale { concert: *concert, tier: *tier, on_sale: *on_sale }, None)
            }
            Job::Decide(command, k, _) => (command.clone(), key(k)),
            Job::CreateConcert(..) | Job::ChangeConcert(..) | Job::Door(..) | Job::Sweep(_) => return None,
        })
    }

    /// Tells the caller the batch failed.
    fn fail(self, error: StoreError) {
        match self {
            Job::Book(.., reply) => drop(reply.send(Err(error))),
            Job::JoinWaitlist(.., reply) => drop(reply.send(Err(error))),
            Job::Hold(.., reply) | Job::Release { reply, .. } => drop(reply.send(Err(error))),
            Job::Pay { reply, .. } | Job::Cancel { reply, .. } => drop(reply.send(Err(error))),
            Job::SetCapacity { reply, .. } | Job::SetOnSale { reply, .. } => drop(reply.send(Err(error))),
            Job::Decide(.., reply) => drop(reply.send(Err(error))),
            Job::CreateConcert(_, reply) => drop(reply.send(Err(error))),
            Job::ChangeConcert(_, reply) => drop(reply.send(Err(error))),
            Job::Door(_, reply) => drop(reply.send(Err(error))),
            Job::Sweep(reply) => drop(reply.send(Err(error))),
        };
    }

    /// Hands the committed outcome to the caller, and counts it for `/metrics`.
    fn answer(self, outcome: Outcome) {
        use crate::observability::count_sale;
        fn code<T>(result: &Decided<T>) -> &'static str {
            result.as_ref().map(|_| "ok").unwrap_or_else(BookingError::code)
        }
        let mismatch =
            |answer: &Answer| StoreError::BatchFailed(format!("a stored answer of another kind: {answer:?}"));
        match (self, outcome) {
            (Job::Decide(.., reply), Outcome::Decided(decided)) => drop(reply.send(Ok(decided))),
            (job, Outcome::Decided(Err(KeyReused))) => job.fail(StoreError::IdempotencyKeyReused),
            (Job::Book(request, _, reply), Outcome::Decided(Ok(Answer::Booked(result)))) => {
                count_sale("book", Some(request.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (Job::Hold(request, _, reply), Outcome::Decided(Ok(Answer::Held(result)))) => {
                count_sale("hold", Some(request.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (Job::JoinWaitlist(request, _, reply), Outcome::Decided(Ok(Answer::Waitlisted(result)))) => {
                count_sale("waitlist", Some(request.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (Job::Pay { reply, .. }, Outcome::Decided(Ok(Answer::Paid(result)))) => {
                count_sale("pay", result.as_ref().ok().map(|order| order.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (Job::Release { reply, .. }, Outcome::Decided(Ok(Answer::Released(result)))) => {
                count_sale("release", result.as_ref().ok().map(|hold| hold.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (Job::Cancel { reply, .. }, Outcome::Decided(Ok(Answer::Cancelled(result)))) => {
                count_sale("cancel", result.as_ref().ok().map(|order| order.tier), code(&result));
                drop(reply.send(Ok(result)))
            }
            (
                Job::SetCapacity { reply, .. } | Job::SetOnSale { reply, .. },
                Outcome::Decided(Ok(Answer::TierChanged(result))),
            ) => drop(reply.send(Ok(result))),
            (Job::CreateConcert(_, reply), Outcome::Created(id)) => drop(reply.send(Ok(id))),
            (Job::ChangeConcert(_, reply), Outcome::Changed(changed)) => drop(reply.send(Ok(changed))),
            (Job::Door(_, reply), Outcome::Door(changed)) => drop(reply.send(Ok(changed))),
            (Job::Sweep(reply), Outcome::Swept(forgotten)) => drop(reply.send(Ok(forgotten))),
            (job, Outcome::Decided(Ok(answer))) => job.fail(mismatch(&answer)),
            (job, outcome) => {
                job.fail(StoreError::BatchFailed(format!("the writer mixed up a job's outcome: {outcome:?}")))
            }
        }
    }
}

/// What one job came to inside a batch, before it is handed over.
// Lives only between the commit and the answers, at most MAX_BATCH at once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Outcome {
    Decided(Result<Answer, KeyReused>),
    Created(Decided<i64>),
    Changed(Decided<()>),
    Door(super::devices::Changed),
    Swept(u64),
}

/// The handle callers use; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    inbox: mpsc::Sender<Vec<Job>>,
}

impl Writer {
    /// Starts the writer task on `connection`, which it owns from now on and whose commits `durability`
    /// says how to make durable.
    pub fn start(
        connection: Conn,
        dialect: Dialect,
        durability: Durability,
        rules: Rules,
        changes: Arc<Notify>,
        catalog: Arc<CatalogCache>,
    ) -> Writer {
        let (inbox, jobs) = mpsc::channel(QUEUE_DEPTH);
        let answers = Answers::new(durability);
        // A thread of its own: on the shared runtime every statement's answer waited behind the HTTP tasks
        // for a worker to poll the writer again, and the writer is the one thing every sale waits for.
        std::thread::Builder::new()
            .name("boxoffice-writer".into())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("the writer's runtime starts")
                    .block_on(run(connection, jobs, dialect, answers, rules, changes, catalog))
            })
            .expect("the writer's thread starts");
        Writer { inbox }
    }

    /// Queues `jobs` to be decided in order in one batch.
    pub async fn submit(&self, jobs: Vec<Job>) -> Result<(), StoreError> {
        self.inbox.send(jobs).await.map_err(|_| StoreError::WriterStopped)
    }

    /// Performs the job `make` builds around its responder, and waits for its answer.
    pub async fn ask<T>(&self, make: impl FnOnce(Responder<T>) -> Job) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.submit(vec![make(reply)]).await?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// Where committed batches go to be answered: at once when the commit was durable, through the
/// durability stage when the log's sync is still to come.
enum Answers {
    AtOnce,
    AfterSync(Durable<Vec<(Job, Outcome)>>),
}

impl Answers {
    fn new(durability: Durability) -> Answers {
        match durability {
            Durability::AtCommit => Answers::AtOnce,
            Durability::SyncLog(path) => Answers::AfterSync(Durable::start(
                move || durable::sync_log(&path),
                |batch: Vec<(Job, Outcome)>| batch.into_iter().for_each(|(job, outcome)| job.answer(outcome)),
            )),
        }
    }

    fn committed(&self, batch: Vec<(Job, Outcome)>) {
        match self {
            Answers::AtOnce => batch.into_iter().for_each(|(job, outcome)| job.answer(outcome)),
            Answers::AfterSync(durable) => durable.committed(batch),
        }
    }
}

async fn run(
    mut connection: Conn,
    mut inbox: mpsc::Receiver<Vec<Job>>,
    dialect: Dialect,
    answers: Answers,
    rules: Rules,
    changes: Arc<Notify>,
    catalog: Arc<CatalogCache>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = inbox.recv().await {
        batch.extend(first);
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        tracing::trace!(size = batch.len(), "write batch");
        metrics::histogram!("boxoffice_write_batch_size").record(batch.len() as f64);
        let mut tries = 1;
        let result = loop {
            match commit_batch(&mut connection, dialect, rules, &batch, now()).await {
                Err(error) if tries < TRIES && dialect.retryable(&error) => {
                    tracing::debug!(%error, tries, "write batch conflicted with another instance; running it again");
                    metrics::counter!("boxoffice_write_batch_retries_total").increment(1);
                    tries += 1;
                }
                result => break result,
            }
        };
        match result {
            Ok((outcomes, moved_stock)) => {
                if moved_stock {
                    // Before anyone is answered: a caller who reads after their write sees it.
                    catalog.invalidate();
                    changes.notify_one();
                }
                answers.committed(batch.drain(..).zip(outcomes).collect());
            }
            Err(error) => {
                tracing::error!(%error, jobs = batch.len(), "write batch failed and was rolled back");
                for job in batch.drain(..) {
                    job.fail(StoreError::BatchFailed(error.to_string()));
                }
            }
        }
    }
}

/// The batch's moment, to the millisecond the database keeps (so what a batch decides at `now` reads back
/// the same).
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

async fn commit_batch(
    connection: &mut Conn,
    dialect: Dialect,
    rules: Rules,
    batch: &[Job],
    now: DateTime<Utc>,
) -> Result<(Vec<Outcome>, bool), sqlx::Error> {
    let phase = |name: &'static str, since: std::time::Instant| {
        metrics::histogram!("boxoffice_write_phase_seconds", "phase" => name).record(since.elapsed().as_secs_f64());
        std::time::Instant::now()
    };
    let started = std::time::Instant::now();
    let mut tx = connection.begin_with(dialect.begin_write()).await?;
    let commands: Vec<Option<(Command, Option<Key>)>> = batch.iter().map(Job::command).collect();
    let wanted: Vec<(&Command, Option<&Key>)> =
        commands.iter().flatten().map(|(command, key)| (command, key.as_ref())).collect();

    // Load.
    let mut sale = batch_load::load(&mut tx, dialect, rules, &wanted, now).await?;
    let loaded = batch_persist::Loaded::of(&sale);
    let started = phase("load", started);

    // Decide: expire first, so tickets of run-out holds are on sale for this very batch.
    sale.apply(Command::Expire, None, &mut Codes).expect("expiring takes no key");
    let mut decided: Vec<Option<Result<Answer, KeyReused>>> = Vec::with_capacity(batch.len());
    for command in commands {
        decided.push(command.map(|(command, key)| sale.apply(command, key.as_ref(), &mut Codes)));
    }

    let started = phase("decide", started);
    // Persist, with the store's own housekeeping alongside.
    batch_persist::persist(&mut tx, dialect, &loaded, &sale).await?;
    // A waiting room's new settings and a tier's waiting list are part of the catalog too (its counters are not: the live feed reads
    // them each second, and a join in every batch would empty the cache as fast as it filled).
    let mut moved_stock = sale.effects.iter().any(|effect| {
        matches!(
            effect,
            model::sale::Effect::Stock(..) | model::sale::Effect::RoomSet(..) | model::sale::Effect::Line(..)
        )
    });
    let mut outcomes = Vec::with_capacity(batch.len());
    for (job, decided) in batch.iter().zip(decided) {
        outcomes.push(match (job, decided) {
            (_, Some(decided)) => Outcome::Decided(decided),
            (Job::CreateConcert(concert, _), None) => {
                let created = super::new_concerts::insert_concert(&mut tx, concert).await?;
                moved_stock |= created.is_ok();
                Outcome::Created(created)
            }
            (Job::ChangeConcert(change, _), None) => {
                let changed = super::concert_changes::apply(&mut tx, dialect, change, rules.default_concert).await?;
                moved_stock |= changed.is_ok();
                Outcome::Changed(changed)
            }
            (Job::Door(change, _), None) => Outcome::Door(super::devices::apply(&mut tx, change, now).await?),
            (_, None) => Outcome::Swept(idempotency::forget_old(&mut tx, now.timestamp_millis()).await?),
        });
    }

    if moved_stock && dialect == Dialect::Postgres {
        // Delivered to every instance's listener when (and only if) this transaction commits.
        sqlx::query("SELECT pg_notify($1, '')").bind(super::notify::CHANNEL).execute(&mut *tx).await?;
    }
    let started = phase("persist", started);
    tx.commit().await?;
    phase("commit", started);
    Ok((outcomes, moved_stock))
}
