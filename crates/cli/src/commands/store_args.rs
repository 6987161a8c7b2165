//! The `--store` flag shared by ingest, search, show, serve and stories, and the
//! ingest hooks (`--annotate`, `--stories`) shared by ingest and serve.

use anyhow::{Context, Result};
use khabar_search::hooks::{
    Annotator, EngineAnnotator, NoAnnotations, NoStories, StoryAssigner, TermOverlapStories,
};
use khabar_search::stories::ClusterStories;
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

/// What ingest derives from each new document besides its text layer.
#[derive(clap::Args, Debug, Clone)]
pub struct HookArgs {
    /// Entities and quotes: `full` runs the embedded NER and quote attribution on each
    /// new document (the slow part of ingest: see docs/STORE.md); `none` skips them
    /// (a bulk load; stories then cluster on words alone and digests list no entities).
    #[arg(long, default_value = "full", value_parser = ["full", "none"])]
    pub annotate: String,
    /// Stories: `full` clusters documents into stories (khabar-story's incremental
    /// clustering, resumable) and writes each story's digest; `simple` is the
    /// headline-overlap placeholder (no digest); `none` assigns no stories.
    #[arg(long, default_value = "full", value_parser = ["full", "simple", "none"])]
    pub stories: String,
}

impl HookArgs {
    /// The annotator the flags name.
    pub fn annotator(&self) -> Result<Box<dyn Annotator>> {
        Ok(match self.annotate.as_str() {
            "none" => Box::new(NoAnnotations),
            _ => {
                Box::new(EngineAnnotator::standard().context("loading the embedded entity model")?)
            }
        })
    }

    /// The story assigner the flags name.
    pub fn assigner(&self) -> Box<dyn StoryAssigner> {
        match self.stories.as_str() {
            "none" => Box::new(NoStories),
            "simple" => Box::new(TermOverlapStories::new()),
            _ => Box::new(ClusterStories::new()),
        }
    }
}
