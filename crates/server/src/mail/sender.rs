//! The sender task: claims due mails from the outbox one at a time, composes and delivers each, and marks
//! it sent, or failed with the backoff's next try. A crash anywhere loses nothing: an unsent row stays due,
//! a claimed one comes due again when its lease runs out.

use super::{compose, compose::About, MailSettings};
use crate::store::{outbox::ClaimedMail, Store, StoreError};
use chrono::Utc;
use model::mail::{MailKind, MailStatus};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How often the outbox is asked for due mails while there are none.
pub const POLL_EVERY: Duration = Duration::from_millis(500);
/// Mails claimed in one transaction (and recorded in one): the outbox's writes stay few under an on-sale.
const CLAIM_AT_ONCE: u32 = 32;
/// How often the outbox's figures are read for `/metrics`.
const FIGURES_EVERY: Duration = Duration::from_secs(10);

pub fn start(store: Store, settings: MailSettings) -> JoinHandle<()> {
    tracing::info!(transport = %settings.transport.describe(), "sending mails");
    tokio::spawn(async move {
        let mut figures_read = Instant::now() - FIGURES_EVERY;
        loop {
            if let Err(error) = deliver_due(&store, &settings, Utc::now).await {
                tracing::warn!(%error, "the mail sender could not read the outbox; retrying");
            }
            if figures_read.elapsed() >= FIGURES_EVERY {
                figures_read = Instant::now();
                if let Ok(counts) = store.mail_counts().await {
                    for (status, count) in counts {
                        metrics::gauge!("boxoffice_outbox_mails", "status" => status.code()).set(count as f64);
                    }
                }
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    })
}

/// Delivers every mail due by `clock`, one at a time; returns how many were tried. (The clock is the
/// tests' to move: a retry comes due without waiting out its backoff.)
pub async fn deliver_due(
    store: &Store,
    settings: &MailSettings,
    clock: impl Fn() -> chrono::DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut tried = 0;
    loop {
        let claimed = store.claim_mails(clock(), CLAIM_AT_ONCE).await?;
        if claimed.is_empty() {
            return Ok(tried);
        }
        tried += claimed.len();
        let mut outcomes = Vec::with_capacity(claimed.len());
        for mail in &claimed {
            outcomes.push((mail, send(store, settings, mail).await));
        }
        // Recorded together: a sender killed before this leaves the mails claimed, and they go out again
        // (with the same Message-IDs) once the lease runs out.
        let states = store.record_deliveries(&outcomes, clock()).await?;
        for ((mail, outcome), status) in outcomes.iter().zip(states) {
            metrics::counter!("boxoffice_mails_total", "outcome" => status.code()).increment(1);
            if let Err(error) = outcome {
                // The mail's id and order, not its address: the log is not the place for buyers' details.
                tracing::warn!(mail = mail.id, kind = mail.kind.code(), order = mail.order.as_deref(),
                    hold = mail.hold.as_deref(), attempts = mail.attempts,
                    given_up = status == MailStatus::Failed, %error, "a mail could not be delivered");
            }
        }
    }
}

async fn send(store: &Store, settings: &MailSettings, mail: &ClaimedMail) -> Result<(), String> {
    let about =
        read_about(store, mail).await.map_err(|error| format!("what the mail tells of could not be read: {error}"))?;
    settings.transport.send(compose(mail, &about, settings)?).await
}

/// The records the mail tells of, as they are now.
async fn read_about(store: &Store, mail: &ClaimedMail) -> Result<About, StoreError> {
    let order = |code: String| async move {
        let secret = store.order_secret(&code).await?;
        // The mail draws its own QR codes (PNG, and in the PDF), from the signed codes.
        Ok::<_, StoreError>(crate::qr::with_signed_codes(store.order(&code, &secret).await?, store.ticket_signer()))
    };
    match (mail.kind, &mail.order, &mail.hold) {
        (MailKind::OrderConfirmed | MailKind::OrderCancelled, Some(code), _) => {
            Ok(About::Order(order(code.clone()).await?))
        }
        (MailKind::WaitlistOffer, _, Some(hold)) => Ok(About::Offer(store.hold(hold).await?)),
        (MailKind::OrdersFound, _, _) => {
            let mut orders = Vec::new();
            for code in store.order_codes_of(&mail.recipient, ORDERS_IN_ONE_MAIL).await? {
                orders.push(order(code).await?);
            }
            Ok(About::Orders(orders))
        }
        _ => Err(StoreError::NotFound),
    }
}

/// The most orders one "find my orders" mail lists (the newest).
const ORDERS_IN_ONE_MAIL: i64 = 50;
