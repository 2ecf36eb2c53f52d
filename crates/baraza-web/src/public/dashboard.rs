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
    if f.count == 0 && metric == "count" {
        return Some(0.0);
    }
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

/// A group with no figure to show, and why: suppressed (too few cases to show without
/// pointing at someone) or no data (no case, or nothing yet to measure).
fn blank(f: &Figures, tr: &Tr) -> String {
    if f.count > 0 && !f.shown {
        tr.t("cell-suppressed")
    } else {
        tr.t("cell-no-data")
    }
}

fn row(label: String, f: &Figures, tr: &Tr) -> Row {
    let or_blank = |s: String| if s.is_empty() { blank(f, tr) } else { s };
    let pair = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{a:.1} / {b:.1}"),
        _ => String::new(),
    };
    Row {
        label,
        count: if f.shown || f.count == 0 {
            f.count.to_string()
        } else {
            tr.t("fewer-than-5")
        },
        first: or_blank(pair(f.first_response_median_h, f.first_response_p90_h)),
        resolution: or_blank(pair(f.resolution_median_d, f.resolution_p90_d)),
        within: or_blank(pct(f.within_target)),
        confirmed: or_blank(pct(f.confirmed)),
        satisfaction: or_blank(fmt1(f.satisfaction)),
        reopen: or_blank(pct(f.reopen_rate)),
    }
}

