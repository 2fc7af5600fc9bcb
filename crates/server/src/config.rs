//! Configuration: one struct, filled once at start from flags and the environment.

use clap::Parser;
use model::Capacities;
use std::net::SocketAddr;

#[derive(Debug, Clone, Parser)]
#[command(name = "boxoffice", about = "Concert ticket booking: the page, the REST API and the store.")]
pub struct Config {
    /// Address to listen on (cargo-leptos' variable).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The database (sqlx's variable). The file and its folder are created if absent.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/boxoffice.db")]
    pub database_url: String,

    /// Tickets per tier that a *new* database's default concert starts with.
    #[arg(long, env = "BOXOFFICE_CAPACITY", default_value = "vip=100,front_row=500,general=5000")]
    pub capacity: Capacities,
}
