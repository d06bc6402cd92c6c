"""Where batch tasks run: in the flow's own process, a local pool of worker processes, or a Dask cluster.

Results come back in submission order with a bounded number of batches in flight, so the single DuckDB writer
(the flow) loads batch after batch while the workers process the next ones, memory stays flat however large
the corpus, and the warehouse is the same whatever runs the batches.
"""
from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

# Worker processes import this module to find their functions: it imports no Prefect (nor Great Expectations),
# so a worker holds only the text stages (measured: a worker with Prefect's task engine was ~400 MB).
TASK_RUNNERS = ("process", "dask")


class ParallelError(Exception):
    """The requested way of running batches cannot be set up; the message says what to change."""


def warm_up() -> None:
    """Load the text stages once per worker process (jieba, OpenCC, the extractor's tables), before its first
    batch, and keep its guard child from batch to batch."""
    from fazhi.core import warm_up as warm_up_text_stages
    from fazhi.guard import keep_children

    keep_children()
    warm_up_text_stages()


def _start_worker() -> None:
    """A WorkerPool process's start: it ends with the process that started it, then warms up. (Not a Dask
    worker's: that one's parent may be a shell it is meant to outlive.)"""
    from fazhi.guard import exit_with_parent

    exit_with_parent()
    warm_up()


def process_packed(paths: list[Path], root: Path, budget=None):
    """A batch's whole work, where it runs: ingest, normalize, segment, extract (each document under budget, the
    default one if None), then Arrow columns to send back."""
    from fazhi.columnar import pack_batch
    from fazhi.core import process_files
    from fazhi.guard import DEFAULT_BUDGET

    result = process_files(paths, root, budget or DEFAULT_BUDGET)
    pack_batch(result)
    return result


class WorkerPool:
    """Worker processes for the pure batch work, started with nothing but this module and the text stages.

    Prefect's process pool runs the whole task engine in each worker (Prefect, its settings, an API client);
    here Prefect's task runs stay in threads of the flow process (retries, states and logs as before) and each
    hands its batch's pure work to a worker process. A pool whose worker died (killed, out of memory) is replaced,
    so the task's retry runs on a fresh one.
    """

    def __init__(self, workers: int):
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawn, not fork: the flow process has threads (Prefect's) and a DuckDB connection to not copy.
                self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                     initializer=_start_worker)
            return self._executor

    def start(self) -> None:
        """Start every worker process now (each loads jieba and OpenCC), without waiting for them."""
        pool = self._pool()
        for _ in range(self.workers):
            pool.submit(int)  # the executor starts its processes as work arrives

    def run(self, fn: Callable, *args):
        """fn(*args) in a worker process; its exceptions are raised here."""
        pool = self._pool()
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self, wait: bool = True) -> None:
        """Stop the worker processes (batches not started are cancelled); with wait false, return while they exit
        (the pool's own thread reaps them, at the latest when this process exits)."""
        with self._lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)


# The pool of the flow run in progress in this process, if its batches go to worker processes.
_pool: WorkerPool | None = None
# Workers started before the flow (by `fazhi run`, while Prefect imports): the next LocalProcesses of as many
# workers takes them instead of starting its own.
_prestarted: WorkerPool | None = None


def prestart(workers: int) -> None:
    """Start workers worker processes now, for the flow run this process is about to start."""
    global _prestarted
    if _prestarted is None:
        _prestarted = WorkerPool(workers)
        _prestarted.start()


def stop_prestarted() -> None:
    """Stop prestarted workers no flow run took (the run ended before it needed them)."""
    global _prestarted
    pool, _prestarted = _prestarted, None
    if pool is not None:
        pool.close()


def _pool_of(workers: int) -> WorkerPool:
    global _prestarted
    if _prestarted is not None and _prestarted.workers == workers:
        pool, _prestarted = _prestarted, None
        return pool
    return WorkerPool(workers)


def run_batch(paths: list[Path], root: Path, budget=None):
    """process_packed on this batch: in a worker process while a WorkerPool is running, else right here."""
    pool = _pool
    if pool is None:
        return process_packed(paths, root, budget)
    return pool.run(process_packed, paths, root, budget)


class LocalProcesses:
    """The "process" task runner: Prefect task runs in threads of the flow process, their work in a WorkerPool.

    Twice as many threads as workers, so a worker that finishes a batch finds the next one queued.
    """

    def __init__(self, workers: int):
        from prefect.task_runners import ThreadPoolTaskRunner

        self.workers = workers
        self.threads = ThreadPoolTaskRunner(max_workers=2 * workers)
        self.pool = _pool_of(workers)

    def __enter__(self):
        global _pool
        self.threads.__enter__()
        _pool = self.pool
        return self

    def __exit__(self, *exc) -> None:
        global _pool
        _pool = None
        try:
            # Every batch is back: the flow validates while the workers exit (~0.2 s that every run waited).
            self.pool.close(wait=False)
        finally:
            self.threads.__exit__(*exc)

    def submit(self, task, parameters: dict, **options):
        return self.threads.submit(task, parameters, **options)


