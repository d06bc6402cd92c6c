"""The console of `fazhi`: commands that run no flow import no Prefect, user errors are one line and an exit code,
the run's progress and summary, comments on every column, the README's questions file."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT
from fazhi import preflight
from fazhi.cli import cli
from fazhi.console import RunDisplay, summary_lines


def run_fazhi(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`fazhi ARGS` in a fresh process, importtime on, with PREFECT_API_URL unset unless env sets it."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if not env or "PREFECT_API_URL" not in env:
        full.pop("PREFECT_API_URL", None)
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "fazhi", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=timeout)


def imported(stderr: str) -> set[str]:
    """Top-level packages named in `-X importtime` output."""
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


@pytest.mark.parametrize("args, code", [
    (["sql", "select 1"], 0),
    (["export", "{tmp}/export"], 0),
    (["eval", "{tmp}/no-gold.jsonl"], 1),
    (["validate", "--warehouse", "{tmp}/none.duckdb"], 1),
    (["run", "--help"], 0),
    (["serve", "--help"], 0),
    (["run", "--no-such-flag"], 2),
    (["run", "--input", "{tmp}/nope"], 1),
    (["--version"], 0),
])
def test_commands_that_run_no_flow_import_neither_prefect_nor_great_expectations(sample_warehouse, tmp_path, args,
                                                                                   code):
    args = [a.format(tmp=tmp_path) for a in args]
    if args[0] in ("sql", "export", "eval"):
        args += ["--warehouse", str(sample_warehouse)]
    proc = run_fazhi(*args)
    assert proc.returncode == code, proc.stderr[-1000:]
    assert not {"prefect", "great_expectations"} & imported(proc.stderr)


def hold_lock(path) -> subprocess.Popen:
    """Another process that opens the warehouse for writing and keeps it until killed."""
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                             "print('held', flush=True); time.sleep(600)", str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_user_errors_are_one_line_and_exit_1(tmp_path, monkeypatch):
    # configure_prefect sets defaults in os.environ; monkeypatch puts the test process's environment back.
    for name, value in {**preflight.TEMPORARY_SERVER_SETTINGS, **preflight.QUIET_LOGGING}.items():
        monkeypatch.setenv(name, os.environ.get(name, value))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    locked = tmp_path / "locked.duckdb"
    holder = hold_lock(locked)
    closed_port = free_port()
    cases = [
        (["run", "--input", str(tmp_path / "nope")], {},
         f"error: input folder {tmp_path / 'nope'} does not exist or is not a folder"),
        (["run", "--warehouse", str(a_file / "w.duckdb")], {},
         f"error: cannot create warehouse {a_file / 'w.duckdb'}: {a_file} is a file, not a folder"),
        (["run", "--warehouse", str(locked), "--lock-timeout", "0"], {},
         f"error: warehouse {locked} is locked: its write lock is held by "),
        (["run", "--warehouse", str(tmp_path / "w.duckdb")],
         {"PREFECT_API_URL": f"http://127.0.0.1:{closed_port}/api"},
         f"error: Prefect API http://127.0.0.1:{closed_port}/api (PREFECT_API_URL) is not reachable"),
        (["run", "--warehouse", str(tmp_path / "w.duckdb")],
         {"PREFECT_API_URL": f"http://127.0.0.1:{closed_port}/api"}, "prefect config unset PREFECT_API_URL"),
        (["export", str(a_file / "out"), "--warehouse", str(locked)], {},
         f"error: warehouse {locked} is being written by "),
        (["serve", "--cron", "every day"], {}, "error: bad --cron 'every day' or --timezone 'UTC': "),
        (["eval", str(tmp_path / "gold.jsonl"), "--warehouse", str(tmp_path / "none.duckdb")], {},
         "error: cannot read gold file"),
    ]
    try:
        for args, env, start in cases:
            result = CliRunner(env=env).invoke(cli, args)
            lines = result.output.strip().splitlines()
            assert result.exit_code == 1, (args, result.output)
            assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.output)
            assert lines[0].startswith(start) or start in lines[0], (args, lines[0])
    finally:
        holder.kill()
        holder.wait()


def free_port() -> int:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_export_to_a_place_that_cannot_be_written_is_one_line(sample_warehouse, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    result = CliRunner().invoke(cli, ["export", str(a_file / "out"), "--warehouse", str(sample_warehouse)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {a_file / 'out'}: Not a directory"]


def test_version_names_the_program_and_its_version():
    result = CliRunner().invoke(cli, ["--version"], prog_name="fazhi")
    assert result.exit_code == 0
    name, version = result.output.split()
    assert name == "fazhi" and version[0].isdigit()


@pytest.mark.parametrize("updates, printed", [
    ([(0, 10, 0)], ["files 0 of 10 (0%), 0 figures"]),
    ([(0, 10, 0), (4, 10, 9)], ["files 0 of 10 (0%), 0 figures"]),  # within the interval: no line
    ([(0, 10, 0), (4, 10, 9), (10, 10, 20)], ["files 0 of 10 (0%), 0 figures", "files 10 of 10 (100%), 20 figures"]),
])
def test_without_a_terminal_progress_is_a_plain_line_at_start_end_and_every_interval(updates, printed):
    out = io.StringIO()
    display = RunDisplay(out, terminal=False, every=3600)
    for done, total, figures in updates:
        display.update(done, total, figures)
    lines = out.getvalue().splitlines()
    assert [line.split(", ")[0] + ", " + line.split(", ")[1] for line in lines] == printed
    if len(lines) == 2:
        assert "files/s" in lines[1] and "left" not in lines[1]


def test_on_a_terminal_progress_is_a_bar_with_counts_rate_and_time_left():
    out = io.StringIO()
    display = RunDisplay(out, terminal=True)
    display.update(0, 10, 0)
    display.update(10, 10, 20)
    display.close()
    shown = out.getvalue()
    assert "10/10" in shown and "20 figures" in shown and "files/s" in shown


SUMMARY = {"run_id": "r1", "warehouse": "w.duckdb", "seen": 9, "loaded": 5, "replaced": 1, "skipped": 2,
           "failed": 2, "not_walked": 1, "figures": 40, "figures_total": 233, "pruned": 0, "seconds": 3.2,
           "quality": {"expectations": 45, "failed_expectations": 1, "flagged_figures": 1, "data_docs": "d/i.html"},
           "failures": [{"source_name": "sub", "stage": "discover", "error": "symlink loop"},
                        {"source_name": "empty.txt", "stage": "ingest", "error": "empty file"},
                        {"source_name": "dup.txt", "stage": "load", "error": "same bytes as a document already loaded"}],
           "bytes_replaced": [{"source_name": "bad.txt", "warning": "2 undecodable byte sequence(s) replaced"}]}


def test_the_summary_adds_up_and_names_every_failed_or_damaged_file():
    lines = summary_lines(SUMMARY, 12.34, preflight.LockWait(8.0, "python (PID 7)"))
    table = {line[:40].strip(): line[40:].strip() for line in lines if "  " in line[:41]}
    files = [int(table[k]) for k in ("loaded, new", "loaded, replacing an earlier version", "unchanged", "failed")]
    assert sum(files) == int(table["files seen"]) == 9
    assert table["figures added by this run"] == "40" and table["figures in the warehouse"].startswith("233")
    assert table["data quality"].startswith("1 of 45 expectations failed")
    assert table["time"].startswith("12.3s") and "waited 8s for the warehouse lock held by python (PID 7)" in table["time"]
    assert lines[len(table):] == [
        "folder not walked: sub: symlink loop", "failed (ingest): empty.txt: empty file",
        "failed (load): dup.txt: same bytes as a document already loaded",
        "bytes replaced: bad.txt: 2 undecodable byte sequence(s) replaced"]
    assert not any("{" in line for line in lines), "no raw dict"


def test_a_run_that_waits_for_the_lock_says_so_and_counts_the_figures_already_there(sample_warehouse, tmp_path):
    warehouse = tmp_path / "fazhi.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    total = duckdb.connect(str(warehouse), read_only=True).execute("select count(*) from figures").fetchone()[0]
    holder = hold_lock(warehouse)
    proc = subprocess.Popen([sys.executable, "-m", "fazhi", "run", "--warehouse", str(warehouse)], cwd=ROOT,
                            env={**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
                                 "PYTHONPATH": str(ROOT), "PREFECT_HOME": str(tmp_path / "prefect")},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    holder.kill()
    holder.wait()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    assert "waiting up to 60s for the warehouse lock, held by" in err
    rows = {line[:40].strip(): line[40:].strip() for line in out.splitlines()}
    assert rows["unchanged"] == "5" and rows["figures added by this run"] == "0"
    assert rows["figures in the warehouse"].startswith(f"{total} ") and "waited" in rows["time"]
    assert "Traceback" not in err and "ERROR" not in err


def test_every_column_of_every_table_and_view_has_a_comment(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    missing = con.execute("select table_name, column_name from duckdb_columns() "
                          "where not internal and comment is null").fetchall()
    assert missing == []


def test_the_readme_questions_file_exists_and_answers(sample_warehouse):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "fazhi sql -f examples/questions.sql" in readme
    result = CliRunner().invoke(cli, ["sql", "-f", str(ROOT / "examples" / "questions.sql"), "--csv",
                                      "--warehouse", str(sample_warehouse)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.startswith("org,org_type,year,metric_id") and len(rows) >= 10


@pytest.mark.parametrize("message, extra, exc, shown", [
    ("Finished in state Failed('Task run encountered an exception DataQualityFailed: 1 of 45 failed')", {}, None,
     False),
    ("Finished in state Failed('Task run encountered an exception KeyError: x')", {}, None, True),
    ("not loaded: empty.txt (ingest): empty file", {"fazhi_in_summary": True}, None, False),
    ("Encountered exception during execution", {}, ValueError("x"), False),
    ("Encountered exception during execution", {}, KeyError("x"), True),
    ("runs r1 never finished (their process died); marked crashed", {}, None, True),
])
def test_prefect_console_drops_what_the_cli_or_the_summary_says_itself(message, extra, exc, shown):
    import logging

    from fazhi.console import DropReported
    from fazhi.quality import DataQualityFailed

    record = logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, message, None,
                               (type(exc), exc, None) if exc else None)
    record.__dict__.update(extra)
    assert DropReported(DataQualityFailed, ValueError).filter(record) is shown
