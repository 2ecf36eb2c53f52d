//! WhatsApp Business Cloud API (Meta). Inbound: the verification handshake, then POSTs
//! signed with `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret),
//! checked before the body is parsed. Outbound: `POST {base}/{phone_number_id}/messages`;
//! free text within 24 hours of the citizen's last message, an approved template outside.

use crate::gateway::{Gateway, Outgoing, Secret, SendError, Sent};
use async_trait::async_trait;
use baraza_core::outbound::{OutboundChannel, OutboxStatus};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

pub const PROVIDER: &str = "whatsapp";

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Config {
    /// The token you type in Meta's dashboard for the webhook handshake.
    pub verify_token: Secret,
    /// The app secret, for `X-Hub-Signature-256`.
    pub app_secret: Secret,
    /// A system user's access token, to send.
    pub access_token: Secret,
    pub phone_number_id: String,
    /// `https://graph.facebook.com/v21.0`
    pub base_url: String,
    /// An approved template with one body parameter, for messages outside the 24-hour window.
    pub template_name: String,
    pub jurisdiction: String,
}

/// The handshake: `hub.mode=subscribe` and our verify token give back the challenge.
pub fn handshake(
    config: &Config,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Option<String> {
    match (mode, token, challenge) {
        (Some("subscribe"), Some(t), Some(c)) if config.verify_token.matches(t) => {
            Some(c.to_owned())
        }
        _ => None,
    }
}

/// `X-Hub-Signature-256: sha256=<hex>` over the raw body, compared in constant time.
pub fn signature_valid(app_secret: &Secret, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.expose().as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    pub value: Value,
}

#[derive(Debug, Deserialize)]
pub struct Value {
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub statuses: Vec<StatusUpdate>,
}

#[derive(Debug, Deserialize)]
pub struct Message {
    pub from: String,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<Text>,
    pub interactive: Option<Interactive>,
    pub button: Option<Button>,
    pub location: Option<Location>,
    pub image: Option<Media>,
}

#[derive(Debug, Deserialize)]
pub struct Text {
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct Interactive {
    pub button_reply: Option<Reply>,
    pub list_reply: Option<Reply>,
}

#[derive(Debug, Deserialize)]
pub struct Reply {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Button {
    pub payload: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Media {
    pub id: String,
    pub caption: Option<String>,
    pub mime_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StatusUpdate {
    pub id: String,
    pub status: String,
}

impl Message {
    /// What the citizen said, as text the conversation understands: a button's id is the
    /// answer it stands for ("1", "2"); a location or a photo becomes words.
    pub fn as_text(&self) -> String {
        match self.kind.as_str() {
            "text" => self
                .text
                .as_ref()
                .map(|t| t.body.clone())
                .unwrap_or_default(),
            "interactive" => self
                .interactive
                .as_ref()
                .and_then(|i| i.button_reply.as_ref().or(i.list_reply.as_ref()))
                .map(|r| r.id.clone())
                .unwrap_or_default(),
            "button" => self
                .button
                .as_ref()
                .and_then(|b| b.payload.clone().or(b.text.clone()))
                .unwrap_or_default(),
            "location" => match &self.location {
                Some(l) => {
                    let place = [l.name.as_deref(), l.address.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("Location {:.5},{:.5} {place}", l.latitude, l.longitude)
                        .trim()
                        .to_owned()
                }
                None => String::new(),
            },
            "image" => match &self.image {
                Some(m) => format!("[photo {}] {}", m.id, m.caption.clone().unwrap_or_default())
                    .trim()
                    .to_owned(),
                None => String::new(),
            },
            other => format!("[{other}]"),
        }
    }
}

impl StatusUpdate {
    pub fn outcome(&self) -> Option<OutboxStatus> {
        match self.status.as_str() {
            "sent" => Some(OutboxStatus::Sent),
            "delivered" | "read" => Some(OutboxStatus::Delivered),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

pub struct WhatsappGateway {
    http: reqwest::Client,
    config: Config,
}

impl WhatsappGateway {
    pub fn new(config: Config) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        Self { http, config }
    }
}

fn language_code(l: baraza_core::Language) -> &'static str {
    match l {
        baraza_core::Language::English => "en",
        baraza_core::Language::Kiswahili => "sw",
        baraza_core::Language::French => "fr",
    }
}

#[derive(Deserialize)]
struct SendResponse {
    #[serde(default)]
    messages: Vec<SentId>,
}

#[derive(Deserialize)]
struct SentId {
    id: String,
}

/// Graph's answer about a media id: where to download it, valid a few minutes.
#[derive(Deserialize)]
struct MediaInfo {
    url: String,
    mime_type: Option<String>,
}

/// The most we download for one file: a phone photo is a few megabytes.
pub const MAX_MEDIA_BYTES: usize = 16 * 1024 * 1024;

impl WhatsappGateway {
    /// Download a file a citizen sent: `GET {base}/{media-id}` for its URL, then the URL,
    /// both with our access token. Returns the bytes and their media type.
    pub async fn fetch_media(
        &self,
        media_id: &str,
    ) -> Result<(Vec<u8>, Option<String>), SendError> {
        let token = self.config.access_token.expose();
        let url = format!(
            "{}/{}",
            self.config.base_url.trim_end_matches('/'),
            media_id
        );
        let classify = |status: reqwest::StatusCode, what: &str| {
            if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 401 {
                SendError::Retryable(format!("{what}: {status}"))
            } else {
                SendError::Final(format!("{what}: {status}"))
            }
        };
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(classify(resp.status(), "media lookup"));
        }
        let info: MediaInfo = resp
            .json()
            .await
            .map_err(|e| SendError::Final(format!("media lookup: {e}")))?;
        let resp = self
            .http
            .get(&info.url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(classify(resp.status(), "media download"));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| SendError::Retryable(e.to_string()))?;
        if bytes.len() > MAX_MEDIA_BYTES {
            return Err(SendError::Final(format!(
                "the file is larger than {MAX_MEDIA_BYTES} bytes"
            )));
        }
        Ok((bytes.to_vec(), info.mime_type))
    }
}

#[async_trait]
impl Gateway for WhatsappGateway {
    fn provider(&self) -> &'static str {
        PROVIDER
    }
    fn channel(&self) -> OutboundChannel {
        OutboundChannel::Whatsapp
    }

    async fn send(&self, msg: &Outgoing<'_>) -> Result<Sent, SendError> {
        let within_window = msg
            .last_inbound
            .is_some_and(|t| msg.now - t < chrono::Duration::hours(24));
        let body = if within_window && msg.asks_if_solved {
            // Buttons whose ids are the answers the conversation understands.
            let (yes, no) = match msg.language {
                baraza_core::Language::English => ("Yes, solved", "No"),
                baraza_core::Language::Kiswahili => ("Ndiyo", "Hapana"),
                baraza_core::Language::French => ("Oui, résolu", "Non"),
            };
            let text: String = msg.text.chars().take(1024).collect();
            serde_json::json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": msg.to,
                "type": "interactive", "interactive": {"type": "button", "body": {"text": text},
                    "action": {"buttons": [{"type": "reply", "reply": {"id": "1", "title": yes}},
                                           {"type": "reply", "reply": {"id": "2", "title": no}}]}}})
        } else if within_window {
            serde_json::json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": msg.to,
                "type": "text", "text": {"preview_url": false, "body": msg.text}})
        } else {
            // Outside the window only an approved template may open the conversation.
            let param: String = msg.text.chars().take(1024).collect();
            serde_json::json!({"messaging_product": "whatsapp", "to": msg.to, "type": "template",
                "template": {"name": self.config.template_name, "language": {"code": language_code(msg.language)},
                    "components": [{"type": "body", "parameters": [{"type": "text", "text": param}]}]}})
        };
        let url = format!(
            "{}/{}/messages",
            self.config.base_url.trim_end_matches('/'),
            self.config.phone_number_id
        );
        let resp = self
            .http
            .post(url)
            .bearer_auth(self.config.access_token.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| crate::gateway::transport_error("WhatsApp", &e))?;
        let status = resp.status();
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 401 {
            return Err(SendError::Retryable(format!("WhatsApp answered {status}")));
        }
        if !status.is_success() {
            let detail = resp.text().await.unwrap_or_default();
            return Err(SendError::Final(format!(
                "WhatsApp answered {status}: {}",
                detail.chars().take(200).collect::<String>()
            )));
        }
        let id = resp
            .json::<SendResponse>()
            .await
            .ok()
            .and_then(|r| r.messages.into_iter().next())
            .map(|m| m.id);
        Ok(Sent {
            provider: PROVIDER,
            provider_message_id: id,
            cost: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_on_the_raw_bytes() {
        let secret = Secret::new("app-secret");
        // Meta signs the escaped-unicode form exactly as sent: never re-serialise.
        let body = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":"254712345678","id":"wamid.1","type":"text","text":{"body":"Maji \u00e4"}}]}}]}]}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"app-secret").unwrap();
        mac.update(body);
        let good = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(signature_valid(&secret, body, Some(&good)));
        assert!(!signature_valid(&secret, &body[1..], Some(&good)));
        assert!(!signature_valid(&secret, body, Some("sha256=00")));
        assert!(!signature_valid(&secret, body, None));
        let parsed: Envelope = serde_json::from_slice(body).unwrap();
        assert_eq!(
            parsed.entry[0].changes[0].value.messages[0].as_text(),
            "Maji ä"
        );
    }
}
