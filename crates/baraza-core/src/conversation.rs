//! What a citizen's message means. Over SMS and WhatsApp a message either opens a new
//! case or belongs to a conversation already under way: a keyword (`STATUS <ref>`,
//! `HALI <ref>`, `HELP`, `MSAADA`, `STOP`), the answer to "is it solved?", a rating.
//! Keywords are understood in English, Kiswahili and French whatever the language set.

use crate::{CaseNumber, Language};

/// What the citizen's recent cases wait for, as far as a reply could concern them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Awaiting {
    /// A case answered by the county (or closed unconfirmed), waiting for "is it
    /// solved?" (1 yes / 2 no).
    pub confirmation: Option<CaseNumber>,
    /// A case just confirmed resolved, waiting for a 1-5 rating.
    pub rating: Option<CaseNumber>,
    /// An information request whose body asked the citizen to clarify it.
    pub clarification: Option<CaseNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// A new concern: its text.
    NewConcern(String),
    /// `REQUEST <what you want to know>` (`OMBI`, `DEMANDE`): an information request;
    /// `REQUEST URGENT <why> ...` (`HARAKA`, `URGENT`) asks for the 48-hour track.
    NewRequest {
        text: String,
        urgent: bool,
    },
    /// The answer to a body's request for clarification.
    Clarify(CaseNumber, String),
    /// `FOLLOW <class>` (`FUATA`, `SUIVRE`): be told when the class is published.
    Follow(String),
    /// `REVIEW <ref> <grounds>` (`MAPITIO`, `RECOURS`): apply for the next stage of review
    /// of an information request's decision.
    Review(CaseNumber, String),
    /// `COMMENT <commitment> <text>` (`MAONI`, `AVIS`): a comment on a commitment of an
    /// action plan, by its OGP id; a case linked to it.
    Comment {
        commitment: String,
        text: String,
    },
    /// `INFO <project code>` (`HABARI`, `INFOS`): a public project's name, status, budget
    /// and latest approved report.
    ProjectInfo(String),
    /// `REPORT <project code> <text>` (`RIPOTI`, `SIGNALER`): from a member of the
    /// project's committee, a report draft; from anyone else, a concern about the project.
    ProjectReport {
        project: String,
        text: String,
    },
    /// `STATUS <ref>`; without a reference, the citizen's latest case.
    Status(Option<CaseNumber>),
    /// `STATUS` followed by something that is not a reference number.
    BadReference(String),
    Help,
    /// Stop messages to this number (consent withdrawn).
    Stop,
    /// Change the language of future messages.
    SetLanguage(Language),
    /// "Solved" for the case awaiting confirmation.
    Confirm(CaseNumber),
    /// "Not solved", with the citizen's reason if they gave one.
    Deny(CaseNumber, Option<String>),
    /// A 1-5 rating for the case awaiting one.
    Rate(CaseNumber, u8),
}

const STATUS: &[&str] = &["STATUS", "HALI", "STATUT", "SUIVI"];
/// Information requests. `INFO` is kept for a project's status (the county portals' own).
const REQUEST: &[&str] = &["REQUEST", "OMBI", "DEMANDE"];
const URGENT: &[&str] = &["URGENT", "HARAKA", "URGENCE"];
/// Follow a class of the proactive disclosure log.
const FOLLOW: &[&str] = &["FOLLOW", "FUATA", "SUIVRE"];
const REVIEW: &[&str] = &["REVIEW", "MAPITIO", "RECOURS"];
/// Comment on an action plan's commitment.
pub const COMMENT: &[&str] = &["COMMENT", "MAONI", "AVIS"];
/// A public project's status (the county portals' own command).
pub const INFO: &[&str] = &["INFO", "HABARI", "INFOS"];
/// A report on a public project.
pub const REPORT: &[&str] = &["REPORT", "RIPOTI", "SIGNALER"];
const HELP: &[&str] = &["HELP", "MSAADA", "AIDE", "MENU"];
const STOP: &[&str] = &["STOP", "SIMAMA", "ACHA", "ARRET", "ARRÊT"];
const YES: &[&str] = &[
    "1",
    "YES",
    "Y",
    "NDIO",
    "NDIYO",
    "OUI",
    "SOLVED",
    "IMETATULIWA",
    "RESOLU",
    "RÉSOLU",
];
const NO: &[&str] = &["2", "NO", "N", "HAPANA", "LA", "NON"];

