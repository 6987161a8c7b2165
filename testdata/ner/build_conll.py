#!/usr/bin/env python3
"""Turn the hand-written entity lists (annotations.tsv) into BIO tags.

annotations.tsv: one line per sentence:  <sentence number>\t<TYPE:surface | TYPE:surface ...>
  TYPE is PERS/LOC/ORG/MISC; surface is the exact token sequence (space-joined) as
  produced by select_tokenize.py.  Every occurrence of the surface in the sentence is
  tagged, longest spans first; an occurrence overlapping an already tagged span is
  skipped (so "ترامب" does not re-tag the "ترامب" inside "دونالد ترامب").  A suffix
  @k restricts to the k-th occurrence (not needed in the current file).

Usage: python3 select_tokenize.py DATA > /tmp/sentences.tsv
       python3 build_conll.py /tmp/sentences.tsv annotations.tsv [OUT_DIR]
Writes ant-ner-check.conll and ant-ner-check.ids.tsv into OUT_DIR (default: next to
this script).
"""
import os, sys

here = os.path.dirname(os.path.abspath(__file__))
sent_file, ann_file = sys.argv[1], sys.argv[2]
out_dir = sys.argv[3] if len(sys.argv) > 3 else here
sents, order = {}, []
for l in open(sent_file, encoding='utf-8'):
    n, aid, si, toks = l.rstrip('\n').split('\t')
    sents[int(n)] = (aid, si, toks.split(' ')); order.append(int(n))
ann = {}
for l in open(ann_file, encoding='utf-8'):
    l = l.rstrip('\n')
    if not l.strip():
        continue
    n, _, rest = l.partition('\t')
    ann[int(n)] = [x.strip() for x in rest.split('|') if x.strip()]
assert set(ann) == set(order), 'every sentence needs an annotation line'
bad = 0
with open(os.path.join(out_dir, 'ant-ner-check.conll'), 'w', encoding='utf-8') as fc, \
     open(os.path.join(out_dir, 'ant-ner-check.ids.tsv'), 'w', encoding='utf-8') as fi:
    for k, n in enumerate(order):
        aid, si, toks = sents[n]
        tags = ['O'] * len(toks)
        for e in sorted(ann[n], key=lambda e: -len(e.partition(':')[2].split('@')[0].split(' '))):
            typ, _, surf = e.partition(':')
            assert typ in ('PERS', 'LOC', 'ORG', 'MISC'), e
            occ = None
            if '@' in surf:
                surf, occ = surf.rsplit('@', 1); occ = int(occ)
            st = surf.split(' ')
            hits = [i for i in range(len(toks) - len(st) + 1) if toks[i:i + len(st)] == st]
            if not hits:
                print(f'UNMATCHED sentence {n}: {e}', file=sys.stderr); bad += 1; continue
            if occ:
                hits = [hits[occ - 1]]
            for i in hits:
                if any(t != 'O' for t in tags[i:i + len(st)]):
                    continue
                tags[i] = 'B-' + typ
                for j in range(i + 1, i + len(st)):
                    tags[j] = 'I-' + typ
        if k:
            fc.write('\n')
        for t, g in zip(toks, tags):
            fc.write(f'{t}\t{g}\n')
        fi.write(f'{n}\t{aid}\t{si}\n')
sys.exit(1 if bad else 0)
