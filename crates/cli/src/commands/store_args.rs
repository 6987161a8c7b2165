//! The `--store` flag shared by ingest, search, show and serve.

use khabar_search::{Location, default_location};

/// Where the archive is.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    /// The archive: a folder (SQLite + search index; default `$KHABAR_HOME`, else
    /// `./khabar-data`) or a PostgreSQL URL `postgres://USER@HOST:PORT/DB`.
    #[arg(long, value_name = "DIR|URL")]
    pub store: Option<String>,
    /// PostgreSQL schema holding khabar's tables (PostgreSQL stores only).
    #[arg(long, value_name = "NAME", default_value = "khabar")]
    pub pg_schema: String,
}

impl StoreArgs {
    /// The location the flags name.
    pub fn location(&self) -> Location {
        let s = self.store.clone().unwrap_or_else(default_location);
        Location::parse(&s, &self.pg_schema)
    }
}
