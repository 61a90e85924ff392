//! Mattermost-style ids: 26 characters of a custom base32 alphabet over 128 bits.

use std::fmt;

use serde::{Serialize, Serializer};

/// Mattermost's `NewId` alphabet: lowercase, no padding, 26 characters per id.
const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// A 26-character id, stored inline so that millions of them cost no allocations.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id([u8; 26]);

impl Id {
    /// Encodes 128 bits the way Mattermost encodes a UUID.
    pub fn from_u128(value: u128) -> Id {
        let mut out = [b'y'; 26];
        // 26 * 5 = 130 bits: the two extra bits are zero padding at the end,
        // exactly like base32 over 16 bytes without padding characters.
        let wide = value;
        for (i, slot) in out.iter_mut().enumerate() {
            let shift = 128i32 - 5 * (i as i32 + 1);
            let chunk = if shift >= 0 {
                (wide >> shift) & 0x1f
            } else {
                (wide << (-shift)) & 0x1f
            };
            *slot = ALPHABET[chunk as usize];
        }
        Id(out)
    }

    /// A fresh random id.
    pub fn random() -> Id {
        Id::from_u128(uuid::Uuid::new_v4().as_u128())
    }

    /// Accepts what Mattermost's `IsValidId` accepts: 26 ASCII letters or digits.
    pub fn parse(s: &str) -> Option<Id> {
        let bytes = s.as_bytes();
        if bytes.len() != 26 || !bytes.iter().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let mut out = [0u8; 26];
        out.copy_from_slice(bytes);
        Some(Id(out))
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII alphanumerics.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.as_str())
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Serializes an optional id as Mattermost does: the empty string for none.
pub fn opt_str(id: &Option<Id>) -> &str {
    id.as_ref().map(Id::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_26_chars_of_the_alphabet_and_distinct() {
        let a = Id::random();
        let b = Id::random();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 26);
        assert!(a.as_str().bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn encoding_is_stable_and_distinguishes_values() {
        assert_eq!(Id::from_u128(0).as_str(), "yyyyyyyyyyyyyyyyyyyyyyyyyy");
        assert_ne!(Id::from_u128(1), Id::from_u128(2));
        assert_ne!(Id::from_u128(1 << 127), Id::from_u128(1 << 126));
    }

    #[test]
    fn parse_rejects_wrong_length_and_symbols() {
        assert!(Id::parse("abc").is_none());
        assert!(Id::parse("abcdefghijklmnopqrstuvwxy!").is_none());
        let id = Id::random();
        assert_eq!(Id::parse(id.as_str()), Some(id));
    }
}
