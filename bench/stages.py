"""CPU time per document of each text stage and of the floor, on the same documents in one process.

    python -m bench.stages DIR [--docs 500] [--rounds 3]

Ingest, normalize, segment and extract (fazhi.core's stages, as a batch runs them) and the floor (OpenCC t2s and
jieba.lcut) are timed round after round on the same documents with process CPU time; the median round of each
is printed in ms a document with its ratio to the floor. Ratios taken within one process, rounds interleaved,
hardly move with the machine's load; the absolute numbers do (a busy machine's shared caches slow everything).
"""
from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import jieba
    from opencc import OpenCC

    from fazhi.core import STAGES, _InProgress
    from fazhi.flows.parallel import warm_up
    from fazhi.ingest import discover, read_document

    warm_up()
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    t2s = OpenCC("t2s")
    root = args.corpus.absolute()
    paths = discover(root)[0][:args.docs]
    n = len(paths)
    if not n:
        raise SystemExit(f"no documents under {root}")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    seconds: dict[str, list[float]] = {}

    def timed(name: str, fn) -> None:
        started = time.process_time()
        fn()
        seconds.setdefault(name, []).append(time.process_time() - started)

    for _ in range(args.rounds):
        timed("floor: t2s", lambda: [t2s.convert(t) for t in texts])
        timed("floor: jieba.lcut", lambda: [jieba.lcut(t) for t in texts])
        docs: list = []
        timed("ingest", lambda docs=docs: docs.extend(_InProgress(read_document(p, root)) for p in paths))
        for name, stage in STAGES:
            timed(name, lambda stage=stage, docs=docs: [stage(d) for d in docs])
    ms = {name: 1000 * statistics.median(v) / n for name, v in seconds.items()}
    floor = ms["floor: t2s"] + ms["floor: jieba.lcut"]
    print(f"{n} documents from {root}, median of {args.rounds} rounds, ms of CPU a document:")
    for name, value in ms.items():
        print(f"  {name:18s} {value:7.2f}  ({value / floor:.2f}x the floor)")
    text = sum(v for k, v in ms.items() if not k.startswith("floor"))
    print(f"  {'floor (both)':18s} {floor:7.2f}\n  {'text stages':18s} {text:7.2f}  ({text / floor:.2f}x the floor; "
          f"floor / text stages = {floor / text:.2f})")


if __name__ == "__main__":
    main()
