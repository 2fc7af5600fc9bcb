//! Everything a client can send through the model's parsers: booking requests (API and page form), cards,
//! and the operator's tier lists. Any panic is a bug; so is a value that parses but breaks its rules.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use model::{BookingRequest, BuyerLimits, Capacities, PaymentCard, Quantity, MAX_TICKETS_PER_ORDER};

fuzz_target!(|data: &str| {
    // The input is split into the fields of a form, as a client could send them.
    let fields: Vec<&str> = data.split('\u{1f}').chain(std::iter::repeat("")).take(6).collect();
    let (tier, quantity, name, email, expiry, cvc) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);

    if let Ok(request) = BookingRequest::from_page_form(tier, quantity, name, email) {
        assert!((1..=MAX_TICKETS_PER_ORDER).contains(&request.quantity.get()));
        let user = request.user_id.as_str();
        assert!(user.contains('@') && user == user.to_lowercase().as_str());
        let name = request.buyer_name.expect("a page request names its buyer");
        assert!(!name.as_str().trim().is_empty());
    }
    if let Ok(request) = BookingRequest::parse(name, tier, Quantity::parse(quantity)) {
        assert!(!request.user_id.as_str().is_empty());
        assert!(!request.user_id.as_str().chars().any(char::is_control));
    }
    if let Ok(count) = quantity.parse::<f64>() {
        if let Ok(q) = Quantity::from_f64(count) {
            assert_eq!(f64::from(q.get()), count);
        }
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("a date");
    if let Ok(card) = PaymentCard::parse(email, expiry, cvc, today) {
        let digits = card.number.digits();
        assert!((12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(!format!("{card:?}").contains(digits), "a card number must never print");
    }
    let _ = data.parse::<Capacities>();
    let _ = data.parse::<BuyerLimits>();
});
