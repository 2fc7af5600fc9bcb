//! The codes and secrets boxoffice hands out. Order codes are short enough to read out on the phone and
//! random enough that guessing finds nothing (10 symbols from 30 ≈ 49 bits); secrets, hold ids and ticket
//! codes are links and QR codes, never typed, so they are long (≥ 96 bits from the OS's CSPRNG via `rand`).
//! Hold ids and ticket codes start with the time they were made (milliseconds, 48 bits, in hex) before
//! their random part: they are keys of indexes, and a batch's new keys then land on the index's last pages
//! instead of one random page each, which is what the write-ahead log writes and fsyncs per batch.

use rand::Rng;

/// No 0/O, 1/I/L or U: codes are read aloud and typed by people.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

fn symbols(count: usize) -> String {
    let mut rng = rand::rng();
    (0..count).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

/// A new order code like `BX-7KQ2M-9XAB3`.
pub fn new_order_code() -> String {
    format!("BX-{}-{}", symbols(5), symbols(5))
}

/// An order's secret: 128 bits, in its page's address.
pub fn new_order_secret() -> String {
    hex(16)
}

/// The moment as the first 12 hex digits of a time-ordered key.
fn time_prefix() -> String {
    format!("{:012x}", chrono::Utc::now().timestamp_millis().clamp(0, 0xffff_ffff_ffff))
}

/// A hold's id: 128 random bits, since whoever has it may pay the hold.
pub fn new_hold_id() -> String {
    format!("h_{}{}", time_prefix(), hex(16))
}

/// A ticket's code, what its QR code carries: 96 random bits.
pub fn new_ticket_code() -> String {
    format!("T-{}{}", time_prefix(), hex(12))
}

/// A waiting-room visitor's id: 128 random bits, since it shows their place and fetches their pass.
/// A waiting-list entry's id: its buyer's answer, so unguessable (128 random bits), time-ordered.
pub fn new_waitlist_id() -> String {
    format!("w_{}{}", time_prefix(), hex(16))
}

pub fn new_visitor_id() -> String {
    format!("v_{}{}", time_prefix(), hex(16))
}

/// A scanner device's pairing code, typed or scanned once: 16 symbols from 30 (≈ 78 bits) in groups of
/// four, valid for a day.
pub fn new_pairing_code() -> String {
    let code = symbols(16);
    format!("{}-{}-{}-{}", &code[..4], &code[4..8], &code[8..12], &code[12..])
}

/// A scanner device's token: 256 random bits, kept by the device and stored only as its hash.
pub fn new_device_token() -> String {
    format!("dev_{}", hex(32))
}

/// A signing key: 256 random bits, in hex.
pub fn new_signing_key() -> String {
    hex(32)
}

/// The engine's source of new codes (it draws no randomness of its own).
pub struct Codes;

impl model::sale::Fresh for Codes {
    fn hold_id(&mut self) -> String {
        new_hold_id()
    }
    fn order_code(&mut self) -> String {
        new_order_code()
    }
    fn order_secret(&mut self) -> String {
        new_order_secret()
    }
    fn ticket_code(&mut self) -> String {
        new_ticket_code()
    }
    fn visitor_id(&mut self) -> String {
        new_visitor_id()
    }
    fn waitlist_id(&mut self) -> String {
        new_waitlist_id()
    }
    fn draw(&mut self) -> i64 {
        rand::rng().random()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape_and_differ() {
        let a = new_order_code();
        assert_eq!(a.len(), 14);
        assert!(a.starts_with("BX-"));
        assert!(a[3..].chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        assert_ne!(a, new_order_code());
        assert_eq!(new_order_secret().len(), 32);
        assert_eq!(new_hold_id().len(), 46);
        assert_eq!(new_ticket_code().len(), 38);
        assert_ne!(new_ticket_code(), new_ticket_code());
        // Time-ordered: a later key sorts after an earlier one.
        let first = new_ticket_code();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(new_ticket_code() > first);
    }
}
