//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod dedup;
pub mod entities;
pub mod eval_ner;
pub mod normalize;
pub mod segment;
pub mod stories;
pub mod train_ner;
