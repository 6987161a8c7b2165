//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod entities;
pub mod eval_ner;
pub mod normalize;
pub mod segment;
pub mod train_ner;
