"""What data quality costs a run: GX import, pulling the frames, validating, Data Docs; then at larger sizes.

    .venv/bin/python -m bench.dq_cost WAREHOUSE.duckdb [SCALE ...]

SCALE repeats the figures and tokens rows that many times (in memory; the warehouse is only read).
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    warehouse, scales = Path(argv[0]), [int(a) for a in argv[1:]] or [10, 100]
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401  (timed: every flow run pays it once per process)
    t1 = time.perf_counter()
    import pandas as pd

    from flows.quality import SUITES, suite_rows, validate_frames

    con = duckdb.connect(str(warehouse), read_only=True)
    frames = {name: suite_rows(con, name) for name in SUITES}
    con.close()
    t2 = time.perf_counter()
    validate_frames(frames, "bench")
    t3 = time.perf_counter()
    with tempfile.TemporaryDirectory() as docs:
        validate_frames(frames, "bench", Path(docs))
    t4 = time.perf_counter()
    rows = ", ".join(f"{k} {len(v)}" for k, v in frames.items())
    print(f"rows: {rows}")
    print(f"import great_expectations {t1 - t0:.2f}s, pull frames {t2 - t1:.2f}s, validate {t3 - t2:.2f}s, "
          f"validate + Data Docs {t4 - t3:.2f}s")
    for k in scales:
        big = {"documents": frames["documents"],
               "figures": pd.concat([frames["figures"]] * k, ignore_index=True),
               "tokens": pd.concat([frames["tokens"]] * k, ignore_index=True)}
        started = time.perf_counter()
        validate_frames(big, "bench")
        print(f"x{k}: figures {len(big['figures'])}, tokens {len(big['tokens'])}: validate "
              f"{time.perf_counter() - started:.2f}s, peak memory "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