def _dask_worker_setup(dask_worker=None) -> None:
    warm_up()


def check_parallelism(kind: str, workers: int, dask_address: str | None = None) -> None:
    """Raise ParallelError, before anything starts, when the options do not make sense together."""
    if kind not in TASK_RUNNERS:
        raise ParallelError(f"unknown task runner {kind!r}: use one of {', '.join(TASK_RUNNERS)}")
    if workers < 1:
        raise ParallelError(f"workers must be at least 1, not {workers}")
    if dask_address and kind != "dask":
        raise ParallelError("a Dask address needs the dask task runner (--task-runner dask)")


def make_task_runner(kind: str, workers: int, dask_address: str | None = None):
    """The Prefect task runner for kind and workers, or None to run batches in the flow's own process."""
    check_parallelism(kind, workers, dask_address)
    if kind == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise ParallelError("the dask task runner needs prefect-dask: pip install 'prefect-dask>=0.3,<0.4'") \
                from None
        if dask_address:
            return DaskTaskRunner(address=dask_address)
        # One single-threaded worker process per core: the text stages hold the GIL.
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    # One worker started by the caller (`fazhi run`, while Prefect imported) takes the batches in its own process:
    # the flow loads one batch while it processes the next. Otherwise (a deployment, a test) one worker's
    # batches run in the flow's own process, which starts no process for them.
    if workers == 1 and (_prestarted is None or _prestarted.workers != 1):
        return None
    return LocalProcesses(workers)


def _workers_share_the_api():
    """Point worker processes at the API this flow run reports to.

    Without a configured PREFECT_API_URL the flow talks to a temporary server of its own; workers receive the
    flow's settings, see no URL either and would each start another temporary server (seconds per worker,
    and their task runs would land in a database nobody looks at).
    """
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings

    context = FlowRunContext.get()
    url = getattr(getattr(context, "client", None), "api_url", None)
    if PREFECT_API_URL.value() or not url:
        return contextlib.nullcontext()
    return temporary_settings(updates={PREFECT_API_URL: str(url)})


@contextlib.contextmanager
def running(runner) -> Iterator[Any]:
    """Start runner for the block (a no-op for None, the in-process case)."""
    if runner is None:
        yield None
        return
    with contextlib.ExitStack() as stack:
        stack.enter_context(_workers_share_the_api())
        try:
            stack.enter_context(runner)
        except OSError as err:
            raise ParallelError(f"cannot start the {type(runner).__name__}: {err}") from None
        if type(runner).__name__ == "DaskTaskRunner":
            with contextlib.suppress(Exception):  # warming up only saves time; the first batch does it anyway
                runner._client.run(_dask_worker_setup)
        try:
            yield runner
        except BaseException as err:
            if not isinstance(err, Exception):  # Ctrl-C or SIGTERM: stopping the pool must not wait for its batches
                for process in multiprocessing.active_children():
                    process.kill()
            raise


def in_flight_limit(workers: int, runner=None) -> int:
    """Batches submitted but not yet loaded: enough to keep every worker busy while the flow loads one.

    On an existing Dask cluster the cluster's threads count, not --workers.
    """
    client = getattr(runner, "_client", None)
    if client is not None:
        with contextlib.suppress(Exception):
            workers = max(workers, sum(client.nthreads().values()))
    return 2 * max(1, workers)


def run_in_order(task: Callable, parameter_sets: Iterable[dict], runner, in_flight: int) -> Iterator[Any]:
    """Run task once per parameter set and yield the results in order, with at most in_flight pending."""
    # What exists now (modules, Prefect, Great Expectations: ~half a million objects) lives as long as the run;
    # frozen, the collector walks only what the batches allocate (a full collection 0.4 s -> a few ms; ~1 s per
    # 2,000 documents when the batches run in this process).
    gc.freeze()
    try:
        if runner is None:
            for parameters in parameter_sets:
                yield task(**parameters)
            return
        waiting = iter(parameter_sets)
        pending: deque = deque()
        for parameters in waiting:
            pending.append(runner.submit(task, parameters))
            if len(pending) >= in_flight:
                break
        while pending:
            result = pending.popleft().result()
            # Prefect's process-pool futures form reference cycles that hold the batch, pickled and unpickled
            # (tens of MB). Few objects are allocated meanwhile, so the cyclic collector would hardly ever run
            # and memory would grow with the corpus; collecting here keeps it flat.
            gc.collect()
            # Refill before handing the result over, so the worker that just finished starts its next batch now.
            following = next(waiting, None)
            if following is not None:
                pending.append(runner.submit(task, following))
            yield result
    finally:
        gc.unfreeze()  # a long-lived process (`fazhi serve`) runs many flows: let their leftovers be collected

