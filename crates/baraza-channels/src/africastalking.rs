//! Africa's Talking: Kenya's common SMS gateway. Outbound: `POST {base}/version1/messaging`
//! (form, `apiKey` header). Inbound: form callbacks for incoming SMS and delivery reports.
//! Africa's Talking does not sign callbacks: the callback URL carries a secret (compared
//! in constant time), and a delivery report counts only for a message id we issued.

use crate::gateway::{Gateway, Outgoing, Secret, SendError, Sent};
use async_trait::async_trait;
use baraza_core::outbound::{OutboundChannel, OutboxStatus};
use serde::Deserialize;

pub const PROVIDER: &str = "africastalking";

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Config {
    /// Your Africa's Talking username (`sandbox` in the sandbox).
    pub username: String,
    pub api_key: Secret,
    /// The secret path segment of the callback URLs.
    pub webhook_secret: Secret,
    /// Sender id or short code, if you have one.
    pub sender_id: Option<String>,
    /// The USSD service code citizens dial (e.g. `*384*123#`), shown on confirmations.
    #[serde(default)]
    pub ussd_code: Option<String>,
    /// `https://api.africastalking.com` (live) or `https://api.sandbox.africastalking.com`.
    pub base_url: String,
    /// The jurisdiction the short code serves.
    pub jurisdiction: String,
    /// If set, callbacks are accepted only from these addresses (Africa's Talking's).
    #[serde(default)]
    pub allowed_ips: Vec<std::net::IpAddr>,
}

pub struct SmsGateway {
    http: reqwest::Client,
    config: Config,
}

impl SmsGateway {
    pub fn new(config: Config) -> Self {
        Self::with_timeout(config, std::time::Duration::from_secs(20))
    }

    /// The same, waiting at most `timeout` for the provider's answer (after which the
    /// send is uncertain, never retried).
    pub fn with_timeout(config: Config, timeout: std::time::Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Self { http, config }
    }
}

#[derive(Deserialize)]
struct Response {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Deserialize)]
struct MessageData {
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "Recipients", default)]
    recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
struct Recipient {
    #[serde(rename = "statusCode")]
    status_code: u16,
    status: String,
    #[serde(rename = "messageId", default)]
    message_id: String,
    cost: Option<String>,
}

#[async_trait]
impl Gateway for SmsGateway {
    fn provider(&self) -> &'static str {
        PROVIDER
    }
    fn channel(&self) -> OutboundChannel {
        OutboundChannel::Sms
    }

    async fn send(&self, msg: &Outgoing<'_>) -> Result<Sent, SendError> {
        let (to, text) = (msg.to, msg.text);
        let url = format!(
            "{}/version1/messaging",
            self.config.base_url.trim_end_matches('/')
        );
        let mut form = vec![
            ("username", self.config.username.as_str()),
            ("to", to),
            ("message", text),
        ];
        if let Some(from) = &self.config.sender_id {
            form.push(("from", from));
        }
        let resp = self
            .http
            .post(url)
            .header("apiKey", self.config.api_key.expose())
            .header("Accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| crate::gateway::transport_error("Africa's Talking", &e))?;
        let status = resp.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(SendError::Retryable(format!(
                "Africa's Talking answered {status}"
            )));
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            // Our key is wrong or suspended: keep the message until the operator fixes it.
            return Err(SendError::Retryable(format!(
                "Africa's Talking refused our credentials ({status})"
            )));
        }
        if !status.is_success() {
            return Err(SendError::Final(format!(
                "Africa's Talking answered {status}"
            )));
        }
        // Accepted (2xx): from here on, never send again, whatever else goes wrong.
        let body: Response = match resp.json().await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "Africa's Talking accepted a message but its answer was unreadable");
                return Ok(Sent {
                    provider: PROVIDER,
                    provider_message_id: None,
                    cost: None,
                });
            }
        };
        let Some(r) = body.data.recipients.into_iter().next() else {
            return Err(SendError::Final(format!(
                "Africa's Talking sent to nobody: {}",
                body.data.message
            )));
        };
        let id = Some(r.message_id).filter(|id| !id.is_empty() && id != "None");
        match r.status_code {
            100..=102 => Ok(Sent {
                provider: PROVIDER,
                provider_message_id: id,
                cost: r.cost,
            }),
            // Our account or sender id needs the operator (risk hold, sender id, balance):
            // keep the message until it is fixed; the provider's own failures likewise.
            401 | 402 | 405 | 500 | 501 => Err(SendError::Retryable(format!(
                "{} ({})",
                r.status, r.status_code
            ))),
            // InvalidPhoneNumber, UnsupportedNumberType, UserInBlacklist, CouldNotRoute, ...
            _ => Err(SendError::Final(format!(
                "{} ({})",
                r.status, r.status_code
            ))),
        }
    }
}

/// An incoming SMS callback (form fields as Africa's Talking sends them).
#[derive(Debug, Clone, Deserialize)]
pub struct IncomingSms {
    pub id: String,
    pub from: String,
    pub to: Option<String>,
    pub text: String,
    pub date: Option<String>,
    #[serde(rename = "linkId")]
    pub link_id: Option<String>,
    #[serde(rename = "networkCode")]
    pub network_code: Option<String>,
}

/// A delivery report callback.
#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryReport {
    pub id: String,
    pub status: String,
    #[serde(rename = "phoneNumber")]
    pub phone_number: Option<String>,
    #[serde(rename = "networkCode")]
    pub network_code: Option<String>,
    #[serde(rename = "failureReason")]
    pub failure_reason: Option<String>,
    #[serde(rename = "retryCount")]
    pub retry_count: Option<String>,
}

impl DeliveryReport {
    /// What the report means for our outbox row; `None` for a status we do not know.
    pub fn outcome(&self) -> Option<OutboxStatus> {
        match self.status.as_str() {
            // Final, per Africa's Talking: Success, Rejected, Failed. The others are steps on
            // the way (the phone may be off: AbsentSubscriber is retried by the network).
            "Success" => Some(OutboxStatus::Delivered),
            "Rejected" | "Failed" => Some(OutboxStatus::Failed),
            "Sent" | "Submitted" | "Buffered" | "AbsentSubscriber" | "Expired" => {
                Some(OutboxStatus::Sent)
            }
            _ => None,
        }
    }
}
