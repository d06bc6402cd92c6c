"""`python -m fazhi.server_process PID UVICORN-ARGS…`: uvicorn, as Prefect runs its temporary server, ending with
process PID, the run that started it.

A run stopped by SIGKILL (the kernel's out-of-memory killer, `kill -9`) cleans up nothing: without this its
server was left running for good, one more for every such run. The kernel sends this process SIGTERM when its
parent ends, and uvicorn shuts down on SIGTERM as on any stop.
"""
from __future__ import annotations

import signal
import sys

from .guard import die_with_parent


def main() -> None:
    """Ask for SIGTERM when the parent ends, then run uvicorn's command line with the remaining arguments."""
    die_with_parent(int(sys.argv.pop(1)), signal.SIGTERM)  # where there is no prctl the run's own cleanup still does
    from uvicorn.main import main as uvicorn

    uvicorn(prog_name="uvicorn")


if __name__ == "__main__":
    main()
