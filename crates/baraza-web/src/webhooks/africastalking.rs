//! Africa's Talking callbacks: `POST /webhooks/africastalking/{secret}/sms` (incoming SMS)
//! and `/delivery` (delivery reports). Africa's Talking does not sign its callbacks, so
//! the URL's secret segment is the authentication.

use crate::AppState;
use crate::error::{AppError, FormBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use baraza_channels::africastalking::{Config, DeliveryReport, IncomingSms, PROVIDER};
use baraza_channels::ussd::{self, Menu};
use baraza_core::lifecycle::Actor;
use baraza_core::outbound::{InboundMessage, OutboundChannel, Template};
use baraza_core::{
    CaseKind, CaseNumber, Channel, Consent, Language, NewCase, NewCitizen, PhoneNumber, Status,
};
use baraza_store::inbound::Arrival;

fn configured<'a>(state: &'a AppState, secret: &str) -> Result<&'a Config, AppError> {
    let Some(config) = state.channels.africastalking.as_ref() else {
        return Err(AppError::NotFound {
            code: "no_route",
            detail: "Africa's Talking is not configured".into(),
        });
    };
    if !config.webhook_secret.matches(secret) {
        tracing::warn!("Africa's Talking callback with a wrong secret refused");
        return Err(AppError::Forbidden {
            code: "bad_webhook_secret",
            detail: "this callback URL is not valid".into(),
        });
    }
    Ok(config)
}

/// The optional allow-list, as a layer on every Africa's Talking callback: the peer's
/// address comes from the connection (`serve` records it), never from a header.
pub async fn allow_list(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<Response, AppError> {
    if let Some(config) = state.channels.africastalking.as_ref()
        && !config.allowed_ips.is_empty()
    {
        let peer = req
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        if !peer.is_some_and(|ip| config.allowed_ips.contains(&ip)) {
            tracing::warn!(
                "Africa's Talking callback from an address outside the allow-list refused"
            );
            return Err(AppError::Forbidden {
                code: "address_not_allowed",
                detail: "callbacks are not accepted from this address".into(),
            });
        }
    }
    Ok(next.run(req).await)
}

fn form<T>(parsed: Result<FormBody<T>, AppError>) -> Result<T, AppError> {
    parsed.map(|FormBody(v)| v).map_err(|e| match e {
        AppError::BadRequest { detail, .. } => AppError::BadRequest {
            code: "bad_callback",
            detail,
        },
        other => other,
    })
}

/// An SMS from a citizen.
pub async fn incoming_sms(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parsed: Result<FormBody<IncomingSms>, AppError>,
) -> Result<StatusCode, AppError> {
    let config = configured(&state, &secret)?;
    let sms = form(parsed)?;
    if sms.id.trim().is_empty() || sms.id.len() > 128 {
        return Err(AppError::BadRequest {
            code: "bad_callback",
            detail: "id: missing or too long".into(),
        });
    }
    let from = PhoneNumber::parse(&sms.from).map_err(|_| AppError::BadRequest {
        code: "bad_callback",
        detail: "from: not an E.164 number".into(),
    })?;
    let (jurisdiction, cat) =
        super::served_jurisdiction(&state, "africastalking", &config.jurisdiction).await?;
    let throttled = state.senders.throttled(from.as_str());
    let arrival = Arrival {
        message: InboundMessage {
            id: uuid::Uuid::now_v7(),
            // The store gives it the receiving jurisdiction's.
            jurisdiction: None,
            provider: PROVIDER.into(),
            provider_message_id: baraza_core::text::clean(&sms.id),
            channel: Channel::Sms,
            from: from.as_str().to_owned(),
            to: sms.to,
            body: baraza_core::text::clean(&sms.text),
            received_at: state.clock.now(),
            case_id: None,
            outcome: baraza_core::outbound::InboundOutcome::Unhandled,
            media: None,
        },
        jurisdiction,
        default_language: cat.jurisdiction.default_language,
        targets: cat.targets.clone(),
        hold: throttled.then_some(baraza_core::outbound::InboundOutcome::Throttled),
    };
    super::keep(&state, arrival, "sms").await?;
    Ok(StatusCode::OK)
}

/// A delivery report: counted only for a message id we were given when sending.
pub async fn delivery_report(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parsed: Result<FormBody<DeliveryReport>, AppError>,
) -> Result<StatusCode, AppError> {
    configured(&state, &secret)?;
    let report = form(parsed)?;
    let status = report.outcome().ok_or_else(|| AppError::BadRequest {
        code: "bad_callback",
        detail: format!("status: unknown value {:?}", report.status),
    })?;
    let ours = state
        .store
        .outbox_delivery(
            PROVIDER,
            &report.id,
            status,
            report.failure_reason.clone(),
            state.clock.now(),
        )
        .await?;
    if !ours {
        tracing::warn!("delivery report for a message id we did not issue refused");
        return Err(AppError::NotFound {
            code: "unknown_message",
            detail: "no message with this id was sent by us".into(),
        });
    }
    Ok(StatusCode::OK)
}

/// A USSD callback (form fields as Africa's Talking sends them).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct UssdRequest {
    #[serde(rename = "sessionId")]
    pub session_id: String,
    #[serde(rename = "serviceCode")]
    pub service_code: Option<String>,
    #[serde(rename = "phoneNumber")]
    pub phone_number: String,
    #[serde(rename = "networkCode")]
    pub network_code: Option<String>,
    #[serde(default)]
    pub text: String,
}

