//! `motcua serve`: the HTTP server on an embedded SQLite file (default) or PostgreSQL.

use anyhow::Context;
use clap::{Args, ValueEnum};
use motcua_core::calendar::{WorkingCalendar, default_windows};
use std::sync::Arc;

use crate::CliError;
use crate::store_cmd::DatabaseArg;

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MOTCUA_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    #[command(flatten)]
    db: DatabaseArg,
    /// Directory of the default database file `motcua.db` (created if missing); ignored
    /// when `--database` names another database.
    #[arg(long, env = "MOTCUA_DATA_DIR", default_value = ".")]
    data_dir: std::path::PathBuf,
    /// Do not seed the demo province on an empty database.
    #[arg(long)]
    no_demo: bool,
    /// Token the national public service portal presents to read the change feed
    /// (`/api/v1/integration/feed`); the feed is off without one.
    #[arg(long, env = "MOTCUA_FEED_TOKEN", hide_env_values = true)]
    feed_token: Option<String>,
    /// Address of a reverse proxy whose `X-Forwarded-For` header names the client (for the
    /// per-address login limit); repeat for several. Without it, the TCP peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "MOTCUA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Clients reach the server over HTTPS (through a TLS-terminating proxy): responses then
    /// carry `Strict-Transport-Security`.
    #[arg(long, env = "MOTCUA_BEHIND_TLS")]
    behind_tls: bool,
    /// Training and demonstration: run the server's clock from this instant (RFC 3339, e.g.
    /// 2026-12-07T09:00:00+07:00) at the speed of real time. Every deadline, session and
    /// event uses it; never on a production database.
    #[arg(long, value_parser = parse_instant)]
    clock_start: Option<chrono::DateTime<chrono::Utc>>,
    #[command(flatten)]
    outbox: OutboxArgs,
    /// Token the SMS gateway presents to deliver messages sent to the lookup number
    /// (`/api/v1/integration/sms/inbound`); SMS lookup is off without one.
    #[arg(long, env = "MOTCUA_SMS_INBOUND_TOKEN", hide_env_values = true)]
    sms_inbound_token: Option<String>,
    /// The keyword of an SMS lookup (`MC 000.00.04.H53-261202-0001`).
    #[arg(long, env = "MOTCUA_SMS_KEYWORD", default_value = "MC")]
    sms_keyword: String,
    /// Do not run the outbox worker in this process (run `motcua outbox run` elsewhere).
    #[arg(long)]
    no_outbox_worker: bool,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// How notifications leave: the mail server (docs/notifications.md).
#[derive(Args, Clone)]
pub struct OutboxArgs {
    /// The mail server: `smtp://host:25` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS), with `user:password@` when it asks for a login.
    /// Without one, mail is recorded as not sent ("skipped").
    #[arg(long, env = "MOTCUA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of the mail, e.g. `Một cửa Sóc Trăng <motcua@soctrang.gov.vn>`.
    #[arg(
        long,
        env = "MOTCUA_MAIL_FROM",
        default_value = "Hệ thống một cửa điện tử <no-reply@motcua.invalid>"
    )]
    pub mail_from: String,
    /// The SMS gateway: `esms` or `speedsms`, with its credentials in the environment
    /// (docs/notifications.md). Without one, SMS are recorded as not sent ("skipped").
    #[arg(long, env = "MOTCUA_SMS_GATEWAY")]
    pub sms_gateway: Option<String>,
    /// The gateway's address, when not its public one (a test gateway, a proxy).
    #[arg(long, env = "MOTCUA_SMS_URL")]
    pub sms_url: Option<String>,
    /// Seconds a worker holds the deliveries it claimed: after a crash, another worker
    /// sends them when the lease ends. Keep it above the mail and SMS timeouts (20 s, 15 s).
    #[arg(long, env = "MOTCUA_OUTBOX_LEASE", default_value_t = 120, value_parser = clap::value_parser!(u64).range(30..=3600))]
    pub outbox_lease: u64,
}

