"""Shared fixtures: one Prefect test harness per session and a warehouse built from the sample corpus."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Keep every Prefect the tests start away from the user's ~/.prefect database.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="fazhi-prefect-home-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fazhi" / "sample_corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for flow runs in this test session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_warehouse(prefect_harness, tmp_path_factory) -> Path:
    """A warehouse built once by the real flow from the sample corpus; treat it as read-only."""
    from fazhi.flows.pipeline import etl

    path = tmp_path_factory.mktemp("sample-wh") / "fazhi.duckdb"
    etl(input_dir=str(SAMPLE), warehouse=str(path))
    return path


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(SAMPLE, dest)
    return dest


@pytest.fixture
def cost_growth():
    """growth(run, make, n): CPU time of run(make(4n)) over that of run(make(n)), the least of five each (what
    other processes add is never less); about 4 for a linear cost, 16 for a quadratic one (a ratio of two sizes,
    not a wall-clock limit)."""
    import time

    def seconds(run, data) -> float:
        run(data)  # first-use loading (dictionaries, tables) is not the input's cost
        times = []
        for _ in range(5):
            started = time.process_time()
            run(data)
            times.append(time.process_time() - started)
        return min(times)

    def growth(run, make, n: int) -> float:
        return seconds(run, make(4 * n)) / max(seconds(run, make(n)), 1e-4)
    return growth