fn ussd_answer(end: bool, text: &str) -> Response {
    let body = format!("{} {}", if end { "END" } else { "CON" }, ussd::fit(text));
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn menu_of(cat: &baraza_app::JurisdictionCatalog) -> Menu {
    let with_categories =
        |d: &&baraza_core::Department| cat.categories.iter().any(|c| c.department == d.code);
    let mut areas: Vec<&baraza_core::Area> = cat.areas.iter().collect();
    areas.sort_by(|a, b| (a.depth, &a.code).cmp(&(b.depth, &b.code)));
    let leaf = areas.iter().map(|a| a.depth).max().unwrap_or(0);
    Menu {
        county: cat.jurisdiction.name.clone(),
        departments: cat
            .departments
            .iter()
            .filter(with_categories)
            .map(|d| {
                let mut label = d.code.replace('-', " ");
                if let Some(first) = label.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                (d.code.clone(), label)
            })
            .collect(),
        categories: cat
            .categories
            .iter()
            .map(|c| (c.code.clone(), c.department.clone(), c.name.clone()))
            .collect(),
        subcounties: if leaf >= 2 {
            areas
                .iter()
                .filter(|a| a.depth == leaf - 1)
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect()
        } else {
            vec![]
        },
        commitments: Vec::new(),
        projects: Vec::new(),
        wards: areas
            .iter()
            .filter(|a| a.depth == leaf)
            .map(|a| (a.code.clone(), a.parent.clone(), a.name.clone()))
            .collect(),
    }
}

/// A USSD session's step. Answers `CON ...` or `END ...` as text; on our own failure the
/// session ends politely (Africa's Talking ends it anyway on an error status).
pub async fn ussd(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parsed: Result<FormBody<UssdRequest>, AppError>,
) -> Result<Response, AppError> {
    let config = configured(&state, &secret)?;
    let req = form(parsed)?;
    let phone = PhoneNumber::parse(&req.phone_number).map_err(|_| AppError::BadRequest {
        code: "bad_callback",
        detail: "phoneNumber: not an E.164 number".into(),
    })?;
    if req.session_id.trim().is_empty() || req.session_id.len() > 128 {
        return Err(AppError::BadRequest {
            code: "bad_callback",
            detail: "sessionId: missing or too long".into(),
        });
    }
    match ussd_step(&state, config, &req, &phone).await {
        Ok(r) => Ok(r),
        Err(e) => {
            tracing::error!(error = ?e, "a USSD step failed");
            Ok(ussd_answer(
                true,
                "Sorry, something went wrong. Please try again later.",
            ))
        }
    }
}

async fn ussd_step(
    state: &AppState,
    config: &Config,
    req: &UssdRequest,
    phone: &PhoneNumber,
) -> Result<Response, AppError> {
    let (jurisdiction, cat) =
        super::served_jurisdiction(state, "africastalking", &config.jurisdiction).await?;
    let citizen = state.store.citizen_by_phone(&jurisdiction, phone).await?;
    let lang = citizen
        .as_ref()
        .map_or(cat.jurisdiction.default_language, |c| c.language);
    let t = &state.templates;
    let say = |id: &'static str, args: &[(&'static str, String)]| {
        t.text(id, lang, args)
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let prefix = &cat.jurisdiction.reference_prefix;
    let mut menu = menu_of(&cat);
    // The plans are read only for the menu that lists them.
    if req.text.split('*').next().map(str::trim) == Some("6") {
        menu.commitments = state
            .app()
            .plans(&jurisdiction)
            .await?
            .iter()
            .flat_map(|p| p.commitments.iter())
            .map(|c| (c.ogp_id.clone(), c.title.clone()))
            .collect();
    }
    // So are the projects.
    if req.text.split('*').next().map(str::trim) == Some("7") {
        menu.projects = state
            .app()
            .projects(&jurisdiction)
            .await?
            .iter()
            .flat_map(|p| {
                p.wards
                    .iter()
                    .map(move |w| (p.code.clone(), w.clone(), p.title.clone()))
            })
            .collect();
    }
    let step =
        ussd::step(&req.text, &menu, lang, t).map_err(|e| AppError::Internal(e.to_string()))?;
    let inbound = |body: &str| Arrival {
        message: InboundMessage {
            id: uuid::Uuid::now_v7(),
            // The store gives it the receiving jurisdiction's.
            jurisdiction: None,
            provider: USSD_PROVIDER.into(),
            provider_message_id: req.session_id.clone(),
            channel: Channel::Ussd,
            from: phone.as_str().to_owned(),
            to: req.service_code.clone(),
            body: baraza_core::text::clean(body),
            received_at: state.clock.now(),
            case_id: None,
            outcome: baraza_core::outbound::InboundOutcome::Unhandled,
            media: None,
        },
        jurisdiction: jurisdiction.clone(),
        default_language: cat.jurisdiction.default_language,
        targets: cat.targets.clone(),
        hold: None,
    };
    Ok(match step {
        ussd::Step::Screen { end, text } => ussd_answer(end, &text),
        ussd::Step::Raise {
            category,
            ward,
            text,
        } => {
            let reference = file_by_ussd(
                state,
                &cat,
                phone,
                lang,
                &req.session_id,
                UssdFiling::Concern { category, ward },
                &text,
            )
            .await?;
            ussd_answer(true, &say("ussd-received", &[("reference", reference)])?)
        }
        ussd::Step::Request { text } => {
            let case = file_by_ussd(
                state,
                &cat,
                phone,
                lang,
                &req.session_id,
                UssdFiling::Request,
                &text,
            )
            .await?;
            ussd_answer(true, &say("ussd-request-received", &[("reference", case)])?)
        }
        ussd::Step::Comment { commitment, text } => {
            let case = file_by_ussd(
                state,
                &cat,
                phone,
                lang,
                &req.session_id,
                UssdFiling::Comment { commitment },
                &text,
            )
            .await?;
            ussd_answer(true, &say("ussd-comment-received", &[("reference", case)])?)
        }
        ussd::Step::ProjectReport { project, text } => {
            let case = file_by_ussd(
                state,
                &cat,
                phone,
                lang,
                &req.session_id,
                UssdFiling::Project { code: project },
                &text,
            )
            .await?;
            ussd_answer(true, &say("ussd-project-received", &[("reference", case)])?)
        }
        ussd::Step::Subscribe { ward } => {
            state
                .store
                .follow(baraza_core::disclosure::Subscription {
                    jurisdiction: jurisdiction.clone(),
                    class: baraza_core::project::ward_alert_class(&ward),
                    channel: baraza_core::outbound::OutboundChannel::Sms,
                    address: phone.as_str().to_owned(),
                    language: lang,
                    created_at: state.clock.now(),
                })
                .await?;
            let name = cat.area_name(Some(&ward));
            ussd_answer(true, &say("ussd-subscribed", &[("ward", name)])?)
        }
        ussd::Step::Lookup(typed) => {
            let text = match CaseNumber::parse(&typed) {
                Err(_) => t.render(
                    &Template::BadReference { typed },
                    lang,
                    OutboundChannel::Sms,
                ),
                Ok(n) => match state.store.case_by_number(n).await? {
                    Some(c) if c.jurisdiction == jurisdiction => t.render(
                        &baraza_core::outbound::status_of(&c, prefix),
                        lang,
                        OutboundChannel::Sms,
                    ),
                    _ => t.render(
                        &Template::StatusNotFound {
                            reference: n.display_with(prefix),
                        },
                        lang,
                        OutboundChannel::Sms,
                    ),
                },
            };
            ussd_answer(true, &text.map_err(|e| AppError::Internal(e.to_string()))?)
        }
        ussd::Step::AskAnswer => {
            let waiting = waiting_for_answer(state, citizen.as_ref()).await?;
            match waiting {
                None => ussd_answer(true, &say("ussd-no-answer-waiting", &[])?),
                Some(case) => {
                    let answer = state
                        .store
                        .case_events(case.id)
                        .await?
                        .iter()
                        .rev()
                        .find(|e| e.kind == baraza_core::EventKind::Responded)
                        .and_then(|e| {
                            e.data()
                                .get("text")
                                .and_then(|v| v.as_str())
                                .map(str::to_owned)
                        })
                        .unwrap_or_default();
                    let answer: String = answer.chars().take(90).collect();
                    let reference = case.number.display_with(prefix);
                    ussd_answer(
                        false,
                        &say(
                            "ussd-confirm",
                            &[("reference", reference), ("text", answer)],
                        )?,
                    )
                }
            }
        }
        ussd::Step::Answer(yes) => {
            // Only a case waiting for "is it solved?" takes an answer: with none, the
            // digit must not become a new concern whose text is "1".
            if waiting_for_answer(state, citizen.as_ref()).await?.is_none() {
                return Ok(ussd_answer(true, &say("ussd-no-answer-waiting", &[])?));
            }
            // Through the same conversation as SMS: the case waiting for an answer is
            // confirmed or reopened, and the reply goes out by SMS.
            state
                .store
                .receive_message(inbound(if yes { "1" } else { "2" }))
                .await?;
            ussd_answer(true, &say("ussd-thanks", &[])?)
        }
        ussd::Step::Language(l) => {
            let word = match l {
                Language::English => "ENGLISH",
                Language::Kiswahili => "KISWAHILI",
                Language::French => "FRANCAIS",
            };
            state.store.receive_message(inbound(word)).await?;
            let text = t
                .text("language-changed", l, &[])
                .map_err(|e| AppError::Internal(e.to_string()))?;
            ussd_answer(true, &text)
        }
    })
}

