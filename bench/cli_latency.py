"""Wall time of the commands a person waits for: `fazhi --version`, `run --help`, `sql "select 1"`, a usage
error, and `fazhi run` on the sample corpus (first run and unchanged rerun), as the user sees them.

    python -m bench.cli_latency [--repeat 3] [--skip-runs]

Each command runs in a fresh process (`python -m fazhi …` == `fazhi …`) with a fresh PREFECT_HOME; the median
of --repeat tries is printed, one line per command.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "fazhi", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    return time.monotonic() - started, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-runs", action="store_true", help="Only the commands that run no flow.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-cli-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(work / "prefect")}
    env.pop("PREFECT_API_URL", None)
    warehouse = work / "wh" / "fazhi.duckdb"
    runs = []
    if not args.skip_runs:
        for attempt in range(args.repeat):
            fresh = work / f"run{attempt}" / "fazhi.duckdb"
            first, proc = timed(["run", "--warehouse", str(fresh)], env)
            if proc.returncode:
                sys.exit(f"fazhi run failed: {proc.stderr[-500:]}")
            rerun, _ = timed(["run", "--warehouse", str(fresh)], env)
            runs.append((first, rerun))
            warehouse = fresh
        print(f"fazhi run (sample, first run)       {statistics.median(r[0] for r in runs):6.2f} s")
        print(f"fazhi run (sample, unchanged rerun) {statistics.median(r[1] for r in runs):6.2f} s")
    else:  # sql needs a warehouse: one run builds it
        timed(["run", "--warehouse", str(warehouse)], env)
    commands = {"fazhi --version": ["--version"], "fazhi run --help": ["run", "--help"],
                'fazhi sql "select 1"': ["sql", "select 1", "--warehouse", str(warehouse)],
                "fazhi run --no-such-flag": ["run", "--no-such-flag"]}
    for name, argv in commands.items():
        times = [timed(argv, env)[0] for _ in range(args.repeat)]
        print(f"{name:<35} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
