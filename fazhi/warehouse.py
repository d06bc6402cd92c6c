"""The DuckDB warehouse: schema from sql/, one writer, batch loads that replace a document's rows whole."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
import uuid
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Iterator

import duckdb
import pyarrow as pa

from .catalog import MetricMatcher, load_catalog
from .columnar import rows_of
from .errors import DEFAULT_WAREHOUSE, WarehouseDamaged, WarehouseError, WarehouseLocked  # noqa: F401
from .plan import LoadedDocument
from .records import FileError, RunCounts
from .resources import resource_dir

SQL_DIR = resource_dir("sql")
# Applied in this order; within a folder, by file name.
SQL_FOLDERS = ("tables", "macros", "views")
# Rows keyed by doc_id that go when a document is replaced or pruned (its figure_issues too, until revalidated).
DOC_TABLES = ("documents", "sentences", "tokens", "figures", "figure_issues")
LOCK_TIMEOUT_S = 60.0
# DuckDB's buffer pool defaults to 80% of the machine's memory and keeps what a long load wrote cached in it, so
# the writer's memory grows with the corpus; capped, DuckDB evicts (and spills big queries beside the file).
# 256MB measured at 4,000 documents: peak 1,265 MB for the run against 1,487 MB at 512MB, validation 0.5 s slower.
WRITER_MEMORY_LIMIT = os.environ.get("FAZHI_DUCKDB_MEMORY_LIMIT", "256MB")


def lock_holder(err: Exception) -> str:
    """The process DuckDB names as holding a file's lock, e.g. '/usr/bin/python3 (PID 4242)'."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", str(err))
    if found:
        return f"{found.group(1)} (PID {found.group(2)})"
    pid = re.search(r"PID (\d+)", str(err))
    return f"PID {pid.group(1)}" if pid else "another process"


def lock_message(path: Path, holder: str, waited: float) -> str:
    """One line naming the locked file, its holder and how long we waited."""
    return (f"warehouse {path} is locked: its write lock is held by {holder}; waited {waited:.0f}s. DuckDB lets "
            f"one process at a time write a file: wait for that run to end (or raise --lock-timeout), or query "
            f"the read-only snapshot {snapshot_path(path)} instead")


# DuckDB's words when another process holds a file's write lock ("Could not set lock on file …: Conflicting lock
# is held in …"); a corrupt file's message speaks of a "block", which a plain search for "lock" would take for one.
_LOCK_ERROR = re.compile(r"\bset lock\b|\bconflicting lock\b|\block is held\b", re.IGNORECASE)


def connect(path: Path, read_only: bool = False, timeout: float = LOCK_TIMEOUT_S) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting up to timeout seconds while another process holds its lock."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"warehouse {path} does not exist: run `fazhi run` first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            if not _LOCK_ERROR.search(str(err)):  # not "block": a corrupt block is damage, not a lock
                if "corrupt" in str(err).lower():
                    raise WarehouseError(
                        f"warehouse {path} fails DuckDB's checks ({str(err).splitlines()[0]}): nothing loaded, the "
                        f"snapshot not published; restore it from {snapshot_path(path)} or move it away to "
                        f"rebuild") from None
                raise WarehouseError(f"cannot open warehouse {path}: {str(err).splitlines()[0]}") from None
            waited = time.monotonic() - start
            if waited >= timeout:
                holder = lock_holder(err)
                locked = WarehouseLocked(lock_message(path, holder, waited))
                locked.holder = holder
                raise locked from None
            time.sleep(min(delay, max(0.0, timeout - waited)))
            delay = min(delay * 2, 2.0)
            continue
        except duckdb.Error as err:
            raise WarehouseError(f"cannot open warehouse {path}: {str(err).splitlines()[0]}") from None
        if not read_only:
            try:
                con.execute(f"set memory_limit = '{WRITER_MEMORY_LIMIT}'")
                # A batch writes ~20MB of WAL: at DuckDB's 16MB default every commit checkpointed (measured: 64MB
                # loads 2,000 documents 0.3 s faster into a file 7% smaller, at the same peak memory).
                con.execute("set checkpoint_threshold = '64MB'")
            except duckdb.Error as err:
                con.close()
                raise WarehouseError(f"FAZHI_DUCKDB_MEMORY_LIMIT={WRITER_MEMORY_LIMIT!r} is not a DuckDB memory "
                                     f"size (e.g. 512MB, 2GB): {str(err).splitlines()[0]}") from None
        return con


