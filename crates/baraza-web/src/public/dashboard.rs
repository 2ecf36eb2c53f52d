//! The transparency dashboard: one breakdown at a time (ward, sub-county, department,
//! category, channel, month, gender, age band), a bar chart of one figure rendered on the
//! server as SVG with a text alternative, the table of every figure, and a CSV download of
//! the same numbers beside it.

use super::stats::{Breakdown, DIMENSIONS, Figures};
use super::{PublicFrame, jurisdiction_of};
use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::html::{Tr, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use baraza_app::JurisdictionCatalog;
use baraza_core::AreaCode;
use serde::Deserialize;

/// The figures a chart can show: id, label id, and how to read it from a group.
pub const METRICS: &[&str] = &[
    "count",
    "first-response",
    "resolution",
    "within-target",
    "confirmed",
    "satisfaction",
    "reopen",
];

fn metric_value(f: &Figures, metric: &str) -> Option<f64> {
    if !f.shown {
        return None;
    }
    match metric {
        "count" => Some(f.count as f64),
        "first-response" => f.first_response_median_h,
        "resolution" => f.resolution_median_d,
        "within-target" => f.within_target.map(|v| v * 100.0),
        "confirmed" => f.confirmed.map(|v| v * 100.0),
        "satisfaction" => f.satisfaction,
        "reopen" => f.reopen_rate.map(|v| v * 100.0),
        _ => None,
    }
}

fn metric_label(tr: &Tr, metric: &str) -> String {
    tr.t(&format!("metric-{metric}"))
}

/// What a group's key means to a reader.
pub fn group_label(dimension: &str, key: &str, cat: &JurisdictionCatalog, tr: &Tr) -> String {
    if key == "not_declared" {
        return tr.t("not-declared");
    }
    match dimension {
        "ward" | "sub-county" => cat
            .areas
            .get(&AreaCode(key.to_owned()))
            .map_or_else(|| key.to_owned(), |a| a.name.clone()),
        "department" => cat
            .department(key)
            .map_or_else(|| key.to_owned(), |d| d.name.clone()),
        "category" => cat
            .category(key)
            .map_or_else(|| key.to_owned(), |c| c.name.clone()),
        "channel" => tr.t(&format!("channel-{key}")),
        "gender" => tr.t(&format!("gender-{key}")),
        _ => key.to_owned(),
    }
}

fn fmt1(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.1}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{:.0}%", v * 100.0))
}

pub struct Row {
    pub label: String,
    pub count: String,
    pub first: String,
    pub resolution: String,
    pub within: String,
    pub confirmed: String,
    pub satisfaction: String,
    pub reopen: String,
}

fn row(label: String, f: &Figures, tr: &Tr) -> Row {
    let pair = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a:.1} / {b:.1}"),
        _ => String::new(),
    };
    Row {
        label,
        count: if f.shown {
            f.count.to_string()
        } else {
            tr.t("fewer-than-5")
        },
        first: pair(f.first_response_median_h, f.first_response_p90_h),
        resolution: pair(f.resolution_median_d, f.resolution_p90_d),
        within: pct(f.within_target),
        confirmed: pct(f.confirmed),
        satisfaction: fmt1(f.satisfaction),
        reopen: pct(f.reopen_rate),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart, one bar per group; suppressed groups have no bar. The chart
/// is described by its `<title>` and `<desc>`; the table below it has every number.
pub fn bar_chart(title: &str, bars: &[(String, Option<f64>)], unit: &str) -> String {
    const WIDTH: f64 = 340.0;
    const LABEL: f64 = 120.0;
    const BAR: f64 = 16.0;
    const GAP: f64 = 6.0;
    let max = bars
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = (bars.len() as f64) * (BAR + GAP) + GAP;
    let mut desc = Vec::new();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" style=\"max-width:{WIDTH}px\" font-size=\"11\">\
         <title id=\"chart-title\">{}</title>",
        escape(title)
    );
    let mut body = String::new();
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = GAP + i as f64 * (BAR + GAP);
        let short: String = label.chars().take(20).collect();
        body.push_str(&format!(
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 4.0,
            y + BAR * 0.75,
            escape(&short)
        ));
        match value {
            Some(v) => {
                let w = (WIDTH - LABEL - 44.0) * v / max;
                body.push_str(&format!(
                    "<rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"#0b5394\"/>\
                     <text x=\"{:.1}\" y=\"{:.1}\">{}{unit}</text>",
                    LABEL + w + 3.0,
                    y + BAR * 0.75,
                    format_value(*v)
                ));
                desc.push(format!("{label}: {}{unit}", format_value(*v)));
            }
            None => {
                body.push_str(&format!(
                    "<text x=\"{LABEL}\" y=\"{:.1}\" fill=\"#555\">–</text>",
                    y + BAR * 0.75
                ));
                desc.push(format!("{label}: –"));
            }
        }
    }
    svg.push_str(&format!(
        "<desc id=\"chart-desc\">{}</desc>{body}</svg>",
        escape(&desc.join("; "))
    ));
    svg
}

fn format_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

pub struct Choice {
    pub id: &'static str,
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "public/dashboard.html")]
struct DashboardPage {
    frame: PublicFrame,
    dimensions: Vec<Choice>,
    metrics: Vec<Choice>,
    chart: String,
    total: Row,
    rows: Vec<Row>,
    csv_href: String,
    /// This year's information requests: the same figures as the statutory report.
    information: Information,
}

/// The dashboard's block on information requests.
struct Information {
    year: i32,
    received: u64,
    on_time: String,
    median: String,
    exemptions: Vec<(String, u64)>,
    href: String,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    #[serde(default)]
    j: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    metric: String,
}

