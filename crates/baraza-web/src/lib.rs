//! Baraza's HTTP surface: the JSON API, health checks and the OpenAPI document, built as
//! one `Router` from an `AppState` (no global configuration: tests build many apps).

pub mod api;
pub mod auth;
pub mod console;
pub mod error;
mod health;
pub mod html;
pub mod metrics;
pub mod open311;
pub mod openapi;
pub mod public;
pub mod simulator;
pub mod webhooks;

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use baraza_core::Clock;
use baraza_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use baraza_app::catalog;
pub use baraza_app::catalog::Catalog;
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
    /// The demo's phone simulator, when running with `--demo`.
    pub simulator: Option<Arc<simulator::Simulator>>,
    /// Messages to citizens and USSD screens, in their languages.
    pub templates: Arc<baraza_channels::templates::Templates>,
    /// The dashboard's figures, kept up to date incrementally.
    pub stats: Arc<public::stats::Stats>,
    /// Where the server keeps files (photos, open data snapshots), if anywhere.
    pub data_dir: Option<std::path::PathBuf>,
    /// Where photos are kept (`<data dir>/media`).
    pub media_dir: Option<std::path::PathBuf>,
    /// The bearer token `/metrics` answers to; no token, no metrics.
    pub metrics_token: Option<Arc<str>>,
    /// `/readyz` fails when the oldest unsent message has waited longer than this (set
    /// when a provider is configured: without one, messages wait by design), counted from
    /// when this process started watching at the earliest (a restart after an outage gets
    /// the same grace to catch up).
    pub outbox_stuck_after: Option<(Duration, baraza_core::Timestamp)>,
    /// The address citizens reach the server at (`https://baraza.county.go.ke`): links in
    /// published data use it, whatever the request's headers say.
    pub public_url: Option<String>,
    /// Behind a reverse proxy: trust its `X-Forwarded-For`, `-Host` and `-Proto`.
    pub trust_forwarded: bool,
    /// The map tiles citizens pick a place on, if any.
    pub map_tiles: Option<Arc<html::MapTiles>>,
}

impl AppState {
    /// The application layer, for this request.
    pub fn app(&self) -> baraza_app::App<'_> {
        baraza_app::App::new(&*self.store, &*self.clock, &self.catalog)
    }

    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, baraza_store::StoreError> {
        let catalog = Arc::new(Catalog::load(&*store).await?);
        let templates = baraza_channels::templates::Templates::load()
            .map_err(|e| baraza_store::StoreError::Backend(format!("message templates: {e}")))?;
        Ok(Self {
            store,
            clock,
            catalog,
            tokens: Arc::default(),
            channels: Arc::default(),
            senders: Arc::default(),
            simulator: None,
            templates: Arc::new(templates),
            stats: Arc::default(),
            data_dir: None,
            media_dir: None,
            metrics_token: None,
            outbox_stuck_after: None,
            public_url: None,
            trust_forwarded: false,
            map_tiles: None,
        })
    }

    /// Map tiles for picking a place (`https://tile.example/{z}/{x}/{y}.png`); an empty or
    /// malformed URL means no map.
    pub fn with_map_tiles(mut self, url: &str, attribution: &str) -> Self {
        self.map_tiles = html::MapTiles::new(url, attribution).map(Arc::new);
        self
    }

    /// The same state, reached at `public_url` and/or behind a trusted reverse proxy.
    pub fn with_address(mut self, public_url: Option<String>, trust_forwarded: bool) -> Self {
        self.public_url = public_url
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty());
        self.trust_forwarded = trust_forwarded;
        self
    }

    /// The server's address for links that leave the page (published data, messages).
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        match &self.public_url {
            Some(u) => u.clone(),
            None => html::base_url(headers, self.trust_forwarded),
        }
    }

    /// The client's address: the peer's, or behind a trusted reverse proxy the one the
    /// proxy appended to `X-Forwarded-For` (the rightmost: the only one it vouches for).
    pub fn client_ip(
        &self,
        peer: std::net::SocketAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        if self.trust_forwarded
            && let Some(ip) = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<std::net::IpAddr>().ok())
                .next_back()
        {
            return ip;
        }
        peer.ip()
    }

    /// The same state, with `/metrics` behind this bearer token.
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics_token = token.filter(|t| !t.is_empty()).map(Arc::from);
        metrics::handle();
        self
    }

    /// The same state, not ready while a message has waited longer than `after`.
    pub fn with_outbox_watch(mut self, after: Duration) -> Self {
        self.outbox_stuck_after = Some((after, self.clock.now()));
        self
    }

    /// The same state, keeping photos and open data snapshots under `dir`.
    pub fn with_data_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.media_dir = Some(dir.join("media"));
        self.data_dir = Some(dir);
        self
    }

    /// Where daily open data snapshots are written.
    pub fn open_data_dir(&self) -> Option<std::path::PathBuf> {
        self.data_dir.as_ref().map(|d| d.join("open-data"))
    }

    /// The same state, with the demo's phone simulator.
    pub fn with_simulator(mut self, sim: simulator::Simulator) -> Self {
        self.simulator = Some(Arc::new(sim));
        self
    }

    /// The same state, taking messages on the given channels.
    pub fn with_channels(mut self, channels: webhooks::Channels) -> Self {
        self.channels = Arc::new(channels);
        self
    }
}

