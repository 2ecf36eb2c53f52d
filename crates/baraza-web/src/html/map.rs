//! Picking a place on the raise form: Leaflet (vendored under `static/leaflet/`, BSD-2),
//! our `place.js`, and the tiles the operator configured. Pages that show the map carry
//! their own Content-Security-Policy: scripts from this server only, images from it and
//! from the tiles' origin.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The tile server: its URL template and attribution, and its origin for the CSP.
#[derive(Debug, Clone)]
pub struct MapTiles {
    pub url: String,
    pub attribution: String,
    origin: String,
}

impl MapTiles {
    /// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`: an http(s) URL with the three
    /// placeholders; anything else is no map.
    pub fn new(url: &str, attribution: &str) -> Option<Self> {
        let url = url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))?;
        let host = rest.split('/').next().filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:{}".contains(c))
        })?;
        if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
            return None;
        }
        // `{s}` subdomains: allow the parent domain's subdomains.
        let origin_host = host.replace("{s}.", "*.");
        Some(Self {
            url: url.to_owned(),
            attribution: attribution.trim().to_owned(),
            origin: format!("{}://{origin_host}", &url[..url.find("://")?]),
        })
    }

    /// The CSP of a page with the map.
    pub fn csp(&self) -> String {
        format!(
            "default-src 'self'; img-src 'self' data: {}; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            self.origin
        )
    }
}

const LEAFLET_JS: &[u8] = include_bytes!("../../static/leaflet/leaflet.js");
const LEAFLET_CSS: &[u8] = include_bytes!("../../static/leaflet/leaflet.css");
const MARKER: &[u8] = include_bytes!("../../static/leaflet/images/marker-icon.png");
const MARKER_2X: &[u8] = include_bytes!("../../static/leaflet/images/marker-icon-2x.png");
const SHADOW: &[u8] = include_bytes!("../../static/leaflet/images/marker-shadow.png");
const PLACE_JS: &[u8] = include_bytes!("../../static/place.js");

/// The map's static files, cached for a week (they change only with a release).
pub async fn asset(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (kind, bytes) = match file.as_str() {
        "leaflet.js" => ("text/javascript; charset=utf-8", LEAFLET_JS),
        "leaflet.css" => ("text/css; charset=utf-8", LEAFLET_CSS),
        "images/marker-icon.png" => ("image/png", MARKER),
        "images/marker-icon-2x.png" => ("image/png", MARKER_2X),
        "images/marker-shadow.png" => ("image/png", SHADOW),
        "place.js" => ("text/javascript; charset=utf-8", PLACE_JS),
        _ => return crate::AppError::not_found("file").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=604800"),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_urls_are_checked_and_named_in_the_policy() {
        let t = MapTiles::new("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OSM").unwrap();
        assert!(
            t.csp()
                .contains("img-src 'self' data: https://tile.openstreetmap.org;")
        );
        let s = MapTiles::new("https://{s}.tile.example.org/{z}/{x}/{y}.png", "x").unwrap();
        assert!(
            s.csp().contains("https://*.tile.example.org;"),
            "{}",
            s.csp()
        );
        for bad in [
            "",
            "ftp://x/{z}/{x}/{y}",
            "https://x.org/tiles.png",
            "https://a b/{z}/{x}/{y}",
            "https://x'; script-src *;/{z}/{x}/{y}",
        ] {
            assert!(MapTiles::new(bad, "").is_none(), "{bad}");
        }
    }
}
