//! Signed ticket codes (pretix's signed offline tickets): what a ticket's QR code carries, so a scanner
//! with no copy of a concert's ticket list (a concert too large to download) can still tell a real ticket
//! from a made-up one. The text is `BX1.<key id>.<claim>.<signature>`: the claim (code, concert, tier,
//! seat) and an Ed25519 signature over everything before it, both base64url. Only the server holds the
//! secret key; a scanner holds the public keys and a revocation list (the cancelled tickets).
//!
//! Signing and checking are here, pure, because both the server and the scanner page (WASM) need them.
//! Ed25519 signatures are deterministic, so a ticket's QR code is the same every time it is shown.

use crate::{sale::ConcertId, TicketSeat, Tier};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// What a signed code starts with (the format's version): a plain code never does.
pub const SIGNED_TICKET_PREFIX: &str = "BX1.";

/// What a signature vouches for: the ticket, and what the door shows of it without the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketClaim {
    pub code: String,
    pub concert_id: ConcertId,
    pub tier: Tier,
    pub seat: Option<TicketSeat>,
}

/// A public key a scanner checks signed codes with, as the door list sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketKey {
    /// Named in every code it signed, so keys can be rotated (the old one kept until its concerts are over).
    pub id: String,
    /// The Ed25519 public key, 32 bytes in base64url.
    pub public_key: String,
}

/// The shop's signing key. Its `Debug` shows only the key's id: the secret is never printed.
pub struct TicketSigner {
    key: SigningKey,
    id: String,
}

impl std::fmt::Debug for TicketSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketSigner").field("id", &self.id).finish_non_exhaustive()
    }
}

/// A key's id: the start of its public key, enough to tell a shop's few keys apart.
fn key_id(public: &VerifyingKey) -> String {
    B64.encode(&public.as_bytes()[..6])
}

impl TicketSigner {
    /// The signer of a 32-byte secret (made from the OS's randomness by the server, kept in its database).
    pub fn from_secret(secret: [u8; 32]) -> TicketSigner {
        let key = SigningKey::from_bytes(&secret);
        let id = key_id(&key.verifying_key());
        TicketSigner { key, id }
    }

    pub fn public(&self) -> TicketKey {
        TicketKey { id: self.id.clone(), public_key: B64.encode(self.key.verifying_key().as_bytes()) }
    }

    /// The text a ticket's QR code carries.
    pub fn sign(&self, claim: &TicketClaim) -> String {
        let signed_part = format!("{SIGNED_TICKET_PREFIX}{}.{}", self.id, B64.encode(claim_bytes(claim)));
        let signature = self.key.sign(signed_part.as_bytes());
        format!("{signed_part}.{}", B64.encode(signature.to_bytes()))
    }
}

