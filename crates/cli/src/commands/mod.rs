//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod dedup;
pub mod normalize;
pub mod segment;
pub mod stories;
