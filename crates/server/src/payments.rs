//! The payment simulator: a card processor's test mode, where the card number decides the outcome.
//!
//! | number                | outcome                                          |
//! |-----------------------|--------------------------------------------------|
//! | 4242 4242 4242 4242   | approved                                         |
//! | 5555 5555 5555 4444   | approved                                         |
//! | 4000 0000 0000 0002   | declined (card declined)                         |
//! | 4000 0000 0000 9995   | declined (insufficient funds)                    |
//! | 4000 0000 0000 0119   | processor error after a delay (a timeout)        |
//! | any other valid card  | declined (test mode accepts only test cards)     |
//!
//! Only the verdict and the last four digits leave this module. The charge itself is recorded by the store
//! in the same transaction that turns the hold into an order, so there is never a charge without an order
//! or an order without its charge; a processor error changes nothing, so a retry is always safe.

use crate::store::{Charge, IdempotencyKey, Store, StoreError};
use model::{BookingError, Order, PaymentCard};
use std::time::Duration;

/// How long the simulated processor takes to time out.
const PROCESSOR_TIMEOUT: Duration = Duration::from_millis(300);

/// Asks the simulated processor about `card`: a verdict, or `PaymentUnavailable` if it "times out".
pub async fn authorize(card: &PaymentCard) -> Result<Charge, BookingError> {
    let card_last4 = card.number.last4().to_owned();
    let declined = |reason: &str| Ok(Charge::Declined { card_last4: card_last4.clone(), reason: reason.to_owned() });
    match card.number.digits() {
        "4242424242424242" | "5555555555554444" => Ok(Charge::Approved { card_last4 }),
        "4000000000000002" => declined("card declined"),
        "4000000000009995" => declined("insufficient funds"),
        "4000000000000119" => {
            tokio::time::sleep(PROCESSOR_TIMEOUT).await;
            Err(BookingError::PaymentUnavailable)
        }
        _ => declined("test mode accepts only the test cards"),
    }
}

/// Pays hold `hold_id` with `card`: the processor's verdict, then the store's one transaction.
pub async fn pay_hold(
    store: &Store,
    hold_id: &str,
    card: &PaymentCard,
    key: Option<IdempotencyKey>,
) -> Result<Order, StoreError> {
    let charge = authorize(card).await?;
    store.pay_hold(hold_id, charge, key).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn card(number: &str) -> PaymentCard {
        PaymentCard::parse(number, "12/30", "123", NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn test_cards_decide_the_outcome() {
        let approved = authorize(&card("4242 4242 4242 4242")).await.unwrap();
        assert_eq!(approved, Charge::Approved { card_last4: "4242".into() });
        assert!(matches!(authorize(&card("4000000000000002")).await, Ok(Charge::Declined { .. })));
        assert_eq!(authorize(&card("4000000000000119")).await, Err(BookingError::PaymentUnavailable));
        assert!(matches!(authorize(&card("4111111111111111")).await, Ok(Charge::Declined { .. })));
    }
}
