"""Extraction alone on the bundled sample, a given number of rounds: the workload bench/callgrind_extract.sh counts.

    python bench/extract_rounds.py ROUNDS [--package fazhi|flows] [--memory]

Documents are read, normalized and their metadata taken before the rounds; one warm-up round runs first (lazy
tables, caches), so the instructions of ROUNDS=5 minus those of ROUNDS=0 are the rounds' alone. --package flows
runs a checkout from before the package was renamed (e.g. 210bf3a) with PYTHONPATH set to that checkout.
--memory prints the tracemalloc peak of extracting each document (its largest and the median), fresh per document.
"""
from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tracemalloc
from pathlib import Path


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rounds", type=int)
    ap.add_argument("--package", default="fazhi", choices=("fazhi", "flows"))
    ap.add_argument("--memory", action="store_true")
    args = ap.parse_args(argv)
    pkg = importlib.import_module(args.package)
    extract = importlib.import_module(f"{args.package}.extract")
    ingest = importlib.import_module(f"{args.package}.ingest")
    normalize = importlib.import_module(f"{args.package}.normalize").normalize
    extract_metadata = importlib.import_module(f"{args.package}.metadata").extract_metadata
    folder = Path(pkg.__file__).parent / "sample_corpus"
    paths, _ = ingest.discover(folder)
    docs = []
    for p in paths:
        norm = normalize(ingest.read_document(p, folder).raw_text)
        docs.append((norm, extract_metadata(norm.text)))

    def one(norm, meta) -> int:
        ctx = extract.DocContext(doc_id="b", title=meta.title, published=meta.published_date)
        return len(extract.extract_figures(norm.text, norm.sentences, ctx))

    found = sum(one(n, m) for n, m in docs)  # warm-up
    if args.memory:
        peaks = []
        for norm, meta in docs:
            tracemalloc.start()
            one(norm, meta)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        print(f"tracemalloc peak per document: max {max(peaks) / 1024:.0f} KiB, "
              f"median {statistics.median(peaks) / 1024:.0f} KiB ({len(docs)} documents)")
    for _ in range(args.rounds):
        for norm, meta in docs:
            one(norm, meta)
    print(f"{len(docs)} documents, {found} figures, {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
