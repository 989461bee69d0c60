//! The `ostinato` binary: see `gateway::cli` for its commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    gateway::cli::run(std::env::args().skip(1).collect()).await
}
