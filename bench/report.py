#!/usr/bin/env python3
"""Merge text-layer benchmark results into one Markdown table.

Usage: python bench/report.py [--corpus corpus.json] [--rev REV] [--md OUT.md]
                              [--jsonl OUT.jsonl] RESULT.jsonl ...

Each RESULT.jsonl holds JSON lines from khabar (`khabar bench text`) or from
the Python anchors (bench_tokenize.py / bench_stem.py).  If RESULT.time sits
next to it (`/usr/bin/time -v` output of the process that wrote it), its
"Maximum resident set size" becomes the peak RSS of every row in that file.
Ratios are khabar MB/s divided by the tool's MB/s (> 1: khabar is faster).
Standard library only.
"""

import argparse
import json
import os
import re
import sys

RSS_RE = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")
KHABAR_STAGES = ("normalize+tokenize", "full")


def peak_rss_mb(jsonl_path):
    """Peak RSS in MB (10^6 bytes) from the sibling .time file, or None."""
    time_path = os.path.splitext(jsonl_path)[0] + ".time"
    try:
        with open(time_path, encoding="utf-8") as fh:
            m = RSS_RE.search(fh.read())
    except OSError:
        return None
    return int(m.group(1)) * 1024 / 1e6 if m else None


def load(paths):
    rows = []
    for path in paths:
        rss = peak_rss_mb(path)
        with open(path, encoding="utf-8") as fh:
            for ln in fh:
                if ln.strip():
                    r = json.loads(ln)
                    r.setdefault("stage", r.get("bench"))  # bench_stem rows have no stage
                    r.setdefault("status", "ok")           # khabar rows carry no status
                    r["peak_rss_mb"] = rss
                    rows.append(r)
    return rows


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def render(rows, corpus, rev=None):
    khabar = {r["stage"]: r for r in rows if r.get("tool") == "khabar"}
    ok = [r for r in rows if r["status"] == "ok"]
    bad = [r for r in rows if r["status"] != "ok"]
    out = ["# khabar text-layer benchmark", ""]
    if corpus:
        out.append(f"Corpus: `{os.path.basename(corpus['corpus'])}`, {corpus['articles']:,} "
                   f"articles, {corpus['bytes']:,} bytes, sha256 `{corpus['sha256'][:16]}…` "
                   f"(from {', '.join(corpus.get('sources', []))}).")
    if rev:
        out.append(f"khabar revision: `{rev}`.")
    py = next((r for r in rows if r.get("python")), None)
    if py:
        out.append(f"Python {py['python']}, {py.get('cpus')} CPUs, {py.get('runs')} timed runs "
                   "(median); one tool per process.")
    missing = [s for s in KHABAR_STAGES if s not in khabar]
    if missing:
        out.append(f"khabar stage(s) not measured: {', '.join(missing)}.")
    out += ["", "MB = 10^6 input bytes. Units/s: tokens/s (tokenizers, khabar) or words/s "
            "(stemmers, shared word splitter). Peak RSS = the whole process, corpus in "
            "memory included. Ratios = khabar MB/s ÷ tool MB/s.", "",
            "| tool | stage | version | MB/s | units/s | peak RSS MB | khabar full / tool "
            "| khabar norm+tok / tool | note |",
            "|---|---|---|--:|--:|--:|--:|--:|---|"]
    for r in ok:
        units = r.get("tokens_s") or r.get("words_s")
        unit = " tok/s" if r.get("tokens_s") else " words/s" if r.get("words_s") else ""
        ratios = []
        for st in ("full", "normalize+tokenize"):
            k = khabar.get(st)
            if r.get("tool") == "khabar" or not k or not r.get("mb_s"):
                ratios.append("–")
            else:
                ratios.append(f"{k['mb_s'] / r['mb_s']:.1f}×")
        note = []
        if r.get("sampled"):
            note.append(f"sampled {r['measured_bytes'] / 1e6:.1f} MB")
        if r.get("threads"):
            note.append(f"{r['threads']} thread(s)")
        out.append(f"| {r['tool']} | {r['stage']} | {r.get('version') or ''} | "
                   f"{fmt(r.get('mb_s'), '.2f')} | {fmt(units, ',.0f')}{unit if units else ''} | "
                   f"{fmt(r.get('peak_rss_mb'), '.0f')} | {ratios[0]} | {ratios[1]} | "
                   f"{'; '.join(note)} |")
    if bad:
        out += ["", "Not measured:", "", "| tool | stage | status | reason |", "|---|---|---|---|"]
        for r in bad:
            reason = (r.get("error") or "").replace("|", "/").replace("\n", " ")[:200]
            out.append(f"| {r['tool']} | {r['stage']} | {r['status']} | {reason} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="+")
    ap.add_argument("--corpus", help="JSON line printed by make_corpus.py")
    ap.add_argument("--rev", help="khabar git revision to print in the header")
    ap.add_argument("--md", help="also write the Markdown here")
    ap.add_argument("--jsonl", help="also write all rows (with peak_rss_mb) here")
    args = ap.parse_args()
    corpus = None
    if args.corpus:
        with open(args.corpus, encoding="utf-8") as fh:
            corpus = json.loads(fh.read().strip().splitlines()[-1])
    rows = load(args.results)
    md = render(rows, corpus, args.rev)
    sys.stdout.write(md)
    if args.md:
        with open(args.md, "w", encoding="utf-8") as fh:
            fh.write(md)
    if args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
