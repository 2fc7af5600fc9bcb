//! Text for URLs.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every character but RFC 3986's unreserved ones (letters, digits, `-._~`) is percent-encoded.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `text` made safe for any part of a URL.
pub fn url_escape(text: &str) -> String {
    utf8_percent_encode(text, RESERVED).to_string()
}
