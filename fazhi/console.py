"""What a person sees of a run: a progress display while it goes, a summary table when it ends.

The flow reports progress through report_progress(); it reaches the screen only while the CLI has installed a
display (showing()), so flows run from tests, `prefect deployment run` or `fazhi serve` print nothing extra.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from typing import IO, Iterator

# Without a terminal (a log file, CI), a plain progress line at most this often.
PLAIN_EVERY_S = 10.0
# How long `fazhi run` may take to end once a signal stopped its flow, before it ends itself.
STOP_GRACE_S = 8.0

_display: "RunDisplay | None" = None
_bounded_stop = False  # set while `fazhi run` runs a flow: see run_stopped()


class RunDisplay:
    """Files done of all, figures found, rate and time left: a rich bar on a terminal, plain lines otherwise."""

    def __init__(self, stream: IO[str] | None = None, terminal: bool | None = None, every: float = PLAIN_EVERY_S):
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.every = every
        self.started = time.monotonic()
        self.last_line = None
        self.bar = None
        self.task = None

    def update(self, done: int, total: int, figures: int) -> None:
        """Show that done of total files are finished and figures were found so far."""
        now = time.monotonic()
        if self.terminal:
            rate = done / (now - self.started) if now > self.started else 0.0
            self._bar(total).update(self.task, completed=done, total=total, figures=figures, rate=rate)
            return
        due = self.last_line is None and done == 0 or (self.last_line is not None and now - self.last_line >= self.every)
        if done == total or due:
            self.stream.write(plain_line(done, total, figures, now - self.started) + "\n")
            self.stream.flush()
            self.last_line = now

    def _bar(self, total: int):
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("files"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[figures]} figures  {task.fields[rate]:.1f} files/s  left"),
                                TimeRemainingColumn(), console=Console(file=self.stream), transient=False)
            self.bar.start()
            self.task = self.bar.add_task("files", total=total, figures=0, rate=0.0)
        return self.bar

    def close(self) -> None:
        """Leave the finished bar on the screen and stop redrawing it."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def plain_line(done: int, total: int, figures: int, elapsed: float) -> str:
    """One line of progress for a log: counts, rate and an estimate of the time left."""
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f" ({100 * done / total:.0f}%)" if total else ""
    line = f"files {done} of {total}{share}, {figures} figures"
    if done:
        line += f", {rate:.1f} files/s"
        if done < total:
            line += f", about {(total - done) / rate:.0f}s left"
    return line


def report_progress(done: int, total: int, figures: int) -> None:
    """Called by the flow as batches finish; shown only while the CLI displays a run."""
    if _display is not None:
        _display.update(done, total, figures)


@contextlib.contextmanager
def showing(display: RunDisplay) -> Iterator[RunDisplay]:
    """Route the flow's progress to display for the duration of the block."""
    global _display
    _display = display
    try:
        yield display
    finally:
        _display = None
        display.close()


def run_details(con, run_id: str) -> dict:
    """What the summary needs beyond the counts: figures in the warehouse, and this run's failed and damaged files."""
    figures_total = con.execute("select count(*) from figures").fetchone()[0]
    errors = con.execute("select source_name, stage, error from ingest_errors where run_id = ? "
                         "order by source_name", [run_id]).fetchall()
    damaged = con.execute("select source_name, warnings from documents where run_id = ? and len(warnings) > 0 "
                          "order by source_name", [run_id]).fetchall()
    return {"figures_total": figures_total,
            "failures": [{"source_name": n, "stage": s, "error": e} for n, s, e in errors],
            "bytes_replaced": [{"source_name": n, "warning": "; ".join(w)} for n, w in damaged]}


