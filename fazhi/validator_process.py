"""The validator process's start (quality._ValidatorProcess), in a module that imports nothing heavy.

A spawned process imports the module of its initializer before running it; from fazhi.quality that was DuckDB,
pyarrow and YAML (~0.5 s of CPU) at full priority, beside the Prefect server's boot, before it could lower its own.
"""
from __future__ import annotations

import os
import threading


def start(low_priority: bool) -> None:
    """End with the run, yield the CPU if asked, then import Great Expectations and the validation code."""
    from .guard import exit_with_parent

    exit_with_parent()
    if low_priority:
        # For a run of a batch or so, whose wait is mostly start-up: GX's import (~2 s of CPU) is needed last, so
        # it takes what the Prefect server's boot and the flow's imports leave (measured on the sample: the run
        # ended 0.2-0.3 s sooner). Not for larger runs: the priority stays for the validation itself, which
        # a busy machine would then slow several times over.
        os.nice(10)
    import great_expectations  # noqa: F401
    from tqdm import tqdm

    from . import quality  # noqa: F401  (the calls sent here run its functions)

    # GX builds a tqdm bar (disabled) per validation, and tqdm's first bar makes a multiprocessing lock, a named
    # semaphore; this process is killed when done, so Python's resource tracker then warned of a leaked semaphore
    # at the end of every run. A thread lock does, in a process with no children of its own.
    tqdm.set_lock(threading.RLock())
