//! The operator's live view of an on-sale: the tiers and the queue now, and the last half hour minute
//! by minute (sales, joins, admissions), each figure one grouped query.

use super::{db::Conn, queue::admitted_through_at, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use model::{LiveSales, QueueFigures, SaleMinute, LIVE_MINUTES};
use std::collections::BTreeMap;

/// The start of the minute that `ms` (milliseconds since the epoch) falls in.
fn minute_of_ms(ms: i64) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::from_timestamp_millis(ms.div_euclid(60_000) * 60_000)
        .ok_or_else(|| sqlx::Error::Protocol(format!("{ms} is not a time")))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store {
    pub async fn live_sales(&self, concert: i64, now: DateTime<Utc>) -> Result<LiveSales, StoreError> {
        self.concert_by_id(concert).await?;
        let tiers = self.sales(concert).await?;
        let since = now - Duration::minutes(LIVE_MINUTES as i64);
        let mut conn = self.pool().acquire().await?;
        let mut minutes: BTreeMap<DateTime<Utc>, SaleMinute> = BTreeMap::new();

        // Orders by the minute of their creation: `created_at` is RFC 3339 text, its first 16 characters
        // the minute (the same text on both databases).
        let since_text = since.format("%Y-%m-%dT%H:%M").to_string();
        let sold: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT substr(created_at, 1, 16), COUNT(*), CAST(COALESCE(SUM(quantity), 0) AS BIGINT)
             FROM orders WHERE event_id = $1 AND created_at >= $2 GROUP BY 1",
        )
        .bind(concert)
        .bind(&since_text)
        .fetch_all(&mut *conn)
        .await?;
        for (minute, orders, tickets) in sold {
            let at = NaiveDateTime::parse_from_str(&minute, "%Y-%m-%dT%H:%M")
                .map_err(|_| sqlx::Error::Protocol(format!("an order's time `{minute}` is not RFC 3339")))?
                .and_utc();
            let entry = minutes.entry(at).or_insert(SaleMinute { at, ..SaleMinute::default() });
            (entry.orders, entry.tickets_sold) = (count(orders), count(tickets));
        }

        let queue = self.queue_figures(&mut conn, concert, now).await?;
        if queue.is_some() {
            let since_ms = since.timestamp_millis();
            let joined: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT joined_at_ms / 60000, COUNT(*) FROM queue_visitors
                 WHERE event_id = $1 AND joined_at_ms >= $2 GROUP BY 1",
            )
            .bind(concert)
            .bind(since_ms)
            .fetch_all(&mut *conn)
            .await?;
            for (minute, n) in joined {
                let at = minute_of_ms(minute * 60_000)?;
                minutes.entry(at).or_insert(SaleMinute { at, ..SaleMinute::default() }).joined = count(n);
            }
            // Admitted in a minute: how far admission got by its end, less how far it had got before.
            let reached: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT at_ms / 60000, MAX(through) FROM queue_admissions
                 WHERE event_id = $1 AND at_ms >= $2 GROUP BY 1 ORDER BY 1",
            )
            .bind(concert)
            .bind(since_ms)
            .fetch_all(&mut *conn)
            .await?;
            let mut before = admitted_through_at(&mut conn, concert, since - Duration::milliseconds(1)).await? as i64;
            for (minute, through) in reached {
                let at = minute_of_ms(minute * 60_000)?;
                minutes.entry(at).or_insert(SaleMinute { at, ..SaleMinute::default() }).admitted =
                    count(through - before);
                before = through;
            }
        }

        let expiring: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM holds
             WHERE event_id = $1 AND status = 'held' AND expires_at_ms > $2 AND expires_at_ms <= $3",
        )
        .bind(concert)
        .bind(now.timestamp_millis())
        .bind((now + Duration::minutes(2)).timestamp_millis())
        .fetch_one(&mut *conn)
        .await?;
        Ok(LiveSales {
            at: now,
            tiers,
            queue,
            expiring_soon: count(expiring),
            minutes: LiveSales::minutes_until(now, &minutes),
        })
    }

    async fn queue_figures(
        &self,
        conn: &mut Conn,
        concert: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<QueueFigures>, StoreError> {
        let Some(room) = self.waiting_room(concert).await? else { return Ok(None) };
        let (joined, admitted_through): (i64, i64) =
            sqlx::query_as("SELECT joined, admitted_through FROM waiting_rooms WHERE event_id = $1")
                .bind(concert)
                .fetch_one(&mut *conn)
                .await?;
        let window_ago = admitted_through_at(conn, concert, now - room.window()).await?;
        let (joined, admitted_through) = (joined.max(0) as u64, admitted_through.max(0) as u64);
        Ok(Some(QueueFigures {
            room,
            joined,
            admitted_through,
            buying: admitted_through.saturating_sub(window_ago),
            waiting: joined.saturating_sub(admitted_through),
        }))
    }
}
