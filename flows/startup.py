"""Start-up work side by side: Prefect's temporary server boots in its own process while we import the rest.

A run's fixed cost is mostly three waits done one after another by default: the temporary Prefect server
(seconds), importing Great Expectations for validation (seconds) and loading the jieba dictionary (a second).
The server runs in another process, so the other two can be done on this one while it boots.
"""
from __future__ import annotations

import contextlib
import threading


def _boot_temporary_server() -> threading.Thread | None:
    """Start Prefect's temporary server in a background thread when no PREFECT_API_URL is set."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    # The same instance Prefect's client would start on first use (one per port; None picks a free one).
    server = SubprocessASGIServer()
    if server.running:
        return None
    thread = threading.Thread(target=server.start, name="prefect-temporary-server", daemon=True)
    thread.start()
    return thread


def overlap_start_up(load_text_models: bool) -> None:
    """Boot the Prefect server while importing Great Expectations and, if asked, loading jieba and OpenCC.

    Call it just before the flow; it returns once the server answers, so the flow finds it ready.
    """
    booting = None
    with contextlib.suppress(Exception):  # the flow starts the server itself if this could not
        booting = _boot_temporary_server()
    try:
        with contextlib.suppress(ImportError):
            import great_expectations  # noqa: F401  (validation's import, seconds long)
        if load_text_models:
            from .parallel import warm_up

            warm_up()
    finally:
        if booting is not None:
            # The server object counts as running from the moment it starts booting: wait until it answers.
            booting.join()
