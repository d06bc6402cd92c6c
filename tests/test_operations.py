"""Operations: bad input, incremental runs, prune, crash safety, the warehouse lock, snapshots, progress."""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import FIXTURES, ROOT, SAMPLE

SENTENCE = "2020年,全市法院受理案件57876件,结案率95.74%。"
TRADITIONAL = "2020年,全市法院受理案件57876件,結案率95.74%,審判質效穩步提升。"
DOC_TABLES = ("documents", "sentences", "tokens", "figures")


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_rows(db: Path, table: str, exclude: tuple[str, ...] = ("run_id", "loaded_at", "recorded_at")) -> list:
    """Every row of a table without run ids and timestamps, sorted, for comparing two warehouses."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
            [table]).fetchall() if r[0] not in exclude]
        names = ", ".join(f'"{c}"' for c in columns)
        return con.execute(f"select {names} from {table} order by all").fetchall()
    finally:
        con.close()


def errors_by_file(db: Path) -> dict[str, str]:
    return dict(query(db, "select source_name, error from ingest_errors"))


# ---- bad input --------------------------------------------------------------------------------------------

@pytest.fixture
def bad_corpus(tmp_path) -> Path:
    """One folder with every kind of awkward input a real corpus has, made at test time."""
    root = tmp_path / "bad"
    root.mkdir()
    (root / "gb18030.txt").write_bytes(SENTENCE.encode("gb18030"))
    (root / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    (root / "utf16.txt").write_bytes(SENTENCE.encode("utf-16"))
    (root / "utf8-bom.txt").write_bytes(SENTENCE.encode("utf-8-sig"))
    (root / "empty.txt").write_bytes(b"")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    shutil.copy(FIXTURES / "ops_page.html", root / "page.html")
    (root / "page-named-txt.txt").write_bytes(b"<!-- saved page -->\n" + (FIXTURES / "ops_page.html").read_bytes())
    (root / "bad-bytes.txt").write_bytes(("受理案件57876件," * 40).encode() + b"\xff\xfe\xfa"
                                         + ("结案率95.74%。" * 40).encode())
    with open(root / "huge.txt", "wb") as f:  # 50 MB of real text, not a sparse file
        block = (SENTENCE * 1000).encode()
        while f.tell() < 50 * 2**20:
            f.write(block)
    os.mkfifo(root / "fifo.txt")
    (root / "dangling.txt").symlink_to(root / "no-such-target.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "sub").mkdir()
    (root / "sub" / "back").symlink_to(root, target_is_directory=True)  # a folder loop
    locked = root / "locked.txt"
    locked.write_text(SENTENCE, encoding="utf-8")
    locked.chmod(0)
    (root / "法院 工作报告 2020.txt").write_text("台州市中级人民法院" + SENTENCE, encoding="utf-8")
    return root


def test_every_kind_of_bad_input_is_loaded_or_recorded_and_the_run_completes(prefect_harness, bad_corpus, tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "w.duckdb"
    summary = etl(input_dir=str(bad_corpus), warehouse=str(db))

    loaded = dict(query(db, "select source_name, encoding from documents"))
    assert loaded["gb18030.txt"] == "gb18030"
    assert loaded["big5.txt"] == "big5"
    assert loaded["utf16.txt"] == "utf-16"
    assert loaded["utf8-bom.txt"] == "utf-8-sig"
    assert "法院 工作报告 2020.txt" in loaded
    for name in ("gb18030.txt", "big5.txt", "utf16.txt", "utf8-bom.txt", "法院 工作报告 2020.txt"):
        surfaces = {s for (s,) in query(db, "select surface from figures join documents using (doc_id) "
                                            "where source_name = ?", [name])}
        assert {"57876件", "95.74%"} <= surfaces, name
    html = dict(query(db, "select source_name, text from documents where is_html"))
    assert set(html) == {"page.html", "page-named-txt.txt"}
    assert all("12345件" in text and "<p>" not in text and "pageView" not in text for text in html.values())
    warnings = query(db, "select warnings from documents where source_name = 'bad-bytes.txt'")
    assert warnings and "replaced" in warnings[0][0][0]

    errors = errors_by_file(db)
    assert errors["empty.txt"] == "empty file"
    assert "binary" in errors["image.txt"]
    assert "too large" in errors["huge.txt"] and "52,4" in errors["huge.txt"]
    assert "not a regular file (a FIFO)" in errors["fifo.txt"]
    assert "broken symlink" in errors["dangling.txt"]
    assert "symlink loop" in errors["loop.txt"]
    assert any("symlink loop" in why for name, why in errors.items() if name.endswith("sub/back"))
    # As root (how CI runs) chmod 000 does not stop a read, so the file loads; as a user it is an error.
    if os.geteuid() == 0:
        assert "locked.txt" in loaded
    else:
        assert "permission denied" in errors["locked.txt"]

    assert not set(loaded) & set(errors), "a file is either loaded or recorded, never both"
    run = query(db, "select status, files_seen, docs_loaded, docs_failed from runs")
    assert run == [("completed", summary["seen"], len(loaded), summary["failed"])]
    # A folder that could not be walked is counted apart from files, so the file counts add up.
    assert summary["failed"] + summary["not_walked"] == len(errors) and summary["not_walked"] >= 1
    assert summary["seen"] == summary["loaded"] + summary["skipped"] + summary["failed"]


def test_a_missing_input_folder_is_one_line_and_a_non_zero_exit(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fazhi", "--input", str(tmp_path / "nope"),
                           "--warehouse", str(tmp_path / "w.duckdb")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"error: input folder {tmp_path / 'nope'} does not exist or is not a folder"
    assert not (tmp_path / "w.duckdb").exists()


def test_a_read_that_fails_once_is_retried_by_prefect(prefect_harness, tmp_path, monkeypatch):
    from fazhi.flows import pipeline

    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (corpus / "flaky.txt").write_text("台州" + SENTENCE, encoding="utf-8")
    from fazhi import ingest

    real_read = ingest.read_capped
    failed = tmp_path / "failed-once"  # a file, not a variable: the read happens in the guard's child process

    def read_failing_once(path):
        if path.name == "flaky.txt" and not failed.exists():
            failed.touch()
            raise OSError(errno.EIO, "Input/output error", str(path))
        return real_read(path)

    monkeypatch.setattr(ingest, "read_capped", read_failing_once)
    monkeypatch.setattr(pipeline, "process_batch", pipeline.process_batch.with_options(retry_delay_seconds=0))
    db = tmp_path / "w.duckdb"
    summary = pipeline.etl(input_dir=str(corpus), warehouse=str(db))
    assert failed.exists(), "the read did fail once"
    assert summary["loaded"] == 2 and summary["failed"] == 0
    assert query(db, "select count(*) from ingest_errors") == [(0,)]


def test_a_batch_that_keeps_failing_is_retried_then_recorded_per_file_and_the_run_completes(
        prefect_harness, sample_copy, tmp_path, monkeypatch):
    from fazhi.flows import pipeline

    attempts = []

    def broken_run_batch(paths, root, budget):
        attempts.append(len(paths))
        if len(paths) == 2:  # the second batch: a fault outside any one document
            raise MemoryError("cannot allocate")
        return real_run_batch(paths, root, budget)

    real_run_batch = pipeline.run_batch
    monkeypatch.setattr(pipeline, "run_batch", broken_run_batch)
    monkeypatch.setattr(pipeline, "process_batch", pipeline.process_batch.with_options(retry_delay_seconds=0))
    db = tmp_path / "w.duckdb"
    summary = pipeline.etl(input_dir=str(sample_copy), warehouse=str(db), batch_size=3)
    assert attempts == [3, 2, 2, 2], "the failing batch ran once and was retried twice"
    assert summary["loaded"] == 3 and summary["failed"] == 2
    errors = query(db, "select source_name, stage, error from ingest_errors order by source_name")
    second_batch = sorted(sample_copy.iterdir())[3:]
    assert [(name, stage) for name, stage, _ in errors] == [(p.name, "process") for p in second_batch]
    assert all("MemoryError: cannot allocate" in error for _, _, error in errors)
    assert query(db, "select status from runs") == [("completed",)]


def test_a_document_that_fails_to_load_is_recorded_and_the_rest_of_its_batch_loads(tmp_path):
    from fazhi import warehouse as wh
    from fazhi.core import process_files

    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (corpus / name).write_text(name + SENTENCE, encoding="utf-8")
    batch = process_files(sorted(corpus.iterdir()), corpus)
    bad_id = next(d["doc_id"] for d in batch.documents if d["source_name"] == "b.txt")
    # A row DuckDB itself refuses (sentences.char_start is NOT NULL): the whole batch transaction fails.
    batch.sentences = list(batch.sentences)  # row dicts, to break one (the loader takes dicts and Arrow alike)
    next(s for s in batch.sentences if s["doc_id"] == bad_id)["char_start"] = None
    con = wh.connect(tmp_path / "w.duckdb")
    wh.apply_schema(con)
    with pytest.raises(duckdb.Error):
        wh.load_batch(con, "r1", batch, {})
    assert con.execute("select count(*) from documents").fetchone() == (0,)
    loaded, errors = wh.load_documents_one_by_one(con, "r1", batch, {})
    assert loaded == 2
    assert [(e.source_name, e.stage) for e in errors] == [("b.txt", "load")]
    assert "NOT NULL" in errors[0].error or "null" in errors[0].error.lower()
    assert sorted(r[0] for r in con.execute("select source_name from documents").fetchall()) == ["a.txt", "c.txt"]
    assert con.execute("select count(*) from sentences where doc_id = ?", [bad_id]).fetchone() == (0,)
    con.close()


# ---- incremental runs and prune ---------------------------------------------------------------------------

def test_new_changed_unchanged_and_deleted_files_and_prune(prefect_harness, sample_copy, tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "w.duckdb"
    etl(input_dir=str(sample_copy), warehouse=str(db))
    names = sorted(p.name for p in sample_copy.iterdir())
    gone, changed = sample_copy / names[0], sample_copy / names[1]
    gone_id = query(db, "select doc_id from documents where source_name = ?", [gone.name])[0][0]
    gone.unlink()
    changed.write_text(changed.read_text(encoding="utf-8") + "\n另据统计,全市法院新收案件1234件。\n",
                       encoding="utf-8")
    (sample_copy / "new.txt").write_text(SENTENCE, encoding="utf-8")

    summary = etl(input_dir=str(sample_copy), warehouse=str(db))
    assert (summary["loaded"], summary["skipped"], summary["pruned"]) == (2, 3, 0)
    assert query(db, "select count(*) from documents where source_name = ?", [gone.name]) == [(1,)]

    summary = etl(input_dir=str(sample_copy), warehouse=str(db), prune=True)
    assert (summary["loaded"], summary["skipped"], summary["pruned"]) == (0, 5, 1)
    for table in DOC_TABLES:
        assert query(db, f"select count(*) from {table} where doc_id = ?", [gone_id]) == [(0,)], table
    runs = query(db, "select status, files_seen, docs_loaded, docs_skipped, docs_pruned from runs order by started_at")
    assert runs == [("completed", 5, 5, 0, 0), ("completed", 5, 2, 3, 0), ("completed", 5, 0, 5, 1)]


def test_prune_leaves_other_folders_documents_and_a_renamed_file_reloads(prefect_harness, tmp_path):
    from fazhi.flows.pipeline import etl

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (second / "b.txt").write_text("台州" + SENTENCE, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    etl(input_dir=str(first), warehouse=str(db))
    etl(input_dir=str(second), warehouse=str(db), prune=True)
    assert sorted(r[0] for r in query(db, "select source_name from documents")) == ["a.txt", "b.txt"]

    (second / "b.txt").rename(second / "b-renamed.txt")
    # One of the folder's one document goes: more than half, so only with force.
    summary = etl(input_dir=str(second), warehouse=str(db), prune=True, force=True)
    assert summary["pruned"] == 1 and summary["loaded"] == 1 and summary["failed"] == 0
    assert sorted(r[0] for r in query(db, "select source_name from documents")) == ["a.txt", "b-renamed.txt"]


@pytest.mark.parametrize("keep, pruned_without_force", [(0, None), (2, None), (3, 2)])
def test_prune_refuses_to_remove_more_than_half_of_a_folder_without_force(prefect_harness, sample_copy, tmp_path,
                                                                         keep, pruned_without_force):
    from fazhi.flows.pipeline import InputError, etl

    db = tmp_path / "w.duckdb"
    etl(input_dir=str(sample_copy), warehouse=str(db), snapshot=False)
    for path in sorted(sample_copy.iterdir())[keep:]:
        path.unlink()
    if pruned_without_force is not None:
        assert etl(input_dir=str(sample_copy), warehouse=str(db), prune=True, snapshot=False)["pruned"] == 2
        return
    with pytest.raises(InputError) as refused:
        etl(input_dir=str(sample_copy), warehouse=str(db), prune=True, snapshot=False)
    assert str(refused.value) == (
        f"--prune would remove {5 - keep} of the 5 documents read from {sample_copy} (more than 50%; {keep} report "
        f"files found there now): is the folder empty or not mounted? Nothing was removed; add --force to prune "
        f"them anyway")
    assert query(db, "select count(*) from documents") == [(5,)]
    summary = etl(input_dir=str(sample_copy), warehouse=str(db), prune=True, force=True, snapshot=False)
    assert summary["pruned"] == 5 - keep and query(db, "select count(*) from documents") == [(keep,)]


@pytest.mark.parametrize("damage", [b"", b"\x00\x01\x02" * 100])
def test_a_file_that_no_longer_reads_keeps_its_rows_marked_stale_until_it_is_back(prefect_harness, sample_copy,
                                                                                 tmp_path, damage):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "w.duckdb"
    etl(input_dir=str(sample_copy), warehouse=str(db), snapshot=False)
    path = sorted(sample_copy.iterdir())[0]
    good = path.read_bytes()
    rows = query(db, "select doc_id, n_figures from documents where source_name = ?", [path.name])
    path.write_bytes(damage)
    summary = etl(input_dir=str(sample_copy), warehouse=str(db), snapshot=False)
    assert (summary["stale"], summary["failed"]) == (1, 1)
    assert query(db, "select source_name from documents where stale") == [(path.name,)]
    assert query(db, "select doc_id, n_figures from documents where source_name = ?", [path.name]) == rows
    path.write_bytes(good)
    assert etl(input_dir=str(sample_copy), warehouse=str(db), snapshot=False)["stale"] == 0
    assert query(db, "select count(*) from documents where stale") == [(0,)]


# ---- crash safety -----------------------------------------------------------------------------------------

def make_corpus(root: Path, copies: int) -> int:
    """copies distinct versions of each sample report (a line added), so every file is its own document."""
    root.mkdir()
    for k in range(copies):
        for src in sorted(SAMPLE.iterdir()):
            text = src.read_text(encoding="utf-8") + f"\n第{k}号补充:全市法院另收案件{100 + k}件。\n"
            (root / f"{k:03d}_{src.name}").write_text(text, encoding="utf-8")
    return copies * len(list(SAMPLE.iterdir()))


def process_group_gone(pgid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_sigkill_mid_load_loses_nothing_and_the_next_run_finishes_the_work(prefect_harness, tmp_path):
    from fazhi.flows.pipeline import etl

    corpus = tmp_path / "corpus"
    total = make_corpus(corpus, copies=6)
    (corpus / "zz-empty.txt").write_bytes(b"")
    reference = tmp_path / "reference.duckdb"
    etl(input_dir=str(corpus), warehouse=str(reference), batch_size=2)

    db = tmp_path / "crashed.duckdb"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "fazhi", "--input", str(corpus), "--warehouse", str(db),
                             "--batch-size", "2", "--verbose"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 240
        for line in proc.stdout:
            seen.append(line)
            progress = re.search(r"(\d+) of (\d+) files done", line)
            if progress and int(progress.group(1)) < int(progress.group(2)):
                break  # a batch is committed and the next ones are under way: kill now
            assert time.monotonic() < deadline, "no progress line in time:\n" + "".join(seen[-20:])
    finally:
        # The whole process group: the flow and the temporary Prefect server it started.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert process_group_gone(proc.pid), "processes left behind"
    assert proc.returncode == -signal.SIGKILL

    partial = query(db, "select count(*) from documents")[0][0]
    assert 0 < partial < total, f"kill landed at {partial} of {total} documents"
    assert query(db, "select status from runs") == [("running",)]
    # Every document that is there is there whole.
    assert query(db, "select count(*) from documents d where n_sentences <> (select count(*) from sentences s "
                     "where s.doc_id = d.doc_id) or n_figures <> (select count(*) from figures f "
                     "where f.doc_id = d.doc_id) or n_tokens <> (select count(*) from tokens t "
                     "where t.doc_id = d.doc_id)") == [(0,)]

    summary = etl(input_dir=str(corpus), warehouse=str(db), batch_size=2)
    assert summary["loaded"] == total - partial and summary["skipped"] == partial
    statuses = query(db, "select status, message from runs order by started_at")
    assert [s for s, _ in statuses] == ["crashed", "completed"]
    assert "process ended before the run finished" in statuses[0][1]
    for table in DOC_TABLES:
        assert table_rows(db, table) == table_rows(reference, table), table
    last_errors = ("select source_name, stage, error from ingest_errors "
                   "where run_id = (select max_by(run_id, started_at) from runs)")
    assert query(db, last_errors) == query(reference, last_errors) == [("zz-empty.txt", "ingest", "empty file")]


DIE_BEFORE_COMMIT = """
import os, signal, sys
from pathlib import Path
from fazhi import warehouse as wh
from fazhi.core import process_files

