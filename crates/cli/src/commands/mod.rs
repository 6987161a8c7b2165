//! One module per subcommand.

pub mod analyze;
pub mod bench;
pub mod ingest;
pub mod normalize;
pub mod search;
pub mod segment;
pub mod serve;
pub mod show;
pub mod store_args;