def summary_lines(summary: dict, wall_seconds: float, waited=None) -> list[str]:
    """The table printed at the end of `fazhi run`: counts that add up, figures, data quality, time, problems."""
    loaded, replaced = summary["loaded"], summary.get("replaced", 0)
    rows = [("files seen", f"{summary['seen']}"),
            ("  loaded, new", f"{loaded - replaced}"),
            ("  loaded, replacing an earlier version", f"{replaced}"),
            ("  unchanged", f"{summary['skipped']}"),
            ("  failed", f"{summary['failed']}")]
    if summary.get("not_walked"):
        rows.append(("folders not walked", f"{summary['not_walked']}"))
    if summary.get("pruned"):
        rows.append(("documents pruned (file gone)", f"{summary['pruned']}"))
    if summary.get("stale"):
        rows.append(("documents stale", f"{summary['stale']}  (their file no longer reads: last good rows kept, "
                                        f"marked documents.stale; see ingest_errors)"))
    rows += [("figures added by this run", f"{summary['figures']}"),
             ("figures in the warehouse", f"{summary.get('figures_total', '?')}  ({summary['warehouse']})"),
             ("data quality", quality_text(summary.get("quality")))]
    q = summary.get("quality") or {}
    if q.get("data_docs"):
        rows.append(("data docs", q["data_docs"]))
    from .review import site_line

    rows.append(("review site", site_line(summary["warehouse"]).removeprefix("review site").lstrip(": ")))
    took = f"{wall_seconds:.1f}s (the flow {summary['seconds']:.1f}s; run {summary['run_id']})"
    if waited is not None and waited.holder:
        took += f"; waited {waited.seconds:.0f}s for the warehouse lock held by {waited.holder}"
    rows.append(("time", took))
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    for f in summary.get("failures", []):
        what = "folder not walked" if f["stage"] == "discover" else f"failed ({f['stage']})"
        lines.append(f"{what}: {f['source_name']}: {f['error']}")
    for d in summary.get("bytes_replaced", []):
        lines.append(f"bytes replaced: {d['source_name']}: {d['warning']}")
    return lines


def quality_text(q: dict | None) -> str:
    """Data quality's outcome in a few words."""
    if not q:
        return "not checked (see the log)"
    if q.get("error"):
        return f"not checked: {q['error']}"
    if q.get("skipped"):
        return f"not checked: {q['skipped']} (`fazhi validate` checks everything)"
    return (f"{q['failed_expectations']} of {q['expectations']} expectations failed, {q['flagged_figures']} "
            f"figures flagged (table figure_issues; left out of view figures_clean)")


class DropReported(logging.Filter):
    """Drop the flow's log records that the summary repeats, and records of errors the CLI prints itself."""

    def __init__(self, *types: type[BaseException]):
        super().__init__()
        self.types = types

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "fazhi_in_summary", False):
            return False
        if record.exc_info and isinstance(record.exc_info[1], self.types):
            return False
        # Prefect's closing line of a task or flow run that one of these errors ended repeats the error's words.
        message = record.getMessage()
        return not (message.startswith("Finished in state Failed")
                    and any(f"{t.__name__}:" in message for t in self.types))


def quiet_prefect_console(*types: type[BaseException]) -> None:
    """Install DropReported on the console handler Prefect set up (call after Prefect configured its logging)."""
    drop = DropReported(*types)
    for handler in logging.getLogger().handlers:
        if type(handler).__name__ == "PrefectConsoleHandler":
            handler.addFilter(drop)


class Stopped(BaseException):
    """The run was asked to stop by a signal (SIGTERM); a BaseException, so that no retry or handler absorbs it."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM raises Stopped in the main thread for the block, so the cleanups on the way out run.

    Python's default for SIGTERM ends the process at once: no run row marked failed, and Prefect's temporary
    server, in a process of its own, left running. During a flow Prefect's own handler comes first (it marks
    the flow run crashed); it then sends SIGTERM again, which reaches this handler.
    """
    def on_sigterm(signum, frame):
        raise Stopped(signum)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_stopped(reason: str, exit_code: int) -> None:
    """Called by the flow when Ctrl-C or SIGTERM stopped it, its run already recorded as failed.

    Under `fazhi run` the process then ends within STOP_GRACE_S: Prefect reports the stop to its API, retrying
    for minutes when that API is gone (Ctrl-C at a terminal reaches the temporary server too, and so does a
    service manager's SIGTERM to the whole group). After the grace the processes this one started are ended
    and it exits, saying so. Elsewhere (tests, `fazhi serve`, a Prefect worker) nothing changes.
    """
    if not _bounded_stop:
        return

    def end() -> None:
        from .guard import end_children

        print(f"error: {reason}; the run is recorded as failed (Prefect's API did not answer within "
              f"{STOP_GRACE_S:.0f}s)", file=sys.stderr, flush=True)
        end_children()
        os._exit(exit_code)

    timer = threading.Timer(STOP_GRACE_S, end)
    timer.daemon = True
    timer.start()


