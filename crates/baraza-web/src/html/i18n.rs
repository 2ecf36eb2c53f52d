//! The console's words in English, Kiswahili and French (Fluent files under
//! `locales/console`). A missing message falls back to English, then to its id, so a
//! page never fails for a translation; a test keeps the three files complete.

use baraza_core::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::{Arc, LazyLock};

const SOURCES: [(&str, &str); 3] = [
    ("en", include_str!("../../locales/console/en.ftl")),
    ("sw", include_str!("../../locales/console/sw.ftl")),
    ("fr", include_str!("../../locales/console/fr.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: &str, source: &str) -> Bundle {
    let res = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, errs)| {
        tracing::error!(lang, ?errs, "console messages do not all parse");
        res
    });
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    if let Err(errs) = b.add_resource(res) {
        tracing::error!(lang, ?errs, "console messages clash");
    }
    b
}

static BUNDLES: LazyLock<[Bundle; 3]> = LazyLock::new(|| SOURCES.map(|(l, s)| bundle(l, s)));

fn index(lang: Language) -> usize {
    match lang {
        Language::English => 0,
        Language::Kiswahili => 1,
        Language::French => 2,
    }
}

/// The words of one page, in the reader's language. Cheap to clone.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Language,
}

impl Tr {
    pub fn new(lang: Language) -> Self {
        Self { lang }
    }

    /// A message by id.
    pub fn t(&self, id: &str) -> String {
        self.args(id, &[])
    }

    /// A message with named arguments.
    pub fn args(&self, id: &str, args: &[(&str, String)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        for b in [&BUNDLES[index(self.lang)], &BUNDLES[0]] {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return b
                    .format_pattern(pattern, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }

    /// The language's code, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.as_str()
    }
}

/// The ids of the English file, in order (for the completeness test).
pub fn english_ids() -> Arc<Vec<String>> {
    Arc::new(ids(SOURCES[0].1))
}

fn ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        let en = english_ids();
        assert!(en.len() > 100);
        let mut unique = en.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), en.len(), "a message id is defined twice");
        for (lang, source) in &SOURCES[1..] {
            let have = ids(source);
            for id in en.iter() {
                assert!(have.contains(id), "{lang} lacks {id}");
            }
            let res = FluentResource::try_new(source.to_string());
            assert!(res.is_ok(), "{lang} does not parse");
        }
    }

    #[test]
    fn arguments_and_fallback() {
        let sw = Tr::new(Language::Kiswahili);
        let s = sw.args(
            "sms-count",
            &[
                ("segments", "2".into()),
                ("chars", "170".into()),
                ("encoding", "GSM-7".into()),
            ],
        );
        assert!(s.contains("170") && s.contains('2'), "{s}");
        assert_eq!(sw.t("no-such-message"), "no-such-message");
    }
}
