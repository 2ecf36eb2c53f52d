//! Background work that must survive restarts and never do anything twice.

pub mod escalation;
pub mod follow_up;
pub mod information;
pub mod media;
pub mod outbox;
pub mod runner;
