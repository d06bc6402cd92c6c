"""The warehouse for analysts: the metric catalog table, read-only SQL with table/CSV/JSON output, and export."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO

import duckdb

from . import warehouse as wh

EXPORT_FORMATS = ("parquet", "csv")
# Tables whose rows belong to a year, and how: other tables are written whole.
YEAR_OF = {
    "figures": "period_year(period_start, period_end, period_text)",
    "documents": "year(published_at)",
}
# A run holds the write lock for its whole length, so waiting long gains nothing: the snapshot is there for that.
READ_LOCK_WAIT_S = 0.5


class QueryError(wh.WarehouseError):
    """SQL the warehouse rejected, in one line."""


def one_line(err: Exception) -> str:
    """A DuckDB error message without its caret diagram: the lines before the first blank or LINE line."""
    lines = []
    for line in str(err).splitlines():
        if not line.strip() or line.startswith("LINE "):
            break
        lines.append(line.strip())
    return " ".join(lines) or type(err).__name__


# --- reading ------------------------------------------------------------------------------------------------------

@dataclass
class Reader:
    """A read-only connection and, when the warehouse was busy, a note saying the snapshot is read instead."""

    con: duckdb.DuckDBPyConnection
    path: Path
    note: str | None = None


# A read-only connection still lets SQL write files (COPY … TO, even over the warehouse), read any file
# (read_text('/etc/passwd')), attach other databases for writing and install extensions from the network:
# external access off closes all of those, and the lock keeps the SQL from turning it back on.
SANDBOX_SETTINGS = ("set enable_external_access = false", "set autoinstall_known_extensions = false",
                    "set autoload_known_extensions = false", "set lock_configuration = true")
SANDBOX_HINT = "fazhi sql reads only the warehouse (--allow-files lets the SQL read and write other files)"


def sandbox(con: duckdb.DuckDBPyConnection) -> None:
    """Confine an open connection to its database: no other file, no network, no extension, settings locked."""
    for statement in SANDBOX_SETTINGS:
        con.execute(statement)


def open_reader(path: Path, wait: float = READ_LOCK_WAIT_S, confined: bool = False) -> Reader:
    """Open the warehouse read-only; while a run holds it, open its published snapshot instead.

    confined: the connection can reach nothing but the warehouse (see sandbox).
    """
    reader = _open_reader(Path(path), wait)
    if confined:
        sandbox(reader.con)
    return reader


def _open_reader(path: Path, wait: float) -> Reader:
    try:
        return Reader(wh.connect(path, read_only=True, timeout=wait), path)
    except wh.WarehouseLocked as err:
        snapshot = wh.snapshot_path(path)
        if not snapshot.exists():
            holder = getattr(err, "holder", "another process")
            raise wh.WarehouseLocked(
                f"warehouse {path} is being written by {holder} and has no snapshot yet: query it when that run "
                f"ends (each completed run publishes the read-only snapshot {snapshot}, read while runs go on)"
            ) from None
        con = wh.connect(snapshot, read_only=True, timeout=wait)
        return Reader(con, snapshot, f"note: {path} is being written by a run; reading the snapshot {snapshot} "
                                     f"of the last completed run")


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    """Run one or more statements; the relation of the last one, or None when it returns no rows."""
    if not sql.strip():
        raise QueryError("no SQL given")
    try:
        return con.sql(sql)
    except duckdb.PermissionException as err:
        raise QueryError(f"{one_line(err)}: {SANDBOX_HINT}") from None
    except duckdb.Error as err:
        raise QueryError(one_line(err)) from None


def render_table(rel: duckdb.DuckDBPyRelation, max_rows: int, max_width: int | None,
                 max_col_width: int | None = None) -> str:
    """The result as DuckDB's box table, as the duckdb shell prints it."""
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            rel.show(max_rows=max_rows, max_width=max_width, max_col_width=max_col_width or max_width)
    except duckdb.Error as err:
        raise QueryError(one_line(err)) from None
    return buffer.getvalue()


def _plain(value):
    """A JSON-ready value: dates as ISO text, decimals as numbers, structs and lists kept."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _batches(rel: duckdb.DuckDBPyRelation, size: int = 10_000):
    try:
        reader = rel.to_arrow_reader(size)
        for batch in reader:
            yield from zip(*(col.to_pylist() for col in batch.columns)) if batch.num_rows else ()
    except duckdb.Error as err:
        raise QueryError(one_line(err)) from None


def write_csv(rel: duckdb.DuckDBPyRelation, out: IO[str]) -> int:
    """Write the result as CSV with a header row; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rel.columns)
    n = 0
    for row in _batches(rel):
        writer.writerow(["" if v is None else json.dumps(_plain(v), ensure_ascii=False)
                         if isinstance(v, (dict, list)) else _plain(v) for v in row])
        n += 1
    return n


