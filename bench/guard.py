"""The cost of the per-document budget: a batch processed in this process (unguarded, stage by stage) and under
the guard (a forked child, document by document, results streamed back), on the same files.

    python -m bench.guard [FOLDER ...]        (default: the bundled sample corpus)

Prints, per folder, the median wall and CPU seconds (this process and its children: on a shared machine the CPU
time is the steadier number) of a few rounds each way, and the difference per document; the rows are checked to
be the same both ways.
"""
from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from pathlib import Path

from fazhi.core import load_text_models, process_files
from fazhi.guard import Budget
from fazhi.ingest import discover
from fazhi.preflight import SAMPLE_CORPUS

ROUNDS = 5


def rows(result) -> tuple:
    return (sorted(d["doc_id"] for d in result.documents), len(result.figures), result.tokens.table.num_rows,
            result.sentences.table.num_rows, sorted(e.source_name for e in result.errors))


def measure(root: Path, batch_size: int = 200) -> None:
    paths, _ = discover(root)
    batches = [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]
    times: dict[tuple[str, str], list[float]] = {(k, m): [] for k in ("in process", "guarded") for m in ("wall", "cpu")}
    seen = {}
    for _ in range(ROUNDS):
        for name, budget in (("in process", None), ("guarded", Budget())):
            started, cpu = time.perf_counter(), cpu_seconds()
            results = [process_files(batch, root, budget) for batch in batches]
            times[name, "wall"].append(time.perf_counter() - started)
            times[name, "cpu"].append(cpu_seconds() - cpu)
            seen[name] = [rows(r) for r in results]
            del results  # as in a run, where a batch is loaded and let go before the next one is processed
            gc.collect()
    assert seen["in process"] == seen["guarded"], "the guard changed the rows"
    print(f"{root}: {len(paths)} files in {len(batches)} batch(es), median of {ROUNDS} rounds")
    for measure in ("wall", "cpu"):
        plain, guarded = (statistics.median(times[k, measure]) for k in ("in process", "guarded"))
        print(f"  {measure:>4}: in process {plain:.3f}s, guarded {guarded:.3f}s ({100 * (guarded - plain) / plain:+.1f}%, "
              f"{1000 * (guarded - plain) / len(paths):+.2f} ms per document)")


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str]) -> int:
    load_text_models()
    for folder in argv or [str(SAMPLE_CORPUS)]:
        measure(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
