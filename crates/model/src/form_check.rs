//! Every problem of a page's form at once, each with its field, so the page can show them beside their
//! fields before it sends anything. The same rules the server applies (which stops at the first): a form
//! that passes here can still be refused there (sold out, declined), never the other way round.

use crate::{card, BookingError, BuyerEmail, BuyerName, CardNumber, Quantity, Tier};
use chrono::NaiveDate;

/// A field of the buyer's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Tier,
    Quantity,
    Name,
    Email,
    CardNumber,
    Expiry,
    Cvc,
}

impl FormField {
    /// The field's name in the form (its `name` attribute).
    pub fn name(self) -> &'static str {
        match self {
            FormField::Tier => "tier",
            FormField::Quantity => "quantity",
            FormField::Name => "name",
            FormField::Email => "email",
            FormField::CardNumber => "card_number",
            FormField::Expiry => "expiry",
            FormField::Cvc => "cvc",
        }
    }
}

fn problem<T>(field: FormField, checked: Result<T, BookingError>) -> Option<(FormField, BookingError)> {
    checked.err().map(|error| (field, error))
}

/// The hold form's problems, in the form's order. `quantity` is `None` when seats were picked on the map
/// (their count is the quantity).
pub fn hold_form_problems(
    tier: &str,
    quantity: Option<&str>,
    name: &str,
    email: &str,
) -> Vec<(FormField, BookingError)> {
    let tier = if tier.trim().is_empty() { Err(BookingError::TierMissing) } else { Tier::parse(tier).map(|_| ()) };
    [
        problem(FormField::Tier, tier),
        quantity.and_then(|quantity| problem(FormField::Quantity, Quantity::parse(quantity))),
        problem(FormField::Name, BuyerName::parse(name)),
        problem(FormField::Email, BuyerEmail::check_as_typed(email)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The payment form's problems, in the form's order, judged against `today` (UTC).
pub fn card_form_problems(number: &str, expiry: &str, cvc: &str, today: NaiveDate) -> Vec<(FormField, BookingError)> {
    [
        problem(FormField::CardNumber, CardNumber::parse(number)),
        problem(FormField::Expiry, card::check_expiry(expiry, today)),
        problem(FormField::Cvc, card::check_cvc(cvc)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(problems: Vec<(FormField, BookingError)>) -> Vec<FormField> {
        problems.into_iter().map(|(field, _)| field).collect()
    }

    #[test]
    fn every_problem_is_named_with_its_field_in_form_order() {
        use FormField::*;
        assert_eq!(fields(hold_form_problems("", Some("0"), " ", "nope")), vec![Tier, Quantity, Name, Email]);
        assert_eq!(fields(hold_form_problems("vip", Some("2"), "Ada", "ada@example.org")), vec![]);
        assert_eq!(fields(hold_form_problems("vip", None, "Ada", "")), vec![Email], "seats picked: no quantity");
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(fields(card_form_problems("1234", "13/30", "1", today)), vec![CardNumber, Expiry, Cvc]);
        assert_eq!(
            card_form_problems("4242 4242 4242 4242", "11/26", "123", today),
            vec![(Expiry, BookingError::CardExpired)]
        );
        assert_eq!(fields(card_form_problems("4242424242424242", "12/26", "123", today)), vec![]);
    }

    #[test]
    fn a_form_that_passes_here_passes_the_servers_parse() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        for (number, expiry, cvc) in [("4242424242424242", "01/27", "123"), ("4000 0000 0000 0002", "12/2030", "9999")]
        {
            assert!(card_form_problems(number, expiry, cvc, today).is_empty());
            assert!(crate::PaymentCard::parse(number, expiry, cvc, today).is_ok());
        }
        assert!(hold_form_problems("front_row", Some("3"), "Ada", "ada@example.org").is_empty());
        assert!(crate::BookingRequest::from_page_form("front_row", "3", "Ada", "ada@example.org").is_ok());
    }

    /// The page's address check agrees with the server's on ASCII, and never refuses what the server takes.
    #[test]
    fn the_pages_address_check_never_refuses_what_the_server_takes() {
        let typed = [
            "ada@example.org",
            " Ada@Example.ORG ",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "ada@.org",
            "ada@example.",
            "a b@example.org",
            "ada@@example.org",
            "ada\u{7}@example.org",
            "ada＠example.org",
            "ａｄａ@example.org",
            "ada\u{200b}@example.org",
            "élodie@exemple.fr",
            "",
        ];
        for text in typed {
            let server = BuyerEmail::parse(text);
            let page = BuyerEmail::check_as_typed(text);
            if server.is_ok() {
                assert_eq!(page, Ok(()), "{text:?}: the server takes it, the page must too");
            }
            if text.is_ascii() {
                assert_eq!(page.err(), server.err(), "{text:?}: on ASCII the two agree");
            }
        }
    }
}
