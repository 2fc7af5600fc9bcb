//! Scanner devices: the operator creates one and gets a one-time pairing code; the device trades the code
//! for its own token; the operator can revoke it. Codes and tokens are stored only as SHA-256 hashes (a
//! token is 256 random bits, so the hash is as good as the token for finding it and useless for scanning),
//! and are looked up by their hash, so no comparison of a secret ever runs over stored text.
//!
//! Changes go through the writer (one transaction each, beside the sales batches); `authenticate` is a
//! read on the pool, once per scan.

use super::{codes, db::Conn, writer::Job, Store, StoreError};
use chrono::{DateTime, Utc};
use model::DeviceRef;
use sha2::{Digest, Sha256};

/// How long a pairing code can be used.
pub const PAIRING_LASTS: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// The longest name a device may have.
pub const MAX_DEVICE_NAME: usize = 80;

/// A device as the operator sees it; never its token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub paired_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A device just created: the one time its pairing code is shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewDevice {
    pub id: i64,
    pub name: String,
    pub pairing_code: String,
    pub pairing_expires_at: DateTime<Utc>,
}

/// A device just paired: the one time its token is shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paired {
    pub device_id: i64,
    pub name: String,
    pub token: String,
}

/// Why a scanner's token was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotADevice {
    /// No device has it (or there was none).
    Unknown,
    /// The operator revoked the device.
    Revoked,
}

/// A change to the door's settings (its devices, a concert's re-entry), run by the writer beside a batch.
#[derive(Debug)]
pub enum DoorChange {
    Create {
        name: String,
        pairing_hash: String,
        expires_ms: i64,
    },
    Pair {
        pairing_hash: String,
        token_hash: String,
    },
    Revoke {
        id: i64,
    },
    /// Whether a concert lets a ticket that went out back in.
    SetReentry {
        concert: i64,
        reentry: bool,
    },
}

/// What a change came to: the device it made or touched, or `None` for no such device (or code).
pub type Changed = Option<i64>;

pub(super) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Runs `change` in the writer's transaction at `now`.
pub(super) async fn apply(tx: &mut Conn, change: &DoorChange, now: DateTime<Utc>) -> Result<Changed, sqlx::Error> {
    let now_ms = now.timestamp_millis();
    match change {
        DoorChange::Create { name, pairing_hash, expires_ms } => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO devices (name, pairing_code_hash, pairing_expires_ms, created_at_ms)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name.as_str())
            .bind(pairing_hash.as_str())
            .bind(*expires_ms)
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await?;
            Ok(Some(id))
        }
        // Conditional on the code still being there, unexpired and the device not revoked: a code pairs once.
        DoorChange::Pair { pairing_hash, token_hash } => {
            sqlx::query_scalar(
                "UPDATE devices SET pairing_code_hash = NULL, pairing_expires_ms = NULL, token_hash = $1,
                        paired_at_ms = $2
                 WHERE pairing_code_hash = $3 AND pairing_expires_ms > $2 AND revoked_at_ms IS NULL
                 RETURNING id",
            )
            .bind(token_hash.as_str())
            .bind(now_ms)
            .bind(pairing_hash.as_str())
            .fetch_optional(&mut *tx)
            .await
        }
        DoorChange::Revoke { id } => {
            sqlx::query_scalar(
                "UPDATE devices SET revoked_at_ms = COALESCE(revoked_at_ms, $1), pairing_code_hash = NULL
                 WHERE id = $2 RETURNING id",
            )
            .bind(now_ms)
            .bind(*id)
            .fetch_optional(&mut *tx)
            .await
        }
        DoorChange::SetReentry { concert, reentry } => {
            sqlx::query_scalar("UPDATE events SET reentry = $1 WHERE id = $2 RETURNING id")
                .bind(i64::from(*reentry))
                .bind(*concert)
                .fetch_optional(&mut *tx)
                .await
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: i64,
    name: String,
    created_at_ms: i64,
    paired_at_ms: Option<i64>,
    revoked_at_ms: Option<i64>,
    last_seen_at_ms: Option<i64>,
}

/// A stored millisecond time (a corrupt one reads as the epoch rather than failing a listing).
pub(super) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl From<DeviceRow> for Device {
    fn from(row: DeviceRow) -> Device {
        Device {
            id: row.id,
            name: row.name,
            created_at: time(row.created_at_ms),
            paired_at: row.paired_at_ms.map(time),
            revoked_at: row.revoked_at_ms.map(time),
            last_seen_at: row.last_seen_at_ms.map(time),
        }
    }
}

impl Store {
    /// A new device named `name` (trimmed, 1..=80 characters, checked by the caller) and its pairing code.
    pub async fn create_device(&self, name: String) -> Result<NewDevice, StoreError> {
        let pairing_code = codes::new_pairing_code();
        let now = Utc::now();
        let expires = now + PAIRING_LASTS;
        let change = DoorChange::Create {
            name: name.clone(),
            pairing_hash: hash(&pairing_code),
            expires_ms: expires.timestamp_millis(),
        };
        let id = self.writer.ask(|reply| Job::Door(change, reply)).await?;
        let id = id.ok_or_else(|| StoreError::BatchFailed("a new device has no id".into()))?;
        Ok(NewDevice { id, name, pairing_code, pairing_expires_at: expires })
    }

    /// Trades a pairing code for the device's token, once; `None` for a code that is unknown, used, expired
    /// or of a revoked device (one answer for all: a guess learns nothing).
    pub async fn pair_device(&self, pairing_code: &str) -> Result<Option<Paired>, StoreError> {
        let token = codes::new_device_token();
        let change = DoorChange::Pair { pairing_hash: hash(pairing_code.trim()), token_hash: hash(&token) };
        let Some(id) = self.writer.ask(|reply| Job::Door(change, reply)).await? else { return Ok(None) };
        let device =
            self.device(id).await?.ok_or_else(|| StoreError::BatchFailed("a paired device vanished".into()))?;
        Ok(Some(Paired { device_id: id, name: device.name, token }))
    }

    /// Revokes the device: its token no longer scans, its pairing code no longer pairs. `false`: no such device.
    pub async fn revoke_device(&self, id: i64) -> Result<bool, StoreError> {
        let revoked = self.writer.ask(|reply| Job::Door(DoorChange::Revoke { id }, reply)).await?.is_some();
        self.device_tokens.forget(id);
        Ok(revoked)
    }

    pub async fn device(&self, id: i64) -> Result<Option<Device>, StoreError> {
        let row: Option<DeviceRow> = sqlx::query_as(
            "SELECT id, name, created_at_ms, paired_at_ms, revoked_at_ms, last_seen_at_ms FROM devices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Device::from))
    }

    /// Every device, newest first.
    pub async fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows: Vec<DeviceRow> = sqlx::query_as(
            "SELECT id, name, created_at_ms, paired_at_ms, revoked_at_ms, last_seen_at_ms FROM devices ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Device::from).collect())
    }

    /// The device whose token this is.
    pub async fn authenticate_device(&self, token: &str) -> Result<Result<DeviceRef, NotADevice>, StoreError> {
        let row: Option<(i64, String, Option<i64>)> =
            sqlx::query_as("SELECT id, name, revoked_at_ms FROM devices WHERE token_hash = $1")
                .bind(hash(token))
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            None => Err(NotADevice::Unknown),
            Some((_, _, Some(_))) => Err(NotADevice::Revoked),
            Some((id, name, None)) => Ok(DeviceRef { id, name }),
        })
    }
}
