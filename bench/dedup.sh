#!/usr/bin/env bash
# Near-duplicate benchmark: khabar vs datasketch and rensa, same corpus, same shingles.
#
#   bash bench/dedup.sh [--runs N] [--rounds K] [--budget-s S] [--mb MB]
#
# The Python anchors (shared anchors/bench_dedup.py) build word 3-shingles with the
# shared regex word splitter BEFORE timing, then time MinHash + LSH query/insert.
# khabar (`khabar bench dedup`) times everything from the raw line: Arabic
# normalization, tokenization, shingling, one-permutation MinHash, LSH and exact
# Jaccard verification of candidates. Both use 128 hashes in 16 bands x 8 rows.
# khabar runs with 1 thread (like the anchors) and with 2 threads.
#
# The machine is shared, so the load drifts during a run. khabar and the two
# rensa LSH paths therefore run in K interleaved rounds (khabar, rensa, rensa,
# khabar, ...); the report gives each tool's median over rounds and the median
# of the per-round ratios khabar / rensa (paired, so slow drift cancels).
# datasketch and the other baselines run once.
#
# Environment: KHABAR_SHARED (default ../shared), ANCHORS_DIR, ANCHORS_VENV
# (default ../anchors-venv, made if missing), BENCH_OUT (default target/bench).
# Writes BENCH_OUT/{dedup_corpus.txt,dedup_corpus.json,raw-dedup/*,dedup.md,dedup.jsonl}.
# Every tool runs in its own process under /usr/bin/time -v, one after another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=3 ROUNDS=3 BUDGET=60 MB=20
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --budget-s) BUDGET=$2; shift ;;
    --mb) MB=$2; shift ;;
    *) echo "usage: $0 [--runs N] [--rounds K] [--budget-s S] [--mb MB]" >&2; exit 2 ;;
  esac
  shift
done

SHARED=${KHABAR_SHARED:-../shared}
ANCHORS=${ANCHORS_DIR:-$SHARED/anchors}
VENV=${ANCHORS_VENV:-../anchors-venv}
OUT=${BENCH_OUT:-target/bench}
BIN=${CARGO_TARGET_DIR:-target}/release/khabar
RAW=$OUT/raw-dedup
PY=$VENV/bin/python
die() { echo "dedup-bench: $*" >&2; exit 1; }
log() { echo "[dedup-bench $(date +%T)] $*" >&2; }
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
[ -f "$ANCHORS/bench_dedup.py" ] || die "no anchors at $ANCHORS (set ANCHORS_DIR / KHABAR_SHARED)"
START=$(date +%s)

if ! [ -x "$PY" ] || ! "$PY" -c 'import datasketch, rensa' 2>/dev/null; then
  [ -x "$PY" ] || { log "creating venv $VENV"; "${ANCHORS_PYTHON:-python3}" -m venv "$VENV"; }
  log "installing datasketch==2.0.0 rensa==0.5.0 into $VENV"
  "$PY" -m pip install -q datasketch==2.0.0 rensa==0.5.0
fi

mkdir -p "$RAW"
rm -f "$RAW"/*
CORPUS=$OUT/dedup_corpus.txt
"$PY" bench/make_corpus.py --data "$SHARED/data" --mb "$MB" --out "$CORPUS" 2> "$OUT/dedup_corpus.json" \
  || { cat "$OUT/dedup_corpus.json" >&2; die "corpus build failed"; }
log "corpus: $(cat "$OUT/dedup_corpus.json")"

measure() {
  local tag=$1; shift
  /usr/bin/time -v -o "$RAW/$tag.time" "$@" > "$RAW/$tag.jsonl" 2> "$RAW/$tag.log" < /dev/null
}

log "cargo build --release -p khabar-cli"
cargo build --release -p khabar-cli
[ -x "$BIN" ] || die "$BIN not found after the build"
uptime > "$RAW/load.txt"
py_tool() {  # TAG TOOL
  if ! measure "$1" "$PY" "$ANCHORS/bench_dedup.py" "$CORPUS" --tools "$2" \
         --runs "$RUNS" --budget-s "$BUDGET" --num-perm 128 --bands 16 --shingle 3 --threshold 0.8; then
    printf '{"bench":"dedup","tool":"%s","status":"error","error":"process failed, see raw-dedup/%s.log"}\n' \
      "$2" "$1" >> "$RAW/$1.jsonl"
  fi
}
for round in $(seq 1 "$ROUNDS"); do
  for threads in 1 2; do
    log "round $round: khabar bench dedup --threads $threads"
    measure "khabar-t$threads.r$round" "$BIN" bench dedup "$CORPUS" --threads "$threads" --runs "$RUNS" \
      --num-perm 128 --bands 16 --shingle 3 --threshold 0.8 \
      || die "khabar bench dedup failed, see $RAW/khabar-t$threads.r$round.log"
  done
  for tool in rensa-rminhash-lsh rensa-rminhash-dedup; do
    log "round $round: $tool"
    py_tool "py.$tool.r$round" "$tool"
  done
done
for tool in rensa-cminhash-dedup datasketch python-exact-hash; do
  log "$tool"
  py_tool "py.$tool" "$tool"
done
uptime >> "$RAW/load.txt"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)
"$PY" bench/dedup_report.py --corpus "$OUT/dedup_corpus.json" --rev "$REV" --load "$RAW/load.txt" \
  --md "$OUT/dedup.md" --jsonl "$OUT/dedup.jsonl" "$RAW"/khabar-t*.jsonl "$RAW"/py.*.jsonl
cat "$OUT/dedup.md"
log "done in $(( $(date +%s) - START )) s; report: $OUT/dedup.md"