/// Every group the jurisdiction has for the dimension, those without a case at 0, by
/// name: a ward with no case is a figure too. Channels, months, genders and age bands
/// list what occurred.
fn complete(
    dimension: &str,
    groups: &[Figures],
    cat: &JurisdictionCatalog,
    tr: &Tr,
) -> Vec<(String, Figures)> {
    let known: Vec<String> = match dimension {
        "ward" => cat.areas.leaves().map(|a| a.code.to_string()).collect(),
        "sub-county" => {
            let mut v: Vec<String> = cat
                .areas
                .leaves()
                .filter_map(|a| a.parent.as_ref().map(ToString::to_string))
                .collect();
            v.sort();
            v.dedup();
            v
        }
        "department" => cat.departments.iter().map(|d| d.code.clone()).collect(),
        "category" => cat.categories.iter().map(|c| c.code.clone()).collect(),
        _ => Vec::new(),
    };
    let mut all: Vec<Figures> = groups.to_vec();
    for key in known {
        if !all.iter().any(|g| g.key == key) {
            all.push(Figures {
                key,
                count: 0,
                shown: false,
                first_response_median_h: None,
                first_response_p90_h: None,
                resolution_median_d: None,
                resolution_p90_d: None,
                within_target: None,
                confirmed: None,
                satisfaction: None,
                reopen_rate: None,
                resolved: 0,
            });
        }
    }
    let mut labelled: Vec<(String, Figures)> = all
        .into_iter()
        .map(|g| (group_label(dimension, &g.key, cat, tr), g))
        .collect();
    if matches!(dimension, "ward" | "sub-county" | "department" | "category") {
        labelled.sort_by(|a, b| a.0.cmp(&b.0));
    }
    labelled
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Words of `label` in lines of at most `width` characters (a word longer than that
/// is cut), at most `lines` lines, the last ending in "…" when some were left out.
fn wrap(label: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut words = label.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let word: String = word.chars().take(width).collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
            if out.len() == lines {
                break;
            }
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
        if words.peek().is_none() {
            out.push(std::mem::take(&mut line));
        }
    }
    if out.len() == lines
        && (words.peek().is_some() || !line.is_empty())
        && let Some(last) = out.last_mut()
    {
        let kept: String = last.chars().take(width.saturating_sub(1)).collect();
        *last = format!("{kept}…");
    }
    out
}

/// A horizontal bar chart, one bar per group, each on a light track as long as the
/// largest value: a zero is an empty track, and a suppressed group (no figure) has no
/// track, only "–". Labels wrap onto up to three lines instead of being cut. The chart
/// is described by its `<title>` and `<desc>`; the table below it has every number.
pub fn bar_chart(title: &str, bars: &[(String, Option<f64>)], unit: &str) -> String {
    const WIDTH: f64 = 340.0;
    const LABEL: f64 = 130.0;
    const BAR: f64 = 14.0;
    const GAP: f64 = 8.0;
    const LINE: f64 = 13.0;
    const TRACK: f64 = WIDTH - LABEL - 44.0;
    let max = bars.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let mut desc = Vec::new();
    let mut body = String::new();
    let mut y = GAP;
    for (label, value) in bars {
        let lines = wrap(label, 18, 3);
        let row = BAR.max(lines.len() as f64 * LINE);
        let first = y + (row - lines.len() as f64 * LINE) / 2.0 + LINE * 0.8;
        body.push_str(&format!(
            "<text x=\"{:.0}\" y=\"{first:.1}\" text-anchor=\"end\">",
            LABEL - 4.0
        ));
        for (i, l) in lines.iter().enumerate() {
            body.push_str(&format!(
                "<tspan x=\"{:.0}\" dy=\"{}\">{}</tspan>",
                LABEL - 4.0,
                if i == 0 { 0.0 } else { LINE },
                escape(l)
            ));
        }
        body.push_str("</text>");
        let bar_y = y + (row - BAR) / 2.0;
        let text_y = bar_y + BAR * 0.8;
        match value {
            Some(v) => {
                let w = if max > 0.0 { TRACK * v / max } else { 0.0 };
                body.push_str(&format!(
                    "<rect x=\"{LABEL}\" y=\"{bar_y:.1}\" width=\"{TRACK:.1}\" height=\"{BAR}\" fill=\"#eceff1\"/>"
                ));
                if w > 0.0 {
                    body.push_str(&format!(
                        "<rect x=\"{LABEL}\" y=\"{bar_y:.1}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"#0b5394\"/>"
                    ));
                }
                body.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{text_y:.1}\">{}{unit}</text>",
                    LABEL + w + 3.0,
                    format_value(*v)
                ));
                desc.push(format!("{label}: {}{unit}", format_value(*v)));
            }
            None => {
                body.push_str(&format!(
                    "<text x=\"{LABEL}\" y=\"{text_y:.1}\" fill=\"#555\">–</text>"
                ));
                desc.push(format!("{label}: –"));
            }
        }
        y += row + GAP;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" \
         viewBox=\"0 0 {WIDTH} {y:.0}\" width=\"{WIDTH}\" height=\"{y:.0}\" class=\"chart\" font-size=\"12\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>{body}</svg>",
        escape(title),
        escape(&desc.join("; "))
    )
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
    let cat = cat.in_language(crate::html::language(&headers));
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
    let labelled = complete(dimension, &b.groups, &cat, &tr);
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
        // The total first, then each group.
        rows: std::iter::once(row(tr.t("all"), &b.total, &tr))
            .chain(labelled.iter().map(|(l, g)| row(l.clone(), g, &tr)))
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
        let count = if f.shown || f.count == 0 {
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
        for (label, g) in complete(dimension, &b.groups, &cat, &tr) {
            w.row(record(&g.key, label, &g))?;
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
            2,
            "a track and a bar; nothing for a suppressed group"
        );
    }

    #[test]
    fn a_zero_is_an_empty_track_and_labels_wrap() {
        let svg = bar_chart(
            "Reopened",
            &[
                ("Water, Environment and Natural Resources".into(), Some(0.0)),
                ("Roads".into(), Some(0.0)),
            ],
            "%",
        );
        // Two tracks, no bar: all zero.
        assert_eq!(svg.matches("fill=\"#0b5394\"").count(), 0, "{svg}");
        assert_eq!(svg.matches("fill=\"#eceff1\"").count(), 2);
        assert!(svg.contains(">0%</text>"));
        assert!(svg.contains(">Water, Environment</tspan>"), "{svg}");
        assert!(svg.contains(">and Natural</tspan>"), "{svg}");
        assert!(svg.contains(">Resources</tspan>"), "{svg}");
        let svg = bar_chart("x", &[("a".into(), Some(0.0)), ("b".into(), Some(4.0))], "");
        assert_eq!(svg.matches("fill=\"#0b5394\"").count(), 1);
        assert!(
            svg.contains("width=\"166.0\" height=\"14\" fill=\"#0b5394\""),
            "{svg}"
        );
    }

    #[test]
    fn long_labels_wrap_on_words_and_end_in_an_ellipsis() {
        assert_eq!(wrap("Kamariny", 22, 3), ["Kamariny"]);
        assert_eq!(
            wrap("Water, Environment and Natural Resources", 22, 3),
            ["Water, Environment and", "Natural Resources"]
        );
        assert_eq!(
            wrap("one two three four five six seven eight nine ten", 9, 2),
            ["one two", "three…"]
        );
    }
}