root, db = Path(sys.argv[1]), Path(sys.argv[2])
files = sorted(root.iterdir())
con = wh.connect(db)
wh.apply_schema(con)
wh.load_batch(con, "committed", process_files(files[:2], root), {})
real_insert = wh._insert

def insert_then_die(con, table, rows, extra=None):
    real_insert(con, table, rows, extra)
    if table == "figures":  # every row of the batch written, the commit not yet
        os.kill(os.getpid(), signal.SIGKILL)

wh._insert = insert_then_die
wh.load_batch(con, "killed", process_files(files[2:], root), {})
"""


def test_sigkill_inside_the_load_transaction_leaves_no_row_of_its_documents(sample_copy, tmp_path):
    db = tmp_path / "w.duckdb"
    proc = subprocess.run([sys.executable, "-c", DIE_BEFORE_COMMIT, str(sample_copy), str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    names = sorted(p.name for p in sample_copy.iterdir())
    assert sorted(r[0] for r in query(db, "select source_name from documents")) == names[:2]
    for table in DOC_TABLES:
        assert query(db, f"select count(distinct doc_id) from {table}") == [(2,)], table
    assert query(db, "select count(*) from documents d join sentences s using (doc_id) join figures f using (doc_id)"
                     " where d.run_id = 'killed'") == [(0,)]


# ---- a budget per document, and stopping a run -------------------------------------------------------------

HOSTILE = "第一号难题:全市法院受理案件57876件。"  # the documents holding this are made slow or deadly below


def hostile_stage(monkeypatch, action) -> None:
    """Run action(document) before the extract stage of every document holding HOSTILE (in the guard's child)."""
    import fazhi.core as core

    def extract(doc):
        if HOSTILE in doc.raw.raw_text:
            action(doc)
        real_extract(doc)

    real_extract = core._extract
    monkeypatch.setattr(core, "STAGES", tuple((name, extract if name == "extract" else stage)
                                              for name, stage in core.STAGES))


@pytest.mark.parametrize("action, budget, stage, error", [
    (lambda doc: time.sleep(60), {"doc_seconds": 1}, "budget",
     "over the time budget: still processing after 1s, limit 1s per document (--doc-seconds)"),
    (lambda doc: [time.sleep(0.002) or bytearray(2**20) for _ in range(1024)], {"doc_memory": "64M"}, "budget",
     "over the memory budget: used "),
    (lambda doc: os.kill(os.getpid(), signal.SIGKILL), {}, "process",
     "its worker process died (killed by SIGKILL, e.g. by the kernel out of memory) while processing it"),
])
def test_a_document_over_budget_or_whose_worker_dies_is_recorded_and_the_others_load(
        prefect_harness, sample_copy, tmp_path, monkeypatch, action, budget, stage, error):
    from fazhi.flows.pipeline import etl

    (sample_copy / "0-hostile.txt").write_text(HOSTILE, encoding="utf-8")  # first in its batch, and
    (sample_copy / "2-hostile.txt").write_text("另一份" + HOSTILE, encoding="utf-8")  # in the middle of it
    hostile_stage(monkeypatch, action)
    db = tmp_path / "w.duckdb"
    started = time.monotonic()
    summary = etl(input_dir=str(sample_copy), warehouse=str(db), batch_size=4, **budget)
    assert time.monotonic() - started < 240  # two documents sleeping 60 s each were stopped, not waited for
    samples = sorted(p.name for p in SAMPLE.iterdir())
    assert sorted(r[0] for r in query(db, "select source_name from documents")) == samples
    errors = query(db, "select source_name, stage, error from ingest_errors order by source_name")
    assert [(name, st) for name, st, _ in errors] == [("0-hostile.txt", stage), ("2-hostile.txt", stage)]
    assert all(e.startswith(error) for _, _, e in errors), errors
    assert (summary["loaded"], summary["failed"]) == (len(samples), 2)
    assert query(db, "select status from runs") == [("completed",)]
    for table in DOC_TABLES:  # the documents that loaded are whole
        assert query(db, f"select count(distinct doc_id) from {table}") == [(len(samples),)], table


def test_a_bad_budget_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fazhi", "run", "--input", str(SAMPLE), "--warehouse",
                           str(tmp_path / "w.duckdb"), "--doc-memory", "lots"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "Invalid value for '--doc-memory': not a size: 'lots' (write e.g. 512M, 4G or 0 for no limit)" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "w.duckdb").exists()