/// Request bodies are small: a concern is at most 4,000 characters.
const BODY_LIMIT: usize = 64 * 1024;

/// The path as it may be logged: no query string (it can carry a phone number), and a
/// webhook's secret segment masked.
pub fn loggable_path(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.get(1) == Some(&"webhooks") && parts.len() > 3 {
        parts[3] = "***";
    }
    parts.join("/")
}

/// Africa's Talking's callbacks, behind their optional source-address allow-list.
fn africastalking_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/webhooks/africastalking/{secret}/sms",
            post(webhooks::africastalking::incoming_sms),
        )
        .route(
            "/webhooks/africastalking/{secret}/delivery",
            post(webhooks::africastalking::delivery_report),
        )
        .route(
            "/webhooks/africastalking/{secret}/ussd",
            post(webhooks::africastalking::ussd),
        )
        .layer(axum::middleware::from_fn_with_state(
            state,
            webhooks::africastalking::allow_list,
        ))
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::serve))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/jurisdiction", get(api::jurisdiction))
        .route(
            "/api/v1/cases",
            get(api::cases::list_cases).post(api::cases::create_case),
        )
        .route("/api/v1/cases/{reference}", get(api::cases::get_case))
        .route("/api/v1/cases/{reference}/actions", post(api::cases::act))
        .route(
            "/api/v1/information-requests",
            get(api::information::list).post(api::information::create),
        )
        .route(
            "/api/v1/information-requests/{reference}",
            get(api::information::get),
        )
        .route(
            "/api/v1/plans",
            get(api::plans::list).post(api::plans::create),
        )
        .route("/api/v1/plans/{slug}", get(api::plans::get))
        .route("/api/v1/plans/{slug}/actions", post(api::plans::act))
        .route(
            "/api/v1/projects",
            get(api::projects::list).post(api::projects::create),
        )
        .route("/api/v1/projects/{code}", get(api::projects::get))
        .route("/api/v1/projects/{code}/actions", post(api::projects::act))

        .merge(africastalking_routes(state.clone()))
        .merge(console::routes())
        .route("/webhooks/whatsapp", get(webhooks::whatsapp::verify).post(webhooks::whatsapp::receive))
        .route("/webhooks/twilio", post(webhooks::twilio::incoming))
        .route("/webhooks/twilio/status", post(webhooks::twilio::status))
        .route("/simulator", get(simulator::page))
        .route("/simulator/sms", post(simulator::send))
        .route("/simulator/ussd", post(simulator::ussd))
        .route("/simulator/africastalking/version1/messaging", post(simulator::provider_messaging))
        .fallback(|uri: axum::http::Uri| async move {
            // Open311 clients get Open311's error format; everything else a problem
            // document, which pages' paths turn into an HTML page.
            if uri.path().starts_with(open311::BASE) {
                return open311::unknown_route(uri.path());
            }
            AppError::NotFound {
                code: "no_route",
                detail: "no such endpoint; see /api/v1/openapi.json".into(),
            }
            .into_response()
        })
        .method_not_allowed_fallback(|method: Method| async move {
            AppError::MethodNotAllowed(format!("{method} is not allowed here"))
        })
        .merge(public::routes())
        .merge(open311::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // The web form takes a photo: outside the small global limit, with its own.
        .merge(
            public::raise_routes()
                .layer(RequestBodyLimitLayer::new(public::MAX_PHOTO_BYTES + 64 * 1024)),
        )
        // Documents given in answer to information requests: 20 MB.
        .merge(
            Router::new()
                .route("/api/v1/documents", post(api::information::upload))
                .merge(console::document_routes())
                .layer(axum::extract::DefaultBodyLimit::max(
                    html::MAX_DOCUMENT_BYTES + 64 * 1024,
                ))
                .layer(RequestBodyLimitLayer::new(
                    html::MAX_DOCUMENT_BYTES + 64 * 1024,
                )),
        )
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        // Logs method, path, status and latency only: never bodies or headers (tokens, contacts).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()))
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // Bare errors get problem documents; then, outermost, pages' errors become pages.
        .layer(axum::middleware::map_response(
            error::problem_for_bare_errors,
        ))
        .layer(axum::middleware::from_fn(html::pages_answer_in_html))
        .layer(axum::middleware::map_response(html::security_headers))
        // Pages, CSS, CSV and JSON go out gzip or brotli when the client takes them: 2G
        // users pay for every byte. Never the console's pages (see `no_compression_for_staff`).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::map_request(html::no_compression_for_staff))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn behind_a_proxy_only_when_told_so() {
        use super::{AppState, Arc, Store};
        use axum::http::HeaderMap;
        let store: Arc<dyn Store> = Arc::new(
            baraza_store_sqlite::SqliteStore::open("sqlite::memory:")
                .await
                .unwrap(),
        );
        let clock: Arc<dyn baraza_core::Clock> = Arc::new(baraza_core::clock::SystemClock);
        let state = AppState::new(store, clock).await.unwrap();
        let mut h = HeaderMap::new();
        h.insert("host", "10.0.0.5:8080".parse().unwrap());
        h.insert("x-forwarded-host", "evil.example".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert(
            "x-forwarded-for",
            "203.0.113.7, 198.51.100.9".parse().unwrap(),
        );
        let peer: std::net::SocketAddr = "127.0.0.1:5555".parse().unwrap();
        // Not told: the headers a client can write are ignored.
        assert_eq!(state.base_url(&h), "http://10.0.0.5:8080");
        assert_eq!(state.client_ip(peer, &h).to_string(), "127.0.0.1");
        // Behind a trusted proxy: its forwarded headers; the address it appended.
        let proxied = state.clone().with_address(None, true);
        assert_eq!(proxied.base_url(&h), "https://evil.example");
        assert_eq!(proxied.client_ip(peer, &h).to_string(), "198.51.100.9");
        // With public_url, no header decides the links.
        let fixed = proxied.with_address(Some("https://baraza.county.go.ke/".into()), true);
        assert_eq!(fixed.base_url(&h), "https://baraza.county.go.ke");
    }

    use super::loggable_path;

    /// The surfaces: each calls the application layer (`baraza_app`) and the shared
    /// toolkits (`html`, `auth`, `error`), never another surface.
    const SURFACES: &[&str] = &[
        "api",
        "console",
        "public",
        "open311",
        "webhooks",
        "simulator",
    ];

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn surfaces_never_import_each_other() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut found = Vec::new();
        for file in files {
            let rel = file.strip_prefix(&src).expect("under src");
            let first = rel
                .iter()
                .next()
                .and_then(|c| c.to_str())
                .unwrap_or_default();
            let own = first.trim_end_matches(".rs");
            if !SURFACES.contains(&own) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable");
            for (n, line) in text.lines().enumerate() {
                for other in SURFACES.iter().filter(|s| **s != own) {
                    let path = format!("crate::{other}");
                    let hit = line.match_indices(&path).any(|(i, _)| {
                        !line[i + path.len()..]
                            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    });
                    if hit || line.contains("super::super::") {
                        found.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "a surface imports another:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn webhook_secrets_stay_out_of_logs() {
        assert_eq!(
            loggable_path("/webhooks/africastalking/s3cret/sms"),
            "/webhooks/africastalking/***/sms"
        );
        assert_eq!(
            loggable_path("/api/v1/cases/48210937"),
            "/api/v1/cases/48210937"
        );
        assert_eq!(loggable_path("/webhooks"), "/webhooks");
    }
}
