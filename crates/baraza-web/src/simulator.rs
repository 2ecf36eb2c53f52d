//! The phone simulator of `serve --demo`: a page where one plays a citizen on SMS. What is
//! typed goes to the real Africa's Talking webhook over HTTP; the demo's Africa's Talking
//! base URL points back here, to a stand-in for the provider's sending API that keeps
//! what it is sent, so the page shows replies exactly as the phone would get them.

use crate::AppState;
use crate::error::{ApiQuery, AppError, FormBody};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// The simulated phones' side of the conversation, in memory (demo only).
pub struct Simulator {
    /// Where the real incoming-SMS webhook listens, secret included.
    pub webhook_url: String,
    /// Where the real USSD webhook listens.
    pub ussd_url: String,
    log: Mutex<Vec<Line>>,
    /// Each phone's USSD session: its id, the inputs so far, the screen shown, still open?
    ussd: Mutex<HashMap<String, UssdSession>>,
    http: reqwest::Client,
}

#[derive(Clone, Default)]
struct UssdSession {
    id: String,
    typed: String,
    screen: String,
    open: bool,
}

#[derive(Clone)]
struct Line {
    phone: String,
    /// `in` for what the phone received, `out` for what it sent.
    direction: &'static str,
    text: String,
    at: chrono::DateTime<chrono::Utc>,
}

impl Simulator {
    pub fn new(webhook_url: String, ussd_url: String) -> Self {
        Self {
            webhook_url,
            ussd_url,
            log: Mutex::new(Vec::new()),
            ussd: Mutex::new(HashMap::new()),
            http: reqwest::Client::new(),
        }
    }

    fn push(&self, phone: &str, direction: &'static str, text: &str) {
        let at = chrono::Utc::now();
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(Line {
            phone: phone.to_owned(),
            direction,
            text: text.to_owned(),
            at,
        });
        // A demo runs for hours: keep the last few thousand lines.
        if log.len() > 5000 {
            log.drain(..1000);
        }
    }
}

struct ShownMessage {
    direction: &'static str,
    label: &'static str,
    text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "simulator.html")]
struct Page {
    phone: String,
    messages: Vec<ShownMessage>,
    ussd_screen: String,
    ussd_open: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct PhoneQuery {
    phone: Option<String>,
}

fn simulator(state: &AppState) -> Result<&Simulator, AppError> {
    state
        .simulator
        .as_deref()
        .ok_or_else(|| AppError::NotFound {
            code: "no_route",
            detail: "the simulator runs only with --demo".into(),
        })
}

pub async fn page(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PhoneQuery>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let phone = q.phone.unwrap_or_else(|| "+254700123456".into());
    // Times as the county reads them, with their zone, as on every other page.
    let cat = state
        .channels
        .africastalking
        .as_ref()
        .and_then(|a| baraza_core::JurisdictionId::parse(&a.jurisdiction).ok())
        .and_then(|j| state.catalog.get(&j));
    let when = |t: &chrono::DateTime<chrono::Utc>| match &cat {
        Some(c) => c.local_time(t),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let messages = sim
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|l| l.phone == phone)
        .map(|l| ShownMessage {
            direction: l.direction,
            label: if l.direction == "in" { "County" } else { "You" },
            text: l.text.clone(),
            at: when(&l.at),
        })
        .collect();
    let session = sim
        .ussd
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&phone)
        .cloned()
        .unwrap_or_default();
    let page = Page {
        phone,
        messages,
        ussd_screen: session.screen,
        ussd_open: session.open,
        error: None,
    };
    let html = page
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Html(html).into_response())
}

#[derive(Deserialize)]
pub struct SendForm {
    phone: String,
    text: String,
}

/// The phone sends an SMS: post it to the real webhook, as Africa's Talking would.
pub async fn send(
    State(state): State<AppState>,
    FormBody(f): FormBody<SendForm>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let phone = baraza_core::PhoneNumber::parse(f.phone.trim())
        .map_err(|e| AppError::invalid("phone", e.message))?;
    if f.text.trim().is_empty() {
        return Err(AppError::invalid("text", "type a message to send"));
    }
    let id = format!("SIM{}", uuid::Uuid::new_v4().simple());
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let form = [
        ("date", date.as_str()),
        ("from", phone.as_str()),
        ("id", &id),
        ("text", f.text.as_str()),
        ("to", "40404"),
        ("networkCode", "99999"),
    ];
    let answer = sim
        .http
        .post(&sim.webhook_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    if !answer.status().is_success() {
        return Err(AppError::Internal(format!(
            "the webhook answered {}",
            answer.status()
        )));
    }
    sim.push(phone.as_str(), "out", &f.text);
    Ok(Redirect::to(&format!(
        "/simulator?phone={}",
        phone.as_str().replace('+', "%2B")
    ))
    .into_response())
}

/// The stand-in for Africa's Talking's `POST /version1/messaging`.
pub async fn provider_messaging(
    State(state): State<AppState>,
    FormBody(f): FormBody<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let (Some(to), Some(text)) = (f.get("to"), f.get("message")) else {
        return Ok((StatusCode::BAD_REQUEST, "to and message are required").into_response());
    };
    for number in to.split(',') {
        sim.push(number.trim(), "in", text);
    }
    let id = format!("SIMout{}", uuid::Uuid::new_v4().simple());
    let body = serde_json::json!({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.0000",
        "Recipients": [{"statusCode": 101, "number": to, "status": "Success", "cost": "KES 0.0000", "messageId": id}]}});
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        Json(body),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct UssdForm {
    phone: String,
    /// Present when the phone dials the service code (a new session).
    dial: Option<String>,
    input: Option<String>,
}

/// The phone dials or answers a USSD screen: post the session so far to the real webhook.
pub async fn ussd(
    State(state): State<AppState>,
    FormBody(f): FormBody<UssdForm>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let phone = baraza_core::PhoneNumber::parse(f.phone.trim())
        .map_err(|e| AppError::invalid("phone", e.message))?;
    let mut session = {
        let sessions = sim.ussd.lock().unwrap_or_else(|p| p.into_inner());
        sessions.get(phone.as_str()).cloned().unwrap_or_default()
    };
    if f.dial.is_some() || !session.open {
        session = UssdSession {
            id: format!("SIMussd{}", uuid::Uuid::new_v4().simple()),
            ..Default::default()
        };
    } else if let Some(input) = f.input.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        session.typed = if session.typed.is_empty() {
            input.to_owned()
        } else {
            format!("{}*{input}", session.typed)
        };
    }
    let form = [
        ("sessionId", session.id.as_str()),
        ("serviceCode", "*384*40404#"),
        ("phoneNumber", phone.as_str()),
        ("networkCode", "99999"),
        ("text", session.typed.as_str()),
    ];
    let answer = sim
        .http
        .post(&sim.ussd_url)
        .form(&form)
        .send()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let body = answer
        .text()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    session.open = body.starts_with("CON ");
    session.screen = body.get(4..).unwrap_or_default().to_owned();
    sim.ussd
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(phone.as_str().to_owned(), session);
    Ok(Redirect::to(&format!(
        "/simulator?phone={}",
        phone.as_str().replace('+', "%2B")
    ))
    .into_response())
}
