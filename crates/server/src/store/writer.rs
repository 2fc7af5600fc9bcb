//! Group commit: one task owns this process's only writing connection and commits every sales step in
//! batches.
//!
//! SQLite has one writer at a time and `synchronous=FULL` costs an fsync per commit, so one step per
//! transaction caps throughput at the disk's fsync rate. Instead every write (book, hold, pay, cancel,
//! sweep) is sent here as a [`Work`]; the writer takes the first waiting command plus all others already
//! queued (up to [`MAX_BATCH`]), first expires the holds that ran out, then decides each command in arrival
//! order inside one write transaction, commits once, and only then answers each caller. If any
//! statement or the commit fails, the transaction rolls back and every caller in that batch gets an error:
//! nothing is half-written, and the next batch starts afresh. Each step guards stock on its own (see
//! `sales.rs`), so correctness never rests on the batching.
//!
//! On PostgreSQL every instance has a writer like this one; reads that a step acts on lock their rows, the
//! conditional updates re-check under the row lock, and a batch that PostgreSQL aborts (a deadlock between
//! two instances' batches, the same idempotency key inserted by two at once) runs again from the start:
//! nobody was answered yet, so nothing of the aborted try is visible.

use super::{
    catalog::Titles,
    catalog_cache::CatalogCache,
    db::{Conn, Dialect},
    idempotency::{self, IdempotencyKey},
    sales::{self, Charge, Limits},
    StoreError,
};
use chrono::{DateTime, Utc};
use model::{Booking, BookingError, BookingRequest, Hold, Order, Tier};
use serde::{Deserialize, Serialize};
use sqlx::Connection;
use std::{sync::Arc, time::Duration};
use tokio::sync::{mpsc, oneshot, Notify};

/// Most commands in one transaction: bounds the latency a batch adds and the work lost to a failure.
pub const MAX_BATCH: usize = 256;
/// Commands waiting for the writer beyond this make callers wait to enqueue (back-pressure).
const QUEUE_DEPTH: usize = 16 * 1024;
/// Tries of a batch that PostgreSQL aborted for a conflict with another instance (see [`Dialect::retryable`]).
const TRIES: usize = 5;

/// A one-step booking's own answer, decided inside a batch that committed.
pub type Outcome = Result<Booking, BookingError>;

/// One write the writer performs.
#[derive(Debug)]
pub enum Work {
    Book(BookingRequest),
    Hold(BookingRequest),
    Pay {
        hold_id: String,
        charge: Charge,
    },
    Cancel {
        code: String,
        secret: String,
    },
    /// The operator's new concert with its tiers.
    CreateConcert(model::NewConcert),
    /// Expire run-out holds (every batch does) and forget old idempotency keys.
    Sweep,
    /// The operator's: a tier's capacity, and pausing or resuming its sales.
    SetCapacity {
        event_id: i64,
        tier: Tier,
        capacity: u32,
    },
    SetOnSale {
        event_id: i64,
        tier: Tier,
        on_sale: bool,
    },
}

/// What a command came to. Serialisable because an idempotency key stores it to answer retries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Booked(Outcome),
    Held(Result<Hold, BookingError>),
    Paid(Result<Order, BookingError>),
    Cancelled(Result<Order, BookingError>),
    Swept {
        keys_forgotten: u64,
    },
    /// A tier's settings changed (or why not).
    TierChanged(Result<(), BookingError>),
    /// The new concert's id.
    ConcertCreated(i64),
}

impl Answer {
    /// Whether availability changed, so open pages should hear of it.
    fn moved_stock(&self) -> bool {
        matches!(
            self,
            Answer::Booked(Ok(_))
                | Answer::Held(Ok(_))
                | Answer::Cancelled(Ok(_))
                | Answer::TierChanged(Ok(_))
                | Answer::ConcertCreated(_)
        )
    }
}

/// What the writer needs to know about the sale.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub dialect: Dialect,
    /// The concert of requests that name none.
    pub default_event_id: i64,
    pub limits: Limits,
    pub hold_for: Duration,
}

struct Command {
    work: Work,
    key: Option<IdempotencyKey>,
    reply: oneshot::Sender<Result<Answer, StoreError>>,
}

/// The handle callers use; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    inbox: mpsc::Sender<Vec<Command>>,
}