/// The claim as signed: a JSON array, short enough to keep the QR code easy to read.
fn claim_bytes(claim: &TicketClaim) -> Vec<u8> {
    let tier = claim.tier.code();
    let value = match &claim.seat {
        None => serde_json::json!([claim.code, claim.concert_id, tier]),
        Some(seat) => {
            serde_json::json!([claim.code, claim.concert_id, tier, seat.id, seat.zone, seat.row, seat.number])
        }
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ClaimFields {
    Seated(String, ConcertId, String, String, String, String, String),
    Standing(String, ConcertId, String),
}

fn claim_of(bytes: &[u8]) -> Option<TicketClaim> {
    let (code, concert_id, tier, seat) = match serde_json::from_slice(bytes).ok()? {
        ClaimFields::Standing(code, concert, tier) => (code, concert, tier, None),
        ClaimFields::Seated(code, concert, tier, id, zone, row, number) => {
            (code, concert, tier, Some(TicketSeat { id, zone, row, number }))
        }
    };
    Some(TicketClaim { code, concert_id, tier: Tier::parse(&tier).ok()?, seat })
}

/// A scanned signed code, read but not yet checked: its claim means nothing until [`SignedCode::verify`]
/// says a key of the shop signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCode {
    key_id: String,
    signed_part: String,
    signature: [u8; 64],
    claim: TicketClaim,
}

impl SignedCode {
    /// Reads `text` as a signed code; `None` if it is not one (a plain code, or a garbled signed one).
    pub fn parse(text: &str) -> Option<SignedCode> {
        let (signed_part, signature) = text.trim().rsplit_once('.')?;
        let (key_id, claim) = signed_part.strip_prefix(SIGNED_TICKET_PREFIX)?.split_once('.')?;
        if claim.contains('.') {
            return None;
        }
        let signature: [u8; 64] = B64.decode(signature).ok()?.try_into().ok()?;
        let claim = claim_of(&B64.decode(claim).ok()?)?;
        let signed_part = signed_part.to_owned();
        Some(SignedCode { key_id: key_id.to_owned(), signed_part, signature, claim })
    }

    /// What it claims, if a key in `keys` signed it (strict Ed25519: no malleable signature passes).
    pub fn verify(&self, keys: &[TicketKey]) -> Option<&TicketClaim> {
        let key = keys.iter().find(|key| key.id == self.key_id)?;
        let public: [u8; 32] = B64.decode(&key.public_key).ok()?.try_into().ok()?;
        let public = VerifyingKey::from_bytes(&public).ok()?;
        public.verify_strict(self.signed_part.as_bytes(), &Signature::from_bytes(&self.signature)).ok()?;
        Some(&self.claim)
    }

    /// The ticket code it claims to carry (unchecked: for matching against the list, never for letting in).
    pub fn claimed_code(&self) -> &str {
        &self.claim.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(byte: u8) -> TicketSigner {
        TicketSigner::from_secret([byte; 32])
    }

    fn claim(seat: bool) -> TicketClaim {
        TicketClaim {
            code: "T-0190c3a5d2e1a1b2c3d4e5f6a7b8c9d0e1f2".into(),
            concert_id: 3,
            tier: Tier::FrontRow,
            seat: seat.then(|| TicketSeat {
                id: "floor-A-12".into(),
                zone: "Floor".into(),
                row: "A".into(),
                number: "12".into(),
            }),
        }
    }

    #[test]
    fn a_signed_code_reads_back_its_claim_under_the_signing_key_only() {
        let shop = signer(7);
        for seated in [false, true] {
            let text = shop.sign(&claim(seated));
            assert!(text.starts_with(SIGNED_TICKET_PREFIX) && text.len() <= crate::MAX_TICKET_CODE, "{text}");
            assert!(text.bytes().all(|b| b.is_ascii_graphic()), "scannable as a scan's ticket: {text}");
            assert_eq!(shop.sign(&claim(seated)), text, "deterministic: the same QR code every time");
            let read = SignedCode::parse(&text).expect("reads");
            assert_eq!(read.claimed_code(), claim(seated).code);
            assert_eq!(read.verify(&[shop.public()]), Some(&claim(seated)));
            assert_eq!(read.verify(&[signer(8).public()]), None, "another shop's key does not vouch for it");
            let mut impostor = signer(8).public();
            impostor.id = shop.public().id;
            assert_eq!(read.verify(&[impostor]), None, "another key under this key's id does not either");
        }
    }

    #[test]
    fn a_changed_claim_or_signature_fails() {
        let shop = signer(7);
        let text = shop.sign(&claim(false));
        let parts: Vec<&str> = text.split('.').collect();
        // The same signature over another ticket's claim: the classic forgery.
        let mut other = claim(false);
        other.code = "T-0190c3a5d2e1ffffffffffffffffffffffff".into();
        let forged_claim = B64.encode(claim_bytes(&other));
        let forged = format!("{}.{}.{}.{}", parts[0], parts[1], forged_claim, parts[3]);
        let read = SignedCode::parse(&forged).expect("well formed");
        assert_eq!(read.verify(&[shop.public()]), None);
        // One signature byte changed.
        let mut signature = B64.decode(parts[3]).unwrap();
        signature[10] ^= 1;
        let tampered = format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], B64.encode(signature));
        assert_eq!(SignedCode::parse(&tampered).unwrap().verify(&[shop.public()]), None);
        // No key under its id.
        assert_eq!(SignedCode::parse(&text).unwrap().verify(&[]), None);
    }

    #[test]
    fn what_is_not_a_signed_code_is_not_read_as_one() {
        for text in ["T-0190c3a5d2e1a1b2c3d4e5f6a7b8c9d0e1f2", "BX1.", "BX1.a.b", "BX1.a.b.c.d", "BX1.k.!!!.AAAA"] {
            assert_eq!(SignedCode::parse(text), None, "{text}");
        }
        let text = signer(7).sign(&claim(false));
        let short = &text[..text.len() - 4];
        assert_eq!(SignedCode::parse(short), None, "a cut signature is not 64 bytes");
    }

    #[test]
    fn the_secret_is_not_in_its_debug_form() {
        let shown = format!("{:?}", signer(7));
        assert!(!shown.contains("SigningKey") && shown.contains(&signer(7).public().id), "{shown}");
    }
}