SLOW_RUN = """
import sys, time
import fazhi.core as core

real_extract = core._extract

def slow_extract(doc):  # a corpus whose every document takes a second
    time.sleep(1)
    real_extract(doc)

core.STAGES = tuple((name, slow_extract if name == "extract" else stage) for name, stage in core.STAGES)
if __name__ == "__main__":
    from fazhi.cli import main
    sys.argv[0] = "fazhi"
    main()
"""


def slow_run_under_way(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """`fazhi run` of a slow corpus in a session of its own, once its first batch is under way; and its warehouse."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, copies=4)
    db = tmp_path / "w.duckdb"
    script = tmp_path / "slow_run.py"
    script.write_text(SLOW_RUN, encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)  # the run starts its own temporary server, which must not outlive it
    proc = subprocess.Popen([sys.executable, str(script), "run", "--input", str(corpus), "--warehouse", str(db),
                             "--batch-size", "5"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("files 0 of"):  # the flow is under way, the first batch in the guard's child
            break
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail("no progress line:\n" + "".join(seen[-20:]))
    time.sleep(2)
    return proc, db


@pytest.mark.parametrize("sig, to_group, code, reason", [
    (signal.SIGTERM, False, 128 + signal.SIGTERM, "stopped by SIGTERM"),  # a supervisor stopping the run
    (signal.SIGINT, True, 130, "interrupted (Ctrl-C or SIGINT)"),  # Ctrl-C at a terminal: the whole group
])
def test_a_signal_ends_a_run_within_seconds_marked_failed_with_nothing_left_running(tmp_path, sig, to_group, code,
                                                                                     reason):
    proc, db = slow_run_under_way(tmp_path)
    try:
        workers = [pid for pid in process_group(proc.pid) if pid != proc.pid]
        assert len(workers) >= 2, "the temporary server and the guard's child run beside the flow"
        stopped_at = time.monotonic()
        os.killpg(proc.pid, sig) if to_group else proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - stopped_at
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert took < 20, f"took {took:.1f}s"
    assert proc.returncode == code, out[-2000:]
    assert f"error: {reason}" in out and "Traceback" not in out
    assert process_group_gone(proc.pid, timeout=10), f"left running: {process_group(proc.pid)}"
    assert query(db, "select status, message from runs") == [("failed", reason)]


def test_a_run_killed_outright_leaves_no_process_behind(tmp_path):
    """SIGKILL (the out-of-memory killer, `kill -9`) lets the run clean up nothing: the temporary server, the
    worker, its guard child and the validator each end on their own."""
    proc, _ = slow_run_under_way(tmp_path)
    try:
        started = [pid for pid in process_group(proc.pid) if pid != proc.pid]
        assert len(started) >= 4, started  # server, worker, its child, validator (and the resource tracker)
        proc.kill()  # the run's process only, as the kernel would
        proc.wait()
        assert process_group_gone(proc.pid, timeout=10), f"left running: {process_group(proc.pid)}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def process_group(pgid: int) -> list[int]:
    """The live processes of a process group (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


# ---- concurrent access ------------------------------------------------------------------------------------

def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    """Another process that opens the warehouse for writing and keeps it for seconds."""
    code = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('holding', flush=True); "
            "time.sleep(float(sys.argv[2]))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_second_writer_waits_then_fails_naming_the_lock_and_its_holder(prefect_harness, sample_warehouse,
                                                                          tmp_path):
    from fazhi.flows.pipeline import etl
    from fazhi.warehouse import WarehouseLocked

    db = tmp_path / "w.duckdb"
    shutil.copy(sample_warehouse, db)
    before = {t: table_rows(db, t) for t in DOC_TABLES}
    holder = hold_lock(db, 60)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseLocked) as err:
            etl(input_dir=str(SAMPLE), warehouse=str(db), lock_timeout=3)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    message = str(err.value)
    assert str(db) in message and "lock" in message and f"PID {holder.pid}" in message
    assert "\n" not in message
    assert 3 <= waited < 30
    assert {t: table_rows(db, t) for t in DOC_TABLES} == before
    assert query(db, "select count(*) from runs") == [(1,)], "the refused run wrote nothing"


