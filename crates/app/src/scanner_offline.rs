//! The scanner's offline half, in the browser: its copy of the concert's tickets (`model::DoorList`,
//! downloaded from `/api/checkin/tickets` and refreshed by delta) and the scans it let in while the network
//! was down, both kept in this browser's `localStorage` so a reload or a flat battery loses neither. Queued
//! scans upload with `offline: true` and their original nonce: a scan whose online answer was lost on the
//! way is then recognised by the server (the same key), not recorded twice.
//!
//! Everything here runs only in the browser; on the server the functions are inert.

use crate::scanner::{PairedDevice, ScanFailed};
use model::{Direction, DoorList, DoorListPage};
use serde::{Deserialize, Serialize};

/// A scan let in offline, waiting to upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub ticket: String,
    pub concert_id: i64,
    pub nonce: String,
    /// RFC 3339, from the device's clock when it was scanned.
    pub scanned_at: String,
    pub direction: Direction,
}

#[cfg(feature = "hydrate")]
const QUEUE: &str = "boxoffice.door.queue";

#[cfg(feature = "hydrate")]
fn list_key(concert: i64) -> String {
    format!("boxoffice.door.list.{concert}")
}

#[cfg(feature = "hydrate")]
fn read<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    let storage = web_sys::window()?.local_storage().ok()??;
    serde_json::from_str(&storage.get_item(key).ok()??).ok()
}

/// Best effort: a list too big for the browser's storage still works from memory until a reload.
#[cfg(feature = "hydrate")]
fn write<T: Serialize>(key: &str, value: &T) {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let (Some(storage), Ok(text)) = (storage, serde_json::to_string(value)) {
        let _ = storage.set_item(key, &text);
    }
}

/// The copy this browser keeps of `concert`'s tickets (empty and not synced if none).
fn stored_list(concert: i64) -> DoorList {
    #[cfg(feature = "hydrate")]
    if let Some(list) = read::<DoorList>(&list_key(concert)).filter(|list| list.concert_id == concert) {
        return list;
    }
    DoorList::new(concert)
}

pub fn keep_list(list: &DoorList) {
    #[cfg(feature = "hydrate")]
    write(&list_key(list.concert_id), list);
    #[cfg(not(feature = "hydrate"))]
    let _ = list;
}

/// The scans waiting to upload, oldest first.
pub fn queued() -> Vec<Pending> {
    #[cfg(feature = "hydrate")]
    {
        read(QUEUE).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

fn keep_queue(queue: &[Pending]) {
    #[cfg(feature = "hydrate")]
    write(QUEUE, &queue);
    #[cfg(not(feature = "hydrate"))]
    let _ = queue;
}

pub fn enqueue(scan: Pending) {
    let mut queue = queued();
    queue.push(scan);
    keep_queue(&queue);
}

/// Whether the browser believes it is online (a `false` is certain; a `true` is tried).
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(feature = "hydrate"))]
    true
}

/// Now on this device's clock, as RFC 3339.
pub fn now_rfc3339() -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::Date::new_0().to_iso_string())
    }
    #[cfg(not(feature = "hydrate"))]
    chrono::Utc::now().to_rfc3339()
}

/// Uploads the queued scans in order until the network fails again; the number still waiting.
///
/// Any answer from the server ends a scan's wait: `ok` (recorded, perhaps as a conflict), a 422 for a
/// nonce already used (its online answer had been lost: it is recorded), a 401 (the device was revoked:
/// nothing more of it is taken). Only a failed connection keeps it.
pub async fn upload(device: &PairedDevice) -> Result<usize, ScanFailed> {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_mut))]
    let mut queue = queued();
    #[cfg(feature = "hydrate")]
    while let Some(scan) = queue.first() {
        let body = serde_json::json!({
            "ticket": scan.ticket, "concert_id": scan.concert_id, "nonce": scan.nonce,
            "scanned_at": scan.scanned_at, "offline": true, "direction": scan.direction,
        });
        let request = gloo_net::http::Request::post("/api/checkin/redeem")
            .header("Authorization", &format!("Bearer {}", device.token))
            .json(&body)
            .map_err(|_| ScanFailed::Offline)?;
        let Ok(response) = request.send().await else { break };
        queue.remove(0);
        keep_queue(&queue);
        if response.status() == 401 {
            return Err(ScanFailed::NotPaired);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = device;
    Ok(queue.len())
}

/// The tickets of `concert` that changed since the cursor `since` (all of them without one).
pub async fn refresh(device: &PairedDevice, concert: i64, since: Option<i64>) -> Result<DoorListPage, ScanFailed> {
    #[cfg(feature = "hydrate")]
    {
        let mut url = format!("/api/checkin/tickets?concert={concert}");
        if let Some(since) = since {
            url.push_str(&format!("&since={since}"));
        }
        let response = gloo_net::http::Request::get(&url)
            .header("Authorization", &format!("Bearer {}", device.token))
            .send()
            .await
            .map_err(|_| ScanFailed::Offline)?;
        match response.status() {
            200 => response.json().await.map_err(|_| ScanFailed::Offline),
            401 => Err(ScanFailed::NotPaired),
            _ => Err(ScanFailed::Refused("The box office did not give the ticket list.".into())),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (device, concert, since);
        Err(ScanFailed::Offline)
    }
}

/// The copy of `concert`'s tickets as this browser left it, with the scans still waiting replayed on it.
pub fn restore(concert: i64) -> DoorList {
    let mut list = stored_list(concert);
    replay_waiting(&mut list);
    list
}

fn replay_waiting(list: &mut DoorList) {
    let concert = list.concert_id;
    for scan in queued().iter().filter(|scan| scan.concert_id == concert) {
        list.replay(&scan.ticket, scan.direction);
    }
}

/// Merges `page` into `list`, then replays the scans still waiting (the server's view does not have them).
pub fn merge(list: &mut DoorList, page: DoorListPage) {
    list.merge(page);
    replay_waiting(list);
}
