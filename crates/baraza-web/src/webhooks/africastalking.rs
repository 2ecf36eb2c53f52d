//! Africa's Talking callbacks: `POST /webhooks/africastalking/{secret}/sms` (incoming SMS)
//! and `/delivery` (delivery reports). Africa's Talking does not sign its callbacks, so
//! the URL's secret segment is the authentication.

use crate::AppState;
use crate::error::AppError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use baraza_channels::africastalking::{Config, DeliveryReport, IncomingSms, PROVIDER};
use baraza_core::outbound::InboundMessage;
use baraza_core::{Channel, JurisdictionId, PhoneNumber};
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

fn form<T>(parsed: Result<Form<T>, FormRejection>) -> Result<T, AppError> {
    parsed.map(|Form(v)| v).map_err(|e| AppError::BadRequest {
        code: "bad_callback",
        detail: e.body_text(),
    })
}

/// An SMS from a citizen.
pub async fn incoming_sms(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parsed: Result<Form<IncomingSms>, FormRejection>,
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
    let jurisdiction = JurisdictionId::parse(&config.jurisdiction)
        .map_err(|e| AppError::Internal(format!("africastalking.jurisdiction: {}", e.message)))?;
    let cat = state
        .catalog
        .fresh(&*state.store, &jurisdiction, |_| true)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "africastalking.jurisdiction {jurisdiction} is not loaded"
            ))
        })?;
    let throttled = state.senders.throttled(from.as_str());
    let arrival = Arrival {
        message: InboundMessage {
            id: uuid::Uuid::now_v7(),
            provider: PROVIDER.into(),
            provider_message_id: sms.id,
            channel: Channel::Sms,
            from: from.as_str().to_owned(),
            to: sms.to,
            body: sms.text,
            received_at: state.clock.now(),
            case_id: None,
            outcome: String::new(),
        },
        jurisdiction,
        default_language: cat.jurisdiction.default_language,
        targets: cat.targets.clone(),
        hold: throttled.then(|| "throttled".to_owned()),
    };
    let handled = match state.store.receive_message(arrival.clone()).await {
        Ok(h) => h,
        // The database is down: answer 503 so that Africa's Talking tries again later.
        Err(e @ baraza_store::StoreError::Unavailable(_)) => return Err(e.into()),
        Err(e) => {
            // Handling failed, but the citizen's words are kept for a person to see.
            tracing::error!(error = %e, "an SMS could not be handled; stored as failed");
            let kept = Arrival {
                hold: Some("failed".into()),
                ..arrival
            };
            state.store.receive_message(kept).await?
        }
    };
    tracing::info!(outcome = %handled.message.outcome, duplicate = handled.duplicate, "SMS received");
    Ok(StatusCode::OK)
}

/// A delivery report: counted only for a message id we were given when sending.
pub async fn delivery_report(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    parsed: Result<Form<DeliveryReport>, FormRejection>,
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