def test_a_second_writer_that_gets_the_lock_in_time_runs(prefect_harness, sample_warehouse, tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "w.duckdb"
    shutil.copy(sample_warehouse, db)
    holder = hold_lock(db, 3)
    try:
        summary = etl(input_dir=str(SAMPLE), warehouse=str(db), lock_timeout=60)
    finally:
        holder.wait(timeout=60)
    assert summary["skipped"] == 5
    assert query(db, "select status from runs order by started_at") == [("completed",), ("completed",)]


def test_cli_lock_error_is_one_line_naming_the_holder(prefect_harness, sample_warehouse, tmp_path):
    from click.testing import CliRunner

    from fazhi.cli import cli

    db = tmp_path / "w.duckdb"
    shutil.copy(sample_warehouse, db)
    holder = hold_lock(db, 60)
    try:
        result = CliRunner().invoke(cli, ["run", "--warehouse", str(db), "--lock-timeout", "1"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    error_lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and f"PID {holder.pid}" in error_lines[0] and "locked" in error_lines[0]
    assert "Traceback" not in result.output


def test_sigterm_while_a_run_waits_for_the_lock_ends_it_and_its_booting_server(sample_warehouse, tmp_path):
    """The temporary server boots while the run waits for the lock; a stop then ends both, in one line."""
    db = tmp_path / "w.duckdb"
    shutil.copy(sample_warehouse, db)
    holder = hold_lock(db, 120)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PYTHONUNBUFFERED": "1"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "fazhi", "run", "--warehouse", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stderr.readline().startswith("waiting up to 60s for the warehouse lock")
        assert any("fazhi.server_process" in command(pid) for pid in process_group(proc.pid))
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        holder.kill()
        holder.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err.strip().splitlines() == ["error: stopped by SIGTERM"]
    assert process_group_gone(proc.pid, timeout=10), f"left running: {process_group(proc.pid)}"


def command(pid: int) -> str:
    """A process's command line, or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_a_snapshot_is_published_atomically_and_open_readers_keep_their_copy(prefect_harness, sample_copy,
                                                                               tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "wh" / "fazhi.duckdb"
    etl(input_dir=str(sample_copy), warehouse=str(db))
    snapshot = tmp_path / "wh" / "fazhi.snapshot.duckdb"
    assert snapshot.exists()
    assert [p.name for p in snapshot.parent.iterdir() if p.name.endswith(".tmp")] == [], "no temporary copy left"
    for table in (*DOC_TABLES, "runs"):
        assert table_rows(snapshot, table) == table_rows(db, table), table

    reader = duckdb.connect(str(snapshot), read_only=True)
    held = open(snapshot, "rb")  # the file as a reader that opened it holds it
    old_bytes = held.read()
    try:
        before = reader.execute("select count(*) from figures").fetchone()[0]
        (sample_copy / "new.txt").write_text(SENTENCE, encoding="utf-8")
        stale = snapshot.parent / ".fazhi.snapshot.duckdb.999999.tmp"  # as a run killed mid-copy leaves it
        stale.write_bytes(b"half a copy")
        etl(input_dir=str(sample_copy), warehouse=str(db))  # writes while the analyst's query session is open
        assert reader.execute("select count(*) from figures").fetchone()[0] == before
        held.seek(0)
        assert held.read() == old_bytes, "the new snapshot was written over the file readers have open"
    finally:
        reader.close()
        held.close()
    assert query(snapshot, "select count(*) from figures")[0][0] == before + 2
    assert [p.name for p in snapshot.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert query(snapshot, "select count(*) from runs where status = 'completed'") == [(2,)]


def test_progress_is_a_prefect_artifact_at_100_percent_also_when_every_file_is_unchanged(prefect_harness, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    from fazhi.flows.pipeline import etl

    for run in ("first", "unchanged"):
        state = etl(input_dir=str(SAMPLE), warehouse=str(tmp_path / "w.duckdb"), batch_size=2, return_state=True)
        flow_run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["fazhi-etl-progress"])),
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        assert [a.type for a in artifacts] == ["progress"], run
        assert artifacts[0].data == 100, run
        assert artifacts[0].description.startswith("5 of 5 files done ("), run


def test_the_writer_caps_duckdb_memory_checkpoints_less_often_and_a_bad_cap_is_one_line(tmp_path, monkeypatch):
    from fazhi import warehouse as wh

    con = wh.connect(tmp_path / "w.duckdb")
    # DuckDB reports the cap in its own units (256MB -> 244.1 MiB); the default is what the README promises
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "244.1 MiB"
    assert con.execute("select current_setting('checkpoint_threshold')").fetchone()[0] == "61.0 MiB"  # 64MB
    con.close()
    monkeypatch.setattr(wh, "WRITER_MEMORY_LIMIT", "lots")
    with pytest.raises(wh.WarehouseError) as err:
        wh.connect(tmp_path / "w.duckdb")
    assert str(err.value).startswith("FAZHI_DUCKDB_MEMORY_LIMIT='lots' is not a DuckDB memory size")
    assert "\n" not in str(err.value)
    reader = wh.connect(tmp_path / "w.duckdb", read_only=True)  # readers keep DuckDB's default
    assert reader.execute("select 1").fetchone() == (1,)
    reader.close()


def test_a_damaged_warehouse_is_never_published_as_the_snapshot(prefect_harness, sample_warehouse, tmp_path):
    from click.testing import CliRunner

    from fazhi import warehouse as wh
    from fazhi.cli import cli

    db = tmp_path / "fazhi.duckdb"
    shutil.copyfile(sample_warehouse, db)
    size = db.stat().st_size
    with open(db, "r+b") as f:  # random bytes into its middle, as a failing disk would leave them
        f.seek(size // 2)
        f.write(os.urandom(4096))
    with pytest.raises(duckdb.Error, match="checksum"):
        wh.check_database(db)
    result = CliRunner().invoke(cli, ["run", "--input", str(SAMPLE), "--warehouse", str(db)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    # Found by the checkpoint before the run completes, or by the check of the copy: either way one line.
    assert len(errors) == 1 and "fails DuckDB's checks" in errors[0] and "not published" in errors[0]
    assert "Corrupt database file" in errors[0]
    assert not wh.snapshot_path(db).exists() and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("failure", [
    duckdb.IOException('IO Error: Could not write file "w.duckdb.wal": No space left on device'),
    duckdb.TransactionException('TransactionContext Error: Failed to commit: Could not write file "w.duckdb.wal": '
                                'Input/output error'),
])
def test_a_failed_write_is_one_line_the_run_failed_and_earlier_batches_kept(prefect_harness, sample_copy, tmp_path,
                                                                            monkeypatch, failure):
    from click.testing import CliRunner

    from fazhi import warehouse as wh
    from fazhi.cli import cli

    db = tmp_path / "w.duckdb"
    real_load, calls = wh.load_batch, []

    def load_failing_from_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise failure
        return real_load(*args, **kwargs)

    monkeypatch.setattr(wh, "load_batch", load_failing_from_the_second_batch)
    result = CliRunner().invoke(cli, ["run", "--input", str(sample_copy), "--warehouse", str(db), "--batch-size", "2"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    reason = str(failure).split(": ", 1)[1]
    assert len(errors) == 1 and errors[0].startswith(f"error: writing warehouse {db} failed: ")
    assert reason in errors[0] and "is recorded as failed" in errors[0]
    assert "Traceback" not in result.output
    [(status, message)] = query(db, "select status, message from runs")
    assert status == "failed" and reason in message
    first = sorted(sample_copy.iterdir())[:2]
    assert sorted(r[0] for r in query(db, "select source_name from documents")) == [p.name for p in first]
    assert query(db, "select count(*) from figures f join documents d using (doc_id)") == \
        query(db, "select sum(n_figures) from documents")
