//! The sender task: claims due mails from the outbox one at a time, composes and delivers each, and marks
//! it sent, or failed with the backoff's next try. A crash anywhere loses nothing: an unsent row stays due,
//! a claimed one comes due again when its lease runs out.

use super::{compose, MailSettings};
use crate::store::{outbox::ClaimedMail, Store, StoreError};
use chrono::Utc;
use model::mail::MailStatus;
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
                tracing::warn!(mail = mail.id, order = %mail.order, attempts = mail.attempts,
                    given_up = status == MailStatus::Failed, %error, "a mail could not be delivered");
            }
        }
    }
}

async fn send(store: &Store, settings: &MailSettings, mail: &ClaimedMail) -> Result<(), String> {
    let order = async {
        let secret = store.order_secret(&mail.order).await?;
        store.order(&mail.order, &secret).await
    }
    .await
    .map_err(|error| format!("the order could not be read: {error}"))?;
    // The mail draws its own QR codes (PNG, and in the PDF), from the signed codes.
    let order = crate::qr::with_signed_codes(order, store.ticket_signer());
    settings.transport.send(compose(mail, &order, settings)?).await
}
