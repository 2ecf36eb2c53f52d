//! Twilio Programmable Messaging, for SMS and WhatsApp. Inbound: form webhooks signed with
//! `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + sorted parameters)), computed
//! over the URL exactly as Twilio called it (port added or removed both accepted). We answer
//! with empty TwiML and send replies through the outbox. Outbound: `POST
//! {base}/2010-04-01/Accounts/{sid}/Messages.json` with basic auth.

use crate::gateway::{Gateway, Outgoing, Secret, SendError, Sent};
use async_trait::async_trait;
use baraza_core::outbound::{OutboundChannel, OutboxStatus};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha1::Sha1;

pub const PROVIDER: &str = "twilio";

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Config {
    pub account_sid: String,
    pub auth_token: Secret,
    /// Our SMS number, if we send SMS through Twilio (`+1...`).
    pub sms_from: Option<String>,
    /// Our WhatsApp sender, if we send WhatsApp through Twilio (`whatsapp:+1...`).
    pub whatsapp_from: Option<String>,
    /// `https://api.twilio.com`
    pub base_url: String,
    /// This server's public base URL as Twilio calls it, e.g. `https://baraza.example.org`:
    /// signatures are computed over it.
    pub public_url: String,
    pub jurisdiction: String,
}

/// The signature Twilio sends for `url` and form `params`.
pub fn signature(auth_token: &Secret, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.expose().as_bytes()) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The URL with its default port made explicit, and without it.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let (authority, path) = rest
        .split_once('/')
        .map(|(a, p)| (a, format!("/{p}")))
        .unwrap_or((rest, String::new()));
    let default = if scheme == "https" { "443" } else { "80" };
    match authority.rsplit_once(':') {
        Some((host, port)) if port == default => out.push(format!("{scheme}://{host}{path}")),
        Some(_) => {}
        None => out.push(format!("{scheme}://{authority}:{default}{path}")),
    }
    out
}

/// Check `X-Twilio-Signature` in constant time, over every form of the URL Twilio may have signed.
pub fn signature_valid(
    auth_token: &Secret,
    url: &str,
    params: &[(String, String)],
    header: Option<&str>,
) -> bool {
    let Some(presented) = header else {
        return false;
    };
    url_variants(url)
        .iter()
        .any(|u| Secret::new(signature(auth_token, u, params)).matches(presented))
}

/// A JSON-bodied webhook: Twilio puts `bodySHA256=<hex sha256 of the raw body>` in the
/// URL and signs the URL alone. Both the hash and the signature must match.
pub fn json_signature_valid(
    auth_token: &Secret,
    url: &str,
    body: &[u8],
    header: Option<&str>,
) -> bool {
    use sha2::{Digest, Sha256};
    let Some(query) = url.split_once('?').map(|(_, q)| q) else {
        return false;
    };
    let claimed = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("bodySHA256="));
    let actual = hex::encode(Sha256::digest(body));
    claimed.is_some_and(|c| Secret::new(c.to_owned()).matches(&actual))
        && signature_valid(auth_token, url, &[], header)
}

/// Status callback statuses, to our outbox's.
pub fn outcome(status: &str) -> Option<OutboxStatus> {
    match status {
        "delivered" | "read" => Some(OutboxStatus::Delivered),
        "failed" | "undelivered" | "canceled" => Some(OutboxStatus::Failed),
        "queued" | "sending" | "sent" | "accepted" | "scheduled" | "partially_delivered" => {
            Some(OutboxStatus::Sent)
        }
        _ => None,
    }
}

pub struct TwilioGateway {
    http: reqwest::Client,
    config: Config,
    channel: OutboundChannel,
}

impl TwilioGateway {
    /// A gateway for `channel`, if the configuration has a sender for it.
    pub fn new(config: Config, channel: OutboundChannel) -> Option<Self> {
        let has_sender = match channel {
            OutboundChannel::Sms => config.sms_from.is_some(),
            OutboundChannel::Whatsapp => config.whatsapp_from.is_some(),
            OutboundChannel::Email => false,
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        has_sender.then_some(Self {
            http,
            config,
            channel,
        })
    }
}

#[derive(Deserialize)]
struct Created {
    sid: String,
    price: Option<String>,
    price_unit: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    code: Option<u32>,
    message: Option<String>,
}

#[async_trait]
impl Gateway for TwilioGateway {
    fn provider(&self) -> &'static str {
        PROVIDER
    }
    fn channel(&self) -> OutboundChannel {
        self.channel
    }

