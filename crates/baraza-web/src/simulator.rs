//! The phone simulator of `serve --demo`: a page where one plays a citizen on SMS. What is
//! typed goes to the real Africa's Talking webhook over HTTP; the demo's Africa's Talking
//! base URL points back here, to a stand-in for the provider's sending API that keeps
//! what it is sent, so the page shows replies exactly as the phone would get them.

use crate::AppState;
use crate::error::AppError;
use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// The simulated phones' side of the conversation, in memory (demo only).
pub struct Simulator {
    /// Where the real incoming-SMS webhook listens, secret included.
    pub webhook_url: String,
    log: Mutex<Vec<Line>>,
    http: reqwest::Client,
}

#[derive(Clone)]
struct Line {
    phone: String,
    /// `in` for what the phone received, `out` for what it sent.
    direction: &'static str,
    text: String,
    at: String,
}

impl Simulator {
    pub fn new(webhook_url: String) -> Self {
        Self {
            webhook_url,
            log: Mutex::new(Vec::new()),
            http: reqwest::Client::new(),
        }
    }

    fn push(&self, phone: &str, direction: &'static str, text: &str) {
        let at = chrono::Utc::now().format("%H:%M:%S").to_string();
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
    Query(q): Query<PhoneQuery>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let phone = q.phone.unwrap_or_else(|| "+254700123456".into());
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
            at: l.at.clone(),
        })
        .collect();
    let html = Page {
        phone,
        messages,
        error: None,
    }
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
    Form(f): Form<SendForm>,
) -> Result<Response, AppError> {
    let sim = simulator(&state)?;
    let phone = baraza_core::PhoneNumber::parse(&f.phone)
        .map_err(|e| AppError::invalid("phone", e.message))?;
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
    Form(f): Form<HashMap<String, String>>,
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
