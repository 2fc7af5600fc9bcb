//! The admin page's calls ([`app::backend::Admin`]): the admin API's operations behind the same token check.

use crate::{
    api::admin::{AdminToken, Denied},
    page_backend::to_page_error,
    store::{orders_csv, Store},
};
use app::{backend::Admin, AppError};
use model::{Concert, ConcertChange, ConcertSales, NewConcert, Tier};

/// How many of a concert's newest orders the page lists.
const RECENT_ORDERS: u32 = 10;

pub struct PageAdmin {
    pub store: Store,
    pub token: AdminToken,
}

impl PageAdmin {
    fn check(&self, token: &str) -> Result<(), AppError> {
        self.token.check(token).map_err(|denied| {
            AppError::AdminDenied(
                match denied {
                    Denied::Off => "the admin area is off: the server has no BOXOFFICE_ADMIN_TOKEN",
                    Denied::Wrong => "that is not the admin token",
                }
                .to_owned(),
            )
        })
    }
}

#[async_trait::async_trait]
impl Admin for PageAdmin {
    async fn overview(&self, token: &str) -> Result<Vec<ConcertSales>, AppError> {
        self.check(token)?;
        let mut overview = Vec::new();
        for concert in self.store.upcoming().await.map_err(to_page_error)? {
            overview.push(ConcertSales {
                tiers: self.store.sales(concert.id).await.map_err(to_page_error)?,
                recent_orders: self.store.order_lines(concert.id, Some(RECENT_ORDERS)).await.map_err(to_page_error)?,
                waiting_room: concert.waiting_room,
                published: concert.published,
                concert: concert.title(),
            });
        }
        Ok(overview)
    }

    async fn create_concert(&self, token: &str, concert: NewConcert) -> Result<Concert, AppError> {
        self.check(token)?;
        self.store.create_concert(concert).await.map_err(to_page_error)
    }

    async fn change_concert(&self, token: &str, change: ConcertChange) -> Result<Concert, AppError> {
        self.check(token)?;
        self.store.change_concert(change).await.map_err(to_page_error)
    }

    async fn set_capacity(&self, token: &str, concert: i64, tier: Tier, capacity: u32) -> Result<(), AppError> {
        self.check(token)?;
        self.store.set_capacity(concert, tier, capacity).await.map_err(to_page_error)
    }

    async fn set_on_sale(&self, token: &str, concert: i64, tier: Tier, on_sale: bool) -> Result<(), AppError> {
        self.check(token)?;
        self.store.set_on_sale(concert, tier, on_sale).await.map_err(to_page_error)
    }

    async fn orders_csv(&self, token: &str, concert: i64) -> Result<String, AppError> {
        self.check(token)?;
        let lines = self.store.order_lines(concert, None).await.map_err(to_page_error)?;
        orders_csv(&lines).map_err(|error| {
            tracing::error!(%error, "could not write the orders CSV");
            AppError::Unavailable
        })
    }

    async fn live_sales(&self, token: &str, concert: i64) -> Result<model::LiveSales, AppError> {
        self.check(token)?;
        self.store.live_sales(concert, chrono::Utc::now()).await.map_err(to_page_error)
    }

    async fn set_seating(&self, token: &str, concert: i64, plan: &str) -> Result<Vec<(Tier, u32)>, AppError> {
        self.check(token)?;
        let plan: model::SeatingPlan = serde_json::from_str(plan)
            .map_err(|error| AppError::Booking(model::BookingError::InvalidSeatingPlan(error.to_string())))?;
        let per_tier = self.store.set_seating_plan(concert, &plan).await.map_err(to_page_error)?;
        Ok(per_tier.into_iter().collect())
    }

    async fn set_seat_blocked(&self, token: &str, concert: i64, seat: String, blocked: bool) -> Result<(), AppError> {
        self.check(token)?;
        self.store.set_seat_blocked(concert, seat, blocked).await.map_err(to_page_error)
    }

    async fn set_waiting_room(
        &self,
        token: &str,
        concert: i64,
        room: model::WaitingRoom,
    ) -> Result<model::WaitingRoom, AppError> {
        self.check(token)?;
        self.store.set_waiting_room(concert, room).await.map_err(to_page_error)
    }
}
