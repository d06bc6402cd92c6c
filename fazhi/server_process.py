"""`python -m fazhi.server_process PID UVICORN-ARGS…`: uvicorn, as Prefect runs its temporary server, ending with
process PID, the run that started it.

A run stopped by SIGKILL (the kernel's out-of-memory killer, `kill -9`) cleans up nothing: without this its
server was left running for good, one more for every such run. The kernel sends this process SIGTERM when its
parent ends, and uvicorn shuts down on SIGTERM as on any stop.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    """Ask for SIGTERM when the parent ends, then run uvicorn's command line with the remaining arguments."""
    parent = int(sys.argv.pop(1))
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl here (not Linux): the run's own cleanup still stops the server
        pass
    if os.getppid() != parent:  # the run ended before the request above took effect
        sys.exit(0)
    from uvicorn.main import main as uvicorn

    uvicorn(prog_name="uvicorn")


if __name__ == "__main__":
    main()
