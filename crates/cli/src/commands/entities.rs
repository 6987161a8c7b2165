//! `khabar entities`: named entities with canonical keys.

use anyhow::Result;

/// Flags of `khabar entities`.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<()> {
    Ok(())
}
