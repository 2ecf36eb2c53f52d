//! `/healthz`: the process answers. `/readyz`: and its database does too, and its outbox
//! moves (when a provider is configured, no message waits longer than the threshold).

use crate::AppState;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> Result<Response, AppError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let mut outbox = Value::Null;
    if let Some((limit, since)) = state.outbox_stuck_after {
        let o = state
            .store
            .outbox_health()
            .await
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        let waited = o
            .oldest_pending
            .map(|t| (state.clock.now() - t.max(since)).num_seconds().max(0))
            .unwrap_or(0);
        if u64::try_from(waited).unwrap_or(0) > limit.as_secs() {
            // Said in full: a load balancer or an operator reads why.
            return Ok((
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "not ready",
                    "reason": format!(
                        "the outbox is stuck: {} message(s) waiting, the oldest for {} minutes (limit {})",
                        o.pending,
                        waited / 60,
                        limit.as_secs() / 60
                    ),
                    "database": state.store.backend(),
                })),
            )
                .into_response());
        }
        outbox = json!({ "pending": o.pending, "oldest_waited_seconds": waited });
    }
    Ok(
        Json(json!({ "status": "ready", "database": state.store.backend(), "outbox": outbox }))
            .into_response(),
    )
}
