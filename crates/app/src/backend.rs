//! The interface server functions call, implemented by the server crate's store and provided through
//! leptos context. It keeps SQL out of this crate and the rules out of the server functions.
//!
//! `submission` is the page's idempotency key for one form submission (see `submission.rs`): the same
//! submission sent twice (a double click, a retried call) is answered once, with the same result.

use crate::AppError;
use model::{
    BookingRequest, Concert, ConcertChange, ConcertSales, Hold, NewConcert, Order, PaymentCard, QueuePlace, Tier,
};
use std::sync::Arc;

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// A concert (`None`: the default one) with every tier's live availability.
    async fn concert(&self, id: Option<i64>) -> Result<Concert, AppError>;
    /// Every concert on sale, the default one first.
    async fn concerts(&self) -> Result<Vec<Concert>, AppError>;
    /// The concert's seat map with each seat's state; `None` without a seating plan.
    async fn seat_map(&self, concert: i64) -> Result<Option<model::SeatMap>, AppError>;
    /// Holds tickets for the buyer while they pay (with the waiting room's pass the request's cookies carry).
    async fn place_hold(&self, request: BookingRequest, submission: Option<String>) -> Result<Hold, AppError>;
    /// A hold by its id, its status as of now.
    async fn hold(&self, id: &str) -> Result<Hold, AppError>;
    /// Pays a hold with a card (simulated processor); the hold becomes an order.
    async fn pay(&self, hold_id: &str, card: PaymentCard, submission: Option<String>) -> Result<Order, AppError>;
    /// Gives a running hold back: its tickets go back on sale at once.
    async fn release(&self, hold_id: &str, submission: Option<String>) -> Result<Hold, AppError>;
    /// An order by code and secret, with a QR code per ticket.
    async fn order(&self, code: &str, secret: &str) -> Result<Order, AppError>;
    /// Cancels (and refunds) a paid order.
    async fn cancel(&self, code: &str, secret: &str, submission: Option<String>) -> Result<Order, AppError>;
    /// Finds an order by its code and the buyer's email.
    async fn find_order(&self, code: &str, email: &str) -> Result<Order, AppError>;
    /// Puts the buyer on the waiting list of a tier that cannot serve them now.
    async fn join_waitlist(
        &self,
        request: BookingRequest,
        submission: Option<String>,
    ) -> Result<model::sale::Waiting, AppError>;
    /// Mails the address the links of its orders, if it has any (the caller learns nothing either way).
    async fn ask_for_orders(&self, email: &str) -> Result<(), AppError>;
    /// Joins the concert's waiting room as the visitor the request's cookie names (or a new one, whose
    /// cookie the answer sets).
    async fn join_queue(&self, concert: i64) -> Result<QueuePlace, AppError>;
    /// Where the request's visitor stands in the concert's queue (`None`: not in it); once admitted the
    /// answer sets the pass's cookie.
    async fn queue_place(&self, concert: i64) -> Result<Option<QueuePlace>, AppError>;
}

/// How the backend travels through leptos context.
pub type SharedBackend = Arc<dyn Backend>;

/// The operator's calls. Each one checks the admin token first and answers [`AppError::AdminDenied`] to a
/// wrong one; `concert` is a concert id.
#[async_trait::async_trait]
pub trait Admin: Send + Sync + 'static {
    /// Every concert with its per-tier figures and newest orders.
    async fn overview(&self, token: &str) -> Result<Vec<ConcertSales>, AppError>;
    async fn create_concert(&self, token: &str, concert: NewConcert) -> Result<Concert, AppError>;
    async fn change_concert(&self, token: &str, change: ConcertChange) -> Result<Concert, AppError>;
    async fn set_capacity(&self, token: &str, concert: i64, tier: Tier, capacity: u32) -> Result<(), AppError>;
    async fn set_on_sale(&self, token: &str, concert: i64, tier: Tier, on_sale: bool) -> Result<(), AppError>;
    /// The concert's orders as CSV.
    async fn orders_csv(&self, token: &str, concert: i64) -> Result<String, AppError>;
    /// The concert's on-sale as it runs, for the live charts.
    async fn live_sales(&self, token: &str, concert: i64) -> Result<model::LiveSales, AppError>;
    /// Gives the concert the seating plan `plan` (its JSON); its seats per tier.
    async fn set_seating(&self, token: &str, concert: i64, plan: &str) -> Result<Vec<(Tier, u32)>, AppError>;
    /// Blocks a free seat or frees a blocked one.
    async fn set_seat_blocked(&self, token: &str, concert: i64, seat: String, blocked: bool) -> Result<(), AppError>;
    /// New settings for the concert's running waiting room.
    async fn set_waiting_room(
        &self,
        token: &str,
        concert: i64,
        room: model::WaitingRoom,
    ) -> Result<model::WaitingRoom, AppError>;
}

pub type SharedAdmin = Arc<dyn Admin>;

/// The admin calls the server provided for this request.
pub fn admin() -> Result<SharedAdmin, AppError> {
    leptos::prelude::use_context::<SharedAdmin>().ok_or_else(|| {
        leptos::logging::error!("admin server function called without an Admin in context");
        AppError::Unavailable
    })
}

/// The backend the server provided for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    leptos::prelude::use_context::<SharedBackend>().ok_or_else(|| {
        leptos::logging::error!("server function called without a Backend in context");
        AppError::Unavailable
    })
}
