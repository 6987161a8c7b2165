//! `khabar eval summary` (written next).
use anyhow::Result;

/// Flags of `khabar eval summary`.
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<()> {
    anyhow::bail!("not yet")
}
