//! The buyers' mails: composed from the order as it is when the mail goes out (`compose.rs`), delivered
//! from the outbox by a sender task (`sender.rs`) over SMTP, or written as `.eml` files when no SMTP
//! server is configured (`make run`'s default: open one with any mail program).

mod compose;
mod sender;
mod ticket_pdf;

pub use compose::{compose, message_id};
pub use sender::{deliver_due, start};

use lettre::{message::Mailbox, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::{path::PathBuf, time::Duration};

/// How long one SMTP conversation may take before it counts as failed (and is tried again later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Where mails go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file a mail in this folder.
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    /// SMTP at `url` (`smtp://host:2525`, `smtp://host?tls=required` for STARTTLS, `smtps://user:pass@host`
    /// for TLS; credentials come with the URL, from the environment), or files under `dir` without one.
    pub fn new(url: Option<&str>, dir: PathBuf) -> Result<Transport, String> {
        match url.filter(|url| !url.trim().is_empty()) {
            // The URL may hold a password: the error names the problem, never the URL.
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Transport::Smtp(builder.timeout(Some(SMTP_TIMEOUT)).build()))
                .map_err(|error| format!("BOXOFFICE_SMTP_URL is not an SMTP address: {error}")),
            None => {
                std::fs::create_dir_all(&dir)
                    .map_err(|error| format!("cannot create the outbox folder {}: {error}", dir.display()))?;
                Ok(Transport::Files(AsyncFileTransport::new(&dir), dir))
            }
        }
    }

    /// Hands `message` over; the error is the transport's words.
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|error| error.to_string()),
            Transport::Files(files, _) => files.send(message).await.map(drop).map_err(|error| error.to_string()),
        }
    }

    /// What the log may say of it (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Files(_, dir) => format!(".eml files in {}", dir.display()),
        }
    }
}

/// What every mail needs besides its order.
#[derive(Clone)]
pub struct MailSettings {
    pub transport: Transport,
    /// The sender (`BOXOFFICE_MAIL_FROM`); its domain also names the Message-IDs.
    pub from: Mailbox,
    /// Where buyers reach the shop (`BOXOFFICE_PUBLIC_URL`), for the links in the mails.
    pub public_url: String,
}

impl MailSettings {
    pub fn new(transport: Transport, from: &str, public_url: &str) -> Result<MailSettings, String> {
        let from =
            from.parse::<Mailbox>().map_err(|error| format!("BOXOFFICE_MAIL_FROM is not an address: {error}"))?;
        Ok(MailSettings { transport, from, public_url: public_url.trim_end_matches('/').to_owned() })
    }
}