impl Writer {
    /// Starts the writer task on `connection`, which it owns from now on.
    pub fn start(connection: Conn, settings: Settings, changes: Arc<Notify>, catalog: Arc<CatalogCache>) -> Writer {
        let (inbox, commands) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run(connection, commands, settings, changes, catalog));
        Writer { inbox }
    }

    /// Performs `jobs` in one batch, each decided in order, and returns each one's answer.
    pub async fn submit(
        &self,
        jobs: Vec<(Work, Option<IdempotencyKey>)>,
    ) -> Result<Vec<Result<Answer, StoreError>>, StoreError> {
        let (commands, answers): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .map(|(work, key)| {
                let (reply, answer) = oneshot::channel();
                (Command { work, key, reply }, answer)
            })
            .unzip();
        self.inbox.send(commands).await.map_err(|_| StoreError::WriterStopped)?;
        let mut results = Vec::with_capacity(answers.len());
        for answer in answers {
            results.push(answer.await.map_err(|_| StoreError::WriterStopped)?);
        }
        Ok(results)
    }

    /// Performs one job.
    pub async fn perform(&self, work: Work, key: Option<IdempotencyKey>) -> Result<Answer, StoreError> {
        self.submit(vec![(work, key)]).await?.pop().ok_or(StoreError::WriterStopped)?
    }
}

async fn run(
    mut connection: Conn,
    mut inbox: mpsc::Receiver<Vec<Command>>,
    settings: Settings,
    changes: Arc<Notify>,
    catalog: Arc<CatalogCache>,
) {
    let mut batch: Vec<Command> = Vec::with_capacity(MAX_BATCH);
    let mut titles = Titles::default();
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
            match commit_batch(&mut connection, &settings, &mut titles, &batch, Utc::now()).await {
                Err(error) if tries < TRIES && settings.dialect.retryable(&error) => {
                    tracing::debug!(%error, tries, "write batch conflicted with another instance; running it again");
                    metrics::counter!("boxoffice_write_batch_retries_total").increment(1);
                    tries += 1;
                }
                result => break result,
            }
        };
        match result {
            Ok((answers, moved_stock)) => {
                if moved_stock {
                    // Before anyone is answered: a caller who reads after their write sees it.
                    catalog.invalidate();
                    changes.notify_one();
                }
                for (command, answer) in batch.drain(..).zip(answers) {
                    count(&command.work, &answer);
                    let _ = command.reply.send(answer);
                }
            }
            Err(error) => {
                tracing::error!(%error, commands = batch.len(), "write batch failed and was rolled back");
                for command in batch.drain(..) {
                    let _ = command.reply.send(Err(StoreError::BatchFailed(error.to_string())));
                }
            }
        }
    }
}

