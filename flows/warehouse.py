"""The DuckDB warehouse: schema from sql/, one writer, batch loads that replace a document's rows whole."""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# Applied in this order; within a folder, by file name.
SQL_FOLDERS = ("tables", "macros", "views")
DOC_TABLES = ("documents", "sentences", "tokens", "figures")
LOCK_TIMEOUT_S = 60.0


class WarehouseError(Exception):
    """A problem with the warehouse file, in one line a user can act on."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse file."""


def _lock_message(path: Path, err: Exception, waited: float) -> str:
    holder = re.search(r"(PID \d+)", str(err))
    who = f"held by {holder.group(1)}" if holder else "held by another process"
    return (f"warehouse {path} is locked ({who}); waited {waited:.0f}s. DuckDB allows one process at a time "
            f"to open a file for writing: stop the other process or query the read-only snapshot instead")


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
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower():
                raise WarehouseError(f"cannot open warehouse {path}: {str(err).splitlines()[0]}") from None
            waited = time.monotonic() - start
            if waited >= timeout:
                raise WarehouseLocked(_lock_message(path, err, waited)) from None
            time.sleep(min(delay, max(0.0, timeout - waited)))
            delay = min(delay * 2, 2.0)
        except duckdb.Error as err:
            raise WarehouseError(f"cannot open warehouse {path}: {str(err).splitlines()[0]}") from None


def sql_files() -> list[Path]:
    """The schema and view files, in the order they are applied."""
    return [f for folder in SQL_FOLDERS for f in sorted((SQL_DIR / folder).glob("*.sql"))]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables, macros and views from sql/ (idempotent)."""
    for f in sql_files():
        con.execute(f.read_text(encoding="utf-8"))


def known_documents(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """source_name -> doc_id of every document loaded."""
    return dict(con.execute("select source_name, doc_id from documents").fetchall())


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
    gone = sorted(set(doc_ids) | set(stale))
    con.execute("begin transaction")
    try:
        if gone:
            for table in DOC_TABLES:
                con.execute(f"delete from {table} where doc_id in (select unnest(?))", [gone])
        _insert(con, "documents", batch.documents, {"run_id": run_id, "loaded_at": now})
        _insert(con, "sentences", batch.sentences)
        _insert(con, "tokens", batch.tokens)
        _insert(con, "figures", batch.figures)
        record_errors(con, run_id, batch.errors, commit=False)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(doc_ids)


def record_errors(con: duckdb.DuckDBPyConnection, run_id: str, errors: list[dict], commit: bool = True) -> None:
    """Record files that could not be loaded."""
    if errors:
        _insert(con, "ingest_errors", errors, {"run_id": run_id, "recorded_at": datetime.now()})


def prune(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> None:
    """Remove documents whose files disappeared."""
    if not doc_ids:
        return
    con.execute("begin transaction")
    for table in DOC_TABLES:
        con.execute(f"delete from {table} where doc_id in (select unnest(?))", [doc_ids])
    con.execute("commit")


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, input_dir: str, flow_run_id: str | None) -> None:
    con.execute("insert into runs (run_id, flow_run_id, started_at, input_dir, status) values (?, ?, ?, ?, 'running')",
                [run_id, flow_run_id, datetime.now(), input_dir])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict, seconds: float,
               message: str | None = None) -> None:
    con.execute(
        "update runs set finished_at = ?, status = ?, files_seen = ?, docs_loaded = ?, docs_skipped = ?, "
        "docs_failed = ?, docs_pruned = ?, figures = ?, seconds = ?, message = ? where run_id = ?",
        [datetime.now(), status, counts.get("seen", 0), counts.get("loaded", 0), counts.get("skipped", 0),
         counts.get("failed", 0), counts.get("pruned", 0), counts.get("figures", 0), seconds, message, run_id])
