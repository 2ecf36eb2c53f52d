//! Prometheus metrics at `/metrics`, for the county's monitoring, never public: the route
//! answers only with the configured bearer token (`metrics_token`), and is absent (404)
//! when none is configured.
//!
//! What the process counts as it goes (per process, from its start, as Prometheus
//! counters are): requests by route, method and status with latency histograms
//! (`baraza_http_*`); intakes by channel and escalations (`baraza_intakes_total`,
//! `baraza_escalations_total`, counted by the writer after commit); group-commit batch
//! sizes and commit latency; each job's last successful round. What the database says
//! at the moment of the scrape, the same from every process: the outbox's depth, the age
//! of its oldest unsent message, and the messages given up, by provider.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Seconds: from a quick page to a slow bulk export.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process's recorder, installed once (the first server state built installs it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("baraza_group_commit_batch_size".into()),
                    BATCH_BUCKETS,
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder already installed (a test harness) leaves this one empty.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Count every request by its route (the pattern, never the path: paths carry
/// references and tokens), method and status, and time it.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("baraza_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("baraza_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

fn token_matches(headers: &HeaderMap, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compare digests, so the time taken says nothing about the token.
    Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}

pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !token_matches(&headers, expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the configured bearer token\n",
        )
            .into_response();
    }
    match state.store.outbox_health().await {
        Ok(o) => {
            metrics::gauge!("baraza_outbox_pending").set(o.pending as f64);
            let age = o.oldest_pending.map_or(0.0, |t| {
                (state.clock.now() - t).num_milliseconds().max(0) as f64 / 1000.0
            });
            metrics::gauge!("baraza_outbox_oldest_pending_age_seconds").set(age);
            for (provider, n) in o.failed_by_provider {
                metrics::gauge!("baraza_outbox_failed", "provider" => provider).set(n as f64);
            }
            metrics::gauge!("baraza_database_up").set(1.0);
        }
        Err(_) => metrics::gauge!("baraza_database_up").set(0.0),
    }
    let (rows, bytes) = state.stats.held().await;
    metrics::gauge!("baraza_dashboard_cases").set(rows as f64);
    metrics::gauge!("baraza_dashboard_memory_bytes").set(bytes as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}
