//! Email to citizens over SMTP (lettre). Outbound only for now; inbound email would arrive
//! as another webhook (a provider's inbound-parse) feeding the same conversation flow.

use crate::gateway::{Gateway, Outgoing, Secret, SendError, Sent};
use async_trait::async_trait;
use baraza_core::outbound::OutboundChannel;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

pub const PROVIDER: &str = "smtp";

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Config {
    pub host: String,
    pub port: u16,
    /// `starttls` (port 587), `tls` (465), or `none` (a relay on this machine or network).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// e.g. `Elgeyo Marakwet County <feedback@elgeyomarakwet.go.ke>`
    pub from: String,
    /// The subject line of every message to a citizen.
    pub subject: String,
    /// The domain of the inbound listener (`[email_inbound]`): each message about a case
    /// gives `case-<ref>@<domain>` as its Reply-To, so a reply lands on the case.
    #[serde(default)]
    pub reply_domain: Option<String>,
}

pub struct EmailGateway {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    subject: String,
    reply_domain: Option<String>,
}

impl EmailGateway {
    pub fn new(config: &Config) -> Result<Self, String> {
        let builder = match config.security.as_str() {
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|e| e.to_string())?,
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| e.to_string())?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            other => {
                return Err(format!(
                    "email.security: {other:?}; use starttls, tls or none"
                ));
            }
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(u), Some(p)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.expose().to_owned()));
        }
        let from = config
            .from
            .parse()
            .map_err(|e| format!("email.from: {e}"))?;
        Ok(Self {
            transport: builder.build(),
            from,
            subject: config.subject.clone(),
            reply_domain: config.reply_domain.clone(),
        })
    }
}

#[async_trait]
impl Gateway for EmailGateway {
    fn provider(&self) -> &'static str {
        PROVIDER
    }
    fn channel(&self) -> OutboundChannel {
        OutboundChannel::Email
    }

    async fn send(&self, msg: &Outgoing<'_>) -> Result<Sent, SendError> {
        let to: Mailbox = msg
            .to
            .parse()
            .map_err(|e| SendError::Final(format!("not an email address: {e}")))?;
        let mut builder = Message::builder().from(self.from.clone()).to(to);
        // Replies come back to Baraza: on the case they are about, or (a STOP, a question)
        // to the domain's general address.
        if let Some(domain) = &self.reply_domain {
            let local = match &msg.case_digits {
                Some(digits) => format!("case-{digits}"),
                None => "feedback".to_owned(),
            };
            if let Ok(reply) = format!("{local}@{domain}").parse::<Mailbox>() {
                builder = builder.reply_to(reply);
            }
        }
        let email = builder
            .subject(&self.subject)
            // A Message-ID of our own, to match bounces and replies later.
            .message_id(None)
            .header(ContentType::TEXT_PLAIN)
            .body(msg.text.to_owned())
            .map_err(|e| SendError::Final(format!("the message could not be built: {e}")))?;
        let id = email
            .headers()
            .get_raw("Message-ID")
            .map(|v| v.trim_matches(['<', '>']).to_owned());
        match self.transport.send(email).await {
            Ok(_) => Ok(Sent {
                provider: PROVIDER,
                provider_message_id: id,
                cost: None,
            }),
            // 5xx: the server refuses this message for good; anything else may pass later.
            Err(e) if e.is_permanent() => {
                Err(SendError::Final(format!("the mail server refused it: {e}")))
            }
            Err(e) => Err(SendError::Retryable(format!(
                "the mail server is unreachable or busy: {e}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    /// Just enough SMTP to accept one message (or refuse every recipient), over a real socket.
    async fn fake_smtp(refuse: bool) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let mut data = String::new();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                if in_data {
                    if line == "." {
                        in_data = false;
                        write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                    }
                    continue;
                }
                let verb = line
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 fake\r\n",
                    "RCPT" if refuse => b"550 5.1.1 no such user\r\n",
                    "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go ahead\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"502 not implemented\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
            data
        });
        (port, handle)
    }

    fn config(port: u16) -> Config {
        Config {
            host: "127.0.0.1".into(),
            port,
            security: "none".into(),
            username: None,
            password: None,
            from: "Elgeyo Marakwet County <feedback@example.org>".into(),
            subject: "Your concern".into(),
            reply_domain: None,
        }
    }

    fn outgoing<'a>(to: &'a str, text: &'a str) -> Outgoing<'a> {
        Outgoing {
            to,
            text,
            language: baraza_core::Language::English,
            last_inbound: None,
            now: chrono::Utc::now(),
            asks_if_solved: false,
            case_digits: None,
        }
    }

    #[tokio::test]
    async fn a_message_goes_out_over_smtp() {
        let (port, server) = fake_smtp(false).await;
        let g = EmailGateway::new(&config(port)).unwrap();
        let sent = g
            .send(&outgoing(
                "chebet@example.org",
                "We received your concern. Ref EM-4821-0937.",
            ))
            .await
            .unwrap();
        assert!(sent.provider_message_id.is_some());
        let data = server.await.unwrap();
        assert!(
            data.contains("To: chebet@example.org") && data.contains("Subject: Your concern"),
            "{data}"
        );
        assert!(data.contains("Ref EM-4821-0937"), "{data}");
    }

    #[tokio::test]
    async fn refusals_are_final_and_outages_are_retried() {
        let (port, _server) = fake_smtp(true).await;
        let g = EmailGateway::new(&config(port)).unwrap();
        assert!(matches!(
            g.send(&outgoing("nobody@example.org", "hi")).await,
            Err(SendError::Final(_))
        ));
        // Nothing listens on this port: retry later.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let g = EmailGateway::new(&config(closed)).unwrap();
        assert!(matches!(
            g.send(&outgoing("a@example.org", "hi")).await,
            Err(SendError::Retryable(_))
        ));
        assert!(
            EmailGateway::new(&Config {
                security: "maybe".into(),
                ..config(1)
            })
            .is_err()
        );
    }
}
