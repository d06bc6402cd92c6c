"""Throughput of the number extractor (find_quantities) on the sample corpus, repeated.

    python bench/bench_numbers.py [REPEAT]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from fazhi.extract.numbers import find_quantities
from fazhi.ingest import discover, read_document
from fazhi.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent / "fazhi" / "sample_corpus"


def main(repeat: int) -> None:
    paths, _ = discover(ROOT)
    docs = [normalize(read_document(p, ROOT).raw_text) for p in paths]
    chars = sum(len(d.text) for d in docs) * repeat
    found = 0
    t0 = time.perf_counter()
    for _ in range(repeat):
        for d in docs:
            for s, e in d.sentences:
                found += len(find_quantities(d.text, s, e))
    seconds = time.perf_counter() - t0
    print(f"{repeat * len(docs)} documents, {chars} chars, {found} quantities in {seconds:.2f}s: "
          f"{chars / seconds / 1e6:.2f} M chars/s, {repeat * len(docs) / seconds:.0f} docs/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
