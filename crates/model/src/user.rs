//! Who books: a program's `user_id`, or a page buyer's name and email.

use crate::BookingError;
use serde::{Deserialize, Serialize};

/// Longest API `user_id`, in characters.
pub const MAX_USER_ID_CHARS: usize = 200;
/// Longest buyer name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address (RFC 5321's limit on a path).
pub const MAX_EMAIL_CHARS: usize = 254;

/// The buyer's identity as the booking records it: an API client's own user id, or a page buyer's email.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Trimmed, non-empty, at most 200 characters, no control characters.
    pub fn parse(text: &str) -> Result<UserId, BookingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BookingError::UserMissing);
        }
        if text.chars().count() > MAX_USER_ID_CHARS {
            return Err(BookingError::UserTooLong { max: MAX_USER_ID_CHARS });
        }
        if text.chars().any(char::is_control) {
            return Err(BookingError::UserInvalid);
        }
        Ok(UserId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<BuyerEmail> for UserId {
    fn from(email: BuyerEmail) -> Self {
        UserId(email.0)
    }
}

/// A buyer's name as typed on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerName(String);

impl BuyerName {
    pub fn parse(text: &str) -> Result<BuyerName, BookingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BookingError::NameMissing);
        }
        if text.chars().count() > MAX_NAME_CHARS || text.chars().any(char::is_control) {
            return Err(BookingError::NameInvalid { max: MAX_NAME_CHARS });
        }
        Ok(BuyerName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A buyer's email, normalised so that one address is one buyer: trimmed, in Unicode NFKC (so `é` typed as
/// one character or as `e` plus an accent is one address, and so is a full-width `ａｄａ`), lower-cased. Addresses with characters nobody
/// can see (controls, zero-width and other format characters such as U+200B) are refused, so that no
/// invisible variant of an address counts as another buyer. Plus-addressing (`ada+2@example.org`) is kept
/// as typed: whether `+` tags one mailbox is each mail provider's own rule (for many it is part of the
/// name), so folding it would merge different people; the per-buyer limit is one line of defence, not the
/// only one. The check is the shape every mail address has (`local@domain.tld`); whether it receives
/// mail is for a confirmation mail to find out, not a regex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BuyerEmail(String);

impl BuyerEmail {
    pub fn parse(text: &str) -> Result<BuyerEmail, BookingError> {
        use unicode_normalization::UnicodeNormalization;
        let text: String = text.trim().nfkc().collect();
        if text.is_empty() {
            return Err(BookingError::EmailMissing);
        }
        if !shaped_like_an_address(&text, is_invisible) {
            return Err(BookingError::EmailInvalid);
        }
        Ok(BuyerEmail(text.to_lowercase()))
    }

    /// The page's check of an address as typed, without Unicode's tables (normalisation and character
    /// categories would more than double the page's WASM): plain ASCII is checked as [`BuyerEmail::parse`]
    /// checks it (NFKC leaves ASCII as it is, and its only invisible characters are controls); anything
    /// else is left to the server's parse, so the page never refuses an address the server takes.
    pub fn check_as_typed(text: &str) -> Result<(), BookingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BookingError::EmailMissing);
        }
        if text.is_ascii() && !shaped_like_an_address(text, |c| c.is_ascii_control()) {
            return Err(BookingError::EmailInvalid);
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `local@domain.tld` of at most [`MAX_EMAIL_CHARS`], with no space and nothing `invisible`.
fn shaped_like_an_address(text: &str, invisible: fn(char) -> bool) -> bool {
    text.chars().count() <= MAX_EMAIL_CHARS
        && !text.chars().any(|c| c.is_whitespace() || invisible(c))
        && match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        }
}

/// A character that shows nothing: a control, or a format character (zero-width spaces and joiners,
/// direction marks, the byte-order mark, soft hyphens).
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    c.is_control() || matches!(c.general_category(), GeneralCategory::Format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_is_trimmed_and_required() {
        assert_eq!(UserId::parse("  alice ").unwrap().as_str(), "alice");
        assert_eq!(UserId::parse("   "), Err(BookingError::UserMissing));
        assert_eq!(UserId::parse(&"x".repeat(201)), Err(BookingError::UserTooLong { max: 200 }));
        assert_eq!(UserId::parse("a\u{0}b"), Err(BookingError::UserInvalid));
    }

    #[test]
    fn email_needs_the_shape_of_an_address() {
        assert_eq!(BuyerEmail::parse(" Ada@Example.ORG ").unwrap().as_str(), "ada@example.org");
        for bad in ["ada", "ada@", "@example.org", "ada@example", "a b@example.org", "a@b@c.org", "a@.org"] {
            assert_eq!(BuyerEmail::parse(bad), Err(BookingError::EmailInvalid), "{bad}");
        }
        assert_eq!(BuyerEmail::parse(""), Err(BookingError::EmailMissing));
    }

    #[test]
    fn one_address_is_one_buyer_and_invisible_variants_are_refused() {
        let composed = BuyerEmail::parse("Zoë@Example.org").unwrap();
        assert_eq!(BuyerEmail::parse("zoe\u{308}@example.ORG").unwrap(), composed, "NFC: one address");
        assert_eq!(composed.as_str(), "zoë@example.org");
        assert_eq!(
            BuyerEmail::parse("\u{ff41}da@example.org").unwrap().as_str(),
            "ada@example.org",
            "full-width is NFKC'd"
        );
        for invisible in [
            "z\u{200b}w@example.org",
            "zw\u{2060}@example.org",
            "\u{feff}zw@example.org",
            "z\u{ad}w@example.org",
            "zw@exa\u{200d}mple.org",
            "z\u{202e}w@example.org",
        ] {
            assert_eq!(BuyerEmail::parse(invisible), Err(BookingError::EmailInvalid), "{invisible:?}");
        }
        assert_ne!(
            BuyerEmail::parse("ada+2@example.org").unwrap(),
            BuyerEmail::parse("ada@example.org").unwrap(),
            "plus-addressing is kept"
        );
    }

    #[test]
    fn name_is_required() {
        assert_eq!(BuyerName::parse(" Ada Lovelace ").unwrap().as_str(), "Ada Lovelace");
        assert_eq!(BuyerName::parse(""), Err(BookingError::NameMissing));
    }
}
