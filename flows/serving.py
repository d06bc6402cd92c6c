"""`fazhi serve` stops when asked, even when its Prefect server is gone.

On SIGTERM Prefect's runner pauses its deployments through the API before it exits; with the server gone that
call retries for minutes and the process looks deaf. Ctrl-C meets the same clean-up. Both still get Prefect's
graceful stop, but within STOP_GRACE_S; after that the process ends itself, saying so in one line.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import warnings

STOP_GRACE_S = 10.0


def _end_after_grace() -> None:
    def end() -> None:
        print(f"fazhi serve stopped without the Prefect server's goodbye (it did not answer within "
              f"{STOP_GRACE_S:.0f}s)", file=sys.stderr, flush=True)
        os._exit(0)

    timer = threading.Timer(STOP_GRACE_S, end)
    timer.daemon = True
    timer.start()


def stop_promptly() -> None:
    """Bound the time SIGTERM and Ctrl-C may take to stop a served flow (call before Flow.serve)."""
    from prefect.runner import Runner

    graceful = Runner.handle_sigterm
    if getattr(graceful, "_fazhi_bounded", False):
        return

    def handle_sigterm(self, *args, **kwargs):
        _end_after_grace()
        graceful(self, *args, **kwargs)

    # Prefect's handler calls an async stop from sync code; its warning about that says nothing to a user.
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited")
    handle_sigterm._fazhi_bounded = True
    Runner.handle_sigterm = handle_sigterm  # the runner installs it as its SIGTERM handler when it starts

    def on_interrupt(signum, frame):
        _end_after_grace()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
