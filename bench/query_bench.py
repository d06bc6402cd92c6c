"""Time the analyst layer on a large warehouse: every view, the catalog re-map, and export.

The warehouse is the given one with its documents copied N times under new doc_ids (text, sentences, tokens and
figures alike), so the views see realistic rows at scale.

    .venv/bin/python -m bench.query_bench --warehouse warehouse/fazhi.duckdb --copies 2000
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

VIEWS = ("figures_enriched", "rates_by_org_period", "changes_with_baseline", "organizations", "document_coverage")


def blow_up(source: Path, target: Path, copies: int) -> None:
    """Copy source to target and multiply its documents copies times."""
    shutil.copyfile(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("create temp table n as select range as i from range(1, ?)", [copies])
        for table in ("documents", "sentences", "tokens", "figures"):
            extra = ", n.i::varchar || '/' || source_name as source_name" if table == "documents" else ""
            replace = "replace (t.doc_id || '-' || n.i::varchar as doc_id" + extra + ")"
            if table == "figures":
                replace = "replace (t.doc_id || '-' || n.i::varchar as doc_id, t.figure_id || '-' || n.i::varchar as figure_id)"
            con.execute(f"insert into {table} select t.* {replace} from {table} t cross join n")
        con.execute("checkpoint")
    finally:
        con.close()


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f}s  {result if result is not None else ''}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True, help="A warehouse built from the sample corpus.")
    parser.add_argument("--copies", type=int, default=1000)
    args = parser.parse_args()
    from fazhi.query import export_warehouse
    from fazhi.warehouse import sync_metric_catalog

    with tempfile.TemporaryDirectory(prefix="fazhi-query-bench-") as tmp:
        big = Path(tmp) / "big.duckdb"
        timed(f"build x{args.copies}", lambda: blow_up(args.warehouse, big, args.copies))
        con = duckdb.connect(str(big))
        figures, docs = con.execute("select (select count(*) from figures), (select count(*) from documents)").fetchone()
        print(f"{docs} documents, {figures} figures")
        for view in VIEWS:
            timed(f"select * from {view}", lambda v=view: len(con.execute(f"select * from {v}").fetchall()))
        con.execute("delete from metric_catalog")
        timed("catalog re-map of every figure", lambda: sync_metric_catalog(con))
        timed("export parquet", lambda: len(export_warehouse(con, Path(tmp) / "export")))
        con.close()


if __name__ == "__main__":
    main()
