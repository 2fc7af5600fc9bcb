//! A payment card as the checkout form gives it: number, expiry and CVC, checked the way a processor's
//! form checks them before anything is sent.
//!
//! The full number lives only in [`CardNumber`], which never prints itself (its `Debug` shows the last four
//! digits) and is not serialisable, so it cannot reach a log line or the database by accident.

use crate::BookingError;
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The simulator's test cards that the checkout page offers as a hint (the server's `payments.rs` decides).
pub const TEST_CARDS: [(&str, &str); 3] = [
    ("4242 4242 4242 4242", "approved"),
    ("4000 0000 0000 0002", "declined"),
    ("4000 0000 0000 0119", "processor timeout"),
];

pub struct CardNumber(String);

impl CardNumber {
    /// Digits only (spaces and dashes, as people type them, are dropped), 12–19 of them, Luhn-valid.
    pub fn parse(text: &str) -> Result<CardNumber, BookingError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.is_empty() {
            return Err(BookingError::CardNumberMissing);
        }
        if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) || !luhn(&digits) {
            return Err(BookingError::CardNumberInvalid);
        }
        Ok(CardNumber(digits))
    }

    /// The whole number: for the payment processor only.
    pub fn digits(&self) -> &str {
        &self.0
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber(**** {})", self.last4())
    }
}

/// The Luhn checksum every card number carries, so a typo is caught before the processor sees it.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A card that passed the form's checks.
#[derive(Debug)]
pub struct PaymentCard {
    pub number: CardNumber,
    /// The last month the card is valid, as parsed from `MM/YY`: (month, year).
    pub expiry: (u32, i32),
}

impl PaymentCard {
    /// `expiry` as `MM/YY` (or `MM/YYYY`); a card is valid through the last day of its expiry month, judged
    /// against `today` (UTC).
    pub fn parse(number: &str, expiry: &str, cvc: &str, today: NaiveDate) -> Result<PaymentCard, BookingError> {
        let number = CardNumber::parse(number)?;
        let expiry = check_expiry(expiry, today)?;
        check_cvc(cvc)?;
        Ok(PaymentCard { number, expiry })
    }
}

/// The card's last valid month from `MM/YY`, if it is not over by `today`.
pub(crate) fn check_expiry(expiry: &str, today: NaiveDate) -> Result<(u32, i32), BookingError> {
    let (month, year) = parse_expiry(expiry).ok_or(BookingError::CardExpiryInvalid)?;
    if (year, month) < (today.year(), today.month()) {
        return Err(BookingError::CardExpired);
    }
    Ok((month, year))
}

pub(crate) fn check_cvc(cvc: &str) -> Result<(), BookingError> {
    let cvc = cvc.trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BookingError::CardCvcInvalid);
    }
    Ok(())
}

fn parse_expiry(text: &str) -> Option<(u32, i32)> {
    let (month, year) = text.trim().split_once('/')?;
    let month: u32 = month.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year = year.trim();
    let year: i32 = match year.len() {
        2 => 2000 + year.parse::<i32>().ok()?,
        4 => year.parse().ok()?,
        _ => return None,
    };
    Some((month, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn test_cards_pass_and_typos_are_caught() {
        let card = PaymentCard::parse("4242 4242 4242 4242", "12/30", "123", today()).unwrap();
        assert_eq!(card.number.last4(), "4242");
        assert_eq!(card.number.digits(), "4242424242424242");
        assert!(CardNumber::parse("4000-0000-0000-0002").is_ok());
        assert_eq!(CardNumber::parse("4242 4242 4242 4241").unwrap_err(), BookingError::CardNumberInvalid);
        assert_eq!(CardNumber::parse("4242x4242x4242x4242").unwrap_err(), BookingError::CardNumberInvalid);
        assert_eq!(CardNumber::parse("  ").unwrap_err(), BookingError::CardNumberMissing);
    }

    #[test]
    fn expiry_and_cvc_are_checked() {
        let ok = "4242424242424242";
        assert!(PaymentCard::parse(ok, "11/26", "123", today()).is_ok(), "valid through its month");
        assert_eq!(PaymentCard::parse(ok, "10/26", "123", today()).unwrap_err(), BookingError::CardExpired);
        assert_eq!(PaymentCard::parse(ok, "13/30", "123", today()).unwrap_err(), BookingError::CardExpiryInvalid);
        assert_eq!(PaymentCard::parse(ok, "1230", "123", today()).unwrap_err(), BookingError::CardExpiryInvalid);
        assert_eq!(PaymentCard::parse(ok, "01/2031", "1234", today()).map(|card| card.expiry), Ok((1, 2031)));
        assert_eq!(PaymentCard::parse(ok, " 1/31 ", "1234", today()).map(|card| card.expiry), Ok((1, 2031)));
        assert_eq!(PaymentCard::parse(ok, "12/30", "12", today()).unwrap_err(), BookingError::CardCvcInvalid);
        assert_eq!(PaymentCard::parse(ok, "12/30", "12a", today()).unwrap_err(), BookingError::CardCvcInvalid);
    }

    #[test]
    fn the_number_never_prints() {
        let card = PaymentCard::parse("4242424242424242", "12/30", "123", today()).unwrap();
        let shown = format!("{card:?}");
        assert!(!shown.contains("42424242"), "{shown}");
        assert!(shown.contains("4242"));
    }
}
