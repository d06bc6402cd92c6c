"""Run the fazhi flow once, as `fazhi run` does, and print its summary as one JSON line (for bench/run.py).

    python -m bench.flow_once --input DIR --warehouse FILE [--workers N] [--task-runner process|dask]
"""
from __future__ import annotations

import argparse
import json
import time

STARTED = time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--task-runner", default="process")
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    from fazhi.preflight import configure_prefect
    from fazhi.startup import booting_server, prefect_api

    configure_prefect(verbose=False)  # as `fazhi run`
    with booting_server() as server, prefect_api(server, workers=args.workers if args.task_runner == "process" else 0):
        from fazhi.flows.pipeline import BATCH_SIZE, etl

        imported = time.monotonic()
        summary = etl(input_dir=args.input, warehouse=args.warehouse, workers=args.workers,
                      task_runner=args.task_runner, batch_size=args.batch_size or BATCH_SIZE)
    summary["import_seconds"] = round(imported - STARTED, 3)
    summary["process_seconds"] = round(time.monotonic() - STARTED, 3)
    print("FLOW-SUMMARY " + json.dumps(summary, default=str, ensure_ascii=False), flush=True)


if __name__ == "__main__":  # the process pool re-imports this module in its workers
    main()
