"""What `fazhi run` checks before Prefect starts, and how the temporary Prefect server it starts is set up.

Everything here fails as one line a user can act on (an InputError or a WarehouseError) and imports no Prefect,
so a wrong folder, a locked warehouse or a stopped Prefect server is reported in a fraction of a second.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# For the temporary server fazhi starts (its process inherits this environment); a setting the user made wins.
# Analytics: the server would otherwise phone home (and, offline, log an error with a sqlite traceback). Triggers:
# automations outlive a one-off run. Blocks: fazhi uses none, and registering them is the server's slowest boot
# step. A temporary server runs only the task-run recorder and the event persister besides these (the scheduler,
# late-runs, foreman and other services run in a `prefect server start` only), so flow and task runs are recorded.
TEMPORARY_SERVER_SETTINGS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
}
# Prefect's console lines below WARNING are left out unless --verbose; its API log handler still gets everything.
QUIET_LOGGING = {"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}
API_TIMEOUT_S = 5.0
SAMPLE_CORPUS = Path(__file__).resolve().parent / "sample_corpus"


class InputError(Exception):
    """The input folder cannot be read, or an option cannot work."""


@dataclass
class LockWait:
    """How long `fazhi run` waited for another process to let go of the warehouse, and who held it."""

    seconds: float = 0.0
    holder: str | None = None


def configure_prefect(verbose: bool) -> None:
    """Set the environment Prefect reads on import: a quiet console and a lean temporary server."""
    settings = dict(TEMPORARY_SERVER_SETTINGS)
    if not verbose:
        settings.update(QUIET_LOGGING)
    for name, value in settings.items():
        os.environ.setdefault(name, value)


# What the text stages import in the worker processes. A checkout updated without installing again (an editable
# install keeps its old dependencies) would otherwise fail every batch with a bare BrokenProcessPool.
TEXT_STAGE_MODULES = ("rjieba", "jieba", "opencc", "numpy", "pyarrow")


def check_installed() -> None:
    """Every module the text stages need is installed (looked up, not imported: ~1 ms)."""
    import importlib.util

    missing = [name for name in TEXT_STAGE_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(f"{', '.join(missing)} not installed in {sys.executable}'s environment, and fazhi's text "
                         f"stages need {'them' if len(missing) > 1 else 'it'}: install fazhi again (`pip install -e .` "
                         f"in its checkout, or `pip install fazhi-*.whl`)")


def check_input(input_dir: Path | None) -> None:
    """The input folder exists and is a folder (None: the bundled sample)."""
    if input_dir is not None and not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist or is not a folder")


def check_warehouse(path: Path, lock_timeout: float, on_wait=None) -> LockWait:
    """The warehouse can be created or written, and its lock is free (waiting up to lock_timeout for it).

    on_wait(holder) is called once when another process holds the lock, so the user knows why nothing happens.
    """
    from . import warehouse as wh

    path = Path(path)
    check_warehouse_path(path)
    started = time.monotonic()
    try:
        con = wh.connect(path, timeout=0)
    except wh.WarehouseLocked as err:
        holder = getattr(err, "holder", "another process")
        if on_wait is not None and lock_timeout > 0:
            on_wait(holder)
        con = wh.connect(path, timeout=lock_timeout)
        con.close()
        return LockWait(time.monotonic() - started, holder)
    con.close()
    return LockWait()


def check_warehouse_path(path: Path) -> None:
    """The warehouse file can be created or written, judging by the file system alone (nothing is opened)."""
    from .errors import WarehouseError

    path = Path(path)
    folder = _existing_parent(path.parent)
    if not folder.is_dir():
        raise WarehouseError(f"cannot create warehouse {path}: {folder} is a file, not a folder")
    if path.is_dir():
        raise WarehouseError(f"warehouse {path} is a folder: pass --warehouse with a file name, e.g. "
                             f"{path / 'fazhi.duckdb'}")
    if path.exists() and not os.access(path, os.W_OK):
        raise WarehouseError(f"warehouse {path} is not writable: change its permissions or pass --warehouse")
    if not path.exists() and not os.access(folder, os.W_OK):
        raise WarehouseError(f"cannot create warehouse {path}: folder {folder} is not writable; "
                             f"pass --warehouse with a writable place")


@dataclass
class Outlook:
    """What a run is likely to do, guessed by stat only: files under the input folder, and how many of them are not
    loaded already under their name with their size (all of them when the warehouse cannot be read)."""

    files: int
    changed: int

    @property
    def unchanged(self) -> bool:
        return self.files > 0 and self.changed == 0


def outlook(input_dir: Path, path: Path) -> Outlook:
    """The run's likely work, for start-up only: an unchanged rerun needs neither Great Expectations nor the text
    models, so they are not loaded in advance; a wrong guess costs time, never data (the flow compares the bytes
    itself)."""
    from .ingest import discover, source_name_for

    paths, _ = discover(input_dir.absolute())
    sizes = {source_name_for(p, input_dir.absolute()): p.stat().st_size for p in paths}
    loaded = {}
    if Path(path).exists():
        import duckdb

        with contextlib.suppress(duckdb.Error, OSError):  # unreadable: every file counts as changed
            with duckdb.connect(str(path), read_only=True) as con:
                loaded = dict(con.execute("select source_name, size_bytes from documents").fetchall())
    return Outlook(files=len(sizes), changed=sum(loaded.get(name) != size for name, size in sizes.items()))


def _existing_parent(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def configured_api_url() -> str | None:
    """The PREFECT_API_URL of the environment or the active Prefect profile, if one is set."""
    url = os.environ.get("PREFECT_API_URL")
    if url is not None:
        return url or None
    if not _may_set_api_url():
        return None
    from prefect.settings import get_current_settings  # profiles live in Prefect's own files

    return get_current_settings().api.url or None


def _may_set_api_url() -> bool:
    """Whether a settings file Prefect reads may set PREFECT_API_URL; False only when none of them can.

    Importing Prefect to read its settings takes over a second, and with no API configured the temporary server
    can start that much sooner. Unsure (a file that names the setting, a profile that cannot be read): True.
    """
    here = Path.cwd()
    if (here / "prefect.toml").exists():
        return True
    for name in (".env", "pyproject.toml"):
        try:
            text = (here / name).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        except OSError:
            return True
        if "PREFECT_API_URL" in text or "tool.prefect" in text or "api.url" in text:
            return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        text = profiles.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except OSError:
        return True
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    profile = (data.get("profiles") or {}).get(active)
    return not isinstance(profile, dict) or "PREFECT_API_URL" in profile


def check_api(url: str | None, temporary_ok: bool = True) -> None:
    """A configured Prefect API answers its health check; fail in one line with the fixes if not.

    temporary_ok: whether a temporary server would do instead (a one-off run; not a schedule).
    """
    if not url:
        return
    import httpx

    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=API_TIMEOUT_S)
        response.raise_for_status()
    except httpx.HTTPError as err:
        reason = type(err).__name__ if not str(err) else str(err).splitlines()[0]
        instead = ", or run with a temporary one: `prefect config unset PREFECT_API_URL`" if temporary_ok else ""
        raise InputError(f"Prefect API {url} (PREFECT_API_URL) is not reachable ({reason}): start it with "
                         f"`prefect server start`{instead}") from None
