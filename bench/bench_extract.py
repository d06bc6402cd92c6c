"""Extraction time per document (numbers, document model, context by scope, tables), with no Prefect.

    python bench/bench_extract.py [REPEAT] [FOLDER ...]

Times extract_figures alone on each folder's documents (normalized beforehand), repeated, and prints
milliseconds per document and figures found. Default: the bundled sample, and ../shared/corpus/dev if present.
Run it against another checkout with PYTHONPATH=that/checkout to compare commits.
"""
from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

from fazhi.extract import DocContext, extract_figures
from fazhi.ingest import discover, read_document
from fazhi.metadata import extract_metadata
from fazhi.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = [ROOT / "fazhi" / "sample_corpus", ROOT.parent / "shared" / "corpus" / "dev"]


def bench(folder: Path, repeat: int) -> None:
    paths, _ = discover(folder)
    docs = []
    for p in paths:
        norm = normalize(read_document(p, folder).raw_text)
        docs.append((norm, extract_metadata(norm.text)))
    rounds = []
    found = 0
    gc.collect()
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = 0
        for norm, meta in docs:
            ctx = DocContext(doc_id="b", title=meta.title, published=meta.published_date)
            found += len(extract_figures(norm.text, norm.sentences, ctx))
        rounds.append((time.perf_counter() - t0) / len(docs) * 1000)
    chars = sum(len(n.text) for n, _ in docs) / len(docs)
    print(f"{folder.name}: {len(docs)} documents (mean {chars:.0f} chars), {found} figures; extract "
          f"median {statistics.median(rounds):.2f} ms/doc (min {min(rounds):.2f}, max {max(rounds):.2f}, {repeat} rounds)")


def main(argv: list[str]) -> int:
    repeat = int(argv[0]) if argv and argv[0].isdigit() else 20
    folders = [Path(a) for a in argv[1:]] if len(argv) > 1 else [d for d in DEFAULTS if d.is_dir()]
    for folder in folders:
        bench(folder, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
