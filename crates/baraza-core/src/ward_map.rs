//! A jurisdiction's ward map: ward boundaries (GeoJSON, WGS 84, lon/lat) projected once,
//! when the jurisdiction is loaded, to small SVG paths in pixel space. Pages only colour
//! the paths, so a map costs nothing to draw and needs no tiles or JavaScript.
//!
//! The projection is equirectangular, scaled by the cosine of the middle latitude: over a
//! county (a degree or two) the distortion is below what a 480-pixel drawing can show.
//! Coordinates are rounded to whole pixels and repeated points dropped.

use crate::{Area, AreaCode, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The largest side of the drawing, in pixels.
pub const MAX_SIDE: f64 = 480.0;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardMap {
    pub width: u32,
    pub height: u32,
    /// Where the boundaries come from and under which licence: shown with the map.
    pub attribution: String,
    /// One shape per ward of the boundary file, in the file's order.
    pub shapes: Vec<WardShape>,
    /// Wards of the jurisdiction's list that the boundary file has no shape for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<AreaCode>,
    /// The boundaries' extent in millionths of a degree: west, south, east, north (maps
    /// built before it was kept have none: load the jurisdiction again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[i64; 4]>,
}

impl WardMap {
    /// The extent in degrees: west, south, east, north.
    pub fn degrees(&self) -> Option<[f64; 4]> {
        self.bounds.map(|b| b.map(|v| v as f64 / 1e6))
    }

    /// Where a point falls on the drawing, in its pixels (None outside the extent).
    pub fn project(&self, lat: f64, lon: f64) -> Option<(f64, f64)> {
        let [west, south, east, north] = self.degrees()?;
        if !(west..=east).contains(&lon) || !(south..=north).contains(&lat) {
            return None;
        }
        let k = ((north + south) / 2.0).to_radians().cos();
        let scale = MAX_SIDE / ((east - west) * k).max(north - south);
        Some(((lon - west) * k * scale, (north - lat) * scale))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardShape {
    pub code: AreaCode,
    /// The ward list's name where it has the ward, the boundary file's otherwise.
    pub name: String,
    /// SVG path data (`M x y l dx dy … z`), in the map's pixels.
    pub path: String,
    /// Whether the jurisdiction's ward list has this ward (cases and projects can only be
    /// filed against wards it has).
    pub listed: bool,
}

fn bad(message: impl Into<String>) -> FieldError {
    FieldError::new("boundaries", message)
}

type Ring = Vec<(f64, f64)>;

fn ring(v: &Value, at: &str) -> Result<Ring, FieldError> {
    let points = v
        .as_array()
        .ok_or_else(|| bad(format!("{at}: a ring must be an array of positions")))?;
    points
        .iter()
        .map(|p| match p.as_array().map(Vec::as_slice) {
            Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
                (Some(lon), Some(lat))
                    if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
                {
                    Ok((lon, lat))
                }
                _ => Err(bad(format!(
                    "{at}: a position is [longitude, latitude] in degrees"
                ))),
            },
            _ => Err(bad(format!(
                "{at}: a position is [longitude, latitude] in degrees"
            ))),
        })
        .collect()
}

fn polygons(geometry: &Value, at: &str) -> Result<Vec<Ring>, FieldError> {
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = geometry
        .get("coordinates")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(format!("{at}: the geometry has no coordinates")))?;
    let mut rings = Vec::new();
    match kind {
        "Polygon" => {
            for r in coords {
                rings.push(ring(r, at)?);
            }
        }
        "MultiPolygon" => {
            for poly in coords {
                for r in poly.as_array().into_iter().flatten() {
                    rings.push(ring(r, at)?);
                }
            }
        }
        other => {
            return Err(bad(format!(
                "{at}: a ward is a Polygon or a MultiPolygon, not {other:?}"
            )));
        }
    }
    Ok(rings)
}

/// Build the map from a GeoJSON FeatureCollection whose features carry the ward's code in
/// the property `code_property`. `wards` is the jurisdiction's ward list (its lowest
/// level); `attribution` overrides the file's own top-level `attribution` member. Every
/// problem names the feature it is in.
pub fn from_geojson(
    text: &str,
    code_property: &str,
    wards: &[Area],
    attribution: Option<&str>,
) -> Result<WardMap, FieldError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not a GeoJSON document: {e}")))?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(bad("a GeoJSON FeatureCollection, one feature per ward"));
    }
    let attribution = attribution
        .map(str::to_owned)
        .or_else(|| {
            doc.get("attribution")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            bad("say where the boundaries come from and their licence: an `attribution` member in the file, or `boundaries_attribution`")
        })?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("the FeatureCollection has no features"))?;
    let names: BTreeMap<&str, &str> = wards
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    let mut read: Vec<(AreaCode, String, Vec<Ring>)> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let at = format!("feature {i}");
        let props = f.get("properties");
        let code = props
            .and_then(|p| p.get(code_property))
            .and_then(|c| {
                c.as_str()
                    .map(str::to_owned)
                    .or_else(|| c.as_u64().map(|n| n.to_string()))
            })
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| bad(format!("{at}: no {code_property:?} property")))?;
        if read.iter().any(|(c, _, _)| c.as_str() == code) {
            return Err(bad(format!("{at}: ward {code} appears twice")));
        }
        let own_name = props
            .and_then(|p| p.get("ward").or_else(|| p.get("name")))
            .and_then(Value::as_str)
            .unwrap_or(&code)
            .to_owned();
        let name = names
            .get(code.as_str())
            .map_or(own_name, |n| (*n).to_owned());
        let geometry = f
            .get("geometry")
            .ok_or_else(|| bad(format!("{at}: no geometry")))?;
        read.push((AreaCode(code), name, polygons(geometry, &at)?));
    }
    let all = read.iter().flat_map(|(_, _, rings)| rings.iter().flatten());
    let (mut west, mut east, mut south, mut north) = (180.0f64, -180.0f64, 90.0f64, -90.0f64);
    for &(lon, lat) in all {
        west = west.min(lon);
        east = east.max(lon);
        south = south.min(lat);
        north = north.max(lat);
    }
    if !(east > west && north > south) {
        return Err(bad("the boundaries have no extent"));
    }
    let k = ((north + south) / 2.0).to_radians().cos();
    let (w, h) = ((east - west) * k, north - south);
    let scale = MAX_SIDE / w.max(h);
    let px = |(lon, lat): (f64, f64)| -> (i64, i64) {
        (
            ((lon - west) * k * scale).round() as i64,
            ((north - lat) * scale).round() as i64,
        )
    };
    let shapes = read
        .into_iter()
        .map(|(code, name, rings)| {
            let mut path = String::new();
            for r in &rings {
                let mut pts: Vec<(i64, i64)> = Vec::with_capacity(r.len());
                for &p in r {
                    let q = px(p);
                    if pts.last() != Some(&q) {
                        pts.push(q);
                    }
                }
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() < 3 {
                    continue; // smaller than a pixel at this scale
                }
                let _ = write!(path, "M{} {}l", pts[0].0, pts[0].1);
                for pair in pts.windows(2) {
                    let (dx, dy) = (pair[1].0 - pair[0].0, pair[1].1 - pair[0].1);
                    let _ = write!(path, "{dx} {dy} ");
                }
                path.pop();
                path.push('z');
            }
            WardShape {
                listed: names.contains_key(code.as_str()),
                code,
                name,
                path,
            }
        })
        .collect::<Vec<_>>();
    let missing = wards
        .iter()
        .filter(|a| !shapes.iter().any(|s| s.code == a.code))
        .map(|a| a.code.clone())
        .collect();
    Ok(WardMap {
        width: (w * scale).round() as u32,
        height: (h * scale).round() as u32,
        attribution,
        shapes,
        missing,
        bounds: Some([west, south, east, north].map(|v| (v * 1e6).round() as i64)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JurisdictionId;

    fn ward(code: &str, name: &str) -> Area {
        Area {
            jurisdiction: JurisdictionId::parse("em").unwrap(),
            code: AreaCode(code.into()),
            name: name.into(),
            depth: 2,
            parent: None,
        }
    }

    const TWO: &str = r#"{"type":"FeatureCollection","attribution":"Test shapes, CC0",
      "features":[
        {"type":"Feature","properties":{"ward_code":"0001","ward":"West"},
         "geometry":{"type":"Polygon","coordinates":[[[35.0,0.0],[35.5,0.0],[35.5,1.0],[35.0,1.0],[35.0,0.0]]]}},
        {"type":"Feature","properties":{"ward_code":"0002","ward":"East (source)"},
         "geometry":{"type":"MultiPolygon","coordinates":[[[[35.5,0.0],[36.0,0.0],[36.0,1.0],[35.5,1.0],[35.5,0.0]]]]}}]}"#;

    #[test]
    fn wards_are_projected_to_pixel_paths_and_matched_to_the_ward_list() {
        let wards = [ward("0002", "East"), ward("0003", "Nowhere")];
        let map = from_geojson(TWO, "ward_code", &wards, None).unwrap();
        // A degree by a degree at the equator: square, the longest side 480.
        assert_eq!((map.width, map.height), (480, 480));
        assert_eq!(map.attribution, "Test shapes, CC0");
        assert_eq!(map.shapes[0].path, "M0 480l240 0 0 -480 -240 0z");
        assert!(!map.shapes[0].listed);
        assert_eq!(map.shapes[1].name, "East", "the ward list's name wins");
        assert!(map.shapes[1].listed);
        assert_eq!(map.missing, vec![AreaCode("0003".into())]);
        // A point is drawn where the paths put it; outside the extent, nowhere.
        let [west, south, east, north] = map.degrees().unwrap();
        let (x, y) = map.project(south, west).unwrap();
        assert!(x.abs() < 1e-6 && (y - 480.0).abs() < 1e-6, "{x} {y}");
        let (x, y) = map
            .project((south + north) / 2.0, (west + east) / 2.0)
            .unwrap();
        assert!(
            (x - 240.0).abs() < 1.0 && (y - 240.0).abs() < 1.0,
            "{x} {y}"
        );
        assert_eq!(map.project(north + 1.0, west), None);
    }

    #[test]
    fn bad_boundaries_are_refused_with_the_feature_named() {
        let no_code = TWO.replace("\"ward_code\":\"0002\"", "\"code\":\"0002\"");
        let e = from_geojson(&no_code, "ward_code", &[], None).unwrap_err();
        assert_eq!(e.field, "boundaries");
        assert!(e.message.contains("feature 1"), "{}", e.message);
        let point = TWO.replace("\"MultiPolygon\"", "\"Point\"");
        assert!(
            from_geojson(&point, "ward_code", &[], None)
                .unwrap_err()
                .message
                .contains("not \"Point\"")
        );
        let unattributed = TWO.replace("\"attribution\":\"Test shapes, CC0\",", "");
        assert!(
            from_geojson(&unattributed, "ward_code", &[], None)
                .unwrap_err()
                .message
                .contains("licence")
        );
        assert!(from_geojson(&unattributed, "ward_code", &[], Some("Mine, CC BY 4.0")).is_ok());
    }

    #[test]
    fn the_three_kenyan_counties_make_small_maps() {
        for (file, county) in [
            (
                include_str!("../../../data/boundaries/kenya-wards-elgeyo-marakwet.geojson"),
                "Elgeyo-Marakwet",
            ),
            (
                include_str!("../../../data/boundaries/kenya-wards-makueni.geojson"),
                "Makueni",
            ),
            (
                include_str!("../../../data/boundaries/kenya-wards-nairobi.geojson"),
                "Nairobi",
            ),
        ] {
            let map = from_geojson(file, "ward_code", &[], None).unwrap();
            let bytes: usize = map.shapes.iter().map(|s| s.path.len()).sum();
            assert!(bytes < 14_000, "{county}: {bytes} bytes of paths");
            assert!(map.shapes.iter().all(|s| s.path.starts_with('M')));
            assert!(map.attribution.contains("CC BY 4.0"), "{county}");
        }
    }
}