def sql_files() -> list[Path]:
    """The schema and view files, in the order they are applied."""
    return [f for folder in SQL_FOLDERS for f in sorted((SQL_DIR / folder).glob("*.sql"))]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables, macros and views from sql/ (idempotent), then load the metric catalog."""
    # One transaction, one commit: each statement committing on its own (hundreds of `comment on`) took 0.3 s
    # of every run's start against 0.04 s, and a file that fails now leaves the schema as it was.
    with transaction(con):
        for f in sql_files():
            con.execute(f.read_text(encoding="utf-8"))
    sync_metric_catalog(con)


# The metric catalog's columns, as stored in metric_catalog.
CATALOG_COLUMNS = ("metric_id", "name", "name_en", "domain", "kind", "synonyms", "description")


def sync_metric_catalog(con: duckdb.DuckDBPyConnection, metrics=None) -> bool:
    """Load the catalog into metric_catalog and re-map every figure's metric_id when the catalog changed.

    Returns True when the table was rewritten. Figures loaded later get their metric_id from the pipeline.
    """
    metrics = metrics if metrics is not None else load_catalog()
    wanted = sorted(_catalog_key(m.as_row()) for m in metrics)
    stored = sorted(_catalog_key(dict(zip(CATALOG_COLUMNS, r))) for r in con.execute(
        f"select {', '.join(CATALOG_COLUMNS)} from metric_catalog").fetchall())
    if wanted == stored:
        return False
    matcher = MetricMatcher(metrics)
    labels = con.execute("select distinct metric, kind, unit from figures where metric is not null").fetchall()
    mapping = [(metric, kind, unit, found[0]) for metric, kind, unit in labels
               if (found := matcher.match(metric, kind, unit))]
    try:
        with transaction(con):
            con.execute("delete from metric_catalog")
            con.register("_catalog", pa.Table.from_pylist([m.as_row() for m in metrics]))
            con.execute("insert into metric_catalog by name select * from _catalog")
            con.execute("update figures set metric_id = null where metric_id is not null")
            if mapping:
                con.register("_metric_map", pa.table({name: [row[i] for row in mapping] for i, name in
                                                      enumerate(("metric", "kind", "unit", "metric_id"))}))
                con.execute("update figures set metric_id = m.metric_id from _metric_map m "
                            "where figures.metric = m.metric and figures.kind is not distinct from m.kind "
                            "and figures.unit is not distinct from m.unit")
    finally:
        for name in ("_catalog", "_metric_map"):
            with contextlib.suppress(Exception):
                con.unregister(name)
    return True


def _catalog_key(row: dict) -> tuple:
    return tuple(tuple(row[c] or ()) if c == "synonyms" else row[c] for c in CATALOG_COLUMNS)



def loaded_documents(con: duckdb.DuckDBPyConnection) -> list[LoadedDocument]:
    """Every document loaded: its source name, doc_id and the path it was read from (for the load plan)."""
    return [LoadedDocument(name, doc_id, path or "") for name, doc_id, path in
            con.execute("select source_name, doc_id, source_path from documents").fetchall()]


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: committed when it ends, rolled back when it raises."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        # A commit that failed (disk full) has already ended the transaction; the rollback's own error would
        # hide the reason.
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
        [table]).fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], extra: dict | None = None) -> None:
    """Insert rows through one Arrow table (never row by row)."""
    if not rows:
        return
    columns = _table_columns(con, table)
    extra = extra or {}
    packed = getattr(rows, "table", None)  # ArrowRows (fazhi.columnar): already columns, insert as they are
    if isinstance(packed, pa.Table):
        data = {c: packed[c] if c in packed.column_names else pa.array([extra.get(c)] * packed.num_rows)
                for c in columns if c in packed.column_names or c in extra}
    else:
        data = {c: [r.get(c, extra.get(c)) for r in rows] for c in columns if c in rows[0] or c in extra}
    arrow = pa.table(data)
    con.register("_batch", arrow)
    try:
        names = ", ".join(f'"{c}"' for c in data)
        con.execute(f"insert into {table} ({names}) select {names} from _batch")
    finally:
        con.unregister("_batch")


def load_batch(con: duckdb.DuckDBPyConnection, run_id: str, batch, replaced: dict[str, str]) -> int:
    """Load one batch in one transaction: a document's rows are all there or none are.

    replaced maps source names to the doc_id they held before, whose rows go too.
    Returns the number of documents loaded.
    """
    now = datetime.now()
    doc_ids = [d["doc_id"] for d in batch.documents]
    stale = [replaced[d["source_name"]] for d in batch.documents if d["source_name"] in replaced]
    with transaction(con):
        # Only documents already loaded have rows to replace: deleting the others would scan every table per batch.
        loaded_before = {r[0] for r in con.execute("select doc_id from documents where doc_id in (select unnest(?))",
                                                   [doc_ids]).fetchall()} if doc_ids else set()
        gone = sorted(loaded_before | set(stale))
        if gone:
            for table in DOC_TABLES:
                con.execute(f"delete from {table} where doc_id in (select unnest(?))", [gone])
        _insert(con, "documents", batch.documents, {"run_id": run_id, "loaded_at": now})
        _insert(con, "sentences", batch.sentences)
        _insert(con, "tokens", batch.tokens)
        _insert(con, "figures", batch.figures)
        add_orgs(con, batch.orgs)
        record_errors(con, run_id, batch.errors)
    return len(doc_ids)


def add_orgs(con: duckdb.DuckDBPyConnection, org_rows: list[dict]) -> None:
    """Add the organizations (classified where their figures were made) that the orgs table lacks."""
    if not org_rows:
        return
    have = {r[0] for r in con.execute("select name from orgs where name in (select unnest(?))",
                                      [[r["name"] for r in org_rows]]).fetchall()}
    _insert(con, "orgs", [r for r in org_rows if r["name"] not in have])


def record_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: list[FileError]) -> None:
    """Record files that could not be loaded."""
    if errors:
        _insert(con, "ingest_errors", [e.row() for e in errors], {"run_id": run_id, "recorded_at": datetime.now()})


def load_documents_one_by_one(con: duckdb.DuckDBPyConnection, run_id: str, batch, replaced: dict[str, str]
                              ) -> tuple[int, list[FileError]]:
    """Load each document of a batch in its own transaction; returns the count loaded and an error per failure.

    Used when a whole batch failed to load, so one bad document costs only itself.
    """
    loaded, errors = 0, []
    for doc in batch.documents:
        one = SimpleNamespace(documents=[doc], errors=[], orgs=batch.orgs,
                              **{t: rows_of(getattr(batch, t), {doc["doc_id"]})
                                 for t in ("sentences", "tokens", "figures")})
        try:
            loaded += load_batch(con, run_id, one, replaced)
        except Exception as err:  # recorded with its reason; the other documents still load
            errors.append(FileError(doc["source_name"], doc["source_path"], "load",
                                    f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"))
    return loaded, errors


def set_stale(con: duckdb.DuckDBPyConnection, source_names: list[str], stale: bool) -> None:
    """Mark documents whose file no longer yields a document as stale (or current again)."""
    if source_names:
        con.execute("update documents set stale = ? where stale is distinct from ? "
                    "and source_name in (select unnest(?))", [stale, stale, source_names])


def prune(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Remove documents whose files disappeared, all in one transaction."""
    if not doc_ids:
        return
    with transaction(con):
        for table in DOC_TABLES:
            con.execute(f"delete from {table} where doc_id in (select unnest(?))", [doc_ids])


