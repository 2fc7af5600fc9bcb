//! The scanner tokens this instance has seen pass, by hash: a scan names its device without a read of the
//! pool (a read per scan was half the door's CPU), and the scan's batch, which loads the devices it names,
//! is where a revocation takes effect, on whichever instance it was made.
//!
//! Only tokens that authenticated are kept, so the map is bounded by the devices ever paired; a forged
//! token is looked up each time and never kept.

use super::{devices::hash, NotADevice, Store, StoreError};
use model::DeviceRef;
use std::{collections::HashMap, sync::RwLock};

#[derive(Default)]
pub(super) struct DeviceTokens(RwLock<HashMap<String, DeviceRef>>);

/// Shows how many it knows, never the hashes.
impl std::fmt::Debug for DeviceTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.0.read().map_or(0, |tokens| tokens.len());
        f.debug_struct("DeviceTokens").field("known", &known).finish()
    }
}

impl DeviceTokens {
    fn get(&self, token_hash: &str) -> Option<DeviceRef> {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(token_hash).cloned()
    }

    fn keep(&self, token_hash: String, device: DeviceRef) {
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(token_hash, device);
    }

    /// Forgets the device's token (it was revoked): its next request reads the database, and is told so.
    pub(super) fn forget(&self, device: i64) {
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner()).retain(|_, known| known.id != device);
    }
}

impl Store {
    /// The device whose token this is, for a scan: from this instance's memory of tokens when it has seen
    /// it pass, else from the database. The scan's batch checks that the device is still paired; anything
    /// else a token opens must use [`Store::authenticate_device`], which reads the database each time.
    pub async fn scanning_device(&self, token: &str) -> Result<Result<DeviceRef, NotADevice>, StoreError> {
        let token_hash = hash(token);
        if let Some(device) = self.device_tokens.get(&token_hash) {
            return Ok(Ok(device));
        }
        let found = self.authenticate_device(token).await?;
        if let Ok(device) = &found {
            self.device_tokens.keep(token_hash, device.clone());
        }
        Ok(found)
    }
}