fn language_keyword(word: &str) -> Option<Language> {
    match word {
        "ENGLISH" | "KIINGEREZA" | "ANGLAIS" => Some(Language::English),
        "KISWAHILI" | "SWAHILI" => Some(Language::Kiswahili),
        "FRENCH" | "FRANCAIS" | "FRANÇAIS" | "KIFARANSA" => Some(Language::French),
        _ => None,
    }
}

/// Interpret a message's text given what the citizen's cases are waiting for.
///
/// Answers are taken only when they are unmistakable: a bare `1`/`yes`, a bare `no` or a
/// `2` (optionally followed by the reason), a bare rating. Anything else is a new concern
/// with a reference of its own: a citizen who writes "No water at the market" while an
/// old case waits must not reopen it by accident.
pub fn interpret(text: &str, awaiting: &Awaiting) -> Intent {
    let text = text.trim();
    let upper = text.to_uppercase();
    let mut words = upper.split_whitespace();
    let first = words
        .next()
        .unwrap_or("")
        .trim_end_matches(['.', ',', '!', ':']);
    let alone = words.next().is_none();
    let rest = text
        .split_once(char::is_whitespace)
        .map(|(_, r)| r.trim())
        .unwrap_or("");

    if STATUS.contains(&first) {
        if rest.is_empty() {
            return Intent::Status(None);
        }
        return match CaseNumber::parse(rest) {
            Ok(n) => Intent::Status(Some(n)),
            Err(_) => Intent::BadReference(rest.to_owned()),
        };
    }
    // "STOP", "STOP messages", "stop please": never a concern.
    if STOP.contains(&first) {
        return Intent::Stop;
    }
    if FOLLOW.contains(&first) {
        return Intent::Follow(rest.to_owned());
    }
    if COMMENT.contains(&first) && !rest.is_empty() {
        let (code, said) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(a, b)| (a, b.trim()));
        return Intent::Comment {
            commitment: code.trim_end_matches([':', ',']).to_uppercase(),
            text: said.to_owned(),
        };
    }
    // A project code has a digit (`EM-RD-014`): "REPORT the road is cut" is a concern.
    let project_code = |w: &str| {
        let w = w.trim_end_matches([':', ',', '.']).to_uppercase();
        (w.chars().any(|c| c.is_ascii_digit()) && crate::project::parse_code(&w).is_ok())
            .then_some(w)
    };
    if INFO.contains(&first) {
        return Intent::ProjectInfo(
            rest.split_whitespace()
                .next()
                .map(|w| w.trim_end_matches([':', ',', '.']).to_uppercase())
                .unwrap_or_default(),
        );
    }
    if REPORT.contains(&first) {
        let (code, said) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(a, b)| (a, b.trim()));
        if let Some(project) = project_code(code) {
            return Intent::ProjectReport {
                project,
                text: said.to_owned(),
            };
        }
    }
    if REVIEW.contains(&first) {
        // The reference is the first word after the keyword (its digits, with or without
        // prefix and hyphens); the grounds are the rest.
        let (reference, grounds) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(a, b)| (a, b.trim()));
        return match CaseNumber::parse(reference) {
            Ok(n) => Intent::Review(n, grounds.to_owned()),
            Err(_) => Intent::BadReference(reference.to_owned()),
        };
    }
    if REQUEST.contains(&first) && !rest.is_empty() {
        let (second, after) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(a, b)| (a, b.trim()));
        let urgent = URGENT.contains(&second.to_uppercase().trim_end_matches([':', ',']));
        return Intent::NewRequest {
            text: if urgent && !after.is_empty() {
                after.to_owned()
            } else {
                rest.to_owned()
            },
            urgent,
        };
    }
    if alone {
        if HELP.contains(&first) {
            return Intent::Help;
        }
        if let Some(l) = language_keyword(first) {
            return Intent::SetLanguage(l);
        }
    }
    if let Some(case) = awaiting.confirmation {
        if alone && YES.contains(&first) {
            return Intent::Confirm(case);
        }
        if alone && NO.contains(&first) {
            return Intent::Deny(case, None);
        }
        if first == "2" {
            return Intent::Deny(case, Some(rest.to_owned()).filter(|r| !r.is_empty()));
        }
    }
    if let Some(case) = awaiting.rating
        && alone
        && let Ok(score @ 1..=5) = first.parse::<u8>()
    {
        return Intent::Rate(case, score);
    }
    // A body asked for a clarification: the next message that is no keyword answers it.
    if let Some(case) = awaiting.clarification
        && !text.is_empty()
    {
        return Intent::Clarify(case, text.to_owned());
    }
    Intent::NewConcern(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keywords_need_a_project_code() {
        let none = Awaiting::default();
        assert_eq!(
            interpret("info em-rd-014", &none),
            Intent::ProjectInfo("EM-RD-014".into())
        );
        assert_eq!(
            interpret("HABARI EM-RD-014", &none),
            Intent::ProjectInfo("EM-RD-014".into())
        );
        assert_eq!(
            interpret("RIPOTI EM-RD-014: culverts missing", &none),
            Intent::ProjectReport {
                project: "EM-RD-014".into(),
                text: "culverts missing".into()
            }
        );
        // Without a code, "report" is how the citizen starts a concern: nothing lost.
        assert_eq!(
            interpret("Report the road to Iten is cut", &none),
            Intent::NewConcern("Report the road to Iten is cut".into())
        );
    }

    fn n() -> CaseNumber {
        CaseNumber::parse("4821-0937")
            .unwrap_or_else(|_| CaseNumber::parse("00000000").expect("valid"))
    }

    #[test]
    fn keywords_in_three_languages() {
        let none = Awaiting::default();
        let r = n().display_with("EM");
        for kw in ["STATUS", "status", "Hali", "HALI", "statut"] {
            assert_eq!(
                interpret(&format!("{kw} {r}"), &none),
                Intent::Status(Some(n())),
                "{kw}"
            );
        }
        assert_eq!(interpret("hali", &none), Intent::Status(None));
        assert_eq!(
            interpret("STATUS 1234", &none),
            Intent::BadReference("1234".into())
        );
        for kw in ["HELP", "msaada", "Aide"] {
            assert_eq!(interpret(kw, &none), Intent::Help);
        }
        assert_eq!(interpret("STOP", &none), Intent::Stop);
        assert_eq!(interpret("stop messages please", &none), Intent::Stop);
        assert_eq!(
            interpret("kiswahili", &none),
            Intent::SetLanguage(Language::Kiswahili)
        );
        assert_eq!(
            interpret("Help! the bridge at Kimwarer is down", &none),
            Intent::NewConcern("Help! the bridge at Kimwarer is down".into())
        );
    }

    #[test]
    fn answers_only_mean_something_when_a_case_waits() {
        let none = Awaiting::default();
        assert_eq!(interpret("1", &none), Intent::NewConcern("1".into()));
        let waiting = Awaiting {
            confirmation: Some(n()),
            rating: None,
            clarification: None,
        };
        for yes in ["1", "yes", "Ndio", "OUI"] {
            assert_eq!(interpret(yes, &waiting), Intent::Confirm(n()), "{yes}");
        }
        assert_eq!(interpret("2", &waiting), Intent::Deny(n(), None));
        assert_eq!(interpret("Hapana", &waiting), Intent::Deny(n(), None));
        assert_eq!(
            interpret("2 bado hakuna maji", &waiting),
            Intent::Deny(n(), Some("bado hakuna maji".into()))
        );
        // Text that merely starts like an answer is a new concern, never an answer.
        for concern in [
            "No water at the market",
            "La route est coupée",
            "1 tap broken",
            "the pump broke again",
        ] {
            assert_eq!(
                interpret(concern, &waiting),
                Intent::NewConcern(concern.into()),
                "{concern}"
            );
        }
        let rating = Awaiting {
            confirmation: None,
            rating: Some(n()),
            clarification: None,
        };
        assert_eq!(interpret("4", &rating), Intent::Rate(n(), 4));
        assert_eq!(interpret("9", &rating), Intent::NewConcern("9".into()));
        assert_eq!(interpret("STATUS", &rating), Intent::Status(None));
    }

    #[test]
    fn information_requests_by_keyword_in_three_languages() {
        let none = Awaiting::default();
        for kw in ["REQUEST", "request", "Ombi", "DEMANDE"] {
            assert_eq!(
                interpret(&format!("{kw} the 2025 bursary list"), &none),
                Intent::NewRequest {
                    text: "the 2025 bursary list".into(),
                    urgent: false
                }
            );
        }
        assert_eq!(
            interpret("OMBI HARAKA my son is detained at Iten", &none),
            Intent::NewRequest {
                text: "my son is detained at Iten".into(),
                urgent: true
            }
        );
        // A bare keyword is no request: it is a concern's text, answered as usual.
        assert_eq!(
            interpret("REQUEST", &none),
            Intent::NewConcern("REQUEST".into())
        );
        let clarify = Awaiting {
            clarification: Some(n()),
            ..Awaiting::default()
        };
        assert_eq!(
            interpret("The year 2025", &clarify),
            Intent::Clarify(n(), "The year 2025".into())
        );
        assert_eq!(interpret("HALI", &clarify), Intent::Status(None));
    }
}
