#!/usr/bin/env python3
"""Summaries of the EASC articles by sumy's LexRank and TextRank, for `khabar eval summary`.

Usage (venv with sumy==0.13.0, e.g. /work/anchors-venv):
  python bench/easc_sumy.py ../shared/data/easc_taqyim/easc.jsonl OUT_DIR

Writes OUT_DIR/sumy-lexrank.jsonl and OUT_DIR/sumy-textrank.jsonl, one line per article:
{"id", "summary": [sentence, ...]}. Each summarizer is called as the anchors do
(bench_summarize.py): PlaintextParser + Tokenizer("arabic"), Stemmer("arabic") and sumy's
Arabic stop words. The word budget of an article is the number of whitespace words of its
reference summary; the summary is the smallest top-k (k = 1, 2, ...) whose sentences reach
the budget, in document order. `khabar eval summary` then cuts every system, khabar
included, to the reference's length in ROUGE tokens and scores them with the same code.
"""
import json
import os
import sys


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, out_dir = sys.argv[1], sys.argv[2]
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tok = Tokenizer("arabic")
    systems = {}
    for name, cls in (("sumy-lexrank", LexRankSummarizer), ("sumy-textrank", TextRankSummarizer)):
        s = cls(Stemmer("arabic"))
        s.stop_words = get_stop_words("arabic")
        systems[name] = s
    os.makedirs(out_dir, exist_ok=True)
    outs = {n: open(os.path.join(out_dir, n + ".jsonl"), "w", encoding="utf-8") for n in systems}
    n_docs = 0
    with open(src, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            budget = len(rec["summaries"][0].split())
            doc = PlaintextParser.from_string(rec["article"], tok).document
            total = len(doc.sentences)
            for name, summarizer in systems.items():
                picked = []
                for k in range(1, total + 1):
                    picked = [str(x) for x in summarizer(doc, k)]
                    if sum(len(p.split()) for p in picked) >= budget:
                        break
                outs[name].write(json.dumps({"id": rec["id"], "summary": picked},
                                            ensure_ascii=False) + "\n")
            n_docs += 1
    for f in outs.values():
        f.close()
    print(f"{n_docs} articles -> {', '.join(outs)} in {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
