"""Operations costs: a first run, an unchanged rerun, a rerun after 1% of files changed, the snapshot copy.

    python -m bench.ops [--docs 1000] [--keep DIR]

Runs the real flow (`fazhi run` through bench.flow_once, a temporary Prefect API each time) and prints one
line per measurement; the snapshot copy is timed alone on the warehouse the runs built.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.corpus import build

ROOT = Path(__file__).resolve().parent.parent


def flow(corpus: Path, warehouse: Path, env: dict) -> tuple[float, dict]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bench.flow_once", "--input", str(corpus), "--warehouse",
                           str(warehouse)], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("FLOW-SUMMARY "))
    return time.monotonic() - started, json.loads(line.removeprefix("FLOW-SUMMARY "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--keep", type=Path, default=None, help="Work in this folder and leave it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="fazhi-bench-ops-"))
    corpus, warehouse = work / "corpus", work / "wh" / "fazhi.duckdb"
    if not corpus.exists():
        build(corpus, args.docs)
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    for label in ("first run", "unchanged rerun", "1% changed"):
        if label == "1% changed":
            for path in files[:: 100]:
                path.write_bytes(path.read_bytes() + "\n另据统计,新收案件12件。\n".encode())
        wall, s = flow(corpus, warehouse, env)
        print(f"{label:16s} wall {wall:6.1f}s  flow {s['seconds']:6.1f}s  loaded {s['loaded']:5d}  "
              f"skipped {s['skipped']:5d}  failed {s['failed']:3d}  stages {s.get('stage_seconds')}")

    con = duckdb.connect(str(warehouse))
    try:
        from fazhi.warehouse import publish_snapshot

        started = time.perf_counter()
        target = publish_snapshot(con, warehouse)
        seconds = time.perf_counter() - started
    finally:
        con.close()
    size = target.stat().st_size / 2**20
    print(f"snapshot copy    {seconds:6.2f}s for {size:.0f} MiB ({size / max(seconds, 1e-9):.0f} MiB/s)")
    print(f"work folder {work}")


if __name__ == "__main__":
    main()
