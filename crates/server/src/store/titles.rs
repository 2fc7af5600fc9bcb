//! A concert's row as the catalog reads it (the writer reads titles with each batch's tiers,
//! `batch_load.rs`).

use super::db::At;
use chrono::{DateTime, Utc};
use sqlx::FromRow;

#[derive(FromRow)]
pub(super) struct EventRow {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub starts_at: At,
    pub sales_open_at_ms: Option<i64>,
    /// 1 while the concert is listed on the shop.
    pub published: i64,
    pub time_zone: String,
}

impl EventRow {
    pub fn zone(&self) -> model::ZoneAt {
        model::ZoneAt::of(&self.time_zone, self.starts_at.0)
    }

    pub fn sales_open_at(&self) -> Option<DateTime<Utc>> {
        self.sales_open_at_ms.and_then(DateTime::from_timestamp_millis)
    }
}
