//! Text from outside, made safe once, at the edge of every channel (SMS, USSD, WhatsApp,
//! Twilio, the web form, the API, Open311): control characters (NUL among them, which
//! PostgreSQL cannot store), and the invisible characters used to spoof what a reader
//! sees (bidirectional overrides and isolates, zero-width spaces and joiners, the byte
//! order mark) are dropped. Line breaks and tabs stay. What remains is stored as sent.

/// `s` without control or invisible formatting characters (see the module doc).
pub fn clean(s: &str) -> String {
    if s.chars().all(keep) {
        return s.to_owned();
    }
    s.chars().filter(|c| keep(*c)).collect()
}

fn keep(c: char) -> bool {
    match c {
        '\n' | '\r' | '\t' => true,
        c if c.is_control() => false,
        '\u{200B}'..='\u{200F}' => false,
        '\u{202A}'..='\u{202E}' => false,
        '\u{2060}'..='\u{2064}' => false,
        '\u{2066}'..='\u{2069}' => false,
        '\u{FEFF}' => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn controls_and_spoofing_characters_go_words_stay() {
        assert_eq!(clean("maji\u{0}hakuna"), "majihakuna");
        assert_eq!(clean("pay \u{202E}gpj.exe"), "pay gpj.exe");
        assert_eq!(clean("a\u{200B}b\u{FEFF}c\u{7}"), "abc");
        assert_eq!(clean("line one\nline two\ttab"), "line one\nline two\ttab");
        assert_eq!(
            clean("Hakuna maji Kamariny — €5, ñ, 水"),
            "Hakuna maji Kamariny — €5, ñ, 水"
        );
    }
}
