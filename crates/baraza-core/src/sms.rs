//! SMS text rules (GSM 03.38 / 3GPP TS 23.038, 23.040): which encoding a text needs and
//! how many segments it costs. Citizens pay per SMS and many use feature phones, so staff
//! see the count before sending and templates are kept within one segment.

/// GSM-7 basic character set (one septet each). 0x1B (escape) is not a character.
pub const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM-7 extension table (escape + code: two septets each).
pub const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// What a text costs as SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SmsCount {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    pub segments: usize,
    /// Units left in the last segment before another is needed.
    pub remaining: usize,
}

fn septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Count a text's encoding, size and segments. Concatenated segments lose room to the
/// 6-octet header (153 septets or 67 UCS-2 units each), and an escape pair or a surrogate
/// pair is never split across two segments.
pub fn count(text: &str) -> SmsCount {
    let gsm: Option<Vec<usize>> = text.chars().map(septets).collect();
    match gsm {
        Some(sizes) => pack(Encoding::Gsm7, &sizes, 160, 153),
        None => {
            let sizes: Vec<usize> = text.chars().map(char::len_utf16).collect();
            pack(Encoding::Ucs2, &sizes, 70, 67)
        }
    }
}

fn pack(encoding: Encoding, sizes: &[usize], single: usize, per_part: usize) -> SmsCount {
    let units: usize = sizes.iter().sum();
    if units <= single {
        return SmsCount {
            encoding,
            units,
            segments: 1,
            remaining: single - units,
        };
    }
    let (mut segments, mut used) = (1, 0);
    for &s in sizes {
        if used + s > per_part {
            segments += 1;
            used = 0;
        }
        used += s;
    }
    SmsCount {
        encoding,
        units,
        segments,
        remaining: per_part - used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_gsm7() {
        let c = count("Your reference is EM-4821-0937. Reply 1 if solved, 2 if not.");
        assert_eq!((c.encoding, c.segments), (Encoding::Gsm7, 1));
        assert_eq!(count(&"a".repeat(160)).segments, 1);
        assert_eq!(count(&"a".repeat(161)).segments, 2);
        assert_eq!(count(&"a".repeat(306)).segments, 2);
        assert_eq!(count(&"a".repeat(307)).segments, 3);
    }

    #[test]
    fn extension_characters_count_twice() {
        let c = count("Cost: 10€ [approx]");
        assert_eq!((c.encoding, c.units), (Encoding::Gsm7, 18 + 3));
        // 80 euro signs are 160 septets: still one segment; one more character is not.
        assert_eq!(count(&"€".repeat(80)).segments, 1);
        assert_eq!(count(&format!("{}a", "€".repeat(80))).segments, 2);
        // An escape pair never straddles two segments: 152 septets then a euro sign.
        let c = count(&format!("{}€{}", "a".repeat(152), "b".repeat(10)));
        assert_eq!((c.units, c.segments), (164, 2));
        assert_eq!(c.remaining, 153 - 12);
    }

    #[test]
    fn anything_else_is_ucs2() {
        assert_eq!(count("Asante sana 🙏").encoding, Encoding::Ucs2);
        assert_eq!(count("ç").encoding, Encoding::Ucs2); // lower-case ç is not in GSM-7
        assert_eq!(count("Ç").encoding, Encoding::Gsm7);
        assert_eq!(count(&"é".repeat(200)).encoding, Encoding::Gsm7);
        assert_eq!(count(&"ê".repeat(70)).segments, 1);
        assert_eq!(count(&"ê".repeat(71)).segments, 2);
        assert_eq!(count(&"ê".repeat(134)).segments, 2);
        assert_eq!(count(&"ê".repeat(135)).segments, 3);
        // A surrogate pair (emoji) counts two units and is not split.
        let c = count(&format!("{}🙏", "ê".repeat(66)));
        assert_eq!((c.units, c.segments), (68, 1));
        let c = count(&format!("{}🙏x", "ê".repeat(69)));
        assert_eq!((c.units, c.segments), (72, 2));
    }
}

/// Replace letters outside GSM-7 by their nearest GSM-7 form (ê -> e, ç -> c, curly
/// quotes -> straight) when that makes the whole text GSM-7: a French answer then costs
/// one 160-character segment instead of a 70-character one. Texts that still need UCS-2
/// (emoji, other scripts) are returned unchanged.
pub fn gsm_friendly(text: &str) -> String {
    if count(text).encoding == Encoding::Gsm7 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let r: &str = match c {
            'â' | 'á' | 'ã' => "a",
            'Â' | 'Á' | 'À' | 'Ã' => "A",
            'ê' | 'ë' => "e",
            'Ê' | 'Ë' | 'È' => "E",
            'î' | 'ï' | 'í' => "i",
            'Î' | 'Ï' | 'Í' => "I",
            'ô' | 'ó' | 'õ' => "o",
            'Ô' | 'Ó' | 'Õ' => "O",
            'û' | 'ú' => "u",
            'Û' | 'Ú' | 'Ù' => "U",
            'ç' => "c",
            'œ' => "oe",
            'Œ' => "OE",
            '‘' | '’' | '`' => "'",
            '“' | '”' | '«' | '»' => "\"",
            '–' | '—' => "-",
            '…' => "...",
            '\u{00A0}' => " ",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(r);
    }
    if count(&out).encoding == Encoding::Gsm7 {
        out
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod friendly_tests {
    use super::*;

    #[test]
    fn french_becomes_gsm7_when_it_can() {
        let fr = "Votre problème a été traité. Êtes-vous satisfait ? Répondez « 1 » ou « 2 ».";
        assert_eq!(count(fr).encoding, Encoding::Ucs2);
        let g = gsm_friendly(fr);
        assert_eq!(count(&g).encoding, Encoding::Gsm7);
        assert!(g.contains("problème a été traité. Etes-vous"));
        assert_eq!(gsm_friendly("Merci 🙏 ça va"), "Merci 🙏 ça va");
    }
}
