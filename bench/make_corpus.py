#!/usr/bin/env python3
"""Build the deterministic benchmark corpus from the ANT multi-source articles.

Usage: python bench/make_corpus.py [--data DIR] [--mb 20] --out PATH

Reads DIR/ant_multisource/*.jsonl (sorted by file name, articles in file
order) and writes one article per line: the title, then the body paragraphs,
joined by single spaces.  Paragraph breaks are every separator that
str.splitlines() knows (\\n, and also U+2029, which occurs in the data), so no
reader, Python or Rust, sees more than one line per article.  Articles are
taken until the output reaches --mb * 10**6 bytes; nothing is ever repeated
(asking for more than the data holds is an error).  Prints what it wrote as
one JSON line on stderr.
"""

import argparse
import glob
import hashlib
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("KHABAR_SHARED", os.path.join(REPO, "..", "shared"))


def article_line(art):
    """Title + paragraphs as one line; empty parts dropped."""
    parts = [p.strip() for p in art.get("title", "").splitlines()]
    parts += [p.strip() for p in art.get("text", "").splitlines()]
    return " ".join(p for p in parts if p)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(SHARED, "data"),
                    help="shared data folder holding ant_multisource/ "
                         "(default: $KHABAR_SHARED/data or ../shared/data)")
    ap.add_argument("--mb", type=float, default=20.0, help="minimum size, MB = 10^6 bytes")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    files = sorted(glob.glob(os.path.join(args.data, "ant_multisource", "*.jsonl")))
    if not files:
        sys.exit(f"make_corpus: no ant_multisource/*.jsonl under {args.data}")
    target = int(args.mb * 1e6)
    sha = hashlib.sha256()
    n_articles = n_bytes = 0
    used = []
    with open(args.out, "wb") as out:
        for path in files:
            if n_bytes >= target:
                break
            used.append(os.path.basename(path))
            with open(path, encoding="utf-8") as fh:
                for raw in fh:
                    if n_bytes >= target:
                        break
                    line = article_line(json.loads(raw))
                    if not line:
                        continue
                    b = (line + "\n").encode("utf-8")
                    out.write(b)
                    sha.update(b)
                    n_articles += 1
                    n_bytes += len(b)
    if n_bytes < target:
        sys.exit(f"make_corpus: only {n_bytes} bytes of articles, asked for {target}")
    print(json.dumps({"corpus": args.out, "articles": n_articles, "bytes": n_bytes,
                      "sha256": sha.hexdigest(),
                      "sources": used}),
          file=sys.stderr)


if __name__ == "__main__":
    main()
