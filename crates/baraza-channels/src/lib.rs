//! How Baraza talks to citizens: message templates rendered in the citizen's language,
//! providers' gateways (outbound) and webhook payloads (inbound).

pub mod africastalking;
pub mod email;
pub mod gateway;
pub mod inbound_email;
pub mod templates;
pub mod twilio;
pub mod ussd;
pub mod whatsapp;

pub use gateway::{Gateway, Outgoing, Secret, SendError, Sent};
