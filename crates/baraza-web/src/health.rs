//! `/healthz`: the process answers. `/readyz`: and its database does too.

use crate::AppState;
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(
        json!({ "status": "ready", "database": state.store.backend() }),
    ))
}
