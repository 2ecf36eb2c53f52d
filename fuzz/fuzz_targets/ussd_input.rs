//! USSD sessions: any `*`-joined input gives a screen within 182 characters, or a step.
#![no_main]
use baraza_channels::templates::Templates;
use baraza_channels::ussd::{Menu, SCREEN_LIMIT, Step, fit, step};
use baraza_core::{AreaCode, Language};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| Templates::load().expect("templates"));
static MENU: LazyLock<Menu> = LazyLock::new(|| Menu {
    county: "Elgeyo Marakwet".into(),
    commitments: vec![(
        "KENMS0005".into(),
        "Institutionalise open government".into(),
    )],
    projects: vec![(
        "EM-RD-014".into(),
        AreaCode("0700".into()),
        "Tambach road grading".into(),
    )],
    departments: vec![
        ("water".into(), "Water".into()),
        ("health".into(), "Health".into()),
    ],
    categories: vec![
        (
            "water-supply".into(),
            "water".into(),
            "No water supply".into(),
        ),
        ("clinic".into(), "health".into(), "Clinic closed".into()),
    ],
    subcounties: vec![(AreaCode("149".into()), "Keiyo North".into())],
    wards: (0..30)
        .map(|i| {
            (
                AreaCode(format!("07{i:02}")),
                Some(AreaCode("149".into())),
                format!("Ward number {i}"),
            )
        })
        .collect(),
});

fuzz_target!(|data: &str| {
    for lang in [Language::English, Language::Kiswahili, Language::French] {
        if let Ok(Step::Screen { text, .. }) = step(data, &MENU, lang, &TEMPLATES) {
            assert!(
                text.chars().count() <= SCREEN_LIMIT,
                "{} chars",
                text.chars().count()
            );
        }
    }
    assert!(fit(data).chars().count() <= SCREEN_LIMIT);
});
