"""The Prefect flow: ingest, normalize, segment and extract in coarse batch tasks; one writer loads DuckDB."""
from __future__ import annotations

import contextlib
import time
from collections import Counter
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run, task_run
from prefect.utilities.annotations import quote

from fazhi import console
from fazhi import warehouse as wh
from fazhi.columnar import keep_documents, pack_batch
from .parallel import (check_parallelism, in_flight_limit, make_task_runner, run_batch, run_in_order, running,
                       split_unchanged)
from fazhi.core import BatchResult
from fazhi.ingest import discover, source_name_for
# Defined without Prefect, for the commands that run no flow.
from fazhi.preflight import SAMPLE_CORPUS, InputError  # noqa: F401
DEFAULT_WAREHOUSE = wh.DEFAULT_WAREHOUSE
BATCH_SIZE = 200
# Attempts at the warehouse lock (Prefect task retries); lock_timeout is shared between them.
LOCK_ATTEMPTS = 3
# Retries of a batch some of whose files failed to read in a way that may pass.
READ_RETRIES = 2


class TransientReadFailure(Exception):
    """Some files of a batch could not be read for now; Prefect retries the batch."""


def _retry_when_locked(task, task_run, state) -> bool:
    """Retry the warehouse connection only while another process holds the lock."""
    try:
        state.result()
    except wh.WarehouseLocked:
        return True
    except Exception:
        return False
    return False


@task(name="open-warehouse", cache_policy=NO_CACHE, retries=LOCK_ATTEMPTS - 1, retry_delay_seconds=0,
      retry_condition_fn=_retry_when_locked)
def open_warehouse(path: Path, lock_timeout: float):
    """Open the warehouse for writing, waiting a share of lock_timeout for another writer to let go."""
    return wh.connect(path, timeout=lock_timeout / LOCK_ATTEMPTS)


@task(name="process-batch", cache_policy=NO_CACHE, retries=READ_RETRIES, retry_delay_seconds=[1, 5])
def process_batch(paths: list[Path], root: Path, known: dict[str, str]) -> BatchResult:
    """Ingest, normalize, segment and extract one batch of files."""
    last_attempt = (task_run.run_count or 1) > READ_RETRIES
    try:
        result = run_batch(paths, root, known)  # in a worker process when there are several
    except Exception as err:  # a fault outside any one document (a bug, memory): retried, then recorded per file
        if not last_attempt:
            raise
        result = BatchResult(errors=[{"source_name": source_name_for(p, root), "source_path": str(p),
                                      "stage": "process", "error": f"its batch failed: {type(err).__name__}: {err}"}
                                     for p in paths])
    transient = [e for e in result.errors if e.get("transient")]
    # On the last attempt the failures are kept as ingest errors instead, so the run goes on.
    if transient and not last_attempt:
        raise TransientReadFailure(f"{len(transient)} file(s) failed to read, first {transient[0]['source_name']}: "
                                   f"{transient[0]['error']}")
    pack_batch(result)  # Arrow columns: cheap to send back from a worker process and to load
    return result


