//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod digest;
pub mod eval;
pub mod eval_quotes;
pub mod eval_summary;
pub mod normalize;
pub mod segment;
pub mod summarize;
