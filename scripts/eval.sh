#!/usr/bin/env bash
# Evaluations on the real gold data in ../shared/data (not needed by the tests).
# Usage: bash scripts/eval.sh   (from the repository root; KHABAR_SHARED overrides ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${KHABAR_SHARED:-../shared}"
cargo build --release --locked -p khabar-cli
target/release/khabar eval quotes --gold testdata/quotes/ant-quotes.gold.jsonl --data "$shared/data/ant_multisource" --split all
KHABAR_BIN=target/release/khabar bash bench/summarize.sh "$shared"
