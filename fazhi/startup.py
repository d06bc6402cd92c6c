"""Start-up work side by side: Prefect's temporary server boots in its own process while we import the rest.

A run's fixed cost is mostly waits done one after another by default: the temporary Prefect server (seconds),
importing the flow and Great Expectations (seconds) and loading the jieba dictionary (a second). The server, the
worker processes (jieba) and the validator (Great Expectations) each start in a process of their own, so this
one imports the flow meanwhile. The server is started here the way Prefect's client would start it (same
command, same environment), but without importing Prefect's server code into this process first, which alone
took 2.3 s before the boot could begin.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

# Prefect's own 20 s default is missed on a loaded 2-core machine (measured: up to 30 s), which fails the run.
STARTUP_TIMEOUT_S = 90.0


class ServerDidNotStart(RuntimeError):
    """The temporary Prefect server exited or did not answer in time."""


class TemporaryServer:
    """Prefect's API in a uvicorn subprocess on a free local port, as prefect.server.api.server runs it."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        package = Path(importlib.util.find_spec("prefect").submodule_search_locations[0])
        # The flags and variables of SubprocessASGIServer._run_uvicorn_command (Prefect 3.8): no UI, ephemeral
        # services only, settings from this environment and the active profile. Through server_process, so the
        # server ends with this process however it ends.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fazhi.server_process", str(os.getpid()), "--app-dir", str(package.parent),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1"})

    def wait(self, timeout: float | None = None) -> None:
        """Return once the server answers its health check; raise ServerDidNotStart if it exits or times out."""
        import httpx

        if timeout is None:
            timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", STARTUP_TIMEOUT_S))
        deadline = time.monotonic() + timeout
        # One client for every poll: a new one each time builds an SSL context, CPU the booting server needs.
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServerDidNotStart(f"Prefect's temporary server exited with code {self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                time.sleep(0.1)
        self.stop()
        raise ServerDidNotStart(f"Prefect's temporary server did not answer within {timeout:.0f}s")

    def stop(self) -> None:
        """Terminate the server, killing it if it has not gone after 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _flush_to_api() -> None:
    """Send the logs and events Prefect still holds for the API, before the API goes."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=5)


def _import_while_waiting() -> None:
    """Import now, while the server boots, what a flow run imports on its way (measured: 0.3 s after the server
    answered): Prefect's engines, what a flow call and its parameters' serialization import, pandas and pyarrow."""
    import fastapi.encoders  # noqa: F401  (Flow.serialize_parameters)
    import pandas  # noqa: F401
    import prefect.flow_engine
    import prefect.task_engine
    import prefect.utilities.visualization  # noqa: F401  (Flow.__call__)
    import pyarrow  # noqa: F401


@contextlib.contextmanager
def booting_server() -> Iterator[TemporaryServer | None]:
    """Yield a temporary server, booting from now on, unless a Prefect API is configured; stopped on the way out.

    Its boot is a run's longest wait, so `fazhi run` starts it before its other checks (the warehouse's lock).
    """
    from .preflight import configured_api_url

    server = None if configured_api_url() else TemporaryServer()
    try:
        yield server
    finally:
        if server is not None:
            server.stop()


@contextlib.contextmanager
def prefect_api(server: TemporaryServer | None, workers: int = 0, validate: bool = True,
                small: bool = False) -> Iterator[str | None]:
    """Yield with a Prefect API ready: the configured one, or a temporary server booted while the flow's imports
    load, (if workers) that many worker processes start and (if validate) the validator process imports Great
    Expectations; all stopped on the way out.

    server is the temporary server booting_server() gave (None: a configured API). small says the run has about
    a batch to do, so its start-up is most of it: the validator then imports at a low priority. Call it before
    Prefect is imported: its settings are read once, on import. Yields the temporary API's URL.
    """
    from .flows.parallel import prestart, stop_prestarted
    from .quality import start_validator, stop_validator

    if validate:
        start_validator(low_priority=small)  # Great Expectations' import (seconds)
    if workers and server is None:
        prestart(workers)  # jieba and OpenCC load in the workers while this process imports
    try:
        from .flows import pipeline  # noqa: F401  (the flow's own imports: Prefect's engine, the extractors)

        if workers and server is not None:
            # With a server booting, the workers start now: begun with the imports, they took the server's core
            # (its boot is the longest wait of a run); they are needed only once it answers.
            prestart(workers)
        if server is not None:
            _import_while_waiting()
        if server is None:
            yield None
            return
        server.wait()
        # Worker processes inherit the variable; this process's settings were read already, so set them too.
        os.environ["PREFECT_API_URL"] = server.api_url
        from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

        # No flow run heartbeats: they let a server notice that a run's process died, and this server dies with
        # the process. Prefect ends a run's heartbeat thread by waiting for its sleep of up to 1 s (measured:
        # 0.2-0.7 s at the end of every run).
        with temporary_settings(updates={PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            try:
                yield server.api_url
            finally:
                _flush_to_api()
    finally:
        if server is not None:
            server.process.terminate()  # first: the server's shutdown goes on while the others stop
        stop_prestarted()
        stop_validator()
        if server is not None:
            server.stop()
            os.environ.pop("PREFECT_API_URL", None)
