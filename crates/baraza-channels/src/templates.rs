//! Message templates in English, Kiswahili and French (Fluent), chosen by the citizen's
//! language. Rendering is pure and deterministic: no bidirectional isolation marks
//! (they would cost UCS-2 on SMS), and texts bound for SMS are made GSM-7 where they can be.

use baraza_core::Language;
use baraza_core::outbound::{OutboundChannel, Template};
use baraza_core::sms;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

const EN: &str = include_str!("../locales/en.ftl");
const SW: &str = include_str!("../locales/sw.ftl");
const FR: &str = include_str!("../locales/fr.ftl");

/// The three bundles, built once.
pub struct Templates {
    en: FluentBundle<FluentResource>,
    sw: FluentBundle<FluentResource>,
    fr: FluentBundle<FluentResource>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("the {0} message file does not parse: {1}")]
    Parse(&'static str, String),
    #[error("no message {0:?} in {1}")]
    Missing(&'static str, &'static str),
    #[error("message {0:?} in {1} did not render: {2}")]
    Render(&'static str, &'static str, String),
}

fn bundle(lang: &'static str, source: &str) -> Result<FluentBundle<FluentResource>, TemplateError> {
    let res = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errs)| TemplateError::Parse(lang, format!("{errs:?}")))?;
    let id: unic_langid::LanguageIdentifier = lang
        .parse()
        .map_err(|e| TemplateError::Parse(lang, format!("{e:?}")))?;
    // The concurrent bundle is Sync: one set of templates serves every worker and request.
    let mut b = FluentBundle::new_concurrent(vec![id]);
    b.set_use_isolating(false);
    b.add_resource(res)
        .map_err(|errs| TemplateError::Parse(lang, format!("{errs:?}")))?;
    Ok(b)
}

impl Templates {
    pub fn load() -> Result<Self, TemplateError> {
        Ok(Self {
            en: bundle("en", EN)?,
            sw: bundle("sw", SW)?,
            fr: bundle("fr", FR)?,
        })
    }

    fn bundle(&self, lang: Language) -> (&FluentBundle<FluentResource>, &'static str) {
        match lang {
            Language::English => (&self.en, "en"),
            Language::Kiswahili => (&self.sw, "sw"),
            Language::French => (&self.fr, "fr"),
        }
    }

