//! The USSD menu, as a pure function of what the citizen has typed so far. Africa's
//! Talking sends every input of the session joined by `*` (`1*2*Nairobi`); we answer
//! `CON <screen>` to ask for more or `END <screen>` to finish. Screens stay within 182
//! characters: long lists page with `0. More`, and choices keep their numbers across pages.

use crate::templates::{TemplateError, Templates};
use baraza_core::{AreaCode, Language};

/// The most a USSD screen may hold (the reference's figure for Africa's Talking).
pub const SCREEN_LIMIT: usize = 182;

/// A screen cut to the limit, whatever it carries (an echoed reference, a long answer):
/// no input can make a screen the phone would refuse.
pub fn fit(text: &str) -> String {
    if text.chars().count() <= SCREEN_LIMIT {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(SCREEN_LIMIT - 1).collect();
    out.push('…');
    out
}

/// What the menu offers: the jurisdiction's reference data, labelled for a small screen.
pub struct Menu {
    pub county: String,
    /// Departments that have categories: (code, label).
    pub departments: Vec<(String, String)>,
    /// (code, department code, label).
    pub categories: Vec<(String, String, String)>,
    /// The level above wards: (code, label). Empty when wards are the only level below.
    pub subcounties: Vec<(AreaCode, String)>,
    /// Wards: (code, parent code, label).
    pub wards: Vec<(AreaCode, Option<AreaCode>, String)>,
    /// Commitments of the jurisdiction's action plans: (OGP id, label).
    pub commitments: Vec<(String, String)>,
    /// Public projects: (code, ward, label).
    pub projects: Vec<(String, AreaCode, String)>,
}

/// What the session asks for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Show a screen; `end` closes the session.
    Screen {
        end: bool,
        text: String,
    },
    /// File a concern.
    Raise {
        category: String,
        ward: AreaCode,
        text: String,
    },
    /// File an information request.
    Request {
        text: String,
    },
    /// File a comment on a commitment of an action plan.
    Comment {
        commitment: String,
        text: String,
    },
    /// File a concern about a public project.
    ProjectReport {
        project: String,
        text: String,
    },
    /// Follow a ward's public projects (one SMS a day at most).
    Subscribe {
        ward: AreaCode,
    },
    /// Look a case up by what was typed.
    Lookup(String),
    /// Show the case waiting for "is it solved?", if any.
    AskAnswer,
    /// The answer to "is it solved?".
    Answer(bool),
    Language(Language),
}

enum Pick {
    Chosen(usize, usize),
    Show(String),
    Invalid,
}

fn short(label: &str) -> String {
    let mut s: String = label.chars().take(28).collect();
    if label.chars().count() > 28 {
        s.push('.');
    }
    s
}

/// One page of a numbered list, starting at `start`; returns the text and where it ended.
fn page(header: &str, items: &[String], start: usize, more: &str) -> (String, usize) {
    let more_line = format!("\n0. {more}");
    let mut text = header.to_owned();
    let mut i = start;
    while i < items.len() {
        let line = format!("\n{}. {}", i + 1, short(&items[i]));
        let reserve = if i + 1 < items.len() {
            more_line.len()
        } else {
            0
        };
        if text.len() + line.len() + reserve + 4 > SCREEN_LIMIT && i > start {
            break;
        }
        text.push_str(&line);
        i += 1;
    }
    if i < items.len() {
        text.push_str(&more_line);
    }
    (text, i)
}

/// Choose from a paged list with the inputs at this level.
fn pick(header: &str, items: &[String], inputs: &[&str], more: &str) -> Pick {
    let (mut start, mut used) = (0, 0);
    loop {
        let (text, end) = page(header, items, start, more);
        match inputs.get(used) {
            None => return Pick::Show(text),
            Some(&"0") if end < items.len() => {
                start = end;
                used += 1;
            }
            Some(p) => {
                return match p.trim().parse::<usize>() {
                    Ok(n) if (1..=items.len()).contains(&n) => Pick::Chosen(n - 1, used + 1),
                    _ => Pick::Invalid,
                };
            }
        }
    }
}

/// Choose a ward (through its sub-county when there are sub-counties); returns the ward
/// and the inputs left.
fn pick_ward<'a>(
    menu: &Menu,
    mut rest: &'a [&'a str],
    say: &dyn Fn(&'static str) -> Result<String, TemplateError>,
    more: &str,
) -> Result<Result<(AreaCode, &'a [&'a str]), Pick>, TemplateError> {
    let parent = if menu.subcounties.is_empty() {
        None
    } else {
        let labels: Vec<String> = menu.subcounties.iter().map(|(_, l)| l.clone()).collect();
        match pick(&say("ussd-subcounty")?, &labels, rest, more) {
            Pick::Chosen(i, used) => {
                rest = &rest[used..];
                Some(menu.subcounties[i].0.clone())
            }
            other => return Ok(Err(other)),
        }
    };
    let wards: Vec<&(AreaCode, Option<AreaCode>, String)> = menu
        .wards
        .iter()
        .filter(|w| parent.is_none() || w.1 == parent)
        .collect();
    let labels: Vec<String> = wards.iter().map(|w| w.2.clone()).collect();
    Ok(match pick(&say("ussd-ward")?, &labels, rest, more) {
        Pick::Chosen(i, used) => Ok((wards[i].0.clone(), &rest[used..])),
        other => Err(other),
    })
}

