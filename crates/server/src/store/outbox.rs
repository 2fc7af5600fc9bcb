//! The transactional outbox: the mails an order's buyer is owed, queued inside the writer's transaction
//! that placed or cancelled the order (`batch_persist.rs`), and the senders' claims and outcomes, each a
//! transaction of its own. On PostgreSQL several instances' senders claim with `SKIP LOCKED`, so a row is
//! taken by one of them at a time; a sender that dies holding one leaves it to be claimed again when its
//! lease runs out.

use super::{
    db::{millis, Conn, Dialect, Params},
    Store, StoreError,
};
use chrono::{DateTime, Duration, Utc};
use model::mail::{after_failure, AfterFailure, MailKind, MailStatus, SENDING_LEASE_SECONDS};
use sqlx::{Connection, FromRow};

/// Rows per multi-row insert (5 values a row), as for the batch's other inserts.
const ROWS_PER_STATEMENT: usize = 1_000;

/// A mail the batch owes: what it tells, of which order or hold, to whom.
pub(super) struct Owed<'a> {
    pub kind: MailKind,
    pub order: Option<&'a str>,
    pub hold: Option<&'a str>,
    pub recipient: String,
}

/// Queues `owed` in the writer's transaction: committed with the orders, or not at all.
pub(super) async fn queue_in(
    tx: &mut Conn,
    dialect: Dialect,
    now: DateTime<Utc>,
    owed: &[Owed<'_>],
) -> Result<(), sqlx::Error> {
    for chunk in owed.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO outbox (kind, order_id, hold_id, recipient, queued_at_ms, next_attempt_ms) VALUES {}",
            Params::new(dialect).rows(chunk.len(), 6)
        );
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for mail in chunk {
            insert = insert
                .bind(mail.kind.code())
                .bind(mail.order)
                .bind(mail.hold)
                .bind(mail.recipient.as_str())
                .bind(millis(now))
                .bind(millis(now));
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A row a sender has claimed.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub kind: MailKind,
    /// The order it tells of (a confirmation or a cancellation).
    pub order: Option<String>,
    /// The hold it tells of (a waiting-list offer).
    pub hold: Option<String>,
    pub recipient: String,
    /// Deliveries tried so far, this one included.
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct OutboxRow {
    id: i64,
    kind: String,
    order_id: Option<String>,
    hold_id: Option<String>,
    recipient: String,
    attempts: i64,
    queued_at_ms: i64,
}

/// One outbox row as the operator's page lists it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MailLine {
    pub id: i64,
    pub kind: MailKind,
    pub order_code: Option<String>,
    /// The hold of a waiting-list offer.
    pub hold_id: Option<String>,
    pub recipient: String,
    pub status: MailStatus,
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A buyer asks for the list of their orders at most this often: a form anyone can fill in must not make
/// the shop mail an address more than that.
pub const ORDERS_FOUND_EVERY_MINUTES: i64 = 10;

impl Store {
    /// Queues the mail listing every order of `email` (normalised, as orders keep it) — only if it has any
    /// and none was queued in the last [`ORDERS_FOUND_EVERY_MINUTES`], in one statement, so the asker learns
    /// nothing either way (the page answers the same). Returns whether a mail was queued.
    pub async fn ask_for_orders(&self, email: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let since = now - Duration::minutes(ORDERS_FOUND_EVERY_MINUTES);
        let queued = sqlx::query(
            "INSERT INTO outbox (kind, recipient, queued_at_ms, next_attempt_ms)
             SELECT 'orders_found', $1, $2, $2
             WHERE EXISTS (SELECT 1 FROM orders WHERE user_id = $1)
               AND NOT EXISTS (SELECT 1 FROM outbox WHERE recipient = $1 AND kind = 'orders_found' AND queued_at_ms > $3)",
        )
        .bind(email)
        .bind(millis(now))
        .bind(millis(since))
        .execute(self.pool())
        .await?;
        Ok(queued.rows_affected() == 1)
    }

    /// Claims up to `limit` of the oldest mails that are due (queued, retrying, or sending with their lease
    /// run out) until the lease runs out from `now`, in one transaction; none when nothing is due.
    pub async fn claim_mails(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<ClaimedMail>, StoreError> {
        let dialect = self.dialect();
        let mut conn = self.pool().acquire().await?;
        let mut tx = conn.begin_with(dialect.begin_write()).await?;
        let sql = format!(
            "SELECT id, kind, order_id, hold_id, recipient, attempts, queued_at_ms FROM outbox
             WHERE status IN ('queued', 'retrying', 'sending') AND next_attempt_ms <= $1
             ORDER BY next_attempt_ms, id LIMIT $2{}",
            dialect.skip_locked()
        );
        let rows: Vec<OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(millis(now))
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let lease = now + Duration::seconds(SENDING_LEASE_SECONDS);
        let mut params = Params::new(dialect);
        let lease_param = params.one();
        let sql = format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_ms = {lease_param}
             WHERE id IN ({})",
            params.list(rows.len())
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(millis(lease));
        for row in &rows {
            update = update.bind(row.id);
        }
        update.execute(&mut *tx).await?;
        tx.commit().await?;
        rows.into_iter()
            .map(|row| {
                let kind = MailKind::parse(&row.kind)
                    .ok_or_else(|| sqlx::Error::Protocol(format!("unexpected mail kind {} in the outbox", row.kind)))?;
                Ok(ClaimedMail {
                    id: row.id,
                    kind,
                    order: row.order_id,
                    hold: row.hold_id,
                    recipient: row.recipient,
                    attempts: u32::try_from(row.attempts + 1).unwrap_or(u32::MAX),
                    queued_at: at(row.queued_at_ms),
                })
            })
            .collect()
    }

    /// What became of claimed mails, in one transaction: each sent (`Ok`), or failed with the transport's
    /// words (which name no secret) and then tried again after the backoff, or given up once a day has gone
    /// by. Returns each mail's new state.
    pub async fn record_deliveries(
        &self,
        outcomes: &[(&ClaimedMail, Result<(), String>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<MailStatus>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let mut tx = conn.begin_with(self.dialect().begin_write()).await?;
        let mut states = Vec::with_capacity(outcomes.len());
        for (mail, outcome) in outcomes {
            let status = match outcome {
                Ok(()) => {
                    sqlx::query("UPDATE outbox SET status = 'sent', sent_at_ms = $1, last_error = NULL WHERE id = $2")
                        .bind(millis(now))
                        .bind(mail.id)
                        .execute(&mut *tx)
                        .await?;
                    MailStatus::Sent
                }
                Err(error) => {
                    let (status, next) = match after_failure(mail.attempts, mail.queued_at, now) {
                        AfterFailure::RetryAt(next) => (MailStatus::Retrying, next),
                        AfterFailure::GiveUp => (MailStatus::Failed, now),
                    };
                    let error: String = error.chars().take(500).collect();
                    sqlx::query("UPDATE outbox SET status = $1, next_attempt_ms = $2, last_error = $3 WHERE id = $4")
                        .bind(status.code())
                        .bind(millis(next))
                        .bind(error)
                        .bind(mail.id)
                        .execute(&mut *tx)
                        .await?;
                    status
                }
            };
            states.push(status);
        }
        tx.commit().await?;
        Ok(states)
    }

    /// How many mails are in each state, every state named.
    pub async fn mail_counts(&self) -> Result<Vec<(MailStatus, i64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(self.pool()).await?;
        Ok(MailStatus::ALL
            .into_iter()
            .map(|status| (status, rows.iter().find(|(code, _)| code == status.code()).map_or(0, |(_, n)| *n)))
            .collect())
    }

    /// The newest mails, newest first (at most `limit`).
    pub async fn recent_mails(&self, limit: i64) -> Result<Vec<MailLine>, StoreError> {
        #[derive(FromRow)]
        struct Line {
            id: i64,
            kind: String,
            order_id: Option<String>,
            hold_id: Option<String>,
            recipient: String,
            status: String,
            attempts: i64,
            queued_at_ms: i64,
            sent_at_ms: Option<i64>,
            last_error: Option<String>,
        }
        let rows: Vec<Line> = sqlx::query_as(
            "SELECT id, kind, order_id, hold_id, recipient, status, attempts, queued_at_ms, sent_at_ms, last_error
             FROM outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                let corrupt = |what: &str| {
                    StoreError::Database(sqlx::Error::Protocol(format!("unexpected {what} in the outbox")))
                };
                Ok(MailLine {
                    id: row.id,
                    kind: MailKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
                    order_code: row.order_id,
                    hold_id: row.hold_id,
                    recipient: row.recipient,
                    status: MailStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
                    attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
                    queued_at: at(row.queued_at_ms),
                    sent_at: row.sent_at_ms.map(at),
                    last_error: row.last_error,
                })
            })
            .collect()
    }

    /// The codes of the newest orders of `email` (at most `limit`), for the mail that lists them.
    pub async fn order_codes_of(&self, email: &str, limit: i64) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM orders WHERE user_id = $1 AND secret IS NOT NULL ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(email)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// The secret of order `code`, for the link in its mail (the mail is the buyer's; the secret never
    /// leaves the server otherwise).
    pub async fn order_secret(&self, code: &str) -> Result<String, StoreError> {
        sqlx::query_scalar("SELECT secret FROM orders WHERE id = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }
}
