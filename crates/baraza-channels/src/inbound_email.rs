//! Inbound email: an SMTP (and LMTP) listener that sits behind the county's mail server,
//! which forwards the addresses of its Baraza domain to it. The protocol's state machine
//! is the `mailin` crate's; messages are read with `mail-parser`. A message is answered
//! `250` only once it is stored: when storing fails the sender's server is told `451`
//! and tries again later, so a citizen's email is never lost, and the message id makes
//! the retry a no-op.

use async_trait::async_trait;
use mailin::{Action, Handler, Response, SessionBuilder};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// The largest message taken (text, with its attachments encoded): 10 MB.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// The longest line read (RFC 5321 allows 1,000 octets; a little room for lenient senders).
const MAX_LINE: u64 = 64 * 1024;

/// A message as Baraza needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEmail {
    /// The envelope's sender (or the From header's address when the envelope has none).
    pub from: String,
    /// The envelope's recipients at our domain.
    pub to: Vec<String>,
    pub subject: String,
    /// The message's text, with quoted earlier messages left out.
    pub text: String,
    /// The Message-ID, or the SHA-256 of the raw message when it has none: the same
    /// message delivered twice is the same id.
    pub id: String,
    /// Sent by a machine, not a person: a bounce (empty envelope sender), an
    /// auto-reply (`Auto-Submitted`, `Precedence: bulk/auto_reply/junk/list`,
    /// `X-Autoreply`). Stored, never answered: two machines must not answer each other.
    pub automatic: bool,
}

/// Where a message goes once read.
#[async_trait]
pub trait Deliver: Send + Sync + 'static {
    /// Store the message; an error makes the sender's server try again later.
    async fn deliver(&self, mail: InboundEmail) -> Result<(), String>;
}

/// What the session collected of one message.
#[derive(Default)]
struct Collected {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_big: bool,
    done: bool,
}

struct Session {
    domain: String,
    shared: Arc<Mutex<Collected>>,
}

fn lock(m: &Mutex<Collected>) -> std::sync::MutexGuard<'_, Collected> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        let mut c = lock(&self.shared);
        *c = Collected {
            from: from.to_owned(),
            ..Collected::default()
        };
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        // Only our own domain: this is no relay.
        let ours = to
            .rsplit_once('@')
            .is_some_and(|(_, d)| d.eq_ignore_ascii_case(&self.domain));
        if !ours {
            return mailin::response::NO_MAILBOX;
        }
        lock(&self.shared).to.push(to.to_ascii_lowercase());
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let mut c = lock(&self.shared);
        if c.data.len() + buf.len() > MAX_MESSAGE_BYTES {
            c.too_big = true;
        } else {
            c.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        lock(&self.shared).done = true;
        mailin::response::OK
    }
}

/// Read a raw message into what Baraza needs.
pub fn read_message(raw: &[u8], envelope_from: &str, to: Vec<String>) -> InboundEmail {
    use sha2::{Digest, Sha256};
    let parsed = mail_parser::MessageParser::default().parse(raw);
    let header_from = parsed
        .as_ref()
        .and_then(|m| m.from())
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_owned);
    let from = if envelope_from.trim().is_empty() {
        header_from.unwrap_or_default()
    } else {
        envelope_from.trim().to_owned()
    };
    let subject = parsed
        .as_ref()
        .and_then(|m| m.subject())
        .unwrap_or_default()
        .to_owned();
    let body = parsed
        .as_ref()
        .and_then(|m| m.body_text(0))
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let id = parsed
        .as_ref()
        .and_then(|m| m.message_id())
        .map(|i| format!("<{i}>"))
        .unwrap_or_else(|| hex::encode(Sha256::digest(raw)));
    let header = |name: &str| {
        parsed
            .as_ref()
            .and_then(|m| m.header_raw(name))
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let automatic = envelope_from.trim().is_empty()
        || header("Auto-Submitted").is_some_and(|v| v != "no")
        || header("Precedence")
            .is_some_and(|v| ["bulk", "auto_reply", "junk", "list"].contains(&v.as_str()))
        || header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some();
    InboundEmail {
        from: from.to_ascii_lowercase(),
        to,
        subject,
        text: without_quotes(&body),
        id,
        automatic,
    }
}