/// The next step of a session, from everything typed so far.
pub fn step(
    typed: &str,
    menu: &Menu,
    lang: Language,
    t: &Templates,
) -> Result<Step, TemplateError> {
    let say = |id: &'static str| t.text(id, lang, &[]);
    let con = |text: String| Step::Screen { end: false, text };
    let end = |text: String| Step::Screen { end: true, text };
    let inputs: Vec<&str> = if typed.is_empty() {
        vec![]
    } else {
        typed.split('*').collect()
    };
    let more = say("ussd-more")?;
    let invalid = || say("ussd-invalid").map(end);
    match inputs.first().map(|s| s.trim()) {
        None => Ok(con(t.text(
            "ussd-root",
            lang,
            &[("county", menu.county.clone())],
        )?)),
        Some("1") => {
            let mut rest = &inputs[1..];
            let labels: Vec<String> = menu.departments.iter().map(|(_, l)| l.clone()).collect();
            let dept = match pick(&say("ussd-department")?, &labels, rest, &more) {
                Pick::Chosen(i, used) => {
                    rest = &rest[used..];
                    &menu.departments[i].0
                }
                Pick::Show(text) => return Ok(con(text)),
                Pick::Invalid => return invalid(),
            };
            let cats: Vec<&(String, String, String)> =
                menu.categories.iter().filter(|c| &c.1 == dept).collect();
            let labels: Vec<String> = cats.iter().map(|c| c.2.clone()).collect();
            let category = match pick(&say("ussd-category")?, &labels, rest, &more) {
                Pick::Chosen(i, used) => {
                    rest = &rest[used..];
                    cats[i].0.clone()
                }
                Pick::Show(text) => return Ok(con(text)),
                Pick::Invalid => return invalid(),
            };
            let ward = match pick_ward(menu, rest, &say, &more)? {
                Ok((ward, left)) => {
                    rest = left;
                    ward
                }
                Err(Pick::Show(text)) => return Ok(con(text)),
                Err(_) => return invalid(),
            };
            // The description may itself contain `*`: it is everything that remains.
            let text = rest.join("*").trim().to_owned();
            if text.is_empty() {
                return Ok(con(say("ussd-describe")?));
            }
            Ok(Step::Raise {
                category,
                ward,
                text,
            })
        }
        Some("2") => match inputs.len() {
            1 => Ok(con(say("ussd-enter-reference")?)),
            _ => Ok(Step::Lookup(inputs[1..].join("*"))),
        },
        Some("3") => match inputs.get(1).map(|s| s.trim()) {
            None => Ok(Step::AskAnswer),
            Some("1") => Ok(Step::Answer(true)),
            Some("2") => Ok(Step::Answer(false)),
            Some(_) => invalid(),
        },
        Some("4") => match inputs.get(1).map(|s| s.trim()) {
            None => Ok(con(say("ussd-language")?)),
            Some("1") => Ok(Step::Language(Language::English)),
            Some("2") => Ok(Step::Language(Language::Kiswahili)),
            Some("3") => Ok(Step::Language(Language::French)),
            Some(_) => invalid(),
        },
        Some("5") => {
            // The request may itself contain `*`: it is everything that follows.
            let text = inputs[1..].join("*").trim().to_owned();
            if text.is_empty() {
                Ok(con(say("ussd-request-describe")?))
            } else {
                Ok(Step::Request { text })
            }
        }
        Some("6") => {
            if menu.commitments.is_empty() {
                return Ok(end(say("ussd-no-plans")?));
            }
            let labels: Vec<String> = menu
                .commitments
                .iter()
                .map(|(id, l)| format!("{id} {l}"))
                .collect();
            let rest = &inputs[1..];
            let (commitment, rest) = match pick(&say("ussd-commitment")?, &labels, rest, &more) {
                Pick::Chosen(i, used) => (menu.commitments[i].0.clone(), &rest[used..]),
                Pick::Show(text) => return Ok(con(text)),
                Pick::Invalid => return invalid(),
            };
            let text = rest.join("*").trim().to_owned();
            if text.is_empty() {
                return Ok(con(t.text(
                    "ussd-comment-describe",
                    lang,
                    &[("commitment", commitment)],
                )?));
            }
            Ok(Step::Comment { commitment, text })
        }
        Some("7") => match inputs.get(1).map(|s| s.trim()) {
            None => Ok(con(say("ussd-projects")?)),
            // Report on a project: ward, then one of its projects, then the words.
            Some("1") => {
                let ward = match pick_ward(menu, &inputs[2..], &say, &more)? {
                    Ok(found) => found,
                    Err(Pick::Show(text)) => return Ok(con(text)),
                    Err(_) => return invalid(),
                };
                let (ward, rest) = ward;
                let here: Vec<&(String, AreaCode, String)> =
                    menu.projects.iter().filter(|p| p.1 == ward).collect();
                if here.is_empty() {
                    return Ok(end(say("ussd-no-projects")?));
                }
                let labels: Vec<String> = here.iter().map(|p| format!("{} {}", p.0, p.2)).collect();
                let (project, rest) = match pick(&say("ussd-project")?, &labels, rest, &more) {
                    Pick::Chosen(i, used) => (here[i].0.clone(), &rest[used..]),
                    Pick::Show(text) => return Ok(con(text)),
                    Pick::Invalid => return invalid(),
                };
                let text = rest.join("*").trim().to_owned();
                if text.is_empty() {
                    return Ok(con(t.text(
                        "ussd-project-describe",
                        lang,
                        &[("project", project)],
                    )?));
                }
                Ok(Step::ProjectReport { project, text })
            }
            // Alerts: a ward, then subscribed.
            Some("2") => match pick_ward(menu, &inputs[2..], &say, &more)? {
                Ok((ward, _)) => Ok(Step::Subscribe { ward }),
                Err(Pick::Show(text)) => Ok(con(text)),
                Err(_) => invalid(),
            },
            Some(_) => invalid(),
        },
        Some(_) => invalid(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_is_reported_on_and_a_ward_followed() {
        let t = Templates::load().unwrap();
        let m = menu(3);
        let en = Language::English;
        let screen = |typed: &str| match step(typed, &m, en, &t).unwrap() {
            Step::Screen { text, .. } => text,
            other => panic!("{typed}: {other:?}"),
        };
        assert!(screen("7").contains("1."));
        assert!(screen("7*1").contains("1."), "sub-counties or wards");
        let ward_path = if m.subcounties.is_empty() {
            "7*1*1"
        } else {
            "7*1*1*1"
        };
        assert!(
            screen(ward_path).contains("EM-RD-014"),
            "{}",
            screen(ward_path)
        );
        assert!(screen(&format!("{ward_path}*1")).contains("EM-RD-014"));
        assert_eq!(
            step(&format!("{ward_path}*1*Culverts missing"), &m, en, &t).unwrap(),
            Step::ProjectReport {
                project: "EM-RD-014".into(),
                text: "Culverts missing".into()
            }
        );
        let follow = if m.subcounties.is_empty() {
            "7*2*1"
        } else {
            "7*2*1*1"
        };
        assert_eq!(
            step(follow, &m, en, &t).unwrap(),
            Step::Subscribe {
                ward: AreaCode("0700".into())
            }
        );
    }

    #[test]
    fn a_comment_on_a_commitment_is_chosen_then_typed() {
        let t = Templates::load().unwrap();
        let m = menu(3);
        let en = Language::English;
        match step("6", &m, en, &t).unwrap() {
            Step::Screen { end: false, text } => assert!(text.contains("1. KENMS0005"), "{text}"),
            other => panic!("{other:?}"),
        }
        match step("6*1", &m, en, &t).unwrap() {
            Step::Screen { end: false, text } => assert!(text.contains("KENMS0005"), "{text}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            step("6*1*Publish the minutes*please", &m, en, &t).unwrap(),
            Step::Comment {
                commitment: "KENMS0005".into(),
                text: "Publish the minutes*please".into()
            }
        );
        assert!(matches!(
            step("6*9", &m, en, &t).unwrap(),
            Step::Screen { end: true, .. }
        ));
        let none = Menu {
            commitments: vec![],
            ..menu(3)
        };
        assert!(matches!(
            step("6", &none, en, &t).unwrap(),
            Step::Screen { end: true, .. }
        ));
    }

    fn menu(wards: usize) -> Menu {
        Menu {
            commitments: vec![(
                "KENMS0005".into(),
                "Institutionalise open government".into(),
            )],
            projects: vec![(
                "EM-RD-014".into(),
                AreaCode("0700".into()),
                "Tambach road".into(),
            )],
            county: "Elgeyo Marakwet".into(),
            departments: vec![
                ("health".into(), "Health".into()),
                ("water".into(), "Water".into()),
            ],
            categories: vec![
                (
                    "water-supply".into(),
                    "water".into(),
                    "No water supply".into(),
                ),
                (
                    "water-leak".into(),
                    "water".into(),
                    "Burst pipe or leak".into(),
                ),
                (
                    "health-medicine".into(),
                    "health".into(),
                    "Medicine shortage".into(),
                ),
            ],
            subcounties: vec![(AreaCode("149".into()), "Keiyo North".into())],
            wards: (0..wards)
                .map(|i| {
                    (
                        AreaCode(format!("07{i:02}")),
                        Some(AreaCode("149".into())),
                        format!("Ward number {i}"),
                    )
                })
                .collect(),
        }
    }

    fn screen(s: Step) -> (bool, String) {
        match s {
            Step::Screen { end, text } => (end, text),
            other => panic!("not a screen: {other:?}"),
        }
    }

    proptest::proptest! {
        /// Any sequence of inputs: every screen fits, and a concern is raised only at the
        /// end of the menu's path (1, category, area..., and a description).
        #[test]
        fn every_screen_fits_and_no_answer_becomes_a_case_by_accident(
            inputs in proptest::collection::vec("[0-9*#]{0,3}|[a-zA-Z ]{0,600}|[0-9]{0,600}", 0..8)
        ) {
            let t = Templates::load().unwrap();
            let m = menu(25);
            let typed = inputs.join("*");
            for lang in [Language::English, Language::Kiswahili, Language::French] {
                match step(&typed, &m, lang, &t).unwrap() {
                    Step::Screen { text, .. } => {
                        proptest::prop_assert!(fit(&text).chars().count() <= SCREEN_LIMIT);
                        proptest::prop_assert!(text.chars().count() <= SCREEN_LIMIT, "{}", text);
                    }
                    Step::Raise { text, .. } => {
                        proptest::prop_assert!(typed.starts_with('1'));
                        proptest::prop_assert!(!text.trim().is_empty());
                    }
                    Step::Answer(_) => proptest::prop_assert!(typed.trim_start().starts_with('3')),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_concern_is_raised_step_by_step() {
        let t = Templates::load().unwrap();
        let m = menu(3);
        let go = |typed: &str| step(typed, &m, Language::English, &t).unwrap();
        let (end, root) = screen(go(""));
        assert!(!end && root.contains("1. Raise a concern") && root.contains("Elgeyo Marakwet"));
        assert!(screen(go("1")).1.contains("2. Water"));
        assert!(screen(go("1*2")).1.contains("2. Burst pipe or leak"));
        assert!(screen(go("1*2*1")).1.contains("1. Keiyo North"));
        assert!(screen(go("1*2*1*1")).1.contains("3. Ward number 2"));
        assert_eq!(
            screen(go("1*2*1*1*3")).1,
            "Describe the problem in a few words:"
        );
        assert_eq!(
            go("1*2*1*1*3*Tap broken * again"),
            Step::Raise {
                category: "water-supply".into(),
                ward: AreaCode("0702".into()),
                text: "Tap broken * again".into()
            }
        );
        assert_eq!(
            screen(go("1*9")),
            (true, "Invalid choice. Please dial again.".into())
        );
        assert_eq!(go("2*EM-4821-0937"), Step::Lookup("EM-4821-0937".into()));
        assert_eq!(go("3"), Step::AskAnswer);
        assert_eq!(go("3*2"), Step::Answer(false));
        assert_eq!(go("4*2"), Step::Language(Language::Kiswahili));
    }

    #[test]
    fn long_lists_page_and_keep_their_numbers() {
        let t = Templates::load().unwrap();
        let m = menu(30);
        let go = |typed: &str| step(typed, &m, Language::Kiswahili, &t).unwrap();
        let (_, first) = screen(go("1*2*1*1"));
        assert!(
            first.starts_with("Wadi gani?") && first.ends_with("0. Zaidi"),
            "{first}"
        );
        let (_, second) = screen(go("1*2*1*1*0"));
        assert!(
            !second.contains("\n1. ") && second.contains("Ward number"),
            "{second}"
        );
        // A number from the second page picks that ward.
        let n: usize = second
            .lines()
            .nth(1)
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let picked = go(&format!("1*2*1*1*0*{n}*Hakuna maji"));
        assert_eq!(
            picked,
            Step::Raise {
                category: "water-supply".into(),
                ward: AreaCode(format!("07{:02}", n - 1)),
                text: "Hakuna maji".into()
            }
        );
        for lang in Language::ALL {
            for typed in [
                "",
                "1",
                "1*2",
                "1*2*1",
                "1*2*1*1",
                "1*2*1*1*0",
                "2",
                "4",
                "9",
            ] {
                if let Step::Screen { text, .. } = step(typed, &m, *lang, &t).unwrap() {
                    assert!(
                        text.len() <= SCREEN_LIMIT,
                        "{lang} {typed}: {} bytes",
                        text.len()
                    );
                }
            }
        }
    }
}
