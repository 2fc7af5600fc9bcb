//! Order codes: short enough to read out on the phone, random enough that nobody finds another's booking
//! by guessing (10 symbols from 31 ≈ 49 bits).

use rand::Rng;

/// No 0/O, 1/I/L or U: codes are read aloud and typed by people.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new order code like `BX-7KQ2M-9XAB3`.
pub fn new_order_code() -> String {
    let mut rng = rand::rng();
    let mut symbol = || ALPHABET[rng.random_range(0..ALPHABET.len())] as char;
    let first: String = (0..5).map(|_| symbol()).collect();
    let second: String = (0..5).map(|_| symbol()).collect();
    format!("BX-{first}-{second}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_documented_shape_and_differ() {
        let a = new_order_code();
        let b = new_order_code();
        assert_eq!(a.len(), 14);
        assert!(a.starts_with("BX-"));
        assert!(a[3..].chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
        assert_ne!(a, b);
    }
}
