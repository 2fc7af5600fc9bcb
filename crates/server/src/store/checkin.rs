//! The door as callers reach it: a scan sent to the writer as the engine's `Redeem` (its nonce is its
//! idempotency key, per device), and the counts the scanners and the operator show.

use super::{
    devices::{time, DoorChange},
    idempotency::IdempotencyKey,
    writer::Job,
    Store, StoreError,
};
use model::{
    sale::{Answer, Command, KeyReused},
    DeviceRef, Scan, ScanAnswer, Tier,
};

/// One tier's figures at the door.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DoorFigures {
    pub tier: Tier,
    /// Tickets of paid orders.
    pub sold: u32,
    /// Of those, how many have been in.
    pub checked_in: u32,
    /// Of those, how many are in now (all that came in, where nobody scans out).
    pub inside: u32,
    /// Offline scans admitted on a device although the ticket was in already.
    pub conflicts: u32,
}

/// An offline scan admitted on its device although the ticket was in already, for the operator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DoorConflict {
    pub ticket: String,
    pub tier: Tier,
    /// The device that let it in offline, and when (its clock).
    pub device: DeviceRef,
    pub scanned_at: chrono::DateTime<chrono::Utc>,
    /// The ticket's first way in (the scan that stays its entry).
    pub first_entry: Option<model::Redeemed>,
}

/// Most conflicts the operator's list shows (newest first).
const CONFLICTS_SHOWN: i64 = 200;

/// The idempotency key of a scan: its device and nonce (a nonce is the device's, so two devices' nonces
/// never meet), `fingerprint` covering every field of the scan as sent.
pub fn scan_key(device: &DeviceRef, nonce: &str, fingerprint: String) -> IdempotencyKey {
    IdempotencyKey { scope: SCAN_SCOPE, key: scan_key_name(device.id, nonce), fingerprint }
}

/// The scope of scans' idempotency keys: their answers are kept in the scan log (`door.rs`), not as rows
/// of `idempotency_keys`.
pub(super) const SCAN_SCOPE: &str = "checkin";

pub(super) fn scan_key_name(device: i64, nonce: &str) -> String {
    format!("door:{device}:{nonce}")
}

impl Store {
    /// Decides a scan: exactly one `ok` per entry, whichever devices and instances scan the ticket at once.
    pub async fn redeem(&self, device: DeviceRef, scan: Scan, key: IdempotencyKey) -> Result<ScanAnswer, StoreError> {
        let id = device.id;
        let command = Command::Redeem { device, scan };
        match self.writer.ask(|reply| Job::Decide(command, Some(key), reply)).await? {
            Ok(Answer::Scanned(ScanAnswer::DeviceRevoked)) => {
                // Revoked on another instance: this one's memory of the token goes too.
                self.device_tokens.forget(id);
                Ok(ScanAnswer::DeviceRevoked)
            }
            Ok(Answer::Scanned(answer)) => Ok(answer),
            Ok(other) => Err(StoreError::BatchFailed(format!("a scan answered as {other:?}"))),
            Err(KeyReused) => Err(StoreError::IdempotencyKeyReused),
        }
    }

    /// The concert's figures at the door, per tier (every tier, VIP first).
    pub async fn door_figures(&self, concert: i64) -> Result<Vec<DoorFigures>, StoreError> {
        let rows: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT tiers.tier,
                    CAST(COALESCE(SUM(CASE WHEN t.code IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN t.entries > 0 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN t.inside = 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST((SELECT COUNT(*) FROM checkins c
                          JOIN tickets ct ON ct.code = c.ticket JOIN orders co ON co.id = ct.order_id
                          WHERE c.event_id = tiers.event_id AND c.outcome = 'conflict' AND co.tier = tiers.tier)
                         AS BIGINT)
             FROM tiers
             LEFT JOIN orders o ON o.event_id = tiers.event_id AND o.tier = tiers.tier AND o.status = 'paid'
             LEFT JOIN tickets t ON t.order_id = o.id
             WHERE tiers.event_id = $1
             GROUP BY tiers.event_id, tiers.tier, tiers.price_cents
             ORDER BY tiers.price_cents DESC, tiers.tier",
        )
        .bind(concert)
        .fetch_all(&self.pool)
        .await?;
        let count =
            |value: i64| u32::try_from(value).map_err(|_| StoreError::BatchFailed("a count out of range".into()));
        rows.into_iter()
            .map(|(tier, sold, checked_in, inside, conflicts)| {
                Ok(DoorFigures {
                    tier: Tier::parse(&tier)?,
                    sold: count(sold)?,
                    checked_in: count(checked_in)?,
                    inside: count(inside)?,
                    conflicts: count(conflicts)?,
                })
            })
            .collect()
    }

    /// The concert's conflicts from offline scans, newest first.
    pub async fn door_conflicts(&self, concert: i64) -> Result<Vec<DoorConflict>, StoreError> {
        type Row = (String, String, i64, String, i64, Option<i64>, Option<i64>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.ticket, o.tier, c.device_id, d.name, c.scanned_at_ms, t.first_entry_at_ms,
                    t.first_entry_device, fd.name
             FROM checkins c
             JOIN tickets t ON t.code = c.ticket JOIN orders o ON o.id = t.order_id
             JOIN devices d ON d.id = c.device_id LEFT JOIN devices fd ON fd.id = t.first_entry_device
             WHERE c.event_id = $1 AND c.outcome = 'conflict'
             ORDER BY c.id DESC LIMIT $2",
        )
        .bind(concert)
        .bind(CONFLICTS_SHOWN)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(ticket, tier, device, name, scanned_ms, first_ms, first_device, first_name)| {
                Ok(DoorConflict {
                    ticket,
                    tier: Tier::parse(&tier)?,
                    device: DeviceRef { id: device, name },
                    scanned_at: time(scanned_ms),
                    first_entry: match (first_ms, first_device) {
                        (Some(at), Some(id)) => Some(model::Redeemed {
                            at: time(at),
                            device: DeviceRef { id, name: first_name.unwrap_or_default() },
                        }),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    /// Whether the concert lets a ticket that went out back in (entry and exit scans); `false`: no such concert.
    pub async fn set_reentry(&self, concert: i64, reentry: bool) -> Result<bool, StoreError> {
        let change = DoorChange::SetReentry { concert, reentry };
        Ok(self.writer.ask(|reply| Job::Door(change, reply)).await?.is_some())
    }

    /// How many scans the door's log holds (every scan, refused ones too).
    pub async fn checkins_logged(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM checkins").fetch_one(&self.pool).await?)
    }
}