def mark_crashed_runs(con: duckdb.DuckDBPyConnection, found_by: str) -> list[str]:
    """Mark runs still 'running' as 'crashed' and return their ids.

    Call it holding the write lock: DuckDB lets one process write, so a run still 'running' then is one whose
    process died (killed, out of memory, power cut) before it could record how it ended.
    """
    crashed = [r[0] for r in con.execute("select run_id from runs where status = 'running'").fetchall()]
    if crashed:
        con.execute("update runs set status = 'crashed', message = coalesce(message || '; ', '') || "
                    "'the process ended before the run finished (found by run ' || ? || ')' "
                    "where status = 'running'", [found_by])
    return crashed


def unvalidated_runs(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Runs other than run_id that may have changed data and never completed a validation since the last
    validation of every row: killed or failed during loading or validating, or whose check broke.

    A validation completed when dq_results holds its rows (they are written in one transaction with
    figure_issues); a validation of every row is a `fazhi validate` (no runs row) or a run's 'all'.
    """
    return [r[0] for r in con.execute(
        """
        with last_full as (
            select max(d.validated_at) as at from dq_results d
            where d.run_id not in (select run_id from runs where validation is distinct from 'all'))
        select r.run_id from runs r, last_full
        where r.run_id <> ? and r.validation is distinct from 'skipped'
          and (last_full.at is null or r.started_at > last_full.at)
          and not exists (select 1 from dq_results d where d.run_id = r.run_id)
        order by r.started_at""", [run_id]).fetchall()]


def set_validation(con: duckdb.DuckDBPyConnection, run_id: str, how: str) -> None:
    """Record how the run validates: scoped, all or skipped (before it starts, so a crash leaves it unfinished)."""
    con.execute("update runs set validation = ? where run_id = ?", [how, run_id])


def snapshot_path(path: Path) -> Path:
    """Where the read-only snapshot of a warehouse goes: fazhi.duckdb -> fazhi.snapshot.duckdb beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.snapshot{path.suffix or '.duckdb'}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Copy the warehouse to its snapshot atomically, so readers never see a half-written file.

    con must be the open writer: after a checkpoint the file holds every committed row and, while we hold the
    lock, nobody writes it, so a byte copy is a consistent database. The copy goes to a temporary file in the
    same folder and is renamed over the old snapshot; readers that have the old one open keep reading it.
    """
    path = Path(path)
    target = snapshot_path(path)
    con.execute("checkpoint")
    # Copies left by a publisher that was killed mid-copy; holding the lock, no other publisher is running.
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        try:
            check_database(tmp)
        except duckdb.Error as err:
            raise WarehouseDamaged(
                f"snapshot not published: the copy of {path} fails DuckDB's checks ({str(err).splitlines()[0]}); "
                f"{target} is left as it was. The warehouse itself may be damaged: rebuild it with `fazhi run` "
                f"into a new --warehouse") from None
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def check_database(path: Path) -> None:
    """Open a database file read-only and read every row of every table; raises duckdb.Error when it is damaged.

    DuckDB verifies a block's checksum when it reads it, so reading every column of every row touches every
    block in use (a count(*) would not: it is answered from metadata). Measured: 0.03 s for the sample warehouse.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        for (table,) in con.execute("select table_name from duckdb_tables() where not temporary").fetchall():
            con.execute(f'select bit_xor(hash(t)) from "{table}" t').fetchone()
    finally:
        con.close()


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, input_dir: str, flow_run_id: str | None) -> None:
    con.execute("insert into runs (run_id, flow_run_id, started_at, input_dir, status) values (?, ?, ?, ?, 'running')",
                [run_id, flow_run_id, datetime.now(), input_dir])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: RunCounts, seconds: float,
               message: str | None = None) -> None:
    """Record how the run ended, with its counts."""
    con.execute(
        "update runs set finished_at = ?, status = ?, files_seen = ?, docs_loaded = ?, docs_skipped = ?, "
        "docs_failed = ?, docs_pruned = ?, figures = ?, seconds = ?, message = ? where run_id = ?",
        [datetime.now(), status, counts.seen, counts.loaded, counts.skipped, counts.failed, counts.pruned,
         counts.figures, seconds, message, run_id])


