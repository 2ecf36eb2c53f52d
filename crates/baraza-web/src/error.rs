//! One error type for every handler. It decides the HTTP status and renders RFC 9457
//! problem details with a stable `code`; internal causes are logged once, never sent.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use baraza_core::{FieldError, LifecycleError};
use baraza_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum AppError {
    Unauthorized { code: &'static str, detail: String },
    Forbidden { code: &'static str, detail: String },
    NotFound { code: &'static str, detail: String },
    Conflict { code: &'static str, detail: String },
    BadRequest { code: &'static str, detail: String },
    UnsupportedMediaType(String),
    MethodNotAllowed(String),
    PayloadTooLarge,
    Invalid(Vec<FieldError>),
    Unavailable(String),
    Internal(String),
}

impl AppError {
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound {
            code: "not_found",
            detail: format!("no such {what}"),
        }
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }
}

/// The problem document (RFC 9457) with our extensions `code` and `errors`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the `code` says what went wrong.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable: e.g. `invalid_fields`, `transition_not_allowed`.
    pub code: String,
    /// For `invalid_fields`: each invalid field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, detail, errors) = match self {
            AppError::Unauthorized { code, detail } => {
                (StatusCode::UNAUTHORIZED, code, detail, vec![])
            }
            AppError::Forbidden { code, detail } => (StatusCode::FORBIDDEN, code, detail, vec![]),
            AppError::NotFound { code, detail } => (StatusCode::NOT_FOUND, code, detail, vec![]),
            AppError::Conflict { code, detail } => (StatusCode::CONFLICT, code, detail, vec![]),
            AppError::BadRequest { code, detail } => {
                (StatusCode::BAD_REQUEST, code, detail, vec![])
            }
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is larger than this endpoint accepts".into(),
                vec![],
            ),
            AppError::MethodNotAllowed(detail) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                detail,
                vec![],
            ),
            AppError::UnsupportedMediaType(detail) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                detail,
                vec![],
            ),
            AppError::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                let errors = errors
                    .into_iter()
                    .map(|e| ProblemField {
                        field: e.field,
                        message: e.message,
                    })
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_fields",
                    detail,
                    errors,
                )
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(%cause, "service unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the service is temporarily unavailable; try again shortly".into(),
                    vec![],
                )
            }
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "something went wrong on our side; it has been logged".into(),
                    vec![],
                )
            }
        };
        let problem = Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            errors,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Conflict { code, message } => AppError::Conflict {
                code,
                detail: message,
            },
            StoreError::Lifecycle(l) => l.into(),
            StoreError::Invalid(f) => AppError::Invalid(vec![f]),
            StoreError::Unavailable(cause) => AppError::Unavailable(cause),
            e @ (StoreError::Corrupt(_) | StoreError::Backend(_)) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<baraza_app::Error> for AppError {
    fn from(e: baraza_app::Error) -> Self {
        use baraza_app::Error as E;
        match e {
            E::Invalid(fields) => AppError::Invalid(fields),
            E::Forbidden { code, detail } => AppError::Forbidden { code, detail },
            E::NotFound(what) => AppError::not_found(what),
            E::Store(s) => s.into(),
            E::Lifecycle(l) => l.into(),
            E::Internal(cause) => AppError::Internal(cause),
        }
    }
}

impl From<LifecycleError> for AppError {
    fn from(l: LifecycleError) -> Self {
        let code = l.code();
        match l {
            LifecycleError::RoleNotAllowed { .. } => AppError::Forbidden {
                code,
                detail: l.to_string(),
            },
            LifecycleError::Invalid(f) => AppError::Invalid(vec![f]),
            _ => AppError::Conflict {
                code,
                detail: l.to_string(),
            },
        }
    }
}

/// Responses made by layers rather than handlers (a timeout's 503, a body limit's 413)
/// carry no body; give every error response a problem document all the same.
pub async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    // Problem documents and the console's own error pages are already answers.
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            let v = v.as_bytes();
            v.starts_with(b"application/problem+json")
                || v.starts_with(b"text/html")
                // Open311's own error documents.
                || v.starts_with(b"text/xml")
                || v.starts_with(b"application/json")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            "the request body is larger than this endpoint accepts",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => (
            "timeout",
            "the request took too long; it may or may not have been applied, check before retrying",
        ),
        _ => ("error", "the request failed"),
    };
    let problem = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: detail.into(),
        code: code.into(),
        errors: vec![],
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// `Json` whose rejections are our problem documents.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => Err(data_error(&e.body_text())),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::BadRequest {
                code: "malformed_json",
                detail: e.body_text(),
            }),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::PayloadTooLarge)
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType(
                "send the body as JSON with Content-Type: application/json".into(),
            )),
            Err(e) => Err(AppError::BadRequest {
                code: "bad_request",
                detail: e.body_text(),
            }),
        }
    }
}

/// serde's message names the path of the bad field before a colon
/// (`citizen.phone: invalid type: ...`); use it as the field when there is one.
fn data_error(text: &str) -> AppError {
    let detail =
        text.trim_start_matches("Failed to deserialize the JSON body into the target type: ");
    match detail.split_once(": ") {
        Some((path, message)) if !path.is_empty() && !path.contains(' ') => {
            AppError::invalid(path, message)
        }
        _ => AppError::invalid("body", detail),
    }
}

/// `Query` whose rejections are our problem documents.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let cleaned = cleaned_urlencoded(raw.as_bytes())
            .map_err(|_| AppError::invalid("query", "not a valid query string"))?;
        serde_urlencoded::from_str(&cleaned)
            .map(ApiQuery)
            .map_err(|e| AppError::invalid("query", e.to_string()))
    }
}

/// A form or query string with every value made safe at the edge (`text::clean`: NUL and
/// the other control and spoofing characters dropped), re-encoded for the typed parse.
/// One rule for every form and query: pages, the API's filters and the providers' callbacks.
fn cleaned_urlencoded(raw: &[u8]) -> Result<String, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(raw).map_err(|e| AppError::BadRequest {
            code: "bad_form",
            detail: format!("not a form: {e}"),
        })?;
    let cleaned: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (baraza_core::text::clean(&k), baraza_core::text::clean(&v)))
        .collect();
    serde_urlencoded::to_string(&cleaned).map_err(|e| AppError::Internal(e.to_string()))
}

/// `Form` whose rejection is our problem document (a page's path shows it as an HTML page),
/// its values cleaned at the edge.
pub struct FormBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for FormBody<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(AppError::UnsupportedMediaType(
                "send the form as application/x-www-form-urlencoded".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest {
                        code: "bad_form",
                        detail: e.body_text(),
                    }
                }
            })?;
        let cleaned = cleaned_urlencoded(&bytes)?;
        serde_urlencoded::from_str(&cleaned)
            .map(FormBody)
            .map_err(|e| AppError::BadRequest {
                code: "bad_form",
                detail: e.to_string(),
            })
    }
}
