//! Black-box tests of the server: the store on a temporary database file, and the real router on a random
//! port over HTTP. One binary (this file only lists modules) so the suite links once. `make test` runs it
//! twice: on SQLite files, then on a throwaway PostgreSQL server (see `helpers::POSTGRES_ENV`). Every test
//! runs on a multi-thread runtime, as the server does in production: on a single-thread one the test, the
//! server and (on PostgreSQL) the database connections' I/O would all share one thread.

mod api_admin;
mod api_admin_live;
mod api_bad_input;
mod api_bookings;
mod api_calendar;
mod api_catalog;
mod api_checkin;
mod api_checkout;
mod api_concert_edit;
mod api_door_list;
mod api_queue;
mod api_seating;
mod api_signed_tickets;
mod api_time_zones;
mod api_waitlist;
mod bounded_responses;
mod compression;
mod concerts;
mod connection_bounds;
mod crash_safety;
mod helpers;
mod live_events;
mod live_fan_out;
mod mail_outbox;
mod on_sale_time;
mod openapi;
mod operations;
mod oversized_bodies;
mod page;
mod race;
mod race_checkout;
mod scale_out;
mod scale_out_admission;
mod smtp_sink;
mod store_batches;
mod store_bookings;
mod store_catalog;
mod store_checkout;
mod store_engine;
mod store_queue;
mod store_queue_fairness;