    /// A message by id with named arguments (USSD screens), in `lang`.
    pub fn text(
        &self,
        id: &'static str,
        lang: Language,
        args: &[(&'static str, String)],
    ) -> Result<String, TemplateError> {
        let (bundle, code) = self.bundle(lang);
        let msg = bundle
            .get_message(id)
            .ok_or(TemplateError::Missing(id, code))?;
        let pattern = msg.value().ok_or(TemplateError::Missing(id, code))?;
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned();
        if !errors.is_empty() {
            return Err(TemplateError::Render(id, code, format!("{errors:?}")));
        }
        Ok(text)
    }

    /// The message text in `lang`, shaped for `channel`.
    pub fn render(
        &self,
        template: &Template,
        lang: Language,
        channel: OutboundChannel,
    ) -> Result<String, TemplateError> {
        let (bundle, code) = self.bundle(lang);
        let id = template.id();
        let msg = bundle
            .get_message(id)
            .ok_or(TemplateError::Missing(id, code))?;
        let pattern = msg.value().ok_or(TemplateError::Missing(id, code))?;
        let mut args = FluentArgs::new();
        for (k, v) in template.args() {
            args.set(k, v);
        }
        let mut errors = Vec::new();
        let text = bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned();
        if !errors.is_empty() {
            return Err(TemplateError::Render(id, code, format!("{errors:?}")));
        }
        Ok(match channel {
            OutboundChannel::Sms => sms::gsm_friendly(&text),
            _ => text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_core::Status;

    fn every_template() -> Vec<Template> {
        let r = || "EM-4821-0937".to_owned();
        vec![
            Template::Acknowledgement { reference: r() },
            Template::Response {
                reference: r(),
                text: "The pump is fixed.".into(),
            },
            Template::AskRating { reference: r() },
            Template::RatingThanks { reference: r() },
            Template::Reopened { reference: r() },
            Template::Rejected {
                reference: r(),
                reason: "national road".into(),
            },
            Template::Referred {
                reference: r(),
                to: "KeNHA".into(),
                reason: "national road".into(),
            },
            Template::Duplicate {
                reference: r(),
                of: "EM-1234-5670".into(),
            },
            Template::Reminder { reference: r() },
            Template::ClosedUnconfirmed { reference: r() },
            Template::ReplyNoted { reference: r() },
            Template::Status {
                reference: r(),
                status: Status::Responded,
            },
            Template::StatusNotFound { reference: r() },
            Template::CaseFollowing { reference: r() },
            Template::FollowedUpdate {
                reference: r(),
                status: Status::Responded,
            },
            Template::FollowedUpdate {
                reference: r(),
                status: Status::Escalated,
            },
            Template::NoCaseYet,
            Template::BadReference {
                typed: "1234".into(),
            },
            Template::Help,
            Template::Stopped,
            Template::LanguageChanged,
        ]
    }

    #[test]
    fn every_template_renders_in_every_language_within_one_sms() {
        let t = Templates::load().unwrap();
        for lang in Language::ALL {
            for template in every_template() {
                let text = t.render(&template, *lang, OutboundChannel::Sms).unwrap();
                let count = sms::count(&text);
                assert_eq!(
                    count.encoding,
                    sms::Encoding::Gsm7,
                    "{lang} {}: {text}",
                    template.id()
                );
                assert_eq!(
                    count.segments,
                    1,
                    "{lang} {} is {} septets: {text}",
                    template.id(),
                    count.units
                );
                assert!(!text.contains('{'), "{text}");
            }
        }
    }

    /// Information requests' messages: the words around the officer's own text fit one
    /// SMS (the officer's reasons may add segments), in GSM-7, in every language.
    #[test]
    fn request_messages_fit_one_sms_around_the_officers_words() {
        let t = Templates::load().unwrap();
        let r = || "EM-4821-0937".to_owned();
        let e = String::new;
        let mut all = vec![
            Template::RequestReceived {
                reference: r(),
                due: "2026-11-23".into(),
            },
            Template::RequestClarification {
                reference: r(),
                text: e(),
            },
            Template::RequestTransferred {
                reference: r(),
                to: "KeRRA".into(),
            },
            Template::RequestExtended {
                reference: r(),
                due: "2026-12-07".into(),
                reason: e(),
            },
            Template::RequestProvided {
                reference: r(),
                text: e(),
            },
            Template::RequestDeemedRefused {
                reference: r(),
                review: e(),
            },
            Template::StaffDeemedRefused { reference: r() },
        ];
        for d in baraza_core::information::Decision::ALL {
            all.push(Template::RequestDecided {
                reference: r(),
                decision: d.as_str().into(),
                reasons: e(),
                review: e(),
            });
        }
        for o in baraza_core::information::ReviewOutcome::ALL {
            all.push(Template::RequestReviewDecided {
                reference: r(),
                outcome: o.as_str().into(),
                text: e(),
            });
        }
        for s in baraza_core::information::RequestState::ALL {
            all.push(Template::RequestStatus {
                reference: r(),
                state: s.as_str().into(),
                due: "2026-11-23".into(),
            });
        }
        for lang in Language::ALL {
            for template in &all {
                let text = t.render(template, *lang, OutboundChannel::Sms).unwrap();
                let count = sms::count(&text);
                assert_eq!(count.encoding, sms::Encoding::Gsm7, "{lang}: {text}");
                assert_eq!(count.segments, 1, "{lang}: {text}");
                assert!(!text.contains('{') && !text.contains("other"), "{text}");
            }
        }
    }

    #[test]
    fn statuses_read_naturally() {
        let t = Templates::load().unwrap();
        let s = |lang, status| {
            t.render(
                &Template::Status {
                    reference: "EM-4821-0937".into(),
                    status,
                },
                lang,
                OutboundChannel::Whatsapp,
            )
            .unwrap()
        };
        assert_eq!(
            s(Language::English, Status::InProgress),
            "EM-4821-0937: being worked on."
        );
        assert_eq!(
            s(Language::Kiswahili, Status::Resolved),
            "EM-4821-0937: imetatuliwa."
        );
        assert_eq!(
            s(Language::French, Status::Received),
            "EM-4821-0937 : reçue."
        );
        // On SMS the French is made GSM-7.
        let sms = t
            .render(
                &Template::Status {
                    reference: "EM-4821-0937".into(),
                    status: Status::Received,
                },
                Language::French,
                OutboundChannel::Sms,
            )
            .unwrap();
        assert_eq!(sms, "EM-4821-0937 : recue.");
    }
}