fn dimension_of(q: &DashboardQuery) -> &'static str {
    DIMENSIONS
        .iter()
        .find(|d| **d == q.by)
        .copied()
        .unwrap_or("ward")
}

async fn load(
    state: &AppState,
    q: &DashboardQuery,
) -> Result<
    (
        std::sync::Arc<JurisdictionCatalog>,
        &'static str,
        std::sync::Arc<Breakdown>,
    ),
    AppError,
> {
    let cat = jurisdiction_of(state, Some(&q.j)).await?;
    let dimension = dimension_of(q);
    let b = state
        .stats
        .breakdown(&*state.store, &cat.jurisdiction.id, &cat.areas, dimension)
        .await?;
    Ok((cat, dimension, b))
}

pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Response, AppError> {
    let (cat, dimension, b) = load(&state, &q).await?;
    let frame = PublicFrame::new(&headers, &cat, !q.j.is_empty(), "dashboard-title");
    let tr = frame.tr;
    let metric = METRICS
        .iter()
        .find(|m| **m == q.metric)
        .copied()
        .unwrap_or("count");
    let dimensions = DIMENSIONS
        .iter()
        .map(|d| Choice {
            id: d,
            label: tr.t(&format!("dim-{d}")),
            href: frame.link(&format!("/dashboard?by={d}&metric={metric}")),
            active: *d == dimension,
        })
        .collect();
    let metrics = METRICS
        .iter()
        .map(|m| Choice {
            id: m,
            label: metric_label(&tr, m),
            href: frame.link(&format!("/dashboard?by={dimension}&metric={m}")),
            active: *m == metric,
        })
        .collect();
    let labelled: Vec<(String, &Figures)> = b
        .groups
        .iter()
        .map(|g| (group_label(dimension, &g.key, &cat, &tr), g))
        .collect();
    let unit = if matches!(metric, "within-target" | "confirmed" | "reopen") {
        "%"
    } else {
        ""
    };
    let title = tr.args(
        "chart-of",
        &[
            ("metric", metric_label(&tr, metric)),
            ("dimension", tr.t(&format!("dim-{dimension}"))),
        ],
    );
    let bars: Vec<(String, Option<f64>)> = labelled
        .iter()
        .map(|(l, g)| (l.clone(), metric_value(g, metric)))
        .collect();
    let information = {
        use chrono::Datelike;
        let year = state.clock.now().year();
        let (from, to) = baraza_app::information::year_bounds(&cat, year);
        let r = state.app().information_report(&cat, from, to).await?;
        Information {
            year,
            received: r.received,
            on_time: r
                .on_time_percent()
                .map_or_else(|| "–".into(), |p| format!("{p:.0}%")),
            median: r
                .median_days()
                .map_or_else(|| "–".into(), |d| format!("{d:.1}")),
            exemptions: r.exemptions.into_iter().collect(),
            href: frame.link(&format!("/information/statistics?year={year}")),
        }
    };
    let page = DashboardPage {
        information,
        dimensions,
        metrics,
        chart: bar_chart(&title, &bars, unit),
        total: row(tr.t("all"), &b.total, &tr),
        rows: labelled
            .iter()
            .map(|(l, g)| row(l.clone(), g, &tr))
            .collect(),
        csv_href: frame.link(&format!("/dashboard.csv?by={dimension}")),
        frame,
    };
    Ok(render(&page))
}

/// The numbers behind a breakdown, as CSV (suppressed groups have no figures).
pub async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Response, AppError> {
    let (cat, dimension, b) = load(&state, &q).await?;
    let tr = Tr::new(crate::html::language(&headers));
    let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.3}"));
    let record = |key: &str, label: String, f: &Figures| {
        let count = if f.shown {
            f.count.to_string()
        } else {
            format!("<{}", super::stats::MIN_COUNT)
        };
        [
            dimension.to_owned(),
            key.to_owned(),
            label,
            count,
            num(f.first_response_median_h),
            num(f.first_response_p90_h),
            num(f.resolution_median_d),
            num(f.resolution_p90_d),
            num(f.within_target),
            num(f.confirmed),
            num(f.satisfaction),
            num(f.reopen_rate),
        ]
    };
    let mut w = baraza_app::spreadsheet::Csv::new();
    let written = (|| {
        w.row([
            "dimension",
            "key",
            "label",
            "cases",
            "first_response_median_hours",
            "first_response_p90_hours",
            "resolution_median_days",
            "resolution_p90_days",
            "resolved_within_target_share",
            "confirmed_by_citizen_share",
            "average_satisfaction",
            "reopened_share",
        ])?;
        w.row(record("all", tr.t("all"), &b.total))?;
        for g in &b.groups {
            w.row(record(&g.key, group_label(dimension, &g.key, &cat, &tr), g))?;
        }
        Ok::<_, ::csv::Error>(())
    })();
    written.map_err(|e| AppError::Internal(e.to_string()))?;
    let out = w.finish().map_err(|e| AppError::Internal(e.to_string()))?;
    let filename = format!(
        "attachment; filename=\"{}-{dimension}.csv\"",
        cat.jurisdiction.id.as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_describes_itself_and_escapes_labels() {
        let svg = bar_chart(
            "Cases by ward",
            &[
                ("Emsoo <A&B>".into(), Some(12.0)),
                ("Kamariny".into(), None),
            ],
            "",
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-title\">Cases by ward</title>"));
        assert!(svg.contains("Emsoo &lt;A&amp;B&gt;: 12; Kamariny: –"));
        assert_eq!(
            svg.matches("<rect").count(),
            1,
            "no bar for a suppressed group"
        );
    }
}
