//! Baraza's HTTP surface: the JSON API, health checks and the OpenAPI document, built as
//! one `Router` from an `AppState` (no global configuration: tests build many apps).

pub mod api;
pub mod auth;
pub mod catalog;
pub mod error;
mod health;
pub mod openapi;
pub mod webhooks;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use baraza_core::Clock;
use baraza_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use catalog::Catalog;
pub use error::AppError;

/// What every handler may use. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub catalog: Arc<Catalog>,
    pub tokens: Arc<auth::TokenCache>,
    pub channels: Arc<webhooks::Channels>,
    pub senders: Arc<webhooks::SenderLimiter>,
}

impl AppState {
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, baraza_store::StoreError> {
        let catalog = Arc::new(Catalog::load(&*store).await?);
        Ok(Self {
            store,
            clock,
            catalog,
            tokens: Arc::default(),
            channels: Arc::default(),
            senders: Arc::default(),
        })
    }

    /// The same state, taking messages on the given channels.
    pub fn with_channels(mut self, channels: webhooks::Channels) -> Self {
        self.channels = Arc::new(channels);
        self
    }
}

/// Request bodies are small: a concern is at most 4,000 characters.
const BODY_LIMIT: usize = 64 * 1024;

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/jurisdiction", get(api::jurisdiction))
        .route(
            "/api/v1/cases",
            get(api::cases::list_cases).post(api::cases::create_case),
        )
        .route("/api/v1/cases/{reference}", get(api::cases::get_case))
        .route("/api/v1/cases/{reference}/actions", post(api::cases::act))
        .route(
            "/webhooks/africastalking/{secret}/sms",
            post(webhooks::africastalking::incoming_sms),
        )
        .route(
            "/webhooks/africastalking/{secret}/delivery",
            post(webhooks::africastalking::delivery_report),
        )
        .fallback(|| async {
            AppError::NotFound {
                code: "no_route",
                detail: "no such endpoint; see /api/v1/openapi.json".into(),
            }
        })
        .method_not_allowed_fallback(|method: Method| async move {
            AppError::MethodNotAllowed(format!("{method} is not allowed here"))
        })
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        // Logs method, path, status and latency only: never bodies or headers (tokens, contacts).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // Outermost, so that it sees the answers of every layer above.
        .layer(axum::middleware::map_response(
            error::problem_for_bare_errors,
        ))
        .with_state(state)
}
