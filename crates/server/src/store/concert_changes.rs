//! The operator's changes to a concert already on the shop, inside the writer's transaction: an edit of
//! its name, venue, start and untaken tiers' prices, or taking it off the shop and putting it back. The
//! rules are the model's (`concert_edit.rs`), decided on the concert as this transaction reads it, after
//! the batch's own sales are written, with its tier rows locked on PostgreSQL so no other instance's sale
//! slips in between.

use super::db::{At, Conn, Dialect};
use model::{check_unpublish, BookingError, Cents, ConcertChange, ConcertEdit, StoredConcert, Tier, TierTaken};
use sqlx::{any::AnyRow, Row};

pub(super) async fn apply(
    tx: &mut Conn,
    dialect: Dialect,
    change: &ConcertChange,
    default_concert: i64,
) -> Result<Result<(), BookingError>, sqlx::Error> {
    let id = change.concert();
    let Some(stored) = stored(tx, dialect, id, default_concert).await? else {
        return Ok(Err(BookingError::ConcertNotFound));
    };
    match change {
        ConcertChange::Edit(_, edit) => {
            let prices = match edit.against(&stored) {
                Ok(prices) => prices,
                Err(refused) => return Ok(Err(refused)),
            };
            if let Some(twin) = twin(tx, id, edit).await? {
                return Ok(Err(twin));
            }
            for (tier, price) in prices {
                set_price(tx, id, tier, price).await?;
            }
            sqlx::query("UPDATE events SET name = $1, venue = $2, starts_at = $3, time_zone = $4 WHERE id = $5")
                .bind(&edit.name)
                .bind(&edit.venue)
                .bind(At(edit.starts_at))
                .bind(&edit.time_zone)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        ConcertChange::Publish(_, publish) => {
            if !publish {
                if let Err(refused) = check_unpublish(&stored) {
                    return Ok(Err(refused));
                }
            }
            sqlx::query("UPDATE events SET published = $1 WHERE id = $2")
                .bind(i64::from(*publish))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(Ok(()))
}

/// The concert as the rules need it; `None` if there is no such concert.
async fn stored(
    tx: &mut Conn,
    dialect: Dialect,
    id: i64,
    default_concert: i64,
) -> Result<Option<StoredConcert>, sqlx::Error> {
    let opens: Option<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT sales_open_at_ms FROM events WHERE id = $1{}",
        dialect.lock_rows()
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(opens) = opens else { return Ok(None) };
    let rows: Vec<AnyRow> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT tier, price_cents, sold, held FROM tiers WHERE event_id = $1 ORDER BY tier{}",
        dialect.lock_rows()
    )))
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let count = |row: &AnyRow, column: &str| -> Result<u32, sqlx::Error> {
        u32::try_from(row.try_get::<i64, _>(column)?)
            .map_err(|_| sqlx::Error::Protocol(format!("{column} of concert {id} out of range")))
    };
    let tiers = rows
        .iter()
        .map(|row| {
            let code: String = row.try_get("tier")?;
            let tier = Tier::parse(&code).map_err(|_| sqlx::Error::Protocol(format!("unknown tier {code}")))?;
            Ok(TierTaken {
                tier,
                price: Cents(row.try_get("price_cents")?),
                sold: count(row, "sold")?,
                held: count(row, "held")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(StoredConcert {
        sales_open_at: opens.and_then(chrono::DateTime::from_timestamp_millis),
        is_default: id == default_concert,
        tiers,
    }))
}

/// Another concert with the same name, venue and start: an edit must not make two the shop cannot tell apart.
async fn twin(tx: &mut Conn, id: i64, edit: &ConcertEdit) -> Result<Option<BookingError>, sqlx::Error> {
    let twin: Option<i64> =
        sqlx::query_scalar("SELECT id FROM events WHERE name = $1 AND venue = $2 AND starts_at = $3 AND id <> $4")
            .bind(&edit.name)
            .bind(&edit.venue)
            .bind(At(edit.starts_at))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(twin.map(|_| {
        BookingError::ConcertInvalid(format!(
            "{} at {} on {} already exists",
            edit.name,
            edit.venue,
            model::when::venue_date_time(edit.starts_at, &model::ZoneAt::of(&edit.time_zone, edit.starts_at))
        ))
    }))
}

/// A new price, written only if the tier still has nothing sold or held: the rules decided on the rows
/// this transaction locked, so anything else is a broken invariant and fails the batch.
async fn set_price(tx: &mut Conn, id: i64, tier: Tier, price: Cents) -> Result<(), sqlx::Error> {
    let set =
        sqlx::query("UPDATE tiers SET price_cents = $1 WHERE event_id = $2 AND tier = $3 AND sold = 0 AND held = 0")
            .bind(price.0)
            .bind(id)
            .bind(tier.code())
            .execute(&mut *tx)
            .await?;
    if set.rows_affected() != 1 {
        return Err(sqlx::Error::Protocol(format!("the price of {tier} of concert {id} changed under a sale")));
    }
    Ok(())
}