/// The citizen's case waiting for "is it solved?", if any.
async fn waiting_for_answer(
    state: &AppState,
    citizen: Option<&baraza_core::Citizen>,
) -> Result<Option<baraza_core::Case>, AppError> {
    let Some(c) = citizen else { return Ok(None) };
    Ok(state
        .store
        .cases_of_citizen(c.id, 10)
        .await?
        .into_iter()
        .find(|c| matches!(c.status, Status::Responded | Status::ClosedUnconfirmed)))
}

/// USSD sessions are stored under their own provider name, apart from SMS ids.
pub const USSD_PROVIDER: &str = "africastalking-ussd";

/// What a USSD session files.
enum UssdFiling {
    Concern {
        category: String,
        ward: baraza_core::AreaCode,
    },
    /// An information request: on the law's clock from now.
    Request,
    /// A comment on a commitment of an action plan.
    Comment { commitment: String },
    /// A concern about a public project, in its ward.
    Project { code: String },
}

/// File what a USSD session typed, once per session (Africa's Talking may resend the last
/// step); returns the reference.
async fn file_by_ussd(
    state: &AppState,
    cat: &baraza_app::JurisdictionCatalog,
    phone: &PhoneNumber,
    lang: Language,
    session: &str,
    what: UssdFiling,
    text: &str,
) -> Result<String, AppError> {
    let description =
        baraza_core::case::parse_description(text).map_err(|e| AppError::Invalid(vec![e]))?;
    let now = state.clock.now();
    let mut subject = None;
    let (kind, category, ward, request) = match what {
        UssdFiling::Comment { commitment } => {
            subject = Some(baraza_core::Subject::Commitment(commitment));
            (CaseKind::Suggestion, None, None, None)
        }
        UssdFiling::Project { code } => {
            let ward = state
                .app()
                .project(&cat.jurisdiction.id, &code)
                .await
                .ok()
                .and_then(|p| p.wards.first().cloned());
            subject = Some(baraza_core::Subject::Project(code));
            (CaseKind::Complaint, None, ward, None)
        }
        UssdFiling::Concern { category, ward } => {
            (CaseKind::Complaint, Some(category), Some(ward), None)
        }
        UssdFiling::Request => (
            CaseKind::InformationRequest,
            None,
            None,
            Some(baraza_core::information::open(&cat.targets, now, None)),
        ),
    };
    let new = NewCase {
        department: None,
        jurisdiction: cat.jurisdiction.id.clone(),
        kind,
        channel: Channel::Ussd,
        category,
        ladder: ward
            .as_ref()
            .map(|w| cat.areas.ladder(w))
            .unwrap_or_default(),
        ward,
        location: None,
        description,
        attachments: vec![],
        citizen: Some(NewCitizen {
            phone: Some(phone.clone()),
            whatsapp_id: None,
            email: None,
            name: None,
            language: lang,
            gender: None,
            age_band: None,
            consent: Consent {
                contact: true,
                publish: false,
            },
        }),
        idempotency_key: Some(format!("{USSD_PROVIDER}:{session}")),
        acknowledged_on_intake: true,
        subject,
        request,
    };
    let intake = state
        .store
        .create_case(new, Actor::citizen(None, Channel::Ussd), now)
        .await?;
    Ok(intake
        .case
        .number
        .display_with(&cat.jurisdiction.reference_prefix))
}
