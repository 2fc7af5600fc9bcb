//! Text for URLs.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every character but RFC 3986's unreserved ones (letters, digits, `-._~`) is percent-encoded.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `text` made safe for any part of a URL.
pub fn url_escape(text: &str) -> String {
    utf8_percent_encode(text, RESERVED).to_string()
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// A message written as a clause ("quantity must be at least 1") as a sentence: capitalised, with a stop.
pub fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut sentence: String = first.to_uppercase().chain(chars).collect();
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}
