//! Case reference numbers: eight digits (seven random, one Damm check digit), shown as
//! `EM-4821-0937`, accepted back with or without the prefix, spaces or hyphens.
//!
//! Random rather than sequential so that nobody can enumerate cases; Damm because it
//! catches every single-digit error and every swap of adjacent digits, and it is digits
//! only, so it can be typed on a feature-phone keypad in a USSD menu.

use rand::Rng;
use std::fmt;

const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a string of decimal digits.
pub fn damm_check_digit(digits: &[u8]) -> u8 {
    digits
        .iter()
        .fold(0u8, |interim, &d| DAMM[interim as usize][d as usize])
}

pub const DIGITS: usize = 8;

/// The number part of a reference: eight digits whose last is the Damm check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("a reference number has {DIGITS} digits, e.g. EM-4821-0937; this one has {0}")]
    WrongLength(usize),
    #[error("a reference number may only hold a letter prefix, digits, spaces and hyphens")]
    BadCharacter,
    #[error("this reference number has a typing error (its check digit does not match)")]
    CheckDigit,
}

impl CaseNumber {
    /// A fresh random number; uniqueness is the store's to enforce.
    pub fn random(rng: &mut impl Rng) -> Self {
        let body: u32 = rng.gen_range(0..10_000_000);
        Self::from_body(body)
    }

    fn from_body(body: u32) -> Self {
        let digits = to_digits(body, DIGITS - 1);
        let check = damm_check_digit(&digits);
        CaseNumber(body * 10 + u32::from(check))
    }

    /// The eight digits as an integer (for storage).
    pub fn value(self) -> u32 {
        self.0
    }

    /// Rebuild from storage, re-checking the check digit.
    pub fn from_value(v: u32) -> Result<Self, ReferenceError> {
        if v >= 100_000_000 {
            return Err(ReferenceError::WrongLength(v.to_string().len()));
        }
        if damm_check_digit(&to_digits(v, DIGITS)) != 0 {
            return Err(ReferenceError::CheckDigit);
        }
        Ok(CaseNumber(v))
    }

    /// Parse what a person typed: `EM-4821-0937`, `em 48210937`, `48210937`.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let trimmed = input.trim();
        let rest = trimmed.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let mut digits = Vec::with_capacity(DIGITS);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                ' ' | '-' | '_' | '/' | '.' => {}
                _ => return Err(ReferenceError::BadCharacter),
            }
        }
        if digits.len() != DIGITS {
            return Err(ReferenceError::WrongLength(digits.len()));
        }
        if damm_check_digit(&digits) != 0 {
            return Err(ReferenceError::CheckDigit);
        }
        Ok(CaseNumber(
            digits.iter().fold(0u32, |n, &d| n * 10 + u32::from(d)),
        ))
    }

    /// The digits alone, as typed on a keypad: `48210937`.
    pub fn digits(self) -> String {
        format!("{:08}", self.0)
    }

    /// Grouped with a jurisdiction's prefix, as read out on the phone: `EM-4821-0937`.
    pub fn display_with(self, prefix: &str) -> String {
        let d = self.digits();
        if prefix.is_empty() {
            format!("{}-{}", &d[..4], &d[4..])
        } else {
            format!("{prefix}-{}-{}", &d[..4], &d[4..])
        }
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}-{}", &d[..4], &d[4..])
    }
}

impl serde::Serialize for CaseNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.digits())
    }
}

impl<'de> serde::Deserialize<'de> for CaseNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CaseNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn to_digits(mut v: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for slot in out.iter_mut().rev() {
        *slot = (v % 10) as u8;
        v /= 10;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_damm_vector() {
        // The textbook example: 572 has check digit 4.
        assert_eq!(damm_check_digit(&[5, 7, 2]), 4);
        assert_eq!(damm_check_digit(&[5, 7, 2, 4]), 0);
    }

    #[test]
    fn parses_every_written_form() {
        let n = CaseNumber::from_body(4_821_093);
        let shown = n.display_with("EM");
        assert!(shown.starts_with("EM-4821-093"));
        for form in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace('-', " "),
            n.digits(),
            format!(" {} ", n),
        ] {
            assert_eq!(CaseNumber::parse(&form), Ok(n), "{form}");
        }
    }

    #[test]
    fn rejects_wrong_shapes() {
        assert_eq!(
            CaseNumber::parse("EM-4821-093"),
            Err(ReferenceError::WrongLength(7))
        );
        assert_eq!(
            CaseNumber::parse("EM-4821-09x7"),
            Err(ReferenceError::BadCharacter)
        );
        assert_eq!(CaseNumber::parse(""), Err(ReferenceError::WrongLength(0)));
    }

    proptest! {
        #[test]
        fn every_single_digit_error_is_caught(body in 0u32..10_000_000, pos in 0usize..DIGITS, delta in 1u8..10) {
            let n = CaseNumber::from_body(body);
            let mut d: Vec<u8> = n.digits().bytes().map(|b| b - b'0').collect();
            d[pos] = (d[pos] + delta) % 10;
            let typed: String = d.iter().map(|x| char::from(b'0' + x)).collect();
            prop_assert_eq!(CaseNumber::parse(&typed), Err(ReferenceError::CheckDigit));
        }

        #[test]
        fn every_adjacent_swap_is_caught(body in 0u32..10_000_000, pos in 0usize..DIGITS - 1) {
            let n = CaseNumber::from_body(body);
            let mut d: Vec<u8> = n.digits().bytes().map(|b| b - b'0').collect();
            prop_assume!(d[pos] != d[pos + 1]);
            d.swap(pos, pos + 1);
            let typed: String = d.iter().map(|x| char::from(b'0' + x)).collect();
            prop_assert_eq!(CaseNumber::parse(&typed), Err(ReferenceError::CheckDigit));
        }

        #[test]
        fn storage_round_trip(body in 0u32..10_000_000) {
            let n = CaseNumber::from_body(body);
            prop_assert_eq!(CaseNumber::from_value(n.value()), Ok(n));
            prop_assert_eq!(CaseNumber::parse(&n.display_with("STMA")), Ok(n));
        }
    }

    #[test]
    fn damm_table_is_weakly_totally_antisymmetric() {
        // Whatever came before (interim x), swapping two different adjacent digits
        // changes the interim value, so the check digit no longer matches.
        for x in 0..10usize {
            for a in 0..10usize {
                for b in 0..10usize {
                    if a != b {
                        assert_ne!(
                            DAMM[DAMM[x][a] as usize][b], DAMM[DAMM[x][b] as usize][a],
                            "{x}:{a}{b}"
                        );
                    }
                }
            }
        }
    }
}