impl OutboxArgs {
    /// The worker these settings describe.
    pub fn worker(&self) -> Result<motcua_http::delivery::Worker, CliError> {
        let mailer = match self.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Some(
                motcua_http::delivery::Mailer::new(url, &self.mail_from)
                    .map_err(|e| CliError::BadInput(anyhow::anyhow!(e)))?,
            ),
            None => None,
        };
        let sms = match self.sms_gateway.as_deref().filter(|g| !g.is_empty()) {
            Some(kind) => Some(
                motcua_http::delivery::sms::Gateway::from_env(kind, self.sms_url.as_deref())
                    .map_err(|e| CliError::BadInput(anyhow::anyhow!(e)))?,
            ),
            None => None,
        };
        let mut worker = motcua_http::delivery::Worker::new(mailer, sms);
        worker.lease = std::time::Duration::from_secs(self.outbox_lease);
        Ok(worker)
    }
}

fn parse_instant(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| format!("not an RFC 3339 instant ({e})"))
}

pub fn run(args: ServeArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let subscriber = tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match args.log_format {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => subscriber.init(),
    }
    let mut db = args.db.clone();
    if db.database == crate::store_cmd::DEFAULT_DATABASE
        && args.data_dir != std::path::Path::new(".")
    {
        std::fs::create_dir_all(&args.data_dir)
            .with_context(|| format!("creating the data directory {}", args.data_dir.display()))
            .map_err(CliError::BadInput)?;
        db.database = format!("sqlite://{}", args.data_dir.join("motcua.db").display());
    }
    crate::store_cmd::runtime()?.block_on(async {
        let store = crate::store_cmd::open(&db).await?;
        let calendar = Arc::new(
            WorkingCalendar::national(default_windows())
                .context("building the national calendar")
                .map_err(CliError::Failure)?,
        );
        if !args.no_demo
            && let Some(accounts) = motcua_http::demo::seed_if_empty(&store, &calendar)
                .await
                .map_err(|e| CliError::Failure(anyhow::anyhow!("seeding the demo: {e}")))?
        {
            tracing::info!("empty database: seeded the Sóc Trăng demo");
            println!(
                "Demo staff accounts: one-time passwords, shown only now; change them at first login."
            );
            for a in accounts {
                println!("  {:<20} {:<18} {:<14} {}", a.id, a.role, a.agency, a.password);
            }
        }
        if store
            .staff_count()
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("{e}")))?
            == 0
        {
            tracing::warn!(
                "the database has no staff account, so nobody can log in to manage it: run `motcua init` with the same --database to create the first system administrator"
            );
        }
        let mut state = motcua_http::AppState::load(store, calendar)
            .await
            .map_err(|e| CliError::Failure(anyhow::anyhow!("loading procedures: {e}")))?;
        state.feed_token = args.feed_token.filter(|t| !t.is_empty());
        state.sms_inbound_token = args.sms_inbound_token.filter(|t| !t.is_empty());
        state.sms_keyword = args.sms_keyword.clone();
        state.trusted_proxies = Arc::new(args.trusted_proxies);
        state.behind_tls = args.behind_tls;
        if let Some(start) = args.clock_start {
            tracing::warn!(%start, "training clock: the server's time starts at the given instant");
            state = state.with_clock(Arc::new(motcua_http::OffsetClock::starting_at(start)));
        }
        if !args.no_outbox_worker {
            let worker = args.outbox.worker()?;
            tokio::spawn(worker.run(state.clone()));
        }
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("listening on {}", args.addr))
            .map_err(CliError::BadInput)?;
        tracing::info!(
            addr = %args.addr,
            database = %motcua_store::redact(&db.database),
            "motcua is serving; try /api/v1/procedures"
        );
        motcua_http::serve(listener, state)
            .await
            .context("serving")
            .map_err(CliError::Failure)
    })
}
