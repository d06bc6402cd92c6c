"""The Prefect flow: ingest, normalize, segment and extract in coarse batch tasks; one writer loads DuckDB."""
from __future__ import annotations

import contextlib
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run, task_run
from prefect.utilities.annotations import quote

from fazhi import console
from fazhi import warehouse as wh
from fazhi.columnar import pack_batch
from fazhi.console import Stopped
from fazhi.guard import DEFAULT_MEMORY, DEFAULT_SECONDS, Budget, format_size, parse_size
from fazhi.ingest import discover, source_name_for
from fazhi.plan import Action, LoadPlan, plan_load

# Defined without Prefect, for the commands that run no flow.
from fazhi.preflight import SAMPLE_CORPUS, InputError
from fazhi.records import BatchResult, FileError, RunCounts

from .parallel import check_parallelism, in_flight_limit, make_task_runner, run_batch, run_in_order, running

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
def process_batch(paths: list[Path], root: Path, budget: Budget) -> BatchResult:
    """Ingest, normalize, segment and extract one batch of files, each document under budget."""
    last_attempt = (task_run.run_count or 1) > READ_RETRIES
    try:
        result = run_batch(paths, root, budget)  # in a worker process when there are several
    except Exception as err:  # a fault outside any one document (a bug, memory): retried, then recorded per file
        if not last_attempt:
            raise
        result = BatchResult(errors=[FileError(source_name_for(p, root), str(p), "process",
                                               f"its batch failed: {type(err).__name__}: {err}") for p in paths])
    transient = [e for e in result.errors if e.transient]
    # On the last attempt the failures are kept as ingest errors instead, so the run goes on.
    if transient and not last_attempt:
        raise TransientReadFailure(f"{len(transient)} file(s) failed to read, first {transient[0].source_name}: "
                                   f"{transient[0].error}")
    pack_batch(result)  # Arrow columns: cheap to send back from a worker process and to load
    return result


