"""Parallel and fast paths: worker processes, a Dask cluster and Arrow transport load the same warehouse."""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE
from fazhi.columnar import ArrowRows, pack_batch
from fazhi.core import process_files
from fazhi.flows.parallel import ParallelError, WorkerPool, check_parallelism, process_packed, run_in_order
from fazhi.ingest import discover

DOC_TABLES = ("documents", "sentences", "tokens", "figures")
# Columns that differ between runs by design.
RUN_COLUMNS = {"run_id", "loaded_at"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The samples, each also with its paragraphs reversed (new bytes), and one byte-identical duplicate."""
    root = tmp_path_factory.mktemp("parallel-corpus")
    for path in sorted(SAMPLE.iterdir()):
        shutil.copy(path, root / path.name)
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        (root / f"rev_{path.name}").write_text("\n\n".join(reversed(lines)) + "\n", encoding="utf-8")
    shutil.copy(SAMPLE / "000_bda1f0a19c388d12.txt", root / "zz_same_bytes_as_000.txt")
    return root


def table_contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of the document tables, without run ids and timestamps, in a stable order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in DOC_TABLES:
            columns = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_name = ? "
                "order by ordinal_position", [table]).fetchall() if r[0] not in RUN_COLUMNS]
            names = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"select {names} from {table} order by all").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def one_worker_warehouse(prefect_harness, corpus, tmp_path_factory) -> Path:
    from fazhi.flows.pipeline import etl

    db = tmp_path_factory.mktemp("wh-one") / "one.duckdb"
    summary = etl(input_dir=str(corpus), warehouse=str(db), batch_size=3, snapshot=False)
    assert summary["loaded"] == 10 and summary["failed"] == 1  # the duplicate is recorded, not loaded
    return db


def test_arrow_rows_read_like_the_rows_they_pack():
    rows = [{"doc_id": d, "token_index": i, "token": t, "char_start": i, "char_end": i + 1}
            for d in ("a", "b") for i, t in enumerate("法院审结")]
    packed = ArrowRows.from_rows(rows)
    assert len(packed) == 8 and bool(packed) and list(packed) == rows and packed[5] == rows[5]
    assert list(packed.for_documents({"b"})) == rows[4:]
    assert not ArrowRows.from_rows([]) and len(packed.for_documents(set())) == 0


def test_packing_keeps_every_row(corpus):
    paths, _ = discover(corpus)
    batch = process_files(paths[:3], corpus)
    plain = {t: list(getattr(batch, t)) for t in ("sentences", "tokens")}
    pack_batch(batch)
    assert isinstance(batch.tokens, ArrowRows)
    assert {t: list(getattr(batch, t)) for t in plain} == plain


def test_a_batch_processed_together_gives_each_document_the_rows_it_gets_alone(corpus):
    paths, _ = discover(corpus)
    together = process_files(paths[:4], corpus)
    alone = [process_files([path], corpus) for path in paths[:4]]
    for table in ("documents", "sentences", "tokens", "figures"):
        assert list(getattr(together, table)) == [row for one in alone for row in getattr(one, table)], table


def test_a_document_that_fails_a_stage_is_recorded_and_the_rest_of_its_batch_goes_on(corpus, monkeypatch):
    import fazhi.core as core

    paths, _ = discover(corpus)
    broken = paths[1]
    real_extract = core.extract_figures

    def extract_or_fail(text, sentences, context, unread=None):
        if context.source_name == broken.name:
            raise RuntimeError("the extractor tripped")
        return real_extract(text, sentences, context, unread)

    monkeypatch.setattr(core, "extract_figures", extract_or_fail)
    batch = process_files(paths[:3], corpus)
    assert [d["source_name"] for d in batch.documents] == [paths[0].name, paths[2].name]
    assert [(e.source_name, e.stage, e.error) for e in batch.errors] == [
        (broken.name, "process", "RuntimeError: the extractor tripped")]
    assert {r["doc_id"] for r in batch.tokens} == {d["doc_id"] for d in batch.documents}
    assert {r["doc_id"] for r in batch.sentences} == {d["doc_id"] for d in batch.documents}


def test_results_come_back_in_order_with_a_bounded_number_in_flight():
    pending_peak = []
    in_flight = 0

    def work(x):
        nonlocal in_flight
        pending_peak.append(in_flight)
        return x * x

    class PoolRunner:
        """A runner whose submit counts submissions not yet consumed."""

        def __init__(self):
            self.pool = ThreadPoolExecutor(max_workers=3)

        def submit(self, task, parameters):
            nonlocal in_flight
            in_flight += 1
            return self.pool.submit(task, **parameters)

    results = []
    for r in run_in_order(work, ({"x": i} for i in range(20)), PoolRunner(), in_flight=4):
        results.append(r)
        in_flight -= 1
    assert results == [i * i for i in range(20)]
    # in_flight still running plus the one handed over: the flow loads it while the others run.
    assert max(pending_peak) <= 4 + 1
    assert list(run_in_order(work, ({"x": i} for i in range(3)), None, in_flight=4)) == [0, 1, 4]


def test_a_worker_process_holds_the_text_stages_and_neither_prefect_nor_great_expectations(corpus):
    from _worker_probe import imported

    pool = WorkerPool(1)
    try:
        paths, _ = discover(corpus)
        batch = pool.run(process_packed, paths[:2], corpus.absolute())
        loaded = pool.run(imported, ("prefect", "great_expectations", "rjieba", "jieba", "opencc", "fazhi.core"))
    finally:
        pool.close()
    assert len(batch.documents) == 2 and isinstance(batch.tokens, ArrowRows)
    # jieba-rs segments; jieba itself (its dictionary ~0.4 s and ~40 MB a process) is not loaded
    assert loaded == {"prefect": False, "great_expectations": False, "rjieba": True, "jieba": False, "opencc": True,
                      "fazhi.core": True}


def test_a_pool_whose_worker_died_is_replaced_for_the_next_batch(corpus):
    from concurrent.futures.process import BrokenProcessPool

    pool = WorkerPool(1)
    try:
        with pytest.raises(BrokenProcessPool):
            pool.run(os._exit, 3)
        paths, _ = discover(corpus)
        assert len(pool.run(process_packed, paths[:1], corpus.absolute()).documents) == 1
    finally:
        pool.close()


@pytest.mark.parametrize("prestarted, workers, runs_in", [
    (0, 1, "flow"),  # a flow called on its own: one worker's batches in its process
    (1, 1, "prestarted"),  # `fazhi run` started the worker before Prefect imported
    (1, 2, "new pool"),  # a prestarted pool of another size is not taken
    (0, 2, "new pool"),
])
def test_one_worker_runs_in_the_flow_process_unless_the_caller_started_it(prestarted, workers, runs_in):
    from fazhi.flows import parallel

    if prestarted:
        parallel.prestart(prestarted)
    started = parallel._prestarted
    try:
        runner = parallel.make_task_runner("process", workers)
        pool = getattr(runner, "pool", None)
        where = "flow" if runner is None else "prestarted" if pool is started else "new pool"
        assert where == runs_in
        assert pool is None or pool.workers == workers
    finally:
        parallel.stop_prestarted()
        if pool is not None:
            pool.close()
    assert parallel._prestarted is None


def test_a_prestarted_worker_processes_batches_in_a_process_of_its_own(corpus):
    from _worker_probe import imported

    from fazhi.flows import parallel

    parallel.prestart(1)
    runner = parallel.make_task_runner("process", 1)
    try:
        with parallel.running(runner):
            paths, _ = discover(corpus)
            batch = parallel.run_batch(paths[:2], corpus.absolute())
            pid = runner.pool.run(os.getpid)
            loaded = runner.pool.run(imported, ("prefect", "rjieba"))
    finally:
        parallel.stop_prestarted()
    assert len(batch.documents) == 2 and pid != os.getpid()
    assert loaded == {"prefect": False, "rjieba": True}


def test_options_that_do_not_fit_together_are_refused_in_one_line():
    with pytest.raises(ParallelError, match="dask"):
        check_parallelism("process", 2, "tcp://127.0.0.1:8786")
    with pytest.raises(ParallelError, match="unknown task runner"):
        check_parallelism("threads", 2)
    from click.testing import CliRunner

    from fazhi.cli import cli

    result = CliRunner().invoke(cli, ["run", "--input", str(SAMPLE), "--workers", "2",
                                      "--dask-address", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 1
    assert "dask" in result.output and "Traceback" not in result.output


def test_the_warehouse_holds_exactly_the_rows_of_the_pure_pipeline(one_worker_warehouse, corpus):
    paths, _ = discover(corpus)
    plain = process_files(paths, corpus.absolute())
    loaded = table_contents(one_worker_warehouse)
    first_of_duplicates = {d["doc_id"]: d["source_name"] for d in reversed(plain.documents)}
    assert sorted(r[1] for r in loaded["documents"]) == sorted(first_of_duplicates.values())
    con = duckdb.connect(str(one_worker_warehouse), read_only=True)
    try:
        for table in ("sentences", "tokens", "figures"):
            rows = getattr(plain, table)
            cur = con.execute(f"select * from {table}")
            names = [d[0] for d in cur.description]
            got = [dict(zip(names, row)) for row in cur.fetchall()]
            common = set(rows[0]) & set(got[0])
            assert {"doc_id", "char_start", "char_end"} <= common
            assert ({tuple(sorted((k, v) for k, v in r.items() if k in common)) for r in got}
                    == {tuple(sorted((k, v) for k, v in r.items() if k in common)) for r in rows}), table
    finally:
        con.close()


def test_two_worker_processes_load_the_same_warehouse_as_one(prefect_harness, corpus, one_worker_warehouse,
                                                             tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "two.duckdb"
    summary = etl(input_dir=str(corpus), warehouse=str(db), batch_size=3, workers=2, snapshot=False)
    assert summary["loaded"] == 10 and summary["failed"] == 1
    assert table_contents(db) == table_contents(one_worker_warehouse)
    again = etl(input_dir=str(corpus), warehouse=str(db), batch_size=3, workers=2, snapshot=False)
    assert again["loaded"] == 0 and again["skipped"] == 10


def test_a_two_worker_local_dask_cluster_loads_the_same_warehouse_as_one(prefect_harness, corpus,
                                                                         one_worker_warehouse, tmp_path):
    pytest.importorskip("prefect_dask")
    from fazhi.flows.pipeline import etl

    db = tmp_path / "dask.duckdb"
    summary = etl(input_dir=str(corpus), warehouse=str(db), batch_size=3, workers=2, task_runner="dask",
                  snapshot=False)
    assert summary["loaded"] == 10
    assert table_contents(db) == table_contents(one_worker_warehouse)


def test_an_existing_dask_cluster_is_used_through_its_address(prefect_harness, corpus, one_worker_warehouse,
                                                              tmp_path):
    distributed = pytest.importorskip("distributed")
    from fazhi.flows.pipeline import etl

    db = tmp_path / "address.duckdb"
    # Thread workers start in a second; the address path is what is under test here, not process isolation.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        summary = etl(input_dir=str(corpus), warehouse=str(db), batch_size=3, task_runner="dask",
                      dask_address=cluster.scheduler_address, snapshot=False)
        assert summary["loaded"] == 10
    assert table_contents(db) == table_contents(one_worker_warehouse)
