//! Twilio callbacks: `POST /webhooks/twilio` (an SMS or a WhatsApp message; `From` tells
//! which) and `POST /webhooks/twilio/status` (status callbacks). Every parameter Twilio
//! sent is covered by the signature, checked before anything else.

use crate::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use baraza_channels::twilio::{self, Config, PROVIDER};
use baraza_core::outbound::InboundMessage;
use baraza_core::{Channel, PhoneNumber};
use baraza_store::inbound::Arrival;

/// Parameters of a signed request, or a 403.
fn verified(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Config, Vec<(String, String)>), AppError> {
    let config = state
        .channels
        .twilio
        .clone()
        .ok_or_else(|| AppError::NotFound {
            code: "no_route",
            detail: "Twilio is not configured".into(),
        })?;
    let params: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| AppError::BadRequest {
            code: "bad_callback",
            detail: format!("not a form: {e}"),
        })?;
    let url = format!(
        "{}{}",
        config.public_url.trim_end_matches('/'),
        uri.path_and_query()
            .map(|p| p.as_str())
            .unwrap_or(uri.path())
    );
    let presented = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok());
    if !twilio::signature_valid(&config.auth_token, &url, &params, presented) {
        tracing::warn!("Twilio callback with a bad signature refused");
        return Err(AppError::Forbidden {
            code: "bad_signature",
            detail: "the signature does not match".into(),
        });
    }
    Ok((config, params))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn twiml() -> Response {
    // Replies go through the outbox, not inline: one path for every message we send.
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>",
    )
        .into_response()
}

pub async fn incoming(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (config, params) = verified(&state, &uri, &headers, &body)?;
    let missing = |f: &str| AppError::BadRequest {
        code: "bad_callback",
        detail: format!("{f}: missing"),
    };
    let sid = param(&params, "MessageSid").ok_or_else(|| missing("MessageSid"))?;
    let raw_from = param(&params, "From").ok_or_else(|| missing("From"))?;
    let (channel, from) = match raw_from.strip_prefix("whatsapp:") {
        Some(number) => (
            Channel::Whatsapp,
            number
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect::<String>(),
        ),
        None => {
            let phone = PhoneNumber::parse(raw_from).map_err(|_| AppError::BadRequest {
                code: "bad_callback",
                detail: "From: not an E.164 number".into(),
            })?;
            (Channel::Sms, phone.as_str().to_owned())
        }
    };
    let mut text = param(&params, "Body").unwrap_or_default().to_owned();
    if let Some(payload) = param(&params, "ButtonPayload").filter(|p| !p.is_empty()) {
        text = payload.to_owned();
    }
    let (jurisdiction, cat) =
        super::served_jurisdiction(&state, "twilio", &config.jurisdiction).await?;
    let arrival = Arrival {
        message: InboundMessage {
            id: uuid::Uuid::now_v7(),
            // The store gives it the receiving jurisdiction's.
            jurisdiction: None,
            provider: PROVIDER.into(),
            provider_message_id: sid.to_owned(),
            channel,
            from: from.clone(),
            to: param(&params, "To").map(str::to_owned),
            body: baraza_core::text::clean(&text),
            received_at: state.clock.now(),
            case_id: None,
            outcome: baraza_core::outbound::InboundOutcome::Unhandled,
            media: None,
        },
        jurisdiction,
        default_language: cat.jurisdiction.default_language,
        targets: cat.targets.clone(),
        hold: state
            .senders
            .throttled(&from)
            .then_some(baraza_core::outbound::InboundOutcome::Throttled),
    };
    super::keep(&state, arrival, "twilio").await?;
    Ok(twiml())
}

pub async fn status(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, params) = verified(&state, &uri, &headers, &body)?;
    let sid = param(&params, "MessageSid").ok_or_else(|| AppError::BadRequest {
        code: "bad_callback",
        detail: "MessageSid: missing".into(),
    })?;
    let status = param(&params, "MessageStatus")
        .and_then(twilio::outcome)
        .ok_or_else(|| AppError::BadRequest {
            code: "bad_callback",
            detail: "MessageStatus: missing or unknown".into(),
        })?;
    let detail = param(&params, "ErrorCode").map(|c| format!("Twilio error {c}"));
    if !state
        .store
        .outbox_delivery(PROVIDER, sid, status, detail, state.clock.now())
        .await?
    {
        tracing::warn!("status callback for a message id we did not issue refused");
        return Err(AppError::NotFound {
            code: "unknown_message",
            detail: "no message with this id was sent by us".into(),
        });
    }
    Ok(twiml())
}
