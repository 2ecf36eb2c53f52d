//! Sending a message through a provider. A gateway says whether a failure is worth
//! retrying (the provider is down, rate-limits us) or final (the number is invalid), so
//! the outbox worker knows whether to try again later or give up.

use async_trait::async_trait;
use baraza_core::outbound::OutboundChannel;

/// Accepted by the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub provider: &'static str,
    /// The provider's id for delivery reports, when it gave one.
    pub provider_message_id: Option<String>,
    pub cost: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Try again later: the provider is unreachable, overloaded, or misconfigured on our side.
    #[error("will retry: {0}")]
    Retryable(String),
    /// Trying again would not help: the number is invalid, blacklisted...
    #[error("gave up: {0}")]
    Final(String),
    /// The request may have reached the provider and been sent (the answer timed out, or
    /// the connection dropped after the request went out). A timeout is not a failure:
    /// sending again could reach the citizen twice, so it is never retried.
    #[error("outcome unknown: {0}")]
    Uncertain(String),
}

/// What a transport error says about a send: a connection that was never made proves the
/// provider never saw the message (retry); anything later (a timeout waiting for the
/// answer, a connection dropped mid-exchange) leaves it uncertain.
pub fn transport_error(provider: &str, e: &reqwest::Error) -> SendError {
    if e.is_connect() || e.is_builder() {
        SendError::Retryable(format!("{provider} unreachable: {e}"))
    } else {
        SendError::Uncertain(format!("{provider} did not answer: {e}"))
    }
}

/// A message ready to go: its rendered text, and what a provider may need besides.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// E.164 number, WhatsApp id or email address.
    pub to: &'a str,
    pub text: &'a str,
    pub language: baraza_core::Language,
    /// When the citizen last wrote to us on this channel (WhatsApp's 24-hour window).
    pub last_inbound: Option<chrono::DateTime<chrono::Utc>>,
    pub now: chrono::DateTime<chrono::Utc>,
    /// The message asks "is it solved?": channels with buttons show Yes (`1`) / No (`2`).
    pub asks_if_solved: bool,
    /// The case it is about (its digits), so that a reply can find its way back to it.
    pub case_digits: Option<String>,
}

#[async_trait]
pub trait Gateway: Send + Sync + 'static {
    fn provider(&self) -> &'static str;
    fn channel(&self) -> OutboundChannel;
    async fn send(&self, msg: &Outgoing<'_>) -> Result<Sent, SendError>;
}

/// A secret from configuration: never printed.
#[derive(Clone, serde::Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Compare in constant time (for webhook secrets).
    pub fn matches(&self, presented: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), presented.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}