def write_json(rel: duckdb.DuckDBPyRelation, out: IO[str]) -> int:
    """Write the result as a JSON array of objects, one per line; returns the number of rows."""
    columns = rel.columns
    n = 0
    out.write("[")
    for row in _batches(rel):
        out.write(",\n" if n else "\n")
        out.write(json.dumps(dict(zip(columns, map(_plain, row))), ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


# --- export -------------------------------------------------------------------------------------------------------

@dataclass
class Exported:
    """One table written by export."""

    table: str
    rows: int
    path: Path
    partitioned: bool


def warehouse_tables(con: duckdb.DuckDBPyConnection, include_views: bool = False) -> list[str]:
    """Names of the tables (and views) of the warehouse's main schema."""
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and not temporary "
        "order by table_name").fetchall()]
    if include_views:
        tables += [r[0] for r in con.execute(
            "select view_name from duckdb_views() where schema_name = 'main' and not internal and not temporary "
            "order by view_name").fetchall()]
    return tables


EXPORT_MANIFEST = ".fazhi-export.json"


def export_warehouse(con: duckdb.DuckDBPyConnection, dest: Path, fmt: str = "parquet",
                     include_views: bool = False, overwrite: bool = False) -> list[Exported]:
    """Write every table to dest: tables with a year (figures by period, documents by publication) as Hive
    partitions table/year=YYYY/ (year=__HIVE_DEFAULT_PARTITION__ where none is known), the rest as one file each.

    dest must be new or empty, or overwrite given: then only the files an earlier export listed in its manifest
    (dest/.fazhi-export.json) are replaced, and a file of the user's where the export would go stops it.
    """
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown export format {fmt!r}: use {' or '.join(EXPORT_FORMATS)}")
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise QueryError(f"export folder {dest} is a file")
    if dest.is_dir() and any(dest.iterdir()) and not overwrite:
        raise QueryError(f"export folder {dest} is not empty: pass --overwrite to replace the files of an earlier "
                         f"export there (only those listed in its {EXPORT_MANIFEST}), or choose a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    earlier = _manifest(dest)
    # Written aside first, so a failed export leaves the earlier one whole and a clash is found before any change.
    staging = Path(tempfile.mkdtemp(prefix=".fazhi-export-", dir=dest))
    try:
        written = _export_to(con, staging, dest, fmt, include_views)
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        theirs = [f for f in files if (dest / f).exists() and f not in earlier]
        if theirs:
            raise QueryError(f"export stopped, nothing changed: {dest / theirs[0]} is not a file fazhi exported "
                             f"({len(theirs)} such); move it away or choose a new folder")
        for rel in sorted(earlier):
            (dest / rel).unlink(missing_ok=True)
            _remove_empty_parents(dest / rel, dest)
        for rel in files:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, dest / rel)
        (dest / EXPORT_MANIFEST).write_text(json.dumps({"files": files}, ensure_ascii=False, indent=1) + "\n",
                                            encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _manifest(dest: Path) -> set[str]:
    """The files an earlier export wrote to dest, as it listed them (only paths inside dest are believed)."""
    path = dest / EXPORT_MANIFEST
    if not path.is_file():
        return set()
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise QueryError(f"{path} is not an export manifest fazhi can read: remove it or choose a new "
                         f"folder") from None
    root = dest.resolve()
    return {f for f in files if isinstance(f, str) and (dest / f).resolve().is_relative_to(root)
            and not (dest / f).is_symlink()}


def _remove_empty_parents(path: Path, stop: Path) -> None:
    """Remove the folders above path that became empty, up to (not including) stop."""
    for parent in path.parents:
        if parent == stop or stop not in parent.parents:
            return
        try:
            parent.rmdir()
        except OSError:  # not empty: something else lives there
            return


def _export_to(con: duckdb.DuckDBPyConnection, out: Path, dest: Path, fmt: str,
               include_views: bool) -> list[Exported]:
    """COPY every table into out; the Exported rows name where they will be in dest."""
    options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header true"
    written = []
    for table in warehouse_tables(con, include_views):
        rows = con.execute(f'select count(*) from "{table}"').fetchone()[0]
        if table in YEAR_OF:
            name = table
            query = f'select *, {YEAR_OF[table]} as year from "{table}"'
            copy_options = f"{options}, partition_by (year)"
        else:
            name = f"{table}.{fmt}"
            query = f'select * from "{table}"'
            copy_options = options
        literal = str(out / name).replace("'", "''")
        try:
            con.execute(f"copy ({query}) to '{literal}' ({copy_options})")
        except duckdb.Error as err:
            raise QueryError(f"exporting {table}: {one_line(err)}") from None
        written.append(Exported(table, rows, dest / name, table in YEAR_OF))
    return written
