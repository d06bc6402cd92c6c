"""The errors a command reports as one line and exit code 1, in a module that imports nothing heavy.

The command line catches them before it knows which command runs; with them here it reaches the start of a run
(the temporary server's boot) without importing DuckDB, pyarrow or YAML first.
"""
from __future__ import annotations

from pathlib import Path

# Where `fazhi run` and the query commands look when --warehouse is not given.
DEFAULT_WAREHOUSE = Path("warehouse") / "fazhi.duckdb"


class WarehouseError(Exception):
    """A problem with the warehouse file, in one line a user can act on."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse file."""


class WarehouseDamaged(WarehouseError):
    """A database file failed DuckDB's checks (a block whose checksum does not match, a file it cannot open)."""


class DataQualityFailed(Exception):
    """Expectations failed and the caller asked for that to be an error."""
