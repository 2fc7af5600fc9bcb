//! Group commit: one task owns the only writing connection and commits bookings in batches.
//!
//! SQLite has one writer at a time and `synchronous=FULL` costs an fsync per commit, so one booking per
//! transaction caps throughput at the disk's fsync rate. Instead every booking is sent here; the writer
//! takes the first waiting request plus all others already queued (up to [`MAX_BATCH`]), decides each in
//! arrival order inside one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each caller
//! (booked, sold out, not on sale). If any statement or the commit fails, the transaction rolls back and
//! every caller in that batch gets an error: nothing is half-written, and the next batch starts afresh.
//! The conditional update still guards each booking, so correctness never rests on the batching.

use super::{order_code::new_order_code, StoreError};
use chrono::Utc;
use model::{Booking, BookingError, BookingRequest, Cents};
use sqlx::{Connection, SqliteConnection};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most commands in one transaction: bounds the latency a batch adds and the work lost to a failure.
pub const MAX_BATCH: usize = 256;
/// Requests waiting for the writer beyond this make callers wait to enqueue (back-pressure).
const QUEUE_DEPTH: usize = 16 * 1024;

/// Each request's own answer, decided inside a batch that committed.
pub type Outcome = Result<Booking, BookingError>;

struct Command {
    requests: Vec<BookingRequest>,
    reply: oneshot::Sender<Result<Vec<Outcome>, StoreError>>,
}

/// The handle callers use; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    inbox: mpsc::Sender<Command>,
}

impl Writer {
    /// Starts the writer task on `connection`, which it owns from now on.
    pub fn start(connection: SqliteConnection, event_id: i64, changes: Arc<Notify>) -> Writer {
        let (inbox, commands) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run(connection, commands, event_id, changes));
        Writer { inbox }
    }

    /// Books `requests` together (they share one batch) and returns each one's outcome in order.
    pub async fn book(&self, requests: Vec<BookingRequest>) -> Result<Vec<Outcome>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.inbox.send(Command { requests, reply }).await.map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

async fn run(
    mut connection: SqliteConnection,
    mut commands: mpsc::Receiver<Command>,
    event_id: i64,
    changes: Arc<Notify>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = commands.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match commands.try_recv() {
                Ok(command) => batch.push(command),
                Err(_) => break,
            }
        }
        let requests: Vec<&BookingRequest> = batch.iter().flat_map(|command| &command.requests).collect();
        tracing::trace!(size = requests.len(), "write batch");
        match commit_batch(&mut connection, event_id, &requests).await {
            Ok(outcomes) => {
                if outcomes.iter().any(Result::is_ok) {
                    changes.notify_one();
                }
                let mut outcomes = outcomes.into_iter();
                for command in batch.drain(..) {
                    let mine = outcomes.by_ref().take(command.requests.len()).collect();
                    let _ = command.reply.send(Ok(mine));
                }
            }
            Err(error) => {
                tracing::error!(%error, requests = requests.len(), "write batch failed and was rolled back");
                for command in batch.drain(..) {
                    let _ = command.reply.send(Err(StoreError::BatchFailed(error.to_string())));
                }
            }
        }
    }
}

async fn commit_batch(
    connection: &mut SqliteConnection,
    event_id: i64,
    requests: &[&BookingRequest],
) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = connection.begin_with("BEGIN IMMEDIATE").await?;
    let mut outcomes = Vec::with_capacity(requests.len());
    for request in requests {
        outcomes.push(book_one(&mut tx, event_id, request).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One booking inside the batch's transaction: the conditional update, then the booking row.
async fn book_one(tx: &mut SqliteConnection, event_id: i64, request: &BookingRequest) -> Result<Outcome, sqlx::Error> {
    let quantity = i64::from(request.quantity.get());
    let price: Option<i64> = sqlx::query_scalar(
        "UPDATE tiers SET sold = sold + ?1
         WHERE event_id = ?2 AND tier = ?3 AND capacity - sold >= ?1
         RETURNING price_cents",
    )
    .bind(quantity)
    .bind(event_id)
    .bind(request.tier.code())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(unit_price_cents) = price else {
        let available: Option<i64> =
            sqlx::query_scalar("SELECT capacity - sold FROM tiers WHERE event_id = ? AND tier = ?")
                .bind(event_id)
                .bind(request.tier.code())
                .fetch_optional(&mut *tx)
                .await?;
        return Ok(Err(match available {
            Some(n) => BookingError::SoldOut { available: u32::try_from(n).unwrap_or(0) },
            None => BookingError::NotOnSale,
        }));
    };
    let booking = Booking {
        id: new_order_code(),
        user_id: request.user_id.as_str().to_owned(),
        tier: request.tier,
        quantity: request.quantity.get(),
        unit_price_cents: Cents(unit_price_cents),
        total_cents: Cents(unit_price_cents).times(request.quantity.get()),
        created_at: Utc::now(),
    };
    sqlx::query(
        "INSERT INTO bookings
           (id, event_id, tier, user_id, buyer_name, quantity, unit_price_cents, total_cents, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&booking.id)
    .bind(event_id)
    .bind(booking.tier.code())
    .bind(&booking.user_id)
    .bind(request.buyer_name.as_ref().map(|name| name.as_str()))
    .bind(quantity)
    .bind(booking.unit_price_cents.0)
    .bind(booking.total_cents.0)
    .bind(booking.created_at)
    .execute(&mut *tx)
    .await?;
    Ok(Ok(booking))
}
