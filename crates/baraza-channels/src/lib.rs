//! How Baraza talks to citizens: message templates rendered in the citizen's language.
//! Providers' wire formats and signatures live in the modules below.

pub mod templates;
