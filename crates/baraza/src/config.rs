//! Configuration, layered: defaults < `baraza.toml` < `BARAZA_*` environment < flags.
//! The database URL picks the backend by its scheme. Secrets (a password in the URL)
//! never appear in logs or `Debug` output.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where the embedded SQLite database lives when `database_url` is not set.
    pub data_dir: PathBuf,
    /// `sqlite://path/to/baraza.db` or `postgres://user:password@host/db`.
    pub database_url: Option<String>,
    /// A tracing filter, e.g. `info` or `baraza=debug,tower_http=info`.
    pub log: String,
    /// Hours after an answer before the silent citizen is reminded (once).
    pub remind_after_hours: u32,
    /// Hours after the reminder before the case is closed unconfirmed.
    pub close_unconfirmed_after_hours: u32,
    /// Africa's Talking SMS (`[africastalking]` in baraza.toml, or `BARAZA_AFRICASTALKING__*`).
    pub africastalking: Option<baraza_channels::africastalking::Config>,
    /// WhatsApp Business Cloud API (`[whatsapp]`, or `BARAZA_WHATSAPP__*`).
    pub whatsapp: Option<baraza_channels::whatsapp::Config>,
    /// Twilio for SMS and/or WhatsApp (`[twilio]`, or `BARAZA_TWILIO__*`).
    pub twilio: Option<baraza_channels::twilio::Config>,
    /// Email to citizens over SMTP (`[email]`, or `BARAZA_EMAIL__*`).
    pub email: Option<baraza_channels::email::Config>,
    /// Email from citizens: an SMTP/LMTP listener behind the county's mail server
    /// (`[email_inbound]`, or `BARAZA_EMAIL_INBOUND__*`).
    pub email_inbound: Option<EmailInbound>,
    /// Scheduled backups of the SQLite database (`[backup]`, or `BARAZA_BACKUP__*`).
    pub backup: Option<crate::backup::Schedule>,
    /// `text` (the default) or `json` (one JSON object per line).
    pub log_format: String,
    /// The bearer token for `/metrics`; without one, there are no metrics.
    pub metrics_token: Option<String>,
    /// `/readyz` fails when a message has waited longer than this for a provider.
    pub outbox_stuck_after_minutes: u32,
    /// The address citizens reach the server at, e.g. `https://baraza.county.go.ke`:
    /// links in published data use it instead of the request's `Host`.
    pub public_url: Option<String>,
    /// Behind a reverse proxy (Caddy, nginx): trust its `X-Forwarded-For`, `-Host` and
    /// `-Proto`. Only when the server listens where nothing but the proxy can reach it.
    pub trust_forwarded_headers: bool,
    /// The map citizens pick a place on (`[map]`, or `BARAZA_MAP__*`): a tile URL with
    /// `{z}/{x}/{y}` and its attribution. An empty `tiles` turns the map off (the ward
    /// list and the coordinates remain).
    pub map: MapConfig,
    /// How fast the outbox sends (`[outbox]`, or `BARAZA_OUTBOX__*`): `batch` claimed per
    /// round, `concurrency` sends at once, `rate_per_second` per provider at most.
    pub outbox: baraza_jobs::outbox::Pace,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MapConfig {
    pub tiles: String,
    pub attribution: String,
}

impl Default for MapConfig {
    fn default() -> Self {
        Self {
            tiles: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
            attribution: "© OpenStreetMap contributors".into(),
        }
    }
}

/// The inbound email listener: the county's mail server forwards its Baraza domain here.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EmailInbound {
    /// Where to listen, e.g. `127.0.0.1:2525` (the mail server relays to it).
    pub listen: SocketAddr,
    /// The domain whose addresses are Baraza's: `information@`, `feedback@`, and
    /// `case-<ref>@` for replies.
    pub domain: String,
    /// The jurisdiction the domain serves.
    pub jurisdiction: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("baraza-data"),
            database_url: None,
            log: "info".into(),
            remind_after_hours: 72,
            close_unconfirmed_after_hours: 168,
            africastalking: None,
            whatsapp: None,
            twilio: None,
            email: None,
            email_inbound: None,
            backup: None,
            log_format: "text".into(),
            metrics_token: None,
            outbox_stuck_after_minutes: 30,
            public_url: None,
            trust_forwarded_headers: false,
            map: MapConfig::default(),
            outbox: baraza_jobs::outbox::Pace::default(),
        }
    }
}

