//! `khabar serve`: the JSON API and the reader's page over HTTP.

use super::store_args::StoreArgs;
use anyhow::{Context, Result};
use khabar_search::{Archive, Mode};
use khabar_server::{Hooks, ServerConfig};
use std::io::Write;
use std::sync::{Arc, RwLock};

/// Flags of `khabar serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Accept `POST /api/documents` with `Authorization: Bearer TOKEN` (also from
    /// `KHABAR_WRITE_TOKEN`). Without it the server is read-only.
    #[arg(long, value_name = "TOKEN")]
    write_token: Option<String>,
    /// Requests per second per client address (bursts of twice that); 0 turns the limit off.
    #[arg(long, default_value_t = 50)]
    rate_limit: u32,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 2 << 20)]
    max_body: usize,
}

pub fn run(args: Args) -> Result<()> {
    let location = args.store.location();
    let write_token = args
        .write_token
        .or_else(|| std::env::var("KHABAR_WRITE_TOKEN").ok())
        .filter(|t| !t.is_empty());
    let mode = if write_token.is_some() {
        Mode::Write
    } else {
        Mode::Read
    };
    let archive = Archive::open(&location, mode)?;
    let config = ServerConfig {
        write_token: write_token.clone(),
        rate_limit_per_sec: args.rate_limit,
        max_body_bytes: args.max_body,
        ..ServerConfig::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "khabar: serving {} on http://{addr}/ ({})",
                archive.store().location(),
                if write_token.is_some() {
                    "POST /api/documents needs the write token"
                } else {
                    "read-only"
                }
            )?;
            out.flush()?;
        }
        khabar_server::serve(
            listener,
            Arc::new(RwLock::new(archive)),
            config,
            Hooks::default(),
        )
        .await
        .context("serving")?;
        Ok::<(), anyhow::Error>(())
    })
}
