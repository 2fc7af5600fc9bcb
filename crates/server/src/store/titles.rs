//! What the writer knows of each concert a sale names: its title (carried by every hold and order) and
//! when its sales open.

use super::db::{At, Conn};
use chrono::{DateTime, Utc};
use model::ConcertTitle;
use sqlx::FromRow;
use std::collections::HashMap;

#[derive(FromRow)]
pub(super) struct EventRow {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub starts_at: At,
    pub sales_open_at_ms: Option<i64>,
    /// 1 while the concert is listed on the shop.
    #[sqlx(default)]
    pub published: i64,
}

impl EventRow {
    pub fn sales_open_at(&self) -> Option<DateTime<Utc>> {
        self.sales_open_at_ms.and_then(DateTime::from_timestamp_millis)
    }
}

/// Concerts as the writer has read them in this batch, for the holds and orders that carry their title and
/// for when their sales open. Read again in every batch (`forget`): the operator may edit a concert's name,
/// venue and start, through this instance or another.
#[derive(Debug, Default)]
pub(super) struct Titles(HashMap<i64, (ConcertTitle, Option<DateTime<Utc>>)>);

impl Titles {
    /// Forgets every concert read: a new batch reads them afresh.
    pub fn forget(&mut self) {
        self.0.clear();
    }

    /// The concert's title, and when its sales open if at a set time.
    pub async fn get(&mut self, tx: &mut Conn, id: i64) -> Result<(ConcertTitle, Option<DateTime<Utc>>), sqlx::Error> {
        if let Some(known) = self.0.get(&id) {
            return Ok(known.clone());
        }
        let known = title_in(tx, id)
            .await?
            .ok_or_else(|| sqlx::Error::Protocol(format!("concert {id} vanished inside a transaction")))?;
        self.0.insert(id, known.clone());
        Ok(known)
    }
}

/// The title of concert `id` and when its sales open; `None` if there is no such concert.
pub(super) async fn title_in(
    tx: &mut Conn,
    id: i64,
) -> Result<Option<(ConcertTitle, Option<DateTime<Utc>>)>, sqlx::Error> {
    let event: Option<EventRow> =
        sqlx::query_as("SELECT id, name, venue, starts_at, sales_open_at_ms FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(event.map(|e| {
        let opens = e.sales_open_at();
        (ConcertTitle { id: e.id, name: e.name, venue: e.venue, starts_at: e.starts_at.0 }, opens)
    }))
}
