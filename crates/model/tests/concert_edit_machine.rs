//! The operator's edits as a state machine: buyers take and return tickets while the operator changes
//! prices, and after every step every ticket a buyer has of a tier was taken at that tier's current price
//! (a price never moves under a buyer), and an edit of an untaken tier always goes through.

use chrono::{Duration, Utc};
use model::{Cents, ConcertEdit, PriceOffer, StoredConcert, Tier, TierTaken};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Take(usize),
    Return(usize),
    Price(usize, i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize).prop_map(Step::Take),
        (0..3usize).prop_map(Step::Return),
        (0..3usize, 0..5i64).prop_map(|(tier, price)| Step::Price(tier, price * 1_000)),
    ]
}

proptest! {
    #[test]
    fn no_price_moves_under_a_buyer(steps in proptest::collection::vec(step(), 1..60)) {
        let now = Utc::now();
        let mut concert = StoredConcert {
            sales_open_at: None,
            is_default: false,
            tiers: Tier::ALL.iter().map(|&tier| TierTaken { tier, price: tier.default_price(), sold: 0, held: 0 }).collect(),
        };
        // What each tier's taken tickets cost their buyers.
        let mut paid: Vec<Vec<Cents>> = vec![Vec::new(); 3];
        for step in steps {
            match step {
                Step::Take(i) => {
                    concert.tiers[i].held += 1;
                    paid[i].push(concert.tiers[i].price);
                }
                Step::Return(i) => {
                    if paid[i].pop().is_some() {
                        concert.tiers[i].held -= 1;
                    }
                }
                Step::Price(i, price) => {
                    let tier = concert.tiers[i].tier;
                    let offer = [PriceOffer { tier: tier.code(), price_cents: price }];
                    let edit = ConcertEdit::parse("Night", "Hall", Ok(now + Duration::days(3)), &offer, now).unwrap();
                    match edit.against(&concert) {
                        Ok(changed) => {
                            for (tier, price) in changed {
                                let at = concert.tiers.iter_mut().find(|t| t.tier == tier).unwrap();
                                prop_assert_eq!(at.held + at.sold, 0, "a taken tier's price changed");
                                at.price = price;
                            }
                        }
                        Err(refused) => {
                            let at = &concert.tiers[i];
                            prop_assert!(at.held + at.sold > 0 && at.price != Cents(price), "refused for nothing: {}", refused);
                        }
                    }
                }
            }
            for (tier, costs) in concert.tiers.iter().zip(&paid) {
                prop_assert!(costs.iter().all(|cost| *cost == tier.price), "{:?} sold at {:?}, priced {}", tier.tier, costs, tier.price);
            }
        }
    }
}
