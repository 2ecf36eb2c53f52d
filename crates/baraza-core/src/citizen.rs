//! Citizens and how to reach them. Everything but a way to answer is optional: a citizen
//! may stay anonymous, and gender or age band are asked only for disaggregated statistics.

use crate::FieldError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CitizenId(pub uuid::Uuid);

/// An E.164 phone number: `+` then 8 to 15 digits, the first not zero.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let digits = compact.strip_prefix('+').ok_or_else(|| {
            FieldError::new(
                "phone",
                "use the international E.164 form with country code, e.g. +254712345678",
            )
        })?;
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(compact))
        } else {
            Err(FieldError::new(
                "phone",
                "an E.164 number is + followed by 8 to 15 digits, e.g. +254712345678",
            ))
        }
    }

    /// A number as people in `country` (ISO 3166 alpha-2, the jurisdiction file's
    /// `country`) write it: the national form (Kenya `0712 345 678`, `0110 123 456`;
    /// Ghana `024 123 4567`, `055 123 4567`), the country code without `+` (`254712…`),
    /// or E.164; spaces, hyphens, dots and brackets ignored. Normalised to E.164.
    pub fn parse_in(raw: &str, country: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        if compact.starts_with('+') {
            return Self::parse(&compact);
        }
        let (code, example, first_digits): (&str, &str, &[u8]) =
            match country.to_ascii_uppercase().as_str() {
                "KE" => ("254", "0712 345 678 or +254712345678", b"71"),
                "GH" => ("233", "024 123 4567 or +233241234567", b"235"),
                _ => return Self::parse(&compact),
            };
        let national = compact
            .strip_prefix(code)
            .or_else(|| compact.strip_prefix('0'));
        match national {
            Some(n)
                if n.len() == 9
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && first_digits.contains(&n.as_bytes()[0]) =>
            {
                Ok(Self(format!("+{code}{n}")))
            }
            _ => Err(FieldError::new(
                "phone",
                format!("a phone number as written in {country}, e.g. {example}"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For logs and staff who may not see contacts: `+2547******78`.
    pub fn masked(&self) -> String {
        let s = &self.0;
        let keep_head = 5.min(s.len());
        let keep_tail = 2.min(s.len() - keep_head);
        format!(
            "{}{}{}",
            &s[..keep_head],
            "*".repeat(s.len() - keep_head - keep_tail),
            &s[s.len() - keep_tail..]
        )
    }
}

impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(FieldError::new(
                "email",
                "not an email address, e.g. name@example.org",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

string_enum! {
    /// Languages citizens are answered in.
    pub enum Language { English => "en", Kiswahili => "sw", French => "fr" }
}

string_enum! {
    /// Self-declared, never required; only used for disaggregated statistics.
    pub enum Gender { Female => "female", Male => "male", Other => "other", PreferNotToSay => "prefer_not_to_say" }
}

string_enum! {
    pub enum AgeBand {
        Under18 => "under_18", From18To24 => "18_24", From25To34 => "25_34", From35To49 => "35_49",
        From50To64 => "50_64", Over65 => "65_plus",
    }
}

/// What the citizen agreed to; provable and withdrawable (Kenya DPA s.32).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// May we contact them about this case (always needed to answer)?
    pub contact: bool,
    /// May the case appear in the public registry with its text?
    pub publish: bool,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    pub id: CitizenId,
    pub jurisdiction: crate::JurisdictionId,
    pub phone: Option<PhoneNumber>,
    pub whatsapp_id: Option<String>,
    pub email: Option<Email>,
    pub name: Option<String>,
    pub language: Language,
    pub gender: Option<Gender>,
    pub age_band: Option<AgeBand>,
    pub consent: Consent,
    pub created_at: crate::Timestamp,
}

/// A citizen as given at intake; matched to an existing one by phone, WhatsApp id or email.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCitizen {
    pub phone: Option<PhoneNumber>,
    pub whatsapp_id: Option<String>,
    pub email: Option<Email>,
    pub name: Option<String>,
    pub language: Language,
    pub gender: Option<Gender>,
    pub age_band: Option<AgeBand>,
    pub consent: Consent,
}

/// Personal data stays out of logs: `Debug` shows only what is safe.
impl std::fmt::Debug for Citizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Citizen")
            .field("id", &self.id)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for NewCitizen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCitizen")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

impl NewCitizen {
    pub fn has_contact(&self) -> bool {
        self.phone.is_some() || self.whatsapp_id.is_some() || self.email.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_as_people_write_them() {
        for (typed, want) in [
            ("0712 345 678", "+254712345678"),
            ("0712-345-678", "+254712345678"),
            ("254712345678", "+254712345678"),
            ("+254 712 345 678", "+254712345678"),
            ("0110 123 456", "+254110123456"),
        ] {
            assert_eq!(
                PhoneNumber::parse_in(typed, "KE").unwrap().as_str(),
                want,
                "{typed}"
            );
        }
        for (typed, want) in [
            ("024 123 4567", "+233241234567"),
            ("055-123-4567", "+233551234567"),
            ("233 20 123 4567", "+233201234567"),
        ] {
            assert_eq!(
                PhoneNumber::parse_in(typed, "GH").unwrap().as_str(),
                want,
                "{typed}"
            );
        }
        for bad in [
            "07x",
            "0812 345 678",
            "0712 345 67",
            "712345678",
            "not a phone",
        ] {
            let e = PhoneNumber::parse_in(bad, "KE").unwrap_err();
            assert!(e.message.contains("0712 345 678"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn phone_numbers_parse_at_the_edge() {
        assert_eq!(
            PhoneNumber::parse("+254 712-345 678").unwrap().as_str(),
            "+254712345678"
        );
        assert!(PhoneNumber::parse("0712345678").is_err());
        assert!(PhoneNumber::parse("+0712345678").is_err());
        assert!(PhoneNumber::parse("+25471234567890123").is_err());
        assert_eq!(
            PhoneNumber::parse("+254712345678").unwrap().masked(),
            "+2547******78"
        );
        assert!(!format!("{:?}", PhoneNumber::parse("+254712345678").unwrap()).contains("345"));
    }

    #[test]
    fn emails() {
        assert!(Email::parse("wanjiku@example.org").is_ok());
        assert!(Email::parse("no-at-sign").is_err());
        assert!(Email::parse("a@b").is_err());
        assert_eq!(
            format!("{:?}", Email::parse("a@b.org").unwrap()),
            "Email(<redacted>)"
        );
    }
}
