#!/usr/bin/env bash
# Text-layer benchmark: khabar vs the Python Arabic anchors, same corpus.
#
#   bash bench/text_layer.sh [--python-only] [--runs N] [--budget-s S] [--mb MB]
#
# Run from anywhere; paths are relative to the repo root.  Environment:
#   KHABAR_SHARED  shared folder                (default ../shared)
#   ANCHORS_DIR    anchor scripts               (default $KHABAR_SHARED/anchors)
#   ANCHORS_VENV   Python venv, made if missing (default ../anchors-venv)
#   BENCH_OUT      scratch/results folder       (default target/bench)
# Writes BENCH_OUT/{corpus.txt,corpus.json,raw/*,text_layer.md,text_layer.jsonl}.
# Every tool runs in its own process under /usr/bin/time -v (peak RSS),
# strictly one after another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON_ONLY=0 RUNS=3 BUDGET=60 MB=20
while [ $# -gt 0 ]; do
  case $1 in
    --python-only) PYTHON_ONLY=1 ;;
    --runs) RUNS=$2; shift ;;
    --budget-s) BUDGET=$2; shift ;;   # anchors time a prefix if one run would exceed this
    --mb) MB=$2; shift ;;
    *) echo "usage: $0 [--python-only] [--runs N] [--budget-s S] [--mb MB]" >&2; exit 2 ;;
  esac
  shift
done

SHARED=${KHABAR_SHARED:-../shared}
ANCHORS=${ANCHORS_DIR:-$SHARED/anchors}
VENV=${ANCHORS_VENV:-../anchors-venv}
OUT=${BENCH_OUT:-target/bench}
BIN=${CARGO_TARGET_DIR:-target}/release/khabar
RAW=$OUT/raw
PY=$VENV/bin/python
die() { echo "text_layer: $*" >&2; exit 1; }
log() { echo "[text_layer $(date +%T)] $*" >&2; }
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
[ -f "$ANCHORS/bench_tokenize.py" ] || die "no anchors at $ANCHORS (set ANCHORS_DIR / KHABAR_SHARED)"
START=$(date +%s)

# 1. Venv with the lean anchor install (no torch/transformers): camel-tools'
#    own dependencies are skipped on purpose, only its utils are used.
PINS=(camel-tools==1.6.0 regex==2026.11.19 emoji==2.16.0 six==1.17.0
      pyarabic==0.6.15 tashaphyne==0.3.6 nltk==3.10.4 snowballstemmer==3.1.1
      PyStemmer==3.1.0 sumy==0.13.0 datasketch==2.0.0 rensa==0.5.0)
[ -x "$PY" ] || { log "creating venv $VENV"; "${ANCHORS_PYTHON:-python3.11}" -m venv "$VENV"; }
if ! "$PY" - "${PINS[@]}" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
def have(pin):
    name, want = pin.split("==")
    try:
        return version(name) == want
    except PackageNotFoundError:
        return False
sys.exit(0 if all(have(p) for p in sys.argv[1:]) else 1)
EOF
then
  log "installing pinned anchor packages into $VENV"
  "$PY" -m pip install -q --no-deps "${PINS[0]}"
  "$PY" -m pip install -q "${PINS[@]:1}"  # prints "camel-tools requires torch..." etc.: expected
fi

# 2. Corpus (deterministic: first >= MB of ANT articles, one per line).
mkdir -p "$RAW"
rm -f "$RAW"/*
CORPUS=$OUT/corpus.txt
"$PY" bench/make_corpus.py --data "$SHARED/data" --mb "$MB" --out "$CORPUS" 2> "$OUT/corpus.json" \
  || { cat "$OUT/corpus.json" >&2; die "corpus build failed"; }
log "corpus: $(cat "$OUT/corpus.json")"

# measure TAG CMD...: stdout -> raw/TAG.jsonl, stderr -> raw/TAG.log, time -v -> raw/TAG.time
measure() {
  local tag=$1; shift
  /usr/bin/time -v -o "$RAW/$tag.time" "$@" > "$RAW/$tag.jsonl" 2> "$RAW/$tag.log" < /dev/null
}

# 3. khabar (built first so a broken build fails fast, before the long Python part).
if [ "$PYTHON_ONLY" = 0 ]; then
  log "cargo build --release -p khabar-cli"
  cargo build --release -p khabar-cli
  [ -x "$BIN" ] || die "$BIN not found after the build"
  head -n 20 "$CORPUS" > "$OUT/probe.txt"
  "$BIN" bench text "$OUT/probe.txt" --threads 1 --runs 1 > "$OUT/probe.out" 2>&1 || true
  grep -Eq '"bench": ?"text"' "$OUT/probe.out" \
    || die "'$BIN bench text FILE --threads 1 --runs N' printed no JSON lines: this khabar" \
           "has no working text benchmark subcommand (or use --python-only). Its output:" \
           "$(head -c 500 "$OUT/probe.out")"
  log "khabar bench text (runs $RUNS)"
  measure khabar "$BIN" bench text "$CORPUS" --threads 1 --runs "$RUNS" \
    || die "khabar bench text failed, see $RAW/khabar.log"
fi

# 4. Python anchors, one (stage, tool) per process so peak RSS is per tool.
"$PY" - "$ANCHORS" > "$OUT/anchor_tools.txt" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import anchors_common as C, bench_tokenize as B
for stage, names in (("norm", C.NORMALIZERS), ("tok", C.TOKENIZERS),
                     ("norm+tok", B.PAIRS), ("stem", C.STEMMERS)):
    for n in names:
        print(stage, n)
EOF
while read -r stage tool <&3; do
  case $stage in
    norm)     args=(bench_tokenize.py --stages norm --normalizers "$tool") ;;
    tok)      args=(bench_tokenize.py --stages tok --tokenizers "$tool") ;;
    norm+tok) args=(bench_tokenize.py --stages norm+tok --pairs "$tool") ;;
    stem)     args=(bench_stem.py --stemmers "$tool") ;;
  esac
  tag="py.$stage.$tool"
  log "$tag"
  if ! measure "$tag" "$PY" "$ANCHORS/${args[0]}" "$CORPUS" "${args[@]:1}" \
         --runs "$RUNS" --budget-s "$BUDGET"; then
    # a crash is a result too: record it instead of stopping the whole run
    printf '{"bench":"%s","stage":"%s","tool":"%s","status":"error","error":"process failed, see raw/%s.log"}\n' \
      "${args[0]%.py}" "$stage" "$tool" "$tag" >> "$RAW/$tag.jsonl"
  fi
done 3< "$OUT/anchor_tools.txt"

# 5. Report (khabar rows first).
results=()
[ -f "$RAW/khabar.jsonl" ] && results+=("$RAW/khabar.jsonl")
while read -r stage tool; do results+=("$RAW/py.$stage.$tool.jsonl"); done < "$OUT/anchor_tools.txt"
REV=$(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD 2>/dev/null || echo -dirty)
"$PY" bench/report.py --corpus "$OUT/corpus.json" --rev "$REV" --md "$OUT/text_layer.md" \
  --jsonl "$OUT/text_layer.jsonl" "${results[@]}"
log "done in $(( $(date +%s) - START )) s; report: $OUT/text_layer.md"
