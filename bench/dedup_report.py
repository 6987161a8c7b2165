#!/usr/bin/env python3
"""Merge dedup benchmark results (khabar + Python anchors) into one Markdown table.

Usage: python bench/dedup_report.py [--corpus corpus.json] [--rev REV] [--load load.txt]
                                    [--md OUT.md] [--jsonl OUT.jsonl] RESULT.jsonl ...

Each RESULT.jsonl holds JSON lines from `khabar bench dedup` or from the anchors'
bench_dedup.py; a sibling RESULT.time (`/usr/bin/time -v`) gives the peak RSS.
Ratios are khabar (1 thread) MB/s divided by the tool's MB/s (> 1: khabar is faster).
Standard library only.
"""

import argparse
import json
import os
import re

RSS_RE = re.compile(r"Maximum resident set size \(kbytes\):\s*(\d+)")


def peak_rss_mb(path):
    try:
        with open(os.path.splitext(path)[0] + ".time", encoding="utf-8") as fh:
            m = RSS_RE.search(fh.read())
    except OSError:
        return None
    return int(m.group(1)) * 1024 / 1e6 if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="+")
    ap.add_argument("--corpus")
    ap.add_argument("--rev", default="?")
    ap.add_argument("--load")
    ap.add_argument("--md")
    ap.add_argument("--jsonl")
    a = ap.parse_args()
    rows = []
    for p in a.results:
        rss = peak_rss_mb(p)
        with open(p, encoding="utf-8") as fh:
            for ln in fh:
                if ln.strip():
                    r = json.loads(ln)
                    r["peak_rss_mb"] = rss
                    rows.append(r)
    khabar1 = next((r for r in rows if r.get("tool") == "khabar" and r.get("threads") == 1), None)
    base = khabar1["mb_s"] if khabar1 else None
    out = []
    if a.corpus:
        c = json.load(open(a.corpus, encoding="utf-8"))
        out.append(f"Corpus: {c.get('articles')} articles, {c.get('bytes'):,} bytes "
                   f"(from {', '.join(c.get('sources', []))}); khabar revision `{a.rev}`.")
    if a.load:
        loads = [ln.split("load average:")[-1].strip() for ln in open(a.load, encoding="utf-8")]
        out.append(f"Load average before / after: {' / '.join(loads)} (2 shared cores: figures move with the load).")
    out.append("")
    out.append("128 hashes, 16 bands x 8 rows, word 3-shingles, median of the timed runs. "
               "MB = 10^6 input bytes. The anchors build shingles before timing; "
               "khabar times normalization + tokenization + shingling too and verifies candidates exactly.")
    out.append("")
    out.append("| tool | version | threads | what is timed | MB/s | docs/s | flagged | verified dups | peak RSS MB | khabar 1-thread / tool |")
    out.append("|---|---|--:|---|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        if r.get("status") != "ok":
            out.append(f"| {r.get('tool')} | | | {r.get('status')}: {r.get('error', '')} | | | | | | |")
            continue
        khabar = r.get("tool") == "khabar"
        flagged = r.get("flagged") if khabar else r.get("duplicates")
        dups = r.get("duplicates") if khabar else "–"
        ratio = f"{base / r['mb_s']:.2f}" if base and r.get("mb_s") and not khabar else "–"
        rss = f"{r['peak_rss_mb']:.0f}" if r.get("peak_rss_mb") else "–"
        what = r.get("what", "")
        if r.get("sampled"):
            what += f" (sampled {r.get('measured_bytes', 0) / 1e6:.1f} MB)"
        out.append(f"| {r['tool']} | {r.get('version') or ''} | {r.get('threads', 1)} | {what} | "
                   f"{r['mb_s']:.1f} | {r.get('docs_s', 0):,.0f} | {flagged} | {dups} | {rss} | {ratio} |")
    md = "\n".join(out) + "\n"
    if a.md:
        open(a.md, "w", encoding="utf-8").write(md)
    else:
        print(md)
    if a.jsonl:
        with open(a.jsonl, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
