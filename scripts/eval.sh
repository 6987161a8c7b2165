#!/usr/bin/env bash
# Evaluations on the real gold data in ../shared/data (not needed by the tests).
# Usage: bash scripts/eval.sh   (from the repository root; KHABAR_SHARED overrides ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${KHABAR_SHARED:-../shared}"
cargo build --release --locked -p khabar-cli
echo "== clitic segmentation (WikiNews gold, clitic level)"
target/release/khabar eval segment --gold "$shared/data/wikinews_farasa/wikinews-shared.jsonl" --errors 20
