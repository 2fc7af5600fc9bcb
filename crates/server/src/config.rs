//! Configuration: one struct, filled once at start from flags and the environment.

use crate::store::SaleSettings;
use clap::Parser;
use model::{BuyerLimits, Capacities, MAX_TICKETS_PER_ORDER};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(name = "boxoffice", about = "Concert ticket booking: the page, the REST API and the store.")]
pub struct Config {
    /// Address to listen on (cargo-leptos' variable).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The database (sqlx's variable): `sqlite://path` (the file and its folder are created if absent) or
    /// `postgres://user:password@host/database` (several instances may share it). Its value is never shown
    /// by `--help`, since a PostgreSQL URL carries a password.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/boxoffice.db", hide_env_values = true)]
    pub database_url: String,

    /// Tickets per tier that a *new* database's default concert starts with.
    #[arg(long, env = "BOXOFFICE_CAPACITY", default_value = "vip=100,front_row=500,general=5000")]
    pub capacity: Capacities,

    /// A seating plan (a JSON file, pretix's format) the default concert is given at start if it has none:
    /// its VIP and Front Row become seats. `make run` uses the 2,000-seat hall of `fixtures/seating/`.
    #[arg(long, env = "BOXOFFICE_SEATING_PLAN")]
    pub seating_plan: Option<std::path::PathBuf>,

    /// How long a hold keeps its tickets for the buyer while they pay, in seconds.
    #[arg(long, env = "BOXOFFICE_HOLD_SECONDS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub hold_seconds: u64,

    /// How long a waiting-list offer keeps returned tickets for its buyer, in minutes.
    #[arg(long, env = "BOXOFFICE_WAITLIST_OFFER_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1_440))]
    pub offer_minutes: u64,

    /// The most tickets one order may have (at most 10).
    #[arg(long, env = "BOXOFFICE_MAX_PER_ORDER", default_value_t = MAX_TICKETS_PER_ORDER as u8,
          value_parser = clap::value_parser!(u8).range(1..=MAX_TICKETS_PER_ORDER as i64))]
    pub max_per_order: u8,

    /// The most tickets of a tier one buyer (email) may hold or own: `vip=4,general=none`.
    #[arg(long, env = "BOXOFFICE_BUYER_LIMITS", default_value = "vip=4")]
    pub buyer_limits: BuyerLimits,

    /// The most tickets a concert may have for the scanners to keep its whole list offline; a larger
    /// concert's scanners get only its cancelled tickets and check the others by their signed codes.
    #[arg(long, env = "BOXOFFICE_DOOR_LIST_LIMIT", default_value_t = 20_000)]
    pub door_list_limit: u64,

    /// Posts (holds, payments, bookings, form submissions) per second per client IP; 0 turns the limit off.
    #[arg(long, env = "BOXOFFICE_RATE_LIMIT", default_value_t = 10)]
    pub rate_limit: u32,

    /// The live feed's budget: frames per second to all open event streams together. The more pages are
    /// open, the less often each is updated (ten times a second at most, every five seconds at least).
    #[arg(long, env = "BOXOFFICE_LIVE_FRAMES_PER_SECOND", default_value_t = 5_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub live_frames_per_second: u32,

    /// The admin API's bearer token. Unset (the default), the admin area is off.
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// The key the waiting room's passes are signed with (at least 32 characters). Unset, one is made once
    /// and kept in the database, so every instance and every restart accepts the passes issued before.
    #[arg(long, env = "BOXOFFICE_QUEUE_SIGNING_KEY", hide_env_values = true)]
    pub queue_signing_key: Option<String>,

    /// Seconds a connection has to send a request's headers, from opening or from its previous response:
    /// what closes silent, trickling (slowloris) and idle keep-alive connections.
    #[arg(long, env = "BOXOFFICE_HEADER_TIMEOUT_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub header_timeout_seconds: u64,

    /// Most connections open at once (also kept below the open-files limit); past it, 503.
    #[arg(long, env = "BOXOFFICE_MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,

    /// Most connections open at once from one client address; past it, 503. A browser opens about six
    /// and a live page one more; many buyers may share an address (a venue's network, a carrier's NAT).
    #[arg(long, env = "BOXOFFICE_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 256)]
    pub max_connections_per_client: usize,

    /// `json` for one JSON object per log line; anything else is plain text.
    #[arg(long, env = "LOG_FORMAT", default_value = "text")]
    pub log_format: String,

    /// Where the buyers' mails go: `smtp://host:2525`, `smtp://host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host` (TLS). Unset, each mail is a `.eml` file in `BOXOFFICE_OUTBOX_DIR`.
    #[arg(long, env = "BOXOFFICE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The mails' sender.
    #[arg(long, env = "BOXOFFICE_MAIL_FROM", default_value = "Boxoffice <tickets@boxoffice.localhost>")]
    pub mail_from: String,

    /// The folder of the mails written as files (no SMTP server configured).
    #[arg(long, env = "BOXOFFICE_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: std::path::PathBuf,

    /// The shop's address as buyers reach it, for the links in the mails; unset, `http://` and the address
    /// the server listens on.
    #[arg(long, env = "BOXOFFICE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl Config {
    /// How the buyers' mails are sent, or why they cannot be.
    pub fn mail(&self) -> Result<crate::mail::MailSettings, String> {
        let transport = crate::mail::Transport::new(self.smtp_url.as_deref(), self.outbox_dir.clone())?;
        let public_url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.addr));
        crate::mail::MailSettings::new(transport, &self.mail_from, &public_url)
    }

    /// The connection bounds, the total kept within `descriptors` (what the open-files limit leaves).
    pub fn connection_limits(&self, descriptors: u64) -> crate::connections::Limits {
        crate::connections::Limits {
            header_timeout: Duration::from_secs(self.header_timeout_seconds),
            max_connections: self.max_connections.min(usize::try_from(descriptors).unwrap_or(usize::MAX)).max(1),
            max_per_client: self.max_connections_per_client.max(1),
        }
    }

    pub fn sale(&self) -> SaleSettings {
        SaleSettings {
            hold_for: Duration::from_secs(self.hold_seconds),
            offer_for: Duration::from_secs(self.offer_minutes.saturating_mul(60)),
            max_per_order: u32::from(self.max_per_order),
            buyer_limits: self.buyer_limits,
            door_list_limit: self.door_list_limit,
        }
    }
}
