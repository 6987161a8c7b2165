//! # khabar-search: find Arabic news in any spelling
//!
//! Full-text search over a khabar archive. Documents and queries go through
//! the same analysis (khabar's normalization, clitic segmentation and light
//! stems, [`terms`]), so «سورية» finds «سوريا» and «الاسد» finds «والأسد»;
//! hits come back with highlights as spans into the *original* text, in
//! bytes and in UTF-16 units for browsers ([`highlight`]).
//!
//! - [`Archive`] ties a [`khabar_store::Store`] (the source of truth) to a
//!   tantivy index derived from it ([`index`]), and runs ingest (with
//!   annotation and story hooks, [`hooks`]) and search (BM25, phrases,
//!   exclusions, outlet/entity/date filters, [`query`]).
//! - On PostgreSQL the same terms are searched in the database (`tsvector`).
//! - [`eval`] measures known-item recall under spelling variation against
//!   tantivy's default tokenizer and SQLite FTS5.
//!
//! ## Should I use this crate?
//! Use it to ingest documents into an archive and search it. For the data
//! model alone use `khabar-store`; for HTTP use `khabar-server`.
//!
//! ```
//! use khabar_search::{Archive, Location, Mode, SearchRequest, IngestOptions};
//! use khabar_search::hooks::{NoAnnotations, NoStories};
//! use khabar::Document;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut archive = Archive::open(&Location::Dir(dir.path().into()), Mode::Write).unwrap();
//! let docs = vec![
//!     Ok(Document::new("a", "قال مسؤول إن الرئيس والأسد التقيا في دمشق.")),
//!     Ok(Document::new("b", "ارتفعت أسعار النفط في الأسواق.")),
//! ];
//! archive.ingest(docs, IngestOptions::default(), &NoAnnotations, &mut NoStories, |_| {}).unwrap();
//! let res = archive.search(&SearchRequest { query: "الاسد".into(), limit: 10, ..Default::default() }).unwrap();
//! assert_eq!(res.hits.len(), 1);
//! let hit = &res.hits[0];
//! let h = &hit.snippet.highlights[0];
//! assert_eq!(&hit.snippet.text[(h.start - hit.snippet.offsets.start) as usize..(h.end - hit.snippet.offsets.start) as usize], "والأسد");
//! ```
#![deny(missing_docs)]

pub mod archive;
pub mod eval;
pub mod highlight;
pub mod hooks;
pub mod index;
pub mod query;
pub mod terms;

pub use archive::{
    Archive, Error, Health, Hit, IngestOptions, IngestReport, Location, Mode, SearchRequest,
    SearchResults, SnippetOut, default_location,
};