/// Values given on the command line; only those present override the layers below.
#[derive(Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(
                    path.exists(),
                    "configuration file {} does not exist",
                    path.display()
                );
                fig = fig.merge(Toml::file(path));
            }
            None => fig = fig.merge(Toml::file("baraza.toml")),
        }
        let fig = fig
            .merge(
                Env::prefixed("BARAZA_")
                    .filter(|k| {
                        let k = k.as_str().to_ascii_lowercase();
                        [
                            "listen",
                            "data_dir",
                            "database_url",
                            "log",
                            "remind_after_hours",
                            "close_unconfirmed_after_hours",
                            "log_format",
                            "metrics_token",
                            "outbox_stuck_after_minutes",
                            "public_url",
                            "trust_forwarded_headers",
                        ]
                        .contains(&k.as_str())
                            || k.starts_with("africastalking__")
                            || k.starts_with("whatsapp__")
                            || k.starts_with("twilio__")
                            || k.starts_with("email__")
                            || k.starts_with("email_inbound__")
                            || k.starts_with("backup__")
                            || k.starts_with("map__")
                            || k.starts_with("outbox__")
                    })
                    .split("__"),
            )
            .merge(Serialized::defaults(overrides));
        fig.extract()
            .map_err(|e| anyhow::anyhow!("configuration: {e}"))
    }

    /// The database URL, defaulting to SQLite in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("baraza.db").display()),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url()))
            .field("log", &self.log)
            .field("africastalking", &self.africastalking)
            .field("whatsapp", &self.whatsapp)
            .field("twilio", &self.twilio)
            .field("email", &self.email)
            .field("email_inbound", &self.email_inbound)
            .field("backup", &self.backup)
            .field("log_format", &self.log_format)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field(
                "outbox_stuck_after_minutes",
                &self.outbox_stuck_after_minutes,
            )
            .field("public_url", &self.public_url)
            .field("trust_forwarded_headers", &self.trust_forwarded_headers)
            .field("map", &self.map)
            .finish()
    }
}

/// `postgres://baraza:s3cret@db/baraza` -> `postgres://baraza:***@db/baraza`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest
        .split_once('/')
        .map(|(a, p)| (a, format!("/{p}")))
        .unwrap_or((rest, String::new()));
    let path = match path.split_once('?') {
        Some((p, q)) if q.contains("password") => format!("{p}?***"),
        _ => path,
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo
                .split_once(':')
                .map(|(u, _)| format!("{u}:***"))
                .unwrap_or_else(|| userinfo.to_owned());
            format!("{scheme}://{user}@{host}{path}")
        }
        None => format!("{scheme}://{authority}{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact_url("postgres://baraza:s3cret@db:5432/baraza"),
            "postgres://baraza:***@db:5432/baraza"
        );
        assert_eq!(
            redact_url("postgres://db/baraza?user=x&password=s3cret"),
            "postgres://db/baraza?***"
        );
        assert_eq!(
            redact_url("sqlite://baraza-data/baraza.db"),
            "sqlite://baraza-data/baraza.db"
        );
        let c = Config {
            database_url: Some("postgres://u:s3cret@h/d".into()),
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment::Jail's closure returns figment::Error"
    )]
    fn layers_apply_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "baraza.toml",
                "listen = \"0.0.0.0:9000\"\ndata_dir = \"from-file\"\nlog = \"debug\"",
            )?;
            jail.set_env("BARAZA_DATA_DIR", "from-env");
            let c = Config::load(None, &Overrides::default()).expect("load");
            assert_eq!(c.listen.port(), 9000);
            assert_eq!(c.data_dir, PathBuf::from("from-env"));
            assert_eq!(c.log, "debug");
            let o = Overrides {
                listen: Some("127.0.0.1:7000".parse().expect("addr")),
                ..Overrides::default()
            };
            let c = Config::load(None, &o).expect("load");
            assert_eq!(c.listen.port(), 7000);
            assert_eq!(c.database_url(), "sqlite://from-env/baraza.db");
            jail.set_env("BARAZA_AFRICASTALKING__USERNAME", "emcounty");
            jail.set_env("BARAZA_AFRICASTALKING__API_KEY", "at-s3cret-key");
            jail.set_env("BARAZA_AFRICASTALKING__WEBHOOK_SECRET", "hook-s3cret");
            jail.set_env(
                "BARAZA_AFRICASTALKING__BASE_URL",
                "https://api.africastalking.com",
            );
            jail.set_env("BARAZA_AFRICASTALKING__JURISDICTION", "elgeyo-marakwet");
            let c = Config::load(None, &Overrides::default()).expect("load");
            let at = c.africastalking.as_ref().expect("africastalking");
            assert_eq!(
                (at.username.as_str(), at.api_key.expose()),
                ("emcounty", "at-s3cret-key")
            );
            assert!(!format!("{c:?}").contains("s3cret"));
            Ok(())
        });
    }
}
