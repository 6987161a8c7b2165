#!/usr/bin/env bash
# Evaluations on the real gold data in ../shared/data (not needed by the tests).
# Usage: bash scripts/eval.sh   (from the repository root; KHABAR_SHARED overrides ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${KHABAR_SHARED:-../shared}"
cargo build --release --locked -p khabar-cli
echo "== search: known-item recall under spelling variation (khabar vs tantivy default vs SQLite FTS5)"
target/release/khabar eval search --data "$shared/data/ant_multisource" --queries 200 --seed 2018
