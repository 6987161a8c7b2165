//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod dedup;
pub mod digest;
pub mod entities;
pub mod eval_ner;
pub mod eval_quotes;
pub mod eval_segment;
pub mod eval_summary;
pub mod ingest;
pub mod normalize;
pub mod search;
pub mod segment;
pub mod serve;
pub mod show;
pub mod store_args;
pub mod stories;
pub mod summarize;
pub mod train_ner;
pub mod train_segmenter;
pub mod train_summary;
