//! WhatsApp Cloud API callbacks: `GET /webhooks/whatsapp` (Meta's verification handshake)
//! and `POST /webhooks/whatsapp` (messages and status updates). The signature is checked
//! on the raw bytes before anything is parsed.

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use baraza_channels::whatsapp::{self, Config, Envelope, PROVIDER};
use baraza_core::Channel;
use baraza_core::outbound::InboundMessage;
use baraza_store::inbound::Arrival;
use std::collections::HashMap;

fn configured(state: &AppState) -> Result<&Config, AppError> {
    state
        .channels
        .whatsapp
        .as_ref()
        .ok_or_else(|| AppError::NotFound {
            code: "no_route",
            detail: "WhatsApp is not configured".into(),
        })
}

/// Meta's handshake: answer the challenge if the verify token is ours.
pub async fn verify(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<HashMap<String, String>>,
) -> Result<String, AppError> {
    let config = configured(&state)?;
    let get = |k: &str| q.get(k).map(String::as_str);
    whatsapp::handshake(
        config,
        get("hub.mode"),
        get("hub.verify_token"),
        get("hub.challenge"),
    )
    .ok_or_else(|| AppError::Forbidden {
        code: "bad_verify_token",
        detail: "verification refused".into(),
    })
}

/// Messages and statuses.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    let config = configured(&state)?;
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if !whatsapp::signature_valid(&config.app_secret, &body, signature) {
        tracing::warn!("WhatsApp callback with a bad signature refused");
        return Err(AppError::Forbidden {
            code: "bad_signature",
            detail: "the signature does not match".into(),
        });
    }
    let envelope: Envelope = serde_json::from_slice(&body).map_err(|e| AppError::BadRequest {
        code: "bad_callback",
        detail: format!("not a WhatsApp notification: {e}"),
    })?;
    let (jurisdiction, cat) =
        super::served_jurisdiction(&state, "whatsapp", &config.jurisdiction).await?;
    for value in envelope
        .entry
        .iter()
        .flat_map(|e| e.changes.iter())
        .map(|c| &c.value)
    {
        for m in &value.messages {
            let from: String = m.from.chars().filter(|c| c.is_ascii_digit()).collect();
            if from.is_empty() || m.id.is_empty() || m.id.len() > 128 {
                return Err(AppError::BadRequest {
                    code: "bad_callback",
                    detail: "a message lacks its sender or id".into(),
                });
            }
            let arrival = Arrival {
                message: InboundMessage {
                    id: uuid::Uuid::now_v7(),
                    // The store gives it the receiving jurisdiction's.
                    jurisdiction: None,
                    provider: PROVIDER.into(),
                    provider_message_id: m.id.clone(),
                    channel: Channel::Whatsapp,
                    from: from.clone(),
                    to: None,
                    body: baraza_core::text::clean(&m.as_text()),
                    received_at: state.clock.now(),
                    case_id: None,
                    outcome: baraza_core::outbound::InboundOutcome::Unhandled,
                    media: m.image.as_ref().map(|i| baraza_core::outbound::MediaRef {
                        id: i.id.clone(),
                        media_type: i.mime_type.clone(),
                        status: baraza_core::outbound::MediaStatus::Pending,
                    }),
                },
                jurisdiction: jurisdiction.clone(),
                default_language: cat.jurisdiction.default_language,
                targets: cat.targets.clone(),
                hold: state
                    .senders
                    .throttled(&from)
                    .then_some(baraza_core::outbound::InboundOutcome::Throttled),
            };
            super::keep(&state, arrival, "whatsapp").await?;
        }
        for s in &value.statuses {
            if let Some(status) = s.outcome() {
                // Statuses for ids we never issued are ignored (Meta would only retry a refusal).
                state
                    .store
                    .outbox_delivery(PROVIDER, &s.id, status, None, state.clock.now())
                    .await?;
            }
        }
    }
    Ok(StatusCode::OK)
}
