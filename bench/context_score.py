"""Score attach_context alone against the gold seeds: metric, org and period_text for each gold figure.

    python bench/context_score.py [GOLD.jsonl] [CORPUS_DIR] [-v]

Each gold figure becomes a Quantity at its gold offsets (found near the gold start in our normalized
text), so the numbers extractor plays no part. Uses the scorer's lenient rule.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhi.evaluate import lenient
from fazhi.extract.context import attach_context, prepare_document
from fazhi.extract.model import DocContext, Quantity
from fazhi.metadata import extract_metadata
from fazhi.normalize import normalize


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    gold_path = Path(args[0]) if args else Path("/work/shared/gold/seeds.jsonl")
    corpus = Path(args[1]) if len(args) > 1 else ROOT / "fazhi" / "sample_corpus"
    golds = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = {}
    totals = {"metric": [0, 0], "org": [0, 0], "period_text": [0, 0]}
    core_all = [0, 0]
    elapsed = 0.0
    for g in sorted(golds, key=lambda g: (g["doc"], g["start"])):
        if g["doc"] not in docs:
            norm = normalize((corpus / g["doc"]).read_text(encoding="utf-8"))
            meta = extract_metadata(norm.text)
            doc = DocContext(doc_id=g["doc"], title=meta.title, published=meta.published_date, source_name=g["doc"])
            t0 = time.perf_counter()
            prepare_document(norm.text, doc)
            elapsed += time.perf_counter() - t0
            docs[g["doc"]] = (norm, doc)
        norm, doc = docs[g["doc"]]
        text = norm.text
        starts = []
        for window in (40, 400, 4000):
            starts = [i for i in range(max(0, g["start"] - window), min(len(text), g["start"] + window))
                      if text.startswith(g["surface"], i)]
            if starts:
                break
        if not starts:
            print(f"surface not found: {g['doc']} {g['start']} {g['surface']!r}")
            continue
        start = min(starts, key=lambda i: abs(i - g["start"]))
        end = start + len(g["surface"])
        sentence = next(((s, e) for s, e in norm.sentences if s <= start < e), (start, end))
        q = Quantity(surface=g["surface"], char_start=start, char_end=end, value=g["value"], unit=g["unit"],
                     kind=g["kind"], approx=g["approx"], direction=g.get("direction"))
        t0 = time.perf_counter()
        ctx = attach_context(text, sentence, q, doc)
        elapsed += time.perf_counter() - t0
        all_ok = True
        for field in totals:
            if not g.get(field):
                continue
            ok = lenient(getattr(ctx, field), g[field])
            totals[field][0] += ok
            totals[field][1] += 1
            all_ok &= ok
            if verbose and not ok:
                print(f"{field:11} {g['doc'][:3]} {g['start']:5} {g['surface']!r:14} gold={g[field]!r} pred={getattr(ctx, field)!r}")
        if g["tier"] == "core":
            core_all[0] += all_ok
            core_all[1] += 1
    for field, (ok, n) in totals.items():
        print(f"{field:12} {ok}/{n} = {ok / n:.3f}")
    print(f"core figures with all three right: {core_all[0]}/{core_all[1]} = {core_all[0] / core_all[1]:.3f}")
    print(f"context time: {elapsed * 1000:.1f} ms for {len(golds)} figures in {len(docs)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
