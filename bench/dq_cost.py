"""What data quality costs a run: GX import, pulling the frames, validating, Data Docs; then at larger sizes.

    .venv/bin/python -m bench.dq_cost WAREHOUSE.duckdb [SCALE ...]

SCALE repeats the documents, figures and tokens that many times in an in-memory DuckDB (the warehouse is
only read) and pulls and validates the suites from it.
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
    from fazhi.quality import SUITES, suite_rows, validate_frames

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
        # The suites' SQL pulls only what GX needs (tokens: suspect rows), so scale the tables, not the frames.
        big = duckdb.connect()
        big.execute(f"attach '{warehouse}' as src (read_only)")
        copies = f"cross join range({k}) c(i)"
        big.execute(f"create table documents as select * replace (doc_id || '-' || i as doc_id, "
                    f"source_name || '-' || i as source_name) from src.documents {copies}")
        for table in ("figures", "tokens"):
            extra = ", figure_id || '-' || i as figure_id" if table == "figures" else ""
            big.execute(f"create table {table} as select * replace (doc_id || '-' || i as doc_id{extra}) "
                        f"from src.{table} {copies}")
        big.execute("detach src")
        started = time.perf_counter()
        frames = {name: suite_rows(big, name) for name in SUITES}
        validate_frames(frames, "bench")
        n_tokens = big.execute("select count(*) from tokens").fetchone()[0]
        big.close()
        sizes = ", ".join(f"{name} {len(df)}" for name, df in frames.items())
        print(f"x{k}: tokens {n_tokens} checked in SQL; frames {sizes}: pull + validate "
              f"{time.perf_counter() - started:.2f}s, peak memory "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