@task(name="load-batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def load_batch(con, run_id: str, batch: BatchResult, replaced: dict[str, str]) -> int:
    """Write one batch to the warehouse in one transaction."""
    return wh.load_batch(con, run_id, batch, replaced)


def load_or_split(con, run_id: str, batch: BatchResult, replaced: dict[str, str]) -> int:
    """Load a batch whole; if that keeps failing, load its documents one by one and record the ones that fail."""
    try:
        # quote: Prefect would otherwise walk every row of the batch looking for futures (seconds per batch).
        return load_batch(con, run_id, quote(batch), quote(replaced))
    except Exception as err:  # the rows of a document that loads are still wanted; the failure is recorded
        if wh.is_write_failure(err):  # a full disk fails every document alike: the run fails, in one line
            raise
        get_run_logger().warning("batch of %d documents failed to load (%s); loading them one by one",
                                 len(batch.documents), err)
    earlier = list(batch.errors)  # the failed batch transaction took them with it
    loaded, errors = wh.load_documents_one_by_one(con, run_id, batch, replaced)
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


@dataclass
class Run:
    """One run in progress: where it reads and writes, its warehouse connection, id and counts."""

    root: Path
    db_path: Path
    con: duckdb.DuckDBPyConnection
    run_id: str
    counts: RunCounts
    started: float = field(default_factory=time.monotonic)
    stage_seconds: Counter = field(default_factory=Counter)

    def seconds(self) -> float:
        return time.monotonic() - self.started


def prepare_run(run: Run, paths: list[Path], walk_problems: list[tuple[str, str]], prune: bool,
                force: bool) -> LoadPlan:
    """Record the run, decide what happens to every file (the load plan), prune and record what is skipped."""
    logger, con = get_run_logger(), run.con
    wh.apply_schema(con)
    crashed = wh.mark_crashed_runs(con, run.run_id)
    if crashed:
        logger.warning("runs %s never finished (their process died); marked crashed", ", ".join(crashed))
    wh.start_run(con, run.run_id, str(run.root), str(flow_run.get_id() or ""))
    for folder, why in walk_problems:
        logger.warning("not walked: %s: %s", folder, why, extra={"fazhi_in_summary": True})
    wh.record_errors(con, run.run_id, [FileError(p, p, "discover", why) for p, why in walk_problems])

    plan = plan_load(paths, run.root, wh.loaded_documents(con), [folder for folder, _ in walk_problems], prune)
    logger.info("plan: %s", ", ".join(f"{n} {action}" for action, n in plan.counts().items() if n))
    if prune:
        plan.check_prune(force)
        gone = plan.with_action(Action.GONE)
        wh.prune(con, [f.loaded_id for f in gone])
        run.counts.pruned = len(gone)
        if gone:
            logger.info("pruned %d documents whose file is gone: %s", len(gone),
                        ", ".join(f.source_name for f in gone[:10]))
    unchanged = [f.source_name for f in plan.with_action(Action.UNCHANGED)]
    run.counts.skipped += len(unchanged)
    wh.set_stale(con, unchanged, False)  # a file whose loaded bytes are back is current again
    skipped = [f.error() for f in plan.with_action(Action.DUPLICATE, Action.UNREADABLE)]
    wh.record_errors(con, run.run_id, skipped)
    _record_not_loaded(run, skipped, plan.loaded_names)
    return plan


def _record_not_loaded(run: Run, errors: list[FileError], loaded_names: dict[str, str]) -> None:
    """Count and log files that yield no document; a loaded one keeps its last rows, marked stale."""
    logger = get_run_logger()
    run.counts.failed += len(errors)
    stale = sorted({e.source_name for e in errors if e.source_name in loaded_names})
    wh.set_stale(run.con, stale, True)
    run.counts.stale += len(stale)
    if stale:
        logger.warning("%d documents kept from their last good version, marked stale (documents.stale): %s",
                       len(stale), ", ".join(stale[:10]))
    for e in errors:
        logger.warning("not loaded: %s (%s): %s", e.source_name, e.stage, e.error, extra={"fazhi_in_summary": True})


def load_batches(run: Run, plan: LoadPlan, batch_size: int, runner, workers: int, budget: Budget) -> None:
    """Process the plan's new and changed files in batches (in workers when there are) and load each batch."""
    logger = get_run_logger()
    # Appending a batch gains nothing from DuckDB's threads (measured: 40% more CPU for the same load), and
    # while batches load the cores belong to the text stages; validation gets them back after.
    run.con.execute("set threads = 1")
    progress = Progress(run.counts.seen, logger)
    if plan.to_process:
        logger.info("budget: %s (--doc-seconds, --doc-memory)", budget.describe())
    done = run.counts.seen - len(plan.to_process)  # unchanged, duplicate and unreadable files need no batch
    replaced = plan.replaced
    batch_lists = _batches(plan.to_process, batch_size)
    results = run_in_order(process_batch, ({"paths": b, "root": run.root, "budget": budget} for b in batch_lists),
                           runner if batch_lists else None, in_flight_limit(workers, runner))
    for batch_paths, batch in zip(batch_lists, results):
        load_started = time.perf_counter()
        run.counts.loaded += load_or_split(run.con, run.run_id, batch, replaced)
        failed = {e.source_name for e in batch.errors}
        run.counts.replaced += sum(1 for d in batch.documents
                                   if d["source_name"] in replaced and d["source_name"] not in failed)
        run.stage_seconds["load"] += time.perf_counter() - load_started
        _record_not_loaded(run, batch.errors, plan.loaded_names)
        run.counts.figures += len(batch.figures)
        run.stage_seconds.update(batch.seconds)
        done += len(batch_paths)
        progress.update(done, run.counts.figures)
    if progress.reported != done:  # every file was unchanged: no batch reported it
        progress.update(done)
    run.con.execute("reset threads")


def finish_run(run: Run, fail_on_error: bool, snapshot: bool) -> dict | None:
    """Validate what the run changed, mark the run completed and publish the read-only snapshot."""
    logger = get_run_logger()
    validate_started = time.perf_counter()
    quality = validate_task(run.con, run.run_id, run.db_path, fail_on_error,
                            changed=bool(run.counts.loaded or run.counts.pruned))
    run.stage_seconds["validate"] += time.perf_counter() - validate_started
    run.con.execute("checkpoint")  # completed only once its rows are in the file: a full disk fails here, not after
    wh.finish_run(run.con, run.run_id, "completed", run.counts, run.seconds())
    if snapshot:
        try:
            logger.info("read-only snapshot published at %s", wh.publish_snapshot(run.con, run.db_path))
        except wh.WarehouseDamaged:  # the run fails: a damaged warehouse is never served as current
            raise
        except Exception as err:  # the load itself succeeded; readers keep the previous snapshot
            logger.warning("snapshot not published: %s", err)
            wh.finish_run(run.con, run.run_id, "completed", run.counts, run.seconds(),
                          f"snapshot not published: {err}")
    return quality


def _stop_reason(err: BaseException) -> str | None:
    """Why a run was stopped from outside (Ctrl-C, SIGTERM), in words; None for any other error."""
    if isinstance(err, KeyboardInterrupt):
        return "interrupted (Ctrl-C or SIGINT)"
    if isinstance(err, Stopped):
        return str(err)
    if isinstance(err, TerminationSignal):  # Prefect's SIGTERM handler, in place while a flow runs
        return f"stopped by {signal.Signals(err.signal).name}"
    return None


def _failure(run: Run, err: BaseException) -> Exception | None:
    """Record the run as failed; the one-line error to raise instead of err, or None to raise err itself."""
    reason = _stop_reason(err) or wh.describe(err)
    unrecorded = wh.record_failure(run.con, run.db_path, run.run_id, run.counts, run.seconds(), reason)
    if isinstance(err, duckdb.Error) and "Corrupt database file" in str(err):
        return wh.WarehouseDamaged(
            f"warehouse {run.db_path} fails DuckDB's checks ({reason}); its snapshot is not published. Rebuild it "
            f"with `fazhi run` into a new --warehouse")
    if isinstance(err, duckdb.Error):  # a failed write (disk full, I/O error): one line, not DuckDB's dump
        return wh.WarehouseError(
            f"writing warehouse {run.db_path} failed: {reason}; what earlier batches committed is kept, " +
            (f"and run {run.run_id} is recorded as failed" if unrecorded is None else
             f"but run {run.run_id} could not be recorded as failed ({unrecorded})"))
    return None


def document_budget(seconds: float, memory: str | int) -> Budget:
    """The budget of each document from the flow's parameters, or InputError naming the one that is wrong."""
    try:
        size = parse_size(memory)
    except ValueError as err:
        raise InputError(f"doc_memory (--doc-memory): {err}") from None
    if seconds < 0:
        raise InputError(f"doc_seconds (--doc-seconds) cannot be negative: {seconds}")
    return Budget(float(seconds), size)


def _open(db_path: Path, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    """The warehouse opened for writing, or WarehouseLocked saying who holds it and for how long we waited."""
    waiting_since = time.monotonic()
    try:
        return open_warehouse(db_path, lock_timeout)
    except wh.WarehouseLocked as err:
        raise wh.WarehouseLocked(wh.lock_message(db_path, getattr(err, "holder", "another process"),
                                                 time.monotonic() - waiting_since)) from None


@flow(name="fazhi-etl")
def etl(input_dir: str | None = None, warehouse: str | None = None, batch_size: int = BATCH_SIZE,
        prune: bool = False, lock_timeout: float = wh.LOCK_TIMEOUT_S, snapshot: bool = True,
        workers: int = 1, task_runner: str = "process", dask_address: str | None = None,
        fail_on_error: bool = False, follow_links: bool = False, force: bool = False,
        doc_seconds: float = DEFAULT_SECONDS, doc_memory: str = format_size(DEFAULT_MEMORY)) -> dict:
    """Turn a folder of reports into the warehouse: new or changed files are loaded, unchanged ones skipped.

    prune removes documents whose file disappeared (at most half of the folder's unless force); lock_timeout is
    how long to wait for another writer; snapshot publishes a read-only copy beside the warehouse after a
    completed run. workers batches run at once, in worker processes (task_runner "process") or on a Dask
    cluster ("dask", at dask_address or a local one); the flow process loads what they return (one worker's
    batches run in the flow's own process unless the caller started the worker). After loading,
    the data is validated (expectations/); fail_on_error makes the run fail when an expectation fails.
    follow_links reads files and folders that symlinks lead to outside the input folder
    (skipped and recorded otherwise). Each document gets doc_seconds of wall time and doc_memory (e.g. "4G") of
    memory in a child process (0: no limit); one over it, or whose process dies, is recorded in ingest_errors
    and the run goes on.
    """
    logger = get_run_logger()
    started = time.monotonic()
    # Absolute, so source_path says where a file was and --prune can tell this folder's documents apart.
    root = (Path(input_dir) if input_dir else SAMPLE_CORPUS).absolute()
    db_path = Path(warehouse) if warehouse else DEFAULT_WAREHOUSE
    if not root.is_dir():
        raise InputError(f"input folder {root} does not exist or is not a folder")
    check_parallelism(task_runner, workers, dask_address)
    budget = document_budget(doc_seconds, doc_memory)
    paths, walk_problems = discover(root, follow_links)
    logger.info("found %d report files under %s", len(paths), root)

    run = Run(root, db_path, _open(db_path, lock_timeout), wh.new_run_id(),
              RunCounts(seen=len(paths), not_walked=len(walk_problems)), started)
    try:
        with contextlib.ExitStack() as batch_scope:  # the worker pool or Dask cluster, stopped whatever happens
            plan = prepare_run(run, paths, walk_problems, prune, force)
            runner = batch_scope.enter_context(running(
                make_task_runner(task_runner, workers, dask_address) if plan.to_process else None))
            load_batches(run, plan, batch_size, runner, workers, budget)
        quality = finish_run(run, fail_on_error, snapshot)
        details = console.run_details(run.con, run.run_id)
    except BaseException as err:  # Ctrl-C too: the run is recorded as failed, committed batches stay
        instead = _failure(run, err)
        stopped = _stop_reason(err)
        if stopped:
            console.run_stopped(stopped, 130 if isinstance(err, KeyboardInterrupt) else 128 + signal.SIGTERM)
        if instead is not None:
            raise instead from None
        raise
    finally:
        with contextlib.suppress(duckdb.Error):  # already reported; an invalidated connection fails to close
            run.con.close()
    summary = {"run_id": run.run_id, "input": str(root), "warehouse": str(db_path), **run.counts.as_dict(),
               "seconds": round(run.seconds(), 2),
               "stage_seconds": {k: round(v, 3) for k, v in run.stage_seconds.items()},
               "quality": quality, **details}
    logger.info("run %s: %s", run.run_id, summary)
    return summary