@contextlib.contextmanager
def bounded_stop() -> Iterator[None]:
    """Let run_stopped() end this process for the block."""
    global _bounded_stop
    _bounded_stop = True
    try:
        yield
    finally:
        _bounded_stop = False


def run_with_console(options: dict, verbose: bool, started: float) -> None:
    """`fazhi run`: check what can be checked, run the flow with a progress display, print the summary table.

    started is when the command began (time.monotonic()), so the summary's time is the one the user waited.
    """
    from . import preflight
    from .errors import DEFAULT_WAREHOUSE
    from .flows.parallel import check_parallelism

    input_dir, warehouse = options["input_dir"], options["warehouse"]
    preflight.check_input(input_dir)
    preflight.check_installed()
    check_parallelism(options["task_runner"], options["workers"], options["dask_address"])

    def say_waiting(holder: str) -> None:
        print(f"waiting up to {options['lock_timeout']:.0f}s for the warehouse lock, held by {holder} …",
              file=sys.stderr, flush=True)

    preflight.check_warehouse_path(warehouse or DEFAULT_WAREHOUSE)
    # Before Prefect is imported: it reads its logging and server settings from the environment once.
    preflight.configure_prefect(verbose)
    preflight.check_api(preflight.configured_api_url())

    from .startup import ServerDidNotStart, booting_server, prefect_api

    try:
        # The longest wait, the server's boot, begins first: the warehouse lock's wait included. SIGTERM while
        # either waits still stops the server.
        with stop_on_sigterm(), booting_server() as server:
            waited = preflight.check_warehouse(warehouse or DEFAULT_WAREHOUSE, options["lock_timeout"], say_waiting)
            # An unchanged rerun loads and validates nothing: it skips the seconds of warming up for either.
            likely = preflight.outlook(input_dir or preflight.SAMPLE_CORPUS, warehouse or DEFAULT_WAREHOUSE)
            work = options["prune"] or not likely.unchanged
            with bounded_stop(), prefect_api(
                    server, workers=options["workers"] if work and options["task_runner"] == "process" else 0,
                    validate=work, small=likely.changed <= options["batch_size"]):
                summary = _run_flow(options, verbose)
    except ServerDidNotStart as err:
        raise preflight.InputError(f"{err} (a busy machine?): run again, raise "
                                   "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or start a server with "
                                   "`prefect server start` and `prefect config set "
                                   "PREFECT_API_URL=http://127.0.0.1:4200/api`") from None
    for line in summary_lines(summary, time.monotonic() - started, waited):
        print(line)


def _run_flow(options: dict, verbose: bool) -> dict:
    """The flow itself, its progress on the display, and Prefect's failures to reach its API as one line."""
    from duckdb import Error as DuckDBError

    from . import preflight
    from .flows.parallel import ParallelError
    from .flows.pipeline import etl
    from .quality import DataQualityFailed
    from .warehouse import WarehouseError

    # A failed write (disk full) fails its task first: the flow reports it in one line, so no traceback there.
    handled = (WarehouseError, preflight.InputError, DataQualityFailed, ParallelError, DuckDBError)
    if verbose:
        strip_tracebacks(*handled)
    else:
        quiet_prefect_console(*handled)
    input_dir, warehouse = options["input_dir"], options["warehouse"]
    try:
        with showing(RunDisplay()):
            return etl(**{**options, "input_dir": str(input_dir) if input_dir else None,
                          "warehouse": str(warehouse) if warehouse else None})
    except RuntimeError as err:  # Prefect's words for an API that went away during the run
        if not str(err).startswith("Failed to reach API"):
            raise
        raise preflight.InputError(
            f"the Prefect API stopped answering during the run ({str(err).splitlines()[0]}): start it again "
            f"with `prefect server start`, or use a temporary one: `prefect config unset PREFECT_API_URL`"
        ) from None


class _StripTraceback(logging.Filter):
    """Keep Prefect's log line for an error the CLI reports itself, but not its traceback."""

    def __init__(self, *types: type[BaseException]):
        super().__init__()
        self.types = types

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.types):
            record.exc_info = None
            record.exc_text = None
        return True


def strip_tracebacks(*types: type[BaseException]) -> None:
    """With --verbose every line stays, only the tracebacks of errors the CLI prints itself go."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addFilter(_StripTraceback(*types))
