//! The `ostinato` command line: read config, connect, migrate, act.
//!
//! ```text
//! ostinato [serve] [--demo] [--listen 127.0.0.1:8080]
//! ostinato migrate | print-schema | seed-demo
//! ```
//! `DATABASE_URL` picks the database (default: SQLite file `ostinato.db`),
//! `OSTINATO_LISTEN` the address, `RUST_LOG` the log level.

use std::process::ExitCode;

use infra::Db;
use infra::db::DEFAULT_DATABASE_URL;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use std::sync::Arc;

use crate::AppState;

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

const USAGE: &str =
    "usage: ostinato [serve|migrate|print-schema|seed-demo] [--demo] [--listen ADDR]
  serve         serve the API and GraphiQL (default)
  migrate       apply database migrations and exit
  print-schema  print the GraphQL SDL
  seed-demo     load the demo school and print its login
  --demo        with serve: load the demo school first
  --listen ADDR listen address (default 127.0.0.1:8080, or OSTINATO_LISTEN)
env: DATABASE_URL (default sqlite://ostinato.db?mode=rwc), RUST_LOG,
     OSTINATO_INTROSPECTION, OSTINATO_GRAPHIQL (true/false, default true),
     OSTINATO_RATE_LIMIT_PER_SECOND (default 20; 0 = off), OSTINATO_RATE_LIMIT_BURST (default 100)";

/// Parsed arguments.
#[derive(Debug, PartialEq, Eq)]
struct Args {
    command: String,
    demo: bool,
    listen: Option<String>,
}

fn parse(args: Vec<String>) -> Result<Args, String> {
    let mut parsed = Args {
        command: "serve".into(),
        demo: false,
        listen: None,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--demo" => parsed.demo = true,
            "--listen" => parsed.listen = Some(it.next().ok_or("--listen needs an address")?),
            "serve" | "migrate" | "print-schema" | "seed-demo" => parsed.command = arg,
            "-h" | "--help" | "help" => parsed.command = "help".into(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(parsed)
}

/// Runs the command line; the exit code says whether it worked.
pub async fn run(args: Vec<String>) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match args.command.as_str() {
        "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "print-schema" => {
            print!("{}", crate::schema::sdl());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    match run_with_db(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("ostinato: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_with_db(args: Args) -> Result<(), String> {
    let config = crate::Config::from_env()?;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    let db = Db::connect(&url)
        .await
        .map_err(|e| format!("cannot connect to {}: {e} ({e:?})", redact(&url)))?;
    db.migrate()
        .await
        .map_err(|e| format!("migration failed: {e:?}"))?;
    tracing::info!(database = %redact(&url), "migrated");
    let state = AppState::with_config(db, Arc::new(infra::SystemClock), config);
    if args.command == "migrate" {
        return Ok(());
    }
    if args.command == "seed-demo" || args.demo {
        let login = crate::demo::seed(&state)
            .await
            .map_err(|e| format!("demo seed failed: {e:?}"))?;
        println!("{login}");
        if args.command == "seed-demo" {
            return Ok(());
        }
    }
    let listen = args
        .listen
        .or_else(|| std::env::var("OSTINATO_LISTEN").ok())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    tokio::spawn(advance_loop(state.clone()));
    tokio::spawn(waitlist_loop(state.clone()));
    tracing::info!("serving GraphiQL on http://{listen}/ and the API on http://{listen}/graphql");
    println!(
        "Ostinato is serving GraphiQL on http://{listen}/ and the API on http://{listen}/graphql"
    );
    crate::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// How often lapsed waitlist offers are expired and passed on.
pub const WAITLIST_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Expires lapsed waitlist offers every [`WAITLIST_EVERY`], so the next in
/// line gets the seat even when nobody touches the session.
async fn waitlist_loop(state: AppState) {
    let mut every = tokio::time::interval(WAITLIST_EVERY);
    loop {
        every.tick().await;
        match infra::booking::expire_due_offers(&state.db, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired waitlist offers"),
            Err(e) => tracing::error!(error = ?e, "waitlist expiry failed"),
        }
    }
}

/// How often the ADVANCE generation job runs.
pub const ADVANCE_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Keeps ADVANCE series generated ahead, every [`ADVANCE_EVERY`] from start-up.
async fn advance_loop(state: AppState) {
    let mut every = tokio::time::interval(ADVANCE_EVERY);
    loop {
        every.tick().await;
        match infra::credits::expire_due(&state.db, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(credits = n, "expired make-up credits"),
            Err(e) => tracing::error!(error = ?e, "make-up credit expiry failed"),
        }
        match infra::overdue::mark(&state.db, state.clock.now()).await {
            Ok(m) if m == infra::overdue::Marked::default() => {}
            Ok(m) => tracing::info!(
                invoices = m.invoices,
                installments = m.installments,
                "marked overdue"
            ),
            Err(e) => tracing::error!(error = ?e, "overdue marking failed"),
        }
        match infra::scheduling::advance(&state.db, state.clock.now()).await {
            Ok(report) if report.series > 0 || report.refused > 0 => {
                tracing::info!(
                    series = report.series,
                    created = report.created,
                    refused = report.refused,
                    "advance generation"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = ?e, "advance generation failed"),
        }
    }
}

/// Hides a password in a database URL before it is logged.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse_with_serve_as_default() {
        let p = |a: &[&str]| parse(a.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            p(&[]).unwrap(),
            Args {
                command: "serve".into(),
                demo: false,
                listen: None
            }
        );
        assert_eq!(
            p(&["--demo", "--listen", "0.0.0.0:9000"]).unwrap(),
            Args {
                command: "serve".into(),
                demo: true,
                listen: Some("0.0.0.0:9000".into())
            }
        );
        assert_eq!(p(&["print-schema"]).unwrap().command, "print-schema");
        assert!(p(&["--listen"]).is_err());
        assert!(p(&["frobnicate"]).is_err());
    }

    #[test]
    fn database_passwords_are_not_logged() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact("sqlite://ostinato.db?mode=rwc"),
            "sqlite://ostinato.db?mode=rwc"
        );
    }
}
