//! Jurisdiction files (TOML) and their hierarchy CSV, as an operator might mistype them:
//! checked whole, with an error that names what is wrong, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../crates/baraza/src/jurisdiction_file.rs"]
#[allow(dead_code)]
mod jurisdiction_file;

const WARDS: &str = "county_code,county,constituency_code,constituency,ward_code,ward
028,Elgeyo-Marakwet,149,Keiyo North,0741,Emsoo
028,Elgeyo-Marakwet,149,Keiyo North,0742,Kamariny
";

fuzz_target!(|data: &str| {
    if let Ok(file) = jurisdiction_file::JurisdictionFile::parse(data) {
        let _ = file.check(WARDS);
        let _ = file.check(data);
    }
});
