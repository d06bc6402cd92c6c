"""The Prefect flow: ingest, normalize, segment and extract in coarse batch tasks; one writer loads DuckDB."""
from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from . import warehouse as wh
from .core import BatchResult, process_files
from .ingest import discover, source_name_for

SAMPLE_CORPUS = Path(__file__).resolve().parent / "sample_corpus"
DEFAULT_WAREHOUSE = Path("warehouse") / "fazhi.duckdb"
BATCH_SIZE = 200


class InputError(Exception):
    """The input folder cannot be read."""


@task(name="process-batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=1)
def process_batch(paths: list[Path], root: Path, known: dict[str, str]) -> BatchResult:
    """Ingest, normalize, segment and extract one batch of files."""
    return process_files(paths, root, known)


@task(name="load-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load_batch(con, run_id: str, batch: BatchResult, known: dict[str, str]) -> int:
    """Write one batch to the warehouse in one transaction."""
    replaced = {d["source_name"]: known[d["source_name"]] for d in batch.documents
                if d["source_name"] in known and known[d["source_name"]] != d["doc_id"]}
    return wh.load_batch(con, run_id, batch, replaced)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def plan_duplicates(batch: BatchResult, loaded_ids: set[str]) -> None:
    """Move documents whose bytes are already loaded under another name to errors (one doc_id, one row)."""
    keep = []
    for doc in batch.documents:
        if doc["doc_id"] in loaded_ids:
            batch.errors.append({"source_name": doc["source_name"], "source_path": doc["source_path"],
                                 "stage": "load", "error": "same bytes as a document already loaded; skipped"})
            continue
        loaded_ids.add(doc["doc_id"])
        keep.append(doc)
    if len(keep) != len(batch.documents):
        ids = {d["doc_id"] for d in keep}
        dropped_sources = {d["source_name"] for d in batch.documents} - {d["source_name"] for d in keep}
        batch.documents = keep
        for table in ("sentences", "tokens", "figures"):
            rows = getattr(batch, table)
            setattr(batch, table, [r for r in rows if r["doc_id"] in ids])
        del dropped_sources


@flow(name="fazhi-etl")
def etl(input_dir: str | None = None, warehouse: str | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Turn a folder of reports into the warehouse: new or changed files are loaded, unchanged ones skipped."""
    logger = get_run_logger()
    started = time.monotonic()
    root = Path(input_dir) if input_dir else SAMPLE_CORPUS
    db_path = Path(warehouse) if warehouse else DEFAULT_WAREHOUSE
    if not root.is_dir():
        raise InputError(f"input folder {root} does not exist or is not a folder")
    paths, walk_problems = discover(root)
    logger.info("found %d report files under %s", len(paths), root)

    con = wh.connect(db_path)
    try:
        wh.apply_schema(con)
        run_id = wh.new_run_id()
        wh.start_run(con, run_id, str(root), str(flow_run.get_id() or ""))
        wh.record_errors(con, run_id, [{"source_name": p, "source_path": p, "stage": "discover", "error": why}
                                      for p, why in walk_problems])
        known = wh.known_documents(con)
        loaded_ids = set(known.values())
        counts = {"seen": len(paths), "loaded": 0, "skipped": 0, "failed": len(walk_problems), "figures": 0,
                  "pruned": 0}
        total = BatchResult()
        for batch_paths in _batches(paths, batch_size):
            batch = process_batch(batch_paths, root, known)
            # A changed file's old doc_id is about to be replaced, so it no longer blocks its new bytes.
            for d in batch.documents:
                if d["source_name"] in known:
                    loaded_ids.discard(known[d["source_name"]])
            plan_duplicates(batch, loaded_ids)
            counts["loaded"] += load_batch(con, run_id, batch, known)
            counts["skipped"] += len(batch.skipped)
            counts["failed"] += len(batch.errors)
            counts["figures"] += len(batch.figures)
            total.seconds.update({k: total.seconds.get(k, 0) + v for k, v in batch.seconds.items()})
            done = min(len(paths), counts["loaded"] + counts["skipped"] + counts["failed"] - len(walk_problems))
            logger.info("%d of %d files done", done, len(paths))
        seconds = time.monotonic() - started
        wh.finish_run(con, run_id, "completed", counts, seconds)
    except Exception as err:
        try:
            wh.finish_run(con, run_id, "failed", counts, time.monotonic() - started, str(err))
        except Exception:
            pass
        raise
    finally:
        con.close()
    summary = {"run_id": run_id, "input": str(root), "warehouse": str(db_path), **counts,
               "seconds": round(time.monotonic() - started, 2),
               "stage_seconds": {k: round(v, 3) for k, v in total.seconds.items()}}
    logger.info("run %s: %s", run_id, summary)
    return summary