    async fn send(&self, msg: &Outgoing<'_>) -> Result<Sent, SendError> {
        let (to, from) = match self.channel {
            OutboundChannel::Whatsapp => {
                let digits: String = msg.to.chars().filter(|c| c.is_ascii_digit()).collect();
                (
                    format!("whatsapp:+{digits}"),
                    self.config.whatsapp_from.clone().unwrap_or_default(),
                )
            }
            _ => (
                msg.to.to_owned(),
                self.config.sms_from.clone().unwrap_or_default(),
            ),
        };
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.base_url.trim_end_matches('/'),
            self.config.account_sid
        );
        let callback = format!(
            "{}/webhooks/twilio/status",
            self.config.public_url.trim_end_matches('/')
        );
        let form = [
            ("To", to.as_str()),
            ("From", from.as_str()),
            ("Body", msg.text),
            ("StatusCallback", callback.as_str()),
        ];
        let resp = self
            .http
            .post(url)
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose()),
            )
            .form(&form)
            .send()
            .await
            .map_err(|e| crate::gateway::transport_error("Twilio", &e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(match resp.json::<Created>().await {
                Ok(c) => Sent {
                    provider: PROVIDER,
                    provider_message_id: Some(c.sid),
                    cost: c.price.map(|p| {
                        format!("{} {p}", c.price_unit.unwrap_or_default())
                            .trim()
                            .to_owned()
                    }),
                },
                // Accepted: never send again, even if the answer is unreadable.
                Err(_) => Sent {
                    provider: PROVIDER,
                    provider_message_id: None,
                    cost: None,
                },
            });
        }
        let err = resp.json::<ApiError>().await.ok();
        let detail = err
            .map(|e| {
                format!(
                    "{} ({})",
                    e.message.unwrap_or_default(),
                    e.code.unwrap_or_default()
                )
            })
            .unwrap_or_default();
        if status.is_server_error()
            || status.as_u16() == 429
            || status.as_u16() == 401
            || status.as_u16() == 403
        {
            Err(SendError::Retryable(format!(
                "Twilio answered {status}: {detail}"
            )))
        } else {
            Err(SendError::Final(format!(
                "Twilio answered {status}: {detail}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // The reference's vectors, from twilio-python's own tests.
    #[test]
    fn twilio_test_vectors() {
        let token = Secret::new("12345");
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]);
        assert_eq!(signature(&token, url, &p), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert_eq!(
            signature(
                &token,
                "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                &p
            ),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        );
        // Twilio may have signed either form of the URL: both validate.
        assert!(signature_valid(
            &token,
            url,
            &p,
            Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        ));
        assert!(signature_valid(
            &token,
            url,
            &p,
            Some("kvajT1Ptam85bY51eRf/AJRuM3w=")
        ));
        assert!(signature_valid(
            &token,
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &p,
            Some("RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        ));
        let dup = params(&[
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
        ]);
        assert_eq!(signature(&token, url, &dup), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
        assert!(!signature_valid(
            &token,
            url,
            &p,
            Some("IK+Dwps556ElfBT0I3Rgjkr1wJU=")
        ));
        assert!(!signature_valid(&token, url, &p, None));
        // A JSON body: its SHA-256 rides in the URL, and the URL alone is signed.
        let body = br#"{"property": "value", "boolean": true}"#;
        let hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        let with_hash = format!("{url}&bodySHA256={hash}");
        assert_eq!(
            signature(&token, &with_hash, &[]),
            "a9nBmqA0ju/hNViExpshrM61xv4="
        );
        assert!(json_signature_valid(
            &token,
            &with_hash,
            body,
            Some("a9nBmqA0ju/hNViExpshrM61xv4=")
        ));
        assert!(!json_signature_valid(
            &token,
            &with_hash,
            b"{}",
            Some("a9nBmqA0ju/hNViExpshrM61xv4=")
        ));
    }
}