@task(name="load-batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load_batch(con, run_id: str, batch: BatchResult, known: dict[str, str]) -> int:
    """Write one batch to the warehouse in one transaction."""
    return wh.load_batch(con, run_id, batch, _replaced(batch, known))


def _replaced(batch: BatchResult, known: dict[str, str]) -> dict[str, str]:
    return {d["source_name"]: known[d["source_name"]] for d in batch.documents
            if d["source_name"] in known and known[d["source_name"]] != d["doc_id"]}


def load_or_split(con, run_id: str, batch: BatchResult, known: dict[str, str]) -> int:
    """Load a batch whole; if that keeps failing, load its documents one by one and record the ones that fail."""
    try:
        # quote: Prefect would otherwise walk every row of the batch looking for futures (seconds per batch).
        return load_batch(con, run_id, quote(batch), quote(known))
    except Exception as err:  # the rows of a document that loads are still wanted; the failure is recorded
        if wh.is_write_failure(err):  # a full disk fails every document alike: the run fails, in one line
            raise
        get_run_logger().warning("batch of %d documents failed to load (%s); loading them one by one",
                                 len(batch.documents), err)
    earlier = list(batch.errors)  # the failed batch transaction took them with it
    loaded, errors = wh.load_documents_one_by_one(con, run_id, batch, _replaced(batch, known))
    batch.errors.extend(errors)
    wh.record_errors(con, run_id, earlier + errors)
    return loaded


class Progress:
    """Files done of total and the rate, in the log and in a Prefect progress artifact."""

    def __init__(self, total: int, logger):
        self.total, self.logger, self.started = total, logger, time.monotonic()
        self.artifact_id = None
        self.reported = -1
        console.report_progress(0, total, 0)
        try:
            self.artifact_id = create_progress_artifact(
                progress=0.0, key="fazhi-etl-progress", description=f"0 of {total} files done")
        except Exception as err:  # a missing artifact must not stop a load
            logger.warning("no progress artifact: %s", err)

    def update(self, done: int, figures: int = 0) -> None:
        console.report_progress(done, self.total, figures)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = done / elapsed
        left = (self.total - done) / rate if rate else 0.0
        line = f"{done} of {self.total} files done ({rate:.1f} files/s, about {left:.0f}s left)"
        self.logger.info(line)
        self.reported = done
        if self.artifact_id is not None:
            try:
                update_progress_artifact(self.artifact_id, progress=100.0 * done / max(self.total, 1),
                                         description=line)
            except Exception as err:
                self.logger.warning("progress artifact not updated: %s", err)


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _known_for(paths: list[Path], root: Path, known: dict[str, str]) -> dict[str, str]:
    """The loaded doc_ids of these files only: a task's parameters travel to its worker with it."""
    names = (source_name_for(p, root) for p in paths)
    return {name: known[name] for name in names if name in known}


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
        batch.documents = keep
        keep_documents(batch, {d["doc_id"] for d in keep})


# --prune removes at most this share of a folder's documents without --force: more looks like a folder that is
# empty, half copied or not mounted, not like reports that were deleted.
PRUNE_LIMIT = 0.5


def prune_missing(con, root: Path, paths: list[Path], walk_problems: list[tuple[str, str]],
                  known: dict[str, str], force: bool = False) -> list[str]:
    """Remove the documents whose file is gone from root; returns their source names.

    Refuses (InputError, nothing removed) to remove more than PRUNE_LIMIT of root's documents unless force.
    """
    present = {source_name_for(p, root) for p in paths}
    gone = wh.missing_documents(con, root, present, [folder for folder, _ in walk_problems])
    total = wh.documents_under(con, root)
    if gone and not force and len(gone) > PRUNE_LIMIT * total:
        raise InputError(f"--prune would remove {len(gone)} of the {total} documents read from {root} (more than "
                         f"{PRUNE_LIMIT:.0%}; {len(paths)} report files found there now): is the folder empty or not "
                         f"mounted? Nothing was removed; add --force to prune them anyway")
    wh.prune(con, [doc_id for doc_id, _ in gone])
    for _, name in gone:
        known.pop(name, None)
    return [name for _, name in gone]


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(con, run_id: str, db_path: Path, fail_on_error: bool = False,
                  changed: bool = True) -> dict | None:
    """Validate the warehouse with the suites in expectations/, record dq_results and figure_issues, build Data Docs."""
    from prefect.artifacts import create_markdown_artifact

    logger = get_run_logger()
    # A run whose validation never completed (killed, failed, a broken check) left rows unchecked that later
    # runs would skip as unchanged: every row is validated until one validation completes.
    unfinished = wh.unvalidated_runs(con, run_id)
    if unfinished:
        logger.warning("validating every row: the validation of run(s) %s never completed", ", ".join(unfinished))
    wh.set_validation(con, run_id, "all" if unfinished else "scoped" if changed else "skipped")
    if not changed and not unfinished:
        # The data is as the last validation left it; `fazhi validate` re-checks everything on demand.
        why = "data quality not checked: this run loaded and pruned nothing (`fazhi validate` checks everything)"
        logger.info(why)
        try:
            create_markdown_artifact(f"# Data quality of run {run_id}\n\nSkipped: nothing changed. {why}.\n",
                                     key="fazhi-data-quality", description=f"Data quality of run {run_id}")
        except Exception as err:
            logger.warning("no data quality artifact: %s", err)
        return {"skipped": "nothing changed"}

    from fazhi.quality import DataQualityFailed, data_docs_dir, markdown_summary, validate_warehouse

    # A run validates the rows of the documents it loaded plus the cheap warehouse-wide checks; `fazhi validate` all.
    loaded = None if unfinished else [
        r[0] for r in con.execute("select doc_id from documents where run_id = ?", [run_id]).fetchall()]
    try:
        report = validate_warehouse(con, run_id, data_docs_dir(db_path), doc_ids=loaded)
    except Exception as err:  # the data is loaded; without --fail-on-error a broken check must not fail the run
        if fail_on_error:
            raise
        logger.warning("data quality not checked: %s: %s", type(err).__name__, err)
        return {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
    (logger.info if report.success else logger.warning)("%s (%.1fs)", report.one_line(), report.seconds,
                                                        extra={"fazhi_in_summary": True})
    try:
        create_markdown_artifact(markdown_summary(report), key="fazhi-data-quality",
                                 description=f"Data quality of run {run_id}")
    except Exception as err:  # a missing artifact must not change how the run ends
        logger.warning("no data quality artifact: %s", err)
    if fail_on_error and not report.success:
        raise DataQualityFailed(report.one_line())
    return report.summary()


@flow(name="fazhi-etl")
def etl(input_dir: str | None = None, warehouse: str | None = None, batch_size: int = BATCH_SIZE,
        prune: bool = False, lock_timeout: float = wh.LOCK_TIMEOUT_S, snapshot: bool = True,
        workers: int = 1, task_runner: str = "process", dask_address: str | None = None,
        fail_on_error: bool = False, follow_links: bool = False, force: bool = False) -> dict:
    """Turn a folder of reports into the warehouse: new or changed files are loaded, unchanged ones skipped.

    prune removes documents whose file disappeared (at most half of the folder's unless force); lock_timeout is how long to wait for another writer;
    snapshot publishes a read-only copy beside the warehouse after a completed run. workers batches run at
    once, in worker processes (task_runner "process") or on a Dask cluster ("dask", at dask_address or a
    local one); with one worker and "process" they run in the flow's own process. After loading, the data is
    validated (expectations/); fail_on_error makes the run fail when an expectation fails. follow_links reads
    files and folders that symlinks lead to outside the input folder (skipped and recorded otherwise).
    """
    logger = get_run_logger()
    started = time.monotonic()
    # Absolute, so source_path says where a file was and --prune can tell this folder's documents apart.
    root = (Path(input_dir) if input_dir else SAMPLE_CORPUS).absolute()
    db_path = Path(warehouse) if warehouse else DEFAULT_WAREHOUSE
    if not root.is_dir():
        raise InputError(f"input folder {root} does not exist or is not a folder")
    check_parallelism(task_runner, workers, dask_address)
    paths, walk_problems = discover(root, follow_links)
    logger.info("found %d report files under %s", len(paths), root)

    waiting_since = time.monotonic()
    try:
        con = open_warehouse(db_path, lock_timeout)
    except wh.WarehouseLocked as err:
        raise wh.WarehouseLocked(wh.lock_message(db_path, getattr(err, "holder", "another process"),
                                                 time.monotonic() - waiting_since)) from None
    run_id = wh.new_run_id()
    # failed counts files, so seen = loaded + skipped + failed; a folder that could not be walked is counted apart.
    counts = {"seen": len(paths), "loaded": 0, "replaced": 0, "skipped": 0, "failed": 0, "figures": 0,
              "pruned": 0, "stale": 0, "not_walked": len(walk_problems)}
    stage_seconds: Counter[str] = Counter()
    batch_scope = contextlib.ExitStack()  # the worker pool or Dask cluster, stopped whatever happens
    try:
        wh.apply_schema(con)
        crashed = wh.mark_crashed_runs(con, run_id)
        if crashed:
            logger.warning("runs %s never finished (their process died); marked crashed", ", ".join(crashed))
        wh.start_run(con, run_id, str(root), str(flow_run.get_id() or ""))
        for folder, why in walk_problems:
            logger.warning("not walked: %s: %s", folder, why, extra={"fazhi_in_summary": True})
        wh.record_errors(con, run_id, [{"source_name": p, "source_path": p, "stage": "discover", "error": why}
                                      for p, why in walk_problems])
        known = wh.known_documents(con)
        if prune:
            pruned = prune_missing(con, root, paths, walk_problems, known, force)
            counts["pruned"] = len(pruned)
            if pruned:
                logger.info("pruned %d documents whose file is gone: %s", len(pruned), ", ".join(pruned[:10]))
        loaded_ids = set(known.values())
        # Appending a batch gains nothing from DuckDB's threads (measured: 40% more CPU for the same load), and
        # while batches load the cores belong to the text stages; validation gets them back below.
        con.execute("set threads = 1")
        progress = Progress(len(paths), logger)
        todo, unchanged = split_unchanged(paths, root, known)
        counts["skipped"] += len(unchanged)
        wh.set_stale(con, unchanged, False)  # a file whose loaded bytes are back is current again
        done = len(unchanged)
        batch_lists = _batches(todo, batch_size)
        parameter_sets = ({"paths": b, "root": root, "known": _known_for(b, root, known)} for b in batch_lists)
        runner = batch_scope.enter_context(running(
            make_task_runner(task_runner, workers, dask_address) if batch_lists else None))
        results = run_in_order(process_batch, parameter_sets, runner, in_flight_limit(workers, runner))
        for batch_paths, batch in zip(batch_lists, results):
            # A changed file's old doc_id is about to be replaced, so it no longer blocks its new bytes.
            for d in batch.documents:
                if d["source_name"] in known:
                    loaded_ids.discard(known[d["source_name"]])
            plan_duplicates(batch, loaded_ids)
            load_started = time.perf_counter()
            replacing = set(_replaced(batch, known))
            counts["loaded"] += load_or_split(con, run_id, batch, known)
            counts["replaced"] += len(replacing - {e["source_name"] for e in batch.errors})
            stage_seconds["load"] += time.perf_counter() - load_started
            counts["skipped"] += len(batch.skipped)
            counts["failed"] += len(batch.errors)
            # A loaded file that now yields no document (emptied, unreadable) keeps its last rows, marked stale.
            stale = sorted({e["source_name"] for e in batch.errors if e["source_name"] in known})
            wh.set_stale(con, stale, True)
            wh.set_stale(con, batch.skipped, False)
            counts["stale"] += len(stale)
            if stale:
                logger.warning("%d documents kept from their last good version, marked stale (documents.stale): "
                               "%s", len(stale), ", ".join(stale[:10]))
            for e in batch.errors:
                logger.warning("not loaded: %s (%s): %s", e["source_name"], e["stage"], e["error"],
                               extra={"fazhi_in_summary": True})
            counts["figures"] += len(batch.figures)
            stage_seconds.update(batch.seconds)
            done += len(batch_paths)
            progress.update(done, counts["figures"])
        if progress.reported != done:  # every file was unchanged: no batch reported it
            progress.update(done)
        con.execute("reset threads")
        validate_started = time.perf_counter()
        quality = validate_task(con, run_id, db_path, fail_on_error,
                                changed=bool(counts["loaded"] or counts["pruned"]))
        stage_seconds["validate"] += time.perf_counter() - validate_started
        con.execute("checkpoint")  # completed only once its rows are in the file: a full disk fails here, not after
        wh.finish_run(con, run_id, "completed", counts, time.monotonic() - started)
        if snapshot:
            try:
                logger.info("read-only snapshot published at %s", wh.publish_snapshot(con, db_path))
            except wh.WarehouseDamaged:  # the run fails: a damaged warehouse is never served as current
                raise
            except Exception as err:  # the load itself succeeded; readers keep the previous snapshot
                logger.warning("snapshot not published: %s", err)
                wh.finish_run(con, run_id, "completed", counts, time.monotonic() - started,
                              f"snapshot not published: {err}")
        details = console.run_details(con, run_id)
    except BaseException as err:  # Ctrl-C too: the run is recorded as failed, committed batches stay
        reason = wh.describe(err)
        unrecorded = wh.record_failure(con, db_path, run_id, counts, time.monotonic() - started, reason)
        if isinstance(err, duckdb.Error) and "Corrupt database file" in str(err):
            raise wh.WarehouseDamaged(
                f"warehouse {db_path} fails DuckDB's checks ({reason}); its snapshot is not published. Rebuild it "
                f"with `fazhi run` into a new --warehouse") from None
        if isinstance(err, duckdb.Error):  # a failed write (disk full, I/O error): one line, not DuckDB's dump
            raise wh.WarehouseError(
                f"writing warehouse {db_path} failed: {reason}; what earlier batches committed is kept, " +
                (f"and run {run_id} is recorded as failed" if unrecorded is None else
                 f"but run {run_id} could not be recorded as failed ({unrecorded})")) from None
        raise
    finally:
        batch_scope.close()
        with contextlib.suppress(duckdb.Error):  # already reported; an invalidated connection fails to close
            con.close()
    summary = {"run_id": run_id, "input": str(root), "warehouse": str(db_path), **counts,
               "seconds": round(time.monotonic() - started, 2),
               "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()}}
    summary["quality"] = quality
    summary.update(details)
    logger.info("run %s: %s", run_id, summary)
    return summary