async fn commit_batch(
    connection: &mut Conn,
    settings: &Settings,
    titles: &mut Titles,
    batch: &[Command],
    now: DateTime<Utc>,
) -> Result<(Vec<Result<Answer, StoreError>>, bool), sqlx::Error> {
    let dialect = settings.dialect;
    let mut tx = connection.begin_with(dialect.begin_write()).await?;
    let mut moved_stock = sales::expire_holds(&mut tx, dialect, now).await? > 0;
    let mut answers = Vec::with_capacity(batch.len());
    let mut next = 0;
    while next < batch.len() {
        // A run of plain one-step bookings (the flash-sale case) is decided together in a few statements.
        let run = batch[next..].iter().take_while(|command| book_in_run(settings, command)).count();
        if run > 1 {
            let requests: Vec<&BookingRequest> = batch[next..next + run]
                .iter()
                .filter_map(|command| match &command.work {
                    Work::Book(request) => Some(request),
                    _ => None,
                })
                .collect();
            let outcomes =
                sales::book_run(&mut tx, dialect, settings.default_event_id, &settings.limits, &requests, now).await?;
            moved_stock |= outcomes.iter().any(Result::is_ok);
            answers.extend(outcomes.into_iter().map(|outcome| Ok(Answer::Booked(outcome))));
            next += run;
            continue;
        }
        let command = &batch[next];
        next += 1;
        if let Some(key) = &command.key {
            // A stored answer goes only to whoever may see it: a cancellation's (the order, its secret and
            // tickets) only to the holder of the order's secret, whatever key they send.
            if let Work::Cancel { code, secret } = &command.work {
                if !super::orders::secret_matches(&mut tx, code, secret).await? {
                    answers.push(Ok(Answer::Cancelled(Err(BookingError::OrderNotFound))));
                    continue;
                }
            }
            if let Some((fingerprint, stored)) = idempotency::recall(&mut tx, key).await? {
                answers.push(if fingerprint == key.fingerprint {
                    Ok(serde_json::from_str(&stored).map_err(|e| sqlx::Error::Decode(e.into()))?)
                } else {
                    Err(StoreError::IdempotencyKeyReused)
                });
                continue;
            }
        }
        let answer = apply(&mut tx, settings, titles, &command.work, now).await?;
        moved_stock |= answer.moved_stock();
        if let Some(key) = &command.key {
            let stored = serde_json::to_string(&answer).map_err(|e| sqlx::Error::Encode(e.into()))?;
            idempotency::remember(&mut tx, key, &stored, now.timestamp_millis()).await?;
        }
        answers.push(Ok(answer));
    }
    if moved_stock && dialect == Dialect::Postgres {
        // Delivered to every instance's listener when (and only if) this transaction commits.
        sqlx::query("SELECT pg_notify($1, '')").bind(super::notify::CHANNEL).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok((answers, moved_stock))
}

/// Whether `command` can join a run of bookings decided together: a one-step booking without an
/// idempotency key (whose recall and record are per request) on a tier without a per-buyer limit (which
/// counts the buyer's earlier orders, including those earlier in the run).
fn book_in_run(settings: &Settings, command: &Command) -> bool {
    match &command.work {
        Work::Book(request) => command.key.is_none() && settings.limits.buyer_limits.of(request.tier).is_none(),
        _ => false,
    }
}

async fn apply(
    tx: &mut Conn,
    settings: &Settings,
    titles: &mut Titles,
    work: &Work,
    now: DateTime<Utc>,
) -> Result<Answer, sqlx::Error> {
    let event_of = |request: &BookingRequest| request.concert_id.unwrap_or(settings.default_event_id);
    Ok(match work {
        Work::Book(request) => {
            Answer::Booked(sales::book(tx, settings.dialect, event_of(request), &settings.limits, request, now).await?)
        }
        Work::Hold(request) => {
            let expires_at = now + settings.hold_for;
            Answer::Held(
                sales::hold(
                    tx,
                    settings.dialect,
                    titles,
                    event_of(request),
                    &settings.limits,
                    request,
                    now,
                    expires_at,
                )
                .await?,
            )
        }
        Work::CreateConcert(concert) => Answer::ConcertCreated(super::catalog::insert_concert(tx, concert).await?),
        Work::Pay { hold_id, charge } => {
            Answer::Paid(sales::pay(tx, settings.dialect, titles, hold_id, charge, now).await?)
        }
        Work::Cancel { code, secret } => Answer::Cancelled(sales::cancel(tx, code, secret, now).await?),
        Work::Sweep => Answer::Swept { keys_forgotten: idempotency::forget_old(tx, now.timestamp_millis()).await? },
        Work::SetCapacity { event_id, tier, capacity } => {
            Answer::TierChanged(sales::set_capacity(tx, *event_id, *tier, *capacity).await?)
        }
        Work::SetOnSale { event_id, tier, on_sale } => {
            Answer::TierChanged(sales::set_on_sale(tx, *event_id, *tier, *on_sale).await?)
        }
    })
}

/// Counts a committed command's outcome for `/metrics`.
fn count(work: &Work, answer: &Result<Answer, StoreError>) {
    use crate::observability::count_sale;
    fn outcome<T>(result: &Result<T, BookingError>) -> &'static str {
        result.as_ref().map(|_| "ok").unwrap_or_else(BookingError::code)
    }
    let Ok(answer) = answer else { return };
    match (work, answer) {
        (Work::Book(request), Answer::Booked(result)) => count_sale("book", Some(request.tier), outcome(result)),
        (Work::Hold(request), Answer::Held(result)) => count_sale("hold", Some(request.tier), outcome(result)),
        (Work::Pay { .. }, Answer::Paid(result)) => {
            count_sale("pay", result.as_ref().ok().map(|order| order.tier), outcome(result))
        }
        (Work::Cancel { .. }, Answer::Cancelled(result)) => {
            count_sale("cancel", result.as_ref().ok().map(|order| order.tier), outcome(result))
        }
        _ => {}
    }
}