/// A reply's own words: the quoted message below it (`> ...`, and the "On ... wrote:"
/// line that introduces it) left out.
pub fn without_quotes(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('>') {
            continue;
        }
        if (t.starts_with("On ") || t.starts_with("Le ")) && t.ends_with(':') {
            break;
        }
        if t == "-----Original Message-----" {
            break;
        }
        out.push(line.trim_end());
    }
    out.join("\n").trim().to_owned()
}

/// Serve SMTP (and LMTP's LHLO) on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, name: String, domain: String, deliver: Arc<dyn Deliver>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "accepting an SMTP connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let (name, domain, deliver) = (name.clone(), domain.clone(), deliver.clone());
        tokio::spawn(async move {
            if let Err(e) = connection(stream, peer, name, domain, deliver).await {
                tracing::info!(error = %e, "an SMTP connection ended");
            }
        });
    }
}

async fn write(stream: &mut (impl AsyncWriteExt + Unpin), res: &Response) -> std::io::Result<()> {
    let mut buf = Vec::new();
    res.write_to(&mut buf)?;
    stream.write_all(&buf).await?;
    stream.flush().await
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    name: String,
    domain: String,
    deliver: Arc<dyn Deliver>,
) -> std::io::Result<()> {
    let shared = Arc::new(Mutex::new(Collected::default()));
    let handler = Session {
        domain,
        shared: shared.clone(),
    };
    let mut session = SessionBuilder::new(name).build(peer.ip(), handler);
    let (read, mut out) = stream.into_split();
    let mut reader = BufReader::new(read);
    write(&mut out, &session.greeting()).await?;
    let mut line = Vec::new();
    let mut lmtp = false;
    loop {
        line.clear();
        // A line is at most 1,000 octets (RFC 5321); a longer one ends the session.
        let n = tokio::time::timeout(
            std::time::Duration::from_secs(300),
            (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if n == 0 {
            return Ok(());
        }
        if n as u64 >= MAX_LINE && !line.ends_with(b"\n") {
            out.write_all(b"500 5.5.2 Line too long\r\n").await?;
            return Ok(());
        }
        // LMTP's greeting is SMTP's EHLO for our purposes; LMTP answers DATA once per
        // recipient.
        if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"LHLO") {
            lmtp = true;
            line.splice(..4, b"EHLO".iter().copied());
        }
        let res = session.process(&line);
        let finished = {
            let mut c = lock(&shared);
            if c.done {
                c.done = false;
                Some(std::mem::take(&mut *c))
            } else {
                None
            }
        };
        if let Some(c) = finished {
            let recipients = if lmtp { c.to.len().max(1) } else { 1 };
            let reply = if c.too_big {
                b"552 5.3.4 Message too big\r\n".to_vec()
            } else {
                let mail = read_message(&c.data, &c.from, c.to);
                match deliver.deliver(mail).await {
                    Ok(()) => b"250 2.0.0 Stored\r\n".to_vec(),
                    Err(e) => {
                        tracing::warn!(error = %e, "storing an inbound email failed; the sender will retry");
                        b"451 4.3.0 Could not store the message; try again later\r\n".to_vec()
                    }
                }
            };
            for _ in 0..recipients {
                out.write_all(&reply).await?;
            }
            out.flush().await?;
            continue;
        }
        match res.action {
            Action::Reply => write(&mut out, &res).await?,
            Action::Close => {
                write(&mut out, &res).await?;
                return Ok(());
            }
            Action::NoReply => {}
            Action::UpgradeTls => {
                // STARTTLS is the county's mail server's job, in front of this listener.
                out.write_all(b"454 4.7.0 TLS not available here\r\n")
                    .await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_read_without_what_it_quotes() {
        let raw = b"From: Wanjiku <wanjiku@example.org>\r\nTo: request-48210937@baraza.example\r\n\
Subject: Re: your request\r\nMessage-ID: <abc@example.org>\r\n\r\nThe 2025/26 list please.\r\n\r\n\
On Mon, 23 Nov 2026, Baraza wrote:\r\n> Which year?\r\n";
        let m = read_message(raw, "", vec!["request-48210937@baraza.example".into()]);
        assert_eq!(m.from, "wanjiku@example.org");
        assert_eq!(m.text, "The 2025/26 list please.");
        assert_eq!(m.id, "<abc@example.org>");
        assert_eq!(m.subject, "Re: your request");
    }
}
