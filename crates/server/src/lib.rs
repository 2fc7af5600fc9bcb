//! The boxoffice server as a library, so integration tests can start the real router on a random port.
//!
//! `config` is the command line and environment, `store` every SQL statement, `api` the REST handlers,
//! `payments` the card processor's simulator, `sweeper` the job that expires holds,
//! `page_backend` the bridge that lets the page's server functions reach the store, and `live` the availability
//! feed of open pages, and `router` puts the page, the API and the middleware together.

pub mod admission;
pub mod api;
pub mod body_limit;
pub mod calendar;
pub mod config;
pub mod connections;
pub mod hardening;
pub mod live;
pub mod mail;
pub mod observability;
mod page_admin;
mod page_backend;
pub mod payments;
pub mod qr;
pub mod queue_pass;
pub mod response_deadline;
pub mod router;
pub mod seating_seed;
pub mod static_files;
pub mod store;
pub mod sweeper;

pub use config::Config;
pub use router::{build_router, AppState, Parts};
pub use store::{Store, StoreError};