def is_write_failure(err: BaseException) -> bool:
    """True for an error of the storage under the warehouse (disk full, I/O error), not of the rows written."""
    return isinstance(err, (duckdb.IOException, duckdb.FatalException, OSError)) or \
        "Could not write file" in str(err)


def describe(err: BaseException) -> str:
    """An error in one line; for a DuckDB fatal error, the original cause (e.g. No space left on device)."""
    text = str(err)
    found = re.search(r'Original error: "(.+)"', text)
    line = found.group(1) if found else (text.splitlines()[0] if text else "")
    return f"{type(err).__name__}: {line}" if line else type(err).__name__


def record_failure(con: duckdb.DuckDBPyConnection, path: Path, run_id: str, counts: RunCounts, seconds: float,
                   message: str) -> str | None:
    """Record the run as failed; None when recorded, else why it could not be.

    After a fatal write error (disk full, I/O error) DuckDB invalidates the connection: the warehouse is then
    opened anew, which replays what was committed before, to write the run's row there.
    """
    try:
        finish_run(con, run_id, "failed", counts, seconds, message)
        return None
    except Exception:  # the connection is unusable; try a fresh one below
        try:
            con.close()
        except Exception:
            pass
    try:
        fresh = connect(path, timeout=5)
    except Exception as err:
        return describe(err)
    try:
        finish_run(fresh, run_id, "failed", counts, seconds, message)
        return None
    except Exception as err:
        return describe(err)
    finally:
        try:
            fresh.close()
        except Exception:
            pass
