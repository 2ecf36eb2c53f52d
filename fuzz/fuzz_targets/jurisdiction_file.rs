//! Jurisdiction files (TOML), their hierarchy CSV and their ward boundaries (GeoJSON), as
//! an operator might mistype them: checked whole, with an error that names what is
//! wrong, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../crates/baraza/src/jurisdiction_file.rs"]
#[allow(dead_code)]
mod jurisdiction_file;

const WARDS: &str = "county_code,county,constituency_code,constituency,ward_code,ward
028,Elgeyo-Marakwet,149,Keiyo North,0741,Emsoo
028,Elgeyo-Marakwet,149,Keiyo North,0742,Kamariny
";

const FILE: &str = r#"id = "em"
name = "Elgeyo Marakwet County"
reference_prefix = "EM"
levels = ["county", "sub-county", "ward"]
country = "KE"
default_language = "en"
timezone = "Africa/Nairobi"
[hierarchy]
csv = "wards.csv"
columns = [["county_code", "county"], ["constituency_code", "constituency"], ["ward_code", "ward"]]
"#;

fuzz_target!(|data: &str| {
    if let Ok(file) = jurisdiction_file::JurisdictionFile::parse(data) {
        let _ = file.check(WARDS, None);
        let _ = file.check(data, None);
    }
    // Any text as the ward boundaries of a good file.
    if let Ok(file) = jurisdiction_file::JurisdictionFile::parse(FILE) {
        let _ = file.check(WARDS, Some(data));
    }
});
